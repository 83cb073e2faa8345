#!/usr/bin/env bash
# `eorm import` alone, as in run.sh, with its wall/user/system time and peak RSS: a fresh migrated
# database per run (dropped at the end), the input of run.sh (run that once first, or
# bench/import/generate.py), target/release/{eorm,migration} as they are. Extra arguments go to
# `eorm import` (e.g. --dry-run, --no-load-data).
#
#   RUNS=3 bench/import/eorm.sh --dry-run
set -euo pipefail
source "$(dirname "$0")/common.sh"
[[ -f "$work/import.json" ]] || { echo "no $work/import.json: run bench/import/run.sh first" >&2; exit 2; }

for i in $(seq "${RUNS:-1}"); do
    db="eorm_bench_import_only_$$_$i"
    trap '"${mysql_cli[@]}" -e "DROP DATABASE IF EXISTS \`$db\`"' EXIT
    fresh_db "$db"
    /usr/bin/time -f "%e s wall, %U s user, %S s system, %M KB peak RSS" \
        target/release/eorm import -u "mysql://$auth@$host:$port/$db" \
        --create-projects --create-patients --create-studies --no-thumbnails \
        --images-basepath "$work/images" "$@" "$work/import.json" | grep -E "written with|imported in|dry run"
    "${mysql_cli[@]}" -e "DROP DATABASE \`$db\`"
done
