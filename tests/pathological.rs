//! Pathological files: a 10 MB minified bundle, 50,000 nested parentheses,
//! blocks and `.then` links, a 1 MB single line, 10,000 async functions, a
//! file of NUL bytes and half-typed code full of ERROR nodes; and small
//! programs whose run grows without bound. Each is made here, at test time
//! (nothing big is committed), and thrown at three doors:
//!
//! - the library, on a thread with the 2 MiB stack of tokio's blocking pool
//!   (where the server runs analysis) and rayon's workers (where `check` runs
//!   it): `analyze`, `insights` plus a hover at every `await`, and
//!   `predict_order`, each under `contain_panic`; none may panic, overflow the
//!   stack or hang, and the engine abstains with a reason where it cannot model
//!   the file;
//! - `ticklens check` on the file: it finishes with a sane exit status and
//!   reports a skip where skipping is the designed behaviour (size, minified,
//!   binary);
//! - `ticklens lsp` over stdio: while the file's analysis runs, hovers, inlay
//!   hints, code lenses and code actions on a small second document must keep
//!   being answered.
//!
//! Each test prints one line of measurements; `scripts/pathological.sh` runs
//! them one at a time, for the table in docs/reliability.md ("Pathological files").

#[path = "support/lsp_client.rs"]
mod lsp_client;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::{mpsc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::thread;
use std::time::{Duration, Instant};

use lsp_client::LspClient;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use ticklens::analysis::insights;
use ticklens::driver::{self, contain_panic};
use ticklens::engine::{self, OrderOutcome};
use ticklens::syntax;
use tree_sitter::{Node, Tree};

/// The stack of a tokio blocking-pool thread and of a rayon worker: the
/// smallest stack the analysis runs on in the product.
const WORKER_STACK: usize = 2 * 1024 * 1024;

/// Longer than any of these files takes in a debug build; a step that has not
/// finished by then is a hang.
const HANG: Duration = Duration::from_secs(90);

/// The server tests measure latency, so each runs alone (a write lock); the
/// other tests share the machine with each other (read locks).
static MACHINE: RwLock<()> = RwLock::new(());

fn shared_machine() -> RwLockReadGuard<'static, ()> {
    MACHINE
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn whole_machine() -> RwLockWriteGuard<'static, ()> {
    MACHINE
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How many levels the nesting cases have.
const DEPTH: usize = 50_000;

/// One pathological file.
struct Case {
    name: &'static str,
    file_name: &'static str,
    text: String,
    /// The engine cannot model this file; it must say why.
    order_abstains: bool,
}

fn case(name: &'static str) -> Case {
    let (file_name, text, order_abstains) = match name {
        "minified_bundle" => ("bundle.min.js", minified_bundle(10 * 1024 * 1024), true),
        "nested_parentheses" => ("parens.js", nested_parentheses(DEPTH), true),
        "nested_blocks" => ("blocks.js", nested_blocks(DEPTH), true),
        "then_chain" => ("chain.js", then_chain(DEPTH, false), true),
        "dropped_then_chain" => ("dropped.js", then_chain(DEPTH, true), true),
        "single_line" => ("line.js", single_line(1024 * 1024), false),
        "async_functions" => ("functions.js", async_functions(10_000), false),
        "nul_bytes" => ("nul.js", "\0".repeat(1024 * 1024), true),
        "half_typed" => ("typing.js", half_typed(2_000), true),
        other => panic!("no case {other}"),
    };
    Case {
        name,
        file_name,
        text,
        order_abstains,
    }
}

// ---------------------------------------------------------------------------
// The files.

/// Webpack-style minified modules, 100 to a line, until `size` bytes: plain
/// helpers, and in every third module async code that the rules flag (an
/// async promise executor, an async `forEach` callback, floating promises).
fn minified_bundle(size: usize) -> String {
    let mut out = String::with_capacity(size + 1024);
    out.push_str("/*! bundle */(()=>{\"use strict\";var __m={");
    let mut i = 0usize;
    while out.len() < size {
        let _ = write!(
            out,
            "{i}:(e,t,n)=>{{var r=n({d}),o=[1,2,3].map(function(e){{return e*{i}}});\
             function u{i}(e,t){{for(var n=0;n<e.length;n++)if(e[n]===t)return n;return-1}}",
            d = i / 2,
        );
        if i.is_multiple_of(3) {
            let _ = write!(
                out,
                "async function a{i}(e){{const t=await fetch(e);if(!t.ok)throw new Error(t.status);\
                 return t.json()}}function g{i}(e){{return new Promise(async(t,n)=>{{try{{t(await a{i}(e))}}\
                 catch(r){{n(r)}}}})}}e.exports={{load:a{i},get:g{i},run:()=>{{g{i}(\"/x\").then(e=>console.log(e));\
                 setTimeout(()=>a{i}(\"/y\"),{delay});o.forEach(async e=>{{await a{i}(e)}})}}}}",
                delay = i % 7,
            );
        } else {
            let _ = write!(out, "e.exports={{index:u{i},list:o}}");
        }
        out.push_str("},");
        i += 1;
        if i.is_multiple_of(100) {
            out.push('\n');
        }
    }
    out.push_str("};var __c={};function __r(e){var t=__c[e];if(t!==void 0)return t.exports;\
                  var n=__c[e]={exports:{}};__m[e](n,n.exports,__r);return n.exports}__r(0).run()})();\n");
    out
}

/// `await` of a call wrapped in `depth` parentheses, one to a line (so that
/// `check` does not take the file for minified code).
fn nested_parentheses(depth: usize) -> String {
    format!(
        "async function deep() {{\n  const v = await {}load(){};\n  return v;\n}}\ndeep();\n",
        "(\n".repeat(depth),
        ")\n".repeat(depth)
    )
}

/// An `await` inside `depth` nested blocks, one to a line.
fn nested_blocks(depth: usize) -> String {
    format!(
        "async function deep() {{\n{}const v = await load();\nconsole.log(v);\n{}}}\ndeep();\n",
        "{\n".repeat(depth),
        "}\n".repeat(depth)
    )
}

/// A promise chain of `links` `.then` calls, one to a line: left-nested call
/// and member expressions, the deepest tree real code grows. Kept in a
/// variable, or `dropped` as an expression statement (a floating promise).
fn then_chain(links: usize, dropped: bool) -> String {
    let mut out = String::from(if dropped { "" } else { "const chain = " });
    out.push_str("Promise.resolve(0)");
    for i in 0..links {
        let _ = write!(out, "\n  .then((v) => v + {})", i % 10);
    }
    out.push_str(if dropped {
        "\n  .then((v) => console.log(v));\n"
    } else {
        ";\nchain.then((v) => console.log(v));\n"
    });
    out
}

/// Statements with async code and findings, `size` bytes, and no newline.
fn single_line(size: usize) -> String {
    let mut out = String::with_capacity(size + 256);
    let mut i = 0usize;
    while out.len() < size {
        let _ = write!(
            out,
            "async function s{i}(){{await Promise.resolve({i});console.log('s{i}')}}\
             [{i}].forEach(async (x)=>{{await s{i}()}}); ",
        );
        i += 1;
    }
    out
}

/// `count` async functions, each awaiting the one before it, with the usual
/// shapes (try/catch, `Promise.all`, a closure, a dropped promise).
fn async_functions(count: usize) -> String {
    let mut out = String::from("async function f0(x) {\n  return x;\n}\n");
    for i in 1..count {
        let _ = match i % 4 {
            0 => write!(
                out,
                "async function f{i}(x) {{\n  const a = await f{p}(x);\n  const b = await Promise.resolve(a + 1);\n  return b;\n}}\n",
                p = i - 1
            ),
            1 => write!(
                out,
                "async function f{i}(x) {{\n  try {{\n    return await f{p}(x);\n  }} catch (e) {{\n    console.log('f{i}', e);\n    return 0;\n  }}\n}}\n",
                p = i - 1
            ),
            2 => write!(
                out,
                "async function f{i}(x) {{\n  const [a, b] = await Promise.all([f{p}(x), Promise.resolve(x)]);\n  const keep = () => a;\n  await null;\n  return keep() + b;\n}}\n",
                p = i - 1
            ),
            _ => write!(
                out,
                "async function f{i}(x) {{\n  f0(x);\n  const y = await f{p}(x);\n  return y;\n}}\n",
                p = i - 1
            ),
        };
    }
    let _ = writeln!(
        out,
        "f{last}(1).then((v) => console.log('done', v));\nconsole.log('sync');",
        last = count - 1
    );
    out
}

/// `count` copies of an async module cut off mid-keystroke at random points,
/// with random brackets dropped: what an editor holds while someone types.
fn half_typed(count: usize) -> String {
    const MODULE: &str = "async function handle(req, res) {\n  const body = await readBody(req);\n  const user = await db.find({ id: body.id });\n  if (!user) {\n    return res.status(404).send('missing');\n  }\n  const [a, b] = await Promise.all([load(user), audit(user)]);\n  items.forEach(async (item) => {\n    await save(item);\n  });\n  new Promise(async (resolve) => resolve(await a));\n  setTimeout(() => console.log(b), 0);\n  return res.json({ a, b });\n}\n";
    let mut rng = ChaCha8Rng::seed_from_u64(0x6861_6c66);
    let mut out = String::new();
    for _ in 0..count {
        let cut = rng.random_range(1..MODULE.len());
        let mut piece: String = MODULE[..cut].to_owned();
        // Drop one closing bracket or parenthesis, as an unfinished edit does.
        if let Some(at) = piece.rfind([')', '}', ']']) {
            if rng.random_range(0..2) == 0 {
                piece.remove(at);
            }
        }
        out.push_str(&piece);
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------
// The library.

/// What the library did with one file.
struct LibraryRun {
    bytes: usize,
    error_nodes: usize,
    parse: Duration,
    analysis: Duration,
    findings: usize,
    insights: Duration,
    functions: usize,
    awaits: usize,
    hovers: Duration,
    hovers_shown: usize,
    order: Duration,
    order_outcome: String,
}

/// Byte offsets of every `await` expression and the number of ERROR nodes,
/// found with a cursor (no recursion).
fn awaits_and_errors(tree: &Tree) -> (Vec<usize>, usize) {
    let mut awaits = Vec::new();
    let mut errors = 0;
    let mut cursor = tree.walk();
    loop {
        let node: Node = cursor.node();
        if node.kind() == "await_expression" {
            awaits.push(node.start_byte());
        }
        if node.is_error() {
            errors += 1;
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return (awaits, errors);
            }
        }
    }
}

/// Runs `work` on a thread with the worker stack, failing the test when it
/// does not finish in time. A stack overflow aborts the test process.
fn on_worker_stack<T: Send + 'static>(what: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = thread::Builder::new()
        .name(what.to_owned())
        .stack_size(WORKER_STACK)
        .spawn(move || {
            let _ = tx.send(work());
        })
        .expect("spawn a worker thread");
    let result = rx
        .recv_timeout(HANG)
        .unwrap_or_else(|_| panic!("{what}: did not finish within {HANG:?} (or panicked)"));
    handle.join().expect("worker thread");
    result
}

fn run_library(case: &Case) -> LibraryRun {
    let text = case.text.clone();
    let path = Path::new("/project").join(case.file_name);
    let name = case.name;
    on_worker_stack(name, move || {
        let started = Instant::now();
        let tree = syntax::parse(&text, None);
        let parse = started.elapsed();
        let (await_offsets, error_nodes) = awaits_and_errors(&tree);

        let started = Instant::now();
        let analysis = contain_panic(|| driver::analyze(&text, &tree))
            .unwrap_or_else(|panic| panic!("{name}: analyze: {panic}"));
        let analysis_time = started.elapsed();

        let module = engine::detect_module_kind(&path, &text, &tree);
        let started = Instant::now();
        let found = contain_panic(|| insights::insights(&text, &tree, module))
            .unwrap_or_else(|panic| panic!("{name}: insights: {panic}"));
        let insights_time = started.elapsed();

        let started = Instant::now();
        let mut hovers_shown = 0;
        for &offset in &await_offsets {
            let shown = contain_panic(|| {
                ticklens::ide::hover(&text, &tree, Some(&found), offset).is_some()
            })
            .unwrap_or_else(|panic| panic!("{name}: hover at byte {offset}: {panic}"));
            hovers_shown += usize::from(shown);
        }
        let hovers = started.elapsed();

        let started = Instant::now();
        let order = contain_panic(|| engine::predict_order(&text, &tree, module))
            .unwrap_or_else(|panic| panic!("{name}: predict_order: {panic}"));
        let order_time = started.elapsed();
        let order_outcome = match &order {
            OrderOutcome::Determined(lines) => format!("{} lines", lines.len()),
            OrderOutcome::Abstained(abstention) => format!("abstains: {}", abstention.reason),
        };

        LibraryRun {
            bytes: text.len(),
            error_nodes,
            parse,
            analysis: analysis_time,
            findings: analysis.findings.len(),
            insights: insights_time,
            functions: found.functions.len(),
            awaits: await_offsets.len(),
            hovers,
            hovers_shown,
            order: order_time,
            order_outcome,
        }
    })
}

impl std::fmt::Display for LibraryRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} bytes, {} ERROR nodes; parse {:.2?}; analyze {:.2?} ({} findings); \
             insights {:.2?} ({} functions); {} hovers at {} awaits in {:.2?}; \
             predict_order {:.2?}: {}",
            self.bytes,
            self.error_nodes,
            self.parse,
            self.analysis,
            self.findings,
            self.insights,
            self.functions,
            self.hovers_shown,
            self.awaits,
            self.hovers,
            self.order,
            self.order_outcome
        )
    }
}

