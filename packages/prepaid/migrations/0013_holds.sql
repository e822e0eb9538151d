-- Two-phase purchases (issue 12): a terminal holds an amount (pre-authorization), then completes it fully
-- or partly, or voids it; a hold nobody completes expires and gives the money back.
--
-- The held money leaves the wallet at once (wallet → the product's `holds` ledger account), so it counts
-- against the balance, the minimum and the debit limits exactly like a purchase, under the same
-- conditional UPDATE. Completing releases the hold (holds → wallet, operation `hold_release`) and posts an
-- ordinary purchase of the completed amount (wallet → merchant) in the same transaction: what is settled,
-- refunded or reversed afterwards is a purchase like any other. Voiding and expiry are the release alone.
--
-- `holds` is the hold's state; the journal stays immutable. Only one completion, void or expiry wins: each
-- is one conditional UPDATE `… where status = 'active'` on the hold row, taken before the wallet row
-- (the fixed lock order of every hold path: hold, then wallet).

alter table ledger_accounts drop constraint ledger_accounts_kind_check;
alter table ledger_accounts add constraint ledger_accounts_kind_check check (kind in ('funding', 'merchant', 'writeoff', 'returned', 'correction', 'holds'));

alter table operations drop constraint operations_type_check;
alter table operations add constraint operations_type_check
  check (type in ('credit', 'purchase', 'reversal', 'refund', 'correction', 'transfer', 'close', 'hold', 'hold_release'));

create table holds (
  -- The hold operation's id: the terminal completes or voids by it.
  id uuid primary key references operations (id),
  account_id uuid not null references accounts (id),
  wallet_id bigint not null references wallets (id),
  product_code text not null references products (code),
  merchant_id uuid not null references merchants (id),
  terminal_id text,
  amount bigint not null check (amount > 0),
  status text not null default 'active' check (status in ('active', 'completed', 'voided', 'expired')),
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  closed_at timestamptz,
  completed_amount bigint check (completed_amount > 0 and completed_amount <= amount),
  purchase_operation_id uuid references operations (id),
  release_operation_id uuid references operations (id),
  check ((status = 'active') = (closed_at is null)),
  check ((status = 'completed') = (completed_amount is not null))
);
create index holds_expiring on holds (expires_at) where status = 'active';
create index holds_account_active on holds (account_id) where status = 'active';
