#!/usr/bin/env bash
# Creates the Python side of the schema-check benchmark: a venv at target/bench-venv with
# Alembic, SQLAlchemy and PyMySQL from PyPI. Idempotent; prints the installed versions.
#
#   bench/setup-python.sh            # uses python3 from PATH
#   PYTHON=python3.12 bench/setup-python.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${BENCH_VENV:-$root/target/bench-venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "alembic>=1.13" "sqlalchemy>=2.0" "pymysql>=1.1"
"$venv/bin/python" - <<'PY'
import sys, alembic, sqlalchemy, pymysql
print(f"python {sys.version.split()[0]}, alembic {alembic.__version__}, "
      f"sqlalchemy {sqlalchemy.__version__}, pymysql {pymysql.__version__}")
PY
echo "venv ready: $venv"
