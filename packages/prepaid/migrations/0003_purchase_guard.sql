-- Aborts the one-statement purchase (pos/purchase.fast-path.ts) when not every basket line could be
-- debited: the whole statement rolls back and the purchase is re-run on the explaining path.
create function ledger_assert(condition boolean, reason text) returns boolean language plpgsql as $$
begin
  if not condition then
    raise exception '%', reason using errcode = 'P0001';
  end if;
  return true;
end $$;
