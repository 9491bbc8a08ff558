// Prints where acorn finds the suspension points of each file: per function,
// the byte offset of every `await`, `for await` and `yield`.
//
//   node acorn-points.mjs ACORN_DIR FILE...
//
// ACORN_DIR holds node_modules/acorn (scripts/install-acorn.sh prints it).
// One JSON line per file, in argument order:
//   {"file": F, "sourceType": "module"|"script", "functions": [{"end": E, "depth": D,
//    "points": [["await", OFFSET], ...]}, ...]}
// or {"file": F, "error": MESSAGE} when acorn cannot parse it either way.
// A function is keyed by its end offset and how many functions enclose it
// (nested arrows can end at the same byte); the top level has depth 0 and
// end -1. Offsets are UTF-8 bytes, as tree-sitter counts them. A `for await`
// is at the start of its `for`; an `await` or `yield` at its keyword.
//
// sourceType: `.mjs` is a module and `.cjs` a script, as Node decides; a
// `.js` file is read as a script (CommonJS, with a top-level `return`
// allowed) unless only the module grammar parses it.
//
// It also exports what scripts/insight-coverage.mjs reads acorn with: `parse`,
// `FUNCTIONS` and the walker `walkAst`.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

// The node types of functions: each owns the suspension points of its body.
export const FUNCTIONS = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

// The grammar Node 24 reads: the latest, a hashbang allowed, and in a script
// (CommonJS) a top-level `return`.
export function parse(acorn, text, sourceType) {
  return acorn.parse(text, {
    ecmaVersion: "latest",
    sourceType,
    allowHashBang: true,
    allowReturnOutsideFunction: sourceType === "script",
  });
}

// Visits `node` and every node below it, parents first, children in source
// order: `enter(node, parent, context)` returns the context its children get
// (such as the function that owns them).
export function walkAst(node, enter, context = null, parent = null) {
  const inner = enter(node, parent, context);
  for (const key in node) {
    if (key === "loc") continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const child of value) if (child && typeof child.type === "string") walkAst(child, enter, inner, node);
    } else if (value && typeof value.type === "string") {
      walkAst(value, enter, inner, node);
    }
  }
}

// byteAt[i]: the UTF-8 offset of UTF-16 offset i.
function byteOffsets(text) {
  const byteAt = new Uint32Array(text.length + 1);
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    byteAt[i] = bytes;
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < text.length) {
      // A surrogate pair: four bytes for both units.
      byteAt[i + 1] = bytes;
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  byteAt[text.length] = bytes;
  return byteAt;
}

function points(ast, byteAt) {
  const functions = [{ end: -1, depth: 0, points: [] }];
  const top = functions[0];
  walkAst(ast, (node, _parent, owner) => {
    if (FUNCTIONS.has(node.type)) {
      const inner = { end: byteAt[node.end], depth: owner.depth + 1, points: [] };
      functions.push(inner);
      return inner;
    }
    if (node.type === "AwaitExpression") {
      owner.points.push(["await", byteAt[node.start]]);
    } else if (node.type === "YieldExpression") {
      owner.points.push(["yield", byteAt[node.start]]);
    } else if (node.type === "ForOfStatement" && node.await) {
      owner.points.push(["for await", byteAt[node.start]]);
    }
    return owner;
  }, top);
  for (const f of functions) f.points.sort((a, b) => a[1] - b[1]);
  return functions;
}

function main() {
  const [acornDir, ...files] = process.argv.slice(2);
  const require = createRequire(path.join(path.resolve(acornDir), "package.json"));
  const acorn = require("acorn");
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const order = file.endsWith(".mjs") ? ["module"] : file.endsWith(".cjs") ? ["script"] : ["script", "module"];
    let result = null;
    let error = null;
    for (const sourceType of order) {
      try {
        const ast = parse(acorn, text, sourceType);
        result = { file, sourceType, functions: points(ast, byteOffsets(text)) };
        break;
      } catch (e) {
        error ??= String(e.message);
      }
    }
    process.stdout.write(JSON.stringify(result ?? { file, error }) + "\n");
  }
}

// Run as a script, not imported: print the points of the files named.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
