import { generateKeyPairSync, sign } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from './journal.js';
import { SnapshotSignatureError } from './snapshot.js';
import { PosTerminal } from './terminal.js';
import { SNAPSHOT_FORMAT, type SnapshotBody } from './wire.js';

/**
 * The SDK against a stand-in POS server (node:http, a key of the test's own): the SDK knows the server
 * only through HTTP, so this is the whole contract it relies on.
 */
const server = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');
const publicKey = server.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

const CARD = '04A2B3C4';
function body(version: number, extra: Partial<SnapshotBody> = {}): SnapshotBody {
  return {
    format: SNAPSHOT_FORMAT,
    kind: 'full',
    version,
    builtAt: new Date().toISOString(),
    asOfSeq: 100,
    products: [{ code: 'own', name: 'Own funds', offline: [5_000, 12_000, 3] }],
    merchants: [['canteen', ['own']]],
    terminals: [['T-1', 0]],
    accounts: [['A-1', [['own', 20_000, 20_000]]]],
    identifiers: [['card_uid', CARD, 'A-1']],
    stopList: [['card_uid', 'DEADBEEF']],
    ...extra,
  };
}

interface Served {
  snapshot?: { body: Buffer; signature: string; kind: string; version: number; fromVersion?: number };
  purchase?: 'decline' | 'hang' | 'error';
  uploads: unknown[];
}
let served: Served;
let http: Server;
let url: string;
const dirs: string[] = [];

const signed = (b: SnapshotBody, key = server.privateKey) => {
  const bytes = gzipSync(JSON.stringify(b));
  return { body: bytes, signature: sign(null, bytes, key).toString('base64'), kind: b.kind, version: b.version, fromVersion: b.fromVersion };
};

beforeAll(async () => {
  http = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      if (req.url?.startsWith('/api/pos/v1/offline/snapshot')) {
        const s = served.snapshot!;
        res.writeHead(200, { 'x-snapshot-kind': s.kind, 'x-snapshot-version': String(s.version), 'x-snapshot-signature': s.signature, ...(s.fromVersion ? { 'x-snapshot-from-version': String(s.fromVersion) } : {}) });
        return res.end(s.body);
      }
      if (req.url === '/api/pos/v1/purchases') {
        if (served.purchase === 'hang') return; // never answers: the SDK's timeout decides
        if (served.purchase === 'error') return res.writeHead(503).end();
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ status: 'declined', code: 'insufficient_funds', product: 'own', available: 0 }));
      }
      if (req.url === '/api/pos/v1/offline/transactions') {
        const { transactions } = JSON.parse(raw) as { transactions: Array<{ id: string; seq: number }> };
        served.uploads.push(...transactions);
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ results: transactions.map((t, i) => ({ id: t.id, seq: t.seq, status: 'posted', operationId: `op-${t.seq}`, operationSeq: 200 + i })) }));
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
});
afterAll(async () => {
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function open(dataDir?: string, timeoutMs = 300) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'pos-sdk-'));
  if (!dataDir) dirs.push(dir);
  return { dir, terminal: PosTerminal.open({ baseUrl: url, terminalCode: 'T-1', secret: 's', publicKey, dataDir: dir, timeoutMs }) };
}

