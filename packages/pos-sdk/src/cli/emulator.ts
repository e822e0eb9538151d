#!/usr/bin/env node
/**
 * A terminal emulator on top of pos-sdk, to try online and offline purchases by hand (and to drive the
 * SDK as a real process in the end-to-end tests). Reads commands, one per line:
 *
 *   buy <kind> <value> <product>=<kopecks> [<product>=<kopecks> …] [key=<idempotency key>]
 *   sync        upload the offline queue, refresh the snapshot
 *   status      online/offline, queued purchases, snapshot version
 *   pending     the queued offline purchases
 *   help | quit
 *
 *   npm run pos:emulator -- --url http://127.0.0.1:3000 --terminal T-1 --secret … [--public-key …|--trust-on-first-use]
 *                           [--data ./data/pos-emulator] [--timeout 3000] [--json]
 * The same settings may come from POS_URL, POS_TERMINAL, POS_SECRET, POS_PUBLIC_KEY, POS_DATA_DIR.
 * --json prints one JSON object per command (what the tests read).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { PosApiError, PosTerminal, SnapshotSignatureError, type BasketLine, type IdentifierKind, type PurchaseResult } from '../index.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    terminal: { type: 'string' },
    secret: { type: 'string' },
    'public-key': { type: 'string' },
    'trust-on-first-use': { type: 'boolean', default: false },
    data: { type: 'string' },
    timeout: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const setting = (name: string, env: string) => values[name as keyof typeof values] ?? process.env[env];
const url = String(setting('url', 'POS_URL') ?? 'http://127.0.0.1:3000');
const terminalCode = setting('terminal', 'POS_TERMINAL') as string | undefined;
const secret = setting('secret', 'POS_SECRET') as string | undefined;
if (!terminalCode || !secret) {
  console.error('pos-emulator: --terminal and --secret (or POS_TERMINAL, POS_SECRET) are required');
  process.exit(2);
}
const dataDir = String(setting('data', 'POS_DATA_DIR') ?? join('data', 'pos-emulator', terminalCode));
const json = values.json === true;
mkdirSync(dataDir, { recursive: true });

const publicKey = await resolveKey();
const terminal = PosTerminal.open({ baseUrl: url, terminalCode, secret, publicKey, dataDir, timeoutMs: Number(values.timeout ?? 3000) });
terminal.on('mode', (mode: string) => {
  if (!json) console.log(mode === 'offline' ? '*** OFFLINE: the server does not answer — purchases are authorized from the snapshot ***' : '*** ONLINE again ***');
});

const print = (command: string, result: unknown) => console.log(json ? JSON.stringify({ ok: true, command, result }) : human(command, result));
const fail = (command: string, error: unknown) => {
  const code = error instanceof PosApiError || error instanceof SnapshotSignatureError ? error.code : 'error';
  console.log(json ? JSON.stringify({ ok: false, command, error: { code, message: (error as Error).message } }) : `! ${command}: ${code} ${(error as Error).message}`);
};

if (!json) console.log(`terminal ${terminalCode} → ${url}, data in ${dataDir}; type help`);
const rl = createInterface({ input: process.stdin, terminal: false });
for await (const raw of rl) {
  const words = raw.trim().split(/\s+/).filter(Boolean);
  const command = words[0];
  if (!command) continue;
  try {
    if (command === 'quit' || command === 'exit') break;
    else if (command === 'help') console.log('buy <kind> <value> <product>=<kopecks>… [key=…] | sync | status | pending | quit');
    else if (command === 'status') print(command, terminal.status);
    else if (command === 'pending') print(command, terminal.pending());
    else if (command === 'sync') print(command, await terminal.sync());
    else if (command === 'buy') print(command, await buy(words.slice(1)));
    else fail(command, new Error('unknown command; type help'));
  } catch (error) {
    fail(command, error);
  }
}
terminal.close();

async function buy(args: string[]): Promise<PurchaseResult> {
  const [kind, value, ...rest] = args;
  if (!kind || !value || rest.length === 0) throw new Error('usage: buy <kind> <value> <product>=<kopecks>… [key=…]');
  let key: string | undefined;
  const basket: BasketLine[] = [];
  for (const item of rest) {
    const [name, amount] = item.split('=');
    if (name === 'key') key = amount;
    else if (name && amount && /^\d+$/.test(amount)) basket.push({ product: name, amount: Number(amount) });
    else throw new Error(`not a basket line: ${item} (product=kopecks)`);
  }
  return terminal.purchase({ kind: kind as IdentifierKind, value }, basket, { idempotencyKey: key });
}

/** The snapshot key: given, or kept from the first contact (trust on first use, for trying things by hand). */
async function resolveKey(): Promise<string> {
  const given = setting('public-key', 'POS_PUBLIC_KEY') as string | undefined;
  if (given) return given;
  const kept = join(dataDir, 'server-key.txt');
  if (existsSync(kept)) return readFileSync(kept, 'utf8').trim();
  if (!values['trust-on-first-use']) {
    console.error('pos-emulator: give --public-key (the server publishes it at GET /api/pos/v1/offline/public-key) or --trust-on-first-use');
    process.exit(2);
  }
  const res = await fetch(new URL('/api/pos/v1/offline/public-key', url), { headers: { authorization: `Basic ${Buffer.from(`${terminalCode}:${secret}`).toString('base64')}` } });
  if (!res.ok) throw new Error(`public key: ${res.status}`);
  const key = ((await res.json()) as { publicKey: string }).publicKey;
  writeFileSync(kept, key);
  return key;
}

const rub = (k: number) => `${(k / 100).toFixed(2)} ₽`;
function human(command: string, result: unknown): string {
  if (command !== 'buy') return JSON.stringify(result, null, 2);
  const r = result as PurchaseResult;
  const mode = r.mode === 'offline' ? `OFFLINE (${r.offlineReason})` : 'online';
  if (r.status === 'approved') return `APPROVED [${mode}] ${rub(r.amount)} — ${r.balances.map((b) => `${b.product} ${rub(b.balance)}`).join(', ')}  (id ${r.transactionId})`;
  return `DECLINED [${mode}] ${r.code}${r.product ? ` (${r.product})` : ''}${r.limit ? ` limit ${r.limit}` : ''}`;
}