fn library_survives(name: &'static str) {
    let _machine = shared_machine();
    let case = case(name);
    let run = run_library(&case);
    eprintln!("{name}: library: {run}");
    if case.order_abstains {
        assert!(
            run.order_outcome.starts_with("abstains: "),
            "{name}: the engine should abstain, got {}",
            run.order_outcome
        );
    } else {
        assert!(
            !run.order_outcome.starts_with("abstains: internal"),
            "{name}: {}",
            run.order_outcome
        );
    }
}

#[test]
fn library_survives_a_minified_bundle() {
    library_survives("minified_bundle");
}

#[test]
fn library_survives_nested_parentheses() {
    library_survives("nested_parentheses");
}

#[test]
fn library_survives_nested_blocks() {
    library_survives("nested_blocks");
}

#[test]
fn library_survives_a_then_chain() {
    library_survives("then_chain");
}

#[test]
fn library_survives_a_dropped_then_chain() {
    library_survives("dropped_then_chain");
}

#[test]
fn library_survives_a_single_line() {
    library_survives("single_line");
}

#[test]
fn library_survives_async_functions() {
    library_survives("async_functions");
}

#[test]
fn library_survives_nul_bytes() {
    library_survives("nul_bytes");
}

#[test]
fn library_survives_half_typed_code() {
    library_survives("half_typed");
}

