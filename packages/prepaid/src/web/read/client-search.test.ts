import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAccount } from '../../accounts/accounts.service.js';
import { createClient, createProduct } from '../../directories/directories.repo.js';
import { Identifiers } from '../../identifiers/identifiers.service.js';
import { prepaidMigrations } from '../../migrations.js';
import type { PrepaidDb } from '../../tables.js';
import { searchClients } from './queries.js';

/** The client search of the workplace (GET /api/clients): substring, misspelling (pg_trgm), phone, account, identifier. */
let database: TestDatabase<PrepaidDb>;
let accountNumber: string;
const names = ['Петров Сергей Иванович', 'Петрова Ольга Николаевна', 'Сидорова Анна Викторовна', 'Кузнецов Дмитрий Олегович', 'Смирнова Елена Андреевна', 'Абрамов 100% Скидка'];

beforeAll(async () => {
  database = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
  const db = database.db;
  await createProduct(db, { code: 'meals', name: 'Питание' });
  for (const [i, fullName] of names.entries()) {
    const clientId = await createClient(db, { fullName, phone: `+7916000000${i}` });
    const account = await openAccount(db, { clientId, products: ['meals'] });
    if (i === 3) {
      accountNumber = account.number;
      await new Identifiers(database).bind({ accountId: account.id, kind: 'card_uid', value: '04AABBCCDDEE01' });
    }
  }
}, 180_000); // migrations on PGlite take long on a loaded box
afterAll(async () => database?.close());

const find = async (q: string) => (await searchClients(database.db, q, { limit: 10, offset: 0 })).map((r) => r.full_name);

describe(`client search on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  it('pg_trgm is installed by the migrations', async () => {
    const { rows } = await sql<{ extname: string }>`select extname from pg_extension where extname = 'pg_trgm'`.execute(database.db);
    expect(rows).toEqual([{ extname: 'pg_trgm' }]);
  });

  it('finds a client by a misspelt surname, substring matches first', async () => {
    expect(await find('Петорв')).toContain('Петров Сергей Иванович');
    expect(await find('Кузнецоф Дмитрий')).toEqual(['Кузнецов Дмитрий Олегович']);
    expect(await find('Смирнва')).toEqual(['Смирнова Елена Андреевна']);
    // "Петров" is a substring of both Petrovs: both come, before any merely similar name.
    expect((await find('петров')).slice(0, 2).sort()).toEqual(['Петров Сергей Иванович', 'Петрова Ольга Николаевна']);
  });

  it('finds by a part of the name, a phone, an account number, a card; nothing for an unrelated word', async () => {
    expect(await find('Виктор')).toEqual(['Сидорова Анна Викторовна']);
    expect(await find('+79160000004')).toEqual(['Смирнова Елена Андреевна']);
    expect(await find(accountNumber)).toEqual(['Кузнецов Дмитрий Олегович']);
    expect(await find('04aabbccddee01')).toEqual(['Кузнецов Дмитрий Олегович']);
    expect(await find('Ъъъыыы')).toEqual([]);
  });

  it('reads LIKE wildcards literally', async () => {
    expect(await find('100%')).toEqual(['Абрамов 100% Скидка']);
    expect(await find('%%')).toEqual([]);
    expect(await find('__')).toEqual([]);
  });
});
