#!/usr/bin/env bash
# Measures how far apart (in real ms) two `setTimeout` calls made in one synchronous run are on
# Node 24, with W loop iterations of work between them, over many fresh processes. The engine's
# same-run timer margin (scheduler.rs, SAME_RUN_DRIFT_MS) rests on these numbers; see
# docs/ARCHITECTURE.md, "The ordering engine".
#
#   scripts/measure-timer-drift.sh [RUNS] [LOAD]
# RUNS fresh processes per work size (default 300); LOAD=1 adds two busy loops for the duration.
set -euo pipefail
node="${TICKLENS_NODE:?set TICKLENS_NODE to Node 24}"
runs="${1:-300}"
load="${2:-0}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"; [ -n "${pids:-}" ] && kill $pids 2>/dev/null || true' EXIT
cat > "$dir/gap.js" <<'JS'
// One synchronous run: setTimeout, W iterations of arithmetic, setTimeout. The gap between the
// two calls is the real time a timer's creation moment can lag an earlier one in the same run.
const work = Number(process.argv[2]);
const t0 = process.hrtime.bigint();
setTimeout(() => {}, 10);
let sum = 0;
for (let i = 0; i < work; i++) sum += i % 7;
const t1 = process.hrtime.bigint();
setTimeout(() => {}, 1);
console.log(Number(t1 - t0) / 1e6, sum > -1);
JS
pids=""
if [ "$load" = 1 ]; then
  for _ in 1 2; do (while :; do :; done) & pids="$pids $!"; done
fi
for work in 0 1000 10000 100000; do
  for _ in $(seq "$runs"); do "$node" "$dir/gap.js" "$work" | cut -d' ' -f1; done |
    sort -g | awk -v w="$work" -v load="$load" '{ a[NR] = $1 } END {
      printf "work=%-6s load=%s runs=%d median=%.3f ms p99=%.3f ms max=%.3f ms\n",
        w, load, NR, a[int(NR/2)+1], a[int(NR*0.99)], a[NR] }'
done
