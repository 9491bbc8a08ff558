#!/usr/bin/env python3
"""Soak test: runs `ticklens lsp` for SOAK_MINUTES (default 30) under randomized
edits and requests, samples the server's resident memory every 10 s, and reports
whether it levels off.

The client speaks JSON-RPC over the server's stdio, as an editor does. It keeps a
handful of documents open and, in a paced loop, sends incremental edits (typing,
deletions, pasted lines, characters wider than one UTF-16 unit, CRLF), hovers,
inlay hints, code actions (quick fixes and source.fixAll) and code lens
requests; now and then it closes a document and opens it again under a new name.
After --reset-every edits a document goes back to its starting text (an editing
session reverted), so the texts stay half-typed code rather than shreds: on
shredded text tree-sitter can take minutes and gigabytes to parse (see
docs/reliability.md, "Soak"). Every request must be answered; when one is not,
the documents' texts are saved under stuck/ to reproduce, and after three
unanswered requests in a row the run stops.

Writes `rss.csv` (one row per sample) and `summary.json` into the output folder
and, when matplotlib is importable, the plot `soak-rss.png`. The verdict is the
least-squares slope of RSS over the second half of the run.

    scripts/soak.py --server target/release/ticklens --out /tmp/soak
Normally started through scripts/soak.sh, which builds the server and provides
matplotlib.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE_EVERY_S = 10.0
REQUEST_TIMEOUT_S = 30.0

# Pieces the editor types: code the rules and the engine react to, broken code,
# line breaks of every style, and characters whose UTF-8 and UTF-16 widths differ.
FRAGMENTS = [
    "await ", "async ", "x", "const y = await f();\n", "(", ")", "{", "}", "`${a}`", "'é'",
    "'日本'", "'😀'", "// note\n", "/*", "*/", " ", "\n", "\r\n", "\t",
    "for (const id of ids) {\n  await save(id);\n}\n",
    "new Promise(async (resolve) => resolve(await load()));\n",
    "setTimeout(() => console.log('T'), 0);\n", "process.nextTick(() => console.log('t'));\n",
    "const [a, b] = [await one(), await two()];\n", "return await p;\n",
    "items.forEach(async (item) => { await send(item); });\n",
    "Promise.resolve().then(() => console.log('then'));\n",
]


def starting_documents() -> list[tuple[str, str]]:
    """(file name, text) of the documents the soak edits: the repo's examples, a
    larger file made of them, and a half-typed one."""
    docs = []
    for path in sorted((REPO / "examples").iterdir()):
        if path.suffix in (".js", ".mjs", ".cjs"):
            docs.append((path.name, path.read_text(encoding="utf-8")))
    big = "\n".join(text for _, text in docs) * 8
    docs.append(("large.js", big))
    docs.append(("half-typed.js", "async function f( {\n  const x = await\n  if (x\n}\n"))
    return docs


class Client:
    """A JSON-RPC client over the server's stdin and stdout."""

    def __init__(self, server: str, log_path: Path) -> None:
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [server, "lsp", "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env={**os.environ, "TICKLENS_LOG": os.environ.get("TICKLENS_LOG", "warn")},
        )
        self.next_id = 1
        self.timeouts_in_a_row = 0
        self.pending: dict[int, queue.Queue] = {}
        self.lock = threading.Lock()
        self.notifications = 0
        self.errors: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _send(self, message: dict) -> None:
        body = json.dumps(message, ensure_ascii=False).encode("utf-8")
        with self.lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            message = json.loads(out.read(length))
            if "id" in message and "method" in message:
                # A request from the server (registerCapability, configuration): accept it.
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif "id" in message:
                waiter = self.pending.pop(message["id"], None)
                if waiter is not None:
                    waiter.put(message)
            else:
                self.notifications += 1

    def notify(self, method: str, params: dict | None) -> None:
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self._send(message)

    def request(self, method: str, params: dict | None):
        request_id = self.next_id
        self.next_id += 1
        waiter: queue.Queue = queue.Queue()
        self.pending[request_id] = waiter
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self._send(message)
        try:
            reply = waiter.get(timeout=REQUEST_TIMEOUT_S)
        except queue.Empty:
            self.errors.append(f"{method} #{request_id}: no answer in {REQUEST_TIMEOUT_S} s")
            self.timeouts_in_a_row += 1
            return None
        self.timeouts_in_a_row = 0
        if "error" in reply:
            self.errors.append(f"{method} #{request_id}: {reply['error']}")
            return None
        return reply.get("result")

    def rss_kb(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS in /proc")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def position_of(text: str, index: int) -> dict:
    """The LSP position (UTF-16 columns) of character `index`; lines end at
    \\n, \\r\\n or \\r. No position names the point between \\r and \\n, so
    callers never ask for it."""
    line, line_start, i = 0, 0, 0
    while i < index:
        if text[i] == "\r" and i + 1 < len(text) and text[i + 1] == "\n":
            i += 2
        elif text[i] in "\r\n":
            i += 1
        else:
            i += 1
            continue
        line, line_start = line + 1, i
    return {"line": line, "character": utf16_len(text[line_start:index])}


def inside_crlf(text: str, index: int) -> bool:
    return 0 < index < len(text) and text[index - 1] == "\r" and text[index] == "\n"


class Document:
    def __init__(self, folder: Path, name: str, text: str) -> None:
        self.folder, self.base, self.original, self.text = folder, name, text, text
        self.generation = 0
        self.version = 1
        self.edits_since_reset = 0

    @property
    def uri(self) -> str:
        stem, dot, ext = self.base.rpartition(".")
        return (self.folder / f"{stem}-{self.generation}{dot}{ext}").as_uri()

    def item(self) -> dict:
        return {"uri": self.uri, "languageId": "javascript", "version": self.version,
                "text": self.text}


class Soak:
    def __init__(self, client: Client, docs: list[Document], rng: random.Random,
                 reset_every: int) -> None:
        self.client, self.docs, self.rng = client, docs, rng
        self.reset_every = reset_every
        self.counts = {k: 0 for k in ("edits", "hover", "inlayHint", "codeAction", "codeLens",
                                      "reopen", "reset")}
        # Requests whose answer was not empty: the server did real work.
        self.non_empty = {k: 0 for k in ("hover", "inlayHint", "codeAction", "codeLens")}

    def ask(self, method: str, params: dict) -> None:
        kind = method.split("/")[1]
        if self.client.request(method, params):
            self.non_empty[kind] += 1
        self.counts[kind] += 1

    def edit(self, doc: Document) -> None:
        rng, text = self.rng, doc.text
        start = rng.randrange(len(text) + 1)
        if inside_crlf(text, start):
            start -= 1
        roll = rng.random()
        if roll < 0.55:  # typing: a fragment, one character at a time sometimes
            end, new = start, rng.choice(FRAGMENTS)
        elif roll < 0.85:  # deleting a few characters
            end, new = min(len(text), start + rng.randrange(1, 12)), ""
        else:  # replacing a stretch with a pasted fragment
            end, new = min(len(text), start + rng.randrange(1, 60)), rng.choice(FRAGMENTS)
        if inside_crlf(text, end):
            end += 1
        change = {"range": {"start": position_of(text, start), "end": position_of(text, end)},
                  "text": new}
        doc.text = text[:start] + new + text[end:]
        doc.version += 1
        doc.edits_since_reset += 1
        self.client.notify("textDocument/didChange", {
            "textDocument": {"uri": doc.uri, "version": doc.version},
            "contentChanges": [change]})
        self.counts["edits"] += 1

    def random_index(self, doc: Document) -> int:
        index = self.rng.randrange(len(doc.text) + 1)
        return index - 1 if inside_crlf(doc.text, index) else index

    def random_position(self, doc: Document) -> dict:
        return position_of(doc.text, self.random_index(doc))

    def step(self) -> None:
        rng = self.rng
        doc = rng.choice(self.docs)
        roll = rng.random()
        ident = {"uri": doc.uri}
        if doc.edits_since_reset >= self.reset_every:
            doc.text, doc.version, doc.edits_since_reset = doc.original, doc.version + 1, 0
            self.client.notify("textDocument/didChange", {
                "textDocument": {"uri": doc.uri, "version": doc.version},
                "contentChanges": [{"text": doc.text}]})
            self.counts["reset"] += 1
        elif roll < 0.50:
            for _ in range(rng.randrange(1, 6)):
                self.edit(doc)
        elif roll < 0.70:
            self.ask("textDocument/hover", {
                "textDocument": ident, "position": self.random_position(doc)})
        elif roll < 0.80:
            end = position_of(doc.text, len(doc.text))
            self.ask("textDocument/inlayHint", {
                "textDocument": ident,
                "range": {"start": {"line": 0, "character": 0}, "end": end}})
        elif roll < 0.90:
            a, b = sorted(self.random_index(doc) for _ in range(2))
            only = rng.choice([None, ["quickfix"], ["source.fixAll"]])
            context = {"diagnostics": []}
            if only:
                context["only"] = only
            self.ask("textDocument/codeAction", {
                "textDocument": ident,
                "range": {"start": position_of(doc.text, a), "end": position_of(doc.text, b)},
                "context": context})
        elif roll < 0.99:
            self.ask("textDocument/codeLens", {"textDocument": ident})
        else:
            self.client.notify("textDocument/didClose", {"textDocument": ident})
            doc.generation += 1
            doc.version = 1
            self.client.notify("textDocument/didOpen", {"textDocument": doc.item()})
            self.counts["reopen"] += 1


def save_texts(docs: list[Document], folder: Path) -> None:
    """The documents as the server should have them, to reproduce a hang."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        (folder / doc.uri.rsplit("/", 1)[-1]).write_text(doc.text, encoding="utf-8", newline="")
    print(f"soak: a request went unanswered; texts saved in {folder}", file=sys.stderr)


def slope_kb_per_min(rows: list[tuple[float, int]]) -> float:
    """Least-squares slope of (seconds, KiB), in KiB per minute."""
    n = len(rows)
    if n < 2:
        return 0.0
    mean_t = sum(t for t, _ in rows) / n
    mean_r = sum(r for _, r in rows) / n
    var = sum((t - mean_t) ** 2 for t, _ in rows)
    cov = sum((t - mean_t) * (r - mean_r) for t, r in rows)
    return cov / var * 60.0 if var else 0.0


def plot(rows: list[tuple[float, int]], half_slope: float, path: Path, title: str) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("soak: matplotlib is not importable; no plot", file=sys.stderr)
        return False
    minutes = [t / 60 for t, _ in rows]
    mib = [r / 1024 for _, r in rows]
    fig, ax = plt.subplots(figsize=(8, 4), dpi=110)
    ax.plot(minutes, mib, marker=".", linewidth=1)
    half = len(rows) // 2
    if len(rows) - half >= 2:
        second = rows[half:]
        mean_t = sum(t for t, _ in second) / len(second)
        mean_r = sum(r for _, r in second) / len(second)
        fit = [(mean_r + half_slope / 60 * (t - mean_t)) / 1024 for t, _ in second]
        ax.plot([t / 60 for t, _ in second], fit, linestyle="--",
                label=f"second-half fit: {half_slope:+.1f} KiB/min")
        ax.legend(loc="lower right")
    ax.set_xlabel("minutes")
    ax.set_ylabel("RSS (MiB)")
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", required=True, help="the ticklens binary")
    parser.add_argument("--out", required=True, type=Path, help="folder for rss.csv, the plot")
    parser.add_argument("--minutes", type=float,
                        default=float(os.environ.get("SOAK_MINUTES", "30")))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SOAK_SEED", "1")))
    parser.add_argument("--reset-every", type=int, default=200,
                        help="edits after which a document goes back to its starting text")
    parser.add_argument("--pace", type=float, default=0.02,
                        help="seconds between operations (keeps the client from hogging a core)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)

    workspace = Path(tempfile.mkdtemp(prefix="ticklens-soak-"))
    client = Client(args.server, args.out / "server.log")
    client.request("initialize", {
        "processId": os.getpid(),
        "rootUri": workspace.as_uri(),
        "capabilities": {"general": {"positionEncodings": ["utf-16"]},
                         "textDocument": {"inlayHint": {}, "codeLens": {}, "hover": {}}},
        "initializationOptions": {"inlayHints": True, "codeLens": True},
    })
    client.notify("initialized", {})
    docs = [Document(workspace, name, text) for name, text in starting_documents()]
    for doc in docs:
        client.notify("textDocument/didOpen", {"textDocument": doc.item()})
    soak = Soak(client, docs, rng, args.reset_every)

    started = time.monotonic()
    deadline = started + args.minutes * 60
    rows: list[tuple[float, int]] = []
    next_sample = started
    with open(args.out / "rss.csv", "w", newline="") as csv_file:
        writer = csv.writer(csv_file)
        writer.writerow(["seconds", "rss_kib", "operations", "edits", "requests", "errors"])
        operations = 0
        while True:
            now = time.monotonic()
            if now >= next_sample:
                if client.proc.poll() is not None:
                    client.errors.append(f"the server exited with {client.proc.returncode}")
                    break
                rss = client.rss_kb()
                elapsed = now - started
                rows.append((elapsed, rss))
                requests = sum(v for k, v in soak.counts.items() if k not in ("edits", "reset",
                                                                              "reopen"))
                writer.writerow([f"{elapsed:.1f}", rss, operations, soak.counts["edits"],
                                 requests, len(client.errors)])
                csv_file.flush()
                print(f"soak: {elapsed / 60:5.1f} min  rss {rss / 1024:7.1f} MiB  "
                      f"ops {operations}  errors {len(client.errors)}", flush=True)
                next_sample += SAMPLE_EVERY_S
            if now >= deadline:
                break
            soak.step()
            operations += 1
            if client.timeouts_in_a_row and not (args.out / "stuck").exists():
                save_texts(docs, args.out / "stuck")
            if client.timeouts_in_a_row >= 3:
                client.errors.append("the server stopped answering; the run ends early")
                break
            time.sleep(args.pace)

    alive = client.proc.poll() is None
    if alive and client.timeouts_in_a_row:
        client.proc.kill()
        exit_code = "killed (unresponsive)"
    elif alive:
        client.request("shutdown", None)
        client.notify("exit", None)
        try:
            exit_code = client.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            client.proc.kill()
            exit_code = "killed"
    else:
        exit_code = client.proc.returncode

    half = rows[len(rows) // 2:]
    half_slope = slope_kb_per_min(half)
    whole_slope = slope_kb_per_min(rows)
    summary = {
        "minutes": args.minutes,
        "minutes_run": rows[-1][0] / 60 if rows else 0,
        "seed": args.seed,
        "reset_every": args.reset_every,
        "samples": len(rows),
        "operations": operations,
        "counts": soak.counts,
        "non_empty_answers": soak.non_empty,
        "notifications": client.notifications,
        "errors": client.errors[:20],
        "error_count": len(client.errors),
        "rss_first_mib": rows[0][1] / 1024 if rows else None,
        "rss_max_mib": max(r for _, r in rows) / 1024 if rows else None,
        "rss_last_mib": rows[-1][1] / 1024 if rows else None,
        "second_half_slope_kib_per_min": half_slope,
        "whole_run_slope_kib_per_min": whole_slope,
        "server_exit": exit_code,
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    title = (f"ticklens lsp RSS, {args.minutes:g} min soak "
             f"({operations} operations, seed {args.seed})")
    plot(rows, half_slope, args.out / "soak-rss.png", title)
    print(json.dumps(summary, indent=2))
    ok = alive and not client.errors
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
