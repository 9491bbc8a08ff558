//! Facts past what the engine cannot see: unknown values, awaits on them,
//! and every function from its own entry (`machine/unknowns.rs`,
//! `symbolic_entries.rs`). The counts are V8's: `await` on a native promise
//! resumes one job after it settles (Node 24 agrees, `tests/claims.rs`).

use super::{
    facts_and_order, predict_order, AsyncFunctionFacts, ModuleKind, OrderOutcome, ResumeTick,
};
use crate::syntax;

fn facts(source: &str) -> Vec<AsyncFunctionFacts> {
    let tree = syntax::parse(source, None);
    let (facts, order) = facts_and_order(source, &tree, ModuleKind::CommonJs);
    // The facts run goes on past unknowns; its order outcome is still the order run's.
    assert_eq!(
        order,
        predict_order(source, &tree, ModuleKind::CommonJs),
        "{source}"
    );
    facts
}

fn resumes(source: &str, name: &str) -> Vec<ResumeTick> {
    let facts = facts(source);
    let function = facts.iter().find(|f| f.name == name).expect(name);
    function.awaits.iter().map(|a| a.resume.clone()).collect()
}

fn after_settle(jobs: u32, operand: &str, if_native_promise: bool) -> ResumeTick {
    ResumeTick::AfterSettle {
        jobs,
        operand: operand.to_owned(),
        if_native_promise,
    }
}

#[test]
fn awaits_after_a_package_call_count_from_its_settling() {
    let source = "const db = require(\"some-db\");\n\
        async function main() { await null; const rows = await db.query(\"x\");\n\
        await null; console.log(rows); }\n\
        main();\n";
    assert_eq!(
        resumes(source, "main"),
        [
            ResumeTick::AfterEntry { jobs: 1 },
            after_settle(1, "db.query(\"x\")", true),
            after_settle(2, "db.query(\"x\")", true),
        ]
    );
    let tree = syntax::parse(source, None);
    let order = facts_and_order(source, &tree, ModuleKind::CommonJs).1;
    assert!(
        matches!(&order, OrderOutcome::Abstained(a) if a.reason.contains("some-db")),
        "{order:?}"
    );
}

/// `helper(t)` is a call of an async function of the file: a native promise,
/// so no hedge, even though what it awaits is a parameter.
#[test]
fn an_await_on_an_async_function_of_the_file_is_not_hedged() {
    let source = "async function helper(t) { await t.ready; return 1; }\n\
        async function run(t) { const x = await helper(t); await null; return x; }\n";
    assert_eq!(
        resumes(source, "helper"),
        [after_settle(1, "t.ready", true)]
    );
    assert_eq!(
        resumes(source, "run"),
        [
            after_settle(1, "helper(t)", false),
            after_settle(2, "helper(t)", false)
        ]
    );
}

/// A function nothing calls runs from a symbolic entry: what it awaits before
/// anything unknown has a tick after entry, for any caller. `Promise.resolve(id)`
/// is a native promise (no hedge) that settles when `id` does, which may be later.
#[test]
fn an_uncalled_function_gets_ticks_after_entry_from_its_symbolic_entry() {
    let source = "async function load(id) { await null; await Promise.resolve(id);\n\
        const row = await fetchRow(id); return row; }\n";
    assert_eq!(
        resumes(source, "load"),
        [
            ResumeTick::AfterEntry { jobs: 1 },
            after_settle(1, "Promise.resolve(id)", false),
            after_settle(1, "fetchRow(id)", true),
        ]
    );
}

/// A callback handed to a package is not called by it in the engine; it gets
/// its own entry, with unknown arguments.
#[test]
fn a_callback_handed_to_unknown_code_runs_from_its_own_entry() {
    let source = "const app = require(\"express\")();\n\
        app.get(\"/\", async function handle(req, res) { await null;\n\
        const body = await req.body(); res.send(body); });\n";
    assert_eq!(
        resumes(source, "handle"),
        [
            ResumeTick::AfterEntry { jobs: 1 },
            after_settle(1, "req.body()", true)
        ]
    );
}

/// A function handed to unknown code may be called by it with anything: the
/// program's call and the symbolic entry disagree, so no tick, and the reason
/// says what each saw.
#[test]
fn a_tick_that_depends_on_the_caller_varies_between_calls() {
    let source = "const app = require(\"express\")();\n\
        async function handle(req) { await req.ready; }\n\
        app.get(\"/\", handle);\n\
        handle({});\n";
    assert_eq!(
        resumes(source, "handle"),
        [ResumeTick::Unknown {
            reason: "varies between calls: tick 1, or one job after `req.ready` settles".to_owned()
        }]
    );
}

/// A function only the file calls keeps the ticks of those calls: every caller is in the run.
#[test]
fn a_function_only_the_file_calls_keeps_its_ticks() {
    let source = "class Worker { async start() { await this.ready; } }\n\
        new Worker().start();\n";
    assert_eq!(
        resumes(source, "start"),
        [ResumeTick::AfterEntry { jobs: 1 }]
    );
}

/// A branch on an unknown condition stops the run there (no guessed arm):
/// the awaits before it keep their ticks, the ones after have none.
#[test]
fn a_branch_on_an_unknown_condition_stops_before_its_arms() {
    let source = "async function get(cache, id) { await null;\n\
        if (cache.has(id)) { await null; } else { await null; } }\n";
    let ticks = resumes(source, "get");
    assert_eq!(ticks[0], ResumeTick::AfterEntry { jobs: 1 });
    for tick in &ticks[1..] {
        assert!(
            matches!(tick, ResumeTick::Unknown { reason } if reason.contains("cache.has(id)")),
            "{tick:?}"
        );
    }
}

/// An unknown operand in an operator, a template or a member read gives
/// another unknown; awaiting it resumes after it settles.
#[test]
fn operators_and_templates_on_unknowns_give_unknowns() {
    let source = "async function f(a) { const url = `${a.base}/x`;\n\
        await get(url + 1); await null; }\n";
    assert_eq!(
        resumes(source, "f"),
        [
            after_settle(1, "get(url + 1)", true),
            after_settle(2, "get(url + 1)", true)
        ]
    );
}

/// A caller may come when a `let` holds something else than at the end of the
/// program's run: the symbolic entry reads it as unknown (a function stays).
#[test]
fn a_symbolic_entry_does_not_trust_the_final_value_of_a_let() {
    let source = "let pending = Promise.resolve();\n\
        const helper = async () => {};\n\
        async function flush() { await pending; await helper(); }\n";
    assert_eq!(
        resumes(source, "flush"),
        [
            after_settle(1, "pending", true),
            after_settle(2, "pending", true)
        ]
    );
}
