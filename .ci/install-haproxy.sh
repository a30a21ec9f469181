#!/usr/bin/env bash
# Installs HAProxy and a Docker Engine from Debian's packages, for test/slow/docker-api-proxy.test.ts: the proxy's
# rules run in Debian's haproxy, in front of a dockerd the test starts as a plain process with its own socket.
# Run as root (.ci/run does); safe to re-run.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
installed haproxy || missing+=(haproxy)
# A machine with Docker Engine already (a GitHub runner's docker-ce, which conflicts with docker.io) keeps it.
if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
  installed docker.io || missing+=(docker.io)
fi
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-haproxy: haproxy and a Docker Engine already installed"
  exit 0
fi

apt_get() { apt-get -q -y -o Dpkg::Use-Pty=0 -o Acquire::Retries=3 "$@"; }
apt_get update
# No service is started here: the test runs its own haproxy and dockerd.
apt_get install --no-install-recommends "${missing[@]}"
echo "install-haproxy: installed ${missing[*]}"
