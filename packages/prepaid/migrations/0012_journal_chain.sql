-- Tamper-evident journal (issue 12): every operation that moves a wallet's money is a link in that wallet's
-- hash chain. Chains are per wallet because the wallet row is the one row every money path already locks:
-- linking costs no new lock and no shared row, so the group-committed POS batch stays as parallel as before
-- (one global chain would be a hot row, the thing 0001 avoided for merchants).
--
--   link.hash = sha256(link.prev_hash || journal_document(operation, its postings))
--   link_no runs 1, 2, 3… per wallet; the first prev_hash is empty.
--
-- An operation with several wallets (a basket, a transfer) is linked into the chain of the lowest-id one
-- (the one its writer locked first); its document carries all its postings, so every posting is covered.
-- An operation with no wallet posting (closing an empty account) moves no wallet money and is not linked.
-- The links are made here, by a statement trigger on postings, so every writer — the ledger, the POS batch,
-- the registries, a DBA's script — is chained the same way without repeating the rule.
-- verify.ts recomputes every link and names the first broken one.

-- The canonical document of an operation: a JSON array (jsonb text is canonical: no key order, no spacing
-- choices), times as integer microseconds, postings sorted on numbers and C-collated text only, so the same
-- rows give the same bytes on any server.
create function journal_postings(wallet_ids bigint[], ledger_account_ids bigint[], products text[], amounts bigint[]) returns jsonb
language sql immutable as $$
  select coalesce(jsonb_agg(jsonb_build_array(w, l, p, a) order by coalesce(w, 0), coalesce(l, 0), p collate "C", a), '[]'::jsonb)
  from unnest(wallet_ids, ledger_account_ids, products, amounts) as t(w, l, p, a)
$$;

create function journal_document(o operations, postings jsonb) returns bytea
language sql immutable as $$
  select convert_to(jsonb_build_array(
    o.id, o.seq, o.type, o.account_id, o.merchant_id, o.terminal_id, o.original_operation_id, o.amount,
    (extract(epoch from o.created_at) * 1000000)::bigint, o.created_by, o.details, postings)::text, 'UTF8')
$$;

create table journal_links (
  operation_id uuid primary key references operations (id),
  wallet_id bigint not null references wallets (id),
  link_no bigint not null check (link_no > 0),
  prev_hash bytea not null,
  hash bytea not null check (length(hash) = 32),
  unique (wallet_id, link_no)
);
create trigger journal_links_immutable before update or delete on journal_links for each row execute function journal_is_immutable();
create trigger journal_links_not_truncated before truncate on journal_links for each statement execute function journal_is_immutable();

-- Links the given operations (their postings already written) in seq order. The common case — each wallet at
-- most once among them, as in a POS batch — is one statement; a wallet named twice is linked one by one, since
-- each link needs the hash of the one before.
-- The last link is read without a lock of its own: the writer holds the wallet row, and a link made by another
-- transaction without it would collide on unique (wallet_id, link_no) rather than fork the chain.
create function journal_link(op_ids uuid[]) returns void language plpgsql as $$
declare
  one uuid;
begin
  if (select count(*) = count(distinct w) from (
        select min(p.wallet_id) as w from postings p where p.operation_id = any (op_ids) and p.wallet_id is not null group by p.operation_id) x) then
    perform journal_link_set(op_ids);
  else
    for one in select o.id from operations o where o.id = any (op_ids) order by o.seq loop
      perform journal_link_set(array[one]);
    end loop;
  end if;
end $$;

create function journal_link_set(op_ids uuid[]) returns void language sql as $$
  with ops as (
    select p.operation_id, min(p.wallet_id) as wallet_id,
      journal_postings(array_agg(p.wallet_id), array_agg(p.ledger_account_id), array_agg(p.product_code), array_agg(p.amount)) as postings
    from postings p where p.operation_id = any (op_ids)
    group by p.operation_id having min(p.wallet_id) is not null
  )
  insert into journal_links (operation_id, wallet_id, link_no, prev_hash, hash)
  select x.operation_id, x.wallet_id, coalesce(last.link_no, 0) + 1, coalesce(last.hash, ''::bytea),
    sha256(coalesce(last.hash, ''::bytea) || journal_document(o, x.postings))
  from ops x join operations o on o.id = x.operation_id
  left join lateral (select l.link_no, l.hash from journal_links l where l.wallet_id = x.wallet_id order by l.link_no desc limit 1) last on true
$$;

create function journal_link_postings() returns trigger language plpgsql as $$
begin
  perform journal_link(array(select distinct operation_id from new_postings));
  return null;
end $$;

-- What is already in the journal becomes the start of the chains, in journal order.
select journal_link(array(select id from operations order by seq));

create trigger postings_linked after insert on postings
  referencing new table as new_postings for each statement execute function journal_link_postings();
