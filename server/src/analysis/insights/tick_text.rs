//! The sentences and labels that state when code runs: resume ticks, settle
//! points and later phases, for hovers, inlay hints and code lenses. Every
//! count comes from the engine (its facts, or `engine::job_counts()`).

use crate::engine::{self, LaterPhase, ResumeTick};

use super::hover_text::shorten;
use super::{AwaitInsight, FunctionInsight, MODULE_BODY};

impl AwaitInsight {
    /// The inlay label: `tick 2`, `tick 3 (calls its then)`, `after fetch(…)`,
    /// `after the nextTick queue`.
    pub fn inlay_label(&self) -> Option<String> {
        if self.plain_value {
            let ticks = engine::job_counts().await_plain_value;
            return Some(format!("+{}", ticks_phrase(ticks)));
        }
        let tick = match self.later_phase {
            Some(phase) => short_phase(phase).to_owned(),
            None => short_tick(&self.resume)?,
        };
        Some(match self.thenable {
            true => format!("{tick} (via .then)"),
            false => tick,
        })
    }

    /// When it resumes, as sentences, for `function` (its call label).
    pub fn resume_text(&self, function: &str) -> String {
        if self.plain_value {
            let jobs = engine::job_counts().await_plain_value;
            return format!(
                "Resumes {} after this `await` is reached: `{}` is not a promise, so `await` only \
                 lets the microtasks already queued run first.",
                ticks_phrase(jobs),
                shorten(&self.operand, 40)
            );
        }
        let mut text = match self.later_phase {
            Some(phase) => describe_later_resume(phase, &self.resume, function),
            None if self.for_any_caller => any_caller_resume(&self.resume, function),
            None => describe_resume(&self.resume, function),
        };
        // Why the operand is a native promise matters where the resume point
        // is stated relative to its settling; a tick after entry says more.
        if let (Some(why), ResumeTick::AfterSettle { .. }) = (&self.native_because, &self.resume) {
            text.push_str(&format!(" It is a native `Promise`: {why}."));
        }
        // A declared `Promise<T>`: no thenable, but maybe a subclass instance.
        if let Some(why) = &self.declared_promise {
            text = text.replacen(&native_hedge(), &declared_hedge(why), 1);
        } else if let Some(why) = &self.undecided_because {
            text = text.replacen(UNSHOWN, &format!("({why})"), 1);
        }
        if self.thenable {
            // One NewPromiseResolveThenableJob calls `then` (ECMA-262
            // 27.2.2.2); the engine's model says what the resumption adds.
            // The thenable costs what a native promise costs, plus the
            // jobs until `then` is called.
            let counts = engine::job_counts();
            let calls_then = counts
                .await_thenable
                .saturating_sub(counts.await_native_promise);
            let more = counts.await_thenable.saturating_sub(calls_then);
            text.push_str(&format!(
                " `{}` is not a native `Promise` but an object with a `then` method: `await` \
                 calls its `then` {} {} later, and resumes {} {} after `then` calls `resolve`.",
                shorten(&self.operand, 40),
                engine::count_word(calls_then),
                tick_word(calls_then),
                engine::count_word(more),
                tick_word(more)
            ));
        }
        text
    }
}

/// `tick` or `ticks`, for a count of `n`.
fn tick_word(n: u32) -> &'static str {
    if n == 1 {
        "tick"
    } else {
        "ticks"
    }
}

/// `1 tick`, `2 ticks`: rounds of microtasks (see [`tick_definition`]).
pub(super) fn ticks_phrase(ticks: u32) -> String {
    format!("{ticks} {}", tick_word(ticks))
}

/// A short phrase for a resume tick, for inlay hints: `tick 2`, `after fetch()`.
pub fn short_tick(tick: &ResumeTick) -> Option<String> {
    match tick {
        ResumeTick::AfterEntry { jobs } => Some(format!("tick {jobs}")),
        ResumeTick::AfterSettle { jobs, operand, .. } => {
            // `after X` is what an await of a settled native promise
            // costs; another count is spelled out.
            let plus = if *jobs == engine::job_counts().await_native_promise {
                String::new()
            } else {
                format!(" +{jobs}")
            };
            Some(format!("after {}{plus}", operand_form(operand)))
        }
        ResumeTick::Conditional { ticks, .. } => Some(format!("tick {}", one_of(ticks))),
        ResumeTick::Unknown { .. } => None,
    }
}

/// `1 or 3`, `1, 2 or 3`: the ticks of a conditional claim.
fn one_of(ticks: &[u32]) -> String {
    let words: Vec<String> = ticks.iter().map(u32::to_string).collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => words.concat(),
    }
}

