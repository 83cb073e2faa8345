#!/usr/bin/env bash
# The import benchmark of BENCHMARKS.md: IMAGES images (default 100000) imported into MariaDB
# with `eorm import`, and the same file with the SQLAlchemy ORM importer (sqlalchemy_import.py),
# each into a fresh migrated database of its own. Prints wall times and checks that both
# databases end up with the same rows; then times a second `eorm import` of the same file
# (idempotent: nothing new), `eorm import --overlap` (writing the first items while the later ones
# are checked) into a third fresh database, and the server alone inserting the same
# images into a fourth (INSERT ... SELECT from eorm's copy, one transaction, no client work at
# all): the floor under any importer. The databases are dropped at the end.
#
#   bench/import/run.sh                  # 100000 images
#   IMAGES=10000 bench/import/run.sh
#   NO_BUILD=1 bench/import/run.sh       # use target/release/{eorm,migration} as they are
#
# Server: BENCH_MYSQL_HOST (127.0.0.1), BENCH_MYSQL_PORT (3306), BENCH_MYSQL_USER (root),
# password in MYSQL_PWD (empty by default).
set -euo pipefail
source "$(dirname "$0")/common.sh"
images="${IMAGES:-100000}"

echo "== build (release), venv, input"
if [[ -z "${NO_BUILD:-}" ]]; then # NO_BUILD=1: use the binaries already in target/release
    cargo build --release --quiet -p eyened-orm --bin eorm
    cargo build --release --quiet -p migration --bin migration
fi
bench/import/setup-venv.sh
mkdir -p "$work"
python3 bench/import/generate.py --images "$images" --out "$work"

dbs=()
cleanup() {
    for db in "${dbs[@]}"; do "${mysql_cli[@]}" -e "DROP DATABASE IF EXISTS \`$db\`"; done
}
trap cleanup EXIT

counts() {
    "${mysql_cli[@]}" "$1" -e "SELECT CONCAT_WS(' ', (SELECT COUNT(*) FROM Project), (SELECT COUNT(*) FROM Patient),
        (SELECT COUNT(*) FROM Study), (SELECT COUNT(*) FROM Series), (SELECT COUNT(*) FROM ImageInstance))"
}

seconds() { # command... → wall seconds on stdout, the command's own output on stderr
    local start end
    start=$(date +%s.%N)
    "$@" >&2
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

rust_db="eorm_bench_import_rust_$$"
python_db="eorm_bench_import_python_$$"
floor_db="eorm_bench_import_floor_$$"
overlap_db="eorm_bench_import_overlap_$$"
dbs=("$rust_db" "$python_db" "$floor_db" "$overlap_db")
fresh_db "$rust_db"
fresh_db "$python_db"

# Untimed warm-up: reads the input and every image file once, so that neither timed run pays
# for a cold page cache (the first importer to run would, and the second would not).
target/release/eorm import -u "mysql://$auth@$host:$port/$rust_db" --dry-run \
    --create-projects --create-patients --create-studies \
    --images-basepath "$work/images" "$work/import.json" > /dev/null

echo "== eorm import ($images images)"
eorm_cmd=(target/release/eorm import -u "mysql://$auth@$host:$port/$rust_db"
    --create-projects --create-patients --create-studies --no-thumbnails
    --images-basepath "$work/images" "$work/import.json")
rust_s=$(seconds "${eorm_cmd[@]}")
echo "eorm import: ${rust_s}s"

echo "== SQLAlchemy ORM import ($images images)"
py_s=$(seconds target/bench-venv/bin/python bench/import/sqlalchemy_import.py \
    --url "mysql+pymysql://$auth@$host:$port/$python_db" --basepath "$work/images" "$work/import.json")
echo "SQLAlchemy ORM: ${py_s}s"

rust_counts=$(counts "$rust_db")
python_counts=$(counts "$python_db")
echo "rows (Project Patient Study Series ImageInstance): eorm $rust_counts, SQLAlchemy $python_counts"
[[ "$rust_counts" == "$python_counts" ]] || { echo "row counts differ" >&2; exit 1; }

echo "== eorm import again (idempotent)"
again_s=$(seconds "${eorm_cmd[@]}")
[[ "$(counts "$rust_db")" == "$rust_counts" ]] || { echo "re-import added rows" >&2; exit 1; }

echo "== eorm import --overlap (writing the first items while the later ones are checked)"
fresh_db "$overlap_db"
overlap_s=$(seconds "${eorm_cmd[@]/$rust_db/$overlap_db}" --overlap)
[[ "$(counts "$overlap_db")" == "$rust_counts" ]] || { echo "--overlap wrote other rows" >&2; exit 1; }

echo "== the server alone: the same images by INSERT ... SELECT in one transaction"
fresh_db "$floor_db"
for table in Project Patient Study Series; do
    "${mysql_cli[@]}" "$floor_db" -e "INSERT INTO $table SELECT * FROM \`$rust_db\`.$table"
done
floor_s=$(seconds "${mysql_cli[@]}" "$floor_db" -e "START TRANSACTION;
    INSERT INTO ImageInstance SELECT * FROM \`$rust_db\`.ImageInstance; COMMIT")
[[ "$(counts "$floor_db")" == "$rust_counts" ]] || { echo "the server's copy differs" >&2; exit 1; }

printf '\n| importer | %s images | images/s |\n|---|---|---|\n' "$images"
printf '| eorm import | %.1f s | %.0f |\n' "$rust_s" "$(echo "$images / $rust_s" | bc -l)"
printf '| SQLAlchemy ORM | %.1f s | %.0f |\n' "$py_s" "$(echo "$images / $py_s" | bc -l)"
printf '| eorm import, again (nothing new) | %.1f s | |\n' "$again_s"
printf '| eorm import --overlap | %.1f s | %.0f |\n' "$overlap_s" "$(echo "$images / $overlap_s" | bc -l)"
printf '| the server alone (INSERT ... SELECT of the images) | %.1f s | %.0f |\n' "$floor_s" "$(echo "$images / $floor_s" | bc -l)"
printf 'speed-up: %.1fx (the server alone: %.1fx)\n' "$(echo "$py_s / $rust_s" | bc -l)" "$(echo "$py_s / $floor_s" | bc -l)"
printf 'eorm import / the server alone: %.2fx (--overlap: %.2fx); load average %s\n' \
    "$(echo "$rust_s / $floor_s" | bc -l)" "$(echo "$overlap_s / $floor_s" | bc -l)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
