//! Open programs for the open-program truth test: a library file that exports async code nothing
//! in it calls, and a harness file that imports it and calls each export.
//!
//! The library (what ticklens analyses, alone) has CommonJS `module.exports` or ESM `export`s:
//! async functions taking a value `a` and a store `db`, a class with async methods (one awaiting
//! another through `this`), an object literal with an async method, an async generator; they
//! await plain values, parameters (`await a`, `await db.get(a)`), same-file async helpers, sync
//! helpers returning promises, `timers/promises` (`sleep(0)`, `later()`), `events.once` on an
//! emitter that emits at once, `Promise.all`, nextTick, microtask and immediate promises, a `then`
//! returning a promise, an async arrow called at once, inside `if` on a parameter, after a
//! branch on a parameter or a module value that awaits or returns first, loops,
//! `try/finally`, after a `try/catch` whose catch awaits, and `for await`; sometimes after 70 branches
//! on module values at the top level (more than the engine records). The harness calls every export with
//! promises, thenables, plain values and stores of each kind, at the top level, from a `then`,
//! awaited in sequence, and from a timer or an immediate. `seed` always gives the same program.
//!
//! Both files also come instrumented with `claims/runtime.js`'s synchronous marks (each call's
//! entry, each suspension's start and resumption, the promises calls return).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A library and the harness Node runs with it.
pub struct Program {
    pub seed: u64,
    pub es_module: bool,
    pub library: Library,
    pub harness: String,
}

/// The library as ticklens reads it and as Node runs it (marks inserted, the instrument loaded
/// first), and where its async functions and suspensions are in `plain`.
#[derive(Default)]
pub struct Library {
    pub plain: String,
    pub instrumented: String,
    /// Byte offset where each async function (by id; 0 unused) starts.
    pub function_starts: Vec<usize>,
    /// Byte offset of each suspension's keyword (by id): `await`, the `for` of a `for await`,
    /// `yield`.
    pub site_starts: Vec<usize>,
}

/// Values the harness passes as `a`, one a line: a native promise, thenables, plain values.
const VALUES: &str = "\
Promise.resolve(1)\n\
{ then(r) { r(2); } }\n\
3\n\
null\n\
new Promise((r) => setImmediate(() => r(4)))\n";

/// Stores the harness passes as `db`, one a line: `get` is async, returns a promise, a value
/// or a thenable.
const STORES: &str = "\
{ async get(k) { return k; } }\n\
{ get(k) { return Promise.resolve(k); } }\n\
{ get(k) { return k; } }\n\
{ get(k) { return { then(r) { r(k); } }; } }\n";

/// Operands every function may await, one a line (`a` and `db` are its parameters).
const OPERANDS: &str = "\
null\n\
42\n\
a\n\
db.get(a)\n\
settled\n\
Promise.resolve(a)\n\
wrap(a)\n\
emitted(a)\n\
sleep(0)\n\
later()\n\
new Promise((r) => process.nextTick(r))\n\
Promise.all([settled, wrap(a)])\n\
Promise.resolve(a).then((v) => v)\n\
new Promise((r) => queueMicrotask(r))\n\
settled.then(() => settled)\n\
(async () => 1)()\n";

/// The library's text before any exported code, per module kind (the instrumented copy loads
/// the instrument first).
fn prelude(es_module: bool) -> &'static str {
    if es_module {
        "import { setTimeout as sleep, setImmediate as later } from \"node:timers/promises\";\n\
         import { EventEmitter, once } from \"events\";\n"
    } else {
        "const { setTimeout: sleep, setImmediate: later } = require(\"node:timers/promises\");\n\
         const { EventEmitter, once } = require(\"events\");\n"
    }
}

const HELPERS: &str = "const settled = Promise.resolve(0);\n\
function wrap(v) { return Promise.resolve(v); }\n\
function emitted(v) { const e = new EventEmitter(); const p = once(e, \"go\"); e.emit(\"go\", v); return p; }\n";

