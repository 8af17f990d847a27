#!/usr/bin/env bash
# Installs headless LibreOffice Calc (and Gnumeric's ssconvert, which the XOR tests recalculate
# with as a second application, and poppler's pdftotext, which reads the printed page back)
# from Debian's packages when missing. As root (CI) it installs,
# elsewhere it says how.
set -euo pipefail
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
command -v ssconvert >/dev/null 2>&1 || need+=(gnumeric)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${need[*]} with apt-get..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "${need[*]} not installed and cannot be installed here: their tests will be skipped" \
       "(install libreoffice-calc, gnumeric and poppler-utils)" >&2
fi
