#!/usr/bin/env bash
# Soak test (not part of CI): builds the release server, then runs scripts/soak.py
# for SOAK_MINUTES (default 30) of randomized edits and requests, sampling the
# server's RSS every 10 s. Writes rss.csv, summary.json and soak-rss.png to
# SOAK_OUT (default <target>/soak); SOAK_PUBLISH=1 also copies the plot to
# docs/reliability/soak-rss.png. matplotlib comes from PyPI into a cache venv.
set -euo pipefail
cd "$(dirname "$0")/.."

MATPLOTLIB_VERSION=3.10.7
cache="${TICKLENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ticklens}"
venv="$cache/soak-venv-matplotlib-$MATPLOTLIB_VERSION"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
  echo "soak: installing matplotlib $MATPLOTLIB_VERSION into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "matplotlib==$MATPLOTLIB_VERSION"
fi

target="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --release --locked --bin ticklens
out="${SOAK_OUT:-$target/soak}"
status=0
"$venv/bin/python" scripts/soak.py --server "$target/release/ticklens" --out "$out" || status=$?
if [ "${SOAK_PUBLISH:-0}" = 1 ] && [ -f "$out/soak-rss.png" ]; then
  mkdir -p docs/reliability
  cp "$out/soak-rss.png" docs/reliability/soak-rss.png
fi
exit "$status"