/// Small programs whose run, not whose text, is pathological: each op the
/// engine executes is bounded by its step limit, but one op can double a
/// string or an array, or recurse through nested arrays.
const GROWING_PROGRAMS: &[(&str, &str, &str)] = &[
    (
        "a string doubled 40 times",
        "let s = 'x';\nfor (let i = 0; i < 40; i++) s += s;\nconsole.log(s.length);\n",
        "a string longer than 1 MiB",
    ),
    (
        "a template doubling a string",
        "let s = 'x';\nfor (let i = 0; i < 40; i++) s = `${s}${s}`;\nconsole.log(s.length);\n",
        "a string longer than 1 MiB",
    ),
    (
        "`repeat` of `repeat`",
        "const s = 'x'.repeat(10000).repeat(10000).repeat(10000);\nconsole.log(s.length);\n",
        "a string longer than 1 MiB",
    ),
    (
        "an array concatenated with itself 40 times",
        "let a = [1];\nfor (let i = 0; i < 40; i++) a = a.concat(a);\nconsole.log(a.length);\n",
        "builds more text and arrays",
    ),
    (
        "an array spread into itself 40 times",
        "let a = [1];\nfor (let i = 0; i < 40; i++) a = [...a, ...a];\nconsole.log(a.length);\n",
        "builds more text and arrays",
    ),
    (
        "a 1 MiB line printed 100,000 times",
        "const s = 'x'.repeat(10000).repeat(100);\nfor (let i = 0; i < 100000; i++) console.log(s);\n",
        "builds more text and arrays",
    ),
    (
        "100,000 large strings kept",
        "const s = 'x'.repeat(10000);\nconst kept = [];\nfor (let i = 0; i < 100000; i++) kept.push(s + i);\nconsole.log(kept.length);\n",
        "builds more text and arrays",
    ),
    (
        "an array nested 100,000 deep converted to text",
        "let a = [];\nfor (let i = 0; i < 100000; i++) a = [a];\nconsole.log('' + a);\n",
        "arrays nest too deeply",
    ),
    (
        "two arrays holding each other converted to text",
        "const a = [];\nconst b = [a];\na.push(b);\nconsole.log(`${a}`);\n",
        "a self-containing array",
    ),
    (
        "an array holding itself twice, 40 levels, joined",
        "let a = [];\nfor (let i = 0; i < 40; i++) a = [a, a];\nconsole.log(a.join('-').length);\n",
        "a string longer than 1 MiB",
    ),
    (
        "async recursion 100,000 deep",
        "async function f(n) { if (n > 0) await f(n - 1); }\nf(100000).then(() => console.log('done'));\n",
        "call depth limit",
    ),
    (
        "callbacks recursing through forEach",
        "function f(n) { if (n > 0) [1].forEach(() => f(n - 1)); }\nf(100000);\nconsole.log('x');\n",
        "callbacks nest too deeply",
    ),
    (
        "a chain of 100,000 promises built in a loop",
        "let p = Promise.resolve(0);\nfor (let i = 0; i < 100000; i++) { const q = p; p = new Promise((r) => r(q)); }\np.then((v) => console.log(v));\n",
        "step limit",
    ),
];

