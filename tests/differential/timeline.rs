//! Nominal time for generated programs, so that every timer they start fires in an order Node
//! cannot vary.
//!
//! Node orders two timers by their expiry (start + delay), and a callback can run late by however
//! long the machine was busy. The generator therefore gives each timer an expiry of its own on a
//! grid of `SLOT_MS`: two timers never share an expiry, and the gap between any two is a whole slot.
//! A slot must outlast the lateness of a loaded machine. On a 2-core machine at load 10-13 (others
//! compiling), two runs of the same program disagreed on 17 of 300 programs with 10 ms slots (the
//! first `console.log`, which sets up stdout, and the start of the first loop turn can each take
//! tens of ms, lumping timers due at different times into one timers phase), and still on 3 of 200
//! tier-3 programs with 50 ms slots. The engine likewise assumes real time may drift up to 50 ms
//! between two timer creations (`TIMER_DRIFT_MS`) and needs a gap larger than that to answer.
//! Hence 100 ms. The one exception is `setTimeout(f, 0)` from the
//! main script, which Node clamps to 1 ms: such timers share one list and fire in insertion order.
//! Those may not meet a `setImmediate` queued from the main script (which wins depends on how long
//! the first loop turn took to start), so a program picks one of the two up front, and only a
//! program marked racy has both.

use std::collections::BTreeSet;

/// The spacing of timer expiries, in milliseconds.
pub const SLOT_MS: u32 = 100;

/// Which event-loop step is running the code being generated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The main script and the microtasks that follow it, before the first loop turn.
    Main,
    /// A timer callback, or the microtasks after it.
    Timer,
    /// A `setImmediate` callback, or the microtasks after it.
    Immediate,
}

/// Whether an awaited thing can reject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejects {
    No,
    Maybe,
    Yes,
}

impl Rejects {
    pub fn any(self) -> bool {
        self != Rejects::No
    }

    pub fn or(self, other: Rejects) -> Rejects {
        match (self, other) {
            (Rejects::No, Rejects::No) => Rejects::No,
            (Rejects::Yes, _) | (_, Rejects::Yes) => Rejects::Yes,
            _ => Rejects::Maybe,
        }
    }
}

/// When a promise settles: the nominal time and phase of the job that settles it.
/// `time: None` means the generator cannot say, so code after it starts no timers.
#[derive(Clone, Copy, Debug)]
pub struct Settle {
    pub time: Option<u32>,
    pub phase: Phase,
    pub rejects: Rejects,
}

impl Settle {
    /// Settles in microtasks of the current step, at the current time.
    pub fn now(time: Option<u32>, phase: Phase, rejects: Rejects) -> Settle {
        Settle {
            time,
            phase,
            rejects,
        }
    }

    /// When all of `parts` have settled (`Promise.all` when none rejects, `allSettled`).
    pub fn latest(parts: &[Settle], rejects: Rejects) -> Settle {
        Self::extreme(parts, rejects, true)
    }

    /// When the first of `parts` settles (`Promise.race`).
    pub fn earliest(parts: &[Settle], rejects: Rejects) -> Settle {
        Self::extreme(parts, rejects, false)
    }

    fn extreme(parts: &[Settle], rejects: Rejects, latest: bool) -> Settle {
        let unknown = Settle {
            time: None,
            phase: Phase::Main,
            rejects,
        };
        let Some(first) = parts.first() else {
            return unknown;
        };
        let mut best = *first;
        for part in &parts[1..] {
            let (Some(a), Some(b)) = (best.time, part.time) else {
                return unknown;
            };
            if a == b && best.phase != part.phase {
                return unknown;
            }
            if (latest && b > a) || (!latest && b < a) {
                best = *part;
            }
        }
        best.rejects = rejects;
        best
    }
}

/// The timer expiries a program has used.
#[derive(Default)]
pub struct Slots {
    used: BTreeSet<u32>,
}

impl Slots {
    /// A delay `d` (a whole number of slots, at least `min_slots`) such that `now + k*d` is free for
    /// every `k` in `1..=count`; marks those expiries used. `count > 1` is for intervals and loops
    /// that sleep once per turn: each turn starts its timer when the last one fired, so lateness
    /// adds up, and from the second turn on the slots on either side are kept clear as well.
    pub fn take(&mut self, now: u32, count: u32, min_slots: u32) -> u32 {
        let mut slots = min_slots.max(1);
        loop {
            let delay = slots * SLOT_MS;
            let mut needed = Vec::new();
            for k in 1..=count {
                let expiry = now + k * delay;
                needed.push(expiry);
                if k >= 2 {
                    needed.extend([expiry - SLOT_MS, expiry + SLOT_MS]);
                }
            }
            if needed.iter().all(|t| !self.used.contains(t)) {
                self.used.extend(needed);
                return delay;
            }
            slots += 1;
        }
    }

    /// The latest expiry in use, to tell how long a program runs.
    pub fn last(&self) -> u32 {
        self.used.last().copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    // The bench includes this file with cfg(test) but no test harness.
    use super::*;

    #[test]
    fn slots_never_share_an_expiry() {
        let mut slots = Slots::default();
        let s = SLOT_MS;
        assert_eq!(slots.take(0, 1, 1), s);
        assert_eq!(slots.take(0, 1, 1), 2 * s);
        // From s, a delay of s would expire at 2s, which is taken: 2s expires at 3s.
        assert_eq!(slots.take(s, 1, 1), 2 * s);
        assert_eq!(
            slots.take(0, 3, 1),
            4 * s,
            "4s, 8s, 12s are the first free triple"
        );
        // The later turns keep 7s, 9s, 11s and 13s clear; 4s's neighbours stay free.
        assert_eq!(slots.take(0, 1, 1), 5 * s);
        assert_eq!(slots.take(0, 1, 7), 10 * s);
    }

    #[test]
    fn race_settles_with_the_earliest_part() {
        let a = Settle::now(Some(100), Phase::Timer, Rejects::No);
        let b = Settle::now(Some(0), Phase::Main, Rejects::No);
        assert_eq!(Settle::earliest(&[a, b], Rejects::No).time, Some(0));
        assert_eq!(Settle::latest(&[a, b], Rejects::No).time, Some(100));
        let c = Settle::now(Some(100), Phase::Immediate, Rejects::No);
        assert_eq!(Settle::latest(&[a, c], Rejects::No).time, None);
    }
}
