#!/usr/bin/env bash
# Installs a corpus of real TypeScript (the .ts/.mts/.cts/.tsx sources that pinned npm
# packages ship beside their builds) into a cache folder outside the repository, and
# prints its path. The TypeScript sibling of scripts/corpus.sh (tuning) and
# scripts/heldout-corpus.sh (held out).
#
#   scripts/ts-corpus.sh            -> ${TICKLENS_CACHE:-$HOME/.cache/ticklens}/ts-corpus-<key>
#   scripts/ts-corpus.sh heldout    -> ${TICKLENS_CACHE:-$HOME/.cache/ticklens}/ts-heldout-<key>
#   scripts/ts-corpus.sh heldout2   -> ${TICKLENS_CACHE:-$HOME/.cache/ticklens}/ts-heldout2-<key>
#   scripts/ts-corpus.sh heldout3   -> ${TICKLENS_CACHE:-$HOME/.cache/ticklens}/ts-heldout3-<key>
#   scripts/ts-corpus.sh heldout4   -> ${TICKLENS_CACHE:-$HOME/.cache/ticklens}/ts-heldout4-<key>
#   scripts/ts-corpus.sh heldout5   -> ${TICKLENS_CACHE:-$HOME/.cache/ticklens}/ts-heldout5-<key>
#
# <key> is a hash of the pinned list below, so changing a version makes a new corpus.
# The folder holds:
#   node_modules/   what `npm install --prefix` put there (never committed)
#   files/          the .ts/.mts/.cts/.tsx files every tool is measured on (declaration
#                   files `.d.ts`/`.d.mts`/`.d.cts` left out, as `check` skips them): hard
#                   links to node_modules, with `node_modules/` renamed to `pkgs/` (linters
#                   skip folders named node_modules), minus files over 5 MB
#   versions.txt    the resolved version of every installed package
# Running it again with the same list does nothing and prints the same path.
set -euo pipefail

# Tuning corpus, pinned on 2026-12-06: packages that ship their TypeScript sources in src/.
TUNING=(
  rxjs@7.8.2
  @tanstack/query-core@5.108.4
  effect@4.1.5
  @trpc/server@11.25.2
  zod@4.6.7
)

# Held-out corpus, chosen and pinned on 2026-12-06 with the tuning corpus, before any
# finding on either was read (docs/precision.md). None of the tuning packages is measured
# here, even when installed as a dependency (react-query's query-core, trpc client's server).
HELDOUT=(
  @reduxjs/toolkit@2.16.0
  @tanstack/react-query@5.108.4
  @trpc/client@11.25.2
  msw@3.0.5
  @tanstack/router-core@1.171.39
)

# Second held-out corpus, pinned on 2026-12-06 before any rule change it is to judge
# (floating-promise's cannot-reject facts, issue 22) and before `check` ran on it: five
# vendors' promise-based clients that ship their TypeScript sources. Measured with
#   scripts/precision-sample.py FINDINGS --root FILES --seed 3106 --per-rule 20 --context 3
# (docs/precision.md). No package of the other TypeScript corpora or of the JavaScript
# corpora (scripts/corpus.sh, scripts/heldout-corpus.sh 1 and 2) is measured here, even
# as a dependency (mistral's zod, temporal's @grpc/grpc-js).
HELDOUT2=(
  openai@7.60.0
  @temporalio/client@1.24.0
  @supabase/supabase-js@2.119.0
  @mistralai/mistralai@2.7.0
  ai@7.0.173
)

# Third held-out corpus, pinned on 2026-12-06 (a day after the second) before `check` ran on
# it: to judge floating-promise's "a TypeScript async function declared to return a promise is
# judged by its body" (05e3ce2), tuned on the second's sample. Database drivers, sync engines
# and a realtime SDK that ship their TypeScript sources; no code generator shared with the
# second (its Stainless-made SDKs), and nothing measured in another corpus, even as a dependency.
HELDOUT3=(
  mongodb@7.9.1
  convex@1.48.0
  @tanstack/db@0.15.2
  @electric-sql/client@1.5.28
  @automerge/automerge-repo@2.5.6
  livekit-server-sdk@2.19.2
  @powersync/common@2.3.0
)

