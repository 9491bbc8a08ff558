#!/usr/bin/env bash
# Fuzzes ticklens with cargo-fuzz (libFuzzer): builds the targets of fuzz/ and runs
# each for FUZZ_SECONDS (default 120) from the committed corpus in fuzz/corpus/.
# Exits non-zero when a target crashes, times out or runs out of memory; the input
# that did it is kept in the work folder's artifacts/<target>/ and the log names it.
#
# cargo-fuzz is installed from crates.io into a cache folder outside the repo,
# keyed by its version. The toolchain is stable, so RUSTC_BOOTSTRAP=1 lets the
# -Z and sancov flags cargo-fuzz passes through.
#
#   FUZZ_SECONDS=1800 scripts/fuzz.sh            # each target for 30 minutes
#   FUZZ_TARGETS=analysis scripts/fuzz.sh        # one target
#   FUZZ_WORK=/tmp/fuzz scripts/fuzz.sh          # where new inputs and crashes go
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
cache="${TICKLENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ticklens}"
fuzz_root="$cache/cargo-fuzz-$CARGO_FUZZ_VERSION"
if [ ! -x "$fuzz_root/bin/cargo-fuzz" ]; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION into $fuzz_root"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$fuzz_root"
fi
export PATH="$fuzz_root/bin:$PATH"
export RUSTC_BOOTSTRAP=1

seconds="${FUZZ_SECONDS:-120}"
read -r -a targets <<<"${FUZZ_TARGETS:-analysis incremental_sync}"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
work="${FUZZ_WORK:-$target_dir/work}"
# No AddressSanitizer: ticklens has no `unsafe` code, and tree-sitter's C is not
# built with the sanitizer either way; without it the targets run about three
# times faster. Debug assertions and overflow checks stay on (cargo-fuzz's default).
fuzz_flags=(--sanitizer none --target-dir "$target_dir")

start=$(date +%s)
cargo fuzz build "${fuzz_flags[@]}"
echo "fuzz: built the targets in $(($(date +%s) - start)) s"

failed=()
for target in "${targets[@]}"; do
  mkdir -p "$work/corpus/$target" "$work/artifacts/$target"
  corpora=("$work/corpus/$target")
  if [ -d "fuzz/corpus/$target" ]; then
    corpora+=("fuzz/corpus/$target")
  fi
  log="$work/$target.log"
  echo "fuzz: $target for $seconds s (log: $log)"
  status=0
  # New inputs go to the first corpus folder, so the committed corpus stays untouched.
  nice -n 10 cargo fuzz run "${fuzz_flags[@]}" "$target" "${corpora[@]}" -- \
    -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/$target/" \
    >"$log" 2>&1 || status=$?
  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" |
    sed "s/^/fuzz: $target: /" || true
  if [ "$status" -ne 0 ]; then
    echo "fuzz: $target FAILED (exit $status); the end of its log:" >&2
    tail -n 60 "$log" >&2
    failed+=("$target")
  fi
done

echo "fuzz: done in $(($(date +%s) - start)) s"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]}; inputs in $work/artifacts/" >&2
  exit 1
fi
