#!/usr/bin/env bash
# The examples as a newcomer gets them, run by .ci/run: a fresh clone of this checkout's HEAD (nothing built, nothing
# installed), `npm ci` (which builds the npm package and links it and components/ into the npm workspace), then
# - examples/postgis-only-ts type-checked with its own tsconfig, run as `pulumi preview` starts it (@pulumi/pulumi's
#   cmd/run and ts-node, against the stand-in engine of tools/render/engine.ts) and rendered;
# - examples/geostack-yaml: its `packages:` entry is that clone's components/ (test/unit/examples.test.ts checks the
#   program against the package's schema; test/slow/component-plugin-host.test.ts boots the package as Pulumi does).
# Uncommitted changes are not in the clone: commit first.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone --quiet --no-local . "$work/geostack"
cd "$work/geostack"
npm ci --no-audit --no-fund
(cd examples/postgis-only-ts && npx tsc -p tsconfig.json --noEmit)
node -r ./tools/ts-loader.cjs tools/render/engine.ts --project-dir examples/postgis-only-ts --stack dev
npm run --silent render -- --stack dev --project-dir examples/postgis-only-ts > /dev/null
echo "check-examples: the examples install, type-check and run from a fresh clone"
