#!/usr/bin/env bash
# The Python side of the file-side cross-checks: a venv at target/files-venv (or $FILES_VENV)
# with the libraries the Python platform reads and writes files with: numpy, zarr 3, pydicom,
# Pillow. Tests run it on first use (under a lock, so parallel tests build it once); it needs
# PyPI the first time and is idempotent after. Prints the venv's python.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${FILES_VENV:-$root/target/files-venv}"
python="${PYTHON:-python3}"
mkdir -p "$(dirname "$venv")"

exec 9>"$venv.lock"
flock 9
if [ ! -f "$venv/.ready" ]; then
    rm -rf "$venv"
    "$python" -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "numpy>=2,<3" "zarr>=3.1,<4" "pydicom>=3,<4" "pillow>=11" >&2
    "$venv/bin/python" - >&2 <<'PY'
import numpy, zarr, pydicom, PIL
print(f"numpy {numpy.__version__}, zarr {zarr.__version__}, pydicom {pydicom.__version__}, "
      f"Pillow {PIL.__version__}")
PY
    touch "$venv/.ready"
fi
echo "$venv/bin/python"
