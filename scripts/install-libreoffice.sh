#!/usr/bin/env bash
# Installs, from Debian's packages, the real programs the tests use when they are missing:
# headless LibreOffice Calc and Gnumeric (they recalculate workbooks) and Chromium (it renders
# the walkthrough's HTML), and poppler (pdftotext, pdftoppm: the tests read the PDFs LibreOffice
# prints). As root (CI) it installs; elsewhere it says how.
set -euo pipefail
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
command -v ssconvert >/dev/null 2>&1 || need+=(gnumeric)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need+=(chromium)
if [ "${#need[@]}" = 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${need[*]} with apt-get..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends \
    "${need[@]}" >/dev/null
elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends \
    "${need[@]}" >/dev/null
else
  echo "${need[*]} missing and cannot be installed here: the tests that need them will be skipped" \
       "(install libreoffice-calc, gnumeric and chromium)" >&2
fi
