-- The consumer's history per contract: an action that concerns one contract (a reading of its meter, a
-- payment on it, a request about it, its agreement signed) carries the contract's id, so the contract's
-- page shows who did what on it. Consumer-wide actions (inviting a representative, an application for
-- a new contract) keep it null and are shown in the consumer's history only.
alter table consumer_actions add column contract_id text;
create index consumer_actions_contract on consumer_actions (consumer_ref, contract_id, at desc) where contract_id is not null;
