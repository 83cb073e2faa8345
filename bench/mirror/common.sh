#!/usr/bin/env bash
# Shared settings of the mirror benchmarks. Override with environment variables.
#   BENCH_HOST, BENCH_PORT, BENCH_USER, BENCH_PASSWORD: the MariaDB server (default root@127.0.0.1:3306)
#   BENCH_SRC: the generated source database (default eorm_bench_src)
#   BENCH_WORK: scratch directory (default /tmp/eorm-bench)
# Passwords never go on a command line: the clients read them from a 0600 defaults file, eorm
# from a YAML config in $BENCH_WORK (mode 0600 too).
set -euo pipefail

BENCH_HOST=${BENCH_HOST:-127.0.0.1}
BENCH_PORT=${BENCH_PORT:-3306}
BENCH_USER=${BENCH_USER:-root}
BENCH_PASSWORD=${BENCH_PASSWORD:-}
BENCH_SRC=${BENCH_SRC:-eorm_bench_src}
BENCH_WORK=${BENCH_WORK:-/tmp/eorm-bench}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EORM=${EORM:-$REPO/target/release/eorm}

mkdir -p "$BENCH_WORK"
chmod 700 "$BENCH_WORK"
CNF=$BENCH_WORK/client.cnf
umask 077
cat > "$CNF" <<CNF_EOF
[client]
host=$BENCH_HOST
port=$BENCH_PORT
user=$BENCH_USER
password=$BENCH_PASSWORD
CNF_EOF
umask 022

sql() { mysql --defaults-extra-file="$CNF" -N -B -e "$1"; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# Has InnoDB write out the dirty pages and advance its checkpoint before a timed step, so that no
# step pays for the writes of the one before: after a 10 % subset copy and its DROP, the 128 MiB
# buffer pool was 59 % dirty and the redo log 80 % full, and the next run stalled 2.8 s in the
# server's forced flush. Raises the flushing with innodb_max_dirty_pages_pct = 0 meanwhile (needs
# SUPER; without it, waits for the page cleaner), and waits at most 60 s.
settle() {
    local pct dirty i
    pct=$(sql "SELECT @@GLOBAL.innodb_max_dirty_pages_pct")
    sql "SET GLOBAL innodb_max_dirty_pages_pct = 0" 2> /dev/null || true
    for i in $(seq 300); do
        dirty=$(sql "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'" | awk '{print $2}')
        [ "$dirty" -lt 100 ] && break
        sleep 0.2
    done
    sql "SET GLOBAL innodb_max_dirty_pages_pct = $pct" 2> /dev/null || true
}

# The same to the hundredth, for runs short enough that tenths would decide a ratio.
elapsed2() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# "table checksum" lines of every base table of $1, sorted.
checksums() {
    local db=$1 tables
    tables=$(sql "SELECT GROUP_CONCAT(CONCAT('\`', '$db', '\`.\`', TABLE_NAME, '\`') ORDER BY TABLE_NAME)
                  FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$db' AND TABLE_TYPE = 'BASE TABLE'")
    sql "CHECKSUM TABLE $tables" | sed "s/^$db\.//" | sort
}

# How many tables of $2 differ from $1 by CHECKSUM TABLE (0 = identical contents).
differing_tables() {
    diff <(checksums "$1") <(checksums "$2") | grep -c '^>' || true
}

# On-disk size of database $1 in MiB (data + indexes, InnoDB's estimate).
size_mib() {
    sql "SELECT ROUND(SUM(DATA_LENGTH + INDEX_LENGTH) / 1048576) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$1'"
}

rows_of() {
    sql "SELECT SUM(TABLE_ROWS) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$1'"
}

drop_db() {
    sql "DROP DATABASE IF EXISTS \`$1\`; DROP DATABASE IF EXISTS \`$1__eorm_staging\`; DROP DATABASE IF EXISTS \`$1__eorm_old\`"
}

# A transfer config from $BENCH_SRC to $1 (plus YAML lines in $2), mode 0600.
mirror_config() {
    local target=$1 extra=${2:-} file=$BENCH_WORK/transfer-$1.yml
    umask 077
    cat > "$file" <<YAML_EOF
source:
  database: {user: '$BENCH_USER', password: '$BENCH_PASSWORD', host: '$BENCH_HOST', port: $BENCH_PORT, database: '$BENCH_SRC'}
target:
  database: {user: '$BENCH_USER', password: '$BENCH_PASSWORD', host: '$BENCH_HOST', port: $BENCH_PORT, database: '$target'}
$extra
YAML_EOF
    umask 022
    echo "$file"
}
