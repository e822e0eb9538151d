import { badRequest, conflict, AppError } from '../errors/app-error.js';
import { hashPassword, passwordProblems, defaultHashing, type PasswordHashing } from './password.js';
import { findUserByLoginKey, insertUser, type UserRow } from './users.repo.js';

/** Creates a user with a policy-checked argon2id password. */
export async function createUser(
  executor: unknown,
  input: { login: string; password: string; displayName: string; roles: string[] },
  options: { loginKey?: (login: string) => string; hashing?: PasswordHashing } = {},
): Promise<UserRow> {
  const key = (options.loginKey ?? ((l: string) => l.trim().toLowerCase()))(input.login);
  if (!key) throw badRequest('login_required', 'Login is required', 'login');
  const problems = passwordProblems(input.password, input.login);
  if (problems.length) throw new AppError('password_rejected', 400, problems.map((p) => p.message).join('; '), { errors: problems });
  if (await findUserByLoginKey(executor, key)) throw conflict('login_taken', 'This login is already taken');
  return insertUser(executor, {
    loginKey: key,
    displayName: input.displayName,
    passwordHash: await hashPassword(input.password, options.hashing ?? defaultHashing),
    roles: input.roles,
  });
}
