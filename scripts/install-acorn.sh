#!/usr/bin/env bash
# Installs acorn, the JavaScript parser the suspension-point tests use as
# their oracle (tests only: ticklens itself never runs it).
#
# acorn comes from npm, pinned, into a cache folder outside the repo, keyed by
# version, the way scripts/install-node.sh installs Node:
#   ${TICKLENS_CACHE:-$HOME/.cache/ticklens}/acorn-8.15.0
# A second run finds it there and installs nothing.
# The last line on stdout is the absolute path of the folder that holds
# `node_modules/acorn` (what TICKLENS_ACORN is set to); progress goes to stderr.
set -euo pipefail

ACORN_VERSION="8.15.0"
PACKAGE="acorn@${ACORN_VERSION}"
CACHE_ROOT="${TICKLENS_CACHE:-${HOME}/.cache/ticklens}"
PREFIX="${CACHE_ROOT}/acorn-${ACORN_VERSION}"
MANIFEST="${PREFIX}/node_modules/acorn/package.json"

die() {
    echo "install-acorn: error: $*" >&2
    exit 1
}

# Whether the installed acorn is exactly the version we want.
has_wanted_acorn() {
    [[ -f "${MANIFEST}" ]] || return 1
    grep -q "\"version\": \"${ACORN_VERSION}\"" "${MANIFEST}"
}

if has_wanted_acorn; then
    echo "install-acorn: ${ACORN_VERSION} already in ${PREFIX}" >&2
else
    command -v npm >/dev/null 2>&1 || die "npm is needed to install ${PACKAGE}, and it is not on PATH"
    mkdir -p "${PREFIX}"
    echo "install-acorn: installing ${PACKAGE} into ${PREFIX}" >&2
    # stdout of npm goes to stderr so that the last stdout line stays the path.
    npm install --prefix "${PREFIX}" --no-save --no-audit --no-fund --ignore-scripts "${PACKAGE}" >&2 \
        || die "npm install of ${PACKAGE} failed"
    has_wanted_acorn || die "${PACKAGE} installed, but ${MANIFEST} does not say version ${ACORN_VERSION}"
fi

realpath "${PREFIX}"
