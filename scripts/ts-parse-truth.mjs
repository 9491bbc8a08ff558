// Parse truth on a TypeScript corpus: ticklens's type erasure against Node 24's own.
//
//   cargo build --release -p ticklens --example ts_erase --bin ticklens
//   $TICKLENS_NODE scripts/ts-parse-truth.mjs "$(scripts/ts-corpus.sh)/files" target/release
//
// For every .ts/.mts/.cts file, Node 24's `module.stripTypeScriptTypes` either strips it (the
// text ticklens analyses must then be the same, byte for byte, but for the blanks of
// `sameBlanks`, which are counted apart) or refuses it (ticklens must
// refuse it with Node's reason); and every rule whose trigger words the erased text holds must
// be one the text as written may trigger (`rules::triggered_as_written`). A .tsx file, which Node does not run, is judged by the TSX
// grammar alone: its tree must hold no error. Last, `ticklens check` must report a
// `syntax-error` on no file Node runs; of the files Node refuses, it reports those it parses,
// the ones with a trigger word of an enabled rule (docs/rules/syntax-error.md), and the summary
// counts the others. A file Node strips but whose stripped text it will not compile (an import
// assertion, `assert { type: "json" }`, which Node 24 no longer accepts) is one Node refuses to
// run: `node --check` of the stripped text, as a module and as a script, decides it, for the
// files check reports a syntax error in. ticklens strips with a newer release of the code Node
// strips with (swc's `ts_fast_strip`), which puts a `;` in a blank in some places Node 24 does not
// and leaves one out in others (an erased statement's, a class member's after an erased modifier):
// a text that differs from Node's only so is counted apart when acorn (`TICKLENS_ACORN`, as
// scripts/install-acorn.sh installs it) reads both as the same program, empty statements left out.
// Prints every mismatch and a summary; exits 1 when there is one.
import fs from "node:fs";
import path from "node:path";
import module from "node:module";
import os from "node:os";
import { execFileSync, spawnSync } from "node:child_process";
import { createRequire } from "node:module";

process.removeAllListeners("warning");
const [root, bin] = process.argv.slice(2).map((arg) => arg && path.resolve(arg));
if (!root || !bin) {
  console.error("usage: ts-parse-truth.mjs CORPUS_FILES RELEASE_DIR");
  process.exit(2);
}
const files = [];
(function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (/(?<!\.d)\.(ts|mts|cts|tsx)$/.test(entry.name)) files.push(full);
  }
})(root);

const ours = new Map();
const output = execFileSync(path.join(bin, "examples", "ts_erase"), {
  input: files.join("\n") + "\n",
  maxBuffer: 1 << 30,
});
for (const line of output.toString("utf8").split("\n").filter(Boolean)) {
  const result = JSON.parse(line);
  ours.set(result.path, result);
}

