//! Differential test of `workspace::resolve` against Node 24: seeded layouts of
//! files, folders, `package.json` files and `node_modules` packages are written
//! to disk; one Node process per layout resolves every specifier with
//! `require.resolve` (from a CommonJS file) and with `import.meta.resolve` plus a
//! real `import()` (from an ES module); ticklens must name the same file or
//! built-in, and say `Unresolved` exactly where Node throws.

#[path = "differential/node.rs"]
mod node;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use ticklens::workspace::builtins::{BUILTINS, PREFIX_ONLY};
use ticklens::workspace::{resolve, DiskFs, RequireOrImport, Resolution};

const LAYOUTS: u64 = 12;

/// What `pkg-a`'s `exports` may be, one per layout.
fn pkg_a_exports(choice: usize) -> Option<Value> {
    Some(match choice {
        0 => return None,
        1 => json!("./main.js"),
        2 => json!({"import": "./esm.mjs", "require": "./cjs.cjs"}),
        3 => json!({
            ".": {"node": {"import": "./esm.mjs", "default": "./cjs.cjs"}},
            "./feature": "./feature.js",
            "./feature/*": "./features/*.js",
            "./features/*.js": "./features/*.js",
            "./private/*": null,
            "./package.json": "./package.json"
        }),
        4 => json!({".": ["no-dot.js", "./main.js"], "./missing": ["./gone.js"]}),
        5 => json!({"./*": "./*", "./private/*": null}),
        6 => json!({".": {"default": "./main.js", "import": "./esm.mjs"}}),
        7 => json!({".": {"module-sync": "./sync.js", "default": "./main.js"}}),
        8 => json!({".": "./main.js", "import": "./esm.mjs"}),
        9 => json!({".": "../escape.js", "./a/*.js": "./lib/*.js", "./a/b/*": "./deep/*.js"}),
        10 => {
            json!({"./a/*.js": "./lib/*.js", "./a/b/*": "./deep/*.js", "./dir/*": "./features/*"})
        }
        _ => json!({".": {"browser": "./feature.js", "node": null, "default": "./main.js"}}),
    })
}

/// The root `package.json`, if any: self-reference, `imports`, `type`.
fn root_manifest(rng: &mut ChaCha8Rng) -> Option<Value> {
    if rng.random_range(0..4) == 0 {
        return None;
    }
    let mut manifest = json!({"name": "selfpkg"});
    if rng.random_bool(0.7) {
        manifest["exports"] = match rng.random_range(0..3) {
            0 => json!("./lib/x.js"),
            1 => {
                json!({".": "./lib/x.js", "./x": "./lib/x.js", "./feature/*": "./lib/feature/*.js"})
            }
            _ => json!({"import": "./lib/y.mjs", "default": "./lib/x.js"}),
        };
    }
    if rng.random_bool(0.7) {
        manifest["imports"] = json!({
            "#alias": "./src/a.js",
            "#internal/*": "./lib/*",
            "#dep": {"import": "pkg-main", "default": "@scope/pkg-b"},
            "#fs": "fs",
            "#cond": {"require": "./src/e.cjs", "import": "./src/d.mjs"}
        });
    }
    match rng.random_range(0..3) {
        0 => manifest["type"] = json!("module"),
        1 => manifest["type"] = json!("commonjs"),
        _ => {}
    }
    Some(manifest)
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
    std::fs::write(path, text).expect("write a layout file");
}

