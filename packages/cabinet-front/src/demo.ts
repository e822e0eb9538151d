import { ensureUsers, type Database, type PasswordHashing } from '@app/kernel';

export const demoConsumers = [{ login: 'demo@consumer.test', password: 'Cabinet-2026!', displayName: 'ООО «Демо-Потребитель»', roles: ['consumer'] }];

export async function seedCabinetFrontDemo(database: Database, hashing?: PasswordHashing) {
  await ensureUsers(database.db, demoConsumers, { hashing });
}