#[test]
fn the_engine_abstains_on_programs_that_grow_without_bound() {
    let _machine = shared_machine();
    for &(what, source, reason) in GROWING_PROGRAMS {
        let outcome = on_worker_stack(what, move || {
            let tree = syntax::parse(source, None);
            let module = engine::ModuleKind::CommonJs;
            let started = Instant::now();
            let order = contain_panic(|| engine::predict_order(source, &tree, module))
                .unwrap_or_else(|panic| panic!("{what}: predict_order: {panic}"));
            let facts = contain_panic(|| insights::insights(source, &tree, module))
                .unwrap_or_else(|panic| panic!("{what}: insights: {panic}"));
            (order, facts.order, started.elapsed())
        });
        let (order, insights_order, elapsed) = outcome;
        eprintln!("growing program: {what}: {order:?} in {elapsed:.2?}");
        match &order {
            OrderOutcome::Abstained(abstention) => assert!(
                abstention.reason.contains(reason),
                "{what}: abstains for another reason: {}",
                abstention.reason
            ),
            OrderOutcome::Determined(lines) => panic!("{what}: predicted {} lines", lines.len()),
        }
        assert_eq!(order, insights_order, "{what}: insights disagree");
    }
}

#[test]
fn the_engine_still_models_a_string_built_one_character_at_a_time() {
    let _machine = shared_machine();
    // 15,000²/2 bytes copied: under the engine's budget for built text.
    let source = "let s = '';\nfor (let i = 0; i < 15000; i++) s += 'x';\nconsole.log(s.length);\n";
    let tree = syntax::parse(source, None);
    let order = engine::predict_order(source, &tree, engine::ModuleKind::CommonJs);
    match order {
        OrderOutcome::Determined(lines) => assert_eq!(lines[0].text, "15000"),
        OrderOutcome::Abstained(abstention) => panic!("abstains: {}", abstention.reason),
    }
}

