//! The control-flow tiers: ordinary syntax with awaits inside it.
//!
//! - `Tier::Control`: `switch` (fallthrough, `default` in the middle), `for...in`, labelled
//!   `break`/`continue`, `for await` over arrays, destructuring (nested, defaults, rest; declarations, parameters,
//!   assignments, `for...of`, `catch`), optional chains, and `try/finally` left by `break`,
//!   `continue` and `return`.
//! - `Tier::Generators`: sync generators driven by `next`/`return`/`throw`, `for...of` (with
//!   `break`, which closes the generator), `yield*`, spread, inside async functions that await.
//!
//! Each program declares a few async functions, each built around one construct, calls them
//! without waiting, and interleaves promise jobs of its own, so the order Node prints depends on
//! every job count inside the constructs. No timers: the order is fixed.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{indent, Program, Tier};

struct ControlGen {
    rng: ChaCha8Rng,
    tier: Tier,
    functions: Vec<String>,
    calls: Vec<String>,
    labels: super::Labels,
}

pub(super) fn generate(tier: Tier, seed: u64) -> Program {
    let mut rng = super::program_rng(tier, seed);
    let flavor = super::pick_flavor(&mut rng, 0.4);
    let mut gen = ControlGen {
        rng,
        tier,
        functions: Vec::new(),
        calls: Vec::new(),
        labels: super::Labels::default(),
    };
    let count = gen.rng.random_range(2..=4);
    for index in 1..=count {
        let name = format!("f{index}");
        let body = match tier {
            Tier::Generators => gen.generator_construct(&name),
            _ => gen.control_construct(&name),
        };
        gen.functions.push(body);
        let call = gen.call(&name);
        gen.calls.push(call);
        if gen.rng.random_bool(0.5) {
            let job = gen.job("main");
            gen.calls.push(job);
        }
    }
    let mut source = format!(
        "// ticklens differential program: tier {}, seed {seed}\n",
        tier.number()
    );
    source.push_str(HELPERS);
    for function in &gen.functions {
        source.push_str(function);
        source.push('\n');
    }
    super::ordered_program(
        (tier, seed, flavor),
        source,
        &gen.calls,
        "console.log(\"main.end\");",
        0,
    )
}

/// Shared by every program: a value resolved a few jobs later, and a thenable.
const HELPERS: &str = "\
const later = async (v) => { await null; return v; };
const thenable = (v) => ({ then(resolve) { resolve(v); } });
";

impl ControlGen {
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

    /// An awaitable with a known, varied job count: a value, a settled promise, an async call, a
    /// thenable.
    fn awaitable(&mut self, value: &str) -> String {
        match self.rng.random_range(0..4) {
            0 => value.to_owned(),
            1 => format!("Promise.resolve({value})"),
            2 => format!("later({value})"),
            _ => format!("thenable({value})"),
        }
    }

    fn await_log(&mut self, owner: &str) -> String {
        let n = self.rng.random_range(1..50);
        let awaited = self.awaitable(&n.to_string());
        let log = self.log(owner, "");
        format!("await {awaited};\n{log}")
    }

    /// A job of the main script interleaving with the functions' awaits.
    fn job(&mut self, owner: &str) -> String {
        let log = self.log(owner, "");
        let log = log.trim_end_matches(';');
        match self.rng.random_range(0..3) {
            0 => format!("Promise.resolve().then(() => {log});"),
            1 => format!("queueMicrotask(() => {log});"),
            _ => format!("later(0).then(() => {log});"),
        }
    }

    fn call(&mut self, name: &str) -> String {
        let label = self.labels.next("main");
        match self.rng.random_range(0..3) {
            0 => format!("{name}();"),
            1 => format!("{name}().then((v) => console.log(\"{label}\", v));"),
            _ => format!("{name}().then(() => console.log(\"{label}\"));"),
        }
    }

    fn function(&mut self, name: &str, params: &str, body: &str, args: &str) -> String {
        // The call site passes `args` through a wrapper so that every function is called as
        // `name()`.
        format!(
            "async function {name}() {{\n  return {name}_body({args});\n}}\n\
             async function {name}_body({params}) {{\n{}\n}}",
            indent(body)
        )
    }

    // ---- Tier::Control ----

