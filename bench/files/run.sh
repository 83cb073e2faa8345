#!/usr/bin/env bash
# The update-hashes benchmark of BENCHMARKS.md: PNG images (default 8000, 512 x 512 RGB) and
# DICOM volumes (default 2000, 8 x 256 x 256 uint16) registered in two fresh migrated databases
# without hashes; then `eorm update-hashes` on one and the Python platform's command
# (python_update_hashes.py, SQLAlchemy) on the other, in one hyperfine run, each run starting
# from NULL hashes again. Checks at the end that both wrote the same hashes. The databases are
# dropped at the end; the images stay in target/bench-files for the next run.
#
#   bench/files/run.sh
#   PNGS=800 DICOMS=200 RUNS=3 bench/files/run.sh
#   NO_BUILD=1 bench/files/run.sh       # use target/release/{eorm,migration} as they are
#
# Server: as bench/import/common.sh says (BENCH_MYSQL_HOST, BENCH_MYSQL_PORT, BENCH_MYSQL_USER,
# MYSQL_PWD).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../import/common.sh"
pngs="${PNGS:-8000}"
dicoms="${DICOMS:-2000}"
runs="${RUNS:-5}"
work="$root/target/bench-files"
venv="$root/target/bench-files-venv"

echo "== build (release), venv, images"
if [[ -z "${NO_BUILD:-}" ]]; then
    cargo build --release --quiet -p eyened-orm --bin eorm
    cargo build --release --quiet -p migration --bin migration
fi
bench/files/setup-venv.sh
mkdir -p "$work"
"$venv/bin/python" bench/files/generate.py --out "$work" --png "$pngs" --dicom "$dicoms"

rust_db="eorm_bench_hashes_rust_$$"
python_db="eorm_bench_hashes_python_$$"
cleanup() {
    for db in "$rust_db" "$python_db"; do "${mysql_cli[@]}" -e "DROP DATABASE IF EXISTS \`$db\`"; done
}
trap cleanup EXIT
for db in "$rust_db" "$python_db"; do
    fresh_db "$db"
    "${mysql_cli[@]}" "$db" -e "
        INSERT INTO Project (ProjectName, External) VALUES ('bench', 'N');
        INSERT INTO Patient (ProjectID, PatientIdentifier) VALUES (1, 'P1');
        INSERT INTO Study (PatientID, StudyDate) VALUES (1, '2024-01-01');
        INSERT INTO Series (StudyID) VALUES (1);"
    "${mysql_cli[@]}" "$db" < "$work/images.sql"
done
cat > "$work/bench.env" <<ENV
DATABASE_URL=mysql://$auth@$host:$port/$rust_db
IMAGES_BASEPATH=$work/images
ENV

echo "== machine"
echo "cpus: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "images: $("${mysql_cli[@]}" "$rust_db" -e 'SELECT COUNT(*) FROM ImageInstance'), $(du -sh "$work/images" | cut -f1) on disk"

reset() { echo "${mysql_cli[*]} $1 -e 'UPDATE ImageInstance SET FileChecksum = NULL, DataHash = NULL, DateModified = NULL'"; }
hyperfine --warmup 1 -r "$runs" --export-markdown "$work/hyperfine.md" \
    --prepare "$(reset "$rust_db")" -n "eorm update-hashes" \
    "target/release/eorm update-hashes -e $work/bench.env --no-progress" \
    --prepare "$(reset "$python_db")" -n "Python (SQLAlchemy, Pillow, pydicom)" \
    "$venv/bin/python bench/files/python_update_hashes.py --url mysql+pymysql://$auth@$host:$port/$python_db --images $work/images"

echo "== same hashes on both sides?"
digest() {
    "${mysql_cli[@]}" "$1" -e "SET SESSION group_concat_max_len = 1 << 30;
        SELECT COUNT(*), SUM(FileChecksum IS NULL OR DataHash IS NULL),
               MD5(GROUP_CONCAT(HEX(FileChecksum), DataHash ORDER BY ImageInstanceID))
        FROM ImageInstance"
}
r=$(digest "$rust_db"); p=$(digest "$python_db")
echo "eorm:   $r"
echo "Python: $p"
[[ "$r" == "$p" ]] || { echo "the hashes differ" >&2; exit 1; }
