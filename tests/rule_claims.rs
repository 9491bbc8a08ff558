//! What rule messages claim about Node's behaviour, checked on Node 24.
//!
//! Each case is a small program with one finding of the rule under test. The
//! test reads the claim the message makes (the library's `analyze`, what
//! `ticklens check` and the editor show) and runs the program under Node 24
//! to see whether it holds.

#[path = "differential/node.rs"]
mod node;

use std::path::Path;
use std::time::Duration;

use ticklens::driver;
use ticklens::findings::Finding;
use ticklens::syntax;

fn findings_of(source: &str, rule: &str) -> Vec<Finding> {
    let tree = syntax::parse(source, None);
    driver::analyze_with(source, &tree, ticklens::rules::ALL)
        .findings
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
}

/// Runs `source` as `dir/name` under Node 24; its stdout and exit code.
fn run(node: &Path, dir: &Path, name: &str, source: &str) -> (Vec<String>, Option<i32>, String) {
    let script = dir.join(name);
    std::fs::write(&script, source).expect("write the program");
    let run = node::run_node(node, &script, Duration::from_secs(20));
    assert!(!run.timed_out, "{name}: {}", run.ending());
    let lines = run.stdout.lines().map(str::to_owned).collect();
    (lines, run.code, run.stderr)
}

/// A chain of three promise callbacks queued before the `nextTick` call.
const CHAIN: &str = "const log = (s) => console.log(s);\n\
function chain() { Promise.resolve().then(() => log(\"p1\")).then(() => log(\"p2\")).then(() => log(\"p3\")); }\n";

#[test]
fn prefer_queue_microtask_says_when_the_callback_runs_as_node_24_does() {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().expect("a temp folder");
    const BEFORE: &str = "before every promise callback queued so far";
    const AFTER: &str = "only after the microtask queue empties";
    const UNKNOWN: &str = "depending on where it is called";
    let next_tick = "process.nextTick(() => log(\"nextTick\"));";
    // (file name, the code after CHAIN, the claim the message must make,
    // the order Node prints: true when `nextTick` comes before `p1`).
    let cases: Vec<(&str, String, &str, bool)> = vec![
        ("top.cjs", format!("chain(); {next_tick}"), BEFORE, true),
        // The same script as an ES module: the message's "(in an ES module,
        // only after them)".
        ("top.mjs", format!("chain(); {next_tick}"), BEFORE, false),
        (
            "esm.mjs",
            format!("export {{}};\nchain(); {next_tick}"),
            AFTER,
            false,
        ),
        (
            "timeout.cjs",
            format!("setTimeout(() => {{ chain(); {next_tick} }}, 0);"),
            BEFORE,
            true,
        ),
        (
            "immediate.cjs",
            format!("setImmediate(() => {{ chain(); {next_tick} }});"),
            BEFORE,
            true,
        ),
        (
            "then.cjs",
            format!("Promise.resolve().then(() => {{ chain(); {next_tick} }});"),
            AFTER,
            false,
        ),
        (
            "then.mjs",
            format!("Promise.resolve().then(() => {{ chain(); {next_tick} }});"),
            AFTER,
            false,
        ),
        (
            "microtask.cjs",
            format!("queueMicrotask(() => {{ chain(); {next_tick} }});"),
            AFTER,
            false,
        ),
        (
            "await.cjs",
            format!("async function g() {{ await null; chain(); {next_tick} }}\ng();"),
            AFTER,
            false,
        ),
        // A plain function: its callers decide, and here they disagree.
        (
            "plain_top.cjs",
            format!("function g() {{ chain(); {next_tick} }}\ng();"),
            UNKNOWN,
            true,
        ),
        (
            "plain_then.cjs",
            format!("function g() {{ chain(); {next_tick} }}\nPromise.resolve().then(g);"),
            UNKNOWN,
            false,
        ),
    ];
    for (name, code, claim, next_tick_first) in cases {
        let source = format!("{CHAIN}{code}\n");
        let findings = findings_of(&source, "prefer-queue-microtask");
        assert_eq!(findings.len(), 1, "{name}: {findings:?}");
        let message = &findings[0].message;
        assert!(
            message.contains(claim),
            "{name}: the message is `{message}`"
        );
        for other in [BEFORE, AFTER, UNKNOWN].iter().filter(|o| **o != claim) {
            assert!(!message.contains(other), "{name}: `{message}`");
        }
        let (lines, code, stderr) = run(&node, dir.path(), name, &source);
        assert_eq!(code, Some(0), "{name}: {stderr}");
        let expected: &[&str] = match next_tick_first {
            true => &["nextTick", "p1", "p2", "p3"],
            false => &["p1", "p2", "p3", "nextTick"],
        };
        assert_eq!(lines, expected, "{name}: Node 24 printed {lines:?}");
    }
}

