#!/usr/bin/env bash
# Schema-check benchmark, side by side in one run:
#   1. `migration check` vs `alembic check` on the Eyened schema (40 tables, loaded from
#      eyened_schema.sql into a database that is checked, and into a reference database whose
#      SQLAlchemy reflection is Alembic's model side; see bench/alembic/env.py);
#   2. where Alembic's time goes (bench/alembic_phases.py);
#   3. `check`'s library path (connect + introspect + diff) on a synthetic 1,000-table schema
#      (eyened-orm/benches/schema_check.rs), and `alembic check` on that same database.
#
# Usage: bench/run.sh            (runs bench/setup-python.sh first if the venv is missing)
# Environment: BENCH_RUNS (default 20), BENCH_RUNS_1K (default 10), MYSQL_HOST / MYSQL_PORT / MYSQL_USER (default
# 127.0.0.1 / 3306 / root, empty password), EYENED_REFERENCE_DIR, BENCH_VENV, CARGO_TARGET_DIR.
# Creates databases named eorm_bench_*_<pid>_<time> and drops them on exit.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
host="${MYSQL_HOST:-127.0.0.1}"
port="${MYSQL_PORT:-3306}"
user="${MYSQL_USER:-root}"
runs="${BENCH_RUNS:-20}"
reference_sql="${EYENED_REFERENCE_DIR:-$root/tests/fixtures/reference}/eyened_schema.sql"
venv="${BENCH_VENV:-$root/target/bench-venv}"
target="${CARGO_TARGET_DIR:-$root/target}"
out="$target/bench"
mkdir -p "$out"

suffix="$$_$(date +%s)"
check_db="eorm_bench_check_$suffix"
ref_db="eorm_bench_ref_$suffix"
big_db="eorm_bench_1k_$suffix"
mysql_cmd=(mysql -h"$host" -P"$port" -u"$user")

cleanup() {
    for db in "$check_db" "$ref_db" "$big_db"; do
        "${mysql_cmd[@]}" -e "DROP DATABASE IF EXISTS \`$db\`" || true
    done
}
trap cleanup EXIT

[ -x "$venv/bin/alembic" ] || bench/setup-python.sh

echo "== machine"
echo "cpus: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "memory: $(free -h | awk '/^Mem:/ {print $2}')"
echo "server: $("${mysql_cmd[@]}" -N -e 'SELECT VERSION()')"
echo "rustc: $(rustc --version)"
"$venv/bin/python" -c 'import sys, alembic, sqlalchemy, pymysql; print(f"python {sys.version.split()[0]}, alembic {alembic.__version__}, sqlalchemy {sqlalchemy.__version__}, pymysql {pymysql.__version__}")'
command -v hyperfine >/dev/null && hyperfine --version

echo "== databases"
for db in "$check_db" "$ref_db"; do
    "${mysql_cmd[@]}" -e "CREATE DATABASE \`$db\`"
    "${mysql_cmd[@]}" "$db" < "$reference_sql"
done
echo "$check_db and $ref_db loaded from $reference_sql"

echo "== build"
cargo build --release --quiet -p migration
bin="$target/release/migration"

ours=("$bin" -u "mysql://$user@$host:$port/$check_db" check)
theirs=(env "BENCH_DATABASE_URL=mysql+pymysql://$user@$host:$port/$check_db"
    "BENCH_REFERENCE_URL=mysql+pymysql://$user@$host:$port/$ref_db"
    "$venv/bin/alembic" -c bench/alembic/alembic.ini check)

echo "== sanity: both tools find the two databases in sync"
"${ours[@]}"
"${theirs[@]}"

# `time_loop NAME RUNS CMD...`: wall time of RUNS runs (after one warm-up), when hyperfine is
# not installed.
time_loop() {
    local name="$1" n="$2"
    shift 2
    "$@" >/dev/null 2>&1
    local samples=()
    for _ in $(seq "$n"); do
        local t0 t1
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1
        t1=$(date +%s%N)
        samples+=($(((t1 - t0) / 1000)))
    done
    printf '%s\n' "${samples[@]}" | sort -n | awk -v name="$name" '
        { v[NR] = $1; sum += $1 }
        END { printf "%-16s mean %8.1f ms   min %8.1f ms   median %8.1f ms   max %8.1f ms   (%d runs)\n",
              name, sum / NR / 1000, v[1] / 1000, v[int((NR + 1) / 2)] / 1000, v[NR] / 1000, NR }'
}

quote() { printf '%q ' "$@"; }

echo "== 1. Eyened schema (40 tables): migration check vs alembic check, $runs runs each"
if command -v hyperfine >/dev/null; then
    hyperfine --warmup 2 --runs "$runs" --export-markdown "$out/schema_check.md" \
        -n "migration check" "$(quote "${ours[@]}")" \
        -n "alembic check" "$(quote "${theirs[@]}")"
else
    time_loop "migration check" "$runs" "${ours[@]}"
    time_loop "alembic check" "$runs" "${theirs[@]}"
fi

echo "== 2. alembic check by phase"
"$venv/bin/python" bench/alembic_phases.py \
    "mysql+pymysql://$user@$host:$port/$check_db" "mysql+pymysql://$user@$host:$port/$ref_db" 10

echo "== 3. synthetic 1,000-table schema"
BENCH_DATABASE="$big_db" BENCH_KEEP=1 BENCH_RUNS="${BENCH_RUNS_1K:-10}" \
    EYENED_BENCH_MYSQL_URL="mysql://$user@$host:$port" \
    cargo bench --quiet -p eyened-orm --bench schema_check
big=(env "BENCH_DATABASE_URL=mysql+pymysql://$user@$host:$port/$big_db"
    "$venv/bin/alembic" -c bench/alembic/alembic.ini check)
echo "alembic check on the same 1,000 tables (model side: reflection of that database):"
if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs 3 -n "alembic check (1,000 tables)" "$(quote "${big[@]}")"
else
    time_loop "alembic check" 3 "${big[@]}"
fi
