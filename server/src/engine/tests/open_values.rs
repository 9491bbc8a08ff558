//! Facts past what the engine cannot see: unknown values, awaits on them,
//! and every function from its own entry (`machine/unknowns.rs`,
//! `symbolic_entries.rs`). The counts are V8's: `await` on a native promise
//! resumes one job after it settles (Node 24 agrees, `tests/claims.rs`).

use super::{
    entry, facts_and_order, facts_of as facts, resumes_of as resumes, ModuleKind, OrderOutcome,
    ResumeTick,
};
use crate::syntax;

fn after_settle(jobs: u32, operand: &str, if_native_promise: bool) -> ResumeTick {
    ResumeTick::AfterSettle {
        jobs,
        operand: operand.to_owned(),
        if_native_promise,
    }
}

/// A program, and what each named function's awaits resume after.
struct Case {
    /// What the case shows.
    shows: &'static str,
    source: &'static str,
    resumes: Vec<(&'static str, Vec<ResumeTick>)>,
}

fn varies(reason: &str) -> ResumeTick {
    ResumeTick::Unknown {
        reason: format!("varies between calls: {reason}"),
    }
}

// One case a few lines: the table reads as a list of claims.
#[rustfmt::skip]
fn cases() -> Vec<Case> {
    vec![
        Case {
            shows: "awaits after a package's call count from its settling",
            source: "const db = require(\"some-db\");\n\
                async function main() { await null; const rows = await db.query(\"x\");\n\
                await null; console.log(rows); }\n\
                main();\n",
            resumes: vec![("main", vec![entry(1), after_settle(1, "db.query(\"x\")", true),
                after_settle(2, "db.query(\"x\")", true)])],
        },
        Case {
            shows: "a call of an async function of the file is a native promise, so no hedge, \
                    even though what it awaits is a parameter",
            source: "async function helper(t) { await t.ready; return 1; }\n\
                async function run(t) { const x = await helper(t); await null; return x; }\n",
            resumes: vec![
                ("helper", vec![after_settle(1, "t.ready", true)]),
                ("run", vec![after_settle(1, "helper(t)", false), after_settle(2, "helper(t)", false)]),
            ],
        },
        Case {
            shows: "a function nothing calls runs from a symbolic entry: what it awaits before \
                    anything unknown has a tick after entry; `Promise.resolve(id)` is a native \
                    promise that settles when `id` does",
            source: "async function load(id) { await null; await Promise.resolve(id);\n\
                const row = await fetchRow(id); return row; }\n",
            resumes: vec![("load", vec![entry(1), after_settle(1, "Promise.resolve(id)", false),
                after_settle(1, "fetchRow(id)", true)])],
        },
        Case {
            shows: "a class extending a package's class, an object without a prototype and a \
                    promisified package function do not stop the run: reads through the unseen \
                    parent are unknowns, and the method still gets its entry",
            source: "const { Base } = require(\"some-orm\");\n\
                const read = require(\"util\").promisify(require(\"some-fs\").read);\n\
                const table = Object.create(null);\n\
                class Model extends Base {\n\
                  async save() { await null; const r = await super.save(); await read(r); return table; }\n\
                }\n\
                module.exports = Model;\n",
            resumes: vec![("save", vec![entry(1), after_settle(1, "super.save()", true),
                after_settle(1, "read(r)", true)])],
        },
        Case {
            shows: "a callback handed to a package gets its own entry, with unknown arguments",
            source: "const app = require(\"express\")();\n\
                app.get(\"/\", async function handle(req, res) { await null;\n\
                const body = await req.body(); res.send(body); });\n",
            resumes: vec![("handle", vec![entry(1), after_settle(1, "req.body()", true)])],
        },
        Case {
            shows: "a function handed to unknown code may be called with anything: the program's \
                    call and the symbolic entry disagree, and the reason says what each saw",
            source: "const app = require(\"express\")();\n\
                async function handle(req) { await req.ready; }\n\
                app.get(\"/\", handle);\n\
                handle({});\n",
            resumes: vec![("handle", vec![varies("tick 1, or one job after `req.ready` settles")])],
        },
        Case {
            shows: "a function only the file calls keeps the ticks of those calls",
            source: "class Worker { async start() { await this.ready; } }\n\
                new Worker().start();\n",
            resumes: vec![("start", vec![entry(1)])],
        },
        Case {
            shows: "a sync function the file runs is not entered again: the async function it \
                    calls (only the file calls it) keeps the file's ticks",
            source: "async function load(name) { const v = await Promise.resolve(name); return v; }\n\
                function loadLater(name) { return new Promise(async (resolve) => { resolve(load(name)); }); }\n\
                loadLater(\"a\").then((v) => console.log(v));\n",
            resumes: vec![("load", vec![entry(1)])],
        },
        Case {
            shows: "an unknown in an operator, a template or a member read gives another unknown",
            source: "async function f(a) { const url = `${a.base}/x`;\n\
                await get(url + 1); await null; }\n",
            resumes: vec![("f", vec![after_settle(1, "get(url + 1)", true),
                after_settle(2, "get(url + 1)", true)])],
        },
        Case {
            shows: "a symbolic entry reads a `let` as unknown (a caller may come when it holds \
                    something else); a function stays",
            source: "let pending = Promise.resolve();\n\
                const helper = async () => {};\n\
                async function flush() { await pending; await helper(); }\n",
            resumes: vec![("flush", vec![after_settle(1, "pending", true), after_settle(2, "pending", true)])],
        },
        Case {
            shows: "an exported function gets a symbolic entry even when the file calls it too",
            source: "async function load(db) { await db.ready; }\n\
                module.exports = { load };\n\
                load({});\n",
            resumes: vec![("load", vec![varies("tick 1, or one job after `db.ready` settles")])],
        },
    ]
}

#[test]
fn each_case_resumes_as_listed() {
    for case in cases() {
        for (function, expected) in &case.resumes {
            assert_eq!(
                &resumes(case.source, function),
                expected,
                "{}: `{function}`",
                case.shows
            );
        }
    }
}

/// The facts run goes past the package; the order run still abstains, naming it.
#[test]
fn order_still_abstains_on_a_package() {
    let source = cases()[0].source;
    let tree = syntax::parse(source, None);
    let order = facts_and_order(source, &tree, ModuleKind::CommonJs).1;
    assert!(
        matches!(&order, OrderOutcome::Abstained(a) if a.reason.contains("some-db")),
        "{order:?}"
    );
}

/// A branch on an unknown condition follows both arms (`tests/branches.rs`):
/// each arm's await keeps its tick, as every path that reaches it agrees.
#[test]
fn a_branch_on_an_unknown_condition_follows_both_arms() {
    let source = "async function get(cache, id) { await null;\n\
        if (cache.has(id)) { await null; } else { await null; } }\n";
    let ticks = resumes(source, "get");
    assert_eq!(
        ticks,
        [
            ResumeTick::AfterEntry { jobs: 1 },
            ResumeTick::AfterEntry { jobs: 2 },
            ResumeTick::AfterEntry { jobs: 2 }
        ]
    );
}

/// A `Set` of a package's values and a property of a function the program
/// never set are unknowns in a facts run, so the run reaches the call after
/// them (an order run still abstains on both).
#[test]
fn the_facts_run_goes_past_unseen_collections_and_function_properties() {
    for line in [
        "const ops = new Set(require(\"lib\").names);",
        "function Model() {}\nconst events = Model.events;",
    ] {
        let source = format!(
            "{line}\nasync function run(x) {{ await null; await x.go(); }}\nrun({{ go: async () => 1 }});\n"
        );
        let facts = facts(&source);
        let run = facts.iter().find(|f| f.name == "run").expect("run");
        assert!(run.called_by_program, "{source}");
    }
}

/// `Object.prototype` stays a stop in a facts run: a write into it would
/// change what every object and primitive reads.
#[test]
fn the_facts_run_stops_at_object_prototype() {
    let source = "Object.prototype.tag = 1;\n\
        async function run(x) { await null; await x.go(); }\n\
        run({ go: async () => 1 });\n";
    let facts = facts(source);
    let run = facts.iter().find(|f| f.name == "run").expect("run");
    assert!(!run.called_by_program, "{source}");
}