// ---------------------------------------------------------------------------
// `ticklens check`.

/// What `check` is designed to do with a file.
#[derive(Debug, PartialEq)]
enum CheckExpect {
    Checked,
    /// Skipped, the reason holding this text.
    Skipped(&'static str),
    /// Reported as a failed path, the reason holding this text.
    Failed(&'static str),
}

/// One `ticklens check --format json --order` run on one file.
struct CheckRun {
    code: i32,
    elapsed: Duration,
    status: String,
    reason: String,
    findings: usize,
}

/// Runs `check` on `file` (in `dir`), failing the test if it does not exit in
/// time or dies from a signal.
fn check_file(dir: &Path, file: &str, extra: &[&str]) -> CheckRun {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ticklens"))
        .arg("check")
        .args(["--format", "json", "--no-cache", "--order"])
        .args(extra)
        .arg(file)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the ticklens binary runs");
    let stdout = child.stdout.take().expect("stdout");
    let reader = thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut { stdout }, &mut text);
        text
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for check") {
            break status;
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            panic!("check {file} {extra:?}: did not finish within {HANG:?}");
        }
        // Polling the child: there is no portable wait with a timeout.
        thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let code = status
        .code()
        .unwrap_or_else(|| panic!("check {file} {extra:?}: killed by a signal ({status})"));
    let report: Value = serde_json::from_str(&reader.join().expect("stdout reader"))
        .unwrap_or_else(|error| panic!("check {file} {extra:?}: the JSON report: {error}"));
    let entry = &report["files"][0];
    let summary = &report["summary"];
    // The exit status follows the summary: 2 when a path failed, else 1 when
    // there are errors, else 0.
    let expected_code = if summary["failed"].as_u64() > Some(0) {
        2
    } else if summary["errors"].as_u64() > Some(0) {
        1
    } else {
        0
    };
    assert_eq!(code, expected_code, "check {file} {extra:?}: {summary}");
    CheckRun {
        code,
        elapsed,
        status: entry["status"].as_str().unwrap_or_default().to_owned(),
        reason: entry["reason"].as_str().unwrap_or_default().to_owned(),
        findings: entry["findings"].as_array().map_or(0, Vec::len),
    }
}

