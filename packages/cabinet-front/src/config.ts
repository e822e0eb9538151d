import { Type } from 'typebox';
import { commonSettings, portSetting } from '@app/kernel';

export const CabinetFrontSettings = Type.Object({ ...commonSettings, PORT: portSetting(3100) });
