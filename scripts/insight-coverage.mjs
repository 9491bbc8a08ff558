// The insight census: how often ticklens says when an `await` resumes and when an async
// function's promise settles, on real code, asked the way an editor asks.
//
//   node insight-coverage.mjs --ticklens BIN --acorn DIR --corpus DIR --out FILE
//        [--details FILE] [--commit SHA] [--label TEXT] [--issue-packages] [--typescript]
//   node insight-coverage.mjs --check        (the classifier's own test, no corpus needed)
//
// Run it through scripts/insight-coverage.sh, which finds Node 24, acorn and the corpus and
// builds the release binary. For each sampled file acorn (`ecmaVersion: "latest"`, the
// file's sourceType) finds every `await`, `for await`, `yield` of an async generator and
// async function; `ticklens lsp` (over stdio, as an editor runs it) opens the file and is
// asked for a hover on each keyword (`await`, the `await` of `for await`, `yield`, `async`).
// Each answer is classified (see `classifyAwait`, `classifyFunction`) and the table is
// written as Markdown to --out; --details gets one JSON line per position.
//
// With --typescript the corpus is TypeScript (scripts/ts-corpus.sh): each .ts/.mts/.cts file
// is stripped by Node 24's `module.stripTypeScriptTypes` first (types become blanks of the same
// UTF-16 length, so every offset is one of the original), acorn parses the stripped text, and
// the server opens the original with languageId `typescript`. Files Node refuses to strip
// (`enum`, parameter properties, ...) and .tsx files (JSX, which acorn does not read) are left
// out and counted.
//
// The sample (deterministic): every file of the corpus with an async function or an `await`
// (with --issue-packages only those of the packages issue 20 measured, SAMPLE_PACKAGES); the
// table has a row per package, a subtotal of SAMPLE_PACKAGES and the total.
import { spawn } from "node:child_process";
import { createRequire, stripTypeScriptTypes } from "node:module";
import { readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { FUNCTIONS, parse, walkAst } from "../tests/suspension/acorn-points.mjs";

export const SAMPLE_PACKAGES = [
  "axios", "undici", "express", "body-parser", "webpack", "eslint", "@babel", "babel",
  "rxjs", "terser", "enhanced-resolve", "router",
];

// ---------------------------------------------------------------- classification

export const AWAIT_CLASSES = [
  "tick after entry",
  "named operation, kind decided",
  "hedged (if it is a native promise)",
  "unknown",
  "no hover",
];
export const FUNCTION_CLASSES = ["settle known", "engine stopped", "unknown", "no hover"];

// Backticked code and numbers vary per site; the reason without them groups alike sites.
export function normaliseReason(reason) {
  return reason
    .replace(/`[^`]*`/g, "`…`")
    .replace(/\bline \d+/g, "line N")
    .replace(/\s+/g, " ")
    .trim();
}

const paragraphs = (text) => text.split(/\n\s*\n/).map((p) => p.trim());

// The paragraph of an await hover that says when it resumes.
function resumeParagraph(text) {
  return paragraphs(text).find((p) => /^(Resumes|Resume tick)\b/.test(p));
}

// What a hover on an `await` (`for await`, `yield`) says of its resumption:
// { class, reason? } with class one of AWAIT_CLASSES.
export function classifyAwait(hover) {
  if (hover == null || hover.trim() === "") return { class: "no hover" };
  const resume = resumeParagraph(hover);
  if (!resume && /^Suspends /m.test(hover)) {
    return { class: "unknown", reason: "a hover from syntax alone: \"Suspends … until the operand settles\" (no engine facts here)" };
  }
  if (!resume) {
    return { class: "unknown", reason: `no resume sentence (${normaliseReason(hover.split("\n")[0])})` };
  }
  if (/^Resume tick unknown:/.test(resume)) {
    const reason = resume.replace(/^Resume tick unknown:\s*/, "").replace(/\.$/, "");
    return { class: "unknown", reason: normaliseReason(reason) };
  }
  if (/^Resume tick varies/.test(resume)) {
    return { class: "unknown", reason: normaliseReason(resume.replace(/^Resume tick /, "")) };
  }
  if (/if it is a (plain `Promise`|native promise|native `Promise`)/.test(resume)) {
    return { class: "hedged (if it is a native promise)", hedge: classifyHedge(resume) };
  }
  if (/^Resumes on (microtask )?tick \d+ after/.test(resume)) return { class: "tick after entry" };
  if (/^Resumes /.test(resume)) return { class: "named operation, kind decided" };
  return { class: "unknown", reason: `unrecognised: ${normaliseReason(resume.slice(0, 60))}` };
}

// What a hedge's stated reason says the operand is, by the clause it ends in (the
// innermost of "`c` holds the result of `a.f()` (line 3), and `a` is a parameter"):
// [kind, pattern]. server/src/analysis/source_facts/decided/undecided.rs writes them.
export const UNDECIDABLE = [
  ["parameter", /is a parameter$/],
  ["package", /comes from the package `[^`]*`, outside the workspace$/],
  ["global", /is a global this file does not declare$/],
  ["value from elsewhere", /(is a caught error|is a loop variable|the value a promise settled with)$/],
  ["computed property", /is a computed property of `.*`, which may hold any function$/],
  ["field set outside the class", /is a field this class never sets \(a subclass or caller may\)$/],
  ["`this` of a plain function", /`this` is whatever the caller binds it to$/],
  ["no promise on some path", /returns no promise on one path \((line \d+|its end)\)$/],
  ["conditional", /is a conditional: either side may be awaited$/],
  ["property of an unknown", /is a property of an unknown value$/],
];
export const DECIDABLE = [
  ["reassigned", /(is reassigned in this file|is declared more than once in this file)$/],
  ["workspace import", /is imported from `[^`]*`, whose summary does not show it returns a native promise$/],
  ["built-in not modelled", /comes from Node's `[^`]*`, whose functions here are not known to return native promises$/],
  ["field set in several places", /is a field set in \d+ places$/],
  // A method of an object of a class the workspace shows (same file or a relative import), the
  // value of a sync generator's `next()`, a name that first holds `null`: the declarations say
  // what it is, the decider does not follow them yet.
  ["object or value not followed", /(is not a promise|is a generator: its calls return iterators|is an object of a class, not a promise, unless the class says so)$/],
];

// The hedge's kind: "undecidable: parameter", "decidable from the workspace: reassigned"...
export function classifyHedge(resume) {
  const stated = resume.match(/if it is a native `Promise` \((.*)\): a thenable would/s);
  if (!stated || stated[1] === "this file does not show what it is") {
    return "decidable from the workspace: no reason given";
  }
  const why = stated[1].replace(/\s+/g, " ").trim();
  for (const [kind, pattern] of UNDECIDABLE) if (pattern.test(why)) return `undecidable: ${kind}`;
  for (const [kind, pattern] of DECIDABLE) if (pattern.test(why)) return `decidable from the workspace: ${kind}`;
  return "decidable from the workspace: not followed";
}

// What a hover on an async function's `async` keyword says of when its promise settles:
// { class, reason? } with class one of FUNCTION_CLASSES.
export function classifyFunction(hover) {
  if (hover == null || hover.trim() === "") return { class: "no hover" };
  const settle = paragraphs(hover).find((p) => /^(Its promise settles|When its promise settles)/.test(p));
  if (!settle && /^Returns a promise every time/m.test(hover)) {
    return { class: "unknown", reason: "a hover from syntax alone: \"Returns a promise every time\" (no engine facts here)" };
  }
  if (!settle) {
    return { class: "unknown", reason: `no settle sentence (${normaliseReason(hover.split("\n")[0])})` };
  }
  // The hover shortens a long reason ("… (Array, M…."), closing parenthesis and all.
  const stopped = settle.match(/the engine stopped(?: at line \d+)? \((.*?)(?:\)\.?|\.)$/s);
  if (stopped) return { class: "engine stopped", reason: normaliseReason(stopped[1]), exact: stopped[1] };
  // "Its promise settles when the body returns…; no tick for it here: …" names no time.
  const noTick = settle.match(/no tick for it here: (.*?)\.?$/s);
  if (noTick) return { class: "unknown", reason: `no settle tick: ${normaliseReason(noTick[1])}` };
  if (/^Its promise settles/.test(settle)) return { class: "settle known" };
  const reason = settle
    .replace(/^When its promise settles (is unknown: )?/, "")
    .replace(/\.$/, "");
  return { class: "unknown", reason: normaliseReason(reason) };
}

function check() {
  const cases = [
    [classifyAwait, "**await** `x` in `f()`\n\nResumes on microtask tick 2 after `f()` was entered, in every call this file makes.", "tick after entry"],
    [classifyAwait, "**await** `g()` in `f()`\n\nResumes 1 tick after `g()` settles (fulfils or rejects).", "named operation, kind decided"],
    [classifyAwait, "**await** `g()` in `f()`\n\nResumes 1 tick after `g()` settles (fulfils or rejects), if it is a plain `Promise` (not a subclass or a thenable).", "hedged (if it is a native promise)"],
    [classifyAwait, "**await** `g()` in `f()`\n\nResumes 1 tick after `g()` settles (fulfils or rejects), if it is a native `Promise` (this file does not show what it is): a thenable would resume 1 tick later.", "hedged (if it is a native promise)"],
    [classifyAwait, "**await** `null` in `f()`\n\nResumes 1 tick after this `await` is reached: `null` is not a promise.", "named operation, kind decided"],
    [classifyAwait, "**await** `g()` in `f()`\n\nResumes after the nextTick queue, once every microtask queued before it has run: not on a microtask tick.", "named operation, kind decided"],
    [classifyAwait, "**await** `g()` in `f()`\n\nResume tick unknown: not reached: the engine stopped at line 1 (`require` is not defined in this file).", "unknown"],
    [classifyAwait, null, "no hover"],
    [classifyAwait, "**await** `g()`\n\nSuspends `f()` until the operand settles; the code after it runs later.", "unknown"],
    [classifyFunction, "**async function** `f()`\n\nRuns synchronously up to line 3.\n\nIts promise settles on microtask tick 2 after entry, in every call this file makes.", "settle known"],
    [classifyFunction, "**async function** `f()`\n\nHas no `await`.\n\nWhen its promise settles is unknown: not reached: the engine stopped at line 1 (`require` is not defined in this file).", "engine stopped"],
    [classifyFunction, "**async function** `f()`\n\nx\n\nWhen its promise settles varies between calls.", "unknown"],
    [classifyFunction, "**async function** `f()`\n\nRuns synchronously up to line 3.\n\nIts promise settles when the body returns or throws; no tick for it here: this file never calls it.", "unknown"],
    [classifyFunction, "**async function** `f()`\n\nx\n\nIts promise settles when the body returns or throws; no tick for it here: the engine stopped at line 9 (`extends` of a built-in other than Promise and the errors (Array, M….", "engine stopped"],
    [classifyFunction, "", "no hover"],
  ];
  let failed = 0;
  for (const [classify, hover, want] of cases) {
    const got = classify(hover).class;
    if (got !== want) {
      failed += 1;
      console.error(`${classify.name}(${JSON.stringify(hover)}): ${got}, expected ${want}`);
    }
  }
  const hedged = (why) => `**await** \`g()\` in \`f()\`\n\nResumes 1 tick after \`g()\` settles (fulfils or rejects), if it is a native \`Promise\` (${why}): a thenable would resume 1 tick later (\`await\` calls its \`then\` first), a \`Promise\` subclass 1 tick later.`;
  const hedges = [
    ["this file does not show what it is", "decidable from the workspace: no reason given"],
    ["`conn.command` is a property of `conn`, and `conn` is a parameter", "undecidable: parameter"],
    ["`cursor` holds the result of `coll.find()` (line 1), and `coll.find` is a property of `coll`, and `coll` is a parameter", "undecidable: parameter"],
    ["`p.format` is a property of `p`, and `p` comes from the package `prettier`, outside the workspace", "undecidable: package"],
    ["`navigator.gpu` is a property of `navigator`, and `navigator` is a global this file does not declare", "undecidable: global"],
    ["`pre` (line 1) returns no promise on one path (line 2)", "undecidable: no promise on some path"],
    ["`t` holds `x && f` (line 1), and `x && f` is a conditional: either side may be awaited", "undecidable: conditional"],
    ["`this.#fsp.mkdir` is a property of an unknown value: `this.#fsp` is a field set from `fsp` (line 3), and `fsp` is a parameter", "undecidable: parameter"],
    ["`this.#call` (line 1) returns `this.#impl[m]()` (line 1), and `this.#impl[m]` is a computed property of `this.#impl`, which may hold any function", "undecidable: computed property"],
    ["`r.json` is a property of `r`, and `r` holds what `await fetch(u)` settled with (line 2): the value a promise settled with", "undecidable: value from elsewhere"],
    ["`p` is reassigned in this file", "decidable from the workspace: reassigned"],
    ["`minify` is imported from `../main.js`, whose summary does not show it returns a native promise", "decidable from the workspace: workspace import"],
    ["`z.inflate` is a property of `z`, and `z` comes from Node's `zlib`, whose functions here are not known to return native promises", "decidable from the workspace: built-in not modelled"],
    ["`f` (line 3) returns `g(x)`", "decidable from the workspace: not followed"],
  ];
  for (const [why, want] of hedges) {
    const got = classifyAwait(hedged(why));
    if (got.class !== "hedged (if it is a native promise)" || got.hedge !== want) {
      failed += 1;
      console.error(`hedge ${JSON.stringify(why)}: ${got.class} / ${got.hedge}, expected ${want}`);
    }
  }
  const stop = classifyFunction(cases.find(([f, , want]) => f === classifyFunction && want === "engine stopped")[1]);
  if (stop.reason !== "`…` is not defined in this file") {
    failed += 1;
    console.error(`engine-stop reason: ${JSON.stringify(stop.reason)}`);
  }
  if (failed) process.exit(1);
  console.log(`classifier: ${cases.length + hedges.length + 1} cases pass`);
}

// ---------------------------------------------------------------- positions (acorn)

// `.mjs` is a module, `.cjs` a script; a `.js` file follows the nearest package.json `type`,
// and is read with the other grammar when only that one parses it.
function sourceTypes(file) {
  if (/\.m[jt]s$/.test(file)) return ["module"];
  if (/\.c[jt]s$/.test(file)) return ["script"];
  let dir = path.dirname(file);
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if (JSON.parse(readFileSync(manifest, "utf8")).type === "module") return ["module", "script"];
      } catch {}
      return ["script", "module"];
    }
    const up = path.dirname(dir);
    if (up === dir) return ["script", "module"];
    dir = up;
  }
}

