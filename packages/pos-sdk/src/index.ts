// Public surface of @app/pos-sdk: the terminal library a POS application embeds (README.md).
export { PosTerminal, type PosTerminalOptions, type PurchaseResult, type SyncReport } from './terminal.js';
export { ServerUnreachable, PosApiError } from './http.js';
export { SnapshotSignatureError, SnapshotFormatError, SnapshotState, type SignedPiece } from './snapshot.js';
export { decideOffline, type OfflineDecision, type OfflineDeclineCode, type LocalUse } from './offline-auth.js';
export type { BasketLine, Identifier, IdentifierKind, OfflineTransaction, UploadResult, WalletBalance, SnapshotBody } from './wire.js';
