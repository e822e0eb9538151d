import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@app/kernel';

/** The reference billing's schema: versioned SQL files, applied by the kernel's `migrate`. */
export const billingRefMigrations: MigrationSource[] = [
  { module: 'billing-ref', dir: fileURLToPath(new URL('../migrations', import.meta.url)) },
];
