-- Contracts concluded through the cabinet: an application the consumer signed becomes a contract here.
--   B5 one contract per application (unique application_ref): the cabinet may ask again after a crash or a
--      redelivery and gets the same contract back.
alter table contracts add column application_ref text unique;

-- Numbers of contracts concluded here: D-<year>-<6 digits>, apart from the demo's D-00000k / D-1xxxxx.
create sequence contract_numbers;
