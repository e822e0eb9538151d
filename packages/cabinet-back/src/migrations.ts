import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@app/kernel';

export const cabinetBackMigrations: MigrationSource[] = [
  { module: 'cabinet-back', dir: fileURLToPath(new URL('../migrations', import.meta.url)) },
];
