-- A low-balance notice fires once per crossing on each channel the client subscribed to (SMS and e-mail
-- have their own thresholds), so the "already told" mark is per wallet and channel.
alter table notification_low_balance add column channel text not null default 'email' check (channel in ('sms', 'email'));
alter table notification_low_balance drop constraint notification_low_balance_pkey;
alter table notification_low_balance add primary key (wallet_id, channel);
