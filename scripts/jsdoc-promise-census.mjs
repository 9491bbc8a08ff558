// How many of the census's hedged awaits a JSDoc declaration could decide (issue 22 item 3, for
// JavaScript files): for each await the insight census (scripts/insight-coverage.sh) classed as
// "hedged", acorn finds the operand and this asks whether the nearest JSDoc block declares it a
// `Promise`:
//   - an identifier that is a parameter of an enclosing function: `@param {T} name` in the block
//     just before that function (or before the declaration, assignment, property or method that
//     holds it);
//   - an identifier bound by `const`/`let`/`var` in the file: `@type {T}` before the declaration;
//   - `this.x` or `o.x`: `@type {T}` before a class field `x` or an assignment `this.x = …`;
//   - a call `f(…)`, `o.f(…)`, `this.#f(…)`: `@returns {T}`/`@return {T}` before every function,
//     method or property of that name in the file (all of them must say so).
// "Promise" counts only the exact forms `Promise` and `Promise<…>` (balanced); a union, `any`,
// `PromiseLike` or a typedef name does not. The block must touch the declaration (whitespace
// only between them). A measurement, not a checker: the names are matched within the file.
//
//   node scripts/jsdoc-promise-census.mjs --acorn DIR --corpus DIR/files/pkgs --census FILE.jsonl
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (i % 2 === 0 ? [...pairs, [arg.replace(/^--/, ""), all[i + 1]]] : pairs), []),
);
const acorn = createRequire(path.join(path.resolve(args.acorn), "node_modules", "/"))("acorn");
const hedged = fs
  .readFileSync(args.census, "utf8")
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line))
  .filter((row) => row.class.startsWith("hedged"));

const FUNCTIONS = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);
const HOLDERS = new Set([
  "VariableDeclarator",
  "VariableDeclaration",
  "ExportNamedDeclaration",
  "ExportDefaultDeclaration",
  "AssignmentExpression",
  "ExpressionStatement",
  "Property",
  "MethodDefinition",
  "PropertyDefinition",
]);

/// Whether a JSDoc type is exactly `Promise` or `Promise<…>` (the brackets balanced to the end).
function isPromiseType(type) {
  const text = type.trim();
  if (text === "Promise") return true;
  if (!text.startsWith("Promise<") || !text.endsWith(">")) return false;
  let depth = 0;
  for (let i = "Promise".length; i < text.length; i++) {
    if (text[i] === "<") depth++;
    if (text[i] === ">" && --depth === 0 && i !== text.length - 1) return false;
  }
  return depth === 0;
}

const counts = new Map();
const examples = new Map();
function count(what, row, operand = "") {
  counts.set(what, (counts.get(what) ?? 0) + 1);
  if (!examples.has(what)) examples.set(what, []);
  examples.get(what).push(`${row.file}:${row.line} ${operand}`);
}

