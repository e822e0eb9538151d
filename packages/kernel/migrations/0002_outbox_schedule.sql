-- When the relay may try a pending outbox message next. A failed publish pushes it back by a back-off;
-- a relay that takes a batch pushes it back by a lease, so the batch is claimed in a short transaction
-- (no transaction held open while the broker is slow), and rows of a relay that died mid-publish
-- become due again once the lease runs out.
alter table outbox add column next_attempt_at timestamptz not null default now();

-- The relay keeps each topic's order: a message is due only when no earlier pending message of its
-- topic is waiting for a retry.
create index outbox_pending_topic on outbox (topic, id) where published_at is null;
