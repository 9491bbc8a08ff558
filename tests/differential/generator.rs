//! Seeded random JavaScript programs for the differential test against Node 24.
//!
//! A program is self-contained (no I/O, no `Math.random`, no clock, no undefined names) and prints
//! its progress with `console.log`, so the order Node runs it in is its stdout. The same
//! `(tier, seed)` always gives the same text: the stream is ChaCha8, whose output `rand_chacha`
//! keeps stable across versions.
//!
//! Tiers add constructs:
//! 1. sync code, fire-and-forget async functions, awaits of values, promises and other async calls;
//! 2. `.then/.catch` chains, thenables, `return p` and `return await p`, the `Promise` combinators,
//!    rejections caught by `try/catch` or `.catch`, `process.nextTick`, `queueMicrotask`;
//! 3. timers, `setImmediate`, `setInterval`, loops, `forEach(async ...)`, `map` + `Promise.all`,
//!    `.finally` and `try/finally` across awaits, top-level `await` in ES modules;
//! 4. names the program does not declare: Node's globals and `typeof`, sloppy and strict `this`,
//!    shadowed `undefined`, `require` of built-ins (`generator/globals.rs`);
//! 9. the built-ins ordinary code uses: arrays, `Map`/`Set` iteration, `Object.*`, `JSON.parse`,
//!    string and number methods (`generator/builtins.rs`);
//! 10. Node's built-in modules by `require`, `import` and `import()`: `EventEmitter` and its
//!     subclasses, `events.once`, `timers/promises` (`generator/node_modules.rs`);
//! 11. I/O: `fs.promises`, callback `fs`, `util.callbackify`, `dns.promises.lookup`, reading the
//!     program's own file (`generator/io.rs`); these programs alone do I/O.
//!
//! Tiers 5 to 8 are one kind of program each: classes, control flow, sync generators, and async
//! generators with `for await` (`generator/async_generators.rs`).
//!
//! Unless a program is marked `racy`, Node prints it in one order: see `timeline.rs` for how timers
//! are kept apart. A racy program holds a top-level `setTimeout(f, 0)` and `setImmediate(g)`, whose
//! order depends on how quickly the event loop starts; the engine must abstain on it.

use std::collections::HashMap;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::timeline::{Phase, Rejects, Settle, Slots};

/// The random stream of one program. The tier is mixed in so that seed 1 of
/// tier 2 is not a prefix of seed 1 of tier 3.
fn program_rng(tier: Tier, seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ (u64::from(tier.number()) << 56))
}

/// An ES module with probability `es_module`, else CommonJS.
fn pick_flavor(rng: &mut ChaCha8Rng, es_module: f64) -> Flavor {
    if rng.random_bool(es_module) {
        Flavor::EsModule
    } else {
        Flavor::CommonJs
    }
}

/// The main script's calls, one a line, then its last line; a program Node
/// prints in one order, with no rejection left unhandled.
fn ordered_program(
    (tier, seed, flavor): (Tier, u64, Flavor),
    mut source: String,
    calls: &[String],
    last_line: &str,
    nominal_ms: u32,
) -> Program {
    for call in calls {
        source.push_str(call);
        source.push('\n');
    }
    source.push_str(last_line);
    source.push('\n');
    Program {
        tier,
        seed,
        flavor,
        source,
        racy: None,
        unhandled_rejection: false,
        nominal_ms,
    }
}

/// The labels a program prints (`f1.1`, `f1.2`, `main.1`): numbered per
/// owner, so each line of Node's output names the place that printed it.
#[derive(Default)]
struct Labels {
    per_owner: HashMap<String, u32>,
    issued: u32,
}

impl Labels {
    /// The next label of `owner`.
    fn next(&mut self, owner: &str) -> String {
        self.issued += 1;
        let n = self.per_owner.entry(owner.to_owned()).or_insert(0);
        *n += 1;
        format!("{owner}.{n}")
    }

    /// How many labels were handed out: a number no earlier label took,
    /// for names that must be unique in the program (`h3`, `r3`).
    fn issued(&self) -> u32 {
        self.issued
    }
}

