//! Tier 4 ("globals"): programs whose order or output depends on names the program does not
//! declare. `typeof` of Node's globals chooses between `queueMicrotask` and `setTimeout`,
//! sloppy and strict functions print `typeof this`, blocks and parameters rebind `undefined`,
//! `NaN` and `Infinity`, named function expressions re-queue themselves, and CommonJS programs
//! `require` Node's built-in modules (`timers/promises`, `util.promisify(setTimeout)`,
//! `process`, `timers`). Timers in one program are at least 60 ms apart, beyond the engine's
//! drift margin, so Node prints each program in one order.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{Flavor, Program, Tier};

/// Globals of both module kinds, with Node 24's `typeof`, and the wrapper names of CommonJS.
const GLOBALS: &[&str] = &[
    "globalThis",
    "global",
    "fetch",
    "Buffer",
    "structuredClone",
    "queueMicrotask",
    "setImmediate",
    "process",
    "URL",
    "AbortController",
    "TextEncoder",
    "performance",
    "Array",
    "Object",
    "Math",
    "JSON",
    "WeakRef",
    "crypto",
    "navigator",
    "notAGlobal",
];
const COMMONJS_NAMES: &[&str] = &["require", "module", "exports", "__filename", "__dirname"];

struct GlobalsGen {
    rng: ChaCha8Rng,
    flavor: Flavor,
    lines: Vec<String>,
    /// The next free timer slot, in ms; each timer takes its own slot.
    next_slot: u32,
    counter: u32,
}

/// The tier-4 program for `seed`.
pub fn program(seed: u64) -> Program {
    let mut rng = super::program_rng(Tier::Globals, seed);
    let flavor = super::pick_flavor(&mut rng, 0.35);
    let strict_file = flavor == Flavor::CommonJs && rng.random_bool(0.3);
    let mut gen = GlobalsGen {
        rng,
        flavor,
        lines: Vec::new(),
        next_slot: 60,
        counter: 0,
    };
    if strict_file {
        gen.lines.push("\"use strict\";".to_owned());
    }
    let count = gen.rng.random_range(3..=6);
    for _ in 0..count {
        gen.snippet();
    }
    let nominal_ms = gen.next_slot;
    Program {
        tier: Tier::Globals,
        seed,
        flavor,
        source: gen.lines.join("\n") + "\n",
        racy: None,
        unhandled_rejection: false,
        nominal_ms,
    }
}

impl GlobalsGen {
    fn fresh(&mut self, stem: &str) -> String {
        self.counter += 1;
        format!("{stem}{}", self.counter)
    }

    /// A timer delay of its own, 60 ms after the previous one.
    fn slot(&mut self) -> u32 {
        let slot = self.next_slot;
        self.next_slot += 60;
        slot
    }

