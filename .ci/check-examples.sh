#!/usr/bin/env bash
# The examples as a newcomer gets them, run by .ci/run: a fresh clone of this checkout's HEAD (nothing built, nothing
# installed), `npm ci` (which builds the npm package and links it and components/ into the npm workspace), then
# - examples/postgis-only-ts type-checked with its own tsconfig, run as `pulumi preview` starts it (@pulumi/pulumi's
#   cmd/run and ts-node, against the stand-in engine of tools/render/engine.ts) and rendered;
# - examples/geostack-yaml constructed as the engine constructs a YAML program's components: the clone's components/
#   (its `packages:` entry) booted by @pulumi/pulumi's run-plugin, each resource sent to it as a ConstructRequest.
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
node -r ./tools/ts-loader.cjs tools/render/yaml-program.ts examples/geostack-yaml dev
echo "check-examples: the examples install, type-check and run from a fresh clone"
