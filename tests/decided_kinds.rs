//! Decided promise kinds against Node 24: where a hover says an awaited
//! operand is a native `Promise` (no "if it is a native `Promise`" hedge)
//! because of a declaration of the same file or of an imported workspace file,
//! Node must see exactly a native promise there (not a thenable, not a
//! subclass, not a plain value), and an operand Node sees as something else
//! must never be decided.
//!
//! The programs combine callee shapes (async functions, functions returning
//! `new Promise`, `Promise.resolve`, `.then` chains or `Promise.all`, methods,
//! and the look-alikes that are not native promises: thenables, subclasses,
//! promises on some paths only, async generators, overridden methods) with
//! placements (the same file, a CommonJS file required, an ES module
//! imported). Each program runs under Node with every await's operand
//! recorded as it is awaited.

#[path = "differential/node.rs"]
mod node;

use std::collections::BTreeMap;
use std::path::Path;

use ticklens::analysis::insights::{self, AwaitKind};
use ticklens::analysis::modules::imports::{imported_names, Summaries};
use ticklens::engine::{ModuleKind, ResumeTick};
use ticklens::syntax;
use ticklens::workspace::DiskFs;

/// A callee: its declaration (with `NAME` for its name) and whether Node
/// returns a native promise from it.
struct Shape {
    declaration: &'static str,
    native: bool,
}

const SHAPES: &[Shape] = &[
    Shape { declaration: "async function NAME() { return 1; }", native: true },
    Shape { declaration: "function NAME() { return new Promise((r) => r(1)); }", native: true },
    Shape { declaration: "function NAME() { return Promise.resolve(1); }", native: true },
    Shape { declaration: "function NAME() { return Promise.all([1, Promise.resolve(2)]); }", native: true },
    Shape { declaration: "const NAME = async () => 1;", native: true },
    Shape { declaration: "const NAME = () => Promise.race([1]);", native: true },
    Shape { declaration: "function NAME() { return (async () => 2)().then((v) => v + 1); }", native: true },
    Shape { declaration: "function NAME() { return Promise.resolve(1).finally(() => {}); }", native: true },
    Shape { declaration: "function NAME() { const p = Promise.resolve(3); return p; }", native: true },
    Shape { declaration: "function NAME() { return { then(resolve) { resolve(1); } }; }", native: false },
    Shape { declaration: "function NAME() { if (globalThis.never) return Promise.resolve(1); return 1; }", native: false },
    Shape { declaration: "class Sub_NAME extends Promise {}\nfunction NAME() { return new Sub_NAME((r) => r(1)); }", native: false },
    Shape { declaration: "function NAME() { return 1; }", native: false },
    Shape { declaration: "async function* NAME() { yield 1; }", native: false },
    Shape { declaration: "function NAME() { return import('node:path'); }", native: true },
    Shape { declaration: "async function NAME_a() { return 1; }\nfunction NAME() { return NAME_a.call(null); }", native: true },
    Shape { declaration: "function NAME() { return globalThis.never ? Promise.resolve(1) : new Promise((r) => r(2)); }", native: true },
    Shape { declaration: "function NAME() { return globalThis.never ? Promise.resolve(1) : 2; }", native: false },
];

/// A class with promise methods and look-alikes, and a subclass overriding
/// one of them with a plain method.
const CLASSES: &str = "class Store {\n  async get() { return 1; }\n  put() { return new Promise((r) => r(2)); }\n  thenable() { return { then(r) { r(3); } }; }\n  plain() { return 4; }\n  overridden() { return Promise.resolve(5); }\n  async viaThis() { await this.get(); await this.put(); await this.thenable(); await this.overridden(); }\n}\nclass Special extends Store {\n  overridden() { return 6; }\n  async viaSuper() { await super.get(); await super.put(); }\n}\nconst api = { async load() { return 1; }, save: () => Promise.resolve(2), fake() { return { then(r) { r(3); } }; } };\n";

/// The class and object calls awaited in the main file (the class lives
/// there too, so its methods' awaits are checked as well), one receiver a row.
#[rustfmt::skip]
const CLASS_CALLS: &[&str] = &[
    "new Store().get()", "new Store().put()", "new Store().thenable()", "new Store().plain()",
    "new Store().viaThis()",
    "new Special().viaThis()", "new Special().viaSuper()",
    "store.get()", "store.put()",
    "api.load()", "api.save()", "api.fake()",
    "store.get.call(store)", "store.put.apply(store, [])", "api.fake.call(api)",
    "import('node:path')", "(globalThis.never ? store.get() : api.load())",
];

/// `let` bindings: one whose every assigned value is a native promise,
/// one later given a thenable, and same-named `let`s of two functions, one
/// reassigned with a plain value; `this` read through `const self = this`;
/// an assignment returned; static methods.
const LETS: &str = "let chain = Promise.resolve(1);\nfunction bump() { chain = chain.then((v) => v); return 0; }\nlet spoiled = Promise.resolve(1);\nfunction spoil() { spoiled = { then(r) { r(1); } }; return 0; }\nasync function scoped() { let p = Promise.resolve(1); p = p.then((v) => v); await p; let q = 1; await q; }\nfunction other() { let p = 1; p = 2; return p; }\nclass Aliased { async get() { return 1; } run() { const self = this; return (async () => { await self.get(); })(); } }\nclass FakeAlias { get() { return { then(r) { r(1); } }; } run() { const self = this; return (async () => { await self.get(); })(); } }\nlet slot;\nclass Statics { static async make() { return 1; } static fake() { return { then(r) { r(1); } }; } }\nfunction assign() { return slot = Promise.resolve(1); }\nfunction assignThenable() { return slot = { then(r) { r(1); } }; }\n";