# Fourth held-out corpus, pinned on 2026-12-07 before `check` ran on it and before the rule
# change it is to judge: floating-promise's cannot-throw facts for a `then` callback that calls
# a private method of its class or a method of a Map/Set field the class creates (issue 22,
# from the third corpus's two false positives). Peer-to-peer networking, a cloud storage client,
# blockchain clients and a gRPC library, each shipping its TypeScript sources (`npm pack
# --dry-run` lists `src/*.ts` beside the builds): code that chains promises on sockets, streams,
# timers and RPC calls, from teams none of the other corpora has. Not @tanstack/pacer (its
# sibling pacer-lite is in the third corpus), nor a Stainless-made SDK (the second corpus's),
# and nothing measured in another corpus, even as a dependency. Sampled as the others are:
#   scripts/precision-sample.py FINDINGS --root FILES --seed 3106 --per-rule 20 --context 3
HELDOUT4=(
  libp2p@3.3.11
  @aws-amplify/storage@6.17.0
  @wagmi/core@3.6.5
  nice-grpc@2.1.18
  @solana/kit@8.4.0
  @ethereumjs/blockchain@10.1.3
)

# Fifth held-out corpus, pinned on 2026-12-07 before `check` ran on it and before any rule
# change it is to judge: the default-on rules' precision on TypeScript, pool by pool (library
# and test, as the JavaScript held-out protocol reports them), and floating-promise's with every
# rule on. A chat client, a realtime (SignalR) client, an authentication library, a STOMP
# messaging client and a collaborative-editing server, each shipping its TypeScript sources
# (`npm pack --dry-run` lists them beside the builds): domains none of the other corpora has
# (no blockchain client, held-out 4's; no Stainless-made SDK, held-out 2's), and nothing
# measured in another corpus, even as a dependency. Sampled as the others are:
#   scripts/precision-sample.py FINDINGS --root FILES --seed 3106 --per-rule 20 --context 3
HELDOUT5=(
  matrix-js-sdk@37.5.0
  @microsoft/signalr@11.0.0
  @azure/msal-node@7.2.4
  @stomp/stompjs@7.5.0
  @hocuspocus/server@3.4.4
)

# The JavaScript corpora's packages (scripts/corpus.sh, scripts/heldout-corpus.sh 1 and 2).
JAVASCRIPT=(typescript webpack eslint lodash rxjs three undici express axios react-dom mongoose
  ws koa pg mysql2 fastify bullmq ioredis mocha got node-fetch p-queue knex execa nodemailer
  sequelize redis amqplib kafkajs @hapi/hapi socket.io puppeteer-core typeorm mssql
  @grpc/grpc-js mqtt agenda superagent pacote)

