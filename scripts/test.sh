#!/usr/bin/env bash
# Everything the tests need on a fresh machine, then the tests: LibreOffice, a virtual
# environment in .venv with sheetprop and its test extras, and pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-libreoffice.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check '.[test]'
exec .venv/bin/python -m pytest "$@"
