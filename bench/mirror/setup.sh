#!/usr/bin/env bash
# Prepares the mirror benchmarks: installs mydumper/myloader (Debian package) and pymysql (for
# the row-by-row baseline, in a venv under $BENCH_WORK), builds eorm in release mode and
# generates the source database.
#   bench/mirror/setup.sh [PATIENTS]     (default 9000 patients, about 1 GiB on disk)
source "$(dirname "$0")/common.sh"
PATIENTS=${1:-9000}

if ! command -v mydumper > /dev/null; then
    apt-get update -qq
    apt-get install -y -qq mydumper
fi
if [ ! -x "$BENCH_WORK/venv/bin/python" ]; then
    python3 -m venv "$BENCH_WORK/venv"
    "$BENCH_WORK/venv/bin/pip" install -q pymysql
fi
(cd "$REPO" && cargo build --release -p eyened-orm --bin eorm)

drop_db "$BENCH_SRC"
umask 077
printf 'DATABASE_URL=mysql://%s:%s@%s:%s/%s\n' "$BENCH_USER" "$BENCH_PASSWORD" "$BENCH_HOST" "$BENCH_PORT" "$BENCH_SRC" > "$BENCH_WORK/source.env"
umask 022
start=$(now)
"$EORM" dataset --env-file "$BENCH_WORK/source.env" --patients "$PATIENTS" --seed 2024 --create-schema | tail -1
echo "generated in $(elapsed "$start") s"
sql "ANALYZE TABLE $(sql "SELECT GROUP_CONCAT(CONCAT('\`$BENCH_SRC\`.\`', TABLE_NAME, '\`')) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$BENCH_SRC'")" > /dev/null
echo "$BENCH_SRC: $(size_mib "$BENCH_SRC") MiB on disk, ~$(rows_of "$BENCH_SRC") rows"
