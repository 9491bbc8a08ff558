//! The async generators tier: async generator functions and methods driven by `next`, `return`
//! and `throw` (several requests queued before the first settles), `for await` over async
//! generators, sync generators and arrays (left by `break`, `return` and `throw`), `yield*` over
//! async and sync iterables, and ES-module top-level `for await`.
//!
//! Each generator yields values whose job counts differ (a value, a settled promise, an async
//! call, a thenable), awaits inside, and runs a `finally` that logs; the drivers run next to a
//! numbered `.then` chain, `process.nextTick`, `queueMicrotask` and at most one zero-delay timer,
//! so the order Node prints depends on every job count. One timer only: the order is fixed.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{indent, Flavor, Program, Tier};

/// Shared by every program: a value resolved a few jobs later, and a thenable.
const HELPERS: &str = "\
const later = async (v) => { await null; return v; };
const thenable = (v) => ({ then(resolve) { resolve(v); } });
";

struct AsyncGenGen {
    rng: ChaCha8Rng,
    declarations: Vec<String>,
    statements: Vec<String>,
    labels: super::Labels,
}

pub(super) fn generate(seed: u64) -> Program {
    let tier = Tier::AsyncGenerators;
    let mut rng = super::program_rng(tier, seed);
    let flavor = super::pick_flavor(&mut rng, 0.4);
    let mut gen = AsyncGenGen {
        rng,
        declarations: Vec::new(),
        statements: Vec::new(),
        labels: super::Labels::default(),
    };
    let count = gen.rng.random_range(2..=3);
    for index in 1..=count {
        let name = format!("d{index}");
        gen.driver(&name);
        if gen.rng.random_bool(0.5) {
            let job = gen.job("main");
            gen.statements.push(job);
        }
    }
    if gen.rng.random_bool(0.3) {
        gen.statements
            .push("setTimeout(() => console.log(\"timeout\"), 0);".to_owned());
    }
    let chain = gen.rng.random_range(4..=9);
    gen.statements.push(format!(
        "let clock = Promise.resolve();\nfor (let i = 1; i <= {chain}; i++) clock = clock.then(() => console.log(\"job \" + i));"
    ));
    if flavor == Flavor::EsModule && gen.rng.random_bool(0.5) {
        let top = gen.top_level_for_await();
        gen.statements.push(top);
    }
    let mut source = format!(
        "// ticklens differential program: tier {}, seed {seed}\n",
        tier.number()
    );
    source.push_str(HELPERS);
    for declaration in &gen.declarations {
        source.push_str(declaration);
        source.push('\n');
    }
    super::ordered_program(
        (tier, seed, flavor),
        source,
        &gen.statements,
        "console.log(\"main.end\");",
        0,
    )
}

