//! Measuring where and when Node 24 runs each `console.log` of a program, without changing what
//! it prints (the method of `measuring-claims`: synchronous code only, one raw `queueMicrotask`
//! counter per phase).
//!
//! A preload tags every `console.log` on stderr with two facts:
//! - its **lane**: the innermost async resource running it (`async_hooks` `before`/`after`), or
//!   the main script;
//! - its **generation** in the current phase: 0 for a phase's synchronous start (the main script,
//!   one timer, immediate, I/O or nextTick callback), k + 1 for a job queued while generation k
//!   ran. A counter job, queued first in each phase with the raw `queueMicrotask`, re-queues
//!   itself and adds one each time it runs; it stops after a few generations in which no job of
//!   the program ran. A phase starts at the main script's first line (a call put there by
//!   [`instrumented`]) and at every callback of a non-job resource that runs while no counter
//!   is queued. A nextTick callback that runs before the main script's jobs (CommonJS) is part
//!   of the main phase: it runs at generation 0, and what it queues runs with the script's own
//!   jobs.
//!
//! A line printed where no counter runs (a job after the counter stopped) is tagged `?`: the
//! callers fail on it rather than guess.

#![allow(dead_code)] // Each test crate that includes this uses a different part of it.

/// The preload, for `node --require`.
pub const PRELOAD: &str = r#""use strict";
const hooks = require("node:async_hooks");
const { writeSync } = require("node:fs");
const rawQueueMicrotask = globalThis.queueMicrotask;
const JOB_TYPES = new Set(["PROMISE", "Microtask"]);
const IDLE_GENERATIONS = 4;
const types = new Map();
const running = [];
const counterIds = new Set();
let mainId = -1;
let phase = 0;
let counting = false;
let generation = null;
let jobsSinceCounter = 0;
let idleGenerations = 0;
let queueingCounter = false;

function queueCounter(ofPhase) {
  queueingCounter = true;
  rawQueueMicrotask(() => countGeneration(ofPhase));
  queueingCounter = false;
}

function countGeneration(ofPhase) {
  if (ofPhase !== phase) return;
  generation += 1;
  idleGenerations = jobsSinceCounter === 0 ? idleGenerations + 1 : 0;
  jobsSinceCounter = 0;
  if (idleGenerations >= IDLE_GENERATIONS) {
    counting = false;
    generation = null;
    return;
  }
  queueCounter(ofPhase);
}

function startPhase() {
  phase += 1;
  counting = true;
  generation = 0;
  jobsSinceCounter = 0;
  idleGenerations = 0;
  queueCounter(phase);
}

hooks.createHook({
  init(id, type) {
    if (queueingCounter) counterIds.add(id);
    else types.set(id, type);
  },
  before(id) {
    running.push(id);
    if (counterIds.has(id)) return;
    if (JOB_TYPES.has(types.get(id))) jobsSinceCounter += 1;
    else if (!counting) startPhase();
  },
  after() { running.pop(); },
}).enable();

globalThis.__ticklensMain = () => {
  mainId = hooks.executionAsyncId();
  startPhase();
};

const log = console.log;
console.log = function (...args) {
  let id;
  for (let i = running.length - 1; i >= 0; i--) {
    if (!counterIds.has(running[i])) { id = running[i]; break; }
  }
  const type = id === undefined || id === mainId ? "main" : types.get(id);
  writeSync(2, "tag:" + type + ":" + (generation === null ? "?" : generation) + "\n");
  return log.apply(this, args);
};
"#;

/// The file name the preload is written to.
pub const PRELOAD_NAME: &str = "ticklens-instrument.cjs";

/// `source` with the call that starts the main phase put first, after a `"use strict"`
/// directive if there is one, on the first line so that line numbers do not move. (Imports are
/// hoisted, so an ES module's body still starts with it.)
pub fn instrumented(source: &str) -> String {
    let prologue = ["\"use strict\";", "'use strict';"]
        .iter()
        .find(|directive| source.starts_with(**directive))
        .map_or(0, |directive| directive.len());
    let (directive, rest) = source.split_at(prologue);
    format!("{directive}globalThis.__ticklensMain();{rest}")
}

/// Where and when Node ran one `console.log`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    /// `main`, `nextTick`, `microtask`, `timers`, `io` or `check`: the lane names of
    /// `ticklens order --timeline`.
    pub lane: String,
    /// The generation in its phase; `None` where the preload could not tell.
    pub generation: Option<u32>,
}

/// The tags the preload wrote on `stderr`, one per `console.log`, in order.
pub fn tags(stderr: &str) -> Vec<Tag> {
    stderr
        .lines()
        .filter_map(|line| line.strip_prefix("tag:"))
        .map(|tag| {
            let (resource, generation) = tag.rsplit_once(':').expect("tag:RESOURCE:GENERATION");
            Tag {
                lane: lane_of_resource(resource).to_owned(),
                generation: generation.parse().ok(),
            }
        })
        .collect()
}

/// The lane Node's async resource type stands for.
fn lane_of_resource(resource: &str) -> &str {
    match resource {
        "main" => "main",
        "TickObject" => "nextTick",
        "PROMISE" | "Microtask" => "microtask",
        "Timeout" => "timers",
        "Immediate" => "check",
        "FSREQCALLBACK" | "FSREQPROMISE" | "GETADDRINFOREQWRAP" => "io",
        other => panic!("an async resource the test does not map: {other}"),
    }
}
