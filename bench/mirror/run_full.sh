#!/usr/bin/env bash
# database-mirror-full against mysqldump | mysql and mydumper/myloader, on one server, from the
# database made by setup.sh. Each method copies $BENCH_SRC into a fresh target (dropped before,
# not timed); methods alternate round by round so that load from other processes falls on all
# alike; the wall-clock times of every round are printed with their median. After each copy,
# CHECKSUM TABLE compares every table with the source (not timed).
#   bench/mirror/run_full.sh [ROUNDS] [WORKERS]   (default 3 rounds, 4 workers)
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-3}
W=${2:-4}
echo "source $BENCH_SRC: $(size_mib "$BENCH_SRC") MiB on disk, ~$(rows_of "$BENCH_SRC") rows; $W workers; $(nproc) CPUs; $ROUNDS rounds"

eorm_stream() {
    local T=eorm_bench_dst_stream CFG; CFG=$(mirror_config eorm_bench_dst_stream)
    "$EORM" database-mirror-full -c "$CFG" --yes --no-progress --server-side never --workers "$W" > "$BENCH_WORK/stream.out" 2>&1
}
eorm_server() {
    local CFG; CFG=$(mirror_config eorm_bench_dst_server)
    "$EORM" database-mirror-full -c "$CFG" --yes --no-progress --server-side always --workers "$W" > "$BENCH_WORK/server.out" 2>&1
}
mysqldump_pipe() {
    sql "CREATE DATABASE eorm_bench_dst_mysqldump"
    mysqldump --defaults-extra-file="$CNF" --single-transaction --routines --triggers "$BENCH_SRC" \
        | mysql --defaults-extra-file="$CNF" eorm_bench_dst_mysqldump
}
mydumper_myloader() {
    rm -rf "$BENCH_WORK/mydumper"
    mydumper --defaults-file="$CNF" -h "$BENCH_HOST" -P "$BENCH_PORT" -u "$BENCH_USER" -B "$BENCH_SRC" \
        -o "$BENCH_WORK/mydumper" -t "$W" -r 100000 --triggers --routines
    myloader --defaults-file="$CNF" -h "$BENCH_HOST" -P "$BENCH_PORT" -u "$BENCH_USER" -B eorm_bench_dst_mydumper \
        -d "$BENCH_WORK/mydumper" -t "$W" -o
    rm -rf "$BENCH_WORK/mydumper"
}

METHODS=(mysqldump_pipe mydumper_myloader eorm_stream eorm_server)
declare -A TARGET=([eorm_stream]=eorm_bench_dst_stream [eorm_server]=eorm_bench_dst_server
                   [mysqldump_pipe]=eorm_bench_dst_mysqldump [mydumper_myloader]=eorm_bench_dst_mydumper)
declare -A TIMES DIFF
for round in $(seq "$ROUNDS"); do
    for m in "${METHODS[@]}"; do
        drop_db "${TARGET[$m]}"
        start=$(now)
        $m
        t=$(elapsed "$start")
        TIMES[$m]="${TIMES[$m]:-} $t"
        DIFF[$m]=$(differing_tables "$BENCH_SRC" "${TARGET[$m]}")
        echo "round $round: $m ${t}s (load $(cut -d' ' -f1 /proc/loadavg))"
        case $m in eorm_*) grep '^phases' "$BENCH_WORK/${m#eorm_}.out" | sed 's/^/    /' ;; esac
        drop_db "${TARGET[$m]}"
    done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
base=$(echo "${TIMES[mysqldump_pipe]}" | median)
echo
echo "| method | median s | rounds (s) | vs mysqldump | tables differing |"
echo "|---|---:|---|---:|---:|"
for m in "${METHODS[@]}"; do
    med=$(echo "${TIMES[$m]}" | median)
    echo "| $m | $med |${TIMES[$m]} | $(awk -v a="$base" -v b="$med" 'BEGIN { printf "%.1fx", a / b }') | ${DIFF[$m]} |"
done
