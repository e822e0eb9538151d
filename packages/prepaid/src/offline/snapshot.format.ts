/**
 * The terminal snapshot's wire format, `prepaid-offline-snapshot/1` (docs/offline.md). The body a terminal
 * downloads is this JSON, gzip'd, and the Ed25519 signature covers exactly those gzip'd bytes. The SDK
 * (packages/pos-sdk) declares the same shape on its side: it talks HTTP only and shares no code with us.
 *
 * Compactness: tuples instead of objects, wallets keyed by the account number (several identifiers of
 * one account share them), the offline limits once per product and per wallet only where a wallet sets
 * its own. Kopecks are JSON integers (far below 2^53).
 */
export const SNAPSHOT_FORMAT = 'prepaid-offline-snapshot/1';

/** Offline limits: per-purchase floor limit (null = no offline purchases of it), cap on the offline total and on the count of consecutive offline purchases (null = no cap). */
export type OfflineLimits = [floor: number | null, total: number | null, count: number | null];
/** A wallet: product, balance, amount available now (balance above the minimum, within today's and this month's limits), own limits. */
export type WalletTuple = [product: string, balance: number, available: number] | [product: string, balance: number, available: number, limits: OfflineLimits];
export type AccountTuple = [accountNumber: string, wallets: WalletTuple[]];
export type IdentifierTuple = [kind: string, value: string, accountNumber: string];
export type StopTuple = [kind: string, value: string];

export interface SnapshotDirectories {
  products: Array<{ code: string; name: string; offline: OfflineLimits }>;
  /** Active merchants with the products they accept. */
  merchants: Array<[code: string, products: string[]]>;
  /** Active terminals and the merchant (index into `merchants`) each belongs to. */
  terminals: Array<[code: string, merchant: number]>;
}

export interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  builtAt: string;
  /** The last journal seq the balances include: an uploaded offline purchase with a higher seq is not in them yet. */
  asOfSeq: number;
}

export interface FullSnapshot extends SnapshotHeader, SnapshotDirectories {
  kind: 'full';
  accounts: AccountTuple[];
  identifiers: IdentifierTuple[];
  stopList: StopTuple[];
}

export interface DeltaSnapshot extends SnapshotHeader, SnapshotDirectories {
  kind: 'delta';
  fromVersion: number;
  /** Accounts, identifiers and stop-list entries new or changed since fromVersion; directories are whole. */
  accounts: AccountTuple[];
  identifiers: IdentifierTuple[];
  stopList: StopTuple[];
  removed: { accounts: string[]; identifiers: StopTuple[]; stopList: StopTuple[] };
}

/** The part of a snapshot that is the state (what a content hash and a diff look at). */
export type SnapshotState = SnapshotDirectories & { accounts: AccountTuple[]; identifiers: IdentifierTuple[]; stopList: StopTuple[] };
