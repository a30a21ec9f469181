#!/usr/bin/env bash
# Installs the programs test/slow/geoserver-entrypoint.test.ts runs GeoStack's GeoServer entrypoint with, from Debian's
# packages: envsubst (what the GeoServer image renders server.xml with), xmllint (reads that server.xml back) and cmp;
# for its part as root, what the official image's startup.sh steps down to uid 999 with (adduser, usermod, setpriv) and
# what the test confines it with (unshare, mount, setpriv). Run as root (.ci/run does); safe to re-run.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(gettext-base libxml2-utils diffutils adduser passwd util-linux mount)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for package in "${packages[@]}"; do installed "$package" || missing+=("$package"); done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-shell-tools: ${packages[*]} already installed"
  exit 0
fi

apt_get() { apt-get -q -y -o Dpkg::Use-Pty=0 -o Acquire::Retries=3 "$@"; }
apt_get update
apt_get install --no-install-recommends "${missing[@]}"
echo "install-shell-tools: installed ${missing[*]}"
