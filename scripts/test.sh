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

# What `git status` showed before the run: the run must add nothing to it.
tree_before="$(git status --porcelain)"

# Runs one stage under a heading and prints how long it took, so a slow stage
# shows in CI's log.
stage() {
    local name="$1" started
    shift
    echo
    echo "test: ==== ${name} ===="
    started=$(date +%s)
    "$@"
    echo "test: stage '${name}' took $(($(date +%s) - started)) s"
}

# Fails when the run changed the work tree (a lock file rewritten, a cache or
# a snapshot written into the repository): on a fresh clone `git status
# --porcelain` must stay empty. Changes the user had before the run are allowed.
work_tree_unchanged() {
    local after
    after="$(git status --porcelain)"
    if [[ "${after}" != "${tree_before}" ]]; then
        echo "test: the run changed the work tree; tests must write only to temporary or cache folders:" >&2
        diff <(echo "${tree_before}") <(echo "${after}") >&2 || true
        return 1
    fi
    echo "test: the work tree is as it was before the run"
}

stage fmt cargo fmt --all -- --check
stage clippy cargo clippy --workspace --all-targets --locked --features ticklens/fault-injection -- -D warnings
# fault-injection: tests/lsp_stdio.rs makes the server panic on purpose (and fails without it).
stage "cargo test" cargo test --workspace --locked --features ticklens/fault-injection

# Each fuzz target for two minutes from the committed corpus (cargo-fuzz into the cache).
export FUZZ_SECONDS="${FUZZ_SECONDS:-120}"
stage fuzz scripts/fuzz.sh

# The editor clients, tested in real VS Code (code-server + Chromium) and headless Neovim.
stage editors scripts/test-editors.sh

stage "clean work tree" work_tree_unchanged
