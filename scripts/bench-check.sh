#!/usr/bin/env bash
# Measures `ticklens check` on real npm code side by side with the linters users
# run today, each set to its closest async rules, and tree-sitter's bare parse.
#
#   scripts/bench-check.sh            # RUNS=3 THREADS="1 <nproc>" CORPORA=js by default
#   CORPORA="js ts" scripts/bench-check.sh   # the JavaScript and the TypeScript corpus, one run
#
# CORPORA names the corpora to measure, in turn: `js` (scripts/corpus.sh) and `ts` (the
# TypeScript sources of scripts/ts-corpus.sh; ESLint's core parser cannot read TypeScript, so
# ESLint sits that one out, and the tree-sitter parse bench is for JavaScript only). With both,
# the summary ends with ticklens's CPU seconds per MB on TypeScript over JavaScript.
# SKIP_PARSE_BENCH=1 leaves out the parse bench (it builds the bench profile, minutes).
#
# Needs node/npm (scripts/install-node.sh) and cargo. Installs, outside the repo under
# ${TICKLENS_CACHE:-$HOME/.cache/ticklens}: the corpus (scripts/corpus.sh) and the
# linters (linters-<key>/); installs hyperfine with apt-get when it is missing.
# Writes hyperfine's JSON/Markdown, /usr/bin/time -v output and the parse bench into
# $TICKLENS_CACHE/bench-<date>/ and prints a summary table for docs/performance.md.
#
# Rule mapping (ticklens rule <- ESLint core / oxlint / Biome):
#   async-promise-executor     <- no-async-promise-executor / no-async-promise-executor / noAsyncPromiseExecutor
#   await-in-loop              <- no-await-in-loop / no-await-in-loop / noAwaitInLoops
#   needless-async             <- require-await / require-await / useAwait
#   promise-constructor-wrap   <- no-promise-executor-return / no-promise-executor-return / noPromiseExecutorReturn
#   await-non-promise          <- no-return-await* / unicorn/no-unnecessary-await / noUselessAwait
#   stale-read-across-await    <- require-atomic-updates / unicorn/no-await-in-promise-methods** / noFloatingPromises***
#   *   ESLint core has no await-of-non-promise rule; no-return-await is its nearest `await` misuse rule.
#   **  oxlint has no require-atomic-updates; its nearest (await-in-promise-all) rule stands in.
#   *** Biome has neither; noFloatingPromises (floating-promise) stands in. It uses Biome's type
#       inference, so Biome is also measured with only its five syntactic rules ("biome-5").
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache="${TICKLENS_CACHE:-$HOME/.cache/ticklens}"
RUNS=${RUNS:-3}
THREADS=${THREADS:-"1 $(nproc)"}
CORPORA=${CORPORA:-js}

echo "== build ticklens (release)" >&2
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
cargo build --release --bin ticklens --manifest-path "$repo/Cargo.toml" >&2
ticklens="$CARGO_TARGET_DIR/release/ticklens"

LINTERS=(oxlint@1.94.0 @biomejs/biome@2.6.8 eslint@10.15.0)
lkey=$(printf '%s\n' "${LINTERS[@]}" | sha256sum | cut -c1-12)
linters="$cache/linters-$lkey"
if [[ ! -f "$linters/.complete" ]]; then
  echo "== install ${LINTERS[*]} into $linters" >&2
  mkdir -p "$linters"
  echo '{"name":"ticklens-bench-linters","private":true}' >"$linters/package.json"
  npm install --prefix "$linters" --no-audit --no-fund --loglevel=error --save-exact "${LINTERS[@]}" >&2
  touch "$linters/.complete"
fi
bin="$linters/node_modules/.bin"

