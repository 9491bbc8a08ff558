#!/usr/bin/env bash
# The insight census (issue 20): hovers every `await`, `for await`, `yield` (in async
# generators) and async function of the pinned npm corpus
# (scripts/corpus.sh: every file with an async function or an `await`) through `ticklens lsp`, as an editor would, and classifies what each
# hover says (scripts/insight-coverage.mjs). Minutes on 2 cores, so not part of `cargo test`.
#
#   scripts/insight-coverage.sh [--ticklens BIN] [--out FILE] [--label TEXT] [--issue-packages]
#                               [--typescript [heldout]]
#   scripts/insight-coverage.sh --check     # the classifier's own test (no corpus, no build)
#
# Without --ticklens it builds and uses the release binary (target/release/ticklens). The
# table goes to --out (default target/insight-coverage.md), one JSON line per hovered
# position to target/insight-coverage.jsonl; docs/insight-coverage.md keeps the tables
# measured so far (paste a new one there with the commit it measured). --typescript measures
# the TypeScript corpus instead (scripts/ts-corpus.sh; `--typescript heldout` its held-out one):
# each file stripped by Node 24 before acorn finds the keywords, opened as `typescript`.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE="${TICKLENS_NODE:-$(scripts/install-node.sh | tail -n 1)}"
if [[ "${1:-}" == "--check" ]]; then
  exec "$NODE" scripts/insight-coverage.mjs --check
fi

binary=""
out="target/insight-coverage.md"
label="Census"
typescript=""
rest=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --ticklens) binary="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --label) label="$2"; shift 2 ;;
    --issue-packages) rest+=(--issue-packages); shift ;;
    --typescript)
      typescript="tuning"; rest+=(--typescript); shift
      if [[ "${1:-}" == "heldout" ]]; then typescript="heldout"; shift; fi
      ;;
    *) echo "insight-coverage: unknown argument $1" >&2; exit 2 ;;
  esac
done

ACORN="${TICKLENS_ACORN:-$(scripts/install-acorn.sh | tail -n 1)}"
if [[ -n "$typescript" ]]; then
  CORPUS="$(scripts/ts-corpus.sh "$typescript" | tail -n 1)"
else
  CORPUS="$(scripts/corpus.sh | tail -n 1)"
fi
if [[ -z "$binary" ]]; then
  cargo build --release -p ticklens >&2
  binary="target/release/ticklens"
fi
commit="$(git rev-parse --short=12 HEAD)"
if [[ -n "$(git status --porcelain --untracked-files=no)" ]]; then
  commit="$commit (with uncommitted changes)"
fi
mkdir -p "$(dirname "$out")" target

exec "$NODE" scripts/insight-coverage.mjs --ticklens "$binary" --acorn "$ACORN" \
  --corpus "$CORPUS" --out "$out" --details target/insight-coverage.jsonl \
  --commit "$commit" --label "$label" "${rest[@]}"
