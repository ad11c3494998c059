#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh into an EMPTY database (create it first, e.g.
# `createdb -h HOST -U postgres kiki_hub_restored`): scripts/restore.sh FILE TARGET_DATABASE_URL
# One transaction: it fully restores, or leaves the target as it was. Then point the hubs'
# DATABASE_URL at it, with the same HUB_MASTER_KEY as the hub that was backed up.
set -euo pipefail
file="${1:?give the backup file}"
url="${2:?give the target DATABASE_URL (an empty database)}"
tables="$(psql "$url" -tAc "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")"
if [ "$tables" != "0" ]; then
  echo "refusing: the target database already has $tables tables; restore into an empty one" >&2
  exit 2
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$url" "$file"
echo "restored $file into the target database" >&2