/// `, depending on `a`` (and `b`): what decides a conditional claim.
fn depending_on(decided_by: &[String]) -> String {
    let conditions: Vec<String> = decided_by
        .iter()
        .take(3)
        .map(|c| match c.contains('`') {
            // An unknown's origin may name itself already: parameter `a`.
            true => c.clone(),
            false => format!("`{}`", shorten(c, 40)),
        })
        .collect();
    format!(
        ", depending on {} (the engine followed each way a branch on it can go)",
        conditions.join(" and ")
    )
}

/// An await operand for an inlay label: a call as its callee with `(…)`
/// (`fs.promises.readFile(…)`, `new Promise(…)`), anything else shortened.
/// Never cut inside a word.
fn operand_form(operand: &str) -> String {
    let text = operand.trim();
    if let Some(inner) = text.strip_suffix(')') {
        // The `(` that matches the final `)`.
        let mut depth = 0usize;
        let mut open = None;
        for (at, c) in inner.char_indices().rev() {
            match c {
                ')' => depth += 1,
                '(' if depth == 0 => {
                    open = Some(at);
                    break;
                }
                '(' => depth -= 1,
                _ => {}
            }
        }
        if let Some(open) = open {
            let callee = &text[..open];
            let path = callee.strip_prefix("new ").unwrap_or(callee);
            let plain = !path.is_empty()
                && path
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '.'));
            if plain && callee.chars().count() <= 32 {
                let empty = inner[open + 1..].trim().is_empty();
                return format!("{callee}({})", if empty { "" } else { "…" });
            }
        }
    }
    if text.chars().count() <= 24 {
        return shorten(text, 24);
    }
    // Cut at a word boundary.
    let cut: String = text.chars().take(23).collect();
    let end = cut
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .filter(|&i| i > 0)
        .unwrap_or(cut.len());
    format!("{}…", cut[..end].trim_end())
}

/// How a sentence names the function: `` `run()` ``, or "this function" for an anonymous one.
fn subject(function: &str) -> String {
    if function.starts_with("an anonymous") {
        "this function".to_owned()
    } else {
        format!("`{function}`")
    }
}

/// What "microtask tick N" means, said in every hover that states one (the
/// definition of docs/ARCHITECTURE.md, "Tick"); `entry` names what is entered.
pub fn tick_definition(entry: &str) -> String {
    format!(
        "*Microtask tick N*: the N-th round of microtasks (promise callbacks) after {entry}: its \
         synchronous code queues round 1, round 1 queues round 2, and so on. Timers, I/O and \
         `process.nextTick` callbacks start no round."
    )
}

/// The hedge's clause on what the operand is, where nothing more is known.
const UNSHOWN: &str = "(this file does not show what it is)";

/// What follows a count that holds only if the operand is a native promise
/// (the engine cannot see what it evaluates to): what would change it, with
/// the engine's counts. The counts are those of an operand settled before
/// the `await`; one settling after it costs one job less each, since the
/// job that calls its `then` runs while it waits (measured on Node 24:
/// a thenable 1 and 0 ticks later, a subclass 2 and 1).
fn native_hedge() -> String {
    let counts = engine::job_counts();
    let thenable = counts
        .await_thenable
        .saturating_sub(counts.await_native_promise);
    let subclass = counts
        .await_promise_subclass
        .saturating_sub(counts.await_native_promise);
    format!(
        ", if it is a native `Promise` {UNSHOWN}: a thenable would resume {} later and a \
         `Promise` subclass {} later when it settled before the `await` (`await` calls its \
         `then` first), one tick less each when it settles after",
        ticks_phrase(thenable),
        ticks_phrase(subclass)
    )
}

/// What follows the count for an operand whose declared type is
/// `Promise<T>`: TypeScript accepts an instance of a `Promise` subclass
/// there, which `await` resolves through its `then` (ECMA-262
/// PromiseResolve, 27.2.4.7.1: only a promise whose `constructor` is
/// `%Promise%` is awaited as is). That costs the engine's count more when
/// the instance settled before the `await` (the resolve-thenable job, then
/// the reaction `then` registers); one job less when it settles after
/// `then` was called; and a subclass overriding `then` decides it alone
/// (tests/declared_types.rs measures both cases on Node 24).
fn declared_hedge(why: &str) -> String {
    let counts = engine::job_counts();
    let subclass = counts
        .await_promise_subclass
        .saturating_sub(counts.await_native_promise);
    format!(
        ", as a native `Promise` does: it is a `Promise` by its declared type: {why}. An \
         instance of a `Promise` subclass, which that type allows too, would resume it later: \
         {} later when it settled before the `await` and its class keeps `Promise`'s own `then`",
        ticks_phrase(subclass)
    )
}

/// `1 tick after `x` settles`, with `gloss` after "settles" and the hedge
/// when the count holds only for a native promise.
fn after_settle(jobs: u32, operand: &str, gloss: &str, if_native_promise: bool) -> String {
    let hedge = if if_native_promise {
        native_hedge()
    } else {
        String::new()
    };
    format!(
        "{} after `{}` settles{gloss}{hedge}",
        ticks_phrase(jobs),
        shorten(operand, 60)
    )
}

