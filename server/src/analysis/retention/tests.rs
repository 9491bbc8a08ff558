//! The model on the cases measured on Node 24 (see the module docs); the
//! differential test `tests/retention.rs` checks generated ones under Node.

use super::*;
use crate::analysis::dataflow::first_function;
use crate::syntax;

/// The claims at each await of the first function in `source`: `name:live`,
/// `name:idle`, `name:closure` (with `?` when conditional), `name:released`,
/// and `arguments` when the arguments object keeps every argument.
fn claims(source: &str) -> Vec<Vec<String>> {
    let tree = syntax::parse(source, None);
    let function = first_function(tree.root_node()).expect("a function in the snippet");
    retained_at_awaits(source, &tree, function)
        .into_iter()
        .map(|at| {
            let mut out: Vec<String> = at
                .retained
                .iter()
                .map(|var| {
                    let group = match var.group {
                        RetentionGroup::Live => "live",
                        RetentionGroup::Idle => "idle",
                        RetentionGroup::Closure => "closure",
                    };
                    let may = match var.certainty {
                        Certainty::Certain => "",
                        Certainty::May(_) => "?",
                    };
                    format!("{}:{group}{may}", var.name)
                })
                .collect();
            out.extend(at.released.iter().map(|var| match var.shared {
                true => format!("{}:released(shared)", var.name),
                false => format!("{}:released", var.name),
            }));
            if at.keeps_arguments {
                out.push("arguments".to_owned());
            }
            out
        })
        .collect()
}

fn one(source: &str) -> Vec<String> {
    let mut all = claims(source);
    assert_eq!(all.len(), 1, "{source}");
    all.remove(0)
}

#[test]
fn dead_locals_block_consts_and_unused_parameters_are_kept() {
    assert_eq!(
        one("async function f(p, unused) { const a = mk(); a.t; { const b = mk(); b.t; } await g(); use(p); }"),
        ["p:live", "unused:idle", "a:idle", "b:idle"]
    );
}

#[test]
fn a_value_the_await_needs_after_it_is_live() {
    assert_eq!(
        one("async function f() { const a = mk(); await g(); return a.t; }"),
        ["a:live"]
    );
}

#[test]
fn nulling_releases_the_earlier_value_and_holds_nothing() {
    assert_eq!(
        one("async function f() { let a = mk(); a.t; a = null; await g(); }"),
        ["a:released"]
    );
    // In an inner block too.
    assert_eq!(
        one("async function f() { { let b = mk(); b = null; } await g(); }"),
        ["b:released"]
    );
    // Overwritten with another object: that one is kept.
    assert_eq!(
        one("async function f() { let a = mk(); a = mk(); await g(); }"),
        ["a:idle", "a:released"]
    );
}

#[test]
fn a_value_that_may_have_been_copied_is_released_by_the_function_only() {
    assert_eq!(
        one("async function f() { let a = mk(); const b = a; a = null; await g(); }"),
        ["b:idle", "a:released(shared)"]
    );
}

#[test]
fn a_value_on_some_paths_is_conditional() {
    assert_eq!(
        one("async function f(c) { let a; if (c) { a = mk(); } await g(); }"),
        ["c:idle", "a:idle?"]
    );
    assert_eq!(
        one("async function f(c) { if (c) { const b = mk(); b.t; } await g(); }"),
        ["c:idle", "b:idle?"]
    );
}

#[test]
fn finished_loops_keep_their_last_value() {
    assert_eq!(
        one("async function f() { for (const x of [mk(), mk()]) { x.t; } await g(); }"),
        ["x:idle"]
    );
    assert_eq!(
        one("async function f(xs) { for (const x of xs) { x.t; } await g(); }"),
        ["xs:idle", "x:idle?"]
    );
    assert_eq!(
        one("async function f() { for (let i = 0, o = mk(); i < 2; i++) { o.t; } await g(); }"),
        ["o:idle"]
    );
}

#[test]
fn a_loop_body_binding_after_the_await_holds_the_previous_iteration() {
    assert_eq!(
        one("async function f() { for (let i = 0; i < 2; i++) { await g(); const o = mk(); o.t; } }"),
        ["o:idle?"]
    );
}

#[test]
fn catch_parameters_are_released_with_their_block_unless_destructured() {
    assert_eq!(
        one("async function f() { try { throw mk(); } catch (e) { e.t; } await g(); }"),
        ["e:released"]
    );
    assert_eq!(
        one("async function f() { try { throw mk(); } catch (e) { await g(); } }"),
        ["e:idle"]
    );
    assert_eq!(
        one("async function f() { try { throw x(); } catch ({ v }) { v.t; } await g(); }"),
        ["v:idle?"]
    );
}

