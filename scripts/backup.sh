#!/usr/bin/env bash
# Backs up the hub's database: scripts/backup.sh [DATABASE_URL] [FILE]
#   DATABASE_URL  default: $DATABASE_URL
#   FILE          default: kiki-hub-<UTC time>.dump (pg_dump's custom format: compressed, restorable table by table)
# A consistent snapshot (pg_dump reads in one transaction); hubs keep running meanwhile.
# The dump holds region keys only encrypted: keep HUB_MASTER_KEY backed up apart from it.
set -euo pipefail
url="${1:-${DATABASE_URL:?give a DATABASE_URL (argument or environment)}}"
file="${2:-kiki-hub-$(date -u +%Y%m%dT%H%M%SZ).dump}"
pg_dump --format=custom --no-owner --no-privileges --file="$file" "$url"
echo "backup written to $file ($(wc -c <"$file") bytes)" >&2