describe('snapshot signature', () => {
  it('refuses a tampered snapshot and keeps authorizing from the one it had', async () => {
    served = { snapshot: signed(body(1)), purchase: 'error', uploads: [] };
    const { terminal } = open();
    await terminal.refreshSnapshot();
    expect(terminal.status.snapshotVersion).toBe(1);

    // One byte changed in transit (here: more money on the card).
    const good = signed(body(2, { accounts: [['A-1', [['own', 20_000, 20_000]]]] }));
    const forged = signed(body(2, { accounts: [['A-1', [['own', 9_000_000, 9_000_000]]]] }));
    await expect(((served.snapshot = { ...forged, signature: good.signature }), terminal.refreshSnapshot())).rejects.toBeInstanceOf(SnapshotSignatureError);
    const flipped = Buffer.from(good.body);
    flipped[flipped.length - 5]! ^= 0x01;
    await expect(((served.snapshot = { ...good, body: flipped }), terminal.refreshSnapshot())).rejects.toBeInstanceOf(SnapshotSignatureError);
    // Signed, but by somebody else's key.
    await expect(((served.snapshot = signed(body(2), stranger.privateKey)), terminal.refreshSnapshot())).rejects.toBeInstanceOf(SnapshotSignatureError);
    // A genuine version-1 body presented as version 2: the signed content must agree with the headers.
    await expect(((served.snapshot = { ...signed(body(1)), version: 2 }), terminal.refreshSnapshot())).rejects.toBeInstanceOf(SnapshotSignatureError);

    expect(terminal.status.snapshotVersion).toBe(1);
    const result = await terminal.purchase({ kind: 'card_uid', value: CARD }, [{ product: 'own', amount: 1_000 }]);
    expect(result).toMatchObject({ mode: 'offline', status: 'approved', balances: [{ product: 'own', balance: 19_000 }] });
    terminal.close();
  });

  it('refuses to start from a snapshot file altered on disk', async () => {
    served = { snapshot: signed(body(1)), uploads: [] };
    const { dir, terminal } = open();
    await terminal.refreshSnapshot();
    terminal.close();
    const file = join(dir, 'snapshot.json');
    const pieces = JSON.parse(readFileSync(file, 'utf8'));
    pieces[0].body = gzipSync(JSON.stringify(body(1, { accounts: [['A-1', [['own', 9_000_000, 9_000_000]]]] }))).toString('base64');
    writeFileSync(file, JSON.stringify(pieces));
    expect(() => open(dir)).toThrow(SnapshotSignatureError);
  });

  it('applies a signed delta on top of the version it was made from', async () => {
    served = { snapshot: signed(body(1)), purchase: 'error', uploads: [] };
    const { terminal } = open();
    await terminal.refreshSnapshot();
    const delta = body(2, { kind: 'delta', fromVersion: 1, accounts: [], identifiers: [], stopList: [['card_uid', CARD]], removed: { accounts: [], identifiers: [], stopList: [['card_uid', 'DEADBEEF']] } });
    served.snapshot = signed(delta);
    await terminal.refreshSnapshot();
    expect(terminal.status.snapshotVersion).toBe(2);
    expect(await terminal.purchase({ kind: 'card_uid', value: CARD }, [{ product: 'own', amount: 100 }])).toMatchObject({ mode: 'offline', status: 'declined', code: 'identifier_blocked' });
    terminal.close();
  });
});

