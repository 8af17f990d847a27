#!/usr/bin/env bash
# Installs headless LibreOffice Calc from Debian's packages when it is missing, and poppler
# (pdftotext, pdftoppm: the tests read the PDFs LibreOffice prints).
# The tests recalculate workbooks in it; as root (CI) it installs, elsewhere it says how.
set -euo pipefail
if command -v soffice >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing LibreOffice Calc (headless) with apt-get..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui poppler-utils >/dev/null
elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui poppler-utils >/dev/null
else
  echo "LibreOffice is not installed and cannot be installed here: its tests will be skipped" \
       "(install libreoffice-calc, or LibreOffice from libreoffice.org)" >&2
fi
