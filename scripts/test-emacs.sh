#!/usr/bin/env bash
# Tests Emacs as a client of the ticklens server: Debian's emacs-nox with elpa-eglot and then with
# elpa-lsp-mode, each in its own `emacs --batch` (editors/emacs/test/ticklens-test.el, configured
# with the lines of editors/emacs/README.md): diagnostics, the hover on an `await` (a resume tick,
# no Markdown marks), the rule's quick-fix applied, and shutdown with the server's exit status 0.
#
#   scripts/test-emacs.sh /path/to/ticklens
#
# scripts/test-editors.sh installs the Debian packages and calls this with the release binary.
# Exit status 0 when both clients passed; a missing Emacs or package is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"

say() { echo "test-emacs: $*" >&2; }

TICKLENS_BIN="${1:?usage: scripts/test-emacs.sh /path/to/ticklens}"
[[ -x "${TICKLENS_BIN}" ]] || { say "error: ${TICKLENS_BIN} is not an executable"; exit 1; }
command -v emacs >/dev/null || { say "error: emacs is not installed (Debian: emacs-nox)"; exit 1; }
command -v setsid >/dev/null || { say "error: setsid is not installed (Debian: util-linux)"; exit 1; }
for package in elpa-eglot elpa-lsp-mode; do
    dpkg-query -W -f='${Status}' "${package}" 2>/dev/null | grep -q "install ok installed" \
        || { say "error: the Debian package ${package} is not installed"; exit 1; }
done

SCRATCH="$(mktemp -d -t ticklens-emacs-XXXXXX)"
trap 'rm -rf "${SCRATCH}"' EXIT

# The `ticklens` the README's configuration starts: the server in a process group of its own
# (setsid), so that a client that kills the server's process group right after sending `exit`
# (Eglot's jsonrpc and lsp-mode both may) cannot cut it short, and its own exit status is logged.
mkdir -p "${SCRATCH}/bin"
cat > "${SCRATCH}/bin/ticklens" <<'WRAPPER'
#!/bin/sh
exec setsid -w sh -c '"$0" "$@"; echo "exit status $?" >> "$TICKLENS_EXIT_LOG"' \
    "$TICKLENS_REAL_BIN" "$@"
WRAPPER
chmod +x "${SCRATCH}/bin/ticklens"

emacs --version | head -n 1 >&2
FAILED=()
for client in eglot lsp-mode; do
    start=$(date +%s)
    log="${SCRATCH}/${client}-exit.log"
    if PATH="${SCRATCH}/bin:${PATH}" TICKLENS_REAL_BIN="${TICKLENS_BIN}" TICKLENS_EXIT_LOG="${log}" \
        HOME="${SCRATCH}" emacs --batch -Q -l "${REPO}/editors/emacs/test/ticklens-test.el" \
        -f ticklens-test-run "${client}"; then
        say "${client}: passed ($(($(date +%s) - start)) s)"
    else
        say "${client}: FAILED ($(($(date +%s) - start)) s)"
        FAILED+=("${client}")
    fi
    [[ -f "${log}" ]] && say "${client}: the server's exit: $(cat "${log}")"
done
if ((${#FAILED[@]} > 0)); then
    say "FAILED: ${FAILED[*]}"
    exit 1
fi