fn check_survives(name: &'static str, runs: &[(&[&str], CheckExpect)]) {
    let _machine = shared_machine();
    let case = case(name);
    let dir = tempfile::tempdir().expect("scratch folder");
    std::fs::write(dir.path().join(case.file_name), &case.text).expect("write the file");
    for (extra, expect) in runs {
        let run = check_file(dir.path(), case.file_name, extra);
        eprintln!(
            "{name}: check {extra:?}: exit {} in {:.2?}: {} {} ({} findings)",
            run.code, run.elapsed, run.status, run.reason, run.findings
        );
        let (status, wanted) = match expect {
            CheckExpect::Checked => ("checked", ""),
            CheckExpect::Skipped(reason) => ("skipped", *reason),
            CheckExpect::Failed(reason) => ("failed", *reason),
        };
        assert_eq!(run.status, status, "{name} {extra:?}: {}", run.reason);
        assert!(
            run.reason.contains(wanted),
            "{name} {extra:?}: reason {:?} lacks {wanted:?}",
            run.reason
        );
    }
}

const DEFAULTS: &[&str] = &[];
/// Over the bundle's 10 MB, so that the minified check is what skips it.
const LARGE_LIMIT: &[&str] = &["--max-file-size", "20000000"];

#[test]
fn check_skips_a_minified_bundle_for_its_size_then_as_minified() {
    check_survives(
        "minified_bundle",
        &[
            (
                DEFAULTS,
                CheckExpect::Skipped("over the 5242880-byte limit"),
            ),
            (LARGE_LIMIT, CheckExpect::Skipped("looks minified")),
        ],
    );
}

#[test]
fn check_finishes_on_nested_parentheses() {
    check_survives("nested_parentheses", &[(DEFAULTS, CheckExpect::Checked)]);
}

#[test]
fn check_finishes_on_nested_blocks() {
    check_survives("nested_blocks", &[(DEFAULTS, CheckExpect::Checked)]);
}

#[test]
fn check_finishes_on_a_then_chain() {
    check_survives("then_chain", &[(DEFAULTS, CheckExpect::Checked)]);
}

#[test]
fn check_finishes_on_a_dropped_then_chain() {
    check_survives("dropped_then_chain", &[(DEFAULTS, CheckExpect::Checked)]);
}

#[test]
fn check_skips_a_single_line_as_minified() {
    check_survives(
        "single_line",
        &[(DEFAULTS, CheckExpect::Skipped("looks minified"))],
    );
}

#[test]
fn check_finishes_on_async_functions() {
    check_survives("async_functions", &[(DEFAULTS, CheckExpect::Checked)]);
}

#[test]
fn check_reports_nul_bytes_as_binary() {
    check_survives(
        "nul_bytes",
        &[(DEFAULTS, CheckExpect::Failed("a binary file"))],
    );
}

#[test]
fn check_finishes_on_half_typed_code() {
    check_survives("half_typed", &[(DEFAULTS, CheckExpect::Checked)]);
}

// ---------------------------------------------------------------------------
// `ticklens lsp`.

const SMALL_URI: &str = "file:///project/small.js";

/// The second document: every request the test sends while the big one is
/// analysed is about this one.
const SMALL: &str = "async function load(url) {\n  const data = await fetch(url);\n  return data;\n}\nload('x');\nnew Promise(async (resolve) => resolve(await load('y')));\n";

/// The worst latency a request about the small document may see while the big
/// one is analysed and its insights computed. A request costs well under a
/// millisecond on a quiet server; the rest allows for two cores shared by the
/// server's analysis, its message loop and the test (see docs/reliability.md,
/// "Pathological files").
const WORST_LATENCY: Duration = Duration::from_secs(1);

/// What a request may wait on top of [`WORST_LATENCY`] for each diagnostic of
/// a publication sent while it was in flight: the response goes out behind the
/// notification, which the server converts, serializes and writes and the
/// client reads whole (36,732 diagnostics, about 10 MB of JSON, take 1.1 to
/// 1.5 s in a debug build).
const PER_DIAGNOSTIC_AHEAD: Duration = Duration::from_micros(40);

/// The server parses an opened document on its message loop, so one of the
/// first requests after the `didOpen` waits for that parse (0.4 s for 1 MB,
/// 4 to 6 s for 10 MB in a debug build). Which one depends on the order in
/// which tower-lsp polls the two messages: the first request, or the second
/// (sent after the first is answered). Both are recorded apart and only have
/// to be answered; every later request is held to [`WORST_LATENCY`].
const OPEN_LATENCY: Duration = Duration::from_secs(30);
const OPEN_REQUESTS: usize = 2;

/// The pause between a response and the next request: an editor sends a
/// request every few keystrokes or mouse moves, not back to back.
const PACE: Duration = Duration::from_millis(10);

/// How long the server may take to publish complete diagnostics for, and
/// answer a hover on, a pathological file in a debug build.
const SERVER_DEADLINE: Duration = Duration::from_secs(90);

