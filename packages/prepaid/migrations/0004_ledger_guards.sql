-- What the database itself now guarantees about the ledger, beyond 0001:
--   I1 is enforced, not only verified: the postings an INSERT statement writes sum to zero per
--      operation, and each posting carries the product of the wallet or ledger account it names
--      (every writer inserts an operation's postings in one statement, so this is the whole operation);
--   a closed wallet holds nothing and takes nothing (CHECK + every money UPDATE filters on it, which a
--      concurrent UPDATE re-reads — an account-status join would be read from the older snapshot);
--   TRUNCATE is refused like UPDATE and DELETE;
--   limits on credits (per operation, per day, per month) beside the debit ones, kept the same way.

create function postings_are_balanced() returns trigger language plpgsql as $$
declare
  bad record;
begin
  select operation_id, sum(amount) as total into bad from new_postings group by operation_id having sum(amount) <> 0 limit 1;
  if found then
    raise exception 'postings of operation % sum to %, not 0', bad.operation_id, bad.total using errcode = 'check_violation';
  end if;
  select n.operation_id, n.product_code into bad from new_postings n
    left join wallets w on w.id = n.wallet_id
    left join ledger_accounts la on la.id = n.ledger_account_id
  where n.product_code <> coalesce(w.product_code, la.product_code) limit 1;
  if found then
    raise exception 'a posting of operation % names product % but its wallet or ledger account holds another', bad.operation_id, bad.product_code
      using errcode = 'check_violation';
  end if;
  return null;
end $$;
create trigger postings_balanced after insert on postings
  referencing new table as new_postings for each statement execute function postings_are_balanced();

create trigger operations_not_truncated before truncate on operations for each statement execute function journal_is_immutable();
create trigger postings_not_truncated before truncate on postings for each statement execute function journal_is_immutable();

alter table products
  add column credit_per_operation_limit bigint check (credit_per_operation_limit > 0),
  add column daily_credit_limit bigint check (daily_credit_limit > 0),
  add column monthly_credit_limit bigint check (monthly_credit_limit > 0);

alter table wallets
  add column credit_per_operation_limit bigint check (credit_per_operation_limit > 0),
  add column daily_credit_limit bigint check (daily_credit_limit > 0),
  add column monthly_credit_limit bigint check (monthly_credit_limit > 0),
  add column credit_day date not null default current_date,
  add column day_credit bigint not null default 0 check (day_credit >= 0),
  add column credit_month date not null default date_trunc('month', current_date)::date,
  add column month_credit bigint not null default 0 check (month_credit >= 0),
  add column closed boolean not null default false;

update wallets w set closed = true from accounts a where a.id = w.account_id and a.status = 'closed' and w.balance = 0;
alter table wallets add constraint closed_wallet_is_empty check (not closed or balance = 0);
