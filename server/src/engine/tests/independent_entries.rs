//! Symbolic entries are independent (`symbolic_entries.rs`): each path of
//! each entry starts from the state the program's run left, so what one
//! entry (or path) wrote is not what another finds.

use super::{resumes_of as resumes, ResumeTick};

/// `b`'s entry finds `state` as the program left it, whether `a`'s entry
/// (which sets `state.ready`) comes before it in the file or after it.
#[test]
fn an_entry_does_not_see_what_an_earlier_entry_wrote() {
    let a = "async function a() { state.ready = true; }\n";
    let b = "async function b() { if (state.ready) { await null; } await null; }\n";
    let before = format!("const state = {{ ready: false }};\n{a}{b}");
    let after = format!("const state = {{ ready: false }};\n{b}{a}");
    assert_eq!(resumes(&before, "b"), resumes(&after, "b"));
}

/// The second path of `c`'s entry (`flag` falsy) starts where the program
/// left `obj`, not where the first path (which set `obj.n`) left it: the
/// last await resumes on tick 2 or tick 1 depending on `flag`, not on tick 2
/// for every caller.
#[test]
fn a_further_path_does_not_see_what_an_earlier_path_wrote() {
    let source = "const obj = { n: 0 };\n\
        async function c(flag) {\n\
          if (flag) { obj.n = 1; }\n\
          if (obj.n === 1) { await null; }\n\
          await null;\n\
        }\n";
    let ticks = resumes(source, "c");
    let last = ticks.last().expect("an await");
    assert!(matches!(last, ResumeTick::Conditional { .. }), "{ticks:?}");
}
