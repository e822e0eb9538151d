#!/usr/bin/env bash
# Backs up one service database: `deploy/backup/backup.sh <database url> <file.dump>`.
# A consistent snapshot (pg_dump runs in one repeatable-read transaction, so a ledger mid-traffic is dumped
# as of one instant), custom format (compressed, restorable table by table), written to <file>.tmp and
# renamed only when complete, then listed back to prove it is readable. docs/operations.md has the procedure.
set -euo pipefail
url=${1:?usage: backup.sh <database url> <file.dump>}
out=${2:?usage: backup.sh <database url> <file.dump>}
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$out.tmp" "$url"
pg_restore --list "$out.tmp" > /dev/null
mv "$out.tmp" "$out"
echo "backup: $(du -h "$out" | cut -f1) written to $out"