/// How the harness reaches an export, given the library's namespace `lib`.
enum Export {
    /// `lib.f3(a, db)`
    Function(String),
    /// `new lib.Store4(db).load(a)`
    Method { class: String, method: String },
    /// `lib.api.run(a, db)`
    ObjectMethod(String),
    /// `lib.items6(a, db)`, drained.
    Generator(String),
}

struct Gen {
    rng: ChaCha8Rng,
    lib: Library,
    /// Async helpers (id, name) a later function may await.
    helpers: Vec<(usize, String)>,
    exports: Vec<(usize, Export)>,
}

pub fn generate(seed: u64) -> Program {
    let mut gen = Gen {
        rng: ChaCha8Rng::seed_from_u64(seed),
        lib: Library {
            function_starts: vec![0],
            ..Library::default()
        },
        helpers: Vec::new(),
        exports: Vec::new(),
    };
    let es_module = gen.rng.random_bool(0.5);
    gen.lib.instrumented.push_str(if es_module {
        "import \"./rt.cjs\";\n"
    } else {
        "require(\"./rt.cjs\");\n"
    });
    gen.both(prelude(es_module));
    gen.both(HELPERS);
    // Sometimes 70 branches on module values (falsy under Node) before the exports: more than the
    // engine records on one path (`machine/branches.rs`), as in three.js's builds.
    if gen.rng.random_bool(0.15) {
        let branches: String = (0..70)
            .map(|i| format!("if (process.env.TL_MORE{i}) {{ flags += 1; }}\n"))
            .collect();
        gen.both(&format!("let flags = 0;\n{branches}"));
    }
    for _ in 0..gen.rng.random_range(0..=2) {
        gen.helper();
    }
    for _ in 0..gen.rng.random_range(1..=3) {
        gen.exported_function(es_module, false);
    }
    if gen.rng.random_bool(0.4) {
        gen.class(es_module);
    }
    if gen.rng.random_bool(0.3) {
        gen.object_literal(es_module);
    }
    if gen.rng.random_bool(0.3) {
        gen.exported_function(es_module, true);
    }
    if !es_module {
        let names: Vec<String> = gen.exports.iter().map(|(_, e)| e.binding()).collect();
        gen.both(&format!("module.exports = {{ {} }};\n", names.join(", ")));
    }
    let harness = gen.harness(es_module);
    Program {
        seed,
        es_module,
        library: gen.lib,
        harness,
    }
}

impl Export {
    /// The library's binding that holds it.
    fn binding(&self) -> String {
        match self {
            Export::Function(name) | Export::Generator(name) => name.clone(),
            Export::Method { class, .. } => class.clone(),
            Export::ObjectMethod(_) => "api".to_owned(),
        }
    }
}

impl Gen {
    /// Writes `text` to the library's both forms.
    fn both(&mut self, text: &str) {
        self.lib.plain.push_str(text);
        self.lib.instrumented.push_str(text);
    }

