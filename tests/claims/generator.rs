//! Closed programs for the claim differential, each in two forms: the plain text ticklens
//! analyses, and the same program with synchronous marks inserted (`runtime.js`'s `__T`): each
//! call's entry, each await's start and resumption, and each call's returned promise.
//!
//! `seed` always gives the same program (ChaCha8). Programs cover awaits of every operand kind
//! (plain values, settled and pending native promises, promises resolved from `process.nextTick`,
//! `queueMicrotask`, timers and immediates, thenables, a `Promise` subclass, `Promise.all`,
//! `then` and `finally` chains, calls of other async functions), loops, `try/finally`, calls
//! entered from `then`, `queueMicrotask`, `setTimeout`, `setImmediate` and `process.nextTick`
//! callbacks, top-level awaits of ES modules, and both module kinds. Entry points are async
//! functions, async arrows, async methods of classes and object literals, static async methods
//! and async methods of a subclass that await `super`'s; operands also come from getters that
//! return promises, a `Promise` subclass's statics, and sync generators that yield promises
//! (`for … of` over one, or its `next()` by hand). Awaits also sit in `switch`, `for … in`,
//! `for await`, labeled blocks, optional chains and destructuring with defaults, and await
//! promises kept in a `Map` or `Set`.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::ops::Range;

/// One generated program.
pub struct Program {
    pub seed: u64,
    pub es_module: bool,
    /// What ticklens analyses.
    pub plain: String,
    /// What Node runs, after `runtime.js`.
    pub instrumented: String,
    /// Byte offset in `plain` where each function (by id; 0 is an ES module's body) starts.
    pub function_starts: Vec<usize>,
    /// Each await (by id): its function and its range in `plain`.
    pub awaits: Vec<AwaitSite>,
}

pub struct AwaitSite {
    pub function: usize,
    pub range: Range<usize>,
}

/// The two texts, written side by side.
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

/// An await operand: its plain text and its instrumented text.
struct Operand {
    plain: String,
    instrumented: String,
}

impl Operand {
    fn same(text: &str) -> Self {
        Operand {
            plain: text.to_owned(),
            instrumented: text.to_owned(),
        }
    }

    /// A call of async function `id`, whose returned promise is observed.
    fn call(id: usize, callee: &str) -> Self {
        Operand {
            plain: callee.to_owned(),
            instrumented: format!("__T.s({id}, {callee})"),
        }
    }
}

struct Gen {
    rng: ChaCha8Rng,
    out: Writer,
    program_awaits: Vec<AwaitSite>,
    function_starts: Vec<usize>,
    /// How the program calls each function (by id; 0 unused): `f2()`, `new C2().run()`.
    callees: Vec<String>,
    uses_subclass: bool,
    /// The program defines `class Box` with getters returning promises.
    uses_getters: bool,
    /// The program defines `function* steps()`, a sync generator of promises.
    uses_generator: bool,
    /// Functions hold awaits in `switch`, `for … in`, `for await`, labeled blocks, optional
    /// chains and destructuring with defaults, and await values kept in a `Map` or `Set`.
    uses_syntax: bool,
}

/// A class whose getters return promises (a getter runs synchronously: the await sees the promise).
const GETTERS: &str = "class Box {\n  get now() { return settled; }\n  get later() { return settled.then((v) => v + 1); }\n  get tick() { return new Promise((r) => process.nextTick(r)); }\n}\n";
const GETTER_OPERANDS: &[&str] = &["new Box().now", "new Box().later", "new Box().tick"];

/// A sync generator that yields promises, driven by an async function's awaits.
const STEPS: &str = "function* steps(n) {\n  for (let i = 0; i < n; i++) yield i === 0 ? settled : Promise.resolve(i);\n}\n";

/// Promises kept in collections (the engine models `Map` and `Set`).
const COLLECTION_OPERANDS: &[&str] = &[
    "new Map([[\"k\", settled]]).get(\"k\")",
    "[...new Set([settled])][0]",
    "new Map([[1, Promise.resolve(2)]]).get(1)",
];

