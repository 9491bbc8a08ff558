#!/usr/bin/env bash
# Tests the npm packages as a user gets them: packs them (scripts/package.sh, or takes the folder
# in $TICKLENS_PACKAGE_DIR that it already filled), installs the launcher and this platform's
# package into a fresh folder with `npm install <tarballs>`, offline (no registry is asked: the
# other platforms' packages are optional and skipped), and runs them through `npx ticklens`:
#   --version       prints the crate's version;
#   check           reports a known finding and exits 1;
#   order f.js      prints what Node 24 prints running f.js;
#   lsp             answers initialize and shutdown on stdio, and exits 0 after `exit`;
# then that the launcher passes usage errors and signals through as the binary does, and that with
# the platform package removed it prints one line naming the package to install and exits 2.
# Fails on the first mismatch; never skips. Linux x86_64 only (the platform built here).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"

say() { echo "test-package: $*" >&2; }
die() {
    say "FAILED: $*"
    exit 1
}

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) die "the package test runs on Linux x86_64 only" ;;
esac

NODE_BIN="$(scripts/install-node.sh | tail -n 1)"
export PATH="$(dirname "${NODE_BIN}"):${PATH}"
PKGID="$(cargo pkgid --offline -p ticklens)"
VERSION="${PKGID##*[#@]}"

PACKAGES="${TICKLENS_PACKAGE_DIR:-}"
if [[ -z "${PACKAGES}" ]]; then
    PACKAGES="${REPO}/target/package"
    scripts/package.sh "${PACKAGES}"
fi
LAUNCHER="${PACKAGES}/ticklens-${VERSION}.tgz"
PLATFORM_PACKAGE="@ticklens/cli-linux-x64"
PLATFORM="${PACKAGES}/ticklens-cli-linux-x64-${VERSION}.tgz"
[[ -f "${LAUNCHER}" && -f "${PLATFORM}" ]] || die "no ${LAUNCHER} or ${PLATFORM}: run scripts/package.sh"

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/ticklens-npm-test.XXXXXX")"
trap 'rm -rf "${SCRATCH}"' EXIT
PROJECT="${SCRATCH}/project"
mkdir -p "${PROJECT}"
# Offline, with an empty cache of its own, and a registry that does not answer: a fetch fails.
export npm_config_cache="${SCRATCH}/npm-cache"
export npm_config_offline=true
export npm_config_registry="http://127.0.0.1:9/"
export npm_config_audit=false
export npm_config_fund=false
export npm_config_update_notifier=false

cd "${PROJECT}"
npm init -y >/dev/null
say "npm install --save-dev $(basename "${LAUNCHER}") $(basename "${PLATFORM}")"
npm install --save-dev "${LAUNCHER}" "${PLATFORM}" >&2 || die "npm install of the tarballs failed"
[[ -x node_modules/.bin/ticklens ]] || die "npm did not link node_modules/.bin/ticklens"
[[ -x node_modules/${PLATFORM_PACKAGE}/ticklens ]] || die "${PLATFORM_PACKAGE} holds no executable ticklens"
cmp -s node_modules/ticklens/ticklens.schema.json "${REPO}/editors/ticklens.schema.json" \
    || die "node_modules/ticklens/ticklens.schema.json is not editors/ticklens.schema.json"

# Runs `npx ticklens ARGS...`, keeping stdout, stderr and the exit status in OUT, ERR and CODE.
run() {
    CODE=0
    npx --offline ticklens "$@" >"${SCRATCH}/out" 2>"${SCRATCH}/err" || CODE=$?
    OUT="$(cat "${SCRATCH}/out")"
    ERR="$(cat "${SCRATCH}/err")"
}
expect_code() {
    [[ "${CODE}" == "$1" ]] || die "npx ticklens $2 exited ${CODE}, expected $1; stdout:
${OUT}
stderr:
${ERR}"
}

# --version
run --version
expect_code 0 --version
[[ "${OUT}" == "ticklens ${VERSION}" ]] || die "npx ticklens --version printed '${OUT}', expected 'ticklens ${VERSION}'"
say "--version: ${OUT}"

# check: a rule set to error in ticklens.toml, found in src/ by `check .`.
mkdir -p src
cat >src/load.js <<'EOF'
async function load() {
  const n = await 42;
  return n;
}
load();
EOF
printf '[rules]\nawait-non-promise = "error"\n' >ticklens.toml
run check --format compact .
expect_code 1 "check --format compact ."
FINDING='src/load.js:2:13: error[await-non-promise] `42` is not a promise'
grep -qF -- "${FINDING}" <<<"${OUT}" || die "npx ticklens check did not print '${FINDING}'; stdout:
${OUT}"
say "check: exit 1, ${FINDING}"

