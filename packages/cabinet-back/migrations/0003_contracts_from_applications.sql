-- A signed contract document concludes the contract in billing (back-office/commands.ts): the application
-- keeps the contract billing concluded, and the applicant's cabinet user is linked to it as by a link.
alter table applications add column contract_number text;
alter table applications add column contract_ref text;         -- billing's contract id
alter table applications add column billing_note text;         -- why billing refused to conclude it, for the employee

alter table contract_links drop constraint contract_links_via_check;
alter table contract_links add constraint contract_links_via_check check (via in ('secret', 'request', 'application'));