impl AsyncGenGen {
    fn log(&mut self, owner: &str, extra: &str) -> String {
        let label = self.labels.next(owner);
        if extra.is_empty() {
            format!("console.log(\"{label}\");")
        } else {
            format!("console.log(\"{label}\", {extra});")
        }
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())]
    }

    /// A value with a known, varied job count when yielded, returned or awaited.
    fn awaitable(&mut self, value: &str) -> String {
        match self.rng.random_range(0..4) {
            0 => value.to_owned(),
            1 => format!("Promise.resolve({value})"),
            2 => format!("later({value})"),
            _ => format!("thenable({value})"),
        }
    }

    /// A job of the main script interleaving with the generators' steps.
    fn job(&mut self, owner: &str) -> String {
        let log = self.log(owner, "");
        let log = log.trim_end_matches(';');
        match self.rng.random_range(0..4) {
            0 => format!("Promise.resolve().then(() => {log});"),
            1 => format!("queueMicrotask(() => {log});"),
            2 => format!("process.nextTick(() => {log});"),
            _ => format!("later(0).then(() => {log});"),
        }
    }

    /// An async generator declaration `name(n)` yielding `n` values: awaits, a `finally` that
    /// logs, a return value, and sometimes a throw part-way.
    fn async_generator(&mut self, name: &str, method: bool) -> String {
        let mut body = Vec::new();
        let yielded = self.awaitable("i");
        let mut turn = vec![format!("const sent = yield {yielded};")];
        turn.push(format!(
            "if (sent !== undefined) console.log(\"{name}.sent\", sent);"
        ));
        if self.rng.random_bool(0.5) {
            let awaited = self.awaitable("i");
            let log = self.log(name, "i");
            turn.push(format!("await {awaited};\n{log}"));
        }
        if self.rng.random_bool(0.2) {
            turn.push(format!(
                "if (i === {}) throw new Error(\"{name}.fail\");",
                self.rng.random_range(1..3)
            ));
        }
        let start = self.log(name, "\"start\"");
        body.push(start);
        body.push(format!(
            "for (let i = 0; i < n; i++) {{\n{}\n}}",
            indent(&turn.join("\n"))
        ));
        let returned = self.awaitable("\"ret\"");
        body.push(format!("return {returned};"));
        let cleanup = self.log(name, "\"cleanup\"");
        let inner = if self.rng.random_bool(0.7) {
            format!(
                "try {{\n{}\n}} finally {{\n  {cleanup}\n}}",
                indent(&body.join("\n"))
            )
        } else {
            body.join("\n")
        };
        if method {
            format!("async *{name}(n) {{\n{}\n}}", indent(&inner))
        } else {
            format!("async function* {name}(n) {{\n{}\n}}", indent(&inner))
        }
    }

    /// One driver: a generator and the async function or statements that consume it.
    fn driver(&mut self, name: &str) {
        let generator = format!("{name}_gen");
        match self.rng.random_range(0..7) {
            0 | 1 => {
                let declaration = self.async_generator(&generator, false);
                self.declarations.push(declaration);
                let requests = self.requests(name, &generator);
                self.statements.push(requests);
            }
            2 => {
                let declaration = self.async_generator(&generator, false);
                self.declarations.push(declaration);
                let iterable = format!("{generator}({})", self.rng.random_range(1..4));
                let consumer = self.for_await_consumer(name, &iterable);
                self.statements.push(consumer);
            }
            3 => {
                // A class method and an object literal method.
                let method = self.async_generator("items", true);
                let class = format!("class {name}_Feed {{\n{}\n}}", indent(&method));
                self.declarations.push(class);
                let receiver = if self.rng.random_bool(0.5) {
                    format!("new {name}_Feed()")
                } else {
                    let other = self.async_generator("items", true);
                    self.declarations
                        .push(format!("const {name}_obj = {{\n{}\n}};", indent(&other)));
                    format!("{name}_obj")
                };
                let iterable = format!("{receiver}.items({})", self.rng.random_range(1..4));
                let consumer = self.for_await_consumer(name, &iterable);
                self.statements.push(consumer);
            }
            4 => {
                let inner = self.async_generator(&format!("{name}_inner"), false);
                self.declarations.push(inner);
                let sync_log = self.log(name, "r");
                let source = match self.rng.random_range(0..3) {
                    0 => format!("yield* {name}_inner(2);"),
                    1 => format!(
                        "const r = yield* {name}_inner(1);\n{sync_log}\nyield* [\"x\", Promise.resolve(\"y\")];"
                    ),
                    _ => format!(
                        "yield* {name}_sync();\nconst r = yield* {name}_inner(2);\n{sync_log}"
                    ),
                };
                self.declarations.push(format!(
                    "function* {name}_sync() {{\n  yield \"s1\";\n  yield \"s2\";\n  return \"sync ret\";\n}}\n\
                     async function* {generator}() {{\n{}\n}}",
                    indent(&source)
                ));
                let consumer = self.for_await_consumer(name, &format!("{generator}()"));
                self.statements.push(consumer);
            }
            5 => {
                let cleanup = self.log(name, "\"sync cleanup\"");
                self.declarations.push(format!(
                    "function* {generator}(n) {{\n  try {{\n    for (let i = 0; i < n; i++) yield i * 10;\n  }} finally {{\n    {cleanup}\n  }}\n}}"
                ));
                let iterable = format!("{generator}({})", self.rng.random_range(1..4));
                let consumer = self.for_await_consumer(name, &iterable);
                self.statements.push(consumer);
            }
            _ => {
                let items = [
                    "1",
                    "Promise.resolve(2)",
                    "later(3)",
                    "thenable(4)",
                    "\"five\"",
                ];
                let count = self.rng.random_range(1..=3);
                let chosen: Vec<&str> = (0..count).map(|_| self.pick(&items)).collect();
                let iterable = format!("[{}]", chosen.join(", "));
                let consumer = self.for_await_consumer(name, &iterable);
                self.statements.push(consumer);
            }
        }
    }

    /// `next`/`return`/`throw` requests made at once, each logging its settlement.
    fn requests(&mut self, name: &str, generator: &str) -> String {
        let n = self.rng.random_range(1..4);
        let mut out = vec![format!("const {name}_it = {generator}({n});")];
        let count = self.rng.random_range(2..=5);
        for index in 0..count {
            let label = self.labels.next(name);
            let request = match self.rng.random_range(0..8) {
                0 if index > 0 => {
                    let value = self.awaitable("\"early\"");
                    format!("{name}_it.return({value})")
                }
                1 if index > 0 => format!("{name}_it.throw(new Error(\"{label}.stop\"))"),
                2 | 3 => format!("{name}_it.next(\"{label}.arg\")"),
                _ => format!("{name}_it.next()"),
            };
            out.push(format!(
                "{request}.then((r) => console.log(\"{label}\", r.value, r.done), (e) => console.log(\"{label} rejected\", e.message));"
            ));
        }
        out.join("\n")
    }

    /// An async function that runs `for await` over `iterable`, maybe leaving it early.
    fn for_await_consumer(&mut self, name: &str, iterable: &str) -> String {
        let stop = self.rng.random_range(0..3);
        let log = self.log(name, "x");
        let leave = match self.rng.random_range(0..5) {
            0 => format!("\n  if (++turns > {stop}) break;"),
            1 => format!("\n  if (++turns > {stop}) return \"left\";"),
            2 => format!("\n  if (++turns > {stop}) throw new Error(\"{name}.thrown\");"),
            _ => String::new(),
        };
        let after = self.log(name, "\"after loop\"");
        let done = self.labels.next("main");
        format!(
            "async function {name}() {{\n  let turns = 0;\n  for await (const x of {iterable}) {{\n    {log}{leave}\n  }}\n  {after}\n  return \"done\";\n}}\n\
             {name}().then((v) => console.log(\"{done}\", v), (e) => console.log(\"{done} rejected\", e.message));"
        )
    }

    /// ES-module top level: `for await` directly in the module body.
    fn top_level_for_await(&mut self) -> String {
        let cleanup = self.log("top", "\"cleanup\"");
        let log = self.log("top", "x");
        format!(
            "async function* top_gen() {{\n  try {{\n    yield 1;\n    yield later(2);\n  }} finally {{\n    {cleanup}\n  }}\n}}\n\
             for await (const x of top_gen()) {log}"
        )
    }
}