/// The rules that say an unhandled rejection ends the process: each program
/// has the finding, and under Node 24 it exits with code 1 before a timer
/// queued at the start can print.
#[test]
fn dropped_rejections_end_the_process_as_the_messages_say() {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().expect("a temp folder");
    const TIMER: &str = "setTimeout(() => console.log(\"still running\"), 50);\n";
    let cases: &[(&str, &str, &str)] = &[
        (
            "async-promise-executor",
            "exit code 1",
            // A throw before the first `await`, which the constructor never sees.
            "const p = new Promise(async (resolve) => { throw new Error(\"early\"); await null; resolve(1); });\n\
             p.then(() => console.log(\"settled\"), () => console.log(\"settled\"));",
        ),
        (
            "async-promise-executor",
            "exit code 1",
            "const p = new Promise(async (resolve) => { await null; throw new Error(\"late\"); resolve(1); });\n\
             p.then(() => console.log(\"settled\"), () => console.log(\"settled\"));",
        ),
        (
            "floating-promise",
            "exit code 1",
            "async function save() { await null; throw new Error(\"x\"); }\nsave();",
        ),
        (
            "floating-promise",
            "exit code 1",
            "async function save() { throw new Error(\"x\"); }\nsave().then(() => console.log(\"done\"));",
        ),
        (
            "floating-promise",
            "exit code 1",
            "Promise.all([Promise.reject(new Error(\"x\")), 1]);",
        ),
        (
            "async-array-callback",
            "exit code 1",
            "[1, 2].forEach(async (x) => { await null; throw new Error(String(x)); });",
        ),
    ];
    for (index, (rule, claim, code)) in cases.iter().enumerate() {
        let source = format!("{TIMER}{code}\n");
        let findings = findings_of(&source, rule);
        assert_eq!(findings.len(), 1, "{rule} on {code}: {findings:?}");
        assert!(
            findings[0].message.contains(claim),
            "{rule}: `{}`",
            findings[0].message
        );
        let name = format!("rejects{index}.cjs");
        let (lines, exit, stderr) = run(&node, dir.path(), &name, &source);
        assert_eq!(
            exit,
            Some(1),
            "{rule} on {code}: Node 24 printed {lines:?}\n{stderr}"
        );
        assert!(
            lines.is_empty(),
            "{rule} on {code}: the process went on: {lines:?}"
        );
    }
}

/// Whether a program's promise, as the rule under test sees it, can reject.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Claim {
    /// The rule says it cannot reject: no finding, and no `unhandledRejection`.
    CannotReject,
    /// The rule flags it: a finding, and Node 24 reports an `unhandledRejection`.
    Rejects,
}

