#!/usr/bin/env bash
# The Python side of the update-hashes benchmark: target/bench-files-venv with the libraries the
# platform hashes images with (numpy, pydicom, Pillow) and its database stack (SQLAlchemy,
# PyMySQL), from PyPI. Idempotent; prints the versions.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/target/bench-files-venv"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check \
    "numpy>=2,<3" "pydicom>=3,<4" "pillow>=11" "SQLAlchemy==2.0.*" "PyMySQL==1.1.*"
"$venv/bin/python" -c 'import numpy, pydicom, PIL, sqlalchemy, pymysql; print("numpy", numpy.__version__, "pydicom", pydicom.__version__, "Pillow", PIL.__version__, "SQLAlchemy", sqlalchemy.__version__, "PyMySQL", pymysql.VERSION_STRING)'
