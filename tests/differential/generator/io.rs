//! Tier 11 ("I/O"): programs that read their own file through `fs.promises` (also as
//! `fs/promises`), callback `fs`, `util.callbackify` and `dns.promises.lookup("localhost")`,
//! with jobs, nextTicks and loop turns around them.
//!
//! Node fixes their order when at most one I/O call is pending at a time and nothing else waits
//! beside it: `main` runs its steps one after another, and the timers and immediates a step
//! queues from an I/O completion have all run before the next I/O starts (an immediate queued
//! there runs before a 0 ms timer). A racy program (a quarter) also starts, from the main
//! script, a `setImmediate`, a `setTimeout` or a second read while `main`'s first read is
//! pending: the engine must abstain, and what `explain_order` says is determined must be what
//! every run of Node prints first.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{indent, Flavor, Program, Tier};

struct IoGen {
    rng: ChaCha8Rng,
    labels: super::Labels,
}

/// The program for `seed`.
pub(super) fn generate(seed: u64) -> Program {
    let tier = Tier::Io;
    let mut rng = super::program_rng(tier, seed);
    let flavor = super::pick_flavor(&mut rng, 0.5);
    let racer = rng.random_bool(0.25).then(|| rng.random_range(0..3));
    let mut gen = IoGen {
        rng,
        labels: super::Labels::default(),
    };
    let file = format!("tier{}-seed{seed}.{}", tier.number(), flavor.extension());
    let mut source = format!(
        "// ticklens differential program: tier {}, seed {seed}\n{}const FILE = \"{file}\";\n",
        tier.number(),
        gen.imports(flavor)
    );
    source.push_str(
        "const checked = util.callbackify(async (f) => { await fsp.access(f); return \"ok\"; });\n",
    );
    let mut steps = Vec::new();
    let count = gen.rng.random_range(2..=5);
    for index in 0..count {
        // A racy program's first step reads, so the racer waits beside a pending read.
        let step = if index == 0 && racer.is_some() {
            gen.read_step()
        } else {
            gen.step()
        };
        steps.push(step);
    }
    steps.push("return \"done\";".to_owned());
    source.push_str(&format!(
        "async function main() {{\n{}\n}}\n",
        indent(&steps.join("\n"))
    ));
    source.push_str("async function side() { await null; console.log(\"side.1\"); await null; console.log(\"side.2\"); }\n");
    let mut calls = vec![format!(
        "main().then((v) => console.log(\"{}\", v));",
        gen.label("main")
    )];
    if gen.rng.random_bool(0.5) {
        calls.push("side();".to_owned());
    }
    for _ in 0..gen.rng.random_range(0..=2) {
        calls.push(gen.job());
    }
    let racy = racer.map(|kind| {
        let label = gen.label("race");
        let (call, why) = match kind {
            0 => (
                format!("setImmediate(() => console.log(\"{label}\"));"),
                "a setImmediate from the main script races main's first read",
            ),
            1 => (
                format!("setTimeout(() => console.log(\"{label}\"), 0);"),
                "a 0 ms timer from the main script races main's first read",
            ),
            _ => (
                format!("fsp.stat(FILE).then(() => console.log(\"{label}\"));"),
                "a second read from the main script races main's first read",
            ),
        };
        calls.push(call);
        why.to_owned()
    });
    let mut program = super::ordered_program(
        (tier, seed, flavor),
        source,
        &calls,
        "console.log(\"main.end\");",
        0,
    );
    program.racy = racy;
    program
}

impl IoGen {
    fn label(&mut self, owner: &str) -> String {
        self.labels.next(owner)
    }

    /// Binds `fs`, `fsp` (its promises), `util` and `lookup` (`dns.promises.lookup`).
    fn imports(&mut self, flavor: Flavor) -> String {
        let prefix = if self.rng.random_bool(0.5) {
            "node:"
        } else {
            ""
        };
        match flavor {
            Flavor::CommonJs => {
                let fsp = if self.rng.random_bool(0.5) {
                    format!("require(\"{prefix}fs/promises\")")
                } else {
                    "fs.promises".to_owned()
                };
                format!(
                    "const fs = require(\"{prefix}fs\");\nconst fsp = {fsp};\n\
                     const util = require(\"util\");\n\
                     const {{ lookup }} = require(\"{prefix}dns/promises\");\n"
                )
            }
            Flavor::EsModule => {
                let fsp = match self.rng.random_range(0..3) {
                    0 => format!("import * as fsp from \"{prefix}fs/promises\";\n"),
                    1 => format!("import {{ promises as fsp }} from \"{prefix}fs\";\n"),
                    _ => "const fsp = fs.promises;\n".to_owned(),
                };
                format!(
                    "import fs from \"{prefix}fs\";\n{fsp}import util from \"node:util\";\n\
                     import {{ lookup }} from \"{prefix}dns/promises\";\n"
                )
            }
        }
    }

    /// One step of `main`: it ends with nothing pending but what it awaits.
    fn step(&mut self) -> String {
        match self.rng.random_range(0..7) {
            0..=2 => self.read_step(),
            3 => {
                let label = self.label("main");
                format!("await new Promise((r) => setImmediate(r));\nconsole.log(\"{label}\");")
            }
            4 => {
                let label = self.label("main");
                format!(
                    "await new Promise((res) => checked(FILE, (err, v) => {{ console.log(\"{label}\", err, v); res(); }}));"
                )
            }
            5 => {
                let label = self.label("main");
                format!("const a{n} = await lookup(\"localhost\");\nconsole.log(\"{label}\", typeof a{n});", n = self.labels.issued())
            }
            _ => {
                let job = self.job();
                let label = self.label("main");
                format!("{job}\nawait null;\nconsole.log(\"{label}\");")
            }
        }
    }

    /// A read (promise or callback form), and sometimes a timer and an immediate queued from its
    /// completion, awaited before the next step.
    fn read_step(&mut self) -> String {
        let label = self.label("main");
        let method = ["readFile", "stat", "lstat", "access"][self.rng.random_range(0..4)];
        let mut step = if self.rng.random_bool(0.5) {
            format!(
                "const r{n} = await fsp.{method}(FILE);\nconsole.log(\"{label}\", typeof r{n});",
                n = self.labels.issued()
            )
        } else {
            let inside = if self.rng.random_bool(0.5) {
                format!(" {}", self.job())
            } else {
                String::new()
            };
            format!(
                "await new Promise((res) => fs.{method}(FILE, (err, v) => {{ console.log(\"{label}\", err, typeof v);{inside} res(); }}));"
            )
        };
        if self.rng.random_bool(0.4) {
            let (t, i) = (self.label("main"), self.label("main"));
            step.push_str(&format!(
                "\nsetTimeout(() => console.log(\"{t} timer\"), 0);\nsetImmediate(() => console.log(\"{i} immediate\"));\nawait new Promise((r) => setTimeout(r, 0));"
            ));
        }
        step
    }

    fn job(&mut self) -> String {
        let label = self.label("job");
        match self.rng.random_range(0..3) {
            0 => format!("Promise.resolve().then(() => console.log(\"{label}\"));"),
            1 => format!("process.nextTick(() => console.log(\"{label}\"));"),
            _ => format!("queueMicrotask(() => console.log(\"{label}\"));"),
        }
    }
}
