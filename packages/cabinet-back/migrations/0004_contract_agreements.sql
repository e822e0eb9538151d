-- Additional agreements to contracts in force, issued outside any application (back-office/agreements.ts):
-- a document belongs to an application or to a consumer's contract.
alter table documents alter column application_id drop not null;
alter table documents add column consumer_ref text;
alter table documents add column contract_number text;
alter table documents add constraint documents_owner check (application_id is not null or (consumer_ref is not null and contract_number is not null));
create index documents_by_contract on documents (contract_number) where contract_number is not null;
alter table signatures alter column application_id drop not null;
