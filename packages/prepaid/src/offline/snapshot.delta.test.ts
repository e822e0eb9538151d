import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyChanges, composeChanges, diffStates } from './snapshot.delta.js';
import type { SnapshotState } from './snapshot.format.js';

/** Deltas are only useful if applying them gives exactly the newer state: checked on random states. */
const directories = { products: [], merchants: [], terminals: [] };
const state = fc
  .record({
    accounts: fc.uniqueArray(fc.tuple(fc.constantFrom('A1', 'A2', 'A3', 'A4', 'A5'), fc.integer({ min: 0, max: 3 })), { selector: (a) => a[0], maxLength: 5 }),
    identifiers: fc.uniqueArray(fc.tuple(fc.constantFrom('card_uid', 'qr'), fc.constantFrom('X1', 'X2', 'X3', 'X4'), fc.constantFrom('A1', 'A2', 'A3')), { selector: (i) => `${i[0]}/${i[1]}`, maxLength: 6 }),
    stopList: fc.uniqueArray(fc.tuple(fc.constantFrom('card_uid', 'qr'), fc.constantFrom('X1', 'X2', 'X5')), { selector: (s) => `${s[0]}/${s[1]}`, maxLength: 4 }),
  })
  .map(
    (s): SnapshotState => ({
      ...directories,
      accounts: s.accounts.map(([n, b]) => [n, [['own', b * 100, b * 100]]]),
      identifiers: s.identifiers,
      stopList: s.stopList,
    }),
  );

const canonical = (s: SnapshotState) => ({
  accounts: [...s.accounts].sort((a, b) => a[0].localeCompare(b[0])),
  identifiers: [...s.identifiers].sort((a, b) => `${a[0]}/${a[1]}`.localeCompare(`${b[0]}/${b[1]}`)),
  stopList: [...s.stopList].sort((a, b) => `${a[0]}/${a[1]}`.localeCompare(`${b[0]}/${b[1]}`)),
});

describe('snapshot deltas', () => {
  it('applying diff(a, b) to a gives b', () => {
    fc.assert(
      fc.property(state, state, (a, b) => {
        expect(canonical(applyChanges(a, diffStates(a, b), directories))).toEqual(canonical(b));
      }),
    );
  });

  it('a composed delta a→c equals applying a→b then b→c', () => {
    fc.assert(
      fc.property(state, state, state, (a, b, c) => {
        const composed = composeChanges(diffStates(a, b), diffStates(b, c));
        expect(canonical(applyChanges(a, composed, directories))).toEqual(canonical(c));
      }),
    );
  });

  it('carries only what changed', () => {
    const a: SnapshotState = { ...directories, accounts: [['A1', [['own', 100, 100]]], ['A2', [['own', 5, 5]]]], identifiers: [['card_uid', 'X1', 'A1']], stopList: [] };
    const b: SnapshotState = { ...directories, accounts: [['A1', [['own', 100, 100]]], ['A2', [['own', 4, 4]]]], identifiers: [], stopList: [['card_uid', 'X1']] };
    expect(diffStates(a, b)).toEqual({ accounts: [['A2', [['own', 4, 4]]]], identifiers: [], stopList: [['card_uid', 'X1']], removed: { accounts: [], identifiers: [['card_uid', 'X1']], stopList: [] } });
  });
});
