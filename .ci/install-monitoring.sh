#!/usr/bin/env bash
# Installs the monitoring's real programs from Debian's packages, for test/slow/monitoring-*.test.ts: promtool (in
# prometheus), amtool (in prometheus-alertmanager), blackbox_exporter's config check and postgres_exporter, which
# the tests run as plain processes. No service is started. Run as root (.ci/run does); safe to re-run.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for package in prometheus prometheus-alertmanager prometheus-blackbox-exporter prometheus-postgres-exporter; do
  installed "$package" || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-monitoring: already installed"
  exit 0
fi

apt_get() { apt-get -q -y -o Dpkg::Use-Pty=0 -o Acquire::Retries=3 "$@"; }
apt_get update

apt_get install --no-install-recommends "${missing[@]}"
echo "install-monitoring: installed ${missing[*]}"
