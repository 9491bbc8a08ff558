#!/usr/bin/env bash
# Records the global names Node 24 defines, with `typeof` of each, for CommonJS and for ES
# modules, and the names of Node's built-in modules, into server/src/engine/data/node-globals.txt.
# The engine embeds that file (engine/globals.rs, include_str!) so `typeof X` is exact for every
# Node global without modelling its value. tests/node_globals.rs checks the file against Node 24.
#
#   TICKLENS_NODE=/path/to/node-24 scripts/record-node-globals.sh
set -euo pipefail
node="${TICKLENS_NODE:?set TICKLENS_NODE to Node 24}"
root="$(cd "$(dirname "$0")/.." && pwd)"
exec "$node" "$root/scripts/record-node-globals.mjs" > "$root/server/src/engine/data/node-globals.txt"
