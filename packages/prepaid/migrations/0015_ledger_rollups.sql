-- Balances of the system side (issue 12): merchants', funding sources', holds' and the other ledger accounts
-- are never a row the purchase path updates (all purchases at one merchant would queue on it). Their postings
-- are rolled up in the background instead (ledger/rollup.ts, job `ledger.rollup`): `ledger_account_balances`
-- holds each account's sum of postings up to `ledger_rollup_state.rolled_up_to` (a postings id), and the exact
-- balance now is that plus the postings after it. verify proves every rolled-up balance equals its postings.
--
-- Posting ids are not committed in order, so the roll-up never takes ids a transaction still in progress could
-- hold: a run remembers the highest id it sees and its snapshot's xmax, and the next run rolls up to that id
-- only once every transaction older than that xmax has ended.

create table ledger_account_balances (
  ledger_account_id bigint primary key references ledger_accounts (id),
  balance bigint not null,
  postings bigint not null
);

create table ledger_rollup_state (
  id integer primary key check (id = 1),
  rolled_up_to bigint not null default 0,
  candidate_up_to bigint,
  candidate_xmax xid8,
  rolled_at timestamptz
);
insert into ledger_rollup_state (id) values (1);
