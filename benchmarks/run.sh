#!/usr/bin/env bash
# One command for the benchmark: a .venv with sheetprop installed as a user installs it
# (compiled, not editable), then benchmarks/run.py. Extra arguments go to run.py.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check '.[test]'
exec .venv/bin/python benchmarks/run.py "$@"