# order: the same lines as Node 24 running the file.
cat >f.js <<'EOF'
async function example() {
  console.log("A");
  const val = await Promise.resolve("B");
  console.log(val);
  console.log("C");
}
process.nextTick(() => console.log("tick"));
Promise.resolve().then(() => console.log("then"));
example();
console.log("D");
EOF
NODE_OUT="$("${NODE_BIN}" f.js)"
run order f.js
expect_code 0 "order f.js"
[[ "${OUT}" == "${NODE_OUT}" ]] || die "npx ticklens order f.js printed
${OUT}
Node 24 printed
${NODE_OUT}"
say "order: $(tr '\n' ' ' <<<"${OUT}")(as Node 24)"

# lsp, usage errors and signals: through npx and the launcher, against the binary itself.
"${NODE_BIN}" - "${VERSION}" "${PROJECT}/node_modules/${PLATFORM_PACKAGE}/ticklens" <<'EOF' || die "lsp or signals"
const { spawn, spawnSync } = require("node:child_process");
const assert = require("node:assert/strict");
const path = require("node:path");
const [version, binary] = process.argv.slice(2);
const launcher = path.resolve("node_modules/.bin/ticklens");

// initialize, initialized, shutdown, exit through `npx ticklens lsp`; the answers and exit 0.
async function lsp() {
  const child = spawn("npx", ["--offline", "ticklens", "lsp"], { stdio: ["pipe", "pipe", "inherit"] });
  const send = (message) => {
    const body = JSON.stringify({ jsonrpc: "2.0", ...message });
    child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };
  let buffer = Buffer.alloc(0);
  const waiting = new Map();
  child.stdout.on("data", (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, end).toString())[1]);
      if (buffer.length < end + 4 + length) return;
      const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString());
      buffer = buffer.subarray(end + 4 + length);
      if (message.id !== undefined && waiting.has(message.id)) waiting.get(message.id)(message);
    }
  });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const request = (id, method, params) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${method} in 30 s`)), 30_000);
      waiting.set(id, (message) => (clearTimeout(timer), resolve(message)));
      send({ id, method, params });
    });
  const init = await request(1, "initialize", { processId: process.pid, rootUri: null, capabilities: {} });
  assert.equal(init.error, undefined, JSON.stringify(init.error));
  assert.equal(init.result.serverInfo?.name, "ticklens", JSON.stringify(init.result.serverInfo));
  assert.equal(init.result.serverInfo?.version, version);
  assert.ok(init.result.capabilities.hoverProvider, "no hoverProvider in the initialize result");
  send({ method: "initialized", params: {} });
  const shutdown = await request(2, "shutdown", null);
  assert.equal(shutdown.error, undefined, JSON.stringify(shutdown.error));
  assert.equal(shutdown.result, null);
  send({ method: "exit" });
  child.stdin.end();
  const status = await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), 30_000).unref())]);
  assert.deepEqual(status, { code: 0, signal: null }, "npx ticklens lsp after exit");
  console.error(`test-package: lsp: initialize (serverInfo ${init.result.serverInfo.name} ${version}), shutdown, exit 0`);
}

// The exit status or signal of `file lsp` sent SIGTERM once it runs: the launcher's must be the binary's.
function terminated(file) {
  return new Promise((resolve) => {
    const child = spawn(file, ["lsp"], { stdio: ["pipe", "ignore", "ignore"] });
    child.on("exit", (code, signal) => resolve({ code, signal }));
    setTimeout(() => child.kill("SIGTERM"), 500);
  });
}

(async () => {
  await lsp();
  const usage = (file) => {
    const result = spawnSync(file, ["--no-such-flag"], { encoding: "utf8" });
    return { status: result.status, signal: result.signal, stderr: result.stderr };
  };
  const direct = usage(binary);
  assert.notEqual(direct.status, 0, "the binary accepted --no-such-flag");
  assert.deepEqual(usage(launcher), direct, "a usage error through the launcher");
  const binarySigterm = await terminated(binary);
  const launcherSigterm = await terminated(launcher);
  assert.deepEqual(launcherSigterm, binarySigterm, "SIGTERM through the launcher");
  console.error(
    `test-package: usage error: exit ${direct.status} as the binary; SIGTERM: ${JSON.stringify(launcherSigterm)} as the binary`,
  );
})().catch((error) => {
  console.error(`test-package: ${error.stack ?? error}`);
  process.exit(1);
});
EOF

# Without the platform package: one line naming it, exit 2.
rm -rf "node_modules/${PLATFORM_PACKAGE}"
run --version
expect_code 2 "--version without ${PLATFORM_PACKAGE}"
[[ -z "${OUT}" ]] || die "stdout without ${PLATFORM_PACKAGE}: ${OUT}"
[[ "$(wc -l <"${SCRATCH}/err")" == 1 ]] || die "not one line on stderr without ${PLATFORM_PACKAGE}:
${ERR}"
grep -qF "npm install ${PLATFORM_PACKAGE}@${VERSION}" <<<"${ERR}" \
    || die "the line does not say to install ${PLATFORM_PACKAGE}@${VERSION}: ${ERR}"
say "missing platform package: exit 2, ${ERR}"
say "passed"
