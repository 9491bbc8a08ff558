//! `AbortSignal.timeout` (`node_abort_timeout.rs`): the orders of the two ordinary programs
//! that use it, which tests/ordinary_programs.rs checks against Node 24 whenever the engine
//! claims one; here the engine must claim them (it may not abstain).

use super::prints;

#[test]
fn a_timeout_signal_aborts_among_the_timers_in_creation_order() {
    prints(
        include_str!("../../../../tests/fixtures/ordinary/33-abort-timeout.js"),
        "
sync false
timer before
abort true
nextTick after abort
microtask after abort
timer after
later true
",
    );
}

#[test]
fn a_timeout_signal_keeps_no_program_alive() {
    prints(
        include_str!("../../../../tests/fixtures/ordinary/34-abort-timeout-unref.js"),
        "
start
done false
",
    );
}

#[test]
fn the_other_abort_signal_statics_are_not_guessed() {
    for source in [
        "const s = AbortSignal.any([]);\nconsole.log(s.aborted);",
        "new AbortSignal();\nconsole.log(1);",
        "AbortSignal.timeout(1.5);\nconsole.log(1);",
    ] {
        super::abstains(source);
    }
}
