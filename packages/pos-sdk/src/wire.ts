/**
 * What the SDK and the server exchange over HTTP: the POS API's answers and the terminal snapshot format
 * `prepaid-offline-snapshot/1` (docs/offline.md). Declared here on purpose rather than imported: the SDK
 * talks to the server only through HTTP and ships without any server code (.dependency-cruiser.cjs).
 */
export type IdentifierKind = 'card_uid' | 'qr' | 'nfc' | 'employee_number';
export interface Identifier {
  kind: IdentifierKind;
  value: string;
}
export interface BasketLine {
  product: string;
  /** Integer kopecks. */
  amount: number;
}
export interface WalletBalance {
  product: string;
  balance: number;
}

export type OnlineAnswer =
  | { status: 'approved'; operationId: string; amount: number; balances: WalletBalance[] }
  | { status: 'declined'; code: string; product?: string; limit?: string; available?: number; remaining?: number };

export const SNAPSHOT_FORMAT = 'prepaid-offline-snapshot/1';
export type OfflineLimits = [floor: number | null, total: number | null, count: number | null];
export type WalletTuple = [product: string, balance: number, available: number] | [product: string, balance: number, available: number, limits: OfflineLimits];
export type AccountTuple = [accountNumber: string, wallets: WalletTuple[]];
export type IdentifierTuple = [kind: string, value: string, accountNumber: string];
export type PairTuple = [kind: string, value: string];

export interface SnapshotBody {
  format: string;
  kind: 'full' | 'delta';
  version: number;
  fromVersion?: number;
  builtAt: string;
  asOfSeq: number;
  products: Array<{ code: string; name: string; offline: OfflineLimits }>;
  merchants: Array<[code: string, products: string[]]>;
  terminals: Array<[code: string, merchant: number]>;
  accounts: AccountTuple[];
  identifiers: IdentifierTuple[];
  stopList: PairTuple[];
  removed?: { accounts: string[]; identifiers: PairTuple[]; stopList: PairTuple[] };
}

export type UploadResult =
  | { id: string; seq: number; status: 'posted'; operationId: string; operationSeq: number }
  | { id: string; seq: number; status: 'failed'; failedOperationId: string; code: string };

/** One purchase authorized offline, as journaled and uploaded. */
export interface OfflineTransaction {
  id: string;
  seq: number;
  at: string;
  identifier: Identifier;
  basket: BasketLine[];
  snapshotVersion: number;
}
