#!/usr/bin/env bash
# Compares ticklens's suspension points (every `await`, `for await` and `yield`,
# per function) with acorn's on the whole npm corpus (scripts/corpus.sh).
# Prints the files, functions and points compared and every disagreement;
# exits non-zero on any. Minutes on 2 cores, so not part of `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

TICKLENS_NODE="$(scripts/install-node.sh | tail -n 1)"
TICKLENS_ACORN="$(scripts/install-acorn.sh | tail -n 1)"
TICKLENS_CORPUS="$(scripts/corpus.sh | tail -n 1)"
export TICKLENS_NODE TICKLENS_ACORN TICKLENS_CORPUS

cargo test -p ticklens --test suspension_oracle -- --ignored --nocapture \
    suspension_points_agree_with_acorn_on_the_npm_corpus