const byFile = Map.groupBy(hedged, (row) => row.file);
for (const [file, rows] of byFile) {
  let text;
  try {
    text = fs.readFileSync(path.join(args.corpus, file), "utf8");
  } catch {
    rows.forEach((row) => count("file not found", row));
    continue;
  }
  const comments = [];
  let ast;
  for (const sourceType of rows[0].sourceType === "module" ? ["module"] : ["script", "module"]) {
    try {
      comments.length = 0;
      ast = acorn.parse(text, {
        ecmaVersion: "latest",
        sourceType,
        onComment: comments,
        allowHashBang: true,
        allowReturnOutsideFunction: true,
        allowAwaitOutsideFunction: true,
      });
      break;
    } catch {}
  }
  if (!ast) {
    rows.forEach((row) => count("acorn cannot parse the file", row));
    continue;
  }
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const parents = new Map();
  const nodes = [];
  (function walk(node, parent) {
    parents.set(node, parent);
    nodes.push(node);
    for (const value of Object.values(node)) {
      for (const child of Array.isArray(value) ? value : [value]) {
        if (child && typeof child.type === "string") walk(child, node);
      }
    }
  })(ast, null);
  /// The JSDoc block touching `node` or the declaration that holds it.
  const jsdocOf = (node) => {
    let target = node;
    for (let up = parents.get(target); up && HOLDERS.has(up.type) && up.start <= target.start; up = parents.get(up)) {
      target = up;
    }
    const block = comments.findLast(
      (c) => c.type === "Block" && c.value.startsWith("*") && c.end <= target.start && /^\s*$/.test(text.slice(c.end, target.start)),
    );
    return block?.value ?? null;
  };
  const escape = (name) => name.replace(/[$]/g, "\\$");
  const tagType = (doc, pattern) => doc?.match(pattern)?.[1] ?? null;
  const classify = (type, what) => (type === null ? `${what}: no JSDoc type` : isPromiseType(type) ? `${what}: JSDoc Promise` : `${what}: another JSDoc type`);
  for (const row of rows) {
    const offset = lineStarts[row.line - 1] + row.column - 1;
    const at = nodes.find(
      (n) =>
        (n.type === "AwaitExpression" && n.start === offset) ||
        (n.type === "ForOfStatement" && n.await && n.start < offset && offset < n.right.start),
    );
    if (!at) {
      count("await not found", row);
      continue;
    }
    let operand = at.type === "AwaitExpression" ? at.argument : at.right;
    while (operand.type === "ParenthesizedExpression") operand = operand.expression;
    const shown = text.slice(operand.start, Math.min(operand.end, operand.start + 60)).replace(/\s+/g, " ");
    if (operand.type === "Identifier") {
      const name = operand.name;
      let function_ = parents.get(at);
      while (function_ && !(FUNCTIONS.has(function_.type) && function_.params.some((p) => (p.type === "AssignmentPattern" ? p.left : p).name === name))) {
        function_ = parents.get(function_);
      }
      if (function_) {
        count(classify(tagType(jsdocOf(function_), new RegExp(`@param\\s*\\{([^}]*)\\}\\s*\\[?${escape(name)}\\b`)), "parameter"), row, shown);
        continue;
      }
      const declarator = nodes.find((n) => n.type === "VariableDeclarator" && n.id.type === "Identifier" && n.id.name === name);
      if (declarator) {
        count(classify(tagType(jsdocOf(declarator), /@type\s*\{([^}]*)\}/), "binding"), row, shown);
      } else {
        count("identifier bound otherwise", row, shown);
      }
    } else if (operand.type === "MemberExpression" && !operand.computed) {
      const name = operand.property.name;
      const holders = nodes.filter(
        (n) =>
          (n.type === "PropertyDefinition" && n.key.name === name) ||
          (n.type === "AssignmentExpression" && n.left.type === "MemberExpression" && n.left.object.type === "ThisExpression" && n.left.property.name === name),
      );
      const types = holders.map((n) => tagType(jsdocOf(n), /@type\s*\{([^}]*)\}/)).filter((t) => t !== null);
      count(types.length === 0 ? "field: no JSDoc type" : types.every(isPromiseType) ? "field: JSDoc Promise" : "field: another JSDoc type", row, shown);
    } else if (operand.type === "CallExpression") {
      const callee = operand.callee;
      const name = callee.type === "Identifier" ? callee.name : callee.type === "MemberExpression" && !callee.computed ? callee.property.name : null;
      if (name === null) {
        count("call: computed callee", row, shown);
        continue;
      }
      const definitions = nodes.filter(
        (n) =>
          (n.type === "FunctionDeclaration" && n.id?.name === name) ||
          ((n.type === "MethodDefinition" || n.type === "Property" || n.type === "PropertyDefinition") && n.key.name === name && n.value && FUNCTIONS.has(n.value.type)) ||
          (n.type === "VariableDeclarator" && n.id.name === name && n.init && FUNCTIONS.has(n.init.type)),
      );
      if (definitions.length === 0) {
        count("call: no function of that name in the file", row, shown);
        continue;
      }
      const types = definitions.map((d) => tagType(jsdocOf(d), /@returns?\s*\{([^}]*)\}/));
      count(
        types.every((t) => t === null) ? "call: no JSDoc @returns" : types.every((t) => t !== null && isPromiseType(t)) ? "call: JSDoc @returns Promise" : `call: another JSDoc @returns (${types.join(" / ")})`,
        row,
        shown,
      );
    } else {
      count(`another operand (${operand.type})`, row, shown);
    }
  }
}
console.log(`Hedged awaits in ${args.census}: ${hedged.length}\n`);
console.log("| count | operand: declaration |\n| ---: | --- |");
for (const [what, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`| ${n} | ${what.replaceAll("|", "\\|")} |`);
for (const [what, list] of examples) {
  if (what.includes("Promise") || what.startsWith("call: another")) {
    console.log(`\n${what}:`);
    list.forEach((example) => console.log(`  ${example}`));
  }
}
