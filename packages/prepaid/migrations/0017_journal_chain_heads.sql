-- The journal chain, linked by the POS batch itself (issue 12, measured: the link trigger still cost the
-- group-committed purchase statement a large share of its database time). Each wallet row now carries its chain's
-- head (hash, length, and the previous head), so a writer that updates the wallet anyway links the operation in the
-- same UPDATE — no lookup of the last link, no extra statement — and inserts the link row itself; it then tells the
-- postings trigger so (`prepaid.journal_linked`, local to its transaction), which skips it. Every other writer is
-- linked by the trigger as before, which now keeps the wallet heads too, so both ways extend the same chains.

alter table wallets
  add column chain_head bytea not null default ''::bytea,
  add column chain_length bigint not null default 0,
  add column chain_prev bytea not null default ''::bytea;

update wallets w set chain_head = l.hash, chain_length = l.link_no, chain_prev = l.prev_hash
from (select distinct on (wallet_id) wallet_id, link_no, hash, prev_hash from journal_links order by wallet_id, link_no desc) l
where l.wallet_id = w.id;

-- The document from its parts, for a writer that links before the operation row exists (same bytes as 0012/0016).
create function journal_document_of(id uuid, seq bigint, type text, account_id uuid, merchant_id uuid, terminal_id text, original_operation_id uuid,
                                    amount bigint, created_at timestamptz, created_by text, details jsonb, postings jsonb) returns bytea
language plpgsql immutable as $$
begin
  return convert_to(jsonb_build_array(id, seq, type, account_id, merchant_id, terminal_id, original_operation_id, amount,
    (extract(epoch from created_at) * 1000000)::bigint, created_by, details, postings)::text, 'UTF8');
end $$;

create or replace function journal_document(o operations, postings jsonb) returns bytea
language plpgsql immutable as $$
begin
  return journal_document_of(o.id, o.seq, o.type, o.account_id, o.merchant_id, o.terminal_id, o.original_operation_id, o.amount, o.created_at, o.created_by, o.details, postings);
end $$;

-- Links the operations of a set of postings into their lowest wallet's chain, moving each wallet's head.
create or replace function journal_link_set(op_ids uuid[]) returns void language sql as $$
  with ops as (
    select p.operation_id, min(p.wallet_id) as wallet_id,
      journal_postings(array_agg(p.wallet_id), array_agg(p.ledger_account_id), array_agg(p.product_code), array_agg(p.amount)) as postings
    from postings p where p.operation_id = any (op_ids)
    group by p.operation_id having min(p.wallet_id) is not null
  ), moved as (
    update wallets w set chain_prev = w.chain_head, chain_length = w.chain_length + 1, chain_head = sha256(w.chain_head || journal_document(o, x.postings))
    from ops x join operations o on o.id = x.operation_id
    where w.id = x.wallet_id
    returning x.operation_id, w.id, w.chain_length, w.chain_prev, w.chain_head
  )
  insert into journal_links (operation_id, wallet_id, link_no, prev_hash, hash) select * from moved
$$;

create or replace function journal_link_postings() returns trigger language plpgsql as $$
declare
  one uuid;
begin
  if current_setting('prepaid.journal_linked', true) = 'on' then
    return null;
  end if;
  if (select count(*) = count(distinct w) from (select min(wallet_id) as w from new_postings where wallet_id is not null group by operation_id) x) then
    with ops as (
      select operation_id, min(wallet_id) as wallet_id,
        journal_postings(array_agg(wallet_id), array_agg(ledger_account_id), array_agg(product_code), array_agg(amount)) as postings
      from new_postings group by operation_id having min(wallet_id) is not null
    ), moved as (
      update wallets w set chain_prev = w.chain_head, chain_length = w.chain_length + 1, chain_head = sha256(w.chain_head || journal_document(o, x.postings))
      from ops x join operations o on o.id = x.operation_id
      where w.id = x.wallet_id
      returning x.operation_id, w.id, w.chain_length, w.chain_prev, w.chain_head
    )
    insert into journal_links (operation_id, wallet_id, link_no, prev_hash, hash) select * from moved;
  else
    -- A wallet twice in one statement (a registry crediting one account twice): one link after the other.
    for one in select o.id from operations o where o.id in (select operation_id from new_postings) order by o.seq loop
      perform journal_link_set(array[one]);
    end loop;
  end if;
  return null;
end $$;
