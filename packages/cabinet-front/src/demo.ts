import { createUser, findUserByLoginKey, type Database, type PasswordHashing } from '@app/kernel';

export const demoConsumers = [{ login: 'demo@consumer.test', password: 'Cabinet-2026!', displayName: 'ООО «Демо-Потребитель»', roles: ['consumer'] }];

export async function seedCabinetFrontDemo(database: Database, hashing?: PasswordHashing) {
  for (const user of demoConsumers) {
    if (await findUserByLoginKey(database.db, user.login)) continue;
    await createUser(database.db, user, { hashing });
  }
}
