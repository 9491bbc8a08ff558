//! Closed programs for the claim differential, each in two forms: the plain text ticklens
//! analyses, and the same program with synchronous marks inserted (`runtime.js`'s `__T`): each
//! call's entry, each await's start and resumption, and each call's returned promise.
//!
//! `seed` always gives the same program (ChaCha8). Programs cover awaits of every operand kind
//! (plain values, settled and pending native promises, promises resolved from `process.nextTick`,
//! `queueMicrotask`, timers and immediates, thenables, a `Promise` subclass, `Promise.all`,
//! `then` and `finally` chains, calls of other async functions), loops, `try/finally`, calls
//! entered from `then`, `queueMicrotask`, `setTimeout`, `setImmediate` and `process.nextTick`
//! callbacks, top-level awaits of ES modules, and both module kinds.

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
    fn call(id: usize) -> Self {
        Operand {
            plain: format!("f{id}()"),
            instrumented: format!("__T.s({id}, f{id}())"),
        }
    }
}

struct Gen {
    rng: ChaCha8Rng,
    out: Writer,
    program_awaits: Vec<AwaitSite>,
    function_starts: Vec<usize>,
    uses_subclass: bool,
}

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
        uses_subclass: false,
    };
    let es_module = gen.rng.random_bool(0.4);
    gen.uses_subclass = gen.rng.random_bool(0.1);
    gen.out.both("const settled = Promise.resolve(0);\n");
    if es_module {
        gen.out.instrumented.push_str("const __c = __T.e(0);\n");
    }
    if gen.uses_subclass {
        gen.out.both("class Later extends Promise {}\n");
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
            return Operand::call(self.rng.random_range(1..id));
        }
        if self.uses_subclass && self.rng.random_bool(0.15) {
            return Operand::same("new Later((r) => r(1))");
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

    fn function(&mut self, id: usize) {
        let arrow = self.rng.random_bool(0.25);
        if arrow {
            self.out.both(&format!("const f{id} = "));
            self.function_starts.push(self.out.plain.len());
            self.out.both("async () => {\n");
        } else {
            self.function_starts.push(self.out.plain.len());
            self.out.both(&format!("async function f{id}() {{\n"));
        }
        self.out
            .instrumented
            .push_str(&format!("  const __c = __T.e({id});\n"));
        let statements = self.rng.random_range(1..=4);
        // Each function after the first awaits the one before it somewhere, so every function
        // is called by the program (facts of uncalled functions claim no tick).
        let call_at = self.rng.random_range(0..statements);
        for index in 0..statements {
            if id > 1 && index == call_at {
                self.out.both("  ");
                self.await_expression(id, Operand::call(id - 1));
                self.out.both(";\n");
                continue;
            }
            match self.rng.random_range(0..10) {
                0 => self.log("  ", id),
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
                self.out.plain.push_str(&format!("  return f{callee}();\n"));
                self.out
                    .instrumented
                    .push_str(&format!("  return __T.s({callee}, f{callee}());\n"));
            }
            2 => {
                let operand = self.operand(id);
                self.out.both("  return ");
                self.await_expression(id, operand);
                self.out.both(";\n");
            }
            _ => self.out.both(&format!("  return \"f{id}\";\n")),
        }
        self.out.both(if arrow { "};\n" } else { "}\n" });
    }

    /// Where the last function is called from: the main script, a callback, or an ES module's
    /// top-level await.
    fn entries(&mut self, last: usize, es_module: bool) {
        let call = |id: usize| (format!("f{id}()"), format!("__T.s({id}, f{id}())"));
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
