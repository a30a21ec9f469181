#!/usr/bin/env bash
# Installs what the backup tests run besides PostgreSQL (.ci/install-postgres.sh) and a Docker Engine
# (.ci/install-haproxy.sh): restic, which the off-host copy runs; jq and busybox, which the official restic image
# (Alpine) gives its script; shellcheck for the scripts. Debian's packages only. Run as root (.ci/run does); safe to
# re-run.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(restic jq busybox shellcheck)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-backup-tools: ${packages[*]} already installed"
  exit 0
fi
apt-get -q -y -o Dpkg::Use-Pty=0 -o Acquire::Retries=3 update
apt-get -q -y -o Dpkg::Use-Pty=0 -o Acquire::Retries=3 install --no-install-recommends "${missing[@]}"
echo "install-backup-tools: installed ${missing[*]}"
