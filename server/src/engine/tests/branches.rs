//! Branches on unknown conditions (`machine/branches.rs`, `joined_paths.rs`):
//! a facts run follows both arms, and a tick is definite only when every
//! path agrees. Ticks are V8's job counts, as in `open_values.rs`; Node 24
//! checks them on generated programs (`tests/open_programs.rs`).

use super::{entry, function_facts as function, resumes_of as resumes, ResumeTick};

fn either(ticks: &[u32], decided_by: &[&str]) -> ResumeTick {
    ResumeTick::Conditional {
        ticks: ticks.to_vec(),
        decided_by: decided_by.iter().map(|d| (*d).to_owned()).collect(),
    }
}

/// Each arm's await is reached by one path; the other path ends without
/// reaching it, which leaves the claim definite.
#[test]
fn an_await_in_one_arm_keeps_its_tick() {
    let source = "async function get(cache, id) { await null;\n\
        if (cache.has(id)) { await null; } else { await null; await null; } }\n";
    assert_eq!(
        resumes(source, "get"),
        [entry(1), entry(2), entry(2), entry(3)]
    );
}

/// An await after the branch resumes on a tick that depends on the arm.
#[test]
fn an_await_after_a_branch_that_awaits_resumes_on_either_tick() {
    let source = "async function load(a, db) {\n\
        if (db.cached(a)) { return 1; }\n\
        await null;\n\
        if (a) { await null; }\n\
        await null; }\n";
    assert_eq!(
        resumes(source, "load"),
        [entry(1), entry(2), either(&[2, 3], &["parameter `a`"])]
    );
}

/// The same unknown decides the same way within a path: two `if (a)` take
/// two paths, not four, so tick 2 (one await of the two) never appears.
#[test]
fn the_same_unknown_decides_alike_within_a_path() {
    let source = "async function f(a) {\n\
        if (a) await null;\n\
        if (a) await null;\n\
        await null; }\n";
    let ticks = resumes(source, "f");
    assert_eq!(ticks[2], either(&[1, 3], &["parameter `a`"]));
}

/// A branch at the top level on a package's value no longer stops the
/// program's run: the functions it calls after it keep their facts, and the
/// order run still abstains there.
#[test]
fn a_top_level_branch_on_a_package_value_lets_the_program_go_on() {
    let source = "const lib = require(\"lib\");\n\
        if (lib.debug) { console.log(\"debug\"); }\n\
        async function main() { await null; await null; }\n\
        main();\n";
    let main = function(source, "main");
    assert!(main.called_by_program);
    assert_eq!(
        main.awaits
            .iter()
            .map(|a| a.resume.clone())
            .collect::<Vec<_>>(),
        [entry(1), entry(2)]
    );
    assert_eq!(main.settles, entry(2));
}

/// The program's call of a function past such a branch settles on the tick
/// each path gives, named by the condition that decides it.
#[test]
fn a_settle_tick_that_depends_on_a_top_level_branch_is_conditional() {
    let source = "const lib = require(\"lib\");\n\
        async function main(slow) { if (slow) await null; await null; }\n\
        main(lib.slow ? 1 : 0);\n";
    let main = function(source, "main");
    assert!(main.called_by_program);
    assert_eq!(main.settles, either(&[1, 2], &["require('lib').slow"]));
    assert_eq!(
        main.awaits[1].resume,
        either(&[1, 2], &["require('lib').slow"])
    );
}

/// More paths than the budget: the subtrees left unexplored could reach
/// the last await later with another tick, so it gets no claim; the await
/// before every branch keeps its tick.
#[test]
fn paths_past_the_budget_leave_what_follows_them_unclaimed() {
    let source = "async function f(a, b, c, d, e) {\n\
        await null;\n\
        if (a) await null;\n\
        if (b) await null;\n\
        if (c) await null;\n\
        if (d) await null;\n\
        if (e) await null;\n\
        await null; }\n";
    let ticks = resumes(source, "f");
    assert_eq!(ticks[0], entry(1));
    assert!(
        matches!(ticks.last(), Some(ResumeTick::Unknown { reason }) if reason.contains("every path")),
        "{ticks:?}"
    );
}

/// `??` and `?.` decide nullishness: both ways are followed.
#[test]
fn a_nullish_test_on_an_unknown_explores_both_ways() {
    let source = "async function f(a) {\n\
        const v = a ?? await null;\n\
        await null; }\n";
    let ticks = resumes(source, "f");
    assert_eq!(ticks[1], either(&[1, 2], &["parameter `a`"]));
}