/// Every "cannot reject" the rules state (analysis/source_facts/never_rejects.rs,
/// failure_paths.rs, return-without-await-in-try's settled promise), each run
/// under Node 24 with a listener that prints every unhandled rejection; the
/// contrasting programs the rules flag really reject there.
#[test]
fn promises_the_rules_say_cannot_reject_never_reject_under_node_24() {
    use Claim::{CannotReject, Rejects};
    let node = node::require_node_24();
    let dir = tempfile::tempdir().expect("a temp folder");
    const LISTENER: &str = "process.on(\"unhandledRejection\", (e) => console.log(\"unhandledRejection\", String(e)));\n";
    const UTIL: &str = "const { promisify } = require(\"util\");\n";
    const THENABLE: &str =
        "const rejecting = { then(ok, fail) { fail(new Error(\"thenable\")); } };\n";
    const WAIT: &str = "const { once, EventEmitter } = require(\"events\");\nconst em = new EventEmitter();\n\
        const wait = async ({ signal }) => {\n  try { await once(em, \"x\", { signal }); } catch {}\n};\n";
    const THROWS: &str = "async function g() { await null; throw new Error(\"g\"); }\n";
    const BATCHER: &str = "class Batcher {\n  #tasks = new Map();\n  #timer = null;\n  #scheduled = false;\n  \
        schedule(key, at) {\n    this.#tasks.set(key, at);\n    if (!this.#scheduled) {\n      this.#scheduled = true;\n      \
        Promise.resolve().then(() => { this.#scheduled = false; this.#update(); });\n    }\n  }\n  \
        #update() {\n    if (this.#timer !== null) { clearTimeout(this.#timer); this.#timer = null; }\n    \
        if (this.#tasks.size === 0) return;\n    const now = performance.now();\n    \
        for (const [key, at] of this.#tasks) { if (at === now) this.#tasks.delete(key); }\n    \
        this.#timer = setTimeout(() => this.#run(), 5);\n  }\n  #run() { console.log(\"ran\"); }\n}\n";
    const STATE: &str = "class State {\n  recent = new Set();\n  generation = 0;\n  \
        commit(key) {\n    this.recent.add(key);\n    const generation = this.generation;\n    \
        Promise.resolve().then(() => { if (this.generation === generation) this.recent.clear(); });\n  }\n}\n";
    let floating = "floating-promise";
    let returned = "return-without-await-in-try";
    let cases: Vec<(&str, String, Claim)> = vec![
        // Promisified timers, through util's promisify or `timers/promises`.
        (floating, format!("{UTIL}promisify(setTimeout)(5).then(() => {{}});"), CannotReject),
        (floating, format!("{UTIL}promisify(setTimeout)(5, {{ a: 1 }}).then(() => {{}});"), CannotReject),
        (floating, "const util = require(\"node:util\");\nutil.promisify(setImmediate)(\"v\").then(() => {});".into(), CannotReject),
        (floating, "const promisify = require(\"util\").promisify;\npromisify(setImmediate)().then(() => {});".into(), CannotReject),
        (floating, "require(\"util\").promisify(setTimeout)(1).then(() => {});".into(), CannotReject),
        (floating, "require(\"timers/promises\").setTimeout(5, \"v\").then(() => {});".into(), CannotReject),
        (floating, "require(\"node:timers/promises\").setImmediate(1).then(() => {});".into(), CannotReject),
        (floating, "require(\"timers/promises\").setTimeout().then(() => {});".into(), CannotReject),
        // A delay that is not a number, a thenable value, an options value
        // that is not an object, an aborted signal.
        (floating, format!("{UTIL}promisify(setTimeout)(\"5\").then(() => {{}});"), Rejects),
        (floating, format!("{UTIL}{THENABLE}promisify(setImmediate)(rejecting).then(() => {{}});"), Rejects),
        (floating, "require(\"timers/promises\").setTimeout(5, \"v\", 1).then(() => {});".into(), Rejects),
        (
            floating,
            "const ac = new AbortController();\nac.abort();\nrequire(\"timers/promises\").setTimeout(5, \"v\", { signal: ac.signal }).then(() => {});".into(),
            Rejects,
        ),
        // A promisify that is not util's (the file's own) and a timer of the file's own.
        (floating, "function promisify(f) { return () => Promise.reject(new Error(\"own\")); }\npromisify(setTimeout)(5).then(() => {});".into(), Rejects),
        (floating, format!("{UTIL}function setImmediate(cb) {{ cb(new Error(\"own\")); }}\npromisify(setImmediate)().then(() => {{}});"), Rejects),
        // `Promise.allSettled` of an iterable, even of rejected promises.
        (floating, "Promise.allSettled([Promise.reject(new Error(\"x\")), 1]).then(() => {});".into(), CannotReject),
        (floating, "Promise.allSettled(new Set([Promise.reject(new Error(\"x\"))]));".into(), CannotReject),
        (floating, "Promise.allSettled(null);".into(), Rejects),
        (floating, "function done() { throw new Error(\"done\"); }\nPromise.allSettled([]).then(done);".into(), Rejects),
        // Executors that only resolve.
        (floating, "new Promise((r) => setTimeout(r, 10));".into(), CannotReject),
        (floating, "new Promise((res) => { setTimeout(res, 10, \"v\"); }).then(() => {});".into(), CannotReject),
        (floating, "new Promise((resolve, reject) => { setImmediate(resolve); });".into(), CannotReject),
        (floating, "new Promise((res) => process.nextTick(res));".into(), CannotReject),
        (floating, "new Promise((res) => queueMicrotask(res)).then(() => {});".into(), CannotReject),
        (floating, "new Promise((res) => { res(1); }).then(() => {});".into(), CannotReject),
        (floating, "new Promise((res, rej) => { setTimeout(rej, 10); });".into(), Rejects),
        (floating, format!("{THENABLE}new Promise((res) => res(rejecting)).then(() => {{}});"), Rejects),
        // `Promise.resolve` of a value that is not a thenable.
        (floating, "Promise.resolve({ a: 1 }).then(function () {}).finally(() => {});".into(), CannotReject),
        (floating, "Promise.resolve(1).then(() => { try { JSON.parse(\"{\"); } catch (e) {} });".into(), CannotReject),
        // An async arrow whose body catches everything and destructures its
        // options: an object literal cannot make it reject; no object can.
        (floating, format!("{WAIT}const ac = new AbortController();\nwait({{ signal: ac.signal }});\nac.abort();"), CannotReject),
        (floating, format!("{WAIT}const signal = AbortSignal.abort();\nwait({{ signal, a: 1 }});"), CannotReject),
        (floating, format!("{WAIT}wait();"), Rejects),
        (floating, format!("{WAIT}const options = null;\nwait(options);"), Rejects),
        // Async bodies that cannot throw outside a catch-all: an endless loop
        // around it (left when `step` never settles), an early return on a
        // parameter, fields of `this` in a class that extends nothing.
        (
            floating,
            "let n = 0;\nasync function step() { await null; if (n++ < 3) throw new Error(\"step\"); await new Promise(() => {}); }\n\
             async function poll() { while (true) { try { await step() } catch (e) { console.log(e) } } }\npoll();".into(),
            CannotReject,
        ),
        (
            floating,
            format!("{THROWS}async function f(d) {{ if (!d) return; try {{ await g(d); }} catch {{}} }}\nf(1);\nf(0);"),
            CannotReject,
        ),
        (
            floating,
            format!("{THROWS}class Job {{\n  async start(o) {{\n    if (o === undefined) return;\n    this.started = true;\n    try {{ await g(o); }} catch (e) {{ this.failed = e; }}\n  }}\n  \
                     kick(o) {{ this.start(o); }}\n}}\nnew Job().kick(1);\nnew Job().kick();"),
            CannotReject,
        ),
        // A guarded call of a method that is not there, and a `then` callback
        // calling one.
        (
            floating,
            format!("{THROWS}async function f(d) {{ if (d) d.end(); try {{ await g(d); }} catch {{}} }}\nf({{}});"),
            Rejects,
        ),
        (floating, "const emitter = {};\nPromise.resolve().then(() => { emitter.off(\"error\", () => {}); });".into(), Rejects),
        // An awaited chain whose last link is a `catch` that cannot fail,
        // started by an async method of the class: whatever the method or a
        // `then` callback throws, the handler takes it.
        (
            floating,
            format!("{THROWS}class Source {{\n  async open(url) {{ await g(); return url; }}\n  \
                     async connect() {{\n    await this.open(this.url).then((r) => {{ throw new Error(r); }}).catch((e) => {{ console.log(\"caught\"); }});\n  }}\n  \
                     start() {{ this.connect(); }}\n}}\nnew Source().start();"),
            CannotReject,
        ),
        (
            floating,
            format!("{THROWS}class Source {{\n  async open() {{ await g(); }}\n  \
                     async connect() {{\n    await this.open().catch((e) => {{ throw e; }});\n  }}\n  \
                     start() {{ this.connect(); }}\n}}\nnew Source().start();"),
            Rejects,
        ),
        (
            floating,
            format!("{THROWS}class Source {{\n  async open() {{ await g(); }}\n  \
                     async connect() {{\n    await this.open().catch(() => {{}}).then(() => {{ throw new Error(\"then\"); }});\n  }}\n  \
                     start() {{ this.connect(); }}\n}}\nnew Source().start();"),
            Rejects,
        ),
        // The promise of `Promise.withResolvers()` whose `reject` is never used.
        (
            floating,
            "function wait() {\n  const ready = Promise.withResolvers();\n  ready.promise.then(() => {});\n  setTimeout(() => ready.resolve(), 5);\n}\nwait();".into(),
            CannotReject,
        ),
        (
            floating,
            "function wait() {\n  const ready = Promise.withResolvers();\n  ready.promise.then(() => {});\n  setTimeout(() => ready.reject(new Error(\"r\")), 5);\n}\nwait();".into(),
            Rejects,
        ),
        (
            floating,
            format!("{THENABLE}function wait() {{\n  const ready = Promise.withResolvers();\n  ready.promise.then(() => {{}});\n  ready.resolve(rejecting);\n}}\nwait();"),
            Rejects,
        ),
        // A `then` callback that resets a flag and calls a `#` method touching
        // only the class's timer and the `Map` it owns, and one that clears a
        // `Set` the class owns (held-out TypeScript corpus 3).
        (floating, format!("{BATCHER}const b = new Batcher();\nb.schedule(\"a\", 1);\nb.schedule(\"b\", 2);"), CannotReject),
        (floating, format!("{STATE}const s = new State();\ns.commit(\"k\");\ns.commit(\"l\");"), CannotReject),
        // Near misses: a method without `#` that a subclass overrides, a
        // field written elsewhere, a getter, a call of something else, a
        // timer field given an object, a `#` method that calls itself.
        (
            floating,
            "class Queue {\n  #scheduled = false;\n  schedule() { Promise.resolve().then(() => { this.#scheduled = false; this.update(); }); }\n  update() {}\n}\n\
             class Failing extends Queue { update() { throw new Error(\"override\"); } }\nnew Failing().schedule();".into(),
            Rejects,
        ),
        (
            floating,
            (STATE.replacen("  commit(key) {", "  reset() { this.recent = null; }\n  commit(key) {", 1)
                + "const s = new State();\ns.commit(\"k\");\ns.reset();"),
            Rejects,
        ),
        (
            floating,
            "class State {\n  recent = new Set();\n  get generation() { throw new Error(\"getter\"); }\n  \
             commit() { Promise.resolve().then(() => { if (this.generation === 1) this.recent.clear(); }); }\n}\nnew State().commit();".into(),
            Rejects,
        ),
        (
            floating,
            (BATCHER.replacen("if (at === now) this.#tasks.delete(key);", "at.cancel();", 1) + "new Batcher().schedule(\"a\", 1);"),
            Rejects,
        ),
        (
            floating,
            (BATCHER.replacen("  #run() {", "  adopt(h) { this.#timer = h; }\n  #run() {", 1)
                + "const b = new Batcher();\nb.adopt({ get _onTimeout() { throw new Error(\"timer\"); } });\nb.schedule(\"a\", 1);"),
            Rejects,
        ),
        (
            floating,
            (BATCHER.replacen("if (this.#tasks.size === 0) return;", "this.#update();", 1) + "new Batcher().schedule(\"a\", 1);"),
            Rejects,
        ),
        // A promise awaited before it is returned in `try` has settled: the
        // `catch` sees its rejection at the `await`.
        (
            returned,
            "async function f(p) { try { await p; return p; } catch (e) { console.log(\"caught\"); } finally { console.log(\"finally\"); } }\n\
             f(Promise.reject(new Error(\"x\"))).then(() => {});".into(),
            CannotReject,
        ),
        (
            returned,
            format!("{THROWS}async function f() {{ const p = g(); try {{ await p; return p; }} catch (e) {{ console.log(\"caught\"); }} }}\nf().then(() => {{}});"),
            CannotReject,
        ),
        // Returned without `await`: the `catch` never sees it, the caller does.
        (
            returned,
            format!("{THROWS}async function f() {{ try {{ return g(); }} catch (e) {{ console.log(\"caught\"); }} }}\nf().then(() => {{}});"),
            Rejects,
        ),
    ];
    for (index, (rule, code, claim)) in cases.iter().enumerate() {
        let findings = findings_of(code, rule);
        match claim {
            CannotReject => assert!(findings.is_empty(), "{rule} on {code}: {findings:?}"),
            Rejects => assert_eq!(findings.len(), 1, "{rule} on {code}: {findings:?}"),
        }
        let name = format!("claim{index}.cjs");
        let source = format!("{LISTENER}{code}\n");
        let (lines, exit, stderr) = run(&node, dir.path(), &name, &source);
        assert_eq!(exit, Some(0), "{code}: Node 24 printed {lines:?}\n{stderr}");
        let rejected = lines.iter().any(|l| l.starts_with("unhandledRejection"));
        assert_eq!(
            rejected,
            *claim == Rejects,
            "{rule} on {code}: Node 24 printed {lines:?}"
        );
        if *rule == returned {
            // The `catch` sees the rejection exactly when the rule is silent.
            assert_eq!(
                lines.iter().any(|l| l == "caught"),
                *claim == CannotReject,
                "{code}: {lines:?}"
            );
        }
    }
}