    fn control_construct(&mut self, name: &str) -> String {
        match self.rng.random_range(0..8) {
            7 => self.for_await_function(name),
            0 => self.switch_function(name),
            1 => self.for_in_function(name),
            2 => self.labels_function(name),
            3 => self.destructuring_function(name),
            4 => self.parameters_function(name),
            5 => self.optional_function(name),
            _ => self.finally_function(name),
        }
    }

    fn switch_function(&mut self, name: &str) -> String {
        let subject = self.pick(&["1", "2", "3", "\"2\"", "x"]);
        let mut clauses = Vec::new();
        let default_at = self.rng.random_range(0..=3);
        for index in 0..4 {
            let head = if index == default_at {
                "default:".to_owned()
            } else {
                let case = self.pick(&["1", "2", "\"2\"", "3", "await later(2)"]);
                format!("case {case}:")
            };
            let mut body = self.log(name, "");
            if self.rng.random_bool(0.5) {
                body.push('\n');
                body.push_str(&self.await_log(name));
            }
            if self.rng.random_bool(0.5) {
                body.push_str("\nbreak;");
            }
            clauses.push(format!("{head}\n{}", indent(&body)));
        }
        let before = self.log(name, "");
        let after = self.log(name, "");
        let body = format!(
            "{before}\nswitch ({subject}) {{\n{}\n}}\n{after}\nreturn x;",
            indent(&clauses.join("\n"))
        );
        self.function(name, "x", &body, "2")
    }

    fn for_await_function(&mut self, name: &str) -> String {
        let count = self.rng.random_range(1..=3);
        let items: Vec<String> = (1..=count)
            .map(|n| {
                let n = n.to_string();
                self.awaitable(&n)
            })
            .collect();
        let log = self.log(name, "x");
        let mut inner = log;
        if self.rng.random_bool(0.4) {
            inner.push('\n');
            inner.push_str(&self.await_log(name));
        }
        let exit = match self.rng.random_range(0..4) {
            0 => "\nif (x === 1) break;",
            1 => "\nif (x === 2) return x;",
            _ => "",
        };
        let body = format!(
            "for await (const x of [{}]) {{\n{}{exit}\n}}\nreturn 0;",
            items.join(", "),
            indent(&inner)
        );
        self.function(name, "", &body, "")
    }

    fn for_in_function(&mut self, name: &str) -> String {
        let object = self.pick(&[
            "{ b: 1, a: 2, c: 3 }",
            "{ z: \"s\", y: [1] }",
            "[5, 6, 7]",
            "\"ab\"",
        ]);
        let inner = self.await_log(name);
        let log = self.log(name, "k");
        let stop = if self.rng.random_bool(0.3) {
            "\nif (k === \"a\" || k === \"1\") break;"
        } else {
            ""
        };
        let body = format!(
            "const seen = [];\nfor (const k in {object}) {{\n  seen.push(k);\n{}{stop}\n}}\nreturn seen.join(\",\");",
            indent(&format!("{log}\n{inner}"))
        );
        self.function(name, "", &body, "")
    }

    fn labels_function(&mut self, name: &str) -> String {
        let skip = self.rng.random_range(0..3);
        let stop = self.rng.random_range(0..3);
        let inner = self.await_log(name);
        let log = self.log(name, "i, j");
        let body = format!(
            "outer: for (let i = 0; i < 3; i++) {{\n  inner: for (let j = 0; j < 3; j++) {{\n    \
             if (j === {skip}) continue outer;\n    if (i === {stop}) break outer;\n{}\n    \
             if (j === 2) break inner;\n  }}\n}}\nblock: {{\n{}\n  break block;\n}}\nreturn \"end\";",
            indent(&indent(&format!("{inner}\n{log}"))),
            indent(&self.await_log(name))
        );
        self.function(name, "", &body, "")
    }

    fn destructuring_function(&mut self, name: &str) -> String {
        let source = self.awaitable("{ a: 1, b: { c: [2, 3] }, d: undefined, e: \"s\" }");
        let log1 = self.log(name, "a, c1, c2, d, rest");
        let log2 = self.log(name, "p, q");
        let log3 = self.log(name, "k, v");
        let log4 = self.log(name, "code");
        let awaited = self.await_log(name);
        let body = format!(
            "const {{ a, b: {{ c: [c1, c2 = 9] }}, d = await later(\"dflt\"), ...rest }} = await {source};\n\
             {log1}\nlet p = 1, q = 2;\n[p, q] = [q, p];\n{log2}\n\
             for (const [k, {{ v = 0 }} = {{}}] of [[\"x\", {{ v: 1 }}], [\"y\"]]) {{\n{}\n}}\n\
             try {{\n  throw {{ code: 7 }};\n}} catch ({{ code }}) {{\n  {log4}\n}}\nreturn a;",
            indent(&format!("{awaited}\n{log3}"))
        );
        self.function(name, "", &body, "")
    }

