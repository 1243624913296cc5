#!/usr/bin/env bash
# Install the Debian packages the test suite needs, or say exactly how to.
#
#   bash scripts/system_packages.sh           install what is missing (as root with apt), else stop with the command
#   bash scripts/system_packages.sh --check   change nothing: list what is missing and what would be run
#
# Called by `make setup` and by .ci/run, so a fresh clone and CI install the same things:
# - chromium: the browser tests drive Debian's Chromium (never a downloaded build);
# - fonts-liberation and fonts-liberation2: Chromium's own dependency brings the first, the suite's
#   screenshots use the second; the pages are checked under each (tests/browser/test_target_size.py);
# - fonts-dejavu-core: the fallback for characters Liberation lacks;
# - libpango-1.0-0, libpangoft2-1.0-0: WeasyPrint draws the board-pack PDF with Pango (1.44 or later);
# - postgresql-client: pg_isready, which .ci/run uses to wait for PostgreSQL.
#
# SYSTEM_PACKAGES_ASSUME_MISSING="name ..." treats those packages as missing (to see what a fresh
# machine would do, with --check); it is for trying the script out, not for everyday use.
set -euo pipefail

PACKAGES=(chromium fonts-liberation fonts-liberation2 fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0
          postgresql-client)

check_only=0
case "${1:-}" in
  "") ;;
  --check) check_only=1 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "system_packages: this is not a Debian-like system (no dpkg-query or apt-get)." >&2
  echo "system_packages: install these Debian packages or their equivalents: ${PACKAGES[*]}" >&2
  exit 1
fi

assumed_missing=" ${SYSTEM_PACKAGES_ASSUME_MISSING:-} "
missing=()
for package in "${PACKAGES[@]}"; do
  if [[ "$assumed_missing" == *" $package "* ]]; then
    missing+=("$package")
  elif [[ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" != "installed" ]]; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "system_packages: all present (${PACKAGES[*]})."
  exit 0
fi

install=(apt-get install -y -qq --no-install-recommends "${missing[@]}")
if [[ "$(id -u)" != 0 ]]; then
  echo "system_packages: missing ${missing[*]}. Run this, then run the same make command again:" >&2
  echo "    sudo apt-get update && sudo ${install[*]}" >&2
  exit 1
fi
if ((check_only)); then
  echo "system_packages: missing ${missing[*]}; would run: apt-get update -qq && ${install[*]}"
  exit 1
fi

echo "system_packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
"${install[@]}" >/dev/null
echo "system_packages: installed ${missing[*]}."
