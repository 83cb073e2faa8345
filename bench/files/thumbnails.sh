#!/usr/bin/env bash
# The thumbnail benchmark of BENCHMARKS.md: `eorm update-thumbnails` over IMAGES (default 1000)
# 1024x1024 RGB PNGs and VOLUMES (default 10) OCT volumes, against the same file work in Python
# with Pillow (thumbnails_python.py), in one hyperfine run. Before every run the thumbnails are
# removed and ThumbnailPath reset to NULL. The Rust side also selects the images and stores
# their names; the Python side does only the file work.
#
#   bench/files/thumbnails.sh
#   IMAGES=2000 VOLUMES=20 RUNS=5 bench/files/thumbnails.sh
#   NO_BUILD=1 bench/files/thumbnails.sh     # use target/release/{eorm,migration} as they are
#
# Needs hyperfine, a MariaDB server (see bench/import/common.sh) and PyPI the first time (the
# venv of tests/python/setup-venv.sh: numpy, Pillow).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../import/common.sh"
images="${IMAGES:-1000}"
volumes="${VOLUMES:-10}"
runs="${RUNS:-5}"
work="$root/target/bench-thumbnails"
db="eorm_bench_thumbnails_$$"

if [[ -z "${NO_BUILD:-}" ]]; then
    cargo build --release --quiet -p eyened-orm --bin eorm
    cargo build --release --quiet -p migration --bin migration --features cli
fi
python="$(tests/python/setup-venv.sh)"

stamp="$work/generated-$images-$volumes"
if [[ ! -f "$stamp" ]]; then
    rm -rf "$work"
    mkdir -p "$work"
    echo "== generating $images PNGs and $volumes volumes in $work"
    "$python" bench/files/thumbnails_generate.py "$work" "$images" "$volumes"
    touch "$stamp"
fi

trap '"${mysql_cli[@]}" -e "DROP DATABASE IF EXISTS \`$db\`"' EXIT
fresh_db "$db"
target/release/eorm import -u "mysql://$auth@$host:$port/$db" --create-projects \
    --create-patients --create-studies --no-thumbnails --no-progress \
    --images-basepath "$work/images" "$work/import.json" | grep -E "^images "
"${mysql_cli[@]}" "$db" -e "SELECT i.ImageInstanceID, pa.ProjectID, i.DatasetIdentifier,
    IFNULL(i.Rows_y, 'NULL'), IFNULL(i.Columns_x, 'NULL'), IFNULL(i.ResolutionHorizontal, 'NULL'),
    IFNULL(i.ResolutionVertical, 'NULL')
    FROM ImageInstance i JOIN Series se USING (SeriesID) JOIN Study st USING (StudyID)
    JOIN Patient pa USING (PatientID) ORDER BY i.ImageInstanceID" > "$work/manifest.tsv"
cat > "$work/bench.env" <<ENV
DATABASE_URL=mysql://$auth@$host:$port/$db
IMAGES_BASEPATH=$work/images
THUMBNAILS_PATH=$work/thumbs-rust
SECRET_KEY=bench
ENV

# One --prepare per command: each side starts from nothing, and keeps its files for the check.
hyperfine --warmup 1 -r "$runs" \
    --prepare "${mysql_cli[*]} $db -e 'UPDATE ImageInstance SET ThumbnailPath = NULL'; rm -rf $work/thumbs-rust" \
    --prepare "rm -rf $work/thumbs-python" \
    -n "eorm update-thumbnails" "target/release/eorm update-thumbnails -e $work/bench.env --no-progress" \
    -n "Python (Pillow)" "$python bench/files/thumbnails_python.py $work/manifest.tsv $work/images $work/thumbs-python bench"

# Both made the same files, with the same names and sizes.
rust_files=$(cd "$work/thumbs-rust" && find . -name '*.jpg' | sort)
python_files=$(cd "$work/thumbs-python" && find . -name '*.jpg' | sort)
[[ "$rust_files" == "$python_files" ]] || { echo "the thumbnail files differ" >&2; exit 1; }
echo "$(echo "$rust_files" | wc -l) thumbnail files, the same names on both sides"
"$python" - "$work/thumbs-rust" "$work/thumbs-python" <<'PY'
import sys
from pathlib import Path
from PIL import Image
rust, python = Path(sys.argv[1]), Path(sys.argv[2])
diff = [p for p in rust.rglob("*.jpg") if Image.open(p).size != Image.open(python / p.relative_to(rust)).size]
print(f"{len(diff)} files whose dimensions differ")
sys.exit(1 if diff else 0)
PY
