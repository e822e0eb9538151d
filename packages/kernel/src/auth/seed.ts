import type { PasswordHashing } from './password.js';
import { findUserByLoginKey } from './users.repo.js';
import { createUser } from './users.js';

/** Creates the users that do not exist yet (demo data, first admin); leaves existing ones as they are. */
export async function ensureUsers(
  executor: unknown,
  users: ReadonlyArray<{ login: string; password: string; displayName: string; roles: readonly string[] }>,
  options: { hashing?: PasswordHashing; loginKey?: (login: string) => string } = {},
) {
  const key = options.loginKey ?? ((l: string) => l.trim().toLowerCase());
  for (const user of users) {
    if (await findUserByLoginKey(executor, key(user.login))) continue;
    await createUser(executor, { ...user, roles: [...user.roles] }, options);
  }
}
