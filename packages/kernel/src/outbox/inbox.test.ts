import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { consumeOnce, pruneInbox } from './inbox.js';


interface Tables {
  applied: { consumer: string; message_id: string };
}

describe('inbox', () => {
  let database: TestDatabase<Tables>;

  beforeAll(async () => {
    database = await createTestDatabase<Tables>();
    await sql`create table applied (consumer text not null, message_id uuid not null)`.execute(database.db);
  });
  afterAll(async () => {
    await database?.close();
  });

  const applyTo = (consumer: string, id: string) => async (trx: Parameters<Parameters<typeof database.transaction>[0]>[0]) => {
    await trx.insertInto('applied').values({ consumer, message_id: id }).execute();
  };
  const appliedCount = async (id: string) =>
    (await database.db.selectFrom('applied').select('consumer').where('message_id', '=', id).execute()).length;

  it('applies the effect of a message delivered twice only once', async () => {
    const message = { id: randomUUID(), topic: 'cabinet.readings.submitted' };
    expect(await consumeOnce(database, 'billing-sync', message, applyTo('billing-sync', message.id))).toBe(true);
    expect(await consumeOnce(database, 'billing-sync', message, applyTo('billing-sync', message.id))).toBe(false);
    expect(await appliedCount(message.id)).toBe(1);
  });

  it('applies the effect once when two deliveries of one message race', async () => {
    const message = { id: randomUUID(), topic: 'cabinet.readings.submitted' };
    const results = await Promise.all([
      consumeOnce(database, 'racer', message, applyTo('racer', message.id)),
      consumeOnce(database, 'racer', message, applyTo('racer', message.id)),
    ]);
    expect(results.sort()).toEqual([false, true]);
    expect(await appliedCount(message.id)).toBe(1);
  });

  it('forgets the delivery when the effect fails, so the redelivery applies it', async () => {
    const message = { id: randomUUID(), topic: 'cabinet.request.created' };
    await expect(
      consumeOnce(database, 'requests', message, async (trx) => {
        await applyTo('requests', message.id)(trx);
        throw new Error('billing is down');
      }),
    ).rejects.toThrow('billing is down');
    expect(await appliedCount(message.id)).toBe(0);
    expect(await consumeOnce(database, 'requests', message, applyTo('requests', message.id))).toBe(true);
    expect(await appliedCount(message.id)).toBe(1);
  });

  it('lets every consumer apply the same message once', async () => {
    const message = { id: randomUUID(), topic: 'cabinet.contract.changed' };
    expect(await consumeOnce(database, 'front', message, applyTo('front', message.id))).toBe(true);
    expect(await consumeOnce(database, 'back', message, applyTo('back', message.id))).toBe(true);
    expect(await appliedCount(message.id)).toBe(2);
  });

  it('prunes message ids processed before a given time', async () => {
    const message = { id: randomUUID(), topic: 'x.y' };
    await consumeOnce(database, 'pruned', message, async () => {});
    expect(await pruneInbox(database.db, new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1n);
    expect(await consumeOnce(database, 'pruned', message, async () => {})).toBe(true);
  });
});
