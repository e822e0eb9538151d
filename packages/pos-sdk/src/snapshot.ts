import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SNAPSHOT_FORMAT, type AccountTuple, type OfflineLimits, type SnapshotBody, type WalletTuple } from './wire.js';

/**
 * The terminal's copy of the server's snapshot: verified (Ed25519 over the exact downloaded bytes) before
 * a single byte is parsed, a delta applied only on top of the version it was made from, and kept on disk
 * as the signed pieces themselves (full + deltas), re-verified whenever it is loaded — so what authorizes
 * offline is always something the server signed.
 */
export class SnapshotSignatureError extends Error {
  readonly code = 'snapshot_signature_invalid';
}
export class SnapshotFormatError extends Error {
  readonly code = 'snapshot_invalid';
}

export interface SignedPiece {
  kind: 'full' | 'delta';
  version: number;
  fromVersion?: number;
  signature: string;
  /** The gzip'd JSON as downloaded, base64 on disk. */
  body: Buffer;
}

export interface ProductInfo {
  name: string;
  offline: OfflineLimits;
}

export class SnapshotState {
  version = 0;
  asOfSeq = 0;
  builtAt = new Date(0);
  products = new Map<string, ProductInfo>();
  merchants: Array<[string, string[]]> = [];
  terminals = new Map<string, number>();
  accounts = new Map<string, WalletTuple[]>();
  identifiers = new Map<string, string>();
  stopList = new Set<string>();

  static key(kind: string, value: string) {
    return `${kind}\u0000${value}`;
  }

  /** The products the terminal's merchant accepts; null when the terminal is not in the snapshot (blocked or unknown). */
  acceptedBy(terminalCode: string): Set<string> | null {
    const merchant = this.terminals.get(terminalCode);
    return merchant === undefined ? null : new Set(this.merchants[merchant]?.[1] ?? []);
  }

  apply(body: SnapshotBody) {
    if (body.format !== SNAPSHOT_FORMAT) throw new SnapshotFormatError(`unknown snapshot format ${body.format}`);
    if (body.kind === 'delta') {
      if (body.fromVersion !== this.version) throw new SnapshotFormatError(`delta from ${body.fromVersion} does not apply to version ${this.version}`);
      for (const n of body.removed?.accounts ?? []) this.accounts.delete(n);
      for (const [k, v] of body.removed?.identifiers ?? []) this.identifiers.delete(SnapshotState.key(k, v));
      for (const [k, v] of body.removed?.stopList ?? []) this.stopList.delete(SnapshotState.key(k, v));
    } else {
      this.accounts.clear();
      this.identifiers.clear();
      this.stopList.clear();
    }
    for (const [n, wallets] of body.accounts as AccountTuple[]) this.accounts.set(n, wallets);
    for (const [k, v, n] of body.identifiers) this.identifiers.set(SnapshotState.key(k, v), n);
    for (const [k, v] of body.stopList) this.stopList.add(SnapshotState.key(k, v));
    this.products = new Map(body.products.map((p) => [p.code, { name: p.name, offline: p.offline }]));
    this.merchants = body.merchants;
    this.terminals = new Map(body.terminals.map(([code, m]) => [code, m]));
    this.version = body.version;
    this.asOfSeq = body.asOfSeq;
    this.builtAt = new Date(body.builtAt);
  }
}

export function publicKeyFrom(spkiBase64: string): KeyObject {
  return createPublicKey({ key: Buffer.from(spkiBase64, 'base64'), format: 'der', type: 'spki' });
}

/** Verifies, then decodes. Throws SnapshotSignatureError on any mismatch — nothing of an unverified body is read. */
export function openPiece(piece: SignedPiece, key: KeyObject): SnapshotBody {
  let valid = false;
  try {
    valid = verify(null, piece.body, key, Buffer.from(piece.signature, 'base64'));
  } catch {
    valid = false;
  }
  if (!valid) throw new SnapshotSignatureError(`snapshot ${piece.kind} version ${piece.version}: the signature does not verify`);
  const body = JSON.parse(gunzipSync(piece.body).toString('utf8')) as SnapshotBody;
  // The signed content must say what the unsigned headers said, or a delta could be replayed as another.
  if (body.version !== piece.version || body.kind !== piece.kind || (piece.kind === 'delta' && body.fromVersion !== piece.fromVersion)) {
    throw new SnapshotSignatureError(`snapshot headers (${piece.kind} ${piece.version}) do not match its signed content (${body.kind} ${body.version})`);
  }
  return body;
}

/** The pieces on disk: one JSON file replaced atomically (write, fsync, rename). */
export class SnapshotStore {
  private readonly file: string;
  constructor(dir: string) {
    this.file = join(dir, 'snapshot.json');
  }

  load(): SignedPiece[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    const stored = JSON.parse(text) as Array<Omit<SignedPiece, 'body'> & { body: string }>;
    return stored.map((p) => ({ ...p, body: Buffer.from(p.body, 'base64') }));
  }

  save(pieces: SignedPiece[]) {
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(pieces.map((p) => ({ ...p, body: Buffer.from(p.body).toString('base64') }))));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
