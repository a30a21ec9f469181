#!/usr/bin/env bash
# Installs, from Debian's packages, what test/slow/gis-data.test.ts runs beside the PostgreSQL of install-postgres.sh
# (run it first): GDAL's ogr2ogr, PostGIS's shp2pgsql (package postgis) and pgRouting for that server's major (the
# other optional extensions come with PostgreSQL and PostGIS). Run as root (.ci/run does); safe to re-run.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

major="$(dpkg-query -W -f='${Depends}' postgresql 2>/dev/null | grep -o 'postgresql-[0-9]\+' | head -n1 | cut -d- -f2 || true)"
if [ -z "$major" ]; then
  echo "install-gis-tools: no postgresql package; run .ci/install-postgres.sh first" >&2
  exit 1
fi
packages=(gdal-bin postgis "postgresql-${major}-pgrouting")

missing=()
for package in "${packages[@]}"; do installed "$package" || missing+=("$package"); done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-gis-tools: ${packages[*]} already installed"
  exit 0
fi

apt_get() { apt-get -q -y -o Dpkg::Use-Pty=0 -o Acquire::Retries=3 "$@"; }
apt_get update
apt_get install --no-install-recommends "${missing[@]}"
echo "install-gis-tools: installed ${missing[*]}"
