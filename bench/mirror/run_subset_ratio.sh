#!/usr/bin/env bash
# database-mirror-test of a share of the patients of the database made by setup.sh, against a
# bare server-side copy of exactly the rows eorm selected: per table, `CREATE TABLE bare.t LIKE
# source.t` and `INSERT INTO bare.t SELECT * FROM source.t WHERE (primary key) IN (SELECT ...
# FROM keys.t)`, the tables spread over $BARE_SESSIONS parallel sessions.
# The key tables are filled from eorm's copy before the timing starts; after it, CHECKSUM TABLE
# compares the bare copy with eorm's (not timed). Both timed steps start from a settled server
# (settle in common.sh: no dirty pages left by the step before). Prints, per run, both times and
# their ratio, then the medians.
#   bench/mirror/run_subset_ratio.sh [ROUNDS] [PERCENTS] [SERVER_SIDE]
#     ROUNDS       rounds (default 3)
#     PERCENTS     comma-separated shares of the patients (default 1,10): PatientID % (100/p) = 0
#     SERVER_SIDE  eorm --server-side: auto (same server: INSERT ... SELECT), never (streams
#                  through eorm, as between two servers), or both (default)
#   BARE_SESSIONS  sessions of the bare copy (default 2); WORKERS eorm --workers (default: eorm's own, 8 for a subset)
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-3}
PERCENTS=${2:-1,10}
MODES=${3:-both}
[ "$MODES" = both ] && MODES="auto never"
BARE_SESSIONS=${BARE_SESSIONS:-2}
WORKERS=${WORKERS:-}
WORKERS_ARG=()
[ -n "$WORKERS" ] && WORKERS_ARG=(--workers "$WORKERS")
T=eorm_bench_subset
B=eorm_bench_subset_bare
K=eorm_bench_subset_keys

echo "source $BENCH_SRC: $(size_mib "$BENCH_SRC") MiB, ~$(rows_of "$BENCH_SRC") rows; $(nproc) CPUs; eorm ${WORKERS:-default (8)} workers; bare copy $BARE_SESSIONS sessions"

# Base tables of $1 with rows, biggest first.
tables_of() {
    sql "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$1' AND TABLE_TYPE = 'BASE TABLE'
         ORDER BY DATA_LENGTH + INDEX_LENGTH DESC, TABLE_NAME"
}

# Primary-key columns of $1.$2, backquoted and comma-separated.
pk_of() {
    sql "SELECT GROUP_CONCAT(CONCAT('\`', COLUMN_NAME, '\`') ORDER BY SEQ_IN_INDEX) FROM information_schema.STATISTICS
         WHERE TABLE_SCHEMA = '$1' AND TABLE_NAME = '$2' AND INDEX_NAME = 'PRIMARY'"
}

# Key tables from eorm's copy (not timed); writes the bare copy's statements, one line per table
# of the source, biggest first: CREATE TABLE ... LIKE, and INSERT ... SELECT if it has rows.
prepare_bare() {
    sql "DROP DATABASE IF EXISTS \`$B\`; DROP DATABASE IF EXISTS \`$K\`; CREATE DATABASE \`$B\`; CREATE DATABASE \`$K\`"
    local t pk line
    for t in $(tables_of "$BENCH_SRC"); do
        line="CREATE TABLE \`$B\`.\`$t\` LIKE \`$BENCH_SRC\`.\`$t\`;"
        pk=$(pk_of "$T" "$t")
        if [ -n "$pk" ]; then
            sql "CREATE TABLE \`$K\`.\`$t\` (PRIMARY KEY ($pk)) SELECT $pk FROM \`$T\`.\`$t\`"
            [ "$(sql "SELECT COUNT(*) FROM \`$K\`.\`$t\`")" = 0 ] ||
                line="$line INSERT INTO \`$B\`.\`$t\` SELECT * FROM \`$BENCH_SRC\`.\`$t\` WHERE ($pk) IN (SELECT $pk FROM \`$K\`.\`$t\`)"
        fi
        echo "$line"
    done > "$BENCH_WORK/bare.sql"
}

bare_copy() {
    # shellcheck disable=SC2016
    tr '\n' '\0' < "$BENCH_WORK/bare.sql" | xargs -0 -P "$BARE_SESSIONS" -n 1 sh -c \
        'mysql --defaults-extra-file="$0" -e "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED; $1"' "$CNF"
}

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
declare -A EORM BARE RATIO ROWS
for round in $(seq "$ROUNDS"); do
    for p in ${PERCENTS//,/ }; do
        for mode in $MODES; do
            key="$p% $mode"
            drop_db $T
            CFG=$(mirror_config $T "copy_objects: [{table: Patient, clause: \"PatientID % $((100 / p)) = 0\"}]")
            settle
            start=$(now)
            "$EORM" database-mirror-test -c "$CFG" --yes --no-progress --server-side "$mode" "${WORKERS_ARG[@]}" > "$BENCH_WORK/subset.out" 2>&1 \
                || { cat "$BENCH_WORK/subset.out"; exit 1; }
            t_eorm=$(elapsed2 "$start")
            rows=$(grep '^total' "$BENCH_WORK/subset.out" | awk '{print $4}')
            prepare_bare
            settle
            start=$(now)
            bare_copy
            t_bare=$(elapsed2 "$start")
            diffs=$(diff <(checksums $T) <(checksums $B) | grep -c '^>' || true)
            ratio=$(awk -v a="$t_eorm" -v b="$t_bare" 'BEGIN { printf "%.2f", a / b }')
            EORM[$key]="${EORM[$key]:-} $t_eorm"; BARE[$key]="${BARE[$key]:-} $t_bare"
            RATIO[$key]="${RATIO[$key]:-} $ratio"; ROWS[$key]=$rows
            echo "round $round, $key: $rows rows; eorm ${t_eorm}s, bare copy ${t_bare}s, ratio ${ratio}; tables differing: $diffs; load $(cut -d' ' -f1 /proc/loadavg)"
            grep -E '^(selected rows|phases|copying)' "$BENCH_WORK/subset.out" | sed 's/^/    /'
        done
    done
done
sql "DROP DATABASE IF EXISTS \`$B\`; DROP DATABASE IF EXISTS \`$K\`"
drop_db $T
echo
echo "| patients | eorm --server-side | rows | eorm median s (rounds) | bare copy median s (rounds) | ratio median |"
echo "|---|---|---:|---|---|---:|"
for p in ${PERCENTS//,/ }; do
    for mode in $MODES; do
        key="$p% $mode"
        echo "| $p % | $mode | ${ROWS[$key]} | $(echo "${EORM[$key]}" | median) (${EORM[$key]# }) | $(echo "${BARE[$key]}" | median) (${BARE[$key]# }) | $(echo "${RATIO[$key]}" | median) |"
    done
done