#[test]
fn captured_variables_of_the_function_scope_stay_with_the_frame() {
    assert_eq!(
        one("async function f() { const a = mk(); (() => a.t)(); await g(); }"),
        ["a:idle"]
    );
}

#[test]
fn an_ended_block_keeps_captured_variables_only_while_its_closures_live() {
    // The closure was only called: the block's context is gone.
    assert_eq!(
        one("async function f() { { const a = mk(); (() => a.t)(); } await g(); }"),
        ["a:released"]
    );
    // A local of the frame holds the closure.
    assert_eq!(
        one("async function f() { let h; { const a = mk(); h = () => a.t; } await g(); }"),
        ["h:idle", "a:closure"]
    );
    // The closure was set to null.
    assert_eq!(
        one(
            "async function f() { let h; { const a = mk(); h = () => a.t; } h = null; await g(); }"
        ),
        ["h:released", "a:released"]
    );
    // Handed to other code: it may keep it.
    assert_eq!(
        one("async function f() { { const a = mk(); keep(() => a.t); } await g(); }"),
        ["a:closure?"]
    );
}

#[test]
fn reading_arguments_keeps_every_argument_even_a_nulled_parameter() {
    assert_eq!(
        one("async function f(p) { arguments.length; p = null; await g(); }"),
        ["p:idle", "arguments"]
    );
    assert_eq!(
        one("async function f(p) { p = null; await g(); }"),
        ["p:released"]
    );
}

#[test]
fn eval_makes_every_claim_conditional() {
    assert_eq!(
        one("async function f() { const a = mk(); eval(s); await g(); }"),
        ["a:idle?"]
    );
}

#[test]
fn primitives_and_bindings_declared_later_are_not_listed() {
    assert_eq!(
        one("async function f() { const n = 1; let s = 'x'; await g(); const late = mk(); late.t; }"),
        [] as [&str; 0]
    );
}

#[test]
fn a_kill_inside_a_try_does_not_release_for_the_path_through_catch() {
    assert_eq!(
        one("async function f() { let a = mk(); try { risky(); a = null; } catch {} await g(); }"),
        ["a:idle?"]
    );
}

#[test]
fn a_value_a_closure_may_still_read_after_the_await_is_needed() {
    // The closure is created after the await: clearing `req` before the
    // await would make `log()` throw.
    assert_eq!(
        claims("async function f(req) { await g(); const log = () => req.url; await h(); log(); }"),
        [vec!["req:live"], vec!["req:live", "log:live"]]
    );
    // Created before and held by a local that is called after the await.
    assert_eq!(
        one("async function f(req) { const log = () => req.url; await g(); log(); }"),
        ["req:live", "log:live"]
    );
    // Handed to the awaited call: it may run while the function waits.
    assert_eq!(
        one("async function f(req) { await Promise.all(xs.map(async (x) => save(x, req))); }"),
        ["req:live"]
    );
    // Held by a local nobody reads or hands over: nobody can call it.
    assert_eq!(
        one("async function f(req) { const log = () => req.url; await g(); }"),
        ["req:idle", "log:idle"]
    );
    // Only called in place before the await: nothing reads it later.
    assert_eq!(
        one("async function f(req) { (() => req.url)(); await g(); }"),
        ["req:idle"]
    );
}

#[test]
fn a_running_loop_holds_its_iterable_and_its_current_element() {
    let tree_source = "async function f(items) { for (const x of items) { await g(x); } }";
    assert_eq!(one(tree_source), ["items:idle", "x:idle"]);
    let tree = syntax::parse(tree_source, None);
    let function = first_function(tree.root_node()).expect("a function");
    let at = retained_at_awaits(tree_source, &tree, function).remove(0);
    assert_eq!(at.retained[0].held_by_loop, Some(LoopKind::ForOf));
    assert!(at.retained[1].current_element);
    // Cleared inside the loop: the iterator still holds it, so no release.
    assert_eq!(
        one("async function f(items) { for (const x of items) { items = null; await g(x); } }"),
        ["x:idle"]
    );
    // After the loop the iterator is gone.
    assert_eq!(
        one("async function f(items) { for (const x of items) { items = null; } await g(); }"),
        ["items:idle?", "x:idle?"]
    );
}