names() { sed 's/@[^@]*$//'; }
case "${1:-tuning}" in
  tuning) PACKAGES=("${TUNING[@]}"); name=ts-corpus; skip=() ;;
  heldout) PACKAGES=("${HELDOUT[@]}"); name=ts-heldout; mapfile -t skip < <(printf '%s\n' "${TUNING[@]}" | names) ;;
  heldout2)
    PACKAGES=("${HELDOUT2[@]}"); name=ts-heldout2
    # Every package installed in the other TypeScript corpora, and the JavaScript corpora's.
    here=$(dirname "$0")
    mapfile -t skip < <({ printf '%s\n' "${TUNING[@]}" "${HELDOUT[@]}" | names
      printf '%s\n' "${JAVASCRIPT[@]}"
      for corpus in "$("$here/ts-corpus.sh" tuning)" "$("$here/ts-corpus.sh" heldout)"; do
        names <"$corpus/versions.txt"
      done; } | sort -u)
    ;;
  heldout3)
    PACKAGES=("${HELDOUT3[@]}"); name=ts-heldout3
    here=$(dirname "$0")
    mapfile -t skip < <({ printf '%s\n' "${TUNING[@]}" "${HELDOUT[@]}" "${HELDOUT2[@]}" | names
      printf '%s\n' "${JAVASCRIPT[@]}"
      for corpus in "$("$here/ts-corpus.sh" tuning)" "$("$here/ts-corpus.sh" heldout)" \
        "$("$here/ts-corpus.sh" heldout2)"; do
        names <"$corpus/versions.txt"
      done; } | sort -u)
    ;;
  heldout4)
    PACKAGES=("${HELDOUT4[@]}"); name=ts-heldout4
    here=$(dirname "$0")
    mapfile -t skip < <({ printf '%s\n' "${TUNING[@]}" "${HELDOUT[@]}" "${HELDOUT2[@]}" "${HELDOUT3[@]}" | names
      printf '%s\n' "${JAVASCRIPT[@]}"
      for corpus in "$("$here/ts-corpus.sh" tuning)" "$("$here/ts-corpus.sh" heldout)" \
        "$("$here/ts-corpus.sh" heldout2)" "$("$here/ts-corpus.sh" heldout3)"; do
        names <"$corpus/versions.txt"
      done; } | sort -u)
    ;;
  heldout5)
    PACKAGES=("${HELDOUT5[@]}"); name=ts-heldout5
    here=$(dirname "$0")
    mapfile -t skip < <({ printf '%s\n' "${TUNING[@]}" "${HELDOUT[@]}" "${HELDOUT2[@]}" "${HELDOUT3[@]}" \
        "${HELDOUT4[@]}" | names
      printf '%s\n' "${JAVASCRIPT[@]}"
      for corpus in "$("$here/ts-corpus.sh" tuning)" "$("$here/ts-corpus.sh" heldout)" \
        "$("$here/ts-corpus.sh" heldout2)" "$("$here/ts-corpus.sh" heldout3)" \
        "$("$here/ts-corpus.sh" heldout4)"; do
        names <"$corpus/versions.txt"
      done; } | sort -u)
    ;;
  *) echo "usage: $0 [tuning|heldout|heldout2|heldout3|heldout4|heldout5]" >&2; exit 2 ;;
esac

key=$(printf '%s\n' "${PACKAGES[@]}" | sha256sum | cut -c1-12)
root="${TICKLENS_CACHE:-$HOME/.cache/ticklens}/$name-$key"

if [[ -f "$root/.complete" ]]; then
  echo "$root"
  exit 0
fi

mkdir -p "$root"
printf '%s\n' "${PACKAGES[@]}" >"$root/packages.txt"
echo '{"name":"ticklens-ts-corpus","private":true}' >"$root/package.json"
npm install --prefix "$root" --ignore-scripts --no-audit --no-fund --loglevel=error \
  --legacy-peer-deps --save-exact "${PACKAGES[@]}" >&2

rm -rf "$root/files"
node - "$root" "${skip[@]}" <<'JS' >&2
const fs = require("fs");
const path = require("path");
const root = process.argv[2];
const skip = new Set(process.argv.slice(3));
const from = path.join(root, "node_modules");
const to = path.join(root, "files");
const typescript = /(?<!\.d)\.(ts|mts|cts|tsx)$/;
let kept = 0, bytes = 0, big = 0, skipped = 0;
function walk(dir, rel) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const src = path.join(dir, entry.name);
    const parent = path.basename(dir);
    const pkg = parent === "node_modules" ? entry.name
      : parent.startsWith("@") && path.basename(path.dirname(dir)) === "node_modules" ? `${parent}/${entry.name}` : null;
    if (entry.isDirectory() && pkg !== null && skip.has(pkg)) { skipped++; continue; }
    // Hidden folders: npm's staging and retired copies, which `check` skips too.
    if (entry.isDirectory() && entry.name.startsWith(".")) continue;
    const name = entry.name === "node_modules" ? "pkgs" : entry.name;
    if (entry.isDirectory()) walk(src, path.join(rel, name));
    else if (entry.isFile() && typescript.test(entry.name)) {
      const size = fs.statSync(src).size;
      if (size > 5 * 1024 * 1024) { big++; continue; }
      const dest = path.join(to, rel, name);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.linkSync(src, dest);
      kept++; bytes += size;
    }
  }
}
walk(from, "pkgs");
console.log(`corpus: ${kept} files, ${(bytes / 1e6).toFixed(1)} MB kept; ${big} over 5 MB left out; ${skipped} copies of packages measured in another corpus left out`);
JS

(cd "$root" && npm ls --all --parseable --long 2>/dev/null | sed -n 's#.*node_modules/\(.*\)$#\1#p' \
  | awk -F: '{print $2}' | sort -u >versions.txt) || true
touch "$root/.complete"
echo "$root"