// The positions to hover, as UTF-16 offsets: [{ kind, offset }], kind one of
// "await", "for await", "yield", "async function".
function suspensionPoints(ast, text) {
  const points = [];
  const keyword = (word, from, to) => {
    const re = new RegExp(`\\b${word}\\b`, "g");
    re.lastIndex = from;
    const m = re.exec(text);
    return m && m.index < to ? m.index : -1;
  };
  walkAst(ast, (node, parent, fn) => {
    if (FUNCTIONS.has(node.type)) {
      if (node.async) {
        // A method's `async` comes before its key, where the method node starts.
        const method = parent && (parent.type === "Property" || parent.type === "MethodDefinition") && parent.value === node;
        const from = method ? parent.start : node.start;
        const at = keyword("async", from, node.body.start);
        if (at >= 0) points.push({ kind: "async function", offset: at });
      }
      return node;
    }
    if (node.type === "AwaitExpression") {
      points.push({ kind: "await", offset: node.start });
    } else if (node.type === "ForOfStatement" && node.await) {
      const at = keyword("await", node.start, node.left.start);
      points.push({ kind: "for await", offset: at >= 0 ? at : node.start });
    } else if (node.type === "YieldExpression" && fn && fn.async && fn.generator) {
      points.push({ kind: "yield", offset: node.start });
    }
    return fn;
  });
  return points.sort((a, b) => a.offset - b.offset);
}

