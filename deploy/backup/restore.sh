#!/usr/bin/env bash
# Restores a backup into an EMPTY database: `deploy/backup/restore.sh <file.dump> <database url>`.
# Refuses a database that already has tables (a restore never merges into live data), restores in one
# transaction (all or nothing), then ANALYZEs. Afterwards run the service's checks (docs/operations.md):
# prepaid `npm run ledger:verify` against the restored database.
set -euo pipefail
file=${1:?usage: restore.sh <file.dump> <database url>}
url=${2:?usage: restore.sh <file.dump> <database url>}
tables=$(psql "$url" -At -c "select count(*) from pg_tables where schemaname not in ('pg_catalog', 'information_schema')")
if [ "$tables" != "0" ]; then
  echo "restore: $url already has $tables tables; restore only into an empty database" >&2
  exit 2
fi
pg_restore --no-owner --no-privileges --single-transaction --exit-on-error --dbname="$url" "$file"
psql "$url" -q -c 'analyze'
echo "restore: $file restored into $url"
