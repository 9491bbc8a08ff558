#!/usr/bin/env bash
# Fuzzes ticklens with cargo-fuzz (libFuzzer): builds the targets of fuzz/ and runs
# each for FUZZ_SECONDS (default 120) from its committed seed archive,
# fuzz/seeds/<target>.tar (unpacked into the work folder's seeds/<target>/ first).
# Exits non-zero when a target crashes, times out or runs out of memory; the input
# that did it is kept in the work folder's artifacts/<target>/ and the log names it.
#
# The seeds are one archive per target, not a folder of files in the tree: a corpus
# is thousands of small files. `scripts/fuzz.sh pack` writes each archive again from
# its inputs, the work folder's corpus/<target>/ (what fuzzing added) and
# artifacts/<target>/ (crash inputs, once fixed); tests/fuzz_regressions.rs replays
# every input of both archives. libFuzzer names inputs by their SHA-1, so the
# union holds each input once.
#
# cargo-fuzz is installed from crates.io into a cache folder outside the repo,
# keyed by its version. The toolchain is stable, so RUSTC_BOOTSTRAP=1 lets the
# -Z and sancov flags cargo-fuzz passes through.
#
#   FUZZ_SECONDS=1800 scripts/fuzz.sh            # each target for 30 minutes
#   FUZZ_TARGETS=analysis scripts/fuzz.sh        # one target
#   FUZZ_WORK=/tmp/fuzz scripts/fuzz.sh          # where new inputs and crashes go
#   scripts/fuzz.sh pack                         # fold them into fuzz/seeds/*.tar
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-120}"
read -r -a targets <<<"${FUZZ_TARGETS:-analysis incremental_sync}"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
work="${FUZZ_WORK:-$target_dir/work}"

# unpack <target> <folder>: the inputs of fuzz/seeds/<target>.tar into <folder>, afresh.
unpack() {
  rm -rf "$2"
  mkdir -p "$2"
  tar -xf "fuzz/seeds/$1.tar" -C "$2"
}

# pack <target>: fuzz/seeds/<target>.tar from its inputs and the work folder's new
# inputs and crash inputs; the same bytes for the same inputs (sorted, no dates).
pack() {
  local all="$work/pack/$1"
  unpack "$1" "$all"
  for extra in "$work/corpus/$1" "$work/artifacts/$1"; do
    if [ -d "$extra" ]; then
      find "$extra" -maxdepth 1 -type f -exec cp {} "$all/" \;
    fi
  done
  (cd "$all" && find . -maxdepth 1 -type f -printf '%P\n' | LC_ALL=C sort |
    tar --format=ustar --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - -T -) \
    >"fuzz/seeds/$1.tar"
  echo "fuzz: fuzz/seeds/$1.tar holds $(tar -tf "fuzz/seeds/$1.tar" | wc -l) inputs"
}

if [ "${1:-}" = pack ]; then
  for target in "${targets[@]}"; do
    pack "$target"
  done
  exit 0
fi

CARGO_FUZZ_VERSION=0.13.2
cache="${TICKLENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ticklens}"
fuzz_root="$cache/cargo-fuzz-$CARGO_FUZZ_VERSION"
if [ ! -x "$fuzz_root/bin/cargo-fuzz" ]; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION into $fuzz_root"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$fuzz_root"
fi
export PATH="$fuzz_root/bin:$PATH"
export RUSTC_BOOTSTRAP=1
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
  unpack "$target" "$work/seeds/$target"
  corpora=("$work/corpus/$target" "$work/seeds/$target")
  log="$work/$target.log"
  echo "fuzz: $target for $seconds s (log: $log)"
  status=0
  # New inputs go to the first corpus folder, so the unpacked seeds stay as committed.
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
