import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Database, Executor } from '@app/kernel';
import { currentVersion, recordChanges } from './changes.js';
import type { BillingRefDb } from './tables.js';

/**
 * Concluding a contract from a signed application (invariant B5 of migration 0002): the consumer (found,
 * or created when new), the contract with its number and link secret, one supply object at the address
 * applied for and one metering point with the power applied for. Meters come later (a meter is installed
 * and its first reading entered by the supplier), so the point has none yet.
 */
export interface ConcludeContractInput {
  /** The cabinet's application id: asking again with it answers the contract concluded the first time. */
  applicationRef: string;
  /** The consumer the applicant already acts for; else one with the same INN (or SNILS) is looked for. */
  consumerId?: string;
  consumer: { kind: 'organisation' | 'person'; name: string; inn?: string; ogrn?: string; snils?: string; email?: string; phone?: string; address?: string };
  objectAddress: string;
  objectName?: string;
  /** kW, decimal text. */
  maxPowerKw: string;
  /** Default: today. */
  startedOn?: string;
}

export interface ConcludedContract {
  /** false: the application had its contract already; this is it. */
  created: boolean;
  consumerCreated: boolean;
  consumerId: string;
  contractId: string;
  number: string;
  version: string;
}

export async function concludeContract(database: Database<BillingRefDb>, input: ConcludeContractInput, today: string): Promise<ConcludedContract> {
  return database.transaction(async (trx) => {
    // One application at a time: two deliveries at once find one contract.
    await sql`select pg_advisory_xact_lock(hashtext(${`billing-ref.conclude:${input.applicationRef}`}))`.execute(trx);
    const existing = await trx.selectFrom('contracts').select(['id', 'consumer_id', 'number']).where('application_ref', '=', input.applicationRef).executeTakeFirst();
    if (existing) return { created: false, consumerCreated: false, consumerId: String(existing.consumer_id), contractId: String(existing.id), number: existing.number, version: String(await currentVersion(trx)) };

    let consumerId = input.consumerId && /^[0-9]{1,18}$/.test(input.consumerId) ? await consumerById(trx, input.consumerId) : null;
    consumerId ??= await consumerByIdentity(trx, input.consumer);
    const consumerCreated = consumerId === null;
    if (consumerId === null) {
      const c = input.consumer;
      const row = await trx
        .insertInto('consumers')
        .values({ kind: c.kind, name: c.name, inn: c.inn ?? null, ogrn: c.ogrn ?? null, snils: c.snils ?? null, email: c.email ?? null, phone: c.phone ?? null, address: c.address ?? input.objectAddress })
        .returning('id')
        .executeTakeFirstOrThrow();
      consumerId = row.id;
    }
    const startedOn = input.startedOn ?? today;
    const { rows } = await sql<{ n: string }>`select nextval('contract_numbers')::text as n`.execute(trx);
    const number = `D-${startedOn.slice(0, 4)}-${rows[0]!.n.padStart(6, '0')}`;
    const contract = await trx
      .insertInto('contracts')
      .values({ consumer_id: consumerId, number, started_on: startedOn, ended_on: null, link_secret: randomBytes(5).toString('hex').toUpperCase(), application_ref: input.applicationRef })
      .returning('id')
      .executeTakeFirstOrThrow();
    const object = await trx
      .insertInto('supply_objects')
      .values({ contract_id: contract.id, name: input.objectName ?? 'Объект энергоснабжения', address: input.objectAddress })
      .returning('id')
      .executeTakeFirstOrThrow();
    // The point's code follows the demo's TU-NNNNNNN, from its own id (unique as the id is).
    const { rows: ids } = await sql<{ id: string }>`select nextval(pg_get_serial_sequence('metering_points', 'id'))::text as id`.execute(trx);
    const pointId = BigInt(ids[0]!.id);
    await trx
      .insertInto('metering_points')
      .values({ id: pointId, supply_object_id: object.id, code: `TU-${String(pointId).padStart(7, '0')}`, name: 'Ввод 1', voltage: null, max_power_kw: input.maxPowerKw })
      .execute();
    await recordChanges(trx, [
      { consumerId, entity: 'contract', entityId: contract.id },
      { consumerId, entity: 'account', entityId: contract.id },
    ]);
    return { created: true, consumerCreated, consumerId: String(consumerId), contractId: String(contract.id), number, version: String(await currentVersion(trx)) };
  });
}

async function consumerById(db: Executor<BillingRefDb>, id: string): Promise<bigint | null> {
  const row = await db.selectFrom('consumers').select('id').where('id', '=', BigInt(id)).executeTakeFirst();
  return row?.id ?? null;
}

/** The same organisation is the same INN; a person the same SNILS or 12-digit INN. The oldest such consumer. */
async function consumerByIdentity(db: Executor<BillingRefDb>, c: ConcludeContractInput['consumer']): Promise<bigint | null> {
  let query = db.selectFrom('consumers').select('id').where('kind', '=', c.kind);
  if (c.kind === 'organisation') {
    if (!c.inn) return null;
    query = query.where('inn', '=', c.inn);
  } else {
    if (!c.snils && !c.inn) return null;
    query = query.where((eb) => eb.or([...(c.snils ? [eb('snils', '=', c.snils)] : []), ...(c.inn ? [eb('inn', '=', c.inn)] : [])]));
  }
  const row = await query.orderBy('id').limit(1).executeTakeFirst();
  return row?.id ?? null;
}