/// Plain values and promises every program may await, by how they settle.
const SIMPLE_OPERANDS: &[&str] = &[
    "null",
    "42",
    "undefined",
    "\"text\"",
    "settled",
    "Promise.resolve(1)",
    "Promise.resolve(settled)",
    "new Promise((r) => r(1))",
    "new Promise((r) => r(settled))",
    "new Promise((r) => process.nextTick(r))",
    "new Promise((r) => queueMicrotask(r))",
    "new Promise((r) => setTimeout(r, 5))",
    "new Promise((r) => setImmediate(r))",
    "{ then(r) { r(1); } }",
    "{ then(r) { process.nextTick(() => r(2)); } }",
    "Promise.resolve().then(() => 1)",
    "settled.then((v) => v + 1)",
    "settled.finally(() => {})",
    "Promise.all([settled, 2])",
    "Promise.race([settled])",
    "Promise.allSettled([1])",
    "Promise.any([settled])",
];

pub fn generate(seed: u64) -> Program {
    let rng = ChaCha8Rng::seed_from_u64(seed);
    let mut gen = Gen {
        rng,
        out: Writer {
            plain: String::new(),
            instrumented: String::new(),
        },
        program_awaits: Vec::new(),
        function_starts: vec![0],
        callees: vec![String::new()],
        uses_subclass: false,
        uses_getters: false,
        uses_generator: false,
        uses_syntax: false,
    };
    let es_module = gen.rng.random_bool(0.4);
    gen.uses_subclass = gen.rng.random_bool(0.15);
    gen.uses_getters = gen.rng.random_bool(0.2);
    gen.uses_generator = gen.rng.random_bool(0.2);
    gen.uses_syntax = gen.rng.random_bool(0.3);
    gen.out.both("const settled = Promise.resolve(0);\n");
    if es_module {
        gen.out.instrumented.push_str("const __c = __T.e(0);\n");
    }
    if gen.uses_subclass {
        gen.out.both("class Later extends Promise {}\n");
    }
    if gen.uses_getters {
        gen.out.both(GETTERS);
    }
    if gen.uses_generator {
        gen.out.both(STEPS);
    }
    let functions = gen.rng.random_range(1..=3usize);
    for id in 1..=functions {
        gen.function(id);
    }
    gen.entries(functions, es_module);
    gen.noise();
    Program {
        seed,
        es_module,
        plain: gen.out.plain,
        instrumented: gen.out.instrumented,
        function_starts: gen.function_starts,
        awaits: gen.program_awaits,
    }
}

