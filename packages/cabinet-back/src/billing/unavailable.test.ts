import { createDatabase } from '@app/kernel';
import { createTestDatabase, usingRealServices } from '@app/kernel/testing';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { BillingUnavailableError } from './billing-adapter.js';
import { callBilling, isTransientBillingFailure } from './unavailable.js';

describe('billing failures: retry later or bug', () => {
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), true],
    ['server shutting down', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), true],
    ['deadlock', Object.assign(new Error('deadlock detected'), { code: '40P01' }), true],
    ['wrapped in a cause', new Error('query failed', { cause: Object.assign(new Error('x'), { code: '08006' }) }), true],
    ['a closed pool', new Error('Cannot use a pool after calling end on the pool'), true],
    ['a destroyed Kysely instance (billing database closed)', new Error('driver has already been destroyed'), true],
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' }), false],
    ['a type error', new TypeError("Cannot read properties of undefined (reading 'id')"), false],
  ])('%s → transient %s', (_what, err, transient) => {
    expect(isTransientBillingFailure(err)).toBe(transient);
  });

  it('turns an unreachable or closed billing database into BillingUnavailableError', async () => {
    const database = usingRealServices.postgres
      ? await createDatabase({ url: 'postgres://postgres@127.0.0.1:1/billing' }) // nobody listens on port 1
      : await createTestDatabase({ migrations: false });
    if (!usingRealServices.postgres) await database.close();
    const failure = await callBilling('ping', () => sql`select 1`.execute(database.db)).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(BillingUnavailableError);
    if (usingRealServices.postgres) await database.close();
  });

  it('lets a bug through as it is', async () => {
    const bug = new TypeError('bug');
    await expect(callBilling('x', () => Promise.reject(bug))).rejects.toBe(bug);
  });
});
