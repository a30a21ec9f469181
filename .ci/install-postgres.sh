#!/usr/bin/env bash
# Installs PostgreSQL and the matching PostGIS extension from Debian's packages,
# for test/slow/postgis-init.test.ts. Run as root (.ci/run does); safe to re-run.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# The postgis package is per server major: postgresql-<major>-postgis-3.
major_of_postgresql() {
  dpkg-query -W -f='${Depends}' postgresql 2>/dev/null | grep -o 'postgresql-[0-9]\+' | head -n1 | cut -d- -f2
}

major="$(major_of_postgresql || true)"
if [ -n "$major" ] && installed postgresql && installed "postgresql-${major}-postgis-3"; then
  echo "install-postgres: postgresql ${major} with postgresql-${major}-postgis-3 already installed"
  exit 0
fi

apt_get() { apt-get -q -y -o Dpkg::Use-Pty=0 -o Acquire::Retries=3 "$@"; }

apt_get update
major="$(apt-cache depends postgresql | sed -n 's/^ *Depends: postgresql-\([0-9][0-9]*\)$/\1/p' | head -n1)"
if [ -z "$major" ]; then
  echo "install-postgres: cannot tell which PostgreSQL major the 'postgresql' package brings" >&2
  exit 1
fi
apt_get install --no-install-recommends postgresql "postgresql-${major}-postgis-3"
echo "install-postgres: installed postgresql ${major} with postgresql-${major}-postgis-3"
