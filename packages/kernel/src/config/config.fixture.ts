// A minimal service entry point for the config test: loads settings the way every main.ts does.
import { Type } from 'typebox';
import { commonSettings, portSetting } from './common.js';
import { loadConfigOrExit } from './config.js';

loadConfigOrExit(Type.Object({ ...commonSettings, PORT: portSetting(3000) }));
process.stdout.write('started\n');
