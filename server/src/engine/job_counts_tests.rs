//! The counts against the answers measured on Node v24.11.1 (see
//! /work/shared/measuring-claims.md, "Calibrate on every run";
//! `tests/job_counts.rs` runs the same probes under Node 24 on every test run).

use super::*;

#[test]
fn await_of_a_plain_value_resumes_one_job_later() {
    assert_eq!(job_counts().await_plain_value, 1);
}

#[test]
fn await_of_a_settled_native_promise_resumes_one_job_later() {
    assert_eq!(job_counts().await_native_promise, 1);
}

#[test]
fn await_of_a_thenable_resumes_two_jobs_later() {
    assert_eq!(job_counts().await_thenable, 2);
}

#[test]
fn await_of_a_promise_subclass_instance_resumes_three_jobs_later() {
    assert_eq!(job_counts().await_promise_subclass, 3);
}

#[test]
fn return_of_a_promise_costs_the_awaiter_one_job_more_than_return_await() {
    let counts = job_counts();
    assert_eq!(counts.awaiter_of_return_promise, 3);
    assert_eq!(counts.awaiter_of_return_await, 2);
    assert_eq!(counts.return_promise_extra_jobs(), 1);
}

#[test]
fn promise_constructor_wrappers_settle_one_or_two_jobs_after_the_wrapped_promise() {
    let counts = job_counts();
    assert_eq!(counts.wrapper_then_settles_after, 1);
    assert_eq!(counts.wrapper_resolve_settles_after, 2);
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