    fn global(&mut self) -> &'static str {
        let commonjs = self.flavor == Flavor::CommonJs;
        if commonjs && self.rng.random_bool(0.2) {
            COMMONJS_NAMES[self.rng.random_range(0..COMMONJS_NAMES.len())]
        } else if !commonjs && self.rng.random_bool(0.1) {
            // Absent in ES modules: `typeof` gives "undefined".
            COMMONJS_NAMES[self.rng.random_range(0..COMMONJS_NAMES.len())]
        } else {
            GLOBALS[self.rng.random_range(0..GLOBALS.len())]
        }
    }

    fn snippet(&mut self) {
        let commonjs = self.flavor == Flavor::CommonJs;
        match self.rng.random_range(0..if commonjs { 7 } else { 5 }) {
            0 => self.typeof_defer(),
            1 => self.typeof_print(),
            2 => self.this_of_plain_call(),
            3 => self.shadowed_constants(),
            4 => self.self_requeue(),
            5 => self.require_timers(),
            _ => self.require_process(),
        }
    }

    /// The example: a branch on `typeof` picks the queue.
    fn typeof_defer(&mut self) {
        let name = self.global();
        let defer = self.fresh("defer");
        let slot = self.slot();
        let types = ["object", "function", "undefined", "string"];
        let expected = types[self.rng.random_range(0..types.len())];
        self.lines.push(format!(
            "const {defer} = typeof {name} === \"{expected}\" ? queueMicrotask : (f) => setTimeout(f, {slot});"
        ));
        let timer = self.slot();
        self.lines.push(format!(
            "setTimeout(() => console.log(\"{defer}: timeout\"), {timer});"
        ));
        self.lines.push(format!(
            "{defer}(() => console.log(\"{defer}: deferred\"));"
        ));
    }

    fn typeof_print(&mut self) {
        let names: Vec<&str> = (0..self.rng.random_range(1..=3))
            .map(|_| self.global())
            .collect();
        let parts: Vec<String> = names.iter().map(|n| format!("typeof {n}")).collect();
        let label = self.fresh("types");
        self.lines
            .push(format!("console.log(\"{label}\", {});", parts.join(", ")));
    }

    /// `typeof this` in a plain call: `object` in sloppy CommonJS, `undefined` in strict code.
    fn this_of_plain_call(&mut self) {
        let f = self.fresh("whoAmI");
        let directive = if self.rng.random_bool(0.3) {
            "\"use strict\"; "
        } else {
            ""
        };
        self.lines.push(format!(
            "function {f}() {{ {directive}return typeof this; }}"
        ));
        match self.rng.random_range(0..3) {
            0 => self.lines.push(format!("console.log(\"{f}\", {f}());")),
            1 => self.lines.push(format!(
                "Promise.resolve().then(() => console.log(\"{f} in a job\", {f}()));"
            )),
            _ => {
                let slot = self.slot();
                self.lines.push(format!(
                    "setTimeout(() => console.log(\"{f} in a timer\", {f}()), {slot});"
                ));
            }
        }
    }

    fn shadowed_constants(&mut self) {
        let label = self.fresh("shadow");
        match self.rng.random_range(0..3) {
            0 => self.lines.push(format!(
                "{{ let undefined = \"{label}\"; console.log(undefined, typeof undefined); }}"
            )),
            1 => self.lines.push(format!(
                "(function (NaN, Infinity) {{ console.log(\"{label}\", NaN + Infinity); }})(1, 2);"
            )),
            _ => self.lines.push(format!(
                "console.log(\"{label}\", undefined, NaN, Infinity, typeof undefined);"
            )),
        }
    }

    /// `queueMicrotask(function tick() { ... queueMicrotask(tick) })`.
    fn self_requeue(&mut self) {
        let name = self.fresh("tick");
        let count = self.fresh("n");
        let times = self.rng.random_range(2..=4);
        self.lines.push(format!("let {count} = 0;"));
        self.lines.push(format!(
            "queueMicrotask(function {name}() {{ {count}++; console.log(\"{name}\", {count}); if ({count} < {times}) queueMicrotask({name}); }});"
        ));
        self.lines.push(format!(
            "Promise.resolve().then(() => console.log(\"{name} alongside\"));"
        ));
    }

    fn require_timers(&mut self) {
        let sleep = self.fresh("sleep");
        let slot = self.slot();
        let label = sleep.clone();
        match self.rng.random_range(0..3) {
            0 => self.lines.push(format!(
                "const {{ setTimeout: {sleep} }} = require(\"node:timers/promises\");"
            )),
            1 => self.lines.push(format!(
                "const {sleep} = require(\"util\").promisify(setTimeout);"
            )),
            _ => self.lines.push(format!(
                "const {sleep} = require(\"timers/promises\").setTimeout;"
            )),
        }
        if self.rng.random_bool(0.5) {
            let f = self.fresh("waiter");
            self.lines.push(format!(
                "async function {f}() {{ console.log(\"{f} start\"); const v = await {sleep}({slot}, \"{label}\"); console.log(\"{f} woke\", v); }}"
            ));
            self.lines.push(format!("{f}();"));
        } else {
            self.lines.push(format!(
                "{sleep}({slot}, \"{label}\").then((v) => console.log(\"slept\", v));"
            ));
        }
    }

    fn require_process(&mut self) {
        let name = self.fresh("proc");
        let module = if self.rng.random_bool(0.5) {
            "node:process"
        } else {
            "process"
        };
        self.lines
            .push(format!("const {name} = require(\"{module}\");"));
        self.lines.push(format!(
            "{name}.nextTick(() => console.log(\"{name} tick\", {name} === process));"
        ));
        self.lines.push(format!(
            "Promise.resolve().then(() => console.log(\"{name} micro\"));"
        ));
        if self.rng.random_bool(0.5) {
            let slot = self.slot();
            self.lines.push(format!(
                "require(\"timers\").setTimeout(() => console.log(\"{name} timer\"), {slot});"
            ));
        }
    }
}
