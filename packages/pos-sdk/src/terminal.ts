import { randomUUID, type KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { normaliseIdentifier } from './identifier.js';
import { PosHttp, ServerUnreachable } from './http.js';
import { Journal, type JournalRecord } from './journal.js';
import { decideOffline, type LocalUse, type OfflineDeclineCode } from './offline-auth.js';
import { openPiece, publicKeyFrom, SnapshotState, SnapshotStore, type SignedPiece } from './snapshot.js';
import type { BasketLine, Identifier, OfflineTransaction, OnlineAnswer, UploadResult, WalletBalance } from './wire.js';

/**
 * What a POS application embeds. `purchase()` authorizes online; when the server cannot be reached
 * (network error, timeout, 5xx — never on a decline) it authorizes offline from the signed snapshot within
 * the offline limits, journals the approval durably before answering, and says so: every result carries
 * `mode: 'online' | 'offline'`, and the terminal emits 'mode' when it changes. `sync()` uploads the queue
 * (idempotent: each offline purchase carries the key of the online attempt it fell back from) and refreshes
 * the snapshot.
 */
export interface PosTerminalOptions {
  baseUrl: string;
  terminalCode: string;
  secret: string;
  /** The server's snapshot key (SubjectPublicKeyInfo DER, base64), provisioned with the terminal. */
  publicKey: string;
  /** Where the journal and the snapshot live. */
  dataDir: string;
  /** Online authorization timeout before falling back. Default 3000 ms. */
  timeoutMs?: number;
  /** A snapshot older than this is not used for offline decisions. Default 24 h. */
  maxSnapshotAgeMs?: number;
  /** Offline purchases per upload request. Default 100. */
  uploadBatch?: number;
  /** Deltas kept on top of the full snapshot before asking for a new full one. Default 16. */
  maxDeltas?: number;
  fetch?: typeof fetch;
  now?: () => Date;
}

export type PurchaseResult =
  | { mode: 'online'; status: 'approved'; transactionId: string; operationId: string; amount: number; balances: WalletBalance[] }
  | { mode: 'online'; status: 'declined'; transactionId: string; code: string; product?: string; limit?: string; available?: number; remaining?: number }
  | { mode: 'offline'; offlineReason: ServerUnreachable['reason']; status: 'approved'; transactionId: string; amount: number; balances: WalletBalance[]; snapshotVersion: number }
  | { mode: 'offline'; offlineReason: ServerUnreachable['reason']; status: 'declined'; transactionId: string; code: OfflineDeclineCode; product?: string; limit?: string; available?: number };

export interface SyncReport {
  uploaded: UploadResult[];
  pending: number;
  snapshotVersion: number;
  snapshotChanged: boolean;
  online: boolean;
}

interface Entry {
  txn: OfflineTransaction & { account: string };
  result?: UploadResult;
}

export class PosTerminal extends EventEmitter {
  private readonly http: PosHttp;
  private readonly key: KeyObject;
  private readonly journal: Journal;
  private readonly store: SnapshotStore;
  private readonly now: () => Date;
  private snapshot: SnapshotState | null = null;
  private pieces: SignedPiece[] = [];
  private readonly entries = new Map<string, Entry>();
  private readonly byAccount = new Map<string, Entry[]>();
  /** Per account: counters of offline purchases since the server last answered for it, per product. */
  private readonly sinceOnline = new Map<string, Map<string, { count: number; total: number }>>();
  private nextSeq = 1;
  private mode: 'online' | 'offline' = 'online';
  private syncing: Promise<SyncReport> | null = null;

  private constructor(private readonly options: PosTerminalOptions) {
    super();
    this.http = new PosHttp({ baseUrl: options.baseUrl, terminalCode: options.terminalCode, secret: options.secret, timeoutMs: options.timeoutMs ?? 3000, fetch: options.fetch });
    this.key = publicKeyFrom(options.publicKey);
    this.journal = new Journal(options.dataDir);
    this.store = new SnapshotStore(options.dataDir);
    this.now = options.now ?? (() => new Date());
    for (const record of this.journal.records) this.replay(record);
    this.loadStoredSnapshot();
  }

  /** Opens the terminal on its data folder: the journal is replayed, the stored snapshot re-verified. Needs no server. */
  static open(options: PosTerminalOptions): PosTerminal {
    return new PosTerminal(options);
  }

  get status() {
    const pending = this.pending().length;
    return { mode: this.mode, pending, snapshotVersion: this.snapshot?.version ?? 0, snapshotBuiltAt: this.snapshot?.builtAt ?? null };
  }

  /** Offline purchases not yet accepted by the server, in their order. */
  pending(): Array<OfflineTransaction & { account: string }> {
    return [...this.entries.values()].filter((e) => !e.result).map((e) => e.txn).sort((a, b) => a.seq - b.seq);
  }

  results(): UploadResult[] {
    return [...this.entries.values()].flatMap((e) => (e.result ? [e.result] : []));
  }

  async purchase(identifier: Identifier, basket: BasketLine[], options: { idempotencyKey?: string } = {}): Promise<PurchaseResult> {
    const transactionId = options.idempotencyKey ?? randomUUID();
    const account = this.snapshot?.identifiers.get(SnapshotState.key(identifier.kind, normaliseIdentifier(identifier.kind, identifier.value)));
    try {
      const answer = await this.http.json<OnlineAnswer>('POST', '/api/pos/v1/purchases', { idempotencyKey: transactionId, identifier, basket });
      this.setMode('online');
      // The server answered for this account: the consecutive offline counters restart (EMV).
      if (account !== undefined) {
        this.journal.append([{ t: 'online', account, at: this.now().toISOString() }], false);
        this.sinceOnline.delete(account);
      }
      if (this.pending().length > 0) void this.sync().catch(() => undefined);
      return answer.status === 'approved'
        ? { mode: 'online', status: 'approved', transactionId, operationId: answer.operationId, amount: answer.amount, balances: answer.balances }
        : { mode: 'online', transactionId, ...answer };
    } catch (error) {
      if (!(error instanceof ServerUnreachable)) throw error;
      this.setMode('offline');
      return this.authorizeOffline(transactionId, identifier, basket, error.reason);
    }
  }

  /** Uploads the queue, then refreshes the snapshot; one at a time. Never throws for an unreachable server. */
  sync(): Promise<SyncReport> {
    this.syncing ??= this.doSync().finally(() => (this.syncing = null));
    return this.syncing;
  }

  /** Downloads the snapshot (a delta when the server keeps one from our version). Throws on a bad signature. */
  async refreshSnapshot(): Promise<boolean> {
    const chain = this.pieces.length - 1;
    const since = this.snapshot && chain < (this.options.maxDeltas ?? 16) ? `?since=${this.snapshot.version}` : '';
    const res = await this.http.request('GET', `/api/pos/v1/offline/snapshot${since}`, undefined, Math.max(this.options.timeoutMs ?? 3000, 30_000));
    if (res.status === 204) return false;
    if (!res.ok) throw new Error(`snapshot download answered ${res.status}`);
    const kind = res.headers.get('x-snapshot-kind') === 'delta' ? 'delta' : 'full';
    const fromHeader = res.headers.get('x-snapshot-from-version');
    const piece: SignedPiece = {
      kind,
      version: Number(res.headers.get('x-snapshot-version')),
      ...(fromHeader ? { fromVersion: Number(fromHeader) } : {}),
      signature: res.headers.get('x-snapshot-signature') ?? '',
      body: Buffer.from(await res.arrayBuffer()),
    };
    this.install(piece);
    return true;
  }

  /** Installs a downloaded piece: verified first; a tampered or misapplied one leaves the current snapshot as it was. */
  install(given: SignedPiece) {
    // Any byte array will do (a database driver may hand over a Uint8Array); a Buffer from here on.
    const piece = { ...given, body: Buffer.from(given.body) };
    const body = openPiece(piece, this.key);
    if (piece.kind === 'full') {
      const next = new SnapshotState();
      next.apply(body);
      this.snapshot = next;
      this.pieces = [piece];
    } else {
      if (!this.snapshot) throw new Error('a delta needs a full snapshot first');
      // apply() checks the delta's base version before it changes anything.
      this.snapshot.apply(body);
      this.pieces = [...this.pieces, piece];
    }
    this.store.save(this.pieces);
  }

  close() {
    this.journal.close();
  }

  private async doSync(): Promise<SyncReport> {
    const uploaded: UploadResult[] = [];
    let changed = false;
    try {
      const size = this.options.uploadBatch ?? 100;
      for (let batch = this.pending().slice(0, size); batch.length > 0; batch = this.pending().slice(0, size)) {
        const { results } = await this.http.json<{ results: UploadResult[] }>('POST', '/api/pos/v1/offline/transactions', {
          transactions: batch.map(({ account: _a, ...t }) => t),
        });
        this.journal.append(results.map((result) => ({ t: 'res', result })), true);
        for (const r of results) this.replay({ t: 'res', result: r });
        uploaded.push(...results);
      }
      changed = await this.refreshSnapshot();
      this.setMode('online');
    } catch (error) {
      if (!(error instanceof ServerUnreachable)) throw error;
      this.setMode('offline');
    }
    return { uploaded, pending: this.pending().length, snapshotVersion: this.snapshot?.version ?? 0, snapshotChanged: changed, online: this.mode === 'online' };
  }

  private authorizeOffline(transactionId: string, identifier: Identifier, basket: BasketLine[], reason: ServerUnreachable['reason']): PurchaseResult {
    const decision = decideOffline({
      snapshot: this.snapshot,
      terminalCode: this.options.terminalCode,
      key: SnapshotState.key(identifier.kind, normaliseIdentifier(identifier.kind, identifier.value)),
      basket,
      now: this.now(),
      maxSnapshotAgeMs: this.options.maxSnapshotAgeMs ?? 86_400_000,
      use: (account, product) => this.localUse(account, product),
    });
    if (decision.status === 'declined') return { mode: 'offline', offlineReason: reason, transactionId, ...decision };
    const txn: OfflineTransaction & { account: string } = {
      id: transactionId,
      seq: this.nextSeq,
      at: this.now().toISOString(),
      identifier,
      basket: basket.map((l) => ({ product: l.product, amount: l.amount })),
      snapshotVersion: this.snapshot!.version,
      account: decision.account,
    };
    // Durable before the POS hands the goods over: an approval not on disk could be lost with the terminal.
    const record: JournalRecord = { t: 'txn', ...txn };
    this.journal.append([record], true);
    this.replay(record);
    const amount = basket.reduce((s, l) => s + l.amount, 0);
    return { mode: 'offline', offlineReason: reason, status: 'approved', transactionId, amount, balances: decision.balances, snapshotVersion: txn.snapshotVersion };
  }

  private localUse(account: string, product: string): LocalUse {
    const counters = this.sinceOnline.get(account)?.get(product) ?? { count: 0, total: 0 };
    const asOf = this.snapshot?.asOfSeq ?? 0;
    let unreflected = 0;
    for (const e of this.byAccount.get(account) ?? []) {
      // Reflected in the snapshot's balance: posted at or before the journal position it was built from.
      // A failed one was never posted — the server's balance is the truth for it.
      const reflected = e.result ? e.result.status === 'failed' || e.result.operationSeq <= asOf : false;
      if (!reflected) unreflected += e.txn.basket.find((l) => l.product === product)?.amount ?? 0;
    }
    return { sinceOnlineCount: counters.count, sinceOnlineTotal: counters.total, unreflected };
  }

  private replay(record: JournalRecord) {
    if (record.t === 'txn') {
      const { t: _t, ...txn } = record;
      const entry: Entry = { txn };
      this.entries.set(txn.id, entry);
      const list = this.byAccount.get(txn.account) ?? [];
      list.push(entry);
      this.byAccount.set(txn.account, list);
      this.nextSeq = Math.max(this.nextSeq, txn.seq + 1);
      const perProduct = this.sinceOnline.get(txn.account) ?? new Map<string, { count: number; total: number }>();
      for (const line of txn.basket) {
        const c = perProduct.get(line.product) ?? { count: 0, total: 0 };
        perProduct.set(line.product, { count: c.count + 1, total: c.total + line.amount });
      }
      this.sinceOnline.set(txn.account, perProduct);
    } else if (record.t === 'res') {
      const entry = this.entries.get(record.result.id);
      if (entry) entry.result = record.result;
    } else {
      this.sinceOnline.delete(record.account);
    }
  }

  private loadStoredSnapshot() {
    const pieces = this.store.load();
    if (pieces.length === 0) return;
    const state = new SnapshotState();
    // Re-verified on every load: the file on disk is no more trusted than the network.
    for (const p of pieces) state.apply(openPiece(p, this.key));
    this.snapshot = state;
    this.pieces = pieces;
  }

  private setMode(mode: 'online' | 'offline') {
    if (mode === this.mode) return;
    this.mode = mode;
    this.emit('mode', mode);
  }
}
