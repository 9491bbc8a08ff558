//! Tier 9 ("builtins"): the built-ins ordinary code uses, with values that decide orders and
//! printed lines. Each program declares a few async functions, each built around one family of
//! built-ins (`Array.from`, `sort` with and without a comparator, `splice`, `flat`, holes filled
//! by `fill`, `Map`/`Set` iteration with deletion, spread, `Object.assign`/`freeze`/
//! `fromEntries`, `JSON.parse`, string and number methods, index keys, `structuredClone`); a
//! computed value chooses how many awaits run, which branch awaits, and what is printed.
//! Main-script jobs interleave, and some programs start timers whose delays come out of a
//! sorted `Map`; timers are 60 ms apart, beyond the engine's drift margin, so Node prints each
//! program in one order.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{indent, Program, Tier};

struct BuiltinsGen {
    rng: ChaCha8Rng,
    labels: super::Labels,
}

/// Shared by every program: a value resolved a few jobs later, and a thenable.
const HELPERS: &str = "\
const later = async (v) => { await null; return v; };
const thenable = (v) => ({ then(resolve) { resolve(v); } });
";

/// The tier-9 program for `seed`.
pub(super) fn generate(seed: u64) -> Program {
    let tier = Tier::Builtins;
    let mut rng = super::program_rng(tier, seed);
    let flavor = super::pick_flavor(&mut rng, 0.4);
    let mut gen = BuiltinsGen {
        rng,
        labels: super::Labels::default(),
    };
    let mut source = format!("// ticklens differential program: tier 9, seed {seed}\n{HELPERS}");
    let mut calls = Vec::new();
    let count = gen.rng.random_range(2..=4);
    for index in 1..=count {
        let name = format!("f{index}");
        let body = gen.construct(&name);
        source.push_str(&format!(
            "async function {name}() {{\n{}\n}}\n",
            indent(&body)
        ));
        calls.push(gen.call(&name));
        if gen.rng.random_bool(0.5) {
            calls.push(gen.job("main"));
        }
    }
    let mut nominal_ms = 0;
    if gen.rng.random_bool(0.35) {
        let (timers, latest) = gen.timers();
        calls.push(timers);
        nominal_ms = latest;
    }
    super::ordered_program(
        (tier, seed, flavor),
        source,
        &calls,
        "console.log(\"main.end\");",
        nominal_ms,
    )
}

