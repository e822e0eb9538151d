// A prepaid programme for the drills and the scale-out run: one product, one merchant, terminals
// `<PREFIX>-<n>` with secret `secret-<n>`, and funded accounts with a card each (card = the wallet id in hex,
// eight digits). Rows of the directories are inserted directly; money goes in through the Ledger, so every
// rule of the journal holds from the start.
import { createHash } from 'node:crypto';
import type { Database } from '@app/kernel';
import { Ledger, type PrepaidDb } from '@app/prepaid';
import { sql } from 'kysely';

export async function seedProgramme(database: Database<PrepaidDb>, o: { prefix: string; terminals: number; accounts: number; balance: bigint }) {
  const db = database.db;
  await sql`insert into products (code, name) values ('own', 'Собственные средства')`.execute(db);
  const merchant = (await sql<{ id: string }>`insert into merchants (code, name) values (${o.prefix.toLowerCase()}, 'Canteen') returning id`.execute(db)).rows[0]!.id;
  await sql`insert into merchant_products values (${merchant}, 'own')`.execute(db);
  for (let t = 0; t < o.terminals; t++) {
    await sql`insert into terminals (code, merchant_id, secret_hash) values (${`${o.prefix}-${t}`}, ${merchant}, ${createHash('sha256').update(`secret-${t}`).digest('hex')})`.execute(db);
  }
  await sql`insert into clients (full_name) select 'Client ' || g from generate_series(1, ${o.accounts}) g`.execute(db);
  await sql`insert into accounts (client_id, number) select id, '7' || lpad((row_number() over (order by created_at, id))::text, 15, '0') from clients`.execute(db);
  await sql`insert into wallets (account_id, product_code, balance) select id, 'own', 0 from accounts`.execute(db);
  await sql`insert into identifiers (kind, value, account_id) select 'card_uid', upper(lpad(to_hex(w.id::int), 8, '0')), w.account_id from wallets w`.execute(db);
  const ledger = new Ledger(database);
  const accounts = (await sql<{ id: string }>`select id from accounts`.execute(db)).rows;
  for (let i = 0; i < accounts.length; i += 50) {
    await Promise.all(accounts.slice(i, i + 50).map((a) => ledger.credit({ key: `seed:${a.id}`, accountId: a.id, product: 'own', amount: o.balance })));
  }
  await sql`analyze`.execute(db);
}

/** The card of account number `n` (1-based) as seedProgramme made it. */
export const cardOf = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
