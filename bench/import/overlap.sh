#!/usr/bin/env bash
# `eorm import` with and without --overlap, alternating, each into a fresh database (eorm.sh):
# wall time, the phase timings `-v` prints, and the CPU time the MariaDB server spent during the
# run (read from /proc, so only for a server on this host; the fresh database's migration is
# included, the same for both). Needs the input of run.sh and target/release/{eorm,migration}.
#
#   RUNS=3 bench/import/overlap.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
server=$(pidof mariadbd || pidof mysqld || true)
server_cpu() { # utime + stime of the server, in seconds
    if [[ -n "$server" ]]; then
        awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$server/stat"
    else
        echo 0
    fi
}

for i in $(seq "${RUNS:-3}"); do
    for mode in "" --overlap; do
        before=$(server_cpu)
        out=$(RUNS=1 bench/import/eorm.sh -v $mode 2>&1 |
            grep -E "import: (parsed|planned|written|planning done|writing done|committed)|wall" |
            sed -E 's/^[^ ]+ +INFO [^ ]+ import: /  /')
        after=$(server_cpu)
        echo "== run $i, eorm import ${mode:-(sequential)}: server CPU $(echo "$after - $before" | bc) s"
        echo "$out"
    done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
