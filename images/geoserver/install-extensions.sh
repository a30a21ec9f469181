#!/usr/bin/env bash
# Installs official GeoServer extensions at image build time (the Dockerfile runs it). Not the image's own
# install-extensions.sh: that one runs at every container start, goes on when a download fails, and skips certificate
# checks in some releases.
#
# Reads GEOSERVER_VERSION, GEOSERVER_EXTENSIONS (names, comma-separated), GEOSERVER_LIB_DIR, and optionally
# GEOSERVER_EXTENSIONS_URL (a mirror of GeoServer's release files), GEOSERVER_EXTENSION_PINS (the pin file) and
# GEOSERVER_EXTENSIONS_ALLOW_UNPINNED=true (trust a zip without a pin on first use).
#
# Every zip is downloaded at once, over HTTPS with certificate checks (redirects too); any failed download fails.
# GeoServer publishes no checksums, so each zip must match its line in the pin file (a real `sha256sum --check`), and a
# zip without a line fails unless trusted on first use. Nothing is unpacked before every zip passed; only the jars
# stay. Each zip's sha256 is printed as "extension sha256: <sha256>  <zip>", the line the pin file takes
# (`npm run pin-extensions` reads it). With --print-checksums the zips are only downloaded and printed, not checked or
# installed: how `npm run pin-extensions` downloads through this same script.
set -o errexit -o nounset -o pipefail

extensions="${GEOSERVER_EXTENSIONS:-}"
if [ -z "${extensions}" ]; then exit 0; fi
url="${GEOSERVER_EXTENSIONS_URL:-}"
url="${url:-https://downloads.sourceforge.net/project/geoserver/GeoServer/${GEOSERVER_VERSION}/extensions}"
pins="${GEOSERVER_EXTENSION_PINS:-/opt/geostack/extension-checksums.sha256}"
print_only=false
if [ "${1:-}" = --print-checksums ]; then print_only=true; fi

downloads="$(mktemp -d)"
trap 'rm -rf "${downloads}"' EXIT
cd "${downloads}"

zips=()
pids=()
for extension in ${extensions//,/ }; do
  zip="geoserver-${GEOSERVER_VERSION}-${extension}-plugin.zip"
  zips+=("${zip}")
  curl --fail --silent --show-error --location --proto '=https' --proto-redir '=https' --retry 3 \
       --output "${zip}" "${url}/${zip}" &
  pids+=("$!")
done
failed=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "download failed: ${url}/${zips[$i]}" >&2
    failed=1
  fi
done
if [ "${failed}" != 0 ]; then exit 1; fi

unpinned=()
: > pinned.sha256
for zip in "${zips[@]}"; do
  echo "extension sha256: $(sha256sum "${zip}")"
  if [ "${print_only}" = true ]; then continue; fi
  if awk -v zip="${zip}" '$2 == zip { found = 1; print } END { exit !found }' "${pins}" >> pinned.sha256; then
    continue
  fi
  unpinned+=("${zip}")
done
if [ "${print_only}" = true ]; then exit 0; fi

if [ "${#unpinned[@]}" != 0 ]; then
  if [ "${GEOSERVER_EXTENSIONS_ALLOW_UNPINNED:-false}" = true ]; then
    echo "not pinned, trusted on first use: ${unpinned[*]}"
  else
    echo "not pinned in $(basename "${pins}"): ${unpinned[*]}; pin the sha256 lines above with npm run pin-extensions" \
         "after reviewing them, or allow trust on first use (allowUnpinnedExtensions)" >&2
    exit 1
  fi
fi
if [ -s pinned.sha256 ]; then sha256sum --check --strict pinned.sha256; fi

for zip in "${zips[@]}"; do
  unzip -q -o "${zip}" '*.jar' -d "${GEOSERVER_LIB_DIR}"
done
