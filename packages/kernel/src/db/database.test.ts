import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { createDatabase } from './database.js';
import { kernelMigrations, migrate, readMigrations } from './migrate.js';

interface Sample {
  sample: { id: string; amount: bigint; price: string; doc: { a: number }; at: Date };
}

describe(`database on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: TestDatabase<Sample>;
  beforeAll(async () => {
    database = await createTestDatabase<Sample>();
    await sql`create table sample (id text primary key, amount int8 not null, price numeric(12,2) not null,
      doc jsonb not null, at timestamptz not null)`.execute(database.db);
  });
  afterAll(() => database.close());

  it('round-trips int8 as bigint beyond 2^53, numeric as string, jsonb as object, timestamptz as Date', async () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    await database.db
      .insertInto('sample')
      .values({ id: 'a', amount: 9_007_199_254_740_993n, price: '12.30', doc: JSON.stringify({ a: 1 }) as never, at })
      .execute();
    const row = await database.db.selectFrom('sample').selectAll().where('id', '=', 'a').executeTakeFirstOrThrow();
    expect(row.amount).toBe(9_007_199_254_740_993n);
    expect(row.price).toBe('12.30');
    expect(row.doc).toEqual({ a: 1 });
    expect(row.at.toISOString()).toBe(at.toISOString());
  });

  it('rolls back everything a failed transaction wrote', async () => {
    await expect(
      database.transaction(async (trx) => {
        await trx.insertInto('sample').values({ id: 'b', amount: 1n, price: '1', doc: '{}' as never, at: new Date() }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = await database.db.selectFrom('sample').select('id').where('id', '=', 'b').execute();
    expect(rows).toEqual([]);
  });

  it('serialises concurrent transactions without losing an update', async () => {
    await database.db.insertInto('sample').values({ id: 'c', amount: 0n, price: '0', doc: '{}' as never, at: new Date() }).execute();
    await Promise.all(
      Array.from({ length: 20 }, () =>
        database.transaction(async (trx) => {
          await sql`update sample set amount = amount + 1 where id = 'c'`.execute(trx);
        }),
      ),
    );
    const row = await database.db.selectFrom('sample').select('amount').where('id', '=', 'c').executeTakeFirstOrThrow();
    expect(row.amount).toBe(20n);
  });

  it('applies the kernel migrations once and is a no-op the second time', async () => {
    const again = await migrate(database, [kernelMigrations]);
    expect(again).toEqual([]);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from schema_migrations where module = 'kernel'`.execute(database.db);
    expect(rows[0]!.n).toBeGreaterThan(0);
  });

  it('refuses to start when an applied migration file was edited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mig-'));
    writeFileSync(join(dir, '0001_t.sql'), 'create table edited_t (id int);');
    await migrate(database, [{ module: 'edited', dir }]);
    writeFileSync(join(dir, '0001_t.sql'), 'create table edited_t (id bigint);');
    await expect(migrate(database, [{ module: 'edited', dir }])).rejects.toThrow(/was changed after it was applied/);
    rmSync(dir, { recursive: true });
  });

  it('rejects a migration file with a malformed name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mig-'));
    writeFileSync(join(dir, 'init.sql'), 'select 1;');
    await expect(migrate(database, [{ module: 'bad', dir }])).rejects.toThrow(/0001_name\.sql/);
    rmSync(dir, { recursive: true });
  });
});

describe('migrations started by two instances at once', () => {
  it('both succeed and every migration is applied exactly once', async () => {
    const first = await createTestDatabase({ migrations: false });
    // A second instance: on PostgreSQL a separate pool on the same database; on PGlite the same
    // engine (one process owns its data folder), raced through two migrate calls.
    const second = first.url ? await createDatabase({ url: first.url }) : first;
    const dir = mkdtempSync(join(tmpdir(), 'mig-'));
    writeFileSync(join(dir, '0001_a.sql'), 'create table race_a (id int primary key);');
    writeFileSync(join(dir, '0002_b.sql'), 'create table race_b (id int primary key); insert into race_b values (1);');
    try {
      const sources = [kernelMigrations, { module: 'race', dir }];
      const [a, b] = await Promise.all([migrate(first, sources), migrate(second, sources)]);
      expect(a.length + b.length).toBe(readMigrations(kernelMigrations).length + 2);
      expect(Math.min(a.length, b.length)).toBe(0);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from race_b`.execute(first.db);
      expect(rows[0]!.n).toBe(1);
    } finally {
      if (second !== first) await second.close();
      await first.close();
      rmSync(dir, { recursive: true });
    }
  });
});

describe('embedded PGlite with a data folder', () => {
  it('keeps data across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pglite-'));
    mkdirSync(join(dir, 'db'));
    try {
      const one = await createDatabase({ dataDir: join(dir, 'db') });
      await migrate(one, [kernelMigrations]);
      await sql`insert into users (login_key, display_name) values ('kept', 'Kept')`.execute(one.db);
      await one.close();
      const two = await createDatabase({ dataDir: join(dir, 'db') });
      expect(await migrate(two, [kernelMigrations])).toEqual([]);
      const { rows } = await sql<{ display_name: string }>`select display_name from users where login_key = 'kept'`.execute(two.db);
      expect(rows).toEqual([{ display_name: 'Kept' }]);
      await two.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