/// The `let` reads awaited in the main file, in the order they run (the
/// writes first).
#[rustfmt::skip]
const LET_CALLS: &[&str] = &[
    "bump()", "chain", "spoil()", "spoiled", "scoped()", "other()", "new Aliased().run()",
    "new FakeAlias().run()", "assign()", "assignThenable()", "Statics.make()", "Statics.fake()",
];

/// Node's built-ins for the CommonJS placement: a promisified function, and
/// one whose `util.promisify.custom` returns a thenable (never decided).
const BUILT_INS_COMMONJS: &str = "const util = require('node:util');\nconst dns = require('node:dns');\nconst later = util.promisify((cb) => setImmediate(() => cb(null, 1)));\nfunction custom(cb) { cb(null, 1); }\ncustom[util.promisify.custom] = () => ({ then(r) { r(1); } });\nfunction plain(cb) { cb(null, 2); }\n";

/// Calls of Node's built-ins both module placements bind (`util`, `dns`,
/// `later`).
#[rustfmt::skip]
const BUILT_IN_CALLS: &[&str] = &[
    "later()", "util.promisify(function (cb) { cb(null, 2); })()",
    "util.promisify(setImmediate.bind(null))()", "dns.promises.lookup('127.0.0.1')",
];

/// The awaited `let` reads of [`LETS`] that are decided, and those that
/// are not.
const LET_DECIDED: &[&str] = &["chain", "p", "self.get()", "assign()", "Statics.make()"];
const LET_UNDECIDED: &[&str] = &["spoiled", "q", "assignThenable()", "Statics.fake()"];

/// Node's functions for the ES module placement, to promisify.
const PROMISIFIED_BUILT_INS: &str = "import * as fs from 'node:fs';\nimport { stat } from 'node:fs';\nimport { execFile } from 'node:child_process';\nimport * as timers from 'node:timers';\nimport * as stream from 'node:stream';\nconst toStats = promisify(stat);\n";

/// Calls of promisified built-ins (`fs.exists`, `execFile`, the timers and
/// `stream.finished` have a custom form).
#[rustfmt::skip]
const PROMISIFIED_CALLS: &[&str] = &[
    "toStats('.')", "promisify(fs.readdir)('.')", "util.promisify(fs.exists)('.')",
    "promisify(execFile)(process.execPath, ['-e', '0'])", "util.promisify(setTimeout)(1)",
    "util.promisify(setImmediate)()", "promisify(timers.setImmediate)()",
    "promisify(stream.finished)(stream.Readable.from([]).resume())",
];

/// The operand of each await, as Node saw it: `native` or `other`.
const RECORDER: &str = "function __kind(i, v) {\n  globalThis.__kinds ??= {};\n  const native = v instanceof Promise && Object.getPrototypeOf(v) === Promise.prototype;\n  globalThis.__kinds[i] = native ? 'native' : 'other';\n  return v;\n}\nprocess.on('exit', () => console.log(JSON.stringify(globalThis.__kinds ?? {})));\n";

#[derive(Clone, Copy, Debug)]
enum Placement {
    SameFile,
    CommonJs,
    EsModule,
}