/// The inlay (and code lens) form of a later phase.
pub fn short_phase(phase: LaterPhase) -> &'static str {
    match phase {
        LaterPhase::NextTick => "after the nextTick queue",
        LaterPhase::Timer => "in a later macrotask (timer)",
        LaterPhase::Immediate => "in the check phase (setImmediate)",
    }
}

/// Where something happens in a later phase than its call's entry, as the
/// start of a sentence after "Resumes" or "settles". Never a number: the
/// microtask queue emptied in between (see measuring-claims.md, "Phase").
fn phase_phrase(phase: LaterPhase) -> &'static str {
    match phase {
        LaterPhase::NextTick => {
            "after the nextTick queue, once every microtask queued before it has run"
        }
        LaterPhase::Timer => "in a later macrotask (a timer callback)",
        LaterPhase::Immediate => "in the check phase (a `setImmediate` callback)",
    }
}

/// A resumption in a later phase than the call's entry: the phase, then what
/// is known of the jobs there. `function` is a [`FunctionInsight::call_label`].
pub fn describe_later_resume(phase: LaterPhase, tick: &ResumeTick, function: &str) -> String {
    let entry = if function == MODULE_BODY {
        "the module started evaluating".to_owned()
    } else {
        format!("{} was entered", subject(function))
    };
    let mut text = format!(
        "Resumes {}: not on a microtask tick after {entry}, because the microtask queue \
         emptied in between.",
        phase_phrase(phase)
    );
    match tick {
        ResumeTick::AfterSettle {
            jobs,
            operand,
            if_native_promise,
        } => text.push_str(&format!(
            " There it resumes {}.",
            after_settle(*jobs, operand, "", *if_native_promise)
        )),
        // Never a count after entry in a later phase (the engine's facts).
        ResumeTick::AfterEntry { .. }
        | ResumeTick::Conditional { .. }
        | ResumeTick::Unknown { .. } => {}
    }
    text
}

/// A sentence for a resume tick, for hovers. `function` is a
/// [`FunctionInsight::call_label`].
pub fn describe_resume(tick: &ResumeTick, function: &str) -> String {
    match tick {
        ResumeTick::AfterEntry { jobs } if function == MODULE_BODY => {
            format!("Resumes on microtask tick {jobs} after the module started evaluating.")
        }
        ResumeTick::AfterEntry { jobs } => {
            format!(
                "Resumes on microtask tick {jobs} after {} was entered, in every call this file \
                 makes.",
                subject(function)
            )
        }
        ResumeTick::AfterSettle {
            jobs,
            operand,
            if_native_promise,
        } => format!(
            "Resumes {}.",
            after_settle(*jobs, operand, " (fulfils or rejects)", *if_native_promise)
        ),
        ResumeTick::Conditional { ticks, decided_by } if function == MODULE_BODY => format!(
            "Resumes on microtask tick {} after the module started evaluating{}.",
            one_of(ticks),
            depending_on(decided_by)
        ),
        ResumeTick::Conditional { ticks, decided_by } => format!(
            "Resumes on microtask tick {} after {} was entered{}.",
            one_of(ticks),
            subject(function),
            depending_on(decided_by)
        ),
        ResumeTick::Unknown { reason } if reason.starts_with("varies") => {
            format!("Resume tick {reason}.")
        }
        ResumeTick::Unknown { reason } => format!("Resume tick unknown: {reason}."),
    }
}

/// A resume tick after entry that the function's symbolic entry gives (the
/// file never calls it): it holds whatever calls it, because every step
/// before the `await` is a microtask the engine saw, none of which depends
/// on the arguments or `this`.
fn any_caller_resume(tick: &ResumeTick, function: &str) -> String {
    match tick {
        ResumeTick::AfterEntry { jobs } => format!(
            "Resumes on microtask tick {jobs} after {} was entered, whatever calls it and with \
             any arguments: every step before it is a promise job this file shows.",
            subject(function)
        ),
        ResumeTick::Conditional { ticks, decided_by } => format!(
            "Resumes on microtask tick {} after {} was entered, whatever calls it{}.",
            one_of(ticks),
            subject(function),
            depending_on(decided_by)
        ),
        other => describe_resume(other, function),
    }
}

/// A settle tick after entry, for a function the file never calls (from its
/// symbolic entry: it holds whatever calls it).
pub(super) fn any_caller_settle(tick: &ResumeTick) -> String {
    match tick {
        ResumeTick::AfterEntry { jobs } if *jobs > 0 => format!(
            "Its promise settles on microtask tick {jobs} after entry, whatever calls it and \
             with any arguments: every step before it is a promise job this file shows."
        ),
        other => describe_settle(other),
    }
}