// LSP positions (UTF-16 columns, lines split at \n, \r\n and \r) of UTF-16 offsets.
function positionOf(text) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - starts[lo] };
  };
}

function* walk(dir, files) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full, files);
    else if (files.test(entry.name)) yield full;
  }
}

const JAVASCRIPT = /\.(js|mjs|cjs)$/;
// Declaration files (`.d.ts`) hold no code; `check` skips them too.
const TYPESCRIPT = /(?<!\.d)\.(ts|mts|cts|tsx)$/;

// The package a corpus file belongs to: `axios`, `@babel/core`.
function packageOf(pkgs, file) {
  const parts = path.relative(pkgs, file).split(path.sep);
  const nested = parts.lastIndexOf("pkgs");
  const rest = nested >= 0 ? parts.slice(nested + 1) : parts;
  return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
}

// ---------------------------------------------------------------- the LSP client

class Lsp {
  constructor(binary) {
    this.child = spawn(binary, ["lsp", "--stdio"], { stdio: ["pipe", "pipe", "ignore"] });
    this.nextId = 1;
    this.pending = new Map();
    this.buffer = Buffer.alloc(0);
    this.child.stdout.on("data", (chunk) => this.receive(chunk));
    this.exited = new Promise((resolve) => this.child.on("exit", (code, signal) => resolve({ code, signal })));
    this.exited.then((how) => {
      for (const { reject } of this.pending.values()) reject(new Error(`the server exited (${JSON.stringify(how)})`));
      this.pending.clear();
    });
  }

