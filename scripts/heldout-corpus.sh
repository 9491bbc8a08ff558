#!/usr/bin/env bash
# Installs a HELD-OUT corpus of real JavaScript (pinned npm packages with plenty of
# async code) into a cache folder outside the repository, and prints its path.
# Rules are tuned on scripts/corpus.sh; this list was chosen and pinned before a
# rule change is made, so a change can be judged on code it was not tuned on
# (docs/precision.md). None of the tuning corpus's 13 packages is listed, and
# files of those packages pulled in as dependencies are left out of files/.
#
#   scripts/heldout-corpus.sh      -> ${TICKLENS_CACHE:-$HOME/.cache/ticklens}/heldout-<key>
#   scripts/heldout-corpus.sh 2    -> the second held-out corpus (below)
#
# <key> is a hash of the pinned list below, so changing a version makes a new corpus.
# The folder holds:
#   node_modules/   what `npm install --prefix` put there (never committed)
#   files/          the .js/.mjs/.cjs/.jsx files every tool is measured on: hard links
#                   to node_modules, with `node_modules/` renamed to `pkgs/` (linters
#                   skip folders named node_modules), minus files over 5 MB and
#                   minified bundles (average line over 500 bytes), which `ticklens check`
#                   skips by default too.
#   versions.txt    the resolved version of every installed package
# Running it again with the same list does nothing and prints the same path.
set -euo pipefail

# The first held-out corpus, pinned at 1aa0bde (2026-12-05), measured at d40c09a.
FIRST=(
  pg@8.13.1
  mysql2@3.11.4
  fastify@5.1.0
  bullmq@5.34.0
  ioredis@5.4.1
  mocha@10.8.2
  got@14.4.5
  node-fetch@3.3.2
  p-queue@8.0.1
  knex@3.1.0
  execa@9.5.1
  nodemailer@6.9.16
)

# The second, chosen and pinned on 2026-12-06 after the first was measured and read, before
# the rule changes that measurement led to; none of its packages is in the tuning corpus or
# the first held-out corpus, and files of any package installed in either are left out.
SECOND=(
  sequelize@6.37.8
  redis@6.4.0
  amqplib@2.3.1
  kafkajs@2.2.4
  @hapi/hapi@21.4.13
  socket.io@4.8.4
  puppeteer-core@25.19.0
  typeorm@1.1.3
  mssql@12.7.16
  @grpc/grpc-js@1.14.7
  mqtt@5.16.0
  agenda@6.2.6
  superagent@10.4.2
  pacote@22.0.1
)

# The tuning corpus (scripts/corpus.sh): never measured here, even as a dependency.
TUNING=(typescript webpack eslint lodash rxjs three undici express axios react-dom mongoose ws koa)

case "${1:-1}" in
  1) PACKAGES=("${FIRST[@]}") ;;
  2)
    PACKAGES=("${SECOND[@]}")
    # Every package installed in the tuning corpus or the first held-out corpus.
    here=$(dirname "$0")
    for corpus in "$("$here/corpus.sh")" "$("$here/heldout-corpus.sh" 1)"; do
      mapfile -t -O "${#TUNING[@]}" TUNING < <(sed 's/@[^@]*$//' "$corpus/versions.txt")
    done
    ;;
  *) echo "usage: $0 [1|2]" >&2; exit 2 ;;
esac

key=$(printf '%s\n' "${PACKAGES[@]}" | sha256sum | cut -c1-12)
root="${TICKLENS_CACHE:-$HOME/.cache/ticklens}/heldout-$key"

if [[ -f "$root/.complete" ]]; then
  echo "$root"
  exit 0
fi

mkdir -p "$root"
printf '%s\n' "${PACKAGES[@]}" >"$root/packages.txt"
echo '{"name":"ticklens-heldout-corpus","private":true}' >"$root/package.json"
npm install --prefix "$root" --ignore-scripts --no-audit --no-fund --loglevel=error \
  --save-exact "${PACKAGES[@]}" >&2

rm -rf "$root/files"
node - "$root" "${TUNING[@]}" <<'JS' >&2
const fs = require("fs");
const path = require("path");
const root = process.argv[2];
const tuning = new Set(process.argv.slice(3));
const from = path.join(root, "node_modules");
const to = path.join(root, "files");
const exts = new Set([".js", ".mjs", ".cjs", ".jsx"]);
let kept = 0, bytes = 0, big = 0, minified = 0, tuned = 0;
function walk(dir, rel) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const src = path.join(dir, entry.name);
    const parent = path.basename(dir);
    const pkg = parent === "node_modules" ? entry.name
      : parent.startsWith("@") && path.basename(path.dirname(dir)) === "node_modules" ? `${parent}/${entry.name}` : null;
    if (entry.isDirectory() && pkg !== null && tuning.has(pkg)) { tuned++; continue; }
    // Hidden folders: npm's staging and retired copies (`.lodash-XkB1`), left
    // when two installs share a cache; `check` skips hidden folders too.
    if (entry.isDirectory() && entry.name.startsWith(".")) continue;
    const name = entry.name === "node_modules" ? "pkgs" : entry.name;
    if (entry.isDirectory()) walk(src, path.join(rel, name));
    else if (entry.isFile() && exts.has(path.extname(entry.name))) {
      const size = fs.statSync(src).size;
      if (size > 5 * 1024 * 1024) { big++; continue; }
      const text = fs.readFileSync(src, "utf8");
      const lines = text.split("\n").length;
      if (size > 20000 && size / lines > 500) { minified++; continue; }
      const dest = path.join(to, rel, name);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.linkSync(src, dest);
      kept++; bytes += size;
    }
  }
}
walk(from, "pkgs");
console.log(`corpus: ${kept} files, ${(bytes / 1e6).toFixed(1)} MB kept; ${big} over 5 MB and ${minified} minified left out; ${tuned} copies of tuning-corpus packages left out`);
JS

(cd "$root" && npm ls --all --parseable --long 2>/dev/null | sed -n 's#.*node_modules/\(.*\)$#\1#p' \
  | awk -F: '{print $2}' | sort -u >versions.txt) || true
touch "$root/.complete"
echo "$root"
