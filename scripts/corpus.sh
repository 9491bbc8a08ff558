#!/usr/bin/env bash
# Installs a corpus of real JavaScript (the sources of widely used npm packages,
# pinned) into a cache folder outside the repository, and prints its path.
#
#   scripts/corpus.sh            -> ${TICKLENS_CACHE:-$HOME/.cache/ticklens}/corpus-<key>
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

PACKAGES=(
  typescript@5.6.3
  webpack@5.95.0
  eslint@9.13.0
  lodash@4.17.21
  rxjs@7.8.1
  three@0.169.0
  undici@6.20.1
  express@4.21.1
  axios@1.7.7
  react-dom@18.3.1
  mongoose@8.7.2
  ws@8.18.0
  koa@2.15.3
)

key=$(printf '%s\n' "${PACKAGES[@]}" | sha256sum | cut -c1-12)
root="${TICKLENS_CACHE:-$HOME/.cache/ticklens}/corpus-$key"

if [[ -f "$root/.complete" ]]; then
  echo "$root"
  exit 0
fi

mkdir -p "$root"
printf '%s\n' "${PACKAGES[@]}" >"$root/packages.txt"
echo '{"name":"ticklens-corpus","private":true}' >"$root/package.json"
npm install --prefix "$root" --ignore-scripts --no-audit --no-fund --loglevel=error \
  --save-exact "${PACKAGES[@]}" >&2

rm -rf "$root/files"
node - "$root" <<'JS' >&2
const fs = require("fs");
const path = require("path");
const root = process.argv[2];
const from = path.join(root, "node_modules");
const to = path.join(root, "files");
const exts = new Set([".js", ".mjs", ".cjs", ".jsx"]);
let kept = 0, bytes = 0, big = 0, minified = 0;
function walk(dir, rel) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const src = path.join(dir, entry.name);
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
console.log(`corpus: ${kept} files, ${(bytes / 1e6).toFixed(1)} MB kept; ${big} over 5 MB and ${minified} minified left out`);
JS

(cd "$root" && npm ls --all --parseable --long 2>/dev/null | sed -n 's#.*node_modules/\(.*\)$#\1#p' \
  | awk -F: '{print $2}' | sort -u >versions.txt) || true
touch "$root/.complete"
echo "$root"