/// The requests sent about the small document, in turn.
fn small_request(turn: usize) -> (&'static str, Value) {
    let document = json!({ "uri": SMALL_URI });
    let whole =
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 6, "character": 0 } });
    match turn % 4 {
        0 => (
            "textDocument/hover",
            json!({ "textDocument": document, "position": { "line": 1, "character": 16 } }),
        ),
        1 => (
            "textDocument/inlayHint",
            json!({ "textDocument": document, "range": whole }),
        ),
        2 => ("textDocument/codeLens", json!({ "textDocument": document })),
        _ => (
            "textDocument/codeAction",
            json!({ "textDocument": document, "range": whole, "context": { "diagnostics": [] } }),
        ),
    }
}

/// What the server did with one pathological document.
#[derive(Default)]
struct ServerRun {
    /// Writing the `didOpen` (the server reads it as it comes).
    open_written: Duration,
    /// From the start of the `didOpen` to the first publication for it, and to
    /// the first one without the partial notice.
    first_diagnostics: Option<Duration>,
    complete_diagnostics: Option<Duration>,
    partial_publications: usize,
    diagnostics: usize,
    /// From sending a hover on the big document to its answer (its insights
    /// are computed on that first request).
    big_hover: Option<Duration>,
    /// The first [`OPEN_REQUESTS`] requests about the small document after the
    /// `didOpen`: how long each waited.
    open_requests: Vec<Duration>,
    /// Each later request about the small document: how long it waited, when
    /// it was sent (from the start of the `didOpen`), and how long it may wait
    /// (more when a large publication went out ahead of its response).
    latencies: Vec<(Duration, Duration, Duration)>,
    errors: Vec<String>,
}

impl ServerRun {
    /// The requests that waited longer than they may.
    fn too_slow(&self) -> Vec<(Duration, Duration, Duration)> {
        self.latencies
            .iter()
            .copied()
            .filter(|(latency, _, allowed)| latency >= allowed)
            .collect()
    }
}

impl std::fmt::Display for ServerRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let median = sorted.get(sorted.len() / 2).map_or(Duration::ZERO, |l| l.0);
        let slowest: Vec<String> = sorted
            .iter()
            .rev()
            .take(3)
            .map(|(latency, sent, allowed)| {
                format!("{latency:.2?} (sent at {sent:.2?}, may wait {allowed:.2?})")
            })
            .collect();
        write!(
            f,
            "didOpen written in {:.2?}; first diagnostics at {:.2?}, complete at {:.2?} \
             ({} findings, {} partial publications); hover on it answered in {:.2?}; \
             first requests after the didOpen answered in {:.2?}; later requests: {} \
             answered, median {median:.2?}, slowest {}; errors {:?}",
            self.open_written,
            self.first_diagnostics,
            self.complete_diagnostics,
            self.diagnostics,
            self.partial_publications,
            self.big_hover,
            self.open_requests,
            sorted.len(),
            slowest.join(", "),
            self.errors
        )
    }
}

/// The LSP position of the first `await` in `text`, or the start.
fn first_await_position(text: &str) -> Value {
    let Some(offset) = text.find("await ") else {
        return json!({ "line": 0, "character": 0 });
    };
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    json!({
        "line": text[..offset].matches('\n').count(),
        "character": text[line_start..offset].encode_utf16().count(),
    })
}

