//! A path past its budget of recorded branches on unknowns
//! (`machine/branches.rs`) goes on inexact: what it sees from there is not
//! claimed, but the closures it creates get their symbolic entries, with
//! the bindings it wrote holding unknowns. Ticks are V8's job counts, as in
//! `open_values.rs`; Node 24 checks them on generated programs
//! (`tests/open_programs.rs`, whose libraries sometimes branch on more
//! unknowns than the budget before their exports exist).

use super::{
    assert_no_tick_after_entry, entry, facts_of, function_facts as function, resumes_of as resumes,
    ResumeTick,
};

/// A module prologue of `count` branches on distinct unknowns (three.js's
/// builds branch on unknowns hundreds of times before their classes exist).
fn branches(count: usize) -> String {
    let mut text = String::from("const lib = require(\"lib\");\nlet seen = 0;\n");
    for i in 0..count {
        text.push_str(&format!("if (lib.flag{i}) {{ seen += 1; }}\n"));
    }
    text
}

#[test]
fn a_class_defined_past_the_branch_budget_gets_facts_for_its_async_methods() {
    let source = format!(
        "{}class Loader {{\n  async load(url) {{ await null; await null; return url; }}\n}}\n\
         module.exports = Loader;\n",
        branches(100)
    );
    assert_eq!(resumes(&source, "load"), [entry(1), entry(2)]);
    let load = function(&source, "load");
    assert!(!load.called_by_program);
    // No hover says the engine stopped: it went on, on one path.
    let ResumeTick::Unknown { reason } = &load.settles else {
        panic!("{:?}", load.settles);
    };
    assert!(reason.contains("followed one path only"), "{reason}");
    assert!(!reason.contains("stopped"), "{reason}");
}

/// A `const` set past the budget holds what an arm the path did not record
/// chose: at the entries it is unknown, so an await on it claims no tick.
/// Here the default arm would make it a native promise (tick 1, then 2); a
/// thenable (the other arm) resumes one job later.
#[test]
fn a_const_set_past_the_budget_is_unknown_at_the_entries() {
    let source = format!(
        "{}const gate = lib.fast ? Promise.resolve(0) : {{ then(r) {{ r(0); }} }};\n\
         async function f() {{ await gate; await null; }}\n\
         module.exports = f;\n",
        branches(70)
    );
    let ticks = resumes(&source, "f");
    assert_no_tick_after_entry(&ticks);
}

/// A `const` set before the budget is spent keeps its value at the entries.
#[test]
fn a_const_set_before_the_budget_keeps_its_value_at_the_entries() {
    let source = format!(
        "const gate = Promise.resolve(0);\n{}\
         async function f() {{ await gate; await null; }}\n\
         module.exports = f;\n",
        branches(70)
    );
    assert_eq!(resumes(&source, "f"), [entry(1), entry(2)]);
}

/// A function the program calls before the budget is spent, whose awaits
/// resume past it (every job runs after the main script), gets no tick:
/// those resumptions were not observed.
#[test]
fn awaits_resuming_past_the_budget_are_not_claimed() {
    let source = format!(
        "var lib = require(\"lib\");\n\
         async function early() {{ await null; if (lib.late) await null; await null; }}\n\
         early();\n{}",
        branches(70).replace("const lib = require(\"lib\");\n", "")
    );
    let early = facts_of(&source)
        .into_iter()
        .find(|f| f.name == "early")
        .expect("early");
    assert!(
        early
            .awaits
            .iter()
            .all(|a| !matches!(a.resume, ResumeTick::AfterEntry { .. })),
        "{:?}",
        early.awaits
    );
    assert!(!matches!(early.settles, ResumeTick::AfterEntry { .. }));
}

/// Past the budget a loop on an unknown ends at once (the default arm)
/// rather than spinning to the step limit.
#[test]
fn a_loop_on_an_unknown_past_the_budget_ends() {
    let source = format!(
        "{}while (lib.more()) {{ seen += 1; }}\n\
         class Queue {{ async drain() {{ await null; }} }}\n\
         module.exports = Queue;\n",
        branches(70)
    );
    assert_eq!(resumes(&source, "drain"), [entry(1)]);
}
