-- Additional agreements to contracts in force (no application): seen by whoever acts for the consumer.
alter table documents alter column application_id drop not null;
alter table documents add column consumer_ref text;
alter table documents add column contract_number text;
alter table documents add constraint documents_owner check (application_id is not null or consumer_ref is not null);
create index documents_by_consumer on documents (consumer_ref) where consumer_ref is not null;
