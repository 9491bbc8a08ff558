//! Open programs for the open-program truth test: a library file that exports async code nothing
//! in it calls, and a harness file that imports it and calls each export.
//!
//! The library (what ticklens analyses, alone) has CommonJS `module.exports` or ESM `export`s:
//! async functions taking a value `a` and a store `db`, a class with async methods (one awaiting
//! another through `this`), an object literal with an async method, an async generator; they
//! await plain values, parameters (`await a`, `await db.get(a)`), same-file async helpers, sync
//! helpers returning promises, `timers/promises` (`sleep(0)`, `later()`), `events.once` on an
//! emitter that emits at once, `Promise.all`, nextTick and immediate promises, inside `if` on a
//! parameter, loops, `try/finally` and `for await`. The harness calls every export with
//! promises, thenables, plain values and stores of each kind, at the top level, from a `then`,
//! awaited in sequence, and from a timer or an immediate. `seed` always gives the same program.
//!
//! Both files also come instrumented with `claims/runtime.js`'s synchronous marks (each call's
//! entry, each suspension's start and resumption, the promises calls return).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub struct Program {
    pub seed: u64,
    pub es_module: bool,
    /// The library as ticklens reads it.
    pub plain: String,
    /// The library Node runs (marks inserted; it loads the instrument first).
    pub library: String,
    /// The harness Node runs: imports the library and calls its exports.
    pub harness: String,
    /// Byte offset in `plain` where each async function (by id; 0 unused) starts.
    pub function_starts: Vec<usize>,
    /// Each suspension (by id): its function and the offset of its keyword (`await`, the `for`
    /// of a `for await`, `yield`) in `plain`.
    pub sites: Vec<Site>,
}

pub struct Site {
    pub start: usize,
}

/// Values the harness passes as `a`: a native promise, thenables, plain values.
const VALUES: &[&str] = &[
    "Promise.resolve(1)",
    "{ then(r) { r(2); } }",
    "3",
    "null",
    "new Promise((r) => setImmediate(() => r(4)))",
];

/// Stores the harness passes as `db`: `get` is async, returns a promise, a value or a thenable.
const STORES: &[&str] = &[
    "{ async get(k) { return k; } }",
    "{ get(k) { return Promise.resolve(k); } }",
    "{ get(k) { return k; } }",
    "{ get(k) { return { then(r) { r(k); } }; } }",
];

/// Operands every function may await (`a` and `db` are its parameters).
const OPERANDS: &[&str] = &[
    "null",
    "42",
    "a",
    "db.get(a)",
    "settled",
    "Promise.resolve(a)",
    "wrap(a)",
    "emitted(a)",
    "sleep(0)",
    "later()",
    "new Promise((r) => process.nextTick(r))",
    "Promise.all([settled, wrap(a)])",
    "Promise.resolve(a).then((v) => v)",
];

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

/// The plain text and the instrumented text, written side by side.
#[derive(Default)]
struct Writer {
    plain: String,
    instrumented: String,
}

impl Writer {
    fn both(&mut self, text: &str) {
        self.plain.push_str(text);
        self.instrumented.push_str(text);
    }
}

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
    out: Writer,
    sites: Vec<Site>,
    function_starts: Vec<usize>,
    /// Async helpers (id, name) a later function may await.
    helpers: Vec<(usize, String)>,
    exports: Vec<(usize, Export)>,
}

