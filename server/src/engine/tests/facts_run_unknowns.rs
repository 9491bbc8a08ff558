//! What the engine cannot see into, met by a facts run: a `split` on a
//! regular expression (the engine has no regex engine) gives an unknown
//! array, and a `for...of` over an unknown runs as many turns as each path
//! decides. The order run still abstains there, naming the construct.

use super::{
    abstains_mentioning, assert_no_tick_after_entry, entry, facts_of, resumes_of as resumes,
    ResumeTick,
};

/// terser's bundle splits on a regular expression at its top level: the
/// functions after it keep their facts.
#[test]
fn a_split_on_a_regular_expression_lets_the_program_go_on() {
    let source = "const words = \"a b\".split(/\\s+/);\n\
        async function main() { await null; await null; }\n\
        main();\n";
    assert_eq!(resumes(source, "main"), [entry(1), entry(2)]);
    abstains_mentioning(source, "split with a regular expression");
}

/// A separator of the program's own could run its code (`Symbol.split`):
/// the facts run stops there too.
#[test]
fn a_split_on_an_object_of_the_program_still_stops() {
    let source = "const parts = \"a,b\".split({ toString() { return \",\"; } });\n\
        async function main() { await null; }\n\
        main();\n";
    let main = facts_of(source)
        .into_iter()
        .find(|f| f.name == "main")
        .expect("main");
    let ResumeTick::Unknown { reason } = &main.settles else {
        panic!("{:?}", main.settles);
    };
    assert!(
        reason.contains("split with a regular expression or object"),
        "{reason}"
    );
}

/// saslprep iterates `src.keys()` of a package's value: each path runs
/// the loop one more turn, so the await before the loop keeps its tick and
/// the one after it, which the unexplored turns could reach later, gets none.
#[test]
fn iterating_an_unknown_explores_its_turns() {
    let source = "const lib = require(\"lib\");\n\
        async function fill(src) {\n\
          await null;\n\
          for (const code of src.keys()) { lib.set(code); }\n\
          await null; }\n\
        module.exports = fill;\n";
    let ticks = resumes(source, "fill");
    assert_eq!(ticks[0], entry(1));
    assert!(
        matches!(&ticks[1], ResumeTick::Unknown { reason } if reason.contains("every path")),
        "{ticks:?}"
    );
    abstains_mentioning(
        "const lib = require(\"lib\");\nfor (const x of lib.items()) {}\n",
        "require",
    );
}

/// An await inside the loop resumes on a tick that grows with the turn.
#[test]
fn an_await_in_a_loop_over_an_unknown_gets_no_single_tick() {
    let source = "async function drain(queue) {\n\
          for (const job of queue) { await job; }\n\
          await null; }\n\
        module.exports = drain;\n";
    let ticks = resumes(source, "drain");
    assert_no_tick_after_entry(&ticks);
}

/// axios asks `Object.getPrototypeOf(val)` of plain objects (`isPlainObject`):
/// an intrinsic prototype, which a facts run takes as an unknown.
#[test]
fn the_prototype_of_a_plain_object_is_an_unknown_in_a_facts_run() {
    let source = "const plain = Object.getPrototypeOf({}) === Object.prototype;\n\
        async function main() { await null; await null; }\n\
        main();\n";
    assert_eq!(resumes(source, "main"), [entry(1), entry(2)]);
    abstains_mentioning(source, "an intrinsic prototype");
}