  send(message) {
    const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message }), "utf8");
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  request(method, params, timeoutMs = 60_000) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.send({ id, method, params });
    });
  }

  notify(method, params) {
    this.send({ method, params });
  }

  receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, end).toString())?.[1]);
      if (this.buffer.length < end + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString("utf8"));
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.dispatch(message);
    }
  }

  dispatch(message) {
    if (message.method && message.id !== undefined) {
      // A request from the server (configuration, registrations): answer as a plain editor would.
      const result = message.method === "workspace/configuration" ? (message.params?.items ?? []).map(() => null) : null;
      this.send({ id: message.id, result });
    } else if (message.id !== undefined && this.pending.has(message.id)) {
      const { resolve, reject } = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) reject(new Error(message.error.message));
      else resolve(message.result);
    }
  }
}

function hoverText(result) {
  if (!result) return null;
  const contents = result.contents;
  if (typeof contents === "string") return contents;
  if (Array.isArray(contents)) return contents.map((c) => (typeof c === "string" ? c : c.value)).join("\n\n");
  return contents?.value ?? null;
}

// ---------------------------------------------------------------- the census

// Whether a package (`axios`, `@babel/core`) is one issue 20 measured.
function inIssueSample(pkg) {
  return SAMPLE_PACKAGES.includes(pkg) || SAMPLE_PACKAGES.includes(pkg.split("/")[0]);
}