mod async_generators;
mod awaitables;
mod builtins;
mod classes;
mod control;
mod functions;
mod globals;
mod io;
mod node_modules;
mod typed;

/// How deep generated functions and callbacks nest.
const MAX_DEPTH: u32 = 3;
/// How deep `setImmediate` callbacks nest: each level is one loop turn, and a long chain of turns
/// could outlast a timer slot.
const MAX_IMMEDIATES: u32 = 2;
/// Timers stop being generated once a program runs this long, to keep the test quick.
const MAX_NOMINAL_MS: u32 = 600;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    One,
    Two,
    Three,
    /// Globals, `typeof`, `this`, shadowed `undefined`, `require` of built-ins (`generator/globals.rs`).
    Globals,
    /// Classes, `Promise` subclasses and thenable classes (`generator/classes.rs`).
    Classes,
    /// `switch`, `for...in`, `for await`, labels, destructuring, optional chains, `try/finally`
    /// exits, with awaits inside them (`generator/control.rs`).
    Control,
    /// Sync generators inside async functions (`generator/control.rs`).
    Generators,
    /// Async generators, their request queue, `for await` over async and sync iterables
    /// (`generator/async_generators.rs`).
    AsyncGenerators,
    /// The built-ins ordinary code uses, deciding orders and printed values (`generator/builtins.rs`).
    Builtins,
    /// Node's built-in modules: emitters, `events.once`, `timers/promises`, `import()`
    /// (`generator/node_modules.rs`).
    NodeModules,
    /// I/O calls whose completions Node orders, and programs racing one (`generator/io.rs`).
    Io,
    /// The other tiers' programs with types, run as TypeScript (`generator/typed.rs`).
    TypeScript,
}

impl Tier {
    pub const ALL: [Tier; 12] = [
        Tier::One,
        Tier::Two,
        Tier::Three,
        Tier::Globals,
        Tier::Classes,
        Tier::Control,
        Tier::Generators,
        Tier::AsyncGenerators,
        Tier::Builtins,
        Tier::NodeModules,
        Tier::Io,
        Tier::TypeScript,
    ];

    pub fn number(self) -> u8 {
        match self {
            Tier::One => 1,
            Tier::Two => 2,
            Tier::Three => 3,
            Tier::Globals => 4,
            Tier::Classes => 5,
            Tier::Control => 6,
            Tier::Generators => 7,
            Tier::AsyncGenerators => 8,
            Tier::Builtins => 9,
            Tier::NodeModules => 10,
            Tier::Io => 11,
            Tier::TypeScript => 12,
        }
    }

