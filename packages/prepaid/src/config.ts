import { Type } from 'typebox';
import { commonSettings, portSetting } from '@app/kernel';

export const PrepaidSettings = Type.Object({
  ...commonSettings,
  PORT: portSetting(3000),
});
