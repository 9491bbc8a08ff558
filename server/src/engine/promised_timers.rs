//! The timers of `timers/promises`, one table that the engine's model (`node_modules.rs`, and
//! `node_util.rs` for `util.promisify`) and the analysis's "cannot reject" facts
//! (`analysis/source_facts/never_rejects.rs`) both read: their names, how their arguments are
//! laid out, and on which arguments their promise cannot reject (Node 24,
//! lib/timers/promises.js).
//!
//! `util.promisify` of the global timer of the same name returns the same function (its
//! `util.promisify.custom`, lib/timers.js).

use super::scheduler::TimerKind;
use super::value::Builtin;

/// One timer of `timers/promises`: `setTimeout(delay, value, options)` or
/// `setImmediate(value, options)`.
#[derive(Debug)]
pub struct PromisedTimer {
    /// Its name, in `timers/promises` and as the global timer `util.promisify` maps to it.
    pub name: &'static str,
    /// True when its first argument is a delay; the value follows, then the options.
    pub takes_delay: bool,
    pub(crate) kind: TimerKind,
    /// The function of `timers/promises`.
    pub(crate) promised: Builtin,
    /// The global timer whose `util.promisify` is [`Self::promised`].
    pub(crate) global: Builtin,
}

/// The promised timers the engine models.
pub const PROMISED_TIMERS: &[PromisedTimer] = &[
    PromisedTimer {
        name: "setTimeout",
        takes_delay: true,
        kind: TimerKind::Timeout,
        promised: Builtin::TimersPromisesSetTimeout,
        global: Builtin::SetTimeout,
    },
    PromisedTimer {
        name: "setImmediate",
        takes_delay: false,
        kind: TimerKind::Immediate,
        promised: Builtin::TimersPromisesSetImmediate,
        global: Builtin::SetImmediate,
    },
];

impl PromisedTimer {
    /// The timer called `name`.
    pub fn named(name: &str) -> Option<&'static PromisedTimer> {
        PROMISED_TIMERS.iter().find(|t| t.name == name)
    }

    pub(crate) fn promising(promised: Builtin) -> Option<&'static PromisedTimer> {
        PROMISED_TIMERS.iter().find(|t| t.promised == promised)
    }

    pub(crate) fn promisified(global: Builtin) -> Option<&'static PromisedTimer> {
        PROMISED_TIMERS.iter().find(|t| t.global == global)
    }

    /// Where its value argument is; the options object follows it.
    pub fn value_index(&self) -> usize {
        usize::from(self.takes_delay)
    }

    /// Where its options argument is.
    pub fn options_index(&self) -> usize {
        self.value_index() + 1
    }

    /// True when a call with `args` cannot reject. Node 24 rejects the promise on an options
    /// value that is not an object, an aborted `signal` option, a delay that is not a number
    /// (a `TypeError`), or a value that is a thenable that rejects (the promise adopts it). So
    /// without options, with a delay that `is_number` (or none) and a value that
    /// `cannot_be_thenable` (or none), it fulfils when the timer fires.
    pub fn cannot_reject<A>(
        &self,
        args: &[A],
        is_number: impl Fn(&A) -> bool,
        cannot_be_thenable: impl Fn(&A) -> bool,
    ) -> bool {
        args.len() <= self.options_index()
            && (!self.takes_delay || args.first().is_none_or(is_number))
            && args.get(self.value_index()).is_none_or(cannot_be_thenable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_past_the_value_are_options_and_a_delay_must_be_a_number() {
        let timeout = PromisedTimer::named("setTimeout").expect("setTimeout is modelled");
        let immediate = PromisedTimer::named("setImmediate").expect("setImmediate is modelled");
        assert!(PromisedTimer::named("setInterval").is_none());
        // Arguments as (is a number, cannot be a thenable).
        let ok = |timer: &PromisedTimer, args: &[(bool, bool)]| {
            timer.cannot_reject(args, |a| a.0, |a| a.1)
        };
        assert!(ok(timeout, &[]) && ok(timeout, &[(true, true)]));
        assert!(ok(timeout, &[(true, true), (false, true)]));
        assert!(
            !ok(timeout, &[(false, true)]),
            "a delay that may not be a number"
        );
        assert!(
            !ok(timeout, &[(true, true), (false, false)]),
            "a value that may be a thenable"
        );
        assert!(
            !ok(timeout, &[(true, true), (false, true), (false, true)]),
            "options"
        );
        assert!(ok(immediate, &[]) && ok(immediate, &[(false, true)]));
        assert!(!ok(immediate, &[(false, false)]));
        assert!(!ok(immediate, &[(false, true), (false, true)]), "options");
    }
}