pub fn generate(seed: u64) -> Program {
    let mut gen = Gen {
        rng: ChaCha8Rng::seed_from_u64(seed),
        out: Writer::default(),
        sites: Vec::new(),
        function_starts: vec![0],
        helpers: Vec::new(),
        exports: Vec::new(),
    };
    let es_module = gen.rng.random_bool(0.5);
    gen.out.instrumented.push_str(if es_module {
        "import \"./rt.cjs\";\n"
    } else {
        "require(\"./rt.cjs\");\n"
    });
    gen.out.both(prelude(es_module));
    gen.out.both(HELPERS);
    for _ in 0..gen.rng.random_range(0..=2) {
        gen.helper();
    }
    for _ in 0..gen.rng.random_range(1..=3) {
        gen.exported_function(es_module);
    }
    if gen.rng.random_bool(0.4) {
        gen.class(es_module);
    }
    if gen.rng.random_bool(0.3) {
        gen.object_literal(es_module);
    }
    if gen.rng.random_bool(0.3) {
        gen.generator(es_module);
    }
    if !es_module {
        let names: Vec<String> = gen.exports.iter().map(|(_, e)| e.binding()).collect();
        gen.out
            .both(&format!("module.exports = {{ {} }};\n", names.join(", ")));
    }
    let harness = gen.harness(es_module);
    Program {
        seed,
        es_module,
        plain: gen.out.plain,
        library: gen.out.instrumented,
        harness,
        function_starts: gen.function_starts,
        sites: gen.sites,
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
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.rng.random_range(0..items.len())]
    }

    /// Starts async function `id` (its head already written up to `{`): marks the entry.
    fn enter(&mut self, head: &str) -> usize {
        let id = self.function_starts.len();
        let indent = head.len() - head.trim_start().len();
        self.function_starts.push(self.out.plain.len() + indent);
        self.out.both(head);
        self.out
            .instrumented
            .push_str(&format!(" const __c = __T.e({id});"));
        self.out.both("\n");
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
        let site = self.sites.len();
        self.sites.push(Site {
            start: self.out.plain.len(),
        });
        self.out.plain.push_str(&format!("{keyword} {plain}"));
        self.out.instrumented.push_str(&format!(
            "__T.r(__c, {site}, {keyword} __T.o(__c, {site}, {instrumented}))"
        ));
    }

    /// One statement of function `id`'s body.
    fn statement(&mut self, generator: bool, this_calls: &[(usize, String)]) {
        let variable = self.sites.len();
        match self.rng.random_range(0..if generator { 7 } else { 6 }) {
            0 => {
                self.out.both(&format!("  const v{variable} = "));
                self.suspension("await", this_calls);
                self.out.both(";\n");
            }
            1 => {
                self.out.both("  if (a) {\n    ");
                self.suspension("await", this_calls);
                self.out.both(";\n  }\n");
            }
            2 => {
                self.out.both("  for (let i = 0; i < 2; i++) {\n    ");
                self.suspension("await", this_calls);
                self.out.both(";\n  }\n");
            }
            3 => {
                self.out.both("  try {\n    ");
                self.suspension("await", this_calls);
                self.out.both(";\n  } finally {\n    a = a;\n  }\n");
            }
            4 => self.for_await(),
            5 if generator => {
                self.out.both("  ");
                self.suspension("yield", this_calls);
                self.out.both(";\n");
            }
            _ => {
                self.out.both("  ");
                self.suspension("await", this_calls);
                self.out.both(";\n");
            }
        }
    }

    /// `for await (const x of [OP, OP]) {}`: its site resumes at each iteration's start.
    fn for_await(&mut self) {
        let (first, _) = self.operand(&[]);
        let (second, _) = self.operand(&[]);
        let site = self.sites.len();
        self.out.both("  ");
        self.sites.push(Site {
            start: self.out.plain.len(),
        });
        self.out.plain.push_str(&format!(
            "for await (const x{site} of [{first}, {second}]) {{\n  }}\n"
        ));
        self.out.instrumented.push_str(&format!(
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
        let name = format!("helper{}", self.function_starts.len());
        let id = self.enter(&format!("async function {name}(a, db) {{"));
        self.body(false, &[]);
        self.out.both("  return a;\n}\n");
        self.helpers.push((id, name));
    }

    fn exported_function(&mut self, es_module: bool) {
        let name = format!("f{}", self.function_starts.len());
        if es_module {
            self.out.both("export ");
        }
        let id = self.enter(&format!("async function {name}(a, db) {{"));
        self.body(false, &[]);
        if self.rng.random_bool(0.5) {
            self.out.both("  return a;\n");
        }
        self.out.both("}\n");
        self.exports.push((id, Export::Function(name)));
    }

    /// A class whose second method awaits the first through `this`.
    fn class(&mut self, es_module: bool) {
        let class = format!("Store{}", self.function_starts.len());
        if es_module {
            self.out.both("export ");
        }
        self.out.both(&format!(
            "class {class} {{\n  constructor(db) {{ this.db = db; }}\n"
        ));
        let load = self.enter("  async load(a) {");
        self.out.both("  const db = this.db;\n");
        self.body(false, &[]);
        self.out.both("  return a;\n  }\n");
        let save = self.enter("  async save(a) {");
        self.out.both("  const db = this.db;\n");
        self.body(false, &[(load, "load".to_owned())]);
        self.out.both("  }\n}\n");
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
        if es_module {
            self.out.both("export ");
        }
        self.out.both("const api = {\n");
        let id = self.enter("  async run(a, db) {");
        self.body(false, &[]);
        self.out.both("  },\n};\n");
        self.exports
            .push((id, Export::ObjectMethod("run".to_owned())));
    }

    fn generator(&mut self, es_module: bool) {
        let name = format!("items{}", self.function_starts.len());
        if es_module {
            self.out.both("export ");
        }
        let id = self.enter(&format!("async function* {name}(a, db) {{"));
        self.body(true, &[]);
        self.out.both("  yield a;\n}\n");
        self.exports.push((id, Export::Generator(name)));
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
