#!/usr/bin/env bash
# Creates the Python environment of the SQLAlchemy side of the import benchmark:
# target/bench-venv with SQLAlchemy and PyMySQL from PyPI. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/target/bench-venv"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "SQLAlchemy==2.0.*" "PyMySQL==1.1.*"
"$venv/bin/python" -c 'import sqlalchemy, pymysql; print("SQLAlchemy", sqlalchemy.__version__, "PyMySQL", pymysql.VERSION_STRING)'
