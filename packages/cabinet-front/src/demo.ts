import { commandTopics, type LinkBySecret } from '@app/cabinet-contracts';
import { createUser, enqueueMessage, findUserByLoginKey, type Database, type KeyRing, type PasswordHashing } from '@app/kernel';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { loginKeyOf, parseLogin } from './auth/contact.js';
import { insertConsumerUser } from './auth/consumer-users.repo.js';
import { CONSUMER_ROLE } from './auth/registration.service.js';
import { resolveKeyRing } from './crypto/keys.js';
import { Pii } from './crypto/pii.js';
import type { CabinetFrontDb } from './tables.js';

export const demoConsumers = [{ login: 'demo@consumer.test', password: 'Cabinet-2026!', displayName: 'ООО «Демо-Потребитель»', roles: ['consumer'] }];

export interface DemoOptions {
  hashing?: PasswordHashing;
  keys?: KeyRing;
  /** A billing contract to link the demo consumer to (by secret), once: the command waits in the outbox for the back. */
  link?: { contractNumber: string; secret: string };
}

/**
 * The demo consumer, created as registration would (login key = blind index, e-mail and name
 * encrypted). A demo user left by an earlier version (login key in clear) is converted in place.
 * Accepts the PasswordHashing alone as the second argument, as before.
 */
export async function seedCabinetFrontDemo(database: Database, options: DemoOptions | PasswordHashing = {}) {
  const opts: DemoOptions = 'memoryCost' in options ? { hashing: options } : options;
  const db = (database as Database<CabinetFrontDb>).db;
  const pii = new Pii(opts.keys ?? resolveKeyRing());
  for (const demo of demoConsumers) {
    const contact = parseLogin(demo.login)!;
    const key = loginKeyOf(pii, demo.login);
    const legacy = await findUserByLoginKey(db, demo.login);
    let user = await findUserByLoginKey(db, key);
    if (!user && legacy) {
      await db.updateTable('users').set({ login_key: key, display_name: '', updated_at: sql`now()` }).where('id', '=', legacy.id).execute();
      user = { ...legacy, login_key: key };
    }
    if (!user) user = await createUser(db, { login: demo.login, password: demo.password, displayName: '', roles: [CONSUMER_ROLE] }, { loginKey: (l) => loginKeyOf(pii, l), hashing: opts.hashing });
    const profile = await db.selectFrom('consumer_users').select('user_id').where('user_id', '=', user.id).executeTakeFirst();
    if (!profile) await insertConsumerUser(db, pii, user.id, contact, demo.displayName);
    if (opts.link) await linkOnce(database as Database<CabinetFrontDb>, user.id, opts.link);
  }
}

async function linkOnce(database: Database<CabinetFrontDb>, userId: string, link: { contractNumber: string; secret: string }) {
  const asked = await database.db.selectFrom('link_requests').select('id').where('user_id', '=', userId).where('contract_number', '=', link.contractNumber).executeTakeFirst();
  if (asked) return;
  const id = randomUUID();
  const command: LinkBySecret = { commandId: id, userRef: userId, contractNumber: link.contractNumber, secret: link.secret };
  await database.transaction(async (trx) => {
    await trx.insertInto('link_requests').values({ id, user_id: userId, via: 'secret', contract_number: link.contractNumber, applicant_name_enc: null, tax_id_enc: null, comment_enc: null, reject_code: null, reject_message: null, consumer_ref: null, decided_at: null }).execute();
    await enqueueMessage(trx, commandTopics.linkBySecret, command, { id });
  });
}