const lineOf = (text, at) => text.slice(0, at).split("\n").length;
// Whether two erasures differ only in how they blank: a tab Node keeps where ticklens writes a
// space (one byte either way), or the byte-order mark Node drops (ticklens keeps it, so every
// offset stays the file's; Node skips it when it runs the file too).
const sameBlanks = (mine, node) => {
  const ours = mine.replace(/^\uFEFF/, "");
  return ours.length === node.length &&
    [...ours].every((c, i) => c === node[i] || (/[ \t]/.test(c) && /[ \t]/.test(node[i])));
};
// Whether `mine` and `node` differ only by a `;` where the other has a blank, and acorn reads
// them as one program (positions and empty statements aside).
if (!process.env.TICKLENS_ACORN) {
  console.error("TICKLENS_ACORN is not set (scripts/install-acorn.sh prints the folder)");
  process.exit(2);
}
const acorn = createRequire(path.join(path.resolve(process.env.TICKLENS_ACORN), "node_modules", "acorn", "package.json"))("acorn");
const sameProgram = (mine, node) => {
  const a = [...mine], b = [...node];
  if (a.length !== b.length) return false;
  if (!a.every((c, i) => c === b[i] || (/[ ;\t]/.test(c) && /[ ;\t]/.test(b[i])))) return false;
  // A program acorn refuses both ways (an import assertion, an export of a name only a type
  // declared) is the same to it when it refuses the two texts with the same words at the same
  // place.
  const shape = (text) => {
    let refusal;
    for (const sourceType of ["module", "script"]) {
      try {
        const tree = acorn.parse(text, { ecmaVersion: "latest", sourceType, allowHashBang: true });
        return JSON.stringify(tree, (key, value) => {
          if (key === "start" || key === "end") return undefined;
          if (typeof value === "bigint") return `${value}n`;
          if (Array.isArray(value)) return value.filter((n) => n?.type !== "EmptyStatement");
          return value;
        });
      } catch (error) {
        refusal ??= `acorn: ${error.message}`;
      }
    }
    return refusal;
  };
  return shape(mine) === shape(node);
};
const mismatches = [];
const refusedByNode = new Set();
const strippedText = new Map();
let stripped = 0, refused = 0, tsx = 0, blankingOnly = 0, semicolonsOnly = 0;
for (const file of files) {
  const rel = path.relative(root, file);
  const source = fs.readFileSync(file, "utf8");
  const mine = ours.get(file);
  if (file.endsWith(".tsx")) {
    tsx++;
    if (mine.tree_error !== undefined) {
      refusedByNode.add(rel);
      mismatches.push(`${rel}:${lineOf(source, mine.tree_error)}: the TSX grammar finds an error`);
    }
    continue;
  }
  let node;
  try {
    node = { text: module.stripTypeScriptTypes(source) };
    strippedText.set(rel, node.text);
    stripped++;
  } catch (error) {
    node = { refused: error.message.split("\n")[0] };
    refused++;
    refusedByNode.add(rel);
  }
  // Every rule the erased text triggers, the text as written must (a check
  // erases a file only when its text as written triggers one of its rules).
  for (const code of mine.triggered ?? []) {
    if (!mine.triggered_as_written.includes(code)) mismatches.push(`${rel}: the erased text triggers ${code}, the text as written does not`);
  }
  if (node.text !== undefined) {
    if (mine.refused !== undefined) mismatches.push(`${rel}: Node strips it, ticklens refuses: ${mine.refused}`);
    else if (mine.tree_error !== undefined) mismatches.push(`${rel}:${lineOf(source, mine.tree_error)}: Node strips it, the TypeScript grammar finds an error`);
    else if (mine.erased !== node.text && sameBlanks(mine.erased, node.text)) blankingOnly++;
    else if (mine.erased !== node.text && sameProgram(mine.erased.replace(/^\uFEFF/, ""), node.text)) semicolonsOnly++;
    else if (mine.erased !== node.text) {
      let at = 0;
      while (at < node.text.length && node.text[at] === mine.erased[at]) at++;
      const show = (text) => JSON.stringify(text.slice(Math.max(0, at - 40), at + 40));
      mismatches.push(`${rel}:${lineOf(source, at)}: erased text differs\n  node:     ${show(node.text)}\n  ticklens: ${show(mine.erased)}`);
    }
  } else if (mine.refused === undefined) {
    mismatches.push(`${rel}: Node refuses it (${node.refused}), ticklens erases it`);
  } else if (!node.refused.includes(mine.refused)) {
    mismatches.push(`${rel}: Node refuses it with ${JSON.stringify(node.refused)}, ticklens with ${JSON.stringify(mine.refused)}`);
  }
}

// What a user sees: `check`'s syntax-error findings, exactly on the files Node refuses.
let report = "";
try {
  report = execFileSync(path.join(bin, "ticklens"), ["check", ".", "--no-cache", "--format", "json"], {
    cwd: root, maxBuffer: 1 << 30,
  }).toString();
} catch (error) {
  report = error.stdout.toString(); // exit 1: findings
}
const syntaxErrors = new Set();
for (const file of JSON.parse(report).files) {
  if ((file.findings ?? []).some((finding) => finding.rule === "syntax-error")) syntaxErrors.add(file.path);
}
// Whether Node compiles `text` as an ES module or as a CommonJS script.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ts-parse-truth-"));
function nodeCompiles(text) {
  return ["mjs", "cjs"].some((extension) => {
    const file = path.join(scratch, `stripped.${extension}`);
    fs.writeFileSync(file, text);
    return spawnSync(process.execPath, ["--check", file]).status === 0;
  });
}
let strippedNotCompiled = 0;
for (const rel of syntaxErrors) {
  if (refusedByNode.has(rel)) continue;
  if (nodeCompiles(strippedText.get(rel))) mismatches.push(`${rel}: check reports a syntax-error on a file Node runs`);
  else strippedNotCompiled++;
}
fs.rmSync(scratch, { recursive: true, force: true });
const unparsed = [...refusedByNode].filter((rel) => !syntaxErrors.has(rel)).length;

for (const mismatch of mismatches) console.log(mismatch);
console.log(`${files.length} files: ${stripped} stripped by Node, ${refused} refused, ${tsx} .tsx; ` +
  `${blankingOnly} erased as Node erases them but for a tab or a byte-order mark, ` +
  `${semicolonsOnly} but for semicolons in blanks (the same program to acorn); ` +
  `${syntaxErrors.size} with a syntax-error from check (${unparsed} refused files without a ` +
  `trigger word not parsed; ${strippedNotCompiled} stripped by Node but not compiled by it); ` +
  `${mismatches.length} mismatches`);
process.exit(mismatches.length ? 1 : 0);