function tally() {
  return { awaits: Object.fromEntries(AWAIT_CLASSES.map((c) => [c, 0])), functions: Object.fromEntries(FUNCTION_CLASSES.map((c) => [c, 0])), files: 0 };
}

const pct = (n, total) => (total ? `${((100 * n) / total).toFixed(1)}%` : "–");

function table(rows) {
  const awaitHead = ["tick", "named, decided", "hedged", "unknown", "no hover"];
  const fnHead = ["settle known", "engine stopped", "unknown", "no hover"];
  let out = `| package | files | awaits | ${awaitHead.join(" | ")} | async functions | ${fnHead.join(" | ")} |\n`;
  out += `|${" --- |".repeat(4 + awaitHead.length + fnHead.length)}\n`;
  for (const [name, t] of rows) {
    const awaits = Object.values(t.awaits).reduce((a, b) => a + b, 0);
    const functions = Object.values(t.functions).reduce((a, b) => a + b, 0);
    const a = AWAIT_CLASSES.map((c) => `${t.awaits[c]} (${pct(t.awaits[c], awaits)})`);
    const f = FUNCTION_CLASSES.map((c) => `${t.functions[c]} (${pct(t.functions[c], functions)})`);
    out += `| ${name} | ${t.files} | ${awaits} | ${a.join(" | ")} | ${functions} | ${f.join(" | ")} |\n`;
  }
  return out;
}

function reasonsTable(counts, total, limit = 15) {
  const rows = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (rows.length === 0) return "(none)\n";
  let out = "| count | share | reason |\n| ---: | ---: | --- |\n";
  for (const [reason, n] of rows.slice(0, limit)) out += `| ${n} | ${pct(n, total)} | ${reason.replace(/\|/g, "\\|")} |\n`;
  if (rows.length > limit) out += `| … | | ${rows.length - limit} more reasons |\n`;
  return out;
}

