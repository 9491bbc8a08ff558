#!/usr/bin/env bash
# Runs every test ticklens has: formatting, lints, unit, property, end-to-end and
# differential tests. Installs what the tests need (Node 24 as the oracle) through
# the project's own scripts, into a cache folder outside the repo.
set -euo pipefail
cd "$(dirname "$0")/.."

TICKLENS_NODE="$(scripts/install-node.sh | tail -n 1)"
export TICKLENS_NODE
echo "test: Node oracle is ${TICKLENS_NODE} ($("${TICKLENS_NODE}" --version))"
# acorn, the parser the suspension-point tests compare ticklens's reading of awaits with.
TICKLENS_ACORN="$(scripts/install-acorn.sh | tail -n 1)"
export TICKLENS_ACORN
echo "test: acorn oracle is ${TICKLENS_ACORN}"

# Runs one stage and prints how long it took, so a slow stage shows in CI's log.
stage() {
    local name="$1" started
    shift
    started=$(date +%s)
    "$@"
    echo "test: stage '${name}' took $(($(date +%s) - started)) s"
}

stage fmt cargo fmt --all -- --check
stage clippy cargo clippy --workspace --all-targets --locked -- -D warnings
stage "cargo test" cargo test --workspace --locked

# Each fuzz target for two minutes from the committed corpus (cargo-fuzz into the cache).
export FUZZ_SECONDS="${FUZZ_SECONDS:-120}"
stage fuzz scripts/fuzz.sh

# The editor clients, tested in real VS Code (code-server + Chromium) and headless Neovim.
stage editors scripts/test-editors.sh
