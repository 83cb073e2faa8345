#!/usr/bin/env bash
# database-mirror-test against the same subset copied row by row (rowwise_subset.py: one SELECT
# and one INSERT per row, like the Python tool), on one server, from the database made by
# setup.sh. Subsets: one patient; one project (all its patients).
source "$(dirname "$0")/common.sh"
PY=$BENCH_WORK/venv/bin/python
echo "| subset | rows | eorm database-mirror-test (s) | row by row (s) |"
echo "|---|---:|---:|---:|"
run_case() {
    local name=$1 objects=$2
    local T=eorm_bench_sub_$name R=eorm_bench_row_$name
    drop_db $T; drop_db $R
    local CFG; CFG=$(mirror_config $T "copy_objects: $objects")
    local start; start=$(now)
    "$EORM" database-mirror-test -c "$CFG" --yes --no-progress > "$BENCH_WORK/sub-$name.out" 2>&1
    local t_eorm; t_eorm=$(elapsed "$start")
    local rows; rows=$(grep '^total' "$BENCH_WORK/sub-$name.out" | awk '{print $4}')
    local out; out=$("$PY" "$(dirname "$0")/rowwise_subset.py" "$CNF" "$BENCH_SRC" "$T" "$R")
    local t_row; t_row=$(echo "$out" | sed 's/.*total \([0-9.]*\)s/\1/')
    echo "| $name ($objects) | $rows | $t_eorm | $t_row ($out) |"
    # Both hold the same rows.
    local diffs; diffs=$(differing_tables "$T" "$R")
    [ "$diffs" = 0 ] || echo "    note: $diffs tables differ between the two copies (CHECKSUM TABLE)"
    grep '^phases' "$BENCH_WORK/sub-$name.out" | sed 's/^/    /'
    drop_db $R
}
run_case patient "[{table: Patient, clause: {PatientIdentifier: P0000042}}]"
run_case project "[{table: Project, clause: {ProjectID: 3}}]"