/// The files of one program: the main file's name and text, and the helper
/// module's (if any).
fn program(placement: Placement) -> (String, String, Option<(String, String)>) {
    let mut definitions = String::new();
    let mut exports = Vec::new();
    for (i, shape) in SHAPES.iter().enumerate() {
        let name = format!("f{i}");
        definitions.push_str(&shape.declaration.replace("NAME", &name));
        definitions.push('\n');
        exports.push(name);
    }
    let mut calls: Vec<String> = Vec::new();
    for name in &exports {
        match placement {
            Placement::SameFile => calls.push(format!("{name}()")),
            Placement::CommonJs => {
                calls.push(format!("{name}()"));
                calls.push(format!("lib.{name}()"));
                calls.push(format!("(0, lib.{name})()"));
            }
            Placement::EsModule => {
                calls.push(format!("{name}()"));
                calls.push(format!("lib.{name}()"));
            }
        }
    }
    calls.extend(CLASS_CALLS.iter().map(|c| (*c).to_owned()));
    calls.extend(LET_CALLS.iter().map(|c| (*c).to_owned()));
    let mut main = String::from(RECORDER);
    main.push_str(CLASSES);
    main.push_str(LETS);
    main.push_str("const store = new Store();\n");
    let (main_name, helper) = match placement {
        Placement::SameFile => {
            main.push_str(&definitions);
            ("main.js".to_owned(), None)
        }
        Placement::CommonJs => {
            main.push_str(&format!(
                "const lib = require('./lib');\nconst {{ {} }} = require('./lib.js');\nconst tp = require('node:timers/promises');\n",
                exports.join(", ")
            ));
            calls.push("tp.setTimeout(1)".to_owned());
            calls.push("(0, tp.setImmediate)()".to_owned());
            main.push_str(BUILT_INS_COMMONJS);
            calls.extend(BUILT_IN_CALLS.iter().map(|c| (*c).to_owned()));
            calls.push("util.promisify(custom)()".to_owned());
            calls.push("(0, util.promisify)(plain)()".to_owned());
            let helper = format!(
                "{definitions}module.exports = {{ {} }};\n",
                exports.join(", ")
            );
            ("main.js".to_owned(), Some(("lib.js".to_owned(), helper)))
        }
        Placement::EsModule => {
            main.push_str(&format!(
                "import * as lib from './lib.mjs';\nimport {{ {} }} from './lib.mjs';\nimport {{ setTimeout as sleep }} from 'node:timers/promises';\n",
                exports.join(", ")
            ));
            calls.push("sleep(1)".to_owned());
            main.push_str(
                "import * as util from 'node:util';\nimport dns from 'node:dns';\nimport { promisify } from 'node:util';\nconst later = util.promisify((cb) => setImmediate(() => cb(null, 1)));\n",
            );
            // Node's own functions, promisified (this file names no
            // `promisify.custom`): some have a custom promisified form.
            main.push_str(PROMISIFIED_BUILT_INS);
            calls.extend(BUILT_IN_CALLS.iter().map(|c| (*c).to_owned()));
            calls.push("promisify((cb) => cb(null, 3))()".to_owned());
            calls.extend(PROMISIFIED_CALLS.iter().map(|c| (*c).to_owned()));
            let helper = format!("{definitions}export {{ {} }};\n", exports.join(", "));
            ("main.mjs".to_owned(), Some(("lib.mjs".to_owned(), helper)))
        }
    };
    for (i, call) in calls.iter().enumerate() {
        main.push_str(&format!(
            "async function case{i}() {{\n  await {call};\n}}\n"
        ));
    }
    // A driver file runs the cases: the main file itself calls nothing, so
    // every await's hover says what holds for any call (the hedge, unless
    // the operand's kind is decided).
    let cases = (0..calls.len())
        .map(|i| format!("case{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    match placement {
        Placement::EsModule => main.push_str(&format!("export {{ {cases} }};\n")),
        _ => main.push_str(&format!("module.exports = {{ {cases} }};\n")),
    }
    (main_name, main, helper)
}

/// Each await of `source` with whether the hover decides its operand is a
/// native promise; `source` rewritten so that Node records each operand.
fn claims(path: &Path, source: &str, module: ModuleKind) -> (Vec<(String, Option<bool>)>, String) {
    let tree = syntax::parse(source, None);
    let imports = imported_names(path, source, &tree, &DiskFs, &Summaries::default());
    let insights = insights::insights_with_imports(source, &tree, module, &imports);
    let mut awaits: Vec<_> = insights
        .functions
        .iter()
        .flat_map(|f| f.awaits.iter())
        .filter(|a| matches!(a.kind, AwaitKind::Await))
        .collect();
    awaits.sort_by_key(|a| a.range.start);
    let mut rewritten = String::new();
    let mut last = 0;
    let mut found = Vec::new();
    for (i, insight) in awaits.iter().enumerate() {
        let text = &source[insight.range.clone()];
        let operand = text.strip_prefix("await").expect("an await").trim();
        rewritten.push_str(&source[last..insight.range.start]);
        rewritten.push_str(&format!("await __kind({i}, ({operand}))"));
        last = insight.range.end;
        // A tick after entry (the engine ran the function from its own
        // entry) makes no claim about the kind, unless a reason is given.
        let decided = match &insight.resume {
            ResumeTick::AfterSettle {
                if_native_promise, ..
            } => Some(!if_native_promise),
            _ => insight.native_because.as_ref().map(|_| true),
        };
        found.push((format!("{text} ({:?})", insight.native_because), decided));
    }
    rewritten.push_str(&source[last..]);
    (found, rewritten)
}

/// The shape `await f3()`, `await lib.f3()` or `await (0, lib.f3)()` calls.
fn shape_called(text: &str) -> Option<usize> {
    let rest = text.strip_prefix("await ")?;
    let rest = rest.strip_prefix("(0, ").unwrap_or(rest);
    let rest = rest.strip_prefix("lib.").unwrap_or(rest);
    let digits: String = rest
        .strip_prefix('f')?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[test]
fn decided_native_promises_are_native_promises_under_node_24() {
    let node = node::require_node_24();
    let mut checked = 0;
    let mut decided_total = 0;
    let mut wrong = Vec::new();
    for placement in [
        Placement::SameFile,
        Placement::CommonJs,
        Placement::EsModule,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (main_name, main, helper) = program(placement);
        if let Some((name, text)) = &helper {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let main_path = dir.path().join(&main_name);
        std::fs::write(&main_path, &main).unwrap();
        let module = match placement {
            Placement::EsModule => ModuleKind::EsModule,
            _ => ModuleKind::CommonJs,
        };
        let (found, rewritten) = claims(&main_path, &main, module);
        std::fs::write(&main_path, &rewritten).unwrap();
        let (driver_name, driver) = match placement {
            Placement::EsModule => (
                "run.mjs",
                format!("import * as main from './{main_name}';\nfor (const run of Object.values(main)) await run();\n"),
            ),
            _ => (
                "run.js",
                format!("const main = require('./{main_name}');\n(async () => {{\n  for (const run of Object.values(main)) await run();\n}})();\n"),
            ),
        };
        let driver_path = dir.path().join(driver_name);
        std::fs::write(&driver_path, driver).unwrap();
        let run = node::run_node(&node, &driver_path, std::time::Duration::from_secs(20));
        assert_eq!(
            run.code,
            Some(0),
            "{placement:?}: {}\n{rewritten}",
            run.stderr
        );
        let seen: BTreeMap<String, String> =
            serde_json::from_str(run.stdout.trim()).expect("the recorder's JSON");
        for (i, (text, decided)) in found.iter().enumerate() {
            let Some(kind) = seen.get(&i.to_string()) else {
                continue;
            };
            checked += 1;
            if *decided == Some(true) {
                decided_total += 1;
                if kind != "native" {
                    wrong.push(format!("{placement:?}: {text}: Node saw {kind}"));
                }
            }
        }
        // Every shape that returns a native promise is decided in each
        // placement, through every call form.
        for (text, decided) in &found {
            if let (Some(shape), Some(decided)) = (shape_called(text), decided) {
                assert_eq!(
                    *decided, SHAPES[shape].native,
                    "{placement:?}: {text} ({})",
                    SHAPES[shape].declaration
                );
            }
        }
        // The `let`s and promisified built-ins are decided exactly where
        // every value is a native promise.
        let expected = LET_DECIDED
            .iter()
            .map(|c| (*c, true))
            .chain(LET_UNDECIDED.iter().map(|c| (*c, false)))
            .chain(
                match placement {
                    Placement::EsModule => PROMISIFIED_CALLS,
                    _ => &[],
                }
                .iter()
                .map(|c| (*c, true)),
            );
        for (call, native) in expected {
            let awaited = format!("await {call} (");
            let (text, decided) = found
                .iter()
                .find(|(text, _)| text.starts_with(&awaited))
                .unwrap_or_else(|| panic!("{placement:?}: no `{awaited}` in {found:?}"));
            assert_eq!(*decided == Some(true), native, "{placement:?}: {text}");
        }
    }
    eprintln!("{checked} awaits ran under Node, {decided_total} of them decided native");
    assert!(wrong.is_empty(), "wrong decisions:\n{}", wrong.join("\n"));
    assert!(checked >= 100, "only {checked} awaits ran");
    assert!(
        decided_total >= 60,
        "only {decided_total} decided awaits ran"
    );
}

/// Awaits of Node's Web built-ins: the setup before the await, the awaited
/// call, and whether the hover must decide it a native promise (every one
/// that is, except where the file could replace it; never a look-alike).
#[rustfmt::skip]
const WEB_CASES: &[(&str, &str, bool)] = &[
    ("", "new Response('{}').arrayBuffer()", true),
    ("", "new Response('{}').json()", true),
    ("", "new Request('http://x/', { method: 'POST', body: 'a' }).text()", true),
    ("const req = new Request('http://x/', { method: 'POST', body: 'a' });", "req.arrayBuffer()", true),
    ("", "new Blob(['a']).text()", true),
    ("const bytes = new Blob(['a']);", "bytes.bytes()", true),
    ("const reader = new ReadableStream({ start(c) { c.enqueue(1); c.close(); } }).getReader();", "reader.read()", true),
    ("const stream = new ReadableStream({ start(c) { c.close(); } });\n  const cancelling = stream.getReader();", "cancelling.cancel()", true),
    ("const res = await fetch('data:text/plain,hi');", "res.text()", true),
    ("", "new Response('x').body.getReader().read()", true),
    ("", "new Response('x').clone().text()", true),
    ("const writer = new WritableStream().getWriter();", "writer.write(1)", true),
    ("", "WebAssembly.compile(WASM)", true),
    ("", "WebAssembly.instantiate(WASM)", true),
    ("", "WebAssembly.validate(WASM)", false),
    ("const blob = { arrayBuffer() { return { then(r) { r(1); } }; } };", "blob.arrayBuffer()", false),
    ("const File = class { text() { return { then(r) { r(2); } }; } };", "new File().text()", false),
    ("const stream = { getReader: () => ({ read: () => 3 }) };\n  const fake = stream.getReader();", "fake.read()", false),
];

#[test]
fn web_built_ins_are_decided_where_node_24_returns_native_promises() {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().unwrap();
    let mut main = String::from(RECORDER);
    main.push_str("const WASM = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);\n");
    for (i, (setup, call, _)) in WEB_CASES.iter().enumerate() {
        main.push_str(&format!(
            "async function web{i}() {{\n  {setup}\n  await {call};\n}}\n"
        ));
    }
    let runs: Vec<String> = (0..WEB_CASES.len()).map(|i| format!("web{i}")).collect();
    main.push_str(&format!(
        "(async () => {{\n  for (const run of [{}]) await run();\n}})();\n",
        runs.join(", ")
    ));
    let path = dir.path().join("web.js");
    let cases: Vec<(&str, bool)> = WEB_CASES
        .iter()
        .map(|(_, call, native)| (*call, *native))
        .collect();
    assert_cases_as_node_24_sees_them(&node, &path, &main, &cases);
}

/// Objects held in fields and in reassigned names: a class of the same file
/// and one of a required file, a field reset to `null`, a field or name a
/// thenable-returning object is also given (never decided), and a method
/// that returns a thenable.
const HELD_CLIENT: &str = "class Client {\n  async connect() { return 1; }\n  query() { return { then(r) { r(2); } }; }\n}\nmodule.exports = { Client };\n";
const HELD: &str = "const client_1 = require('./client.js');\nclass Local { async connect() { return 3; } }\nconst fake = { connect() { return { then(r) { r(4); } }; } };\nclass Holder {\n  constructor() { this.client = new client_1.Client(); this.local = null; }\n  open() { this.local = new Local(); }\n  close() { this.client = null; }\n  async viaField() { await this.client.connect(); }\n  async viaAlias() { const c = this.client; await c.connect(); }\n  async thenable() { await this.client.query(); }\n  async viaLocal() { this.open(); await this.local.connect(); }\n}\nclass Spoiled {\n  constructor() { this.conn = new Local(); }\n  swap() { this.conn = fake; }\n  async run() { this.swap(); await this.conn.connect(); }\n}\nlet shared = null;\nfunction share() { shared = new Local(); }\nlet loose = null;\nfunction loosen() { loose = fake; }\nasync function viaShared() { share(); await shared.connect(); }\nasync function viaLoose() { loosen(); await loose.connect(); }\n";

/// The awaited calls of [`HELD`] and whether each must be decided.
#[rustfmt::skip]
const HELD_CASES: &[(&str, bool)] = &[
    ("this.client.connect()", true), ("c.connect()", true), ("this.client.query()", false),
    ("this.local.connect()", true), ("this.conn.connect()", false), ("shared.connect()", true),
    ("loose.connect()", false),
];

#[test]
fn objects_held_in_fields_and_reassigned_names_are_decided_as_node_24_sees_them() {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("client.js"), HELD_CLIENT).unwrap();
    let mut main = String::from(RECORDER);
    main.push_str(HELD);
    main.push_str("(async () => {\n  const h = new Holder();\n  for (const run of [() => h.viaField(), () => h.viaAlias(), () => h.thenable(), () => h.viaLocal(), () => new Spoiled().run(), viaShared, viaLoose]) await run();\n})();\n");
    let path = dir.path().join("held.js");
    assert_cases_as_node_24_sees_them(&node, &path, &main, HELD_CASES);
}

/// Names and fields awaited right after the code that sets or tests them
/// (lazy initialisation): decided where every other value they are given is
/// `null`, `undefined` or a native promise, never when a thenable, a plain
/// value or code in between may be what the await reads. A class that
/// writes `this[kState]` with `kState` a `Symbol` still has its methods
/// decided (a symbol key replaces no method).
const LAZY: &str = "const kState = Symbol('state');\nfunction load() { return Promise.resolve(1); }\nlet cached;\nasync function viaNullish() { cached ??= load(); await cached; }\nlet lazy;\nasync function viaGuard() { if (!lazy) { lazy = new Promise((r) => r(2)); }\n  const v = await lazy; return v; }\nlet fake;\nasync function viaThenable() { fake ??= { then(r) { r(3); } }; await fake; }\nlet spoiled;\nfunction spoil() { spoiled = 5; }\nasync function viaSpoiled() { spoil(); spoiled ??= load(); await spoiled; }\nlet between;\nasync function viaBetween() { between ??= load(); spoil(); await between; }\nclass Locked {\n  constructor() { this.lock = undefined; this[kState] = 0; }\n  async open() { return 1; }\n  async connect() {\n    if (this.lock) { return await this.lock; }\n    try { this.lock = this.open(); await this.lock; } finally { this.lock = undefined; }\n    return 0;\n  }\n  async again() { this.lock ??= this.open(); try { await this.lock; } finally { this.lock = undefined; } }\n}\nclass Guard {\n  constructor() { this.ready = null; }\n  async wait() { if (this.ready) { return await this.ready; } return 0; }\n  arm() { this.ready = { then(r) { r(1); } }; }\n}\n";

/// The awaits of [`LAZY`] and whether each must be decided (`this.lock`
/// is awaited three times: once per listing).
#[rustfmt::skip]
const LAZY_CASES: &[(&str, bool)] = &[
    ("cached", true), ("lazy", true), ("fake", false), ("spoiled", false), ("between", false),
    ("this.lock", true), ("this.lock", true), ("this.lock", true), ("this.ready", false),
    ("l.open()", true),
];

#[test]
fn lazily_set_names_and_fields_are_decided_as_node_24_sees_them() {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().unwrap();
    let mut main = String::from(RECORDER);
    main.push_str(LAZY);
    main.push_str("async function viaSymbolKeyed() { const l = new Locked(); await l.open(); }\n(async () => {\n  const l = new Locked(); const g = new Guard();\n  await Promise.all([l.connect(), l.connect()]);\n  g.arm();\n  for (const run of [viaNullish, viaNullish, viaGuard, viaThenable, viaSpoiled, viaBetween, () => l.connect(), () => l.again(), () => g.wait(), viaSymbolKeyed]) await run();\n})();\n");
    let path = dir.path().join("lazy.js");
    assert_cases_as_node_24_sees_them(&node, &path, &main, LAZY_CASES);
}

/// Writes `main` (with [`RECORDER`]'s marks) to `path`, runs it under Node 24
/// and checks that every await decided a native promise awaited one there,
/// and that each listed `(call, native)` case was found, decided exactly when
/// listed native, and awaited a native promise under Node when listed so.
fn assert_cases_as_node_24_sees_them(node: &Path, path: &Path, main: &str, cases: &[(&str, bool)]) {
    assert_cases_run_by(node, path, main, None, cases);
}

/// [`assert_cases_as_node_24_sees_them`], with Node running `driver` (a
/// file's path and text, which requires `path`) when one is given.
fn assert_cases_run_by(
    node: &Path,
    path: &Path,
    main: &str,
    driver: Option<(&Path, &str)>,
    cases: &[(&str, bool)],
) {
    let (found, rewritten) = claims(path, main, ModuleKind::CommonJs);
    std::fs::write(path, &rewritten).unwrap();
    let run_path = match driver {
        Some((driver_path, text)) => {
            std::fs::write(driver_path, text).unwrap();
            driver_path
        }
        None => path,
    };
    let run = node::run_node(node, run_path, std::time::Duration::from_secs(20));
    assert_eq!(run.code, Some(0), "{}\n{rewritten}", run.stderr);
    let seen: BTreeMap<String, String> =
        serde_json::from_str(run.stdout.trim()).expect("the recorder's JSON");
    let mut wrong = Vec::new();
    let mut matched = 0;
    for (i, (text, decided)) in found.iter().enumerate() {
        let kind = seen.get(&i.to_string()).map(String::as_str);
        if *decided == Some(true) && kind != Some("native") {
            wrong.push(format!("decided, but Node saw {kind:?}: {text}"));
        }
        let expected = cases
            .iter()
            .find(|(call, _)| text.starts_with(&format!("await {call} (")));
        if let Some((call, native)) = expected {
            matched += 1;
            if decided.unwrap_or(false) != *native {
                wrong.push(format!(
                    "`{call}`: decided {decided:?}, expected {native}: {text}"
                ));
            }
            if *native && kind != Some("native") {
                wrong.push(format!("`{call}` is listed native, Node saw {kind:?}"));
            }
        }
    }
    assert_eq!(
        matched,
        cases.len(),
        "every case's await was found: {found:?}"
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Classes of another file that inherit from a class of a third: a method
/// the child inherits is decided from the parent's summary (two hops too),
/// never one the child declares itself as a plain method, one its file
/// replaces by a write, nor one the parent returns a thenable from.
const INHERIT_BASE: &str = "class Base {\n  async next() { return 1; }\n  close() { return new Promise((r) => r(2)); }\n  fake() { return { then(r) { r(3); } }; }\n  async shadowed() { return 4; }\n  async replaced() { return 5; }\n}\nmodule.exports = { Base };\n";
const INHERIT_MIDDLE: &str = "const base_1 = require('./base.js');\nclass Middle extends base_1.Base {\n  shadowed() { return 6; }\n  patch() { this.replaced = () => 7; }\n}\nexports.Middle = Middle;\n";
const INHERIT_CHILD: &str = "const { Middle } = require('./middle.js');\nclass Child extends Middle {\n  async own() { return 8; }\n}\nmodule.exports = { Child };\n";
const INHERIT: &str = "const middle_1 = require('./middle.js');\nconst { Child } = require('./child.js');\nasync function viaMiddle() {\n  const m = new middle_1.Middle();\n  await new middle_1.Middle().next();\n  await new middle_1.Middle().close();\n  await new middle_1.Middle().fake();\n  await new middle_1.Middle().shadowed();\n  m.patch();\n  await new middle_1.Middle().replaced();\n}\nasync function viaChild() {\n  await new Child().own();\n  await new Child().next();\n  await new Child().shadowed();\n}\n";

/// The awaits of [`INHERIT`] and whether each must be decided.
#[rustfmt::skip]
const INHERIT_CASES: &[(&str, bool)] = &[
    ("new middle_1.Middle().next()", true), ("new middle_1.Middle().close()", true),
    ("new middle_1.Middle().fake()", false), ("new middle_1.Middle().shadowed()", false),
    ("new middle_1.Middle().replaced()", false), ("new Child().own()", true),
    ("new Child().next()", true), ("new Child().shadowed()", false),
];

#[test]
fn methods_inherited_from_a_class_of_a_third_file_are_decided_as_node_24_sees_them() {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.js"), INHERIT_BASE).unwrap();
    std::fs::write(dir.path().join("middle.js"), INHERIT_MIDDLE).unwrap();
    std::fs::write(dir.path().join("child.js"), INHERIT_CHILD).unwrap();
    let mut main = String::from(RECORDER);
    main.push_str(INHERIT);
    main.push_str("(async () => {\n  await viaMiddle();\n  await viaChild();\n})();\n");
    let path = dir.path().join("inherit.js");
    assert_cases_as_node_24_sees_them(&node, &path, &main, INHERIT_CASES);
}

/// Functions only this file calls, each at call sites it shows, with what
/// the sites pass: a native promise at every site, a function returning one,
/// an object whose method returns one, a parameter passed on by the
/// function itself, a function called where it is written. And the
/// look-alikes: one site passing a thenable, a subclass instance or nothing,
/// a function also exported, called through `.call`, or whose parameter
/// `arguments` replaces (sloppy mode), a callback returning a plain value,
/// an object whose method returns a thenable. The program calls them from
/// `runAll`, which only the driver calls: the engine enters none of them
/// with the sites' arguments, so each await's hover says what holds for
/// every call.
const SITES: &str = "async function load() { return 1; }\nfunction thenable() { return { then(r) { r(2); } }; }\nclass Sub extends Promise {}\nclass Db { async query() { return 3; } }\nclass FakeDb { query() { return thenable(); } }\nasync function viaAll(pAll) { await pAll; }\nasync function viaMixed(pMixed) { await pMixed; }\nasync function viaMissing(pMissing) { await pMissing; }\nasync function viaSub(pSub) { await pSub; }\nasync function viaExported(pExported) { await pExported; }\nasync function viaCall(pCall) { await pCall; }\nasync function viaArguments(pArgs) { arguments[0] = thenable(); await pArgs; }\nasync function viaCallback(cbAll) { await cbAll(); }\nasync function viaPlainCallback(cbPlain) { await cbPlain(); }\nasync function viaDb(db) { await db.query(); }\nasync function viaFakeDb(dbFake) { await dbFake.query(); }\nasync function retry(pRetry, n) { if (n > 0) { await retry(pRetry, n - 1); } await pRetry; }\nconst viaArrow = async (pArrow) => { await pArrow; };\nasync function runAll() {\n  await viaAll(load()); await viaAll(Promise.resolve(4));\n  await viaMixed(load()); await viaMixed(thenable());\n  await viaMissing(load()); await viaMissing();\n  await viaSub(load()); await viaSub(new Sub((r) => r(5)));\n  await viaExported(load());\n  await viaCall(load()); await viaCall.call(null, thenable());\n  await viaArguments(load());\n  await viaCallback(load); await viaCallback(async () => 6);\n  await viaPlainCallback(() => 7);\n  await viaDb(new Db());\n  await viaFakeDb(new Db()); await viaFakeDb(new FakeDb());\n  await retry(load(), 2);\n  (async (pIife) => { await pIife; })(load());\n  await viaArrow(new Promise((r) => r(8)));\n}\nmodule.exports = { runAll, viaExported };\n";

/// The awaits of [`SITES`] and whether each must be decided.
#[rustfmt::skip]
const SITE_CASES: &[(&str, bool)] = &[
    ("pAll", true), ("pMixed", false), ("pMissing", false), ("pSub", false),
    ("pExported", false), ("pCall", false), ("pArgs", false), ("cbAll()", true),
    ("cbPlain()", false), ("db.query()", true), ("dbFake.query()", false), ("pRetry", true),
    ("pIife", true), ("pArrow", true),
];

#[test]
fn parameters_decided_from_every_call_site_are_as_node_24_sees_them() {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().unwrap();
    let mut main = String::from(RECORDER);
    main.push_str(SITES);
    let path = dir.path().join("sites.js");
    let driver = dir.path().join("run.js");
    let run = "require('./sites.js').runAll();\n";
    assert_cases_run_by(&node, &path, &main, Some((&driver, run)), SITE_CASES);
}

/// Objects a method of the class returns (`this.make().connect()`, `const c
/// = this.make(); await c.connect()`), fields read through a destructured
/// `this`, and classes whose computed field key is a `var` given a symbol
/// after the class (TypeScript's `this[_a] = …; … _a = kFlag;`): decided
/// where Node sees a native promise, never for a maker that returns another
/// object on some path, one a same-file subclass overrides, a returned
/// object's thenable method, a name destructured from `this` whose field
/// holds a thenable-returning object (while the class itself has an async
/// method of that name), or a `var` key given a method's name.
const RETURNED_CLIENT: &str = "class Client {\n  async connect() { return 1; }\n  query() { return { then(r) { r(2); } }; }\n}\nmodule.exports = { Client };\n";
const RETURNED: &str = "const client_1 = require('./client.js');\nconst kFlag = Symbol('flag');\nvar _a;\nvar _b;\nclass Local { async connect() { return 3; } fake() { return { then(r) { r(4); } }; } }\nclass Maker {\n  make() { return new Local(); }\n  remote() { const c = new client_1.Client(); return c; }\n  either() { if (globalThis.never) { return new Local(); } return { connect() { return { then(r) { r(5); } }; } }; }\n  shadowed() { return new Local(); }\n  async viaCall() { await this.make().connect(); }\n  async viaName() { const c = this.make(); await c.connect(); }\n  async viaThenable() { await this.make().fake(); }\n  async viaImported() { const r = this.remote(); await r.connect(); await this.remote().query(); }\n  async viaEither() { await this.either().connect(); }\n  async viaShadowed() { await this.shadowed().connect(); }\n}\nclass Special extends Maker { shadowed() { return { connect() { return { then(r) { r(6); } }; } }; } }\nclass Box {\n  constructor() { this.client = new Local(); this.inner = { close() { return { then(r) { r(7); } }; } }; }\n  async close() { return 8; }\n  async viaDestructured() { const { client } = this; await client.connect(); }\n  async viaRenamed() { const { client: held } = this; await held.connect(); }\n  async viaInner() { const { inner } = this; await inner.close(); }\n}\nclass Flagged { constructor() { this[_a] = false; } async open() { return 9; } }\n_a = kFlag;\nclass Keyed { constructor() { this[_b] = () => ({ then(r) { r(10); } }); } async open() { return 11; } }\n_b = 'open';\nasync function viaFlagged() { await new Flagged().open(); }\nasync function viaKeyed() { await new Keyed().open(); }\n";

/// The awaits of [`RETURNED`] and whether each must be decided.
#[rustfmt::skip]
const RETURNED_CASES: &[(&str, bool)] = &[
    ("this.make().connect()", true), ("c.connect()", true), ("this.make().fake()", false),
    ("r.connect()", true), ("this.remote().query()", false), ("this.either().connect()", false),
    ("this.shadowed().connect()", false), ("client.connect()", true), ("held.connect()", true),
    ("inner.close()", false), ("new Flagged().open()", true), ("new Keyed().open()", false),
];

#[test]
fn objects_returned_by_methods_and_destructured_fields_are_decided_as_node_24_sees_them() {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("client.js"), RETURNED_CLIENT).unwrap();
    let mut main = String::from(RECORDER);
    main.push_str(RETURNED);
    main.push_str("(async () => {\n  const m = new Maker(); const s = new Special(); const b = new Box();\n  for (const run of [() => m.viaCall(), () => m.viaName(), () => m.viaThenable(), () => m.viaImported(), () => m.viaEither(), () => s.viaShadowed(), () => b.viaDestructured(), () => b.viaRenamed(), () => b.viaInner(), viaFlagged, viaKeyed]) await run();\n})();\n");
    let path = dir.path().join("returned.js");
    assert_cases_as_node_24_sees_them(&node, &path, &main, RETURNED_CASES);
}

/// Deferred objects: a function of this file or of a required one that
/// returns `{ promise, resolve, reject }` with `promise` a `new Promise`,
/// read as `const { promise } = f()` or `const d = f(); d.promise`; never
/// its `resolve`, a `promise` member that is a thenable, one of a function
/// with another `return`, nor one a write of a `promise` property may
/// replace.
const DEFERRED_UTILS: &str = "function promiseWithResolvers() {\n  let resolve;\n  let reject;\n  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });\n  return { promise, resolve, reject };\n}\nfunction fakeDeferred() {\n  return { promise: { then(r) { r(1); } } };\n}\nmodule.exports = { promiseWithResolvers, fakeDeferred };\n";
const DEFERRED: &str = "const utils_1 = require('./utils.js');\nfunction createDeferred() {\n  let res;\n  const promise = new Promise((resolve) => { res = resolve; });\n  return { promise, resolve: res };\n}\nfunction twoWays() {\n  if (globalThis.never) { return { promise: Promise.resolve(1) }; }\n  const promise = new Promise((r) => r(2));\n  return { promise };\n}\nasync function viaLocal() { const { promise, resolve } = createDeferred(); resolve(1); await promise; }\nasync function viaMember() { const d = createDeferred(); d.resolve(2); await d.promise; }\nasync function viaImported() { const { promise: willConnect, resolve } = (0, utils_1.promiseWithResolvers)(); resolve(3); await willConnect; }\nasync function viaImportedMember() { const w = utils_1.promiseWithResolvers(); w.resolve(4); await w.promise; await w.resolve; }\nasync function viaFake() { const { promise: fake } = utils_1.fakeDeferred(); await fake; }\nasync function viaTwoWays() { const { promise: either } = twoWays(); await either; }\n";
const DEFERRED_SPOILED: &str = "function createDeferred() {\n  let res;\n  const promise = new Promise((resolve) => { res = resolve; });\n  return { promise, resolve: res };\n}\nasync function viaSpoiled() { const s = createDeferred(); s.promise = { then(r) { r(5); } }; await s.promise; }\n";

/// The awaits of [`DEFERRED`] and [`DEFERRED_SPOILED`] and whether each
/// must be decided.
#[rustfmt::skip]
const DEFERRED_CASES: &[(&str, bool)] = &[
    ("promise", true), ("d.promise", true), ("willConnect", true), ("w.promise", true),
    ("w.resolve", false), ("fake", false), ("either", false),
];

#[test]
fn deferred_objects_are_decided_as_node_24_sees_them() {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("utils.js"), DEFERRED_UTILS).unwrap();
    let mut main = String::from(RECORDER);
    main.push_str(DEFERRED);
    main.push_str("(async () => {\n  for (const run of [viaLocal, viaMember, viaImported, viaImportedMember, viaFake, viaTwoWays]) await run();\n})();\n");
    let path = dir.path().join("deferred.js");
    assert_cases_as_node_24_sees_them(&node, &path, &main, DEFERRED_CASES);
    let mut spoiled = String::from(RECORDER);
    spoiled.push_str(DEFERRED_SPOILED);
    spoiled.push_str("viaSpoiled();\n");
    let path = dir.path().join("spoiled.js");
    assert_cases_as_node_24_sees_them(&node, &path, &spoiled, &[("s.promise", false)]);
}

/// A field two unrelated classes of the file both write (each its own
/// instances'): decided for the class whose own values decide it, never
/// for the one that gives it a thenable-returning object, nor for a class
/// a same-file subclass gives such an object.
const UNRELATED: &str = "class Local { async connect() { return 1; } }\nconst fake = { connect() { return { then(r) { r(2); } }; } };\nclass Alpha { constructor() { this.link = new Local(); } async run() { await this.link.connect(); } }\nclass Beta { constructor() { this.link = fake; } async run() { const l = this.link; await l.connect(); } }\nclass Base { constructor() { this.pair = new Local(); } async run() { await this.pair.connect(); } }\nclass Sub extends Base { constructor() { super(); this.pair = fake; } }\n";

#[rustfmt::skip]
const UNRELATED_CASES: &[(&str, bool)] = &[
    ("this.link.connect()", true), ("l.connect()", false), ("this.pair.connect()", false),
];

#[test]
fn fields_other_classes_write_are_decided_as_node_24_sees_them() {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().unwrap();
    let mut main = String::from(RECORDER);
    main.push_str(UNRELATED);
    main.push_str("(async () => {\n  for (const run of [() => new Alpha().run(), () => new Beta().run(), () => new Base().run(), () => new Sub().run()]) await run();\n})();\n");
    let path = dir.path().join("unrelated.js");
    assert_cases_as_node_24_sees_them(&node, &path, &main, UNRELATED_CASES);
}

/// Constructor functions and their prototypes: `this.m()` in a function the
/// file makes a prototype's method is decided from the prototype (set by
/// assignment, by an object literal, by `Object.assign`, or inherited through
/// `util.inherits` and `Object.create`, or set after `X.prototype = new Y()`),
/// called on an instance; never when the constructor sets an own property of
/// that name, nor when a subclass overrides it with a thenable-returning method.
const PROTOTYPES: &str = "const util = require('node:util');\nfunction Conn() { this.ready = true; }\nConn.prototype.connect = async function () { return 1; };\nConn.prototype.query = function () { return new Promise((r) => r(2)); };\nConn.prototype.fake = function () { return { then(r) { r(3); } }; };\nConn.prototype.run = async function () { await this.connect(); await this.query(); await this.fake(); const self = this; await self.connect(); };\nfunction Pool() {}\nPool.prototype = {\n  async acquire() { return 4; },\n  async run() { await this.acquire(); await this.release(); },\n};\nObject.assign(Pool.prototype, { release: () => Promise.resolve(5) });\nfunction Tls() { Conn.call(this); }\nutil.inherits(Tls, Conn);\nTls.prototype.handshake = async function () { await this.connect(); await this.query(); };\nfunction Raw() {}\nRaw.prototype = Object.create(Tls.prototype);\nRaw.prototype.open = async function () { await this.connect(); await this.close(); };\nRaw.prototype.close = async function () { return 6; };\nfunction Spoiled() { this.drain = () => ({ then(r) { r(7); } }); }\nSpoiled.prototype.drain = async function () { return 8; };\nSpoiled.prototype.run = async function () { await this.drain(); };\nfunction Base() {}\nBase.prototype.flush = async function () { return 9; };\nBase.prototype.run = async function () { await this.flush(); };\nclass Sub extends Base { flush() { return { then(r) { r(10); } }; } }\nfunction Legacy() {}\nLegacy.prototype = new Conn();\nLegacy.prototype[Symbol.iterator] = function* () {};\nLegacy.prototype.ping = async function () { return 11; };\nLegacy.prototype.check = async function () { await this.ping(); };\n";

#[rustfmt::skip]
const PROTOTYPE_CASES: &[(&str, bool)] = &[
    ("this.connect()", true), ("this.query()", true), ("this.fake()", false), ("self.connect()", true),
    ("this.acquire()", true), ("this.release()", true),
    ("this.connect()", true), ("this.query()", true),
    ("this.connect()", true), ("this.close()", true),
    ("this.drain()", false), ("this.flush()", false), ("this.ping()", true),
];

#[test]
fn prototype_methods_of_constructor_functions_are_decided_as_node_24_sees_them() {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().unwrap();
    let mut main = String::from(RECORDER);
    main.push_str(PROTOTYPES);
    main.push_str("(async () => {\n  for (const run of [() => new Conn().run(), () => new Pool().run(), () => new Tls().handshake(), () => new Raw().open(), () => new Spoiled().run(), () => new Base().run(), () => new Sub().run(), () => new Legacy().check()]) await run();\n})();\n");
    let path = dir.path().join("prototypes.js");
    assert_cases_as_node_24_sees_them(&node, &path, &main, PROTOTYPE_CASES);
}
