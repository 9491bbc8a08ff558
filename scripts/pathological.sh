#!/usr/bin/env bash
# Runs tests/pathological.rs one test at a time and prints the measurement
# line of every test: the numbers of docs/reliability.md, "Pathological files".
#
#   scripts/pathological.sh              # the test build, as CI runs it
#   scripts/pathological.sh --release    # the release build, for comparison
#   scripts/pathological.sh -- single    # extra arguments go to the test binary
#
# A hanging test fails after the suite's own deadline (90 s) and the run goes
# on; the exit status is the test binary's.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=()
if [ "${1:-}" = "--release" ]; then
  profile=(--release)
  shift
fi
if [ "${1:-}" = "--" ]; then
  shift
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
cargo test "${profile[@]}" --locked -p ticklens --test pathological -- \
  --nocapture --test-threads 1 "$@" 2>&1 | tee "$log" >/dev/null || status=$?
grep -E -A1 '^test |: (library|lsp|check)|^growing program|^test result|panicked at' "$log" \
  | grep -v -E '^(--|stack backtrace:)$' || true
exit "$status"