    fn parameters_function(&mut self, name: &str) -> String {
        let awaited = self.await_log(name);
        let log = self.log(name, "x, y, first, more");
        let body = format!("{awaited}\n{log}\nreturn y;");
        let args = self.pick(&[
            "{ x: 1 }, [2, 3, 4]",
            "{ x: 1, y: 5 }, [\"a\"]",
            "undefined, []",
        ]);
        self.function(
            name,
            "{ x, y = 2 } = { x: 0 }, [first, ...more] = []",
            &body,
            args,
        )
    }

    fn optional_function(&mut self, name: &str) -> String {
        let value = self.pick(&[
            "{ key: { inner: 1 }, run() { return \"ran\"; } }",
            "null",
            "{ key: null }",
            "{}",
        ]);
        let awaited = self.awaitable(value);
        let log1 = self.log(name, "v, w, r");
        let tail = self.await_log(name);
        let body = format!(
            "const o = await {awaited};\nconst v = o?.key?.inner ?? \"none\";\n\
             const w = o?.[\"key\"]?.inner;\nconst r = o?.run?.();\n{log1}\n{tail}\nreturn v;"
        );
        self.function(name, "", &body, "")
    }

    fn finally_function(&mut self, name: &str) -> String {
        let leave_at = self.rng.random_range(0..3);
        let how = self.pick(&["break", "continue", "return i"]);
        let work = self.await_log(name);
        let cleanup = self.log(name, "i");
        let more = self.await_log(name);
        let body = format!(
            "for (let i = 0; i < 3; i++) {{\n  try {{\n{}\n    if (i === {leave_at}) {how};\n  }} finally {{\n{}\n  }}\n}}\nreturn -1;",
            indent(&indent(&work)),
            indent(&indent(&format!("{cleanup}\n{more}")))
        );
        self.function(name, "", &body, "")
    }

    // ---- Tier::Generators ----

    fn generator_construct(&mut self, name: &str) -> String {
        let stop = self.rng.random_range(1..4);
        let cleanup = self.log(name, "\"cleanup\"");
        let generator = format!(
            "function* {name}_gen(n) {{\n  try {{\n    for (let i = 0; i < n; i++) {{\n      \
             const sent = yield i;\n      if (sent !== undefined) console.log(\"{name}.sent\", sent);\n    }}\n    \
             return \"ret\";\n  }} finally {{\n    {cleanup}\n  }}\n}}\n\
             function* {name}_outer() {{\n  const r = yield* {name}_gen(2);\n  \
             console.log(\"{name}.delegated\", r);\n  yield* [\"a\", \"b\"];\n}}"
        );
        let awaited = self.await_log(name);
        let log = self.log(name, "x");
        let body = match self.rng.random_range(0..5) {
            0 => format!(
                "for (const x of {name}_gen(3)) {{\n{}\n  if (x === {stop}) break;\n}}",
                indent(&format!("{awaited}\n{log}"))
            ),
            1 => {
                let log2 = self.log(name, "g.next(\"s\"), g.return(5), g.next()");
                format!("const g = {name}_gen(4);\ng.next();\n{awaited}\n{log2}")
            }
            2 => {
                let log2 = self.log(name, "e.message, g.next()");
                format!(
                    "const g = {name}_gen(4);\ng.next();\n{awaited}\ntry {{\n  \
                     g.throw(new Error(\"stop\"));\n}} catch (e) {{\n  {log2}\n}}"
                )
            }
            3 => format!(
                "for (const x of {name}_outer()) {{\n{}\n}}",
                indent(&format!("{awaited}\n{log}"))
            ),
            _ => {
                let log2 = self.log(name, "[...{name}_gen(2)], [...{name}_outer()]");
                let log2 = log2.replace("{name}", name);
                format!("{awaited}\n{log2}")
            }
        };
        let function = self.function(name, "", &format!("{body}\nreturn \"{name}\";"), "");
        format!("{generator}\n{function}")
    }
}
