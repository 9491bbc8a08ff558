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
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

const [acornDir, ...files] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(acornDir), "package.json"));
const acorn = require("acorn");

function parse(text, sourceType) {
  return acorn.parse(text, {
    ecmaVersion: "latest",
    sourceType,
    allowHashBang: true,
    allowReturnOutsideFunction: sourceType === "script",
  });
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

const FUNCTIONS = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

function points(ast, byteAt) {
  const functions = [{ end: -1, depth: 0, points: [] }];
  const visit = (node, owner, depth) => {
    if (FUNCTIONS.has(node.type)) {
      owner = { end: byteAt[node.end], depth: depth + 1, points: [] };
      functions.push(owner);
      depth += 1;
    } else if (node.type === "AwaitExpression") {
      owner.points.push(["await", byteAt[node.start]]);
    } else if (node.type === "YieldExpression") {
      owner.points.push(["yield", byteAt[node.start]]);
    } else if (node.type === "ForOfStatement" && node.await) {
      owner.points.push(["for await", byteAt[node.start]]);
    }
    for (const key in node) {
      const value = node[key];
      if (Array.isArray(value)) {
        for (const child of value) if (child && typeof child.type === "string") visit(child, owner, depth);
      } else if (value && typeof value.type === "string" && key !== "loc") {
        visit(value, owner, depth);
      }
    }
  };
  visit(ast, functions[0], 0);
  for (const f of functions) f.points.sort((a, b) => a[1] - b[1]);
  return functions;
}

for (const file of files) {
  const text = readFileSync(file, "utf8");
  const order = file.endsWith(".mjs") ? ["module"] : file.endsWith(".cjs") ? ["script"] : ["script", "module"];
  let result = null;
  let error = null;
  for (const sourceType of order) {
    try {
      const ast = parse(text, sourceType);
      result = { file, sourceType, functions: points(ast, byteOffsets(text)) };
      break;
    } catch (e) {
      error ??= String(e.message);
    }
  }
  process.stdout.write(JSON.stringify(result ?? { file, error }) + "\n");
}
