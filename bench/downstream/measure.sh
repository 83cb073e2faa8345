#!/usr/bin/env bash
# What a crate that only uses the runtime library (src/main.rs: `by_id`, `by_ids`,
# `Task::from_imagesets`) compiles, against two checkouts of eyened-orm side by side:
#   BEFORE (default 7dfff05, the last commit before the library/tool boundary) and
#   AFTER  (default: the working tree), and
#   PINNED (AFTER, with the application pinning `idna_adapter` to 1.1.0 in its Cargo.lock: the
#          choice the `idna` crate leaves to applications, unicode-rs instead of ICU4X for the
#          host name in a database URL).
# For each: the packages in its dependency graph (`cargo tree`), the crates a clean build
# compiles, and the clean `cargo build` (dev profile) wall time, alternating BEFORE/AFTER so
# machine load falls on both alike.
#
# Usage: bench/downstream/measure.sh [BEFORE_REV]      Environment: RUNS (default 3)
# Uses only the crates already in Cargo.lock (--offline); writes under target/bench/downstream.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
before_rev="${1:-7dfff05}"
runs="${RUNS:-3}"
work="${CARGO_TARGET_DIR:-$root/target}/bench/downstream"
rm -rf "$work"
mkdir -p "$work/before-checkout"

git -C "$root" archive "$before_rev" | tar -x -C "$work/before-checkout"

# One copy of the downstream crate per checkout, pinned to that checkout's Cargo.lock.
sides=(before after pinned)
for side in "${sides[@]}"; do
    checkout="$root"
    [ "$side" = before ] && checkout="$work/before-checkout"
    mkdir -p "$work/$side"
    cp -r "$root/bench/downstream/src" "$work/$side/"
    sed "s|path = \"../../eyened-orm\"|path = \"$checkout/eyened-orm\"|" \
        "$root/bench/downstream/Cargo.toml" > "$work/$side/Cargo.toml"
    cp "$checkout/Cargo.lock" "$work/$side/Cargo.lock"
done
(cd "$work/pinned" && cargo update --quiet -p idna_adapter --precise 1.1.0)

# The floor: SeaORM alone with the features eyened-orm's runtime uses, and tokio.
mkdir -p "$work/sea-orm-alone/src"
echo 'fn main() {}' > "$work/sea-orm-alone/src/main.rs"
sea_orm_line=$(grep '^sea-orm = ' "$root/Cargo.toml")
cat > "$work/sea-orm-alone/Cargo.toml" <<TOML
[package]
name = "downstream"
version = "0.1.0"
edition = "2024"
[workspace]
[dependencies]
$sea_orm_line
$(grep '^tokio = ' "$root/bench/downstream/Cargo.toml")
TOML
cp "$root/Cargo.lock" "$work/sea-orm-alone/Cargo.lock"

echo "== machine"
echo "cpus: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "rustc: $(rustc --version)"
echo "before: $before_rev ($(git -C "$root" log -1 --format=%s "$before_rev" | cut -c1-70))"
echo "after:  $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- eyened-orm eyened-orm-derive Cargo.toml || echo ' + working tree changes')"

echo "== dependency graph (normal + build dependencies, the downstream crate itself excluded)"
for side in "${sides[@]}" sea-orm-alone; do
    packages=$(cd "$work/$side" && cargo tree --offline -e normal,build --prefix none --format '{p}' \
        | sed 's/ (.*//; s/ (\*)$//' | sort -u | grep -vc '^downstream ')
    echo "$side: $packages packages"
done

echo "== clean builds (cargo build, dev profile), alternating"
for run in $(seq "$runs"); do
    for side in "${sides[@]}"; do
        (cd "$work/$side" && cargo clean --quiet)
        start=$(date +%s.%N)
        (cd "$work/$side" && cargo build --offline 2> "$work/$side.build.log")
        end=$(date +%s.%N)
        compiled=$(grep -c '^ *Compiling ' "$work/$side.build.log")
        printf '%s run %s: %6.1f s wall, %d crates compiled\n' "$side" "$run" \
            "$(echo "$end - $start" | bc)" "$compiled"
    done
done
