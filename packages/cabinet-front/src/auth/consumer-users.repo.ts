import type { Kysely, Transaction } from 'kysely';
import type { Pii } from '../crypto/pii.js';
import type { CabinetFrontDb } from '../tables.js';
import { contactIndexOf, type Contact } from './contact.js';

type Db = Kysely<CabinetFrontDb> | Transaction<CabinetFrontDb>;

/** The consumer's side of a user: contact and display name, encrypted, plus the contact's blind index. */
export async function insertConsumerUser(db: Db, pii: Pii, userId: string, contact: Contact, displayName: string | undefined) {
  const index = contactIndexOf(pii, contact);
  await db
    .insertInto('consumer_users')
    .values({
      user_id: userId,
      contact_kind: contact.kind,
      email_enc: contact.kind === 'email' ? pii.seal('consumer_users', 'email_enc', userId, contact.value) : null,
      phone_enc: contact.kind === 'phone' ? pii.seal('consumer_users', 'phone_enc', userId, contact.value) : null,
      email_index: contact.kind === 'email' ? index : null,
      phone_index: contact.kind === 'phone' ? index : null,
      display_name_enc: pii.seal('consumer_users', 'display_name_enc', userId, displayName ?? null),
    })
    .execute();
}

export interface ConsumerUserView {
  id: string;
  login: string;
  email?: string;
  phone?: string;
  displayName: string;
}

/** The user as shown to people: decrypted contact (the login) and display name. */
export async function describeConsumerUser(db: Db, pii: Pii, userId: string): Promise<ConsumerUserView | undefined> {
  const row = await db.selectFrom('consumer_users').selectAll().where('user_id', '=', userId).executeTakeFirst();
  if (!row) return undefined;
  const email = pii.open('consumer_users', 'email_enc', userId, row.email_enc);
  const phone = pii.open('consumer_users', 'phone_enc', userId, row.phone_enc);
  const displayName = pii.open('consumer_users', 'display_name_enc', userId, row.display_name_enc) ?? '';
  return { id: userId, login: (row.contact_kind === 'email' ? email : phone) ?? '', ...(email ? { email } : {}), ...(phone ? { phone } : {}), displayName };
}
