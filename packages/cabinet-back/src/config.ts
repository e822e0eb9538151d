import { Type } from 'typebox';
import { commonSettings, portSetting } from '@app/kernel';

export const CabinetBackSettings = Type.Object({ ...commonSettings, PORT: portSetting(3200) });