cat >"$linters/oxlintrc.json" <<'JSON'
{
  "categories": { "correctness": "off", "suspicious": "off", "pedantic": "off", "perf": "off", "style": "off", "restriction": "off", "nursery": "off" },
  "plugins": ["eslint", "unicorn"],
  "rules": {
    "no-async-promise-executor": "warn",
    "no-await-in-loop": "warn",
    "require-await": "warn",
    "no-promise-executor-return": "warn",
    "unicorn/no-unnecessary-await": "warn",
    "unicorn/no-await-in-promise-methods": "warn"
  }
}
JSON
biome_config() { # $1 folder, $2 extra nursery rules
  mkdir -p "$1"
  cat >"$1/biome.json" <<JSON
{
  "root": true,
  "vcs": { "enabled": false },
  "files": { "maxSize": 5242880 },
  "formatter": { "enabled": false },
  "assist": { "enabled": false },
  "linter": {
    "rules": {
      "recommended": false,
      "suspicious": { "noAsyncPromiseExecutor": "warn", "useAwait": "warn" },
      "performance": { "noAwaitInLoops": "warn" },
      "nursery": { "noPromiseExecutorReturn": "warn", "noUselessAwait": "warn"$2 }
    }
  }
}
JSON
}
biome_config "$linters/biome6" ', "noFloatingPromises": "warn"'
biome_config "$linters/biome5" ''
cat >"$linters/eslint.config.mjs" <<'JS'
export default [
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs", "**/*.jsx"],
    languageOptions: { ecmaVersion: "latest", parserOptions: { ecmaFeatures: { jsx: true } } },
    linterOptions: { reportUnusedDisableDirectives: "off" },
    rules: {
      "no-async-promise-executor": "warn",
      "no-await-in-loop": "warn",
      "require-await": "warn",
      "no-promise-executor-return": "warn",
      "no-return-await": "warn",
      "require-atomic-updates": "warn",
    },
  },
];
JS

if ! command -v hyperfine >/dev/null; then
  echo "== install hyperfine" >&2
  apt-get install -y hyperfine >&2 || { apt-get update >&2 && apt-get install -y hyperfine >&2; }
fi

bench_root="$cache/bench-$(date +%Y%m%d-%H%M%S)"
for kind in $CORPORA; do
case "$kind" in
  js) corpus="$("$repo/scripts/corpus.sh")/files" ;;
  ts) corpus="$("$repo/scripts/ts-corpus.sh")/files" ;;
  *) echo "bench-check: unknown corpus $kind (js or ts)" >&2; exit 2 ;;
esac
corpus_bytes=$(find "$corpus" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
corpus_files=$(find "$corpus" -type f | wc -l)
out="$bench_root/$kind"
mkdir -p "$out"
warm="$out/warm-cache"
"$ticklens" check "$corpus" --cache-dir "$warm" --format compact >/dev/null || true

# name|command-with-@T@-for-threads; every command runs from inside the corpus folder.
commands() {
  local t=$1 eslint_conc
  if [[ $t == 1 ]]; then eslint_conc=off; else eslint_conc=$t; fi
  cat <<CMDS
ticklens-cold|$ticklens check . --no-cache --threads $t --format compact
ticklens-warm|$ticklens check . --cache-dir $warm --threads $t --format compact
oxlint|$bin/oxlint -c $linters/oxlintrc.json --threads $t .
biome-6|env RAYON_NUM_THREADS=$t $bin/biome lint --config-path=$linters/biome6 --max-diagnostics=0 .
biome-5|env RAYON_NUM_THREADS=$t $bin/biome lint --config-path=$linters/biome5 --max-diagnostics=0 .
CMDS
  if [[ $kind == js ]]; then
    echo "eslint|$bin/eslint -c $linters/eslint.config.mjs --no-config-lookup --no-inline-config --concurrency $eslint_conc ."
  fi
}

{
  echo "date: $(date -u +%FT%TZ)"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "corpus: $corpus ($corpus_files files, $corpus_bytes bytes)"
  echo "ticklens: $("$ticklens" --version) ($(git -C "$repo" rev-parse --short HEAD))"
  echo "oxlint: $("$bin/oxlint" --version)"
  echo "biome: $("$bin/biome" --version)"
  echo "eslint: $("$bin/eslint" --version)"
  echo "node: $(node --version)"
  echo "hyperfine: $(hyperfine --version)"
} | tee "$out/versions.txt" >&2

cd "$corpus"
for t in $THREADS; do
  echo "== $t thread(s); load before: $(uptime)" | tee -a "$out/load.txt" >&2
  args=()
  # /usr/bin/time records every timed run's peak RSS (kB) beside hyperfine's figures.
  while IFS='|' read -r name cmd; do
    args+=(-n "$name@$t" "/usr/bin/time -f %M -a -o $out/rss-$name@$t.txt $cmd")
  done < <(commands "$t")
  hyperfine --runs "$RUNS" -i \
    --export-json "$out/hyperfine-$t.json" --export-markdown "$out/hyperfine-$t.md" "${args[@]}" >&2
  echo "== $t thread(s); load after: $(uptime)" | tee -a "$out/load.txt" >&2
done

if [[ $kind == js && -z "${SKIP_PARSE_BENCH:-}" ]]; then
  echo "== tree-sitter parse and analysis split (1 thread)" >&2
  (cd "$repo" && TICKLENS_CORPUS="$corpus" cargo bench -p ticklens --bench parse_corpus 2>/dev/null) | tee "$out/parse_corpus.txt" >&2
fi

echo "### corpus $kind: $corpus_files files, $(awk "BEGIN {printf \"%.1f\", $corpus_bytes / 1e6}") MB"
echo ""
node - "$out" "$corpus_bytes" "$THREADS" <<'JS'
const fs = require("fs");
const [out, bytes, threads] = [process.argv[2], Number(process.argv[3]), process.argv[4].split(" ")];
const rows = [];
for (const t of threads) {
  const runs = JSON.parse(fs.readFileSync(`${out}/hyperfine-${t}.json`)).results;
  for (const r of runs) {
    const name = r.command;
    const rss = fs.readFileSync(`${out}/rss-${name}.txt`, "utf8").split("\n").map(Number).filter((n) => n > 0);
    rows.push({ name, t, mean: r.mean, sd: r.stddev, cpu: r.user + r.system, rss: Math.max(...rss) / 1024 });
  }
}
console.log("| tool | threads | wall (s, mean ± sd) | CPU user+sys (s) | peak RSS (MB) | MB/s (wall) | MB/s per CPU-s |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows) {
  const mb = bytes / 1e6;
  // hyperfine gives no standard deviation (null) for a single run.
  const sd = r.sd == null ? "" : ` ± ${r.sd.toFixed(2)}`;
  console.log(`| ${r.name.split("@")[0]} | ${r.t} | ${r.mean.toFixed(2)}${sd} | ${r.cpu.toFixed(2)} | ${r.rss.toFixed(0)} | ${(mb / r.mean).toFixed(1)} | ${(mb / r.cpu).toFixed(1)} |`);
}
console.log("");
for (const t of threads) {
  const at = rows.filter((r) => r.t === t);
  const get = (n) => at.find((r) => r.name.startsWith(n + "@")).mean;
  const cold = get("ticklens-cold");
  const eslint = at.some((r) => r.name.startsWith("eslint@")) ? `, eslint/ticklens-cold ${(get("eslint") / cold).toFixed(2)}` : "";
  console.log(`ratios at ${t} thread(s), same run: biome-6/ticklens-cold ${(get("biome-6") / cold).toFixed(2)}, biome-5/ticklens-cold ${(get("biome-5") / cold).toFixed(2)}${eslint}, oxlint/ticklens-warm ${(get("oxlint") / get("ticklens-warm")).toFixed(2)}, oxlint/ticklens-cold ${(get("oxlint") / cold).toFixed(2)}`);
  // CPU seconds per MB of ticklens's cold check, for comparing corpora (below).
  const mine = at.find((r) => r.name.startsWith("ticklens-cold@"));
  fs.appendFileSync(`${out}/../cpu-per-mb.txt`, `${out.split("/").pop()} ${t} ${mine.cpu / (bytes / 1e6)}\n`);
}
console.log("");
JS
done

if [[ -f "$bench_root/cpu-per-mb.txt" ]] && grep -q '^ts ' "$bench_root/cpu-per-mb.txt" && grep -q '^js ' "$bench_root/cpu-per-mb.txt"; then
  awk '{ cpu[$1 " " $2] = $3; threads[$2] = 1 }
       END { for (t in threads) if (("ts " t) in cpu && ("js " t) in cpu)
               printf "ticklens-cold CPU-s per MB at %s thread(s): TypeScript %.3f, JavaScript %.3f, TypeScript/JavaScript %.2f\n",
                 t, cpu["ts " t], cpu["js " t], cpu["ts " t] / cpu["js " t] }' "$bench_root/cpu-per-mb.txt"
fi
out="$bench_root"
echo "results: $out" >&2
