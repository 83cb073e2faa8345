#!/usr/bin/env bash
# `eorm import` alone, as in run.sh, with its wall/user/system time and peak RSS: a fresh migrated
# database per run (dropped at the end), the input of run.sh (run that once first, or
# bench/import/generate.py), target/release/{eorm,migration} as they are. Extra arguments go to
# `eorm import` (e.g. --dry-run, --no-load-data).
#
#   RUNS=3 bench/import/eorm.sh --dry-run
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
host="${BENCH_MYSQL_HOST:-127.0.0.1}"
port="${BENCH_MYSQL_PORT:-3306}"
user="${BENCH_MYSQL_USER:-root}"
pw="${MYSQL_PWD:-}"
auth="$user${pw:+:$pw}"
work="$root/target/bench-import"
mysql_cli=(mysql "-h$host" "-P$port" "-u$user" --batch --skip-column-names)
[[ -f "$work/import.json" ]] || { echo "no $work/import.json: run bench/import/run.sh first" >&2; exit 2; }

for i in $(seq "${RUNS:-1}"); do
    db="eorm_bench_import_only_$$_$i"
    "${mysql_cli[@]}" -e "CREATE DATABASE \`$db\`"
    trap '"${mysql_cli[@]}" -e "DROP DATABASE IF EXISTS \`$db\`"' EXIT
    target/release/migration -u "mysql://$auth@$host:$port/$db" up >/dev/null
    "${mysql_cli[@]}" "$db" -e "
        INSERT INTO SourceInfo (SourceName, SourcePath, ThumbnailPath) VALUES ('bench', '/images', '/thumbnails');
        INSERT INTO DeviceModel (Manufacturer, ManufacturerModelName) VALUES ('Topcon', 'TRC-NW8');
        INSERT INTO DeviceInstance (DeviceModelID, Description) VALUES (1, 'camera');
        INSERT INTO Modality (ModalityTag) VALUES ('CF');"
    /usr/bin/time -f "%e s wall, %U s user, %S s system, %M KB peak RSS" \
        target/release/eorm import -u "mysql://$auth@$host:$port/$db" \
        --create-projects --create-patients --create-studies \
        --images-basepath "$work/images" "$@" "$work/import.json" | grep -E "written with|imported in|dry run"
    "${mysql_cli[@]}" -e "DROP DATABASE \`$db\`"
done
