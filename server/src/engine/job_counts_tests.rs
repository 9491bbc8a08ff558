//! The counts against the answers measured on Node v24.11.1 (see
//! /work/shared/measuring-claims.md, "Calibrate on every run";
//! `tests/job_counts.rs` runs the same probes under Node 24 on every test run).

use super::*;

/// Each count, named by what it measures, against the jobs Node 24 takes.
#[test]
fn every_count_matches_the_jobs_node_takes() {
    let counts = job_counts();
    let cases = [
        ("await of a plain value", counts.await_plain_value, 1),
        (
            "await of a settled native promise",
            counts.await_native_promise,
            1,
        ),
        ("await of a thenable", counts.await_thenable, 2),
        (
            "await of a promise subclass instance",
            counts.await_promise_subclass,
            3,
        ),
        (
            "awaiter of `return promise`",
            counts.awaiter_of_return_promise,
            3,
        ),
        (
            "awaiter of `return await promise`",
            counts.awaiter_of_return_await,
            2,
        ),
        (
            "`return promise` over `return await`",
            counts.return_promise_extra_jobs(),
            1,
        ),
        (
            "wrapper whose executor calls `then`",
            counts.wrapper_then_settles_after,
            1,
        ),
        (
            "wrapper whose executor calls `resolve`",
            counts.wrapper_resolve_settles_after,
            2,
        ),
    ];
    for (measured, count, node) in cases {
        assert_eq!(count, node, "{measured}");
    }
}

#[test]
fn every_probe_has_one_definite_count() {
    for (name, program) in PROBES {
        assert!(
            probe_resume_jobs(program).is_some(),
            "{name} gives no count:\n{program}"
        );
    }
}

#[test]
fn a_probe_without_a_probe_function_gives_no_count() {
    assert_eq!(
        probe_resume_jobs("async function other() { await null; }\nother();"),
        None
    );
}

#[test]
fn count_words_read_as_prose() {
    assert_eq!(count_word(1), "one");
    assert_eq!(count_word(3), "three");
    assert_eq!(count_word(12), "12");
}