/// Writes one layout under `root` and returns the specifiers to resolve.
fn build_layout(root: &Path, rng: &mut ChaCha8Rng, layout: u64) -> Vec<String> {
    let src = root.join("src");
    let maybe = |rng: &mut ChaCha8Rng, path: &str, text: &str| {
        if rng.random_bool(0.6) {
            write(&root.join(path), text);
        }
    };
    for file in [
        "src/a.js",
        "src/d.mjs",
        "src/e.cjs",
        "src/f",
        "src/dir/lib.js",
        "src/dir/sub/index.js",
    ] {
        maybe(rng, file, "");
    }
    maybe(rng, "src/a.json", "{}");
    maybe(rng, "src/b.json", "{}");
    maybe(rng, "src/c.node", "not a native addon");
    maybe(rng, "src/dir/index.json", "{}");
    maybe(rng, "src/dir/index.js", "");
    let mains = ["lib.js", "lib", "missing.js", "./sub", "", "sub/index.js"];
    if rng.random_bool(0.7) {
        let main = mains[rng.random_range(0..mains.len())];
        write(
            &src.join("dir/package.json"),
            &json!({"main": main}).to_string(),
        );
    }
    for file in ["lib/x.js", "lib/y.mjs", "lib/feature/y.js", "escape.js"] {
        maybe(rng, file, "");
    }
    if let Some(manifest) = root_manifest(rng) {
        write(&root.join("package.json"), &manifest.to_string());
    }
    // pkg-a: one `exports` shape per layout, every file it may name.
    let pkg_a = root.join("node_modules/pkg-a");
    let mut manifest = json!({"name": "pkg-a", "main": "./main.js"});
    if let Some(exports) = pkg_a_exports(layout as usize % 12) {
        manifest["exports"] = exports;
    }
    write(&pkg_a.join("package.json"), &manifest.to_string());
    for file in [
        "main.js",
        "esm.mjs",
        "cjs.cjs",
        "feature.js",
        "features/one.js",
        "features/two.js",
        "private/p.js",
        "sync.js",
        "lib/z.js",
        "deep/q.js",
        "index.js",
        "a/x.js",
    ] {
        maybe(rng, &format!("node_modules/pkg-a/{file}"), "");
    }
    if rng.random_bool(0.3) {
        // A nearer pkg-a without a manifest shadows the root one.
        write(&src.join("node_modules/pkg-a/index.js"), "");
    }
    let pkg_b = root.join("node_modules/@scope/pkg-b");
    if rng.random_bool(0.8) {
        write(&pkg_b.join("index.js"), "");
        maybe(rng, "node_modules/@scope/pkg-b/lib/z.js", "");
    }
    let pkg_main = root.join("node_modules/pkg-main");
    let main_choices = ["lib/m", "lib/m.js", "lib", "nothing.js"];
    let main = main_choices[rng.random_range(0..main_choices.len())];
    write(
        &pkg_main.join("package.json"),
        &json!({"main": main}).to_string(),
    );
    maybe(rng, "node_modules/pkg-main/lib/m.js", "");
    maybe(rng, "node_modules/pkg-main/lib/index.js", "");
    maybe(rng, "node_modules/pkg-main/index.js", "");
    maybe(rng, "node_modules/test/index.js", "");
    maybe(rng, "node_modules/fs/index.js", "");
    write(
        &src.join("probe.cjs"),
        "module.exports = (s) => require.resolve(s);\n",
    );
    write(&src.join("probe.mjs"), PROBE);

    let mut specifiers: Vec<String> = [
        "./a",
        "./a.js",
        "./a.json",
        "./b",
        "./b.json",
        "./c",
        "./c.node",
        "./d",
        "./d.mjs",
        "./e",
        "./e.cjs",
        "./f",
        "./dir",
        "./dir/",
        "./dir/index",
        "./dir/index.js",
        "./dir/lib",
        "./dir/sub",
        ".",
        "..",
        "../lib/x.js",
        "../lib/x",
        "./missing",
        "./a.js?query=1",
        "./%61.js",
        "./dir%2Flib.js",
        "fs",
        "node:fs",
        "fs/promises",
        "node:fs/promises",
        "node:test",
        "test",
        "node:nope",
        "events",
        "node:events",
        "timers/promises",
        "pkg-a",
        "pkg-a/",
        "pkg-a/feature",
        "pkg-a/feature/one",
        "pkg-a/features/two.js",
        "pkg-a/private/p.js",
        "pkg-a/main.js",
        "pkg-a/main",
        "pkg-a/package.json",
        "pkg-a/a/x.js",
        "pkg-a/a/b/q",
        "pkg-a/missing",
        "pkg-a/dir/one.js",
        "pkg-a/index.js",
        "@scope/pkg-b",
        "@scope/pkg-b/lib/z",
        "@scope/pkg-b/lib/z.js",
        "@scope",
        "pkg-main",
        "pkg-main/lib/m.js",
        "pkg-main/lib/m",
        "selfpkg",
        "selfpkg/x",
        "selfpkg/feature/y",
        "selfpkg/lib/x.js",
        "#alias",
        "#internal/x.js",
        "#internal/feature/y.js",
        "#dep",
        "#fs",
        "#cond",
        "#",
        "#missing",
        "pkg-none",
        "pkg-none/x",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    specifiers.push(src.join("a.js").display().to_string());
    specifiers.push(format!("file://{}", src.join("a.js").display()));
    specifiers
}

/// Resolves every specifier of `process.argv[2]` (a JSON array) both ways.
const PROBE: &str = r#"
import { createRequire } from "node:module";
const requireResolve = createRequire(import.meta.url)("./probe.cjs");
const out = [];
for (const specifier of JSON.parse(process.argv[2])) {
  const row = { specifier };
  try { row.require = requireResolve(specifier); } catch (e) { row.requireError = e.code ?? String(e); }
  try { row.resolved = import.meta.resolve(specifier); } catch (e) { row.resolveError = e.code ?? String(e); }
  try { await import(specifier); row.loaded = true; } catch (e) { row.importError = e.code ?? String(e); }
  out.push(row);
}
process.stdout.write(JSON.stringify(out));
"#;

/// The errors by which `import()` says the specifier resolves to nothing;
/// other errors (a JSON file without `with { type: "json" }`, a `.node`
/// file) come after resolution succeeded.
const RESOLUTION_ERRORS: &[&str] = &[
    "ERR_MODULE_NOT_FOUND",
    "ERR_UNSUPPORTED_DIR_IMPORT",
    "ERR_PACKAGE_PATH_NOT_EXPORTED",
    "ERR_PACKAGE_IMPORT_NOT_DEFINED",
    "ERR_INVALID_MODULE_SPECIFIER",
    "ERR_INVALID_PACKAGE_TARGET",
    "ERR_INVALID_PACKAGE_CONFIG",
    "ERR_UNKNOWN_BUILTIN_MODULE",
    "ERR_UNSUPPORTED_ESM_URL_SCHEME",
];

/// Node's answer as a resolution: a path, `builtin:name`, or `unresolved`.
fn node_require(row: &Value) -> String {
    match row["require"].as_str() {
        Some(path) if path.starts_with('/') => path.to_owned(),
        Some(name) => format!("builtin:{}", name.trim_start_matches("node:")),
        None => "unresolved".to_owned(),
    }
}

fn node_import(row: &Value) -> String {
    let failed = row["importError"]
        .as_str()
        .is_some_and(|code| RESOLUTION_ERRORS.contains(&code));
    if failed {
        return "unresolved".to_owned();
    }
    let url = row["resolved"]
        .as_str()
        .unwrap_or_else(|| panic!("import() resolved but import.meta.resolve threw: {row}"));
    match url.strip_prefix("file://") {
        // The query and fragment of a URL name no other file.
        Some(path) => path.split(['?', '#']).next().unwrap_or(path).to_owned(),
        None => format!("builtin:{}", url.trim_start_matches("node:")),
    }
}

fn ours(resolution: &Resolution) -> String {
    match resolution {
        Resolution::File(path) => path.display().to_string(),
        Resolution::Builtin(name) => format!("builtin:{name}"),
        Resolution::Unresolved { .. } => "unresolved".to_owned(),
    }
}

fn run_layout(node: &Path, layout: u64) -> (usize, Vec<String>) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let root = dir.path().canonicalize().expect("a real path");
    let mut rng = ChaCha8Rng::seed_from_u64(0x5e50_1e00 + layout);
    let specifiers = build_layout(&root, &mut rng, layout);
    let output = Command::new(node)
        .arg(root.join("src/probe.mjs"))
        .arg(serde_json::to_string(&specifiers).expect("json"))
        .current_dir(&root)
        .output()
        .expect("run Node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let rows: Vec<Value> = serde_json::from_str(&stdout).unwrap_or_else(|_| {
        panic!(
            "layout {layout}: Node printed {stdout:?}, stderr {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let mut wrong = Vec::new();
    let mut cases = 0;
    for row in &rows {
        let specifier = row["specifier"].as_str().expect("specifier");
        for (kind, from, expected) in [
            (RequireOrImport::Require, "src/probe.cjs", node_require(row)),
            (RequireOrImport::Import, "src/probe.mjs", node_import(row)),
        ] {
            cases += 1;
            let got = resolve(specifier, &root.join(from), kind, &DiskFs);
            if ours(&got) != expected {
                wrong.push(format!(
                    "layout {layout} {kind:?} `{specifier}`: node {expected}, ticklens {got:?}"
                ));
            }
        }
    }
    (cases, wrong)
}

#[test]
fn resolution_matches_node_24_on_generated_layouts() {
    let node = node::require_node_24();
    let mut cases = 0;
    let mut wrong = Vec::new();
    for layout in 0..LAYOUTS {
        let (count, errors) = run_layout(&node, layout);
        cases += count;
        wrong.extend(errors);
    }
    assert!(cases >= 200, "only {cases} cases");
    assert!(
        wrong.is_empty(),
        "{} of {cases} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_builtin_list_is_node_24s() {
    let node = node::require_node_24();
    let output = Command::new(node)
        .args(["-p", "JSON.stringify(require('module').builtinModules)"])
        .output()
        .expect("run Node");
    let listed: BTreeSet<String> =
        serde_json::from_slice(&output.stdout).expect("Node prints a JSON list");
    let ours: BTreeSet<String> = BUILTINS
        .iter()
        .map(|name| name.to_string())
        .chain(PREFIX_ONLY.iter().map(|name| format!("node:{name}")))
        .collect();
    assert_eq!(ours, listed);
}