/// Opens the pathological text next to the small document and keeps asking
/// about the small one, one request at a time, until the big document's
/// complete diagnostics and a hover on it have arrived.
fn serve(case: &Case) -> ServerRun {
    let mut client = LspClient::spawn();
    client.initialize(json!({}));
    client.open(SMALL_URI, SMALL);
    client.diagnostics(SMALL_URI, 1);
    client.hover(SMALL_URI, 1, 16);

    let uri = format!("file:///project/{}", case.file_name);
    let mut run = ServerRun::default();
    let started = Instant::now();
    client.open(&uri, &case.text);
    run.open_written = started.elapsed();

    // The request in flight: its id, when it was sent, and how many
    // diagnostics were published ahead of its response.
    let mut in_flight: Option<(i64, Instant, usize)> = None;
    let mut next_request = Instant::now();
    let mut big_hover: Option<(i64, Instant)> = None;
    let mut turn = 0;
    while run.complete_diagnostics.is_none() || run.big_hover.is_none() {
        assert!(
            started.elapsed() < SERVER_DEADLINE,
            "{}: no complete diagnostics and hover within {SERVER_DEADLINE:?}: {run}",
            case.name
        );
        if in_flight.is_none() && Instant::now() >= next_request {
            let (method, params) = small_request(turn);
            turn += 1;
            // Timed from before the write: a write the server does not read
            // blocks, and an editor would wait for it too.
            let sent = Instant::now();
            in_flight = Some((client.send_request(method, params), sent, 0));
        }
        // Once the diagnostics are in, ask about the big document itself: its
        // insights are computed on that request, while the small one's go on.
        if run.complete_diagnostics.is_some() && big_hover.is_none() {
            let params = json!({
                "textDocument": { "uri": uri },
                "position": first_await_position(&case.text),
            });
            let sent = Instant::now();
            big_hover = Some((client.send_request("textDocument/hover", params), sent));
        }
        let wait = match in_flight {
            Some(_) => PACE,
            None => next_request.saturating_duration_since(Instant::now()),
        };
        let Some(message) = client.next_message(wait) else {
            continue;
        };
        let id = message.get("id").and_then(Value::as_i64);
        if message.get("method").is_none() {
            if let Some(error) = message.get("error") {
                run.errors.push(format!("response {id:?}: {error}"));
            }
            if let (Some(id), Some((sent_id, sent, ahead))) = (id, in_flight) {
                if id == sent_id {
                    if run.open_requests.len() < OPEN_REQUESTS {
                        run.open_requests.push(sent.elapsed());
                    } else {
                        let allowed = WORST_LATENCY + PER_DIAGNOSTIC_AHEAD * ahead as u32;
                        run.latencies
                            .push((sent.elapsed(), sent - started, allowed));
                    }
                    in_flight = None;
                    next_request = Instant::now() + PACE;
                }
            }
            if let (Some(id), Some((sent_id, sent))) = (id, big_hover) {
                if id == sent_id {
                    run.big_hover = Some(sent.elapsed());
                }
            }
            continue;
        }
        match message["method"].as_str().unwrap_or_default() {
            "textDocument/publishDiagnostics" if message["params"]["uri"] == uri.as_str() => {
                let diagnostics = message["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let partial = diagnostics.iter().any(|d| d["code"] == "analysis-partial");
                run.first_diagnostics.get_or_insert(started.elapsed());
                if let Some((_, _, ahead)) = &mut in_flight {
                    *ahead += diagnostics.len();
                }
                if partial {
                    run.partial_publications += 1;
                } else {
                    run.complete_diagnostics = Some(started.elapsed());
                    run.diagnostics = diagnostics.len();
                }
            }
            "window/logMessage" | "window/showMessage" if message["params"]["type"] == 1 => {
                run.errors.push(message["params"]["message"].to_string());
            }
            _ if id.is_some() => {
                // A request from the server (e.g. client/registerCapability).
                client.send(&json!({ "jsonrpc": "2.0", "id": message["id"], "result": null }));
            }
            _ => {}
        }
    }
    assert!(
        client.shutdown_and_exit().success(),
        "{}: the server did not exit cleanly",
        case.name
    );
    run
}

fn server_keeps_answering(name: &'static str) {
    let case = case(name);
    let _machine = whole_machine();
    let run = serve(&case);
    eprintln!("{name}: lsp: {run}");
    assert!(run.errors.is_empty(), "{name}: {:?}", run.errors);
    assert!(
        !run.open_requests.is_empty()
            && run
                .open_requests
                .iter()
                .all(|&latency| latency < OPEN_LATENCY),
        "{name}: the first requests after the didOpen: {run}"
    );
    assert!(
        run.too_slow().is_empty(),
        "{name}: requests about another document waited too long \
         (latency, sent at, allowed): {:.2?}: {run}",
        run.too_slow()
    );
}

#[test]
fn server_keeps_answering_while_a_minified_bundle_is_analysed() {
    server_keeps_answering("minified_bundle");
}

#[test]
fn server_keeps_answering_while_nested_parentheses_are_analysed() {
    server_keeps_answering("nested_parentheses");
}

#[test]
fn server_keeps_answering_while_nested_blocks_are_analysed() {
    server_keeps_answering("nested_blocks");
}

#[test]
fn server_keeps_answering_while_a_then_chain_is_analysed() {
    server_keeps_answering("then_chain");
}

#[test]
fn server_keeps_answering_while_a_dropped_then_chain_is_analysed() {
    server_keeps_answering("dropped_then_chain");
}

#[test]
fn server_keeps_answering_while_a_single_line_is_analysed() {
    server_keeps_answering("single_line");
}

#[test]
fn server_keeps_answering_while_async_functions_are_analysed() {
    server_keeps_answering("async_functions");
}

#[test]
fn server_keeps_answering_while_nul_bytes_are_analysed() {
    server_keeps_answering("nul_bytes");
}

#[test]
fn server_keeps_answering_while_half_typed_code_is_analysed() {
    server_keeps_answering("half_typed");
}