    /// One line of `lines`, at random.
    fn pick<'a>(&mut self, lines: &'a str) -> &'a str {
        let count = lines.lines().count();
        lines
            .lines()
            .nth(self.rng.random_range(0..count))
            .unwrap_or_default()
    }

    /// Writes the head of the next async function (up to its `{`) and marks its entry; its id.
    fn enter(&mut self, head: &str) -> usize {
        let id = self.lib.function_starts.len();
        let indent = head.len() - head.trim_start().len();
        self.lib.function_starts.push(self.lib.plain.len() + indent);
        self.both(head);
        self.lib
            .instrumented
            .push_str(&format!(" const __c = __T.e({id});"));
        self.both("\n");
        id
    }

    /// `(plain, instrumented)` for an operand in function `id`; `this_calls` names sibling
    /// methods it may await through `this`.
    fn operand(&mut self, this_calls: &[(usize, String)]) -> (String, String) {
        if !this_calls.is_empty() && self.rng.random_bool(0.4) {
            let (callee, name) = this_calls[self.rng.random_range(0..this_calls.len())].clone();
            let call = format!("this.{name}(a)");
            return (call.clone(), format!("__T.s({callee}, {call})"));
        }
        if !self.helpers.is_empty() && self.rng.random_bool(0.3) {
            let (callee, name) = self.helpers[self.rng.random_range(0..self.helpers.len())].clone();
            let call = format!("{name}(a, db)");
            return (call.clone(), format!("__T.s({callee}, {call})"));
        }
        let text = self.pick(OPERANDS).to_owned();
        (text.clone(), text)
    }

    /// `await OP` (or `yield OP`), recorded as a site of function `id`.
    fn suspension(&mut self, keyword: &str, this_calls: &[(usize, String)]) {
        let (plain, instrumented) = self.operand(this_calls);
        let site = self.lib.site_starts.len();
        self.lib.site_starts.push(self.lib.plain.len());
        self.lib.plain.push_str(&format!("{keyword} {plain}"));
        self.lib.instrumented.push_str(&format!(
            "__T.r(__c, {site}, {keyword} __T.o(__c, {site}, {instrumented}))"
        ));
    }

    /// One statement of a function's body: a suspension, bare or inside a declaration, an `if`
    /// on a parameter, a loop, a `try/finally`; a `for await`; in a generator a `yield`.
    fn statement(&mut self, generator: bool, this_calls: &[(usize, String)]) {
        const AROUND: &[(&str, &str)] = &[
            ("  ", ";\n"),
            ("  if (a) {\n    ", ";\n  }\n"),
            ("  for (let i = 0; i < 2; i++) {\n    ", ";\n  }\n"),
            ("  try {\n    ", ";\n  } finally {\n    a = a;\n  }\n"),
            // ticklens's entry sees `a.v.w` succeed; the harness's values make it throw.
            (
                "  try {\n    a.v.w;\n  } catch {\n    await null;\n  }\n  ",
                ";\n",
            ),
            // Branches on what ticklens cannot see, before the suspension: a parameter (the
            // harness passes truthy and falsy values), an early return, a module value.
            ("  if (a) {\n    await null;\n  }\n  ", ";\n"),
            ("  if (!a) {\n    return a;\n  }\n  ", ";\n"),
            ("  void (a ? await null : 0);\n  ", ";\n"),
            (
                "  if (process.env.TL_FLAG) {\n    await null;\n  }\n  ",
                ";\n",
            ),
        ];
        let choice = self.rng.random_range(0..AROUND.len() + 3);
        if choice == AROUND.len() {
            return self.for_await();
        }
        let (keyword, before, after) = match choice.checked_sub(AROUND.len() + 1) {
            Some(0) => (
                "await",
                format!("  const v{} = ", self.lib.site_starts.len()),
                ";\n",
            ),
            Some(_) if generator => ("yield", "  ".to_owned(), ";\n"),
            Some(_) => ("await", "  ".to_owned(), ";\n"),
            None => ("await", AROUND[choice].0.to_owned(), AROUND[choice].1),
        };
        self.both(&before);
        self.suspension(keyword, this_calls);
        self.both(after);
    }

    /// `for await (const x of [OP, OP]) {}`: its site resumes at each iteration's start.
    fn for_await(&mut self) {
        let (first, _) = self.operand(&[]);
        let (second, _) = self.operand(&[]);
        let site = self.lib.site_starts.len();
        self.both("  ");
        self.lib.site_starts.push(self.lib.plain.len());
        self.lib.plain.push_str(&format!(
            "for await (const x{site} of [{first}, {second}]) {{\n  }}\n"
        ));
        self.lib.instrumented.push_str(&format!(
            "for await (const x{site} of __T.o(__c, {site}, [{first}, {second}])) {{ __T.r(__c, {site}, x{site});\n  }}\n"
        ));
    }

    fn body(&mut self, generator: bool, this_calls: &[(usize, String)]) {
        for _ in 0..self.rng.random_range(1..=4) {
            self.statement(generator, this_calls);
        }
    }

    /// A same-file async helper nothing exports.
    fn helper(&mut self) {
        let name = format!("helper{}", self.lib.function_starts.len());
        let id = self.enter(&format!("async function {name}(a, db) {{"));
        self.body(false, &[]);
        self.both("  return a;\n}\n");
        self.helpers.push((id, name));
    }

    /// `export ` in an ES module (CommonJS lists its exports at the end).
    fn export_keyword(&mut self, es_module: bool) {
        if es_module {
            self.both("export ");
        }
    }

    /// An exported async function `fN`, or async generator `itemsN`.
    fn exported_function(&mut self, es_module: bool, generator: bool) {
        let (prefix, star) = if generator { ("items", "*") } else { ("f", "") };
        let name = format!("{prefix}{}", self.lib.function_starts.len());
        self.export_keyword(es_module);
        let id = self.enter(&format!("async function{star} {name}(a, db) {{"));
        self.body(generator, &[]);
        if generator {
            self.both("  yield a;\n");
        } else if self.rng.random_bool(0.5) {
            self.both("  return a;\n");
        }
        self.both("}\n");
        let export = if generator {
            Export::Generator(name)
        } else {
            Export::Function(name)
        };
        self.exports.push((id, export));
    }

    /// A class whose second method awaits the first through `this`.
    fn class(&mut self, es_module: bool) {
        let class = format!("Store{}", self.lib.function_starts.len());
        self.export_keyword(es_module);
        self.both(&format!(
            "class {class} {{\n  constructor(db) {{ this.db = db; }}\n"
        ));
        let load = self.enter("  async load(a) {");
        self.both("  const db = this.db;\n");
        self.body(false, &[]);
        self.both("  return a;\n  }\n");
        let save = self.enter("  async save(a) {");
        self.both("  const db = this.db;\n");
        self.body(false, &[(load, "load".to_owned())]);
        self.both("  }\n}\n");
        for (id, method) in [(load, "load"), (save, "save")] {
            self.exports.push((
                id,
                Export::Method {
                    class: class.clone(),
                    method: method.to_owned(),
                },
            ));
        }
    }

    fn object_literal(&mut self, es_module: bool) {
        self.export_keyword(es_module);
        self.both("const api = {\n");
        let id = self.enter("  async run(a, db) {");
        self.body(false, &[]);
        self.both("  },\n};\n");
        self.exports
            .push((id, Export::ObjectMethod("run".to_owned())));
    }

    /// The harness: imports the library and calls each export three times, with fresh
    /// arguments, in several ways.
    fn harness(&mut self, es_module: bool) -> String {
        let mut text = if es_module {
            "import * as lib from \"./lib.mjs\";\n".to_owned()
        } else {
            "const lib = require(\"./lib.cjs\");\n".to_owned()
        };
        let exports = std::mem::take(&mut self.exports);
        for (id, export) in &exports {
            for _ in 0..3 {
                let value = self.pick(VALUES);
                let store = self.pick(STORES);
                let call = match export {
                    Export::Function(name) => format!("lib.{name}({value}, {store})"),
                    Export::Method { class, method } => {
                        format!("new lib.{class}({store}).{method}({value})")
                    }
                    Export::ObjectMethod(method) => format!("lib.api.{method}({value}, {store})"),
                    Export::Generator(name) => {
                        text.push_str(&format!(
                            "(async () => {{ for await (const _ of lib.{name}({value}, {store})) {{}} }})();\n"
                        ));
                        continue;
                    }
                };
                let observed = format!("__T.s({id}, {call})");
                text.push_str(&match self.rng.random_range(0..5) {
                    0 => format!("{observed};\n"),
                    1 => format!("Promise.resolve().then(() => {observed});\n"),
                    2 => format!("(async () => {{ await {observed}; await {observed}; }})();\n"),
                    3 => format!("setTimeout(() => {{ {observed}; }}, 0);\n"),
                    _ => format!("setImmediate(() => {{ {observed}; }});\n"),
                });
            }
        }
        text
    }
}
