import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@app/kernel';

/** The prepaid schema's versioned migrations (applied after the kernel's). */
export const prepaidMigrations: MigrationSource[] = [
  { module: 'prepaid', dir: fileURLToPath(new URL('../migrations', import.meta.url)) },
];