describe('online first, offline only when the server does not answer', () => {
  it('reports a decline from the server as an online decline, never falls back on it', async () => {
    served = { snapshot: signed(body(1)), purchase: 'decline', uploads: [] };
    const { terminal } = open();
    await terminal.refreshSnapshot();
    expect(await terminal.purchase({ kind: 'card_uid', value: CARD }, [{ product: 'own', amount: 1_000 }])).toMatchObject({ mode: 'online', status: 'declined', code: 'insufficient_funds' });
    expect(terminal.pending()).toHaveLength(0);
    terminal.close();
  });

  it('falls back on a timeout and says so, then uploads the queue under the same transaction ids', async () => {
    served = { snapshot: signed(body(1)), purchase: 'hang', uploads: [] };
    const { terminal } = open();
    await terminal.refreshSnapshot();
    const modes: string[] = [];
    terminal.on('mode', (m: string) => modes.push(m));
    const result = await terminal.purchase({ kind: 'card_uid', value: '04:a2:b3:c4' }, [{ product: 'own', amount: 4_000 }], { idempotencyKey: 'sale-1' });
    expect(result).toMatchObject({ mode: 'offline', offlineReason: 'timeout', status: 'approved', transactionId: 'sale-1' });
    expect(modes).toEqual(['offline']);
    const report = await terminal.sync();
    expect(served.uploads).toMatchObject([{ id: 'sale-1', seq: 1, identifier: { kind: 'card_uid', value: '04:a2:b3:c4' }, basket: [{ product: 'own', amount: 4_000 }], snapshotVersion: 1 }]);
    expect(report).toMatchObject({ pending: 0, online: true });
    expect(modes).toEqual(['offline', 'online']);
    terminal.close();
  });

  it('enforces the floor limit, the consecutive count and the offline total, and tracks the balance across purchases and restarts', async () => {
    served = { snapshot: signed(body(1, { accounts: [['A-1', [['own', 20_000, 11_000]]]] })), purchase: 'error', uploads: [] };
    const first = open();
    await first.terminal.refreshSnapshot();
    const buy = (t: PosTerminal, amount: number) => t.purchase({ kind: 'card_uid', value: CARD }, [{ product: 'own', amount }]);
    expect(await buy(first.terminal, 5_001)).toMatchObject({ status: 'declined', code: 'offline_limit_exceeded', limit: 'floor' });
    expect(await buy(first.terminal, 5_000)).toMatchObject({ status: 'approved', balances: [{ product: 'own', balance: 15_000 }] });
    expect(await buy(first.terminal, 5_000)).toMatchObject({ status: 'approved', balances: [{ product: 'own', balance: 10_000 }] });
    first.terminal.close();
    const again = open(first.dir);
    // 11,000 available, 10,000 spent offline: the journal came back with the process.
    expect(await buy(again.terminal, 1_500)).toMatchObject({ status: 'declined', code: 'insufficient_funds', available: 1_000 });
    expect(await buy(again.terminal, 1_000)).toMatchObject({ status: 'approved' });
    expect(await buy(again.terminal, 500)).toMatchObject({ status: 'declined', code: 'offline_limit_exceeded', limit: 'offline_count' });
    expect(await buy(again.terminal, 100)).toMatchObject({ status: 'declined', code: 'offline_limit_exceeded', limit: 'offline_count' });
    expect(again.terminal.pending().map((t) => t.seq)).toEqual([1, 2, 3]);
    again.terminal.close();
  });

  it('declines offline what the snapshot does not allow: stop-list, unknown card, product not taken here, product without offline limits', async () => {
    served = { snapshot: signed(body(1, { products: [{ code: 'own', name: 'Own', offline: [5_000, null, null] }, { code: 'meals', name: 'Meals', offline: [null, null, null] }], merchants: [['canteen', ['own', 'meals']]], accounts: [['A-1', [['meals', 5_000, 5_000], ['own', 20_000, 20_000]]]] })), purchase: 'error', uploads: [] };
    const { terminal } = open();
    await terminal.refreshSnapshot();
    const buy = (value: string, product = 'own') => terminal.purchase({ kind: 'card_uid', value }, [{ product, amount: 100 }]);
    expect(await buy('DEADBEEF')).toMatchObject({ code: 'identifier_blocked' });
    expect(await buy('0102030405')).toMatchObject({ code: 'unknown_identifier' });
    expect(await buy(CARD, 'fuel')).toMatchObject({ code: 'product_not_accepted', product: 'fuel' });
    expect(await buy(CARD, 'meals')).toMatchObject({ code: 'offline_not_allowed', product: 'meals' });
    expect(await buy(CARD)).toMatchObject({ mode: 'offline', status: 'approved' });
    terminal.close();
  });
});

describe('the journal', () => {
  it('cuts a torn last line left by a crash, keeps every whole record, and appends after it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pos-journal-'));
    dirs.push(dir);
    const journal = new Journal(dir);
    journal.append([{ t: 'online', account: 'A-1', at: 'x' }], true);
    journal.close();
    appendFileSync(join(dir, 'offline-journal.jsonl'), '{"t":"txn","id":"half');
    const reopened = new Journal(dir);
    expect(reopened.records).toEqual([{ t: 'online', account: 'A-1', at: 'x' }]);
    reopened.append([{ t: 'online', account: 'A-2', at: 'y' }], true);
    reopened.close();
    expect(new Journal(dir).records.map((r) => (r as { account: string }).account)).toEqual(['A-1', 'A-2']);
  });

  it('refuses a journal corrupted in the middle rather than guessing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pos-journal-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'offline-journal.jsonl'), '{"t":"online","account":"A","at":"x"}\nnot json\n{"t":"online","account":"B","at":"y"}\n');
    expect(() => new Journal(dir)).toThrow(/corrupt/);
  });
});