/// `floating-promise`'s findings when `ticklens check` runs on `dir` (a
/// project whose `main` may import another file: the rule reads the summary
/// of the file it imports), each in the file `main`.
fn floating_in(dir: &Path, main: &str) -> Vec<String> {
    std::fs::write(
        dir.join("ticklens.toml"),
        "[rules]\nfloating-promise = \"on\"\n",
    )
    .expect("write the config");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ticklens"))
        .args([
            "check",
            "--format",
            "compact",
            "--color",
            "never",
            "--no-cache",
            ".",
        ])
        .current_dir(dir)
        .output()
        .expect("the ticklens binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(matches!(output.status.code(), Some(0 | 1)), "{stdout}");
    stdout
        .lines()
        .filter(|l| l.contains("[floating-promise]"))
        .map(str::to_owned)
        .inspect(|l| assert!(l.contains(&format!("{main}:")), "{l}"))
        .collect()
}

/// What the exporting file's facts say of its functions (analysis/modules:
/// an async function whose body cannot fail, a promised timer) holds in the
/// file that imports them: each `main.js` below is silent and never rejects
/// under Node 24, or is flagged and rejects.
#[test]
fn imported_promises_the_rules_say_cannot_reject_never_reject_under_node_24() {
    use Claim::{CannotReject, Rejects};
    let node = node::require_node_24();
    const LISTENER: &str = "process.on(\"unhandledRejection\", (e) => console.log(\"unhandledRejection\", String(e)));\n";
    const SLEEP: &str = "const { promisify } = require(\"util\");\nconst sleep = promisify(setTimeout);\nmodule.exports = { sleep };\n";
    const NAP: &str = "exports.nap = require(\"util\").promisify(setImmediate);\n";
    const DROP: &str =
        "async function drop(p) { try { await p; } catch (e) {} }\nmodule.exports = { drop };\n";
    const WAIT: &str = "const { once, EventEmitter } = require(\"events\");\nconst em = new EventEmitter();\n\
        exports.wait = async ({ signal }) => {\n  try { await once(em, \"x\", { signal }); } catch {}\n};\n";
    const SAVE: &str =
        "async function save(x) { await null; throw new Error(\"save\"); }\nexports.save = save;\n";
    const THENABLE: &str =
        "const rejecting = { then(ok, fail) { fail(new Error(\"thenable\")); } };\n";
    // (the imported file `lib.js`, `main.js`, the claim)
    let cases: Vec<(&str, String, Claim)> = vec![
        (SLEEP, "const { sleep } = require(\"./lib\");\nsleep(5).then(() => {});".into(), CannotReject),
        (SLEEP, "const lib = require(\"./lib.js\");\nlib.sleep(5, { a: 1 });".into(), CannotReject),
        (NAP, "const { nap } = require(\"./lib\");\nnap(\"v\").then(() => {});".into(), CannotReject),
        (DROP, "const { drop } = require(\"./lib\");\ndrop(Promise.reject(new Error(\"x\")));".into(), CannotReject),
        (DROP, "const lib = require(\"./lib\");\nlib.drop(Promise.reject(new Error(\"x\"))).then(() => {});".into(), CannotReject),
        (WAIT, "const { wait } = require(\"./lib\");\nwait({ signal: AbortSignal.abort() });".into(), CannotReject),
        // A delay that is not a number, a thenable value, options that are
        // not an object, no options object to destructure, a body that throws.
        (SLEEP, "const { sleep } = require(\"./lib\");\nsleep(\"5\").then(() => {});".into(), Rejects),
        (NAP, format!("const {{ nap }} = require(\"./lib\");\n{THENABLE}nap(rejecting);"), Rejects),
        (SLEEP, "const { sleep } = require(\"./lib\");\nsleep(5, \"v\", 1);".into(), Rejects),
        (WAIT, "const { wait } = require(\"./lib\");\nwait();".into(), Rejects),
        (SAVE, "const { save } = require(\"./lib\");\nsave(1);".into(), Rejects),
    ];
    for (index, (lib, main, claim)) in cases.iter().enumerate() {
        let dir = tempfile::tempdir().expect("a temp folder");
        std::fs::write(dir.path().join("lib.js"), lib).expect("write lib.js");
        std::fs::write(dir.path().join("main.js"), format!("{LISTENER}{main}\n"))
            .expect("write main.js");
        // Run where it is: `main.js` requires `./lib`.
        let what = format!("case {index}: {lib}\n{main}");
        assert_floating_claim_holds(&node, dir.path(), "main.js", *claim, &what);
    }
}

/// `floating-promise` on the project in `dir`, whose program is `main` (it
/// logs "unhandledRejection" from a listener), says what `claim` says: silent
/// where the promise cannot reject, one finding where it does; and Node 24,
/// running `main` there, exits 0 and sees a rejection exactly when it does.
fn assert_floating_claim_holds(node: &Path, dir: &Path, main: &str, claim: Claim, what: &str) {
    let findings = floating_in(dir, main);
    match claim {
        Claim::CannotReject => assert!(findings.is_empty(), "{what}: {findings:?}"),
        Claim::Rejects => assert_eq!(findings.len(), 1, "{what}: {findings:?}"),
    }
    std::fs::remove_file(dir.join("ticklens.toml")).expect("remove the config");
    let source = std::fs::read_to_string(dir.join(main)).expect("read the program");
    let (lines, exit, stderr) = run(node, dir, main, &source);
    assert_eq!(exit, Some(0), "{what}: Node 24 printed {lines:?}\n{stderr}");
    let rejected = lines.iter().any(|l| l.starts_with("unhandledRejection"));
    assert_eq!(
        rejected,
        claim == Claim::Rejects,
        "{what}: Node 24 printed {lines:?}"
    );
}

/// A TypeScript async function declared to return a promise is judged by
/// its body, as the same function in JavaScript is: `floating-promise` is
/// silent on a call of one that catches everything, and Node 24 (running the
/// `.mts` file with its types stripped) sees no rejection; it flags the one
/// that does not catch, and Node 24 sees that one reject.
#[test]
fn typescript_promises_the_rules_say_cannot_reject_never_reject_under_node_24() {
    use Claim::{CannotReject, Rejects};
    let node = node::require_node_24();
    const LISTENER: &str = "process.on(\"unhandledRejection\", (e) => console.log(\"unhandledRejection\", String(e)));\n";
    const REJECTED: &str = "Promise.reject(new Error(\"x\"))";
    let cases: Vec<(String, Claim)> = vec![
        (
            format!("async function settle<T>(p: Promise<T>): Promise<void> {{\n  try {{\n    await p;\n  }} catch {{}}\n}}\nsettle({REJECTED});"),
            CannotReject,
        ),
        (
            format!("async function save(p: Promise<number>): Promise<void> {{\n  await p;\n}}\nsave({REJECTED});"),
            Rejects,
        ),
        (
            format!("const handled = {{ async drop(p: Promise<number>): Promise<void> {{ try {{ await p; }} catch {{}} }} }};\nhandled.drop({REJECTED});"),
            CannotReject,
        ),
        (
            format!("const open = {{ async drop(p: Promise<number>): Promise<void> {{ await p; }} }};\nopen.drop({REJECTED});"),
            Rejects,
        ),
        (
            format!("class Store {{\n  async flush(p: Promise<unknown>): Promise<void> {{\n    try {{ await p; }} catch (e: unknown) {{ console.log(\"caught\"); }}\n  }}\n  \
                     kick(): void {{ this.flush({REJECTED}); }}\n}}\nnew Store().kick();"),
            CannotReject,
        ),
        // A `then` callback calling a `#` method of the class that touches only
        // its timer and the `Map` it owns, and one clearing a `Set` the class
        // owns: the shapes of `@tanstack/db` (held-out TypeScript corpus 3).
        (
            "class CleanupQueue {\n  private tasks: Map<string, number> = new Map()\n  \
             private timeoutId: ReturnType<typeof setTimeout> | null = null\n  private scheduled = false\n  \
             schedule(key: string, at: number): void {\n    this.tasks.set(key, at)\n    if (!this.scheduled) {\n      this.scheduled = true\n      \
             Promise.resolve().then(() => {\n        this.scheduled = false\n        this.#updateTimeout()\n      })\n    }\n  }\n  \
             #updateTimeout(): void {\n    if (this.timeoutId !== null) {\n      clearTimeout(this.timeoutId)\n      this.timeoutId = null\n    }\n    \
             if (this.tasks.size === 0) return\n    const now: number = Date.now()\n    \
             for (const [key, at] of this.tasks.entries()) {\n      if (at === now) this.tasks.delete(key)\n    }\n    \
             this.timeoutId = setTimeout(() => this.#process(), 5)\n  }\n  #process(): void {\n    console.log(\"processed\")\n  }\n}\n\
             new CleanupQueue().schedule(\"a\", 1)".to_owned(),
            CannotReject,
        ),
        (
            "class CollectionState<TKey> {\n  public recentlySyncedKeys = new Set<TKey>()\n  private syncRunGeneration = 0\n  \
             commit(key: TKey): void {\n    this.recentlySyncedKeys.add(key)\n    const syncRunGeneration = this.syncRunGeneration\n    \
             Promise.resolve().then(() => {\n      if (this.syncRunGeneration === syncRunGeneration) {\n        this.recentlySyncedKeys.clear()\n      }\n    })\n  }\n}\n\
             new CollectionState<string>().commit(\"k\")".to_owned(),
            CannotReject,
        ),
        // Near misses: TypeScript's `private` is gone when Node runs the file,
        // so a subclass may override the method; a field written through a cast.
        (
            "class Queue {\n  private scheduled = false\n  \
             schedule(): void {\n    Promise.resolve().then(() => {\n      this.scheduled = false\n      this.update()\n    })\n  }\n  \
             protected update(): void {}\n}\n\
             class Failing extends Queue {\n  protected override update(): void {\n    throw new Error(\"override\")\n  }\n}\n\
             new Failing().schedule()".to_owned(),
            Rejects,
        ),
        (
            "class CollectionState {\n  public recentlySyncedKeys = new Set<string>()\n  \
             commit(): void {\n    Promise.resolve().then(() => {\n      this.recentlySyncedKeys.clear()\n    })\n  }\n  \
             reset(): void {\n    (this as any).recentlySyncedKeys = null\n  }\n}\n\
             const state = new CollectionState()\nstate.commit()\nstate.reset()".to_owned(),
            Rejects,
        ),
    ];
    for (index, (main, claim)) in cases.iter().enumerate() {
        let dir = tempfile::tempdir().expect("a temp folder");
        std::fs::write(dir.path().join("main.mts"), format!("{LISTENER}{main}\n"))
            .expect("write main.mts");
        let what = format!("case {index}: {main}");
        assert_floating_claim_holds(&node, dir.path(), "main.mts", *claim, &what);
    }
}

/// await-in-loop is silent on `await t.test(...)` in a loop because
/// `node:test` runs the subtests of one test one after another anyway: even
/// started together (`Promise.all`), they do not overlap under Node 24.
#[test]
fn node_test_runs_subtests_one_after_another_as_await_in_loop_assumes() {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().expect("a temp folder");
    let looped = "import test from 'node:test';\n\
        test('outer', async (t) => {\n\
        for (const n of [1, 2, 3]) await t.test(`sub ${n}`, () => step(n));\n\
        });\n";
    assert!(
        findings_of(looped, "await-in-loop").is_empty(),
        "awaited subtests in a loop are not flagged"
    );
    let together = "import test from 'node:test';\n\
        import { setTimeout as sleep } from 'node:timers/promises';\n\
        test('outer', async (t) => {\n\
        await Promise.all([1, 2, 3].map((n) => t.test(`sub ${n}`, async () => {\n\
        console.log(`start ${n}`); await sleep(20); console.log(`end ${n}`);\n\
        })));\n\
        });\n";
    let (lines, code, stderr) = run(&node, dir.path(), "together.mjs", together);
    let marks: Vec<&str> = lines
        .iter()
        .map(|line| line.trim())
        .filter(|line| line.starts_with("start ") || line.starts_with("end "))
        .collect();
    assert_eq!(
        marks,
        ["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"],
        "{stderr}"
    );
    assert_eq!(code, Some(0), "{stderr}");
}