impl Gen {
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.rng.random_range(0..items.len())]
    }

    /// An operand for an await in function `id`: a simple one, or a call of an earlier function.
    fn operand(&mut self, id: usize) -> Operand {
        if id > 1 && self.rng.random_bool(0.3) {
            let callee = self.rng.random_range(1..id);
            return Operand::call(callee, &self.callees[callee].clone());
        }
        if self.uses_subclass && self.rng.random_bool(0.2) {
            return Operand::same(self.pick(&[
                "new Later((r) => r(1))",
                "Later.resolve(1)",
                "Later.resolve(settled)",
                "Promise.resolve(new Later((r) => r(1)))",
            ]));
        }
        if self.uses_getters && self.rng.random_bool(0.2) {
            return Operand::same(self.pick(GETTER_OPERANDS));
        }
        if self.uses_syntax && self.rng.random_bool(0.2) {
            return Operand::same(self.pick(COLLECTION_OPERANDS));
        }
        Operand::same(self.pick(SIMPLE_OPERANDS))
    }

    /// `await operand` as an expression of function `function`.
    fn await_expression(&mut self, function: usize, operand: Operand) {
        let site = self.program_awaits.len();
        let start = self.out.plain.len();
        self.out.plain.push_str("await ");
        self.out.plain.push_str(&operand.plain);
        self.program_awaits.push(AwaitSite {
            function,
            range: start..self.out.plain.len(),
        });
        self.out.instrumented.push_str(&format!(
            "__T.r(__c, {site}, await __T.o(__c, {site}, {}))",
            operand.instrumented
        ));
    }

    fn await_statement(&mut self, function: usize, indent: &str, bind: bool) {
        let operand = self.operand(function);
        self.out.both(indent);
        if bind {
            let n = self.program_awaits.len();
            self.out.both(&format!("const v{n} = "));
        }
        self.await_expression(function, operand);
        self.out.both(";\n");
    }

    fn log(&mut self, indent: &str, function: usize) {
        let n = self.rng.random_range(0..100);
        self.out
            .both(&format!("{indent}console.log(\"f{function} {n}\");\n"));
    }

    /// Async function `id`, in one of the forms a program defines them, and how it is called.
    fn function(&mut self, id: usize) {
        let form = self.rng.random_range(0..12);
        // (text before the function's own node, the node's head, its end, how it is called)
        let (before, head, end, callee) = match form {
            0..=2 => (
                format!("const f{id} = "),
                "async () => {\n".to_owned(),
                "};\n".to_owned(),
                format!("f{id}()"),
            ),
            3 | 4 => (
                format!("class C{id} {{\n"),
                "async run() {\n".to_owned(),
                "}\n}\n".to_owned(),
                format!("new C{id}().run()"),
            ),
            5 => (
                format!("class C{id} {{\n"),
                "static async run() {\n".to_owned(),
                "}\n}\n".to_owned(),
                format!("C{id}.run()"),
            ),
            6 => (
                format!("const o{id} = {{\n"),
                "async run() {\n".to_owned(),
                "}\n};\n".to_owned(),
                format!("o{id}.run()"),
            ),
            7 => (
                format!(
                    "class B{id} {{\n  async base() {{ return {id}; }}\n}}\nclass C{id} extends B{id} {{\n"
                ),
                "async run() {\n".to_owned(),
                "}\n}\n".to_owned(),
                format!("new C{id}().run()"),
            ),
            _ => (
                String::new(),
                format!("async function f{id}() {{\n"),
                "}\n".to_owned(),
                format!("f{id}()"),
            ),
        };
        self.out.both(&before);
        self.function_starts.push(self.out.plain.len());
        self.out.both(&head);
        self.callees.push(callee);
        self.out
            .instrumented
            .push_str(&format!("  const __c = __T.e({id});\n"));
        if form == 7 {
            // An await of the base class's async method through `super`.
            self.out.both("  ");
            self.await_expression(id, Operand::same("super.base()"));
            self.out.both(";\n");
        }
        let statements = self.rng.random_range(1..=4);
        // Each function after the first awaits the one before it somewhere, so every function
        // is called by the program (facts of uncalled functions claim no tick).
        let call_at = self.rng.random_range(0..statements);
        for index in 0..statements {
            if id > 1 && index == call_at {
                self.out.both("  ");
                let callee = self.callees[id - 1].clone();
                self.await_expression(id, Operand::call(id - 1, &callee));
                self.out.both(";\n");
                continue;
            }
            if self.uses_syntax && self.rng.random_bool(0.4) {
                self.syntax_statement(id);
                continue;
            }
            match self
                .rng
                .random_range(0..if self.uses_generator { 12 } else { 10 })
            {
                0 => self.log("  ", id),
                10 => {
                    let n = self.rng.random_range(1..=3);
                    self.out
                        .both(&format!("  for (const step of steps({n})) {{\n    "));
                    self.await_expression(id, Operand::same("step"));
                    self.out.both(";\n  }\n");
                }
                11 => {
                    let n = self.program_awaits.len();
                    self.out.both(&format!("  const it{n} = steps(2);\n  "));
                    self.await_expression(id, Operand::same(&format!("it{n}.next().value")));
                    self.out.both(";\n  ");
                    self.await_expression(id, Operand::same(&format!("it{n}.next().value")));
                    self.out.both(";\n");
                }
                1 => {
                    let n = self.rng.random_range(2..=3);
                    self.out
                        .both(&format!("  for (let i = 0; i < {n}; i++) {{\n"));
                    self.await_statement(id, "    ", false);
                    self.out.both("  }\n");
                }
                2 => {
                    self.out.both("  try {\n");
                    self.await_statement(id, "    ", false);
                    self.out.both("  } finally {\n");
                    if self.rng.random_bool(0.5) {
                        self.await_statement(id, "    ", false);
                    } else {
                        self.log("    ", id);
                    }
                    self.out.both("  }\n");
                }
                3 => {
                    self.out.both("  if (settled) {\n");
                    self.await_statement(id, "    ", false);
                    self.out.both("  }\n");
                }
                4 | 5 => self.await_statement(id, "  ", true),
                _ => self.await_statement(id, "  ", false),
            }
        }
        match self.rng.random_range(0..6) {
            0 => self.out.both("  return settled;\n"),
            1 if id > 1 => {
                let callee = self.rng.random_range(1..id);
                let call = self.callees[callee].clone();
                self.out.plain.push_str(&format!("  return {call};\n"));
                self.out
                    .instrumented
                    .push_str(&format!("  return __T.s({callee}, {call});\n"));
            }
            2 => {
                let operand = self.operand(id);
                self.out.both("  return ");
                self.await_expression(id, operand);
                self.out.both(";\n");
            }
            _ => self.out.both(&format!("  return \"f{id}\";\n")),
        }
        self.out.both(&end);
    }

    /// A statement of function `id` whose await sits in one of the constructs of `uses_syntax`.
    fn syntax_statement(&mut self, id: usize) {
        let n = self.program_awaits.len();
        match self.rng.random_range(0..6) {
            0 => {
                let k = self.rng.random_range(0..3);
                self.out
                    .both(&format!("  switch ({k} % 2) {{\n    case 0:\n"));
                self.await_statement(id, "      ", false);
                self.out.both("      break;\n    default:\n");
                self.await_statement(id, "      ", false);
                self.out.both("  }\n");
            }
            1 => {
                self.out.both("  for (const k in { a: 1, b: 2 }) {\n");
                self.await_statement(id, "    ", false);
                self.out.both("  }\n");
            }
            2 => {
                self.out.both("  for await (const x of [settled, 1]) {\n");
                self.await_statement(id, "    ", false);
                self.out.both("  }\n");
            }
            3 => {
                self.out.both(&format!("  block{n}: {{\n"));
                self.await_statement(id, "    ", false);
                self.out
                    .both(&format!("    if (settled) break block{n};\n"));
                self.await_statement(id, "    ", false);
                self.out.both("  }\n");
            }
            4 => {
                let operand = self.operand(id);
                self.out.both(&format!("  const r{n} = ("));
                self.await_expression(id, operand);
                self.out.both(")?.toString();\n");
            }
            _ => {
                let operand = self.operand(id);
                self.out.both(&format!("  const [d{n} = 1] = ["));
                self.await_expression(id, operand);
                self.out.both("];\n");
            }
        }
    }

    /// Where the last function is called from: the main script, a callback, or an ES module's
    /// top-level await.
    fn entries(&mut self, last: usize, es_module: bool) {
        let callee = self.callees[last].clone();
        let call = |id: usize| (callee.clone(), format!("__T.s({id}, {callee})"));
        let count = if self.rng.random_bool(0.2) { 2 } else { 1 };
        for _ in 0..count {
            let (plain, instrumented) = call(last);
            let kind = self.rng.random_range(0..if es_module { 8 } else { 7 });
            let wrap = |text: &str| match kind {
                0 | 1 => format!("{text};\n"),
                2 => format!("Promise.resolve().then(() => {text});\n"),
                3 => format!("queueMicrotask(() => {{ {text}; }});\n"),
                4 => format!("setTimeout(() => {{ {text}; }}, 10);\n"),
                5 => format!("setImmediate(() => {{ {text}; }});\n"),
                6 => format!("process.nextTick(() => {{ {text}; }});\n"),
                _ => String::new(),
            };
            if kind == 7 {
                // A top-level await of an ES module: function 0, the module body.
                self.await_expression(
                    0,
                    Operand {
                        plain,
                        instrumented,
                    },
                );
                self.out.both(";\n");
            } else {
                self.out.plain.push_str(&wrap(&plain));
                self.out.instrumented.push_str(&wrap(&instrumented));
            }
        }
        if es_module && self.rng.random_bool(0.5) {
            self.await_statement(0, "", false);
        }
    }

    /// A promise chain and a nextTick that interleave with the functions' jobs.
    fn noise(&mut self) {
        let links = self.rng.random_range(0..=4);
        if links > 0 {
            self.out.both(&format!(
                "let p = Promise.resolve();\nfor (let i = 1; i <= {links}; i++) p = p.then(() => console.log(\"chain \" + i));\n"
            ));
        }
        if self.rng.random_bool(0.3) {
            self.out
                .both("process.nextTick(() => console.log(\"tick\"));\n");
        }
    }
}
