import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@app/kernel';

export const cabinetFrontMigrations: MigrationSource[] = [
  { module: 'cabinet-front', dir: fileURLToPath(new URL('../migrations', import.meta.url)) },
];
