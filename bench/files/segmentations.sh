#!/usr/bin/env bash
# Segmentation zarr store, Rust vs the Python platform, in one hyperfine run each:
#   write: COUNT uint8 segmentations of shape (D, H, W) appended to a fresh store;
#   read:  all of them read back one by one.
# Rust: examples/examples/segmentation_store.rs (release). Python: bench/files/segmentations.py
# with zarr 3.1 and numpy from the tests' venv (tests/python/setup-venv.sh builds it).
# Both print the same checksum, which the script compares first.
#
# Usage: bench/files/segmentations.sh [COUNT D H W]      (default 200 1 512 512)
# Environment: BENCH_RUNS (default 5), CARGO_TARGET_DIR.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
count="${1:-200}" d="${2:-1}" h="${3:-512}" w="${4:-512}"
runs="${BENCH_RUNS:-5}"
target="${CARGO_TARGET_DIR:-$root/target}"
python="$(tests/python/setup-venv.sh)"
cargo build --quiet --release -p examples --example segmentation_store
rust="$target/release/examples/segmentation_store"
py="$python bench/files/segmentations.py"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
args="$count $d $h $w"

a="$($rust write "$work/check-rust.zarr" $args)"
b="$($py write "$work/check-py.zarr" $args)"
c="$($rust read "$work/check-py.zarr" $args)"
e="$($py read "$work/check-rust.zarr" $args)"
if [ "$a" != "$b" ] || [ "$a" != "$c" ] || [ "$a" != "$e" ]; then
    echo "checksums differ: rust write $a, python write $b, rust reads python's $c, python reads rust's $e" >&2
    exit 1
fi
echo "checksum $a on both sides, and each side reads the other's store"

hyperfine --warmup 1 -r "$runs" \
    --prepare "rm -rf $work/rust.zarr $work/py.zarr" \
    -n "rust write" "$rust write $work/rust.zarr $args" \
    -n "python write" "$py write $work/py.zarr $args"
$rust write "$work/rust.zarr" $args >/dev/null
$py write "$work/py.zarr" $args >/dev/null
hyperfine --warmup 1 -r "$runs" \
    -n "rust read" "$rust read $work/rust.zarr $args" \
    -n "python read" "$py read $work/py.zarr $args"
