-- The readings billing decided on recently, for the `cabinet_readings_processed` metric (metrics.ts): a scrape
-- every 15 s reads the last day only, never the whole table.
create index readings_processed on readings (processed_at) where processed_at is not null;
