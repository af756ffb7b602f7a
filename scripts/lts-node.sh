#!/bin/sh
# Runs a command with a Node.js this project supports (package.json "engines": the 22 and 24 LTS
# lines) first on PATH:
# - the machine's own Node, the one running npm, when engines admits it;
# - else the Node 24 LTS that `npm ci` installed from the npm registry (tools/node-runtime pins it
#   in package-lock.json, for Linux x64 and arm64).
# Every npm script that runs the project's code goes through it: `npm ci && npm test` on a machine
# whose Node is 20 tests on Node 24. With neither, it says so and stops.
# usage: sh scripts/lts-node.sh <command> [args…]      sh scripts/lts-node.sh --which
set -eu
root=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)

# Whether the Node at $1 is one engines admits (semver, as npm reads engines).
admitted() {
  [ -x "$1" ] && (cd "$root" && "$1" -e "process.exit(require('semver').satisfies(process.versions.node, require('./package.json').engines.node) ? 0 : 1)") 2>/dev/null
}

machine=${npm_node_execpath:-$(command -v node || true)}
if [ -n "$machine" ] && admitted "$machine"; then
  node=$machine
else
  node=
  for bundled in "$root"/node_modules/node-linux-*/bin/node; do
    if admitted "$bundled"; then node=$bundled; break; fi
  done
fi
if [ -z "$node" ]; then
  have=$([ -n "$machine" ] && "$machine" --version 2>/dev/null || echo none)
  echo "vod-cover-gateway needs Node.js 22 or 24 (LTS). This machine's node is $have, and npm ci brought none for $(uname -sm) (it brings Node 24 on Linux x64 and arm64): install Node 22 or 24." >&2
  exit 1
fi
if [ "${1-}" = "--which" ]; then
  echo "$node $("$node" --version)"
  exit 0
fi
PATH=$(dirname -- "$node"):$PATH
export PATH
exec "$@"
