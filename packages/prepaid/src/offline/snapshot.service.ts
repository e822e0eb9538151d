import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Database } from '@app/kernel';
import { sql } from 'kysely';
import type { OfflineDb } from '../tables.js';
import type { SnapshotSigner } from './signing.js';
import { composeChanges, diffStates } from './snapshot.delta.js';
import { SNAPSHOT_FORMAT, type DeltaSnapshot, type FullSnapshot, type SnapshotState } from './snapshot.format.js';
import { readSnapshotState } from './snapshot.read.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * Builds, stores and serves the signed terminal snapshots. A build reads the state in one consistent
 * transaction, and makes a new version only when the content changed; with it, deltas to the new version
 * from each of the last RETAINED versions (so a terminal that missed a few builds still gets a delta).
 * Builds are serialised across instances by an advisory lock, so versions and deltas form one chain.
 */
export const RETAINED_VERSIONS = 24;
const BUILD_LOCK = 7_310_001;

export interface SnapshotInfo {
  version: number;
  builtAt: Date;
  asOfSeq: bigint;
  identifiers: number;
  accounts: number;
  stopList: number;
  bytes: number;
  buildMs: number;
  trigger: string;
  created: boolean;
}

export interface SignedBody {
  kind: 'full' | 'delta';
  version: number;
  fromVersion?: number;
  body: Buffer;
  signature: string;
  keyId: string;
}

export class SnapshotService {
  constructor(
    private readonly database: Database<OfflineDb>,
    private readonly signer: SnapshotSigner,
  ) {}

  get publicKey() {
    return { algorithm: 'Ed25519' as const, keyId: this.signer.keyId, publicKey: this.signer.publicKey };
  }

  async build(trigger: string): Promise<SnapshotInfo> {
    const started = performance.now();
    return this.database.transaction(async (trx) => {
      // Must be the transaction's first statement: the snapshot of the data is taken at the first query.
      await sql`set transaction isolation level repeatable read`.execute(trx);
      await sql`select pg_advisory_xact_lock(${BUILD_LOCK})`.execute(trx);
      const { state, asOfSeq } = await readSnapshotState(trx);
      const contentHash = createHash('sha256').update(JSON.stringify(state)).digest('hex');
      const previous = await trx.selectFrom('offline_snapshots').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
      if (previous && previous.content_sha256 === contentHash) return { ...infoOf(previous), created: false };

      const version = previous ? Number(previous.version) + 1 : 1;
      const builtAt = new Date();
      const header = { format: SNAPSHOT_FORMAT, version, builtAt: builtAt.toISOString(), asOfSeq: Number(asOfSeq) } as const;
      const full: FullSnapshot = { ...header, kind: 'full', ...state };
      const body = await gzipAsync(JSON.stringify(full));
      await trx
        .insertInto('offline_snapshots')
        .values({
          version: BigInt(version),
          as_of_seq: asOfSeq,
          content_sha256: contentHash,
          identifiers: state.identifiers.length,
          accounts: state.accounts.length,
          stop_list: state.stopList.length,
          body,
          signature: this.signer.sign(body),
          key_id: this.signer.keyId,
          build_ms: 0,
          trigger,
        })
        .execute();

      if (previous) {
        // delta(prev→new) by diff; delta(k→new) for older k by composing delta(k→prev) with it.
        const before = stateOf(await decode<FullSnapshot>(previous.body));
        const last = diffStates(before, state);
        const directories = { products: state.products, merchants: state.merchants, terminals: state.terminals };
        const older = await trx.selectFrom('offline_snapshot_deltas').select(['from_version', 'body']).where('to_version', '=', previous.version).execute();
        const deltas = [{ from: Number(previous.version), changes: last }];
        for (const d of older) deltas.push({ from: Number(d.from_version), changes: composeChanges(await decode<DeltaSnapshot>(d.body), last) });
        for (const d of deltas) {
          const delta: DeltaSnapshot = { ...header, kind: 'delta', fromVersion: d.from, ...directories, ...d.changes };
          const deltaBody = await gzipAsync(JSON.stringify(delta));
          await trx.insertInto('offline_snapshot_deltas').values({ from_version: BigInt(d.from), to_version: BigInt(version), body: deltaBody, signature: this.signer.sign(deltaBody) }).execute();
        }
      }
      await trx.deleteFrom('offline_snapshots').where('version', '<=', BigInt(version - RETAINED_VERSIONS)).execute();
      const buildMs = Math.round(performance.now() - started);
      const row = await trx.updateTable('offline_snapshots').set({ build_ms: buildMs }).where('version', '=', BigInt(version)).returningAll().executeTakeFirstOrThrow();
      return { ...infoOf(row), created: true };
    });
  }

  /** The newest version, building the first one when there is none yet. */
  async latestVersion(): Promise<number> {
    const row = await this.database.db.selectFrom('offline_snapshots').select('version').orderBy('version', 'desc').limit(1).executeTakeFirst();
    return row ? Number(row.version) : (await this.build('on_demand')).version;
  }

  /**
   * What a terminal at version `since` downloads: nothing when it is current, the delta when one is kept,
   * else the full snapshot.
   */
  async download(since: number | undefined): Promise<SignedBody | { kind: 'current'; version: number }> {
    const version = await this.latestVersion();
    if (since === version) return { kind: 'current', version };
    const db = this.database.db;
    if (since !== undefined && since < version) {
      const delta = await db.selectFrom('offline_snapshot_deltas').select(['body', 'signature']).where('from_version', '=', BigInt(since)).where('to_version', '=', BigInt(version)).executeTakeFirst();
      if (delta) return { kind: 'delta', version, fromVersion: since, body: delta.body, signature: delta.signature, keyId: this.signer.keyId };
    }
    const full = await db.selectFrom('offline_snapshots').select(['body', 'signature', 'key_id']).where('version', '=', BigInt(version)).executeTakeFirstOrThrow();
    return { kind: 'full', version, body: full.body, signature: full.signature, keyId: full.key_id };
  }

  async list(limit: number) {
    const rows = await this.database.db.selectFrom('offline_snapshots').selectAll().orderBy('version', 'desc').limit(limit).execute();
    return rows.map((r) => infoOf(r));
  }
}

function infoOf(r: { version: bigint; built_at: Date; as_of_seq: bigint; identifiers: number; accounts: number; stop_list: number; body: Buffer; build_ms: number; trigger: string }): Omit<SnapshotInfo, 'created'> & { created: boolean } {
  return { version: Number(r.version), builtAt: r.built_at, asOfSeq: r.as_of_seq, identifiers: r.identifiers, accounts: r.accounts, stopList: r.stop_list, bytes: r.body.length, buildMs: r.build_ms, trigger: r.trigger, created: false };
}

export async function decode<T>(body: Buffer): Promise<T> {
  return JSON.parse((await gunzipAsync(body)).toString('utf8')) as T;
}

const stateOf = (s: FullSnapshot): SnapshotState => ({ products: s.products, merchants: s.merchants, terminals: s.terminals, accounts: s.accounts, identifiers: s.identifiers, stopList: s.stopList });
