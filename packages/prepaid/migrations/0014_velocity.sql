-- Velocity limits (issue 12): at most N purchases and/or M kopecks per rolling window, per wallet (a rule of
-- the product and, stricter where set, of the wallet itself) and per identifier (a rule of the product: one card
-- of the account on that product's wallet).
--
-- The recent debits are kept in the wallet row (time, amount, identifier; pruned to the longest window on each
-- debit), so the check is part of the same conditional UPDATE as the balance and the daily limit: a concurrent
-- purchase waiting on the row is re-checked against the new version, and no window can be overrun.
-- Reversals and refunds do not give a use back: a velocity rule counts attempts at the till, not money kept.

alter table products
  add column velocity_window_seconds integer check (velocity_window_seconds > 0),
  add column velocity_count integer check (velocity_count > 0),
  add column velocity_amount bigint check (velocity_amount > 0),
  add column identifier_velocity_window_seconds integer check (identifier_velocity_window_seconds > 0),
  add column identifier_velocity_count integer check (identifier_velocity_count > 0),
  add column identifier_velocity_amount bigint check (identifier_velocity_amount > 0),
  add check ((velocity_window_seconds is null) = (velocity_count is null and velocity_amount is null)),
  add check ((identifier_velocity_window_seconds is null) = (identifier_velocity_count is null and identifier_velocity_amount is null));

alter table wallets
  add column velocity_window_seconds integer check (velocity_window_seconds > 0),
  add column velocity_count integer check (velocity_count > 0),
  add column velocity_amount bigint check (velocity_amount > 0),
  add column recent_at timestamptz[] not null default '{}',
  add column recent_amount bigint[] not null default '{}',
  add column recent_identifier uuid[] not null default '{}',
  add check ((velocity_window_seconds is null) = (velocity_count is null and velocity_amount is null));

-- Whether one more debit of `amount` fits a rule over the recent debits (those of `identifier` only, when given).
-- A rule without a window (null) always fits.
create function velocity_fits(at timestamptz[], amounts bigint[], identifiers uuid[], identifier uuid,
                              window_seconds integer, max_count integer, max_amount bigint, amount bigint) returns boolean
language sql stable as $$
  select window_seconds is null or (
    select (max_count is null or count(*) + 1 <= max_count) and (max_amount is null or coalesce(sum(a), 0) + amount <= max_amount)
    from unnest(at, amounts, identifiers) as r(t, a, i)
    where r.t > now() - make_interval(secs => window_seconds) and (identifier is null or r.i = identifier))
$$;

-- How many leading entries are older than the longest window (appended in time order, so a prefix).
create function velocity_expired(at timestamptz[], window_seconds integer) returns integer
language sql stable as $$
  select coalesce((select count(*)::integer from unnest(at) as t where t <= now() - make_interval(secs => window_seconds)), 0)
$$;