async function census(options) {
  const require = createRequire(path.join(path.resolve(options.acorn), "package.json"));
  const acorn = require("acorn");
  const pkgs = path.join(options.corpus, "files", "pkgs");
  const started = Date.now();

  const files = [];
  let unparsed = 0;
  let unstripped = 0;
  let tsx = 0;
  for (const file of walk(pkgs, options.typescript ? TYPESCRIPT : JAVASCRIPT)) {
    const pkg = packageOf(pkgs, file);
    if (options.issuePackages && !inIssueSample(pkg)) continue;
    const text = readFileSync(file, "utf8");
    if (!/\basync\b|\bawait\b/.test(text)) continue;
    let plain = text;
    if (file.endsWith(".tsx")) {
      tsx += 1;
      continue;
    } else if (options.typescript) {
      try {
        plain = stripTypeScriptTypes(text);
      } catch {
        unstripped += 1;
        continue;
      }
    }
    let found = null;
    for (const sourceType of sourceTypes(file)) {
      try {
        found = { sourceType, points: suspensionPoints(parse(acorn, plain, sourceType), plain) };
        break;
      } catch {}
    }
    if (!found) {
      unparsed += 1;
      continue;
    }
    if (found.points.length === 0) continue;
    files.push({ file, pkg, text, ...found });
  }

  const lsp = new Lsp(options.ticklens);
  await lsp.request("initialize", {
    processId: process.pid,
    rootUri: pathToFileURL(pkgs).href,
    capabilities: { textDocument: { hover: { contentFormat: ["markdown", "plaintext"] } } },
  });
  lsp.notify("initialized", {});

  const perPackage = new Map();
  const overall = tally();
  const issueSample = tally();
  const awaitReasons = new Map();
  const stopReasons = new Map();
  const exactStops = new Map();
  const functionUnknown = new Map();
  const hedgeKinds = new Map();
  const kinds = new Map();
  const details = [];
  const bump = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);

  for (const { file, pkg, text, sourceType, points } of files) {
    const uri = pathToFileURL(file).href;
    lsp.notify("textDocument/didOpen", { textDocument: { uri, languageId: options.typescript ? "typescript" : "javascript", version: 1, text } });
    const at = positionOf(text);
    const answers = await Promise.all(
      points.map((p) =>
        lsp
          .request("textDocument/hover", { textDocument: { uri }, position: at(p.offset) })
          .then(hoverText, (e) => ({ error: e.message })),
      ),
    );
    lsp.notify("textDocument/didClose", { textDocument: { uri } });
    if (!perPackage.has(pkg)) perPackage.set(pkg, tally());
    const mine = perPackage.get(pkg);
    const sums = inIssueSample(pkg) ? [mine, overall, issueSample] : [mine, overall];
    for (const t of sums) t.files += 1;
    points.forEach((p, i) => {
      const answer = answers[i];
      const hover = typeof answer === "string" ? answer : null;
      const isFunction = p.kind === "async function";
      let verdict = isFunction ? classifyFunction(hover) : classifyAwait(hover);
      if (answer && typeof answer === "object") verdict = { class: isFunction ? "unknown" : "unknown", reason: `request failed: ${answer.error}` };
      const bucket = isFunction ? "functions" : "awaits";
      for (const t of sums) t[bucket][verdict.class] += 1;
      const kindKey = `${p.kind}: ${verdict.class}`;
      bump(kinds, kindKey);
      if (!isFunction && verdict.class === "unknown") bump(awaitReasons, verdict.reason);
      if (verdict.hedge) bump(hedgeKinds, verdict.hedge);
      if (isFunction && verdict.class === "engine stopped") {
        bump(stopReasons, verdict.reason);
        bump(exactStops, verdict.exact);
      }
      if (isFunction && verdict.class === "unknown") bump(functionUnknown, verdict.reason);
      const { line, character } = at(p.offset);
      details.push({ file: path.relative(pkgs, file), sourceType, line: line + 1, column: character + 1, kind: p.kind, class: verdict.class, reason: verdict.reason, hedge: verdict.hedge, hover });
    });
  }
  await lsp.request("shutdown", null).catch(() => {});
  lsp.notify("exit", null);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);

  const awaitsTotal = Object.values(overall.awaits).reduce((a, b) => a + b, 0);
  const functionsTotal = Object.values(overall.functions).reduce((a, b) => a + b, 0);
  const rows = [...perPackage.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  if (!options.issuePackages) rows.push(["*the packages issue 20 measured*", issueSample]);
  rows.push(["**all**", overall]);
  let md = `## ${options.label}\n\n`;
  md += `Corpus \`${path.basename(options.corpus)}\`, ticklens \`${options.commit}\`, ${new Date().toISOString().slice(0, 10)}; `;
  md += options.issuePackages ? `every file of ${SAMPLE_PACKAGES.map((p) => `\`${p}\``).join(", ")} (those present)` : "every file of the corpus";
  md += ` with an async function or an \`await\`: ${overall.files} files, ${awaitsTotal} awaits (\`await\`, \`for await\`, \`yield\` in async generators), ${functionsTotal} async functions`;
  md += unparsed ? `; ${unparsed} files acorn could not parse were left out` : "";
  md += unstripped ? `; ${unstripped} files Node 24 refuses to strip (\`enum\`, parameter properties, ...) were left out` : "";
  md += tsx ? `; ${tsx} .tsx files (JSX, which acorn does not read) were left out` : "";
  md += `. Ran in ${seconds} s.\n\n`;
  const known = overall.awaits["tick after entry"] + overall.awaits["named operation, kind decided"];
  md += `Against issue 20's targets: awaits with a resume point (a tick after entry, or a named operation of decided kind) ${pct(known, awaitsTotal)} (target ≥ 80%); `;
  const hedgedTotal = overall.awaits["hedged (if it is a native promise)"];
  const undecidable = [...hedgeKinds.entries()].filter(([k]) => k.startsWith("undecidable")).reduce((a, [, n]) => a + n, 0);
  md += `hedged ${pct(hedgedTotal, awaitsTotal)} (target ≤ 15%), of which ${undecidable} on an operand the workspace cannot decide and ${hedgedTotal - undecidable} on one it could; `;
  md += `async-function hovers saying the engine stopped ${pct(overall.functions["engine stopped"], functionsTotal)} (target < 2%).\n\n`;
  md += table(rows);
  md += `\nBy suspension kind:\n\n| count | kind: class |\n| ---: | --- |\n`;
  for (const [k, n] of [...kinds.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) md += `| ${n} | ${k} |\n`;
  md += `\nHedged awaits by what the hover says the operand is (of ${hedgedTotal}):\n\n${reasonsTable(hedgeKinds, hedgedTotal, 30)}`;
  md += `\nMost common reasons an await's resumption is unknown (of ${awaitsTotal} awaits):\n\n${reasonsTable(awaitReasons, awaitsTotal)}`;
  md += `\nMost common reasons the engine stopped (async-function hovers, of ${functionsTotal}):\n\n${reasonsTable(stopReasons, functionsTotal)}`;
  md += `\nThe same, by exact reason (the names the engine lacks):\n\n${reasonsTable(exactStops, functionsTotal, 25)}`;
  md += `\nOther unknown settle points (async-function hovers):\n\n${reasonsTable(functionUnknown, functionsTotal)}`;
  writeFileSync(options.out, md);
  if (options.details) writeFileSync(options.details, details.map((d) => JSON.stringify(d)).join("\n") + "\n");
  process.stdout.write(md);
}

// ---------------------------------------------------------------- main

const args = process.argv.slice(2);
if (args.includes("--check")) {
  check();
} else {
  const value = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const options = {
    ticklens: value("--ticklens"),
    acorn: value("--acorn"),
    corpus: value("--corpus"),
    out: value("--out"),
    details: value("--details"),
    commit: value("--commit") ?? "unknown",
    label: value("--label") ?? "Census",
    issuePackages: args.includes("--issue-packages"),
    typescript: args.includes("--typescript"),
  };
  for (const need of ["ticklens", "acorn", "corpus", "out"]) {
    if (!options[need]) {
      console.error(`insight-coverage: --${need} is required`);
      process.exit(2);
    }
  }
  await census(options);
}
