#!/usr/bin/env bash
# Installs what the tests recalculate workbooks in, from Debian's packages, where it is missing:
# headless LibreOffice Calc (soffice) and Gnumeric (ssconvert). As root (CI) it installs;
# elsewhere it says how. Each tool is checked on its own, so a machine with one gets the other.
set -euo pipefail
missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
command -v ssconvert >/dev/null 2>&1 || missing+=(gnumeric)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} with apt-get..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "${missing[*]} not installed and cannot be installed here: the tests that need them will be skipped" \
       "(install LibreOffice Calc and Gnumeric from your system's packages)" >&2
fi