pub(super) fn describe_settle(tick: &ResumeTick) -> String {
    match tick {
        // An async function's promise is a native one: an await of it,
        // settled, costs what the engine counts for that.
        ResumeTick::AfterEntry { jobs: 0 } => format!(
            "Its promise settles before each call returns (microtask tick 0); an `await` on it \
             still resumes {} later.",
            ticks_phrase(engine::job_counts().await_native_promise)
        ),
        ResumeTick::AfterEntry { jobs } => {
            format!(
                "Its promise settles on microtask tick {jobs} after entry, in every call this file \
                 makes."
            )
        }
        ResumeTick::AfterSettle { jobs, operand, .. } => format!(
            "Its promise settles {} after `{}` settles.",
            ticks_phrase(*jobs),
            shorten(operand, 60)
        ),
        ResumeTick::Conditional { ticks, decided_by } => format!(
            "Its promise settles on microtask tick {} after entry{}.",
            one_of(ticks),
            depending_on(decided_by)
        ),
        ResumeTick::Unknown { reason } if reason.starts_with("varies") => {
            format!("When its promise settles {reason}.")
        }
        ResumeTick::Unknown { reason } => format!("When its promise settles is unknown: {reason}."),
    }
}

/// A function's promise settling in a later phase than each call's entry.
pub(super) fn describe_later_settle(phase: LaterPhase, tick: &ResumeTick) -> String {
    let mut text = format!(
        "Its promise settles {}: not on a microtask tick after the call was entered, because \
         the microtask queue emptied in between.",
        phase_phrase(phase)
    );
    if let ResumeTick::AfterSettle { jobs, operand, .. } = tick {
        text.push_str(&format!(
            " There it settles {} after `{}` settles.",
            ticks_phrase(*jobs),
            shorten(operand, 60)
        ));
    }
    text
}

impl FunctionInsight {
    /// How messages name the function: `run()`, or a description (not code)
    /// when it has no name: `an anonymous async arrow function`.
    pub fn call_label(&self) -> String {
        if self.name.is_empty() {
            format!("an {}", self.kind_description())
        } else {
            format!("{}()", self.name)
        }
    }

    /// `anonymous async arrow function` or `anonymous async function`.
    pub(super) fn kind_description(&self) -> &'static str {
        if self.is_arrow {
            "anonymous async arrow function"
        } else {
            "anonymous async function"
        }
    }

    /// The name for the start of a code lens title.
    fn lens_label(&self) -> String {
        if self.name.is_empty() {
            self.kind_description().to_owned()
        } else {
            self.call_label()
        }
    }

    /// One line for a code lens: `run(): settles 2 ticks after each call is
    /// entered`; `None` when unknown.
    pub fn settle_title(&self) -> Option<String> {
        if let Some(phase) = self.settles_in {
            return Some(format!(
                "{}: settles {}",
                self.lens_label(),
                short_phase(phase)
            ));
        }
        match &self.settles {
            ResumeTick::AfterEntry { jobs: 0 } => Some(format!(
                "{}: settles before each call returns",
                self.lens_label()
            )),
            ResumeTick::AfterEntry { jobs } => Some(format!(
                "{}: settles {jobs} {} after each call is entered",
                self.lens_label(),
                tick_word(*jobs)
            )),
            ResumeTick::AfterSettle { jobs, operand, .. } => Some(format!(
                "{}: settles {} after {}",
                self.lens_label(),
                ticks_phrase(*jobs),
                shorten(operand, 40)
            )),
            ResumeTick::Conditional { ticks, .. } => Some(format!(
                "{}: settles {} ticks after each call is entered, depending on a branch",
                self.lens_label(),
                one_of(ticks)
            )),
            ResumeTick::Unknown { .. } => None,
        }
    }
}

#[cfg(test)]
mod conditional_tests {
    use super::*;

    /// A conditional claim lists its ticks and names what decides them, in
    /// the hover, the inlay hint and the settle sentence alike.
    #[test]
    fn a_conditional_tick_names_its_ticks_and_its_condition() {
        let tick = ResumeTick::Conditional {
            ticks: vec![1, 2, 3],
            decided_by: vec!["cache.get(id)".to_owned(), "parameter `a`".to_owned()],
        };
        assert_eq!(short_tick(&tick).as_deref(), Some("tick 1, 2 or 3"));
        let hover = describe_resume(&tick, "load()");
        assert!(
            hover.starts_with("Resumes on microtask tick 1, 2 or 3 after `load()` was entered")
                && hover.contains("depending on `cache.get(id)` and parameter `a`"),
            "{hover}"
        );
        let settle = describe_settle(&tick);
        assert!(settle.contains("tick 1, 2 or 3 after entry"), "{settle}");
    }
}
