import { ensureUsers, type Database, type PasswordHashing } from '@app/kernel';
import type { PrepaidRole } from './roles.js';

/** Demo staff for `npm start`, one per role; printed by the launcher. Idempotent. */
export const demoStaff: Array<{ login: string; password: string; displayName: string; roles: PrepaidRole[] }> = [
  { login: 'admin', password: 'Prepaid-2026!', displayName: 'Администратор', roles: ['admin'] },
  { login: 'manager', password: 'Prepaid-2026!', displayName: 'Менеджер программы', roles: ['manager'] },
  { login: 'settlement', password: 'Prepaid-2026!', displayName: 'Специалист по расчётам', roles: ['settlement'] },
  { login: 'operator', password: 'Prepaid-2026!', displayName: 'Оператор', roles: ['operator'] },
];

export async function seedPrepaidDemo(database: Database, hashing?: PasswordHashing) {
  await ensureUsers(database.db, demoStaff, { hashing });
}
