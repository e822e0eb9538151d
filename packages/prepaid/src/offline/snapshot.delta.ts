import type { AccountTuple, DeltaSnapshot, IdentifierTuple, SnapshotState, StopTuple } from './snapshot.format.js';

/**
 * Pure diff and composition of snapshot states (no I/O). A delta carries what is new or changed and
 * what is gone; applying delta(a→b) to state a gives state b exactly, which the tests check both ways.
 */
type Changes = Pick<DeltaSnapshot, 'accounts' | 'identifiers' | 'stopList' | 'removed'>;

const pairKey = (kind: string, value: string) => `${kind}\u0000${value}`;

export function diffStates(before: SnapshotState, after: SnapshotState): Changes {
  const oldAccounts = new Map(before.accounts.map((a) => [a[0], JSON.stringify(a[1])]));
  const newAccountKeys = new Set(after.accounts.map((a) => a[0]));
  const oldIdentifiers = new Map(before.identifiers.map((i) => [pairKey(i[0], i[1]), i[2]]));
  const newIdentifierKeys = new Set(after.identifiers.map((i) => pairKey(i[0], i[1])));
  const oldStops = new Set(before.stopList.map((s) => pairKey(s[0], s[1])));
  const newStops = new Set(after.stopList.map((s) => pairKey(s[0], s[1])));
  return {
    accounts: after.accounts.filter((a) => oldAccounts.get(a[0]) !== JSON.stringify(a[1])),
    identifiers: after.identifiers.filter((i) => oldIdentifiers.get(pairKey(i[0], i[1])) !== i[2]),
    stopList: after.stopList.filter((s) => !oldStops.has(pairKey(s[0], s[1]))),
    removed: {
      accounts: before.accounts.filter((a) => !newAccountKeys.has(a[0])).map((a) => a[0]),
      identifiers: before.identifiers.filter((i) => !newIdentifierKeys.has(pairKey(i[0], i[1]))).map((i) => [i[0], i[1]] as StopTuple),
      stopList: before.stopList.filter((s) => !newStops.has(pairKey(s[0], s[1]))),
    },
  };
}

/** delta(a→b) then delta(b→c) as one delta(a→c): later upserts win, a later upsert cancels an earlier removal and vice versa. */
export function composeChanges(first: Changes, second: Changes): Changes {
  const accounts = new Map<string, AccountTuple | null>();
  const identifiers = new Map<string, IdentifierTuple | null>();
  const stops = new Map<string, StopTuple | null>();
  for (const step of [first, second]) {
    for (const number of step.removed.accounts) accounts.set(number, null);
    for (const a of step.accounts) accounts.set(a[0], a);
    for (const [kind, value] of step.removed.identifiers) identifiers.set(pairKey(kind, value), null);
    for (const i of step.identifiers) identifiers.set(pairKey(i[0], i[1]), i);
    for (const [kind, value] of step.removed.stopList) stops.set(pairKey(kind, value), null);
    for (const s of step.stopList) stops.set(pairKey(s[0], s[1]), s);
  }
  const split = <T>(map: Map<string, T | null>, keyOf: (k: string) => StopTuple | string) => ({
    kept: [...map.values()].filter((v): v is T => v !== null),
    gone: [...map.entries()].filter(([, v]) => v === null).map(([k]) => keyOf(k)),
  });
  const toPair = (k: string) => k.split('\u0000') as StopTuple;
  const a = split(accounts, (k) => k);
  const i = split(identifiers, toPair);
  const s = split(stops, toPair);
  return {
    accounts: a.kept,
    identifiers: i.kept,
    stopList: s.kept,
    removed: { accounts: a.gone as string[], identifiers: i.gone as StopTuple[], stopList: s.gone as StopTuple[] },
  };
}

/** Applies changes to a state (the SDK does the same on its side). */
export function applyChanges(state: SnapshotState, changes: Changes, directories: Pick<SnapshotState, 'products' | 'merchants' | 'terminals'>): SnapshotState {
  const accounts = new Map(state.accounts.map((a) => [a[0], a]));
  const identifiers = new Map(state.identifiers.map((i) => [pairKey(i[0], i[1]), i]));
  const stops = new Map(state.stopList.map((s) => [pairKey(s[0], s[1]), s]));
  for (const number of changes.removed.accounts) accounts.delete(number);
  for (const [kind, value] of changes.removed.identifiers) identifiers.delete(pairKey(kind, value));
  for (const [kind, value] of changes.removed.stopList) stops.delete(pairKey(kind, value));
  for (const a of changes.accounts) accounts.set(a[0], a);
  for (const i of changes.identifiers) identifiers.set(pairKey(i[0], i[1]), i);
  for (const s of changes.stopList) stops.set(pairKey(s[0], s[1]), s);
  return { ...directories, accounts: [...accounts.values()], identifiers: [...identifiers.values()], stopList: [...stops.values()] };
}
