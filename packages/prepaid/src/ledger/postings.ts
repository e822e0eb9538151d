/**
 * The postings of each operation type, as pure data. A posting moves `amount` kopecks of `product`
 * into (positive) or out of (negative) a wallet or a system ledger account. Every list built here
 * sums to zero (invariant I1), which postings.test.ts checks for every type.
 */
export type PostingTarget = { wallet: bigint } | { system: 'funding' | 'writeoff' | 'returned' | 'correction' | 'holds' } | { merchant: string };

export interface PostingDraft {
  target: PostingTarget;
  product: string;
  amount: bigint;
}

export interface Line {
  wallet: bigint;
  product: string;
  amount: bigint;
}

/** Credit: from the product's funding source into the wallet. */
export const creditPostings = (line: Line): PostingDraft[] => [
  { target: { system: 'funding' }, product: line.product, amount: -line.amount },
  { target: { wallet: line.wallet }, product: line.product, amount: line.amount },
];

/** Purchase: each basket line out of its wallet to the merchant. */
export const purchasePostings = (merchantId: string, lines: Line[]): PostingDraft[] =>
  lines.flatMap((l) => [
    { target: { wallet: l.wallet }, product: l.product, amount: -l.amount },
    { target: { merchant: merchantId }, product: l.product, amount: l.amount },
  ]);

/** Refund or reversal: back from the merchant into the wallets. */
export const returnPostings = (merchantId: string, lines: Line[]): PostingDraft[] =>
  lines.flatMap((l) => [
    { target: { merchant: merchantId }, product: l.product, amount: -l.amount },
    { target: { wallet: l.wallet }, product: l.product, amount: l.amount },
  ]);

/** Hold (pre-authorization): out of the wallet into the product's holds account, until completed, voided or expired. */
export const holdPostings = (line: Line): PostingDraft[] => [
  { target: { wallet: line.wallet }, product: line.product, amount: -line.amount },
  { target: { system: 'holds' }, product: line.product, amount: line.amount },
];

/** Release of a hold (on completion, void, expiry, account closing): the whole held amount back into the wallet. */
export const releasePostings = (line: Line): PostingDraft[] => [
  { target: { system: 'holds' }, product: line.product, amount: -line.amount },
  { target: { wallet: line.wallet }, product: line.product, amount: line.amount },
];

/** Correction by staff: signed amount into the wallet against the correction account. */
export const correctionPostings = (line: Line): PostingDraft[] => [
  { target: { system: 'correction' }, product: line.product, amount: -line.amount },
  { target: { wallet: line.wallet }, product: line.product, amount: line.amount },
];

export const transferPostings = (from: Line, to: Line): PostingDraft[] => [
  { target: { wallet: from.wallet }, product: from.product, amount: -from.amount },
  { target: { wallet: to.wallet }, product: to.product, amount: to.amount },
];

/** Closing: each wallet's remainder (negative too) out to the returned or written-off account. */
export const closePostings = (disposition: 'returned' | 'writeoff', remainders: Line[]): PostingDraft[] =>
  remainders
    .filter((r) => r.amount !== 0n)
    .flatMap((r) => [
      { target: { wallet: r.wallet }, product: r.product, amount: -r.amount },
      { target: { system: disposition }, product: r.product, amount: r.amount },
    ]);

export const sumOf = (postings: PostingDraft[]) => postings.reduce((s, p) => s + p.amount, 0n);