impl BuiltinsGen {
    fn log(&mut self, owner: &str, extra: &str) -> String {
        let label = self.labels.next(owner);
        format!("console.log(\"{label}\", {extra});")
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())]
    }

    fn small(&mut self) -> u32 {
        self.rng.random_range(0..10)
    }

    /// An awaitable with a known job count.
    fn awaitable(&mut self, value: &str) -> String {
        match self.rng.random_range(0..4) {
            0 => value.to_owned(),
            1 => format!("Promise.resolve({value})"),
            2 => format!("later({value})"),
            _ => format!("thenable({value})"),
        }
    }

    fn job(&mut self, owner: &str) -> String {
        let label = self.labels.next(owner);
        match self.rng.random_range(0..3) {
            0 => format!("Promise.resolve().then(() => console.log(\"{label}\"));"),
            1 => format!("queueMicrotask(() => console.log(\"{label}\"));"),
            _ => format!("later(0).then(() => console.log(\"{label}\"));"),
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

    /// Timers whose delays come out of a `Map` sorted by value, 60 ms apart.
    fn timers(&mut self) -> (String, u32) {
        let count = self.rng.random_range(2..=3);
        let mut slots: Vec<u32> = (1..=count).map(|i| i * 60).collect();
        // Shuffle the insertion order so the sort decides the firing order.
        for i in (1..slots.len()).rev() {
            let j = self.rng.random_range(0..=i);
            slots.swap(i, j);
        }
        let entries: Vec<String> = slots
            .iter()
            .enumerate()
            .map(|(i, ms)| format!("[\"t{i}\", {ms}]"))
            .collect();
        let latest = count * 60;
        let code = format!(
            "const delays = new Map([{}]);\n\
             for (const [name, ms] of [...delays].sort((p, q) => p[1] - q[1])) \
             setTimeout(() => console.log(\"timer\", name, delays.size), ms);",
            entries.join(", ")
        );
        (code, latest)
    }

    fn construct(&mut self, name: &str) -> String {
        match self.rng.random_range(0..11) {
            0 => self.array_from_and_sort(name),
            1 => self.map_iteration(name),
            2 => self.set_spread(name),
            3 => self.json_round_trip(name),
            4 => self.strings(name),
            5 => self.numbers(name),
            6 => self.objects(name),
            7 => self.holes_and_splice(name),
            8 => self.map_for_each(name),
            9 => self.index_keys_and_clones(name),
            _ => self.comparator_calls(name),
        }
    }

    fn array_from_and_sort(&mut self, name: &str) -> String {
        let length = self.rng.random_range(2..=6);
        let k = self.rng.random_range(2..=7);
        let m = self.rng.random_range(3..=11);
        let sort = self.pick(&[
            ".sort()",
            ".sort((a, b) => a - b)",
            ".sort((a, b) => b - a)",
        ]);
        let awaited = self.awaitable("x");
        let log = self.log(name, "x, xs.join(\" \")");
        let last = self.log(name, "xs.at(-1), xs.findLast((v) => v % 2), xs.indexOf(3)");
        format!(
            "const xs = Array.from({{ length: {length} }}, (_, i) => (i * {k} + 1) % {m}){sort};\n\
             for (const x of xs.slice(0, 2)) {{\n  await {awaited};\n  {log}\n}}\n{last}\nreturn xs.length;"
        )
    }

    fn map_iteration(&mut self, name: &str) -> String {
        let (a, b, c) = (self.small(), self.small(), self.small());
        let threshold = self.small();
        let delete = self.pick(&["\"b\"", "\"c\"", "\"zz\""]);
        let awaited = self.awaitable("v");
        let log = self.log(name, "k, v, m.size");
        let keys = self.log(name, "[...m.keys()].join(), Array.from(m.values()).join()");
        format!(
            "const m = new Map([[\"a\", {a}], [\"b\", {b}]]);\nm.set(\"c\", {c});\n\
             for (const [k, v] of m) {{\n  if (k === \"a\") {{ m.delete({delete}); m.set(\"d\", {a}); }}\n  \
             if (v > {threshold}) await {awaited};\n  {log}\n}}\n{keys}\nreturn m.get(\"a\");"
        )
    }

    fn set_spread(&mut self, name: &str) -> String {
        let items: Vec<String> = (0..self.rng.random_range(3..=6))
            .map(|_| self.small().to_string())
            .collect();
        let log = self.log(name, "[...s].join(\"-\"), s.has(3), s.size");
        let step = self.log(name, "x");
        format!(
            "const s = new Set([{}]);\n{log}\nfor (const x of s.values()) {{\n  if (x % 2) await null;\n  {step}\n  if (s.size < 8) s.add(x + 10);\n  \
             if (x > 12) break;\n}}\nreturn [...s.entries()].length;",
            items.join(", ")
        )
    }

    fn json_round_trip(&mut self, name: &str) -> String {
        let n = self.rng.random_range(0..=3);
        let tag = self.pick(&["fast", "slow", "x y"]);
        let retries = self.small();
        let log = self.log(name, "i, cfg.tag");
        let done = self.log(
            name,
            "JSON.stringify({ ...cfg, done: true, list: cfg.list.flat() })",
        );
        format!(
            "const cfg = JSON.parse('{{\"n\": {n}, \"tag\": \"{tag}\", \"retries\": {retries}, \"list\": [1, [2, [3]]], \"ok\": null}}');\n\
             for (let i = 0; i < cfg.n; i++) {{\n  await later(i);\n  {log}\n}}\n{done}\nreturn cfg.retries;"
        )
    }

    fn strings(&mut self, name: &str) -> String {
        let text = self.pick(&["a-b-c", "red,green", "x--y", " pad me ", "one.two.three"]);
        let separator = self.pick(&["\"-\"", "\",\"", "\".\"", "\"\""]);
        let width = self.rng.random_range(4..=12);
        let awaited = self.awaitable("s.length");
        let log = self.log(
            name,
            "s, s.replaceAll(\".\", \"_\"), s.replace(\"-\", \"+\"), s.trim().toUpperCase()",
        );
        let more = self.log(
            name,
            "s.substring(2, 0), s.slice(-3), s.at(0), s.lastIndexOf(\"e\"), s.trimEnd().endsWith(\"e\")",
        );
        format!(
            "const parts = \"{text}\".split({separator});\n\
             const s = parts.map((p) => p.trim()).join(\".\").padStart({width}, \".\");\n\
             if (s.startsWith(\".\")) await {awaited};\n{log}\nawait null;\n{more}\nreturn parts.length;"
        )
    }

    fn numbers(&mut self, name: &str) -> String {
        let value = self.pick(&[
            "1 / 3",
            "0.1 + 0.2",
            "2.5",
            "10 / 4",
            "-7 / 2",
            "1e21",
            "255",
            "-0",
        ]);
        let digits = self.rng.random_range(0..=3);
        let radix = self.pick(&["2", "16", "36"]);
        let log = self.log(name, "x, fixed, n, String(n), Number(fixed)");
        let more = self.log(
            name,
            &format!("Math.trunc(n).toString({radix}), parseFloat(\"3.5kg\"), Number.isInteger(n), `${{x}}`"),
        );
        format!(
            "const x = {value};\nconst fixed = x.toFixed({digits});\nconst n = parseInt(fixed, 10);\n\
             if (Number.isInteger(n) && n % 2) await later(n);\n{log}\nawait thenable(0);\n{more}\nreturn fixed;"
        )
    }

    fn objects(&mut self, name: &str) -> String {
        let (a, b) = (self.small(), self.small());
        let log = self.log(
            name,
            "Object.isFrozen(base), Object.isFrozen(o), Object.entries(o).flat().join(\":\")",
        );
        let merged = self.log(
            name,
            "{ ...o, b: o.a, ...{ c: 1 } }, Object.fromEntries(new Map([[\"k\", o.b]]))",
        );
        format!(
            "const base = Object.freeze({{ a: {a} }});\nconst o = Object.assign({{}}, base, {{ b: {b} }});\n{log}\n\
             if (await Promise.resolve(o.b > o.a)) await null;\n{merged}\nreturn Object.keys(o);"
        )
    }

    fn holes_and_splice(&mut self, name: &str) -> String {
        let n = self.rng.random_range(1..=4);
        let start = self.rng.random_range(0..=3);
        let delete = self.rng.random_range(0..=2);
        let k = self.small();
        let log = self.log(
            name,
            &format!("flat.join(\",\"), removed, flat.includes({k}), new Array({n}).join(\"-\")"),
        );
        let loop_log = self.log(name, "v");
        format!(
            "const grid = new Array({n}).fill(0).map((_, i) => [i, i * 2]);\nconst flat = grid.flat();\n\
             const removed = flat.splice({start}, {delete}, \"x\");\n{log}\n\
             for (const v of flat.flatMap((v) => (v === \"x\" ? [] : [v])).reverse().slice(0, 2)) {{\n  await v;\n  {loop_log}\n}}\nreturn removed.length;"
        )
    }

    fn map_for_each(&mut self, name: &str) -> String {
        let victim = self.pick(&["\"b\"", "\"a\"", "\"c\""]);
        let log = self.log(name, "k, v");
        let after = self.log(name, "m.size, [...m].flat().join(\"\")");
        format!(
            "const m = new Map([[\"a\", 1], [\"b\", 2], [\"c\", 3]]);\nlet waits = 0;\n\
             m.forEach((v, k) => {{\n  {log}\n  if (k === \"a\") {{ m.delete({victim}); m.set(\"e\", 5); }}\n  waits += v % 2;\n}});\n\
             for (let i = 0; i < waits; i++) await null;\n{after}\nreturn waits;"
        )
    }

    /// Index keys in an object literal and in writes, read back (V8 lists them
    /// first, which the program never looks at), and `structuredClone` of plain
    /// data with a shared reference.
    fn index_keys_and_clones(&mut self, name: &str) -> String {
        let (a, b) = (self.small(), self.small());
        let key = self.pick(&["1", "3", "\"3\"", "\"10\""]);
        let awaited = self.awaitable("sort[1]");
        let log = self.log(
            name,
            "sort[1], sort[\"2\"], sort.asc, 3 in sort, copy.list, copy.shared === copy.again, copy.shared === shared",
        );
        format!(
            "const sort = {{ 1: {a}, \"2\": {b}, asc: -1 }};\nsort[{key}] = {a} + {b};\n\
             const shared = {{ n: {a} }};\n\
             const copy = structuredClone({{ list: [{a}, \"{b}\", null], shared, again: shared }});\n\
             if (sort[1] > sort[2]) await {awaited};\n{log}\n\
             for (let i = 0; i < copy.shared.n % 3; i++) await null;\nreturn copy.list.length;"
        )
    }

    fn comparator_calls(&mut self, name: &str) -> String {
        let items: Vec<String> = (0..self.rng.random_range(3..=7))
            .map(|_| self.small().to_string())
            .collect();
        let order = self.pick(&["a - b", "b - a", "(a % 3) - (b % 3)"]);
        let log = self.log(name, "arr.join(), calls");
        format!(
            "const arr = [{}];\nlet calls = 0;\narr.sort((a, b) => {{ calls++; return {order}; }});\n\
             for (let i = 0; i < calls % 4; i++) await Promise.resolve(i);\n{log}\nreturn arr[0];",
            items.join(", ")
        )
    }
}
