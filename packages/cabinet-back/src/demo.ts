import { ensureUsers, type Database, type PasswordHashing } from '@app/kernel';
import type { BackOfficeRole } from './roles.js';

export const demoBackOfficeStaff: Array<{ login: string; password: string; displayName: string; roles: BackOfficeRole[] }> = [
  { login: 'admin', password: 'BackOffice-2026!', displayName: 'Администратор', roles: ['admin'] },
  { login: 'supervisor', password: 'BackOffice-2026!', displayName: 'Руководитель группы', roles: ['supervisor'] },
  { login: 'employee', password: 'BackOffice-2026!', displayName: 'Специалист по работе с потребителями', roles: ['employee'] },
  { login: 'support', password: 'BackOffice-2026!', displayName: 'Специалист поддержки', roles: ['employee', 'support'] },
];

export async function seedCabinetBackDemo(database: Database, hashing?: PasswordHashing) {
  await ensureUsers(database.db, demoBackOfficeStaff, { hashing });
}
