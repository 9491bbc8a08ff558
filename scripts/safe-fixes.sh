#!/usr/bin/env bash
# Applies every safe fix (`ticklens check --fix`) to a copy of both npm corpora (the tuning
# corpus of scripts/corpus.sh and the held-out one of scripts/heldout-corpus.sh) and checks
#   - that every file a fix changed still parses under Node 24 (`node --check`; the copy keeps
#     the packages' package.json files, so `.js` files get their package's module kind), and
#   - which findings remain: only the fixed rules' counts may drop.
# Run by hand; the numbers go in docs/precision.md ("Safe fixes on the corpora").
#
#   TICKLENS_NODE=/path/to/node24 scripts/safe-fixes.sh [path/to/ticklens]
#
# Exits 1 when a fixed file no longer parses although its original did.
set -euo pipefail

cd "$(dirname "$0")/.."
ticklens=$(realpath "${1:-target/release/ticklens}")
node=${TICKLENS_NODE:?set TICKLENS_NODE to Node 24 (scripts/install-node.sh prints its path)}
"$node" --version | grep -q '^v24\.' || { echo "TICKLENS_NODE is not Node 24" >&2; exit 2; }

status=0
for corpus in "$(scripts/corpus.sh)" "$(scripts/heldout-corpus.sh)"; do
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # Real copies: files/ holds hard links into node_modules, which --fix must not touch.
  for side in original fixed; do
    cp -r "$corpus/files" "$work/$side"
    # files/ mirrors node_modules with every `node_modules` folder named `pkgs`.
    (cd "$corpus" && find node_modules -name package.json) |
      while read -r manifest; do
        to="$work/$side/$(sed 's#\(^\|/\)node_modules/#\1pkgs/#g' <<<"$manifest")"
        [[ -d $(dirname "$to") ]] && cp "$corpus/$manifest" "$to"
      done
  done
  # Every rule on, those off by default too: each one's safe fixes are exercised.
  for side in original fixed; do
    { echo '[rules]'; grep -ho 'code: "[a-z-]*"' server/src/rules/*.rs | cut -d'"' -f2 | sort -u |
        sed 's/.*/& = "on"/'; } >"$work/$side/ticklens.toml"
  done
  files=$(find "$work/original" -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.jsx' | wc -l)
  (cd "$work/original" && "$ticklens" check . --no-cache --format compact >"$work/before.txt") || true
  (cd "$work/fixed" && "$ticklens" check . --no-cache --fix --format compact >"$work/after.txt") || true
  # diff exits 1 when files differ: that is the point here.
  changed=$({ diff -rq "$work/original" "$work/fixed" || true; } | sed -n 's#^Files \(.*\) and .* differ$#\1#p' |
    sed "s#^$work/original/##")
  n_changed=0; n_unparsed=0; errors=()
  for file in $changed; do
    n_changed=$((n_changed + 1))
    if ! "$node" --check "$work/original/$file" 2>/dev/null; then
      n_unparsed=$((n_unparsed + 1)); continue
    fi
    if ! message=$("$node" --check "$work/fixed/$file" 2>&1); then
      errors+=("$file: $(grep -m1 'Error' <<<"$message")")
    fi
  done
  echo "== $corpus"
  echo "files: $files; files changed by safe fixes: $n_changed (originals Node does not parse: $n_unparsed)"
  echo "SyntaxErrors after fixing: ${#errors[@]}"
  for error in "${errors[@]}"; do echo "  $error"; status=1; done
  echo "findings per rule, before -> after --fix:"
  join -a1 -a2 -e0 -o0,1.2,2.2 \
    <(sed -n 's/^[^ ]* [a-z]*\[\([a-z-]*\)\].*/\1/p' "$work/before.txt" | sort | uniq -c | awk '{print $2, $1}' | sort) \
    <(sed -n 's/^[^ ]* [a-z]*\[\([a-z-]*\)\].*/\1/p' "$work/after.txt" | sort | uniq -c | awk '{print $2, $1}' | sort) |
    awk '{ printf "  %-30s %5d -> %5d%s\n", $1, $2, $3, ($2 != $3 ? "  (fixed: " $2 - $3 ")" : "") }'
  rm -rf "$work"
done
exit $status