    /// The tiers of ordinary syntax built by `generator/control.rs` and
    /// `generator/async_generators.rs` (run with half as many programs as the others: see
    /// `Config::count`).
    pub fn is_syntax_tier(self) -> bool {
        matches!(
            self,
            Tier::Control | Tier::Generators | Tier::AsyncGenerators | Tier::Builtins
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    CommonJs,
    EsModule,
}

impl Flavor {
    pub fn extension(self) -> &'static str {
        match self {
            Flavor::CommonJs => "cjs",
            Flavor::EsModule => "mjs",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Program {
    pub tier: Tier,
    pub seed: u64,
    pub flavor: Flavor,
    pub source: String,
    /// Why Node may print this program in more than one order, if it may.
    pub racy: Option<String>,
    /// The program leaves a rejection unhandled on purpose: Node prints up to it and exits 1.
    pub unhandled_rejection: bool,
    /// The latest timer expiry, in ms: about how long the program runs.
    pub nominal_ms: u32,
}

impl Program {
    pub fn file_name(&self) -> String {
        format!(
            "tier{}-seed{}.{}",
            self.tier.number(),
            self.seed,
            self.extension()
        )
    }

    /// `.cjs`/`.mjs`, or `.cts`/`.mts` for a TypeScript program.
    pub fn extension(&self) -> &'static str {
        match (self.tier, self.flavor) {
            (Tier::TypeScript, Flavor::CommonJs) => "cts",
            (Tier::TypeScript, Flavor::EsModule) => "mts",
            _ => self.flavor.extension(),
        }
    }
}

/// The program for `(tier, seed)`.
pub fn generate(tier: Tier, seed: u64) -> Program {
    if tier == Tier::TypeScript {
        return typed::generate_typed(seed);
    }
    if tier == Tier::AsyncGenerators {
        return async_generators::generate(seed);
    }
    if tier == Tier::Builtins {
        return builtins::generate(seed);
    }
    if tier == Tier::NodeModules {
        return node_modules::generate(seed);
    }
    if tier == Tier::Io {
        return io::generate(seed);
    }
    if tier.is_syntax_tier() {
        return control::generate(tier, seed);
    }
    if tier == Tier::Globals {
        return globals::program(seed);
    }
    let mut gen = Gen::new(tier, seed);
    if tier == Tier::Classes {
        return classes::program(&mut gen.rng, seed, gen.flavor);
    }
    let statements = match tier {
        Tier::One => gen.rng.random_range(2..=4),
        Tier::Two => gen.rng.random_range(3..=5),
        _ => gen.rng.random_range(3..=6),
    };
    gen.program(|_, count| count < statements)
}

/// A tier-3 program of at least `lines` lines, for benchmarks.
pub fn generate_large(seed: u64, lines: usize) -> Program {
    let mut gen = Gen::new(Tier::Three, seed);
    gen.program(|gen, _| gen.line_count() < lines)
}

/// Where generated code runs.
#[derive(Clone, Copy, Debug)]
struct Ctx {
    /// Nominal ms; `None` where the code runs more than once (loops, callbacks of `forEach`) or the
    /// generator lost track, and then it starts no timers.
    time: Option<u32>,
    phase: Phase,
    /// `await` is allowed here.
    in_async: bool,
    /// A rejection here is caught by an enclosing `try` or expected by the caller.
    may_throw: bool,
    depth: u32,
    immediates: u32,
}

impl Ctx {
    fn after(mut self, settle: Settle) -> Ctx {
        self.time = settle.time;
        self.phase = settle.phase;
        self
    }

    fn callback(self, time: Option<u32>, phase: Phase) -> Ctx {
        Ctx {
            time,
            phase,
            in_async: false,
            may_throw: false,
            depth: self.depth + 1,
            immediates: self.immediates,
        }
    }

    fn repeated(mut self) -> Ctx {
        self.time = None;
        self
    }

    fn settle_now(&self, rejects: Rejects) -> Settle {
        Settle::now(self.time, self.phase, rejects)
    }
}

struct Gen {
    rng: ChaCha8Rng,
    tier: Tier,
    flavor: Flavor,
    seed: u64,
    decls: Vec<String>,
    statements: Vec<String>,
    names: HashMap<&'static str, u32>,
    labels: Labels,
    slots: Slots,
    /// The main script may use `setTimeout(f, 0)`; otherwise it may use `setImmediate`.
    main_zero_timers: bool,
    /// How many `setTimeout(f, 0)` the main script starts.
    zero_timers: u32,
    /// A `setImmediate` is queued from the callback of a `setTimeout(f, 0)`.
    immediate_after_zero_timer: bool,
    uses_sleep: bool,
}

impl Gen {
    fn new(tier: Tier, seed: u64) -> Gen {
        let mut rng = program_rng(tier, seed);
        let flavor = pick_flavor(&mut rng, 0.4);
        let main_zero_timers = rng.random_bool(0.5);
        Gen {
            rng,
            tier,
            flavor,
            seed,
            decls: Vec::new(),
            statements: Vec::new(),
            names: HashMap::new(),
            labels: Labels::default(),
            slots: Slots::default(),
            main_zero_timers,
            zero_timers: 0,
            immediate_after_zero_timer: false,
            uses_sleep: false,
        }
    }

    fn program(&mut self, mut more: impl FnMut(&Gen, usize) -> bool) -> Program {
        let mut ctx = Ctx {
            time: Some(0),
            phase: Phase::Main,
            in_async: self.flavor == Flavor::EsModule && self.tier == Tier::Three,
            may_throw: false,
            depth: 0,
            immediates: 0,
        };
        // The statements that run while the main script is still in its first step.
        let mut main_prefix = 0;
        while more(self, self.statements.len()) {
            let statement = self.statement(&mut ctx, "main", true);
            self.statements.push(statement);
            if ctx.phase == Phase::Main && ctx.time == Some(0) {
                main_prefix = self.statements.len();
            }
        }
        let unhandled_rejection = self.tier >= Tier::Two && self.rng.random_bool(0.03);
        if unhandled_rejection {
            let call = self.unhandled_call(&ctx);
            let at = self.rng.random_range(0..=self.statements.len());
            self.statements.insert(at, call);
        }
        // A crash before the first loop turn would end the program before any race.
        let add_race =
            self.tier == Tier::Three && !unhandled_rejection && self.rng.random_bool(0.04);
        let racy = add_race.then(|| {
            let at = self.rng.random_range(0..=main_prefix);
            self.statements.insert(
                at,
                "setTimeout(() => console.log(\"race.timeout\"), 0);\n\
                 setImmediate(() => console.log(\"race.immediate\"));"
                    .to_owned(),
            );
            "a top-level setTimeout(f, 0) and setImmediate(g): which runs first depends on \
             how soon the event loop starts"
                .to_owned()
        });
        // Found by the 2,100-program run: two `setTimeout(f, 0)` started in different
        // milliseconds can fire in different timers phases, and an immediate queued by the first
        // then runs between them. Node printed both orders in five runs.
        let racy = racy.or_else(|| {
            (self.zero_timers >= 2 && self.immediate_after_zero_timer).then(|| {
                "a setImmediate queued by one setTimeout(f, 0) callback runs before or after \
                 another setTimeout(f, 0), depending on whether both expired by the first loop turn"
                    .to_owned()
            })
        });
        Program {
            tier: self.tier,
            seed: self.seed,
            flavor: self.flavor,
            source: self.source(),
            racy,
            unhandled_rejection,
            nominal_ms: self.slots.last(),
        }
    }

    fn source(&self) -> String {
        let mut out = format!(
            "// ticklens differential program: tier {}, seed {}\n",
            self.tier.number(),
            self.seed
        );
        if self.uses_sleep {
            out.push_str(
                "const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));\n",
            );
        }
        for decl in &self.decls {
            out.push_str(decl);
            out.push('\n');
        }
        for statement in &self.statements {
            out.push_str(statement);
            out.push('\n');
        }
        out
    }

    fn line_count(&self) -> usize {
        self.decls
            .iter()
            .chain(&self.statements)
            .map(|s| s.lines().count())
            .sum()
    }

    // ---- names, labels, values ----

    fn fresh(&mut self, prefix: &'static str) -> String {
        let n = self.names.entry(prefix).or_insert(0);
        *n += 1;
        format!("{prefix}{n}")
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())]
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.rng.random_range(0..total);
        for (item, weight) in items {
            if roll < *weight {
                return *item;
            }
            roll -= weight;
        }
        items[items.len() - 1].0
    }

    /// A small literal whose `console.log` form fits on one line.
    fn value(&mut self) -> String {
        let n = self.rng.random_range(1..100);
        match self.rng.random_range(0..20) {
            0..=10 => n.to_string(),
            11..=14 => format!("\"s{n}\""),
            15..=17 => format!("[{n}, \"s{}\"]", self.rng.random_range(1..10)),
            18 => format!("{{ n: {n} }}"),
            _ => "null".to_owned(),
        }
    }

    fn log(&mut self, owner: &str) -> String {
        let label = self.labels.next(owner);
        if self.chance(0.2) {
            let value = self.value();
            format!("console.log(\"{label}\", {value});")
        } else {
            format!("console.log(\"{label}\");")
        }
    }

    fn error(&mut self) -> String {
        let name = self.fresh("e");
        format!("new Error(\"{name}\")")
    }

    /// Whether code in `ctx` may start a timer.
    fn timers_ok(&self, ctx: &Ctx) -> bool {
        ctx.time.is_some() && self.slots.last() < MAX_NOMINAL_MS
    }

    fn timer_delay(&mut self, ctx: &Ctx, count: u32) -> Option<u32> {
        if !self.timers_ok(ctx) {
            return None;
        }
        let now = ctx.time?;
        if count == 1
            && ctx.phase == Phase::Main
            && now == 0
            && self.main_zero_timers
            && self.chance(0.3)
        {
            self.zero_timers += 1;
            return Some(0);
        }
        let min_slots = self.rng.random_range(1..=2);
        Some(self.slots.take(now, count, min_slots))
    }

    /// Records an immediate queued from `ctx`, for the race check in `program`.
    fn note_immediate(&mut self, ctx: &Ctx) {
        if ctx.phase == Phase::Timer && ctx.time == Some(0) {
            self.immediate_after_zero_timer = true;
        }
    }

    fn immediate_ok(&self, ctx: &Ctx) -> bool {
        ctx.time.is_some()
            && ctx.immediates < MAX_IMMEDIATES
            && !(ctx.phase == Phase::Main && self.main_zero_timers)
    }

    // ---- statements ----

    /// One statement (possibly several lines) for code running in `ctx`; updates `ctx` past it.
    fn statement(&mut self, ctx: &mut Ctx, owner: &str, top: bool) -> String {
        #[derive(Clone, Copy)]
        enum Kind {
            Log,
            Call,
            Await,
            Tick,
            Chain,
            TryCatch,
            Timer,
            Immediate,
            Interval,
            Loop,
            ForEach,
            MapAll,
        }
        let t2 = self.tier >= Tier::Two;
        let t3 = self.tier == Tier::Three;
        let deeper = ctx.depth < MAX_DEPTH;
        let mut kinds = vec![(Kind::Log, 3)];
        let mut push = |ok: bool, kind: Kind, weight: u32| {
            if ok {
                kinds.push((kind, weight));
            }
        };
        push(deeper, Kind::Call, if top { 6 } else { 2 });
        push(ctx.in_async, Kind::Await, 6);
        push(t2, Kind::Tick, 2);
        push(t2 && deeper, Kind::Chain, 3);
        push(t2 && ctx.in_async && deeper, Kind::TryCatch, 2);
        // Repeated code (`time: None`) repeats nothing more, so that output stays short: a long
        // main script would also make its late timers start late.
        let once = ctx.time.is_some();
        push(t3 && self.timers_ok(ctx), Kind::Timer, 3);
        push(t3 && self.immediate_ok(ctx), Kind::Immediate, 2);
        push(t3 && self.timers_ok(ctx), Kind::Interval, 1);
        push(t3 && once && ctx.in_async && deeper, Kind::Loop, 2);
        push(t3 && once && deeper, Kind::ForEach, 1);
        push(t3 && once && deeper, Kind::MapAll, 1);
        match self.weighted(&kinds) {
            Kind::Log => self.log(owner),
            Kind::Call => self.call_statement(ctx, owner),
            Kind::Await => self.await_statement(ctx, owner),
            Kind::Tick => self.tick_statement(ctx, owner),
            Kind::Chain => self.chain_statement(ctx, owner),
            Kind::TryCatch => self.try_statement(ctx, owner),
            Kind::Timer => self.timer_statement(ctx),
            Kind::Immediate => self.immediate_statement(ctx),
            Kind::Interval => self.interval_statement(ctx),
            Kind::Loop => self.loop_statement(ctx, owner),
            Kind::ForEach => self.for_each_statement(ctx, owner),
            Kind::MapAll => self.map_all_statement(ctx, owner),
        }
    }

    fn block(&mut self, ctx: &mut Ctx, owner: &str, count: usize) -> String {
        (0..count)
            .map(|_| self.statement(ctx, owner, false))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Calls a fresh async function without waiting for it.
    fn call_statement(&mut self, ctx: &mut Ctx, owner: &str) -> String {
        let may_reject = self.tier >= Tier::Two && self.chance(0.25);
        let (call, settle) = self.async_function(ctx, may_reject);
        let label = self.labels.next(owner);
        if settle.rejects.any() {
            let on_error = format!("(e) => console.log(\"{label}\", e.message)");
            return if self.chance(0.7) {
                format!("{call}.catch({on_error});")
            } else {
                format!("{call}.then((v) => console.log(\"{label}\", v), {on_error});")
            };
        }
        match self.rng.random_range(0..10) {
            0..=5 => format!("{call};"),
            6 => format!("console.log(\"{label}\", {call} instanceof Promise);"),
            _ if self.tier >= Tier::Two => {
                format!("{call}.then((v) => console.log(\"{label}\", v));")
            }
            _ => format!("{call};"),
        }
    }

    fn await_statement(&mut self, ctx: &mut Ctx, owner: &str) -> String {
        let (code, settle) = self.awaitable(ctx, ctx.may_throw, true);
        *ctx = ctx.after(settle);
        if self.chance(0.5) {
            let var = self.fresh("v");
            let label = self.labels.next(owner);
            format!("const {var} = await {code};\nconsole.log(\"{label}\", {var});")
        } else {
            format!("await {code};")
        }
    }

    /// `process.nextTick`, `queueMicrotask` or a resolved promise's `.then`, with a callback.
    fn tick_statement(&mut self, ctx: &mut Ctx, owner: &str) -> String {
        let cb = self.fresh("k");
        let mut inner = ctx.callback(ctx.time, ctx.phase);
        let first = self.log(&cb);
        let body = if inner.depth < MAX_DEPTH && self.chance(0.35) {
            format!("{first}\n{}", self.statement(&mut inner, &cb, false))
        } else {
            first
        };
        let _ = owner;
        let scheduler = self.pick(&[
            "process.nextTick",
            "queueMicrotask",
            "Promise.resolve().then",
        ]);
        format!("{scheduler}(() => {{\n{}\n}});", indent(&body))
    }

    /// A `.then` chain started from an awaitable, ending in a `.catch` if it can reject.
    fn chain_statement(&mut self, ctx: &mut Ctx, owner: &str) -> String {
        let (start, mut settle) = self.promise(ctx, true);
        let mut code = start;
        let links = self.rng.random_range(1..=3);
        for _ in 0..links {
            let (link, next) = self.then_link(ctx, settle);
            code.push_str(&link);
            settle = next;
        }
        let t3 = self.tier == Tier::Three;
        if settle.rejects.any() || self.chance(0.2) {
            let label = self.labels.next(owner);
            code.push_str(&format!(
                "\n  .catch((e) => console.log(\"{label}\", e.message))"
            ));
            settle.rejects = Rejects::No;
            if self.chance(0.3) {
                let (link, after) = self.then_link(
                    ctx,
                    Settle {
                        time: None,
                        ..settle
                    },
                );
                code.push_str(&link);
                if after.rejects.any() {
                    let label = self.labels.next(owner);
                    code.push_str(&format!(
                        "\n  .catch((e) => console.log(\"{label}\", e.message))"
                    ));
                }
            }
        }
        if t3 && self.chance(0.3) {
            let label = self.labels.next(owner);
            code.push_str(&format!("\n  .finally(() => console.log(\"{label}\"))"));
        }
        code.push(';');
        code
    }

    /// `.then(handler)` after a promise settling at `settle`; the handler may return a value, a
    /// promise, a thenable or an async call, or throw. Returns the link and when its promise settles.
    fn then_link(&mut self, ctx: &Ctx, settle: Settle) -> (String, Settle) {
        let handler = self.fresh("c");
        let mut inner = ctx.callback(settle.time, settle.phase);
        let var = "v";
        let label = self.labels.next(&handler);
        let mut body = format!("console.log(\"{label}\", {var});");
        if inner.depth < MAX_DEPTH && self.chance(0.3) {
            body.push('\n');
            body.push_str(&self.statement(&mut inner, &handler, false));
        }
        let (ret, next) = match self.rng.random_range(0..10) {
            0..=3 => (
                format!("return {};", self.value()),
                inner.settle_now(Rejects::No),
            ),
            4 => (
                format!("throw {};", self.error()),
                inner.settle_now(Rejects::Yes),
            ),
            5..=7 if inner.depth < MAX_DEPTH => {
                let (code, s) = self.awaitable(&inner, false, false);
                (format!("return {code};"), s)
            }
            _ => (String::new(), inner.settle_now(Rejects::No)),
        };
        if !ret.is_empty() {
            body.push('\n');
            body.push_str(&ret);
        }
        let rejects = settle.rejects.or(next.rejects);
        let link = format!("\n  .then(({var}) => {{\n{}\n  }})", indent(&indent(&body)));
        (link, Settle { rejects, ..next })
    }

    /// `try { ...; <a rejection> } catch (e) { ... } [finally { ... }]`.
    fn try_statement(&mut self, ctx: &mut Ctx, owner: &str) -> String {
        // Only the last statement rejects, so the catch runs when that rejection settles.
        let mut inner = Ctx {
            may_throw: false,
            ..*ctx
        };
        let count = self.rng.random_range(0..=1);
        let mut body = self.block(&mut inner, owner, count);
        let (rejection, settle) = self.rejection(&inner);
        if !body.is_empty() {
            body.push('\n');
        }
        body.push_str(&format!("await {rejection};"));
        let mut after = inner.after(settle);
        // The rejection resumes the function at the catch, in the job that rejected it.
        after.may_throw = ctx.may_throw;
        let label = self.labels.next(owner);
        let mut handler = format!("console.log(\"{label}\", e.message);");
        if self.chance(0.3) {
            handler.push('\n');
            handler.push_str(&self.statement(&mut after, owner, false));
        }
        let mut code = format!(
            "try {{\n{}\n}} catch (e) {{\n{}\n}}",
            indent(&body),
            indent(&handler)
        );
        if self.tier == Tier::Three && self.chance(0.4) {
            let mut cleanup = self.log(owner);
            if self.chance(0.5) {
                cleanup.push('\n');
                let (code, s) = self.awaitable(&after, false, true);
                after = after.after(s);
                cleanup.push_str(&format!("await {code};"));
            }
            code.push_str(&format!(" finally {{\n{}\n}}", indent(&cleanup)));
        }
        *ctx = after;
        code
    }

    fn timer_statement(&mut self, ctx: &mut Ctx) -> String {
        let Some(delay) = self.timer_delay(ctx, 1) else {
            return self.log("main");
        };
        let now = ctx.time.unwrap_or(0);
        let cb = self.fresh("t");
        let mut inner = ctx.callback(Some(now + delay), Phase::Timer);
        let count = self.rng.random_range(1..=3);
        let body = self.callback_body(&mut inner, &cb, count);
        format!("setTimeout(() => {{\n{}\n}}, {delay});", indent(&body))
    }

    fn immediate_statement(&mut self, ctx: &mut Ctx) -> String {
        self.note_immediate(ctx);
        let cb = self.fresh("i");
        let mut inner = ctx.callback(ctx.time, Phase::Immediate);
        inner.immediates += 1;
        let count = self.rng.random_range(1..=2);
        let body = self.callback_body(&mut inner, &cb, count);
        format!("setImmediate(() => {{\n{}\n}});", indent(&body))
    }

    /// A log, then `count - 1` statements.
    fn callback_body(&mut self, ctx: &mut Ctx, owner: &str, count: usize) -> String {
        let first = self.log(owner);
        if count <= 1 || ctx.depth >= MAX_DEPTH {
            return first;
        }
        format!("{first}\n{}", self.block(ctx, owner, count - 1))
    }

    fn interval_statement(&mut self, ctx: &mut Ctx) -> String {
        let ticks = self.rng.random_range(2..=3);
        let Some(now) = ctx.time else {
            return self.log("main");
        };
        let delay = self.slots.take(now, ticks, 1);
        let name = self.fresh("iv");
        let counter = format!("n{}", &name[2..]);
        let mut body = format!("{counter} += 1;\nconsole.log(\"{name}\", {counter});");
        let mut inner = ctx.callback(None, Phase::Timer);
        if inner.depth < MAX_DEPTH && self.chance(0.5) {
            body.push('\n');
            body.push_str(&self.statement(&mut inner, &name, false));
        }
        body.push_str(&format!(
            "\nif ({counter} === {ticks}) {{\n  clearInterval({name});\n}}"
        ));
        format!(
            "let {counter} = 0;\nconst {name} = setInterval(() => {{\n{}\n}}, {delay});",
            indent(&body)
        )
    }

    /// `for`, `for...of` or `while`, awaiting in each turn; a sleep per turn if time is known.
    fn loop_statement(&mut self, ctx: &mut Ctx, owner: &str) -> String {
        let turns = self.rng.random_range(2..=3);
        let var = self.fresh("i");
        let label = self.labels.next(owner);
        let mut inner = ctx.repeated();
        let count = self.rng.random_range(1..=2);
        let mut body = format!("console.log(\"{label}\", {var});\n");
        body.push_str(&self.block(&mut inner, owner, count));
        if let (Some(now), true) = (ctx.time, self.chance(0.4)) {
            let delay = self.slots.take(now, turns, 1);
            self.uses_sleep = true;
            body.push_str(&format!("\nawait sleep({delay});"));
            ctx.time = Some(now + turns * delay);
            ctx.phase = Phase::Timer;
        }
        match self.rng.random_range(0..3) {
            0 => format!(
                "for (let {var} = 0; {var} < {turns}; {var}++) {{\n{}\n}}",
                indent(&body)
            ),
            1 => {
                let items: Vec<String> = (0..turns).map(|_| self.value()).collect();
                format!(
                    "for (const {var} of [{}]) {{\n{}\n}}",
                    items.join(", "),
                    indent(&body)
                )
            }
            _ => format!(
                "let {var} = 0;\nwhile ({var} < {turns}) {{\n  {var} += 1;\n{}\n}}",
                indent(&body)
            ),
        }
    }

    fn for_each_statement(&mut self, ctx: &mut Ctx, owner: &str) -> String {
        let _ = owner;
        let cb = self.fresh("fe");
        let items = self.small_array();
        let body = self.async_callback_body(ctx, &cb);
        format!("{items}.forEach(async (x) => {{\n{}\n}});", indent(&body))
    }

    fn map_all_statement(&mut self, ctx: &mut Ctx, owner: &str) -> String {
        let cb = self.fresh("m");
        let items = self.small_array();
        let mut body = self.async_callback_body(ctx, &cb);
        body.push_str("\nreturn x;");
        let mapped = format!(
            "Promise.all({items}.map(async (x) => {{\n{}\n}}))",
            indent(&body)
        );
        let label = self.labels.next(owner);
        if ctx.in_async && self.chance(0.6) {
            let var = self.fresh("r");
            format!("const {var} = await {mapped};\nconsole.log(\"{label}\", {var});")
        } else {
            format!("{mapped}.then((r) => console.log(\"{label}\", r));")
        }
    }

    /// The body of an async callback run once per array item: logs `x` around a few awaits.
    fn async_callback_body(&mut self, ctx: &Ctx, owner: &str) -> String {
        let mut inner = Ctx {
            in_async: true,
            may_throw: false,
            depth: ctx.depth + 1,
            ..ctx.repeated()
        };
        let first = self.labels.next(owner);
        let count = self.rng.random_range(1..=2);
        let middle = self.block(&mut inner, owner, count);
        let last = self.labels.next(owner);
        format!("console.log(\"{first}\", x);\n{middle}\nconsole.log(\"{last}\", x);")
    }

    fn small_array(&mut self) -> String {
        let len = self.rng.random_range(2..=3);
        let items: Vec<String> = (0..len)
            .map(|_| self.rng.random_range(1..10).to_string())
            .collect();
        format!("[{}]", items.join(", "))
    }
}

fn indent(code: &str) -> String {
    code.lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("  {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
