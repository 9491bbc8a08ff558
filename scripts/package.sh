#!/usr/bin/env bash
# Builds what users install, into one folder (default target/package/, or the first argument):
#   - ticklens-<version>.tgz: the npm package `ticklens`, the launcher (npm/ticklens);
#   - ticklens-cli-<platform>-<version>.tgz: one npm package per platform holding the binary
#     (npm/cli-<platform>, an optional dependency of `ticklens` that npm installs on that platform only);
#   - ticklens-<vsce target>.vsix: the VS Code extension with the same binary bundled in server/.
#
# A platform is built when its Rust target is the host's or is installed (`rustup target add`),
# and skipped with a line on stderr otherwise. The binary is the stripped release build
# (`cargo build --release`). The version is the `ticklens` crate's; the script fails when a
# package.json under npm/ or editors/vscode says otherwise. Needs Node 24 (scripts/install-node.sh)
# and npm; installs editors/vscode's dependencies (`npm ci`) when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"
OUT="$(realpath -m "${1:-${REPO}/target/package}")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${REPO}/target}"
VSCODE="${REPO}/editors/vscode"

say() { echo "package: $*" >&2; }
die() {
    say "error: $*"
    exit 1
}

# npm package platform, Rust target, `vsce package --target`.
PLATFORMS=(
    "linux-x64 x86_64-unknown-linux-gnu linux-x64"
    "linux-arm64 aarch64-unknown-linux-gnu linux-arm64"
    "linux-x64-musl x86_64-unknown-linux-musl alpine-x64"
    "linux-arm64-musl aarch64-unknown-linux-musl alpine-arm64"
    "darwin-x64 x86_64-apple-darwin darwin-x64"
    "darwin-arm64 aarch64-apple-darwin darwin-arm64"
    "win32-x64 x86_64-pc-windows-msvc win32-x64"
    "win32-arm64 aarch64-pc-windows-msvc win32-arm64"
)

NODE_BIN="$(scripts/install-node.sh | tail -n 1)"
export PATH="$(dirname "${NODE_BIN}"):${PATH}"
command -v npm >/dev/null || die "npm is needed and is not on PATH"

# `path+file:///.../server#ticklens@0.1.0` (or `...#0.1.0` from older cargo).
PKGID="$(cargo pkgid --offline -p ticklens)"
VERSION="${PKGID##*[#@]}"
[[ "${VERSION}" =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || die "no version in \`cargo pkgid -p ticklens\`: ${PKGID}"
say "ticklens ${VERSION} into ${OUT}"

# Every package.json must carry the crate's version, and `ticklens` must depend on exactly that
# version of each platform package (tidy::versions checks the same in `cargo test`).
"${NODE_BIN}" - "${VERSION}" "${REPO}" <<'EOF' || die "the package.json versions disagree with the crate"
const [version, repo] = process.argv.slice(2);
const fs = require("node:fs");
const path = require("node:path");
const read = (file) => JSON.parse(fs.readFileSync(path.join(repo, file), "utf8"));
const files = fs.readdirSync(path.join(repo, "npm")).map((dir) => `npm/${dir}/package.json`);
files.push("editors/vscode/package.json");
let bad = 0;
for (const file of files) {
  const manifest = read(file);
  if (manifest.version !== version) {
    console.error(`package: ${file} has version ${manifest.version}, the crate ${version}`);
    bad += 1;
  }
  for (const [name, spec] of Object.entries(manifest.optionalDependencies ?? {})) {
    if (spec !== version) {
      console.error(`package: ${file} depends on ${name}@${spec}, not exactly ${version}`);
      bad += 1;
    }
  }
}
process.exit(bad === 0 ? 0 : 1);
EOF

HOST_TARGET="$(rustc -vV | sed -n 's/^host: //p')"
INSTALLED_TARGETS="$(rustup target list --installed 2>/dev/null || true)"

# The release binary for a Rust target, built when the target is available; empty when skipped.
build_binary() {
    local target="$1" exe="$2"
    if [[ "${target}" == "${HOST_TARGET}" ]]; then
        cargo build --release --locked --bin ticklens >&2 || die "cargo build --release failed"
        echo "${CARGO_TARGET_DIR}/release/${exe}"
    elif grep -qx "${target}" <<<"${INSTALLED_TARGETS}"; then
        cargo build --release --locked --bin ticklens --target "${target}" >&2 \
            || die "cargo build --release --target ${target} failed"
        echo "${CARGO_TARGET_DIR}/${target}/release/${exe}"
    fi
}

rm -rf "${OUT}"
mkdir -p "${OUT}/stage"

pack() {
    (cd "$1" && npm pack --silent --pack-destination "${OUT}" >/dev/null) || die "npm pack in $1 failed"
}

if [[ ! -d "${VSCODE}/node_modules" ]]; then
    say "installing the VS Code extension's dependencies"
    (cd "${VSCODE}" && npm ci --no-audit --no-fund >&2) || die "npm ci in editors/vscode failed"
fi
(cd "${VSCODE}" && npm run --silent build -- --production >&2) || die "building the VS Code extension failed"

BUILT=()
SKIPPED=()
HOST_BINARY=""
for entry in "${PLATFORMS[@]}"; do
    read -r platform target vsce_target <<<"${entry}"
    exe="ticklens"
    [[ "${platform}" == win32-* ]] && exe="ticklens.exe"
    binary="$(build_binary "${target}" "${exe}")"
    if [[ -z "${binary}" ]]; then
        SKIPPED+=("${platform} (Rust target ${target} not installed)")
        continue
    fi
    [[ -f "${binary}" ]] || die "${binary} is missing after the build"
    [[ "${target}" == "${HOST_TARGET}" ]] && HOST_BINARY="${binary}"

    # The platform package: its package.json and the binary.
    stage="${OUT}/stage/cli-${platform}"
    cp -r "${REPO}/npm/cli-${platform}" "${stage}"
    cp "${binary}" "${stage}/${exe}"
    chmod 755 "${stage}/${exe}"
    pack "${stage}"

    # The .vsix for the same platform, with the same binary in server/.
    rm -rf "${VSCODE}/server"
    mkdir -p "${VSCODE}/server"
    cp "${binary}" "${VSCODE}/server/${exe}"
    (cd "${VSCODE}" && node_modules/.bin/vsce package --no-dependencies --skip-license \
        --target "${vsce_target}" --out "${OUT}/ticklens-${vsce_target}.vsix" >&2) \
        || die "vsce package --target ${vsce_target} failed"
    BUILT+=("${platform}")
done
((${#BUILT[@]} > 0)) || die "no platform was built"
# Leave the host's binary bundled, as a run of the extension from source expects.
rm -rf "${VSCODE}/server"
if [[ -n "${HOST_BINARY}" ]]; then
    mkdir -p "${VSCODE}/server"
    cp "${HOST_BINARY}" "${VSCODE}/server/ticklens"
fi

# The launcher. npm lists every platform as an optional dependency, built here or not. It also
# carries ticklens.toml's JSON Schema, for editors that read it from node_modules (Taplo's `#:schema`).
cp -r "${REPO}/npm/ticklens" "${OUT}/stage/ticklens"
cp "${REPO}/editors/ticklens.schema.json" "${OUT}/stage/ticklens/ticklens.schema.json"
pack "${OUT}/stage/ticklens"
rm -rf "${OUT}/stage"

say "built: ${BUILT[*]}"
for skipped in "${SKIPPED[@]}"; do
    say "skipped: ${skipped}"
done
for file in "${OUT}"/*; do
    say "$(basename "${file}"): $(stat -c %s "${file}") bytes"
done
