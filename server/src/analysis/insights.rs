//! What the editor shows about *when* code runs: per-await resume ticks and
//! retained variables, per-function contracts, dropped promises and the
//! predicted output. Computed once per document version from the ordering
//! engine, the data-flow analysis and the shared async facts; hover, inlay
//! hints and code lens only read it.
//!
//! The parts:
//! - `build`: computes the insights of a document (from the engine's facts,
//!   the syntax layer's suspension points, the data flow and retention);
//! - `ahead`: what a hover on a new version can be answered from before its
//!   whole insights (one function's insights, or the syntax alone);
//! - `function_cache`: each function's retention and rejections, kept
//!   across versions while its text and the facts it asked about are the same;
//! - `statement_facts`: the file's async facts, kept per top-level statement
//!   across versions;
//! - `rejections`: what rejects an async function's promise;
//! - `dependence`: whether an await's operand reads the previous result;
//! - `tick_text`: the sentences and labels that state a tick, a phase or a
//!   settle point, with the counts the engine gives;
//! - `hover_text`, `dropped_text`, `retention_text`: the Markdown of hovers;
//! - `suspension_text`: what a `for await` loop, a `yield` and an async
//!   generator do, which no tick states.

use std::ops::Range;
use std::sync::Arc;

use crate::engine::{LaterPhase, OrderOutcome, ResumeTick};

use super::retention::AwaitRetention;

mod ahead;
mod build;
mod dependence;
mod dropped_text;
mod function_cache;
mod hover_text;
mod iterated;
mod rejections;
mod retention_text;
mod statement_facts;
mod suspension_text;
#[cfg(test)]
mod tests;
mod tick_text;

pub use ahead::{ahead_at, Ahead};
pub use build::{
    function_insight_at, insights, insights_cached, insights_with_imports, yield_kind,
};
pub use dropped_text::{dropped_consequence, dropped_hover};
pub use function_cache::InsightsCache;
pub use hover_text::{await_hover, function_hover, module_await_hover, shorten};
pub use suspension_text::{for_await_text, yield_hover, yield_text};
pub use tick_text::{
    describe_later_resume, describe_resume, short_phase, short_tick, tick_definition,
};

/// Everything the editor surfaces for one document.
#[derive(Clone, Debug)]
pub struct Insights {
    pub functions: Vec<FunctionInsight>,
    /// The awaits of an ES module's top level (its body is async too).
    pub module_awaits: Vec<AwaitInsight>,
    pub dropped: Vec<DroppedCall>,
    pub order: OrderOutcome,
    /// The positions in `functions` by range start (then the longer range
    /// first), so `function_at` finds the innermost function holding an
    /// offset without testing every function: on a bundle of 36,732 async
    /// functions a hover on each await tested all of them.
    by_start: Vec<u32>,
}

impl FunctionInsight {
    /// The 1-based line of `offset`: counted from the function's start when
    /// the offset lies at or after it (a hover's lines are in the function),
    /// so a hover does not count the newlines of the whole file before it.
    pub fn line_of(&self, source: &str, offset: usize) -> usize {
        let offset = offset.min(source.len());
        let (from, line) = if offset >= self.range.start {
            (self.range.start, self.line)
        } else {
            (0, 1)
        };
        line + newlines(&source.as_bytes()[from..offset])
    }
}

/// The number of `\n` in `text`.
fn newlines(text: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', text).count()
}

/// How a resume sentence names an ES module's body.
pub const MODULE_BODY: &str = "the module";

#[derive(Clone, Debug)]
pub struct FunctionInsight {
    /// The whole function node.
    pub range: Range<usize>,
    /// The 1-based line where `range` starts: a hover numbers the lines of
    /// the function's code from it (`line_of`), not from the top of the file.
    pub line: usize,
    /// The function's head (up to its body), where a hover shows the contract.
    pub head: Range<usize>,
    pub name: String,
    /// Whether the function is an arrow function (`async () => ...`).
    pub is_arrow: bool,
    /// Whether it is an async generator (`async function*`): a call returns
    /// an async iterator, not a promise, and its body runs on `next()`.
    pub is_generator: bool,
    /// The first `await` (the end of the synchronous prefix), if any.
    pub first_await: Option<Range<usize>>,
    /// The first `return` of the function's own code before its first
    /// `await`: on that path the whole call runs synchronously.
    pub early_return: Option<Range<usize>>,
    pub settles: ResumeTick,
    /// The file never calls it: `settles` (a tick after entry) comes from its
    /// symbolic entry and holds for any caller.
    pub for_any_caller: bool,
    /// Every call's promise settled in a later phase than the call's entry, of this kind.
    pub settles_in: Option<LaterPhase>,
    /// What rejects the function's promise: `throw`s and awaits outside any `try/catch`.
    pub rejected_by: Vec<Rejection>,
    pub awaits: Vec<AwaitInsight>,
    /// The `yield`s of an async generator (its own, not nested functions').
    pub yields: Vec<YieldInsight>,
}

/// A `yield` in an async generator: it awaits its operand, hands the value
/// to the consumer and waits for the consumer's next `next()`.
impl FunctionInsight {
    pub fn shrink_to_fit(&mut self) {
        self.name.shrink_to_fit();
        self.rejected_by.shrink_to_fit();
        for rejection in &mut self.rejected_by {
            rejection.what.shrink_to_fit();
        }
        self.awaits.shrink_to_fit();
        self.awaits.iter_mut().for_each(AwaitInsight::shrink_to_fit);
        self.yields.shrink_to_fit();
        for yielded in &mut self.yields {
            yielded.operand.shrink_to_fit();
        }
    }

    /// The hover of this function's own at `offset` (a `yield`, an `await`,
    /// its head), if it has one there; see [`Insights::hover`].
    pub fn hover(&self, source: &str, offset: usize) -> Option<(Range<usize>, String)> {
        let at = self
            .awaits
            .iter()
            .filter(|a| a.range.contains(&offset))
            .min_by_key(|a| a.range.len());
        // `yield await x`: the await inside is the smaller range.
        let yielded = self
            .yields
            .iter()
            .filter(|y| y.range.contains(&offset))
            .min_by_key(|y| y.range.len())
            .filter(|y| at.is_none_or(|a| y.range.len() < a.range.len()));
        if let Some(yielded) = yielded {
            return Some((yielded.range.clone(), yield_hover(self, yielded)));
        }
        if let Some(at) = at {
            return Some((at.range.clone(), await_hover(source, self, at)));
        }
        if self.head.contains(&offset) {
            return Some((self.head.clone(), function_hover(source, self)));
        }
        None
    }
}

#[derive(Clone, Debug)]
pub struct YieldInsight {
    /// The whole `yield` expression.
    pub range: Range<usize>,
    /// The operand's text (empty for a bare `yield`).
    pub operand: String,
    pub kind: YieldKind,
}

/// What a `yield` hands over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YieldKind {
    /// `yield x`: the value of `x`, awaited first.
    Value,
    /// `yield await x`: a value an `await` has settled, awaited once more.
    AwaitedValue,
    /// `yield* xs`: each value of another iterator.
    Delegate,
}

/// Which suspension an [`AwaitInsight`] describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AwaitKind {
    Await,
    /// A `for await` loop: each iteration awaits a step of the iterator.
    ForAwait(Iterated),
}

/// What a `for await` loop iterates over, as far as the file shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Iterated {
    /// An array literal: a sync iterator, each element awaited in turn.
    Array,
    /// A call of an async generator of this file, named.
    AsyncGenerator(String),
    /// Code the file does not show (a parameter, another module's value).
    Unknown,
}

/// One place where a function (or an ES module's body) suspends and when
/// it resumes: an `await`, or a `for await` loop.
#[derive(Clone, Debug)]
pub struct AwaitInsight {
    /// The whole `await` expression, or a `for await` loop's head.
    pub range: Range<usize>,
    /// An `await`, or a `for await` loop and what it iterates over.
    pub kind: AwaitKind,
    /// The operand, or the iterable of a `for await` loop.
    pub operand: String,
    pub resume: ResumeTick,
    /// Every resumption comes in a later phase than the call's entry (after
    /// the nextTick queue, in a timer or an immediate): then no tick number
    /// after entry applies, and the hover names the phase.
    pub later_phase: Option<LaterPhase>,
    /// The operand is a thenable that is not a native promise (so the tick
    /// includes the job that calls its `then`), on every run the engine saw.
    pub thenable: bool,
    /// Whether the operand reads a result of the previous await, directly or
    /// through variables computed from it; `None` when there is nothing
    /// sound to say (the first await, a previous await that binds no result,
    /// an operand that starts no work, awaits in different try regions).
    pub depends_on_previous: Option<bool>,
    /// What the suspended function keeps alive here (empty for an ES
    /// module's top level, whose bindings live as long as the module).
    pub retention: Option<Arc<AwaitRetention>>,
    /// The tick after entry comes from the function's symbolic entry (the
    /// file never calls it): it holds for any caller and any arguments.
    pub for_any_caller: bool,
    /// Why the operand is certainly a native promise, when the file's
    /// declarations or its imports decided it (and not the file's async facts
    /// alone): "`helper` is an async function (line 12)".
    pub native_because: Option<String>,
    /// Why the operand may not be a native promise, when the resume point
    /// holds only for one: "`conn` is a parameter".
    pub undecided_because: Option<String>,
    /// Why the operand is a promise by its declared TypeScript type, where
    /// nothing shows it is a native one: "`repo.save` is declared to return
    /// `Promise<void>` by `UserRepo.save` at line 3". The type rules out a
    /// thenable, not an instance of a `Promise` subclass.
    pub declared_promise: Option<String>,
    /// In a function the program never calls, an operand that is certainly
    /// not a thenable (`await null`): it resumes one job after it is reached,
    /// whatever the arguments.
    pub plain_value: bool,
}

impl AwaitInsight {
    fn shrink_to_fit(&mut self) {
        self.operand.shrink_to_fit();
    }
}

/// A call whose promise nobody keeps.
#[derive(Clone, Debug)]
pub struct DroppedCall {
    pub range: Range<usize>,
    pub label: String,
    /// What happens to it, as a sentence: what already ran, what nobody observes.
    pub consequence: String,
    /// A `.then` chain without a rejection handler (its promise is used, not dropped).
    pub unhandled_then: bool,
    /// Whether the dropped promise can reject (`Promise.allSettled` cannot).
    pub may_reject: bool,
}

/// Whether the async functions a dropped call may run have no `await` (they
/// run to completion during the call): `None` when unknown. Asked by name
/// (`save` for `save(x)` or `obj.save(x)`) or, for an async IIFE, by the
/// function's range.
pub type RunsToCompletion<'a> = &'a dyn Fn(&str, Option<&Range<usize>>) -> Option<bool>;

/// Something in a function's code that rejects its promise.
#[derive(Clone, Debug)]
pub struct Rejection {
    /// The `throw`, `await` or `return` that does it.
    pub range: Range<usize>,
    /// What happens, as words after "Rejects when:".
    pub what: String,
}

impl Insights {
    /// The insights of a document, indexed for `function_at`.
    pub fn new(
        functions: Vec<FunctionInsight>,
        module_awaits: Vec<AwaitInsight>,
        dropped: Vec<DroppedCall>,
        order: OrderOutcome,
    ) -> Self {
        let mut by_start: Vec<u32> = (0..functions.len())
            .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
            .collect();
        // Equal ranges keep their order backwards, so the search from the
        // end meets the first of them, as a scan from the front would.
        by_start.sort_by_key(|&i| {
            let range = &functions[i as usize].range;
            (
                range.start,
                std::cmp::Reverse(range.len()),
                std::cmp::Reverse(i),
            )
        });
        Self {
            functions,
            module_awaits,
            dropped,
            order,
            by_start,
        }
    }

    /// Gives back the spare capacity the computation left in every list and
    /// string: the insights live as long as their text, and on the
    /// 10,000-line benchmark file the lists of awaits alone had room for
    /// 4,820 where 2,066 were filled (docs/performance.md, "Memory for one
    /// open document").
    pub fn shrink_to_fit(&mut self) {
        self.functions
            .iter_mut()
            .for_each(FunctionInsight::shrink_to_fit);
        self.functions.shrink_to_fit();
        self.by_start.shrink_to_fit();
        self.module_awaits.shrink_to_fit();
        self.module_awaits
            .iter_mut()
            .for_each(AwaitInsight::shrink_to_fit);
        self.dropped.shrink_to_fit();
    }

    /// One line for a code lens: `prints: A, D, B, C`, or why the order is unknown.
    pub fn order_title(&self) -> String {
        match &self.order {
            OrderOutcome::Determined(lines) if lines.is_empty() => "prints nothing".to_owned(),
            OrderOutcome::Determined(lines) => {
                let joined: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
                format!("prints: {}", shorten(&joined.join(", "), 100))
            }
            OrderOutcome::Abstained(abstention) => {
                format!("order: cannot tell: {}", shorten(&abstention.reason, 80))
            }
        }
    }

    /// The innermost async function whose range holds `offset`.
    pub fn function_at(&self, offset: usize) -> Option<&FunctionInsight> {
        // The functions holding `offset` nest, so the innermost is the one
        // that starts last (the shorter of two that start together); each
        // of them starts at or before `offset`.
        let started = self
            .by_start
            .partition_point(|&i| self.functions[i as usize].range.start <= offset);
        self.by_start[..started]
            .iter()
            .rev()
            .map(|&i| &self.functions[i as usize])
            .find(|f| f.range.contains(&offset))
    }

    /// Hover text and range for `offset`, if ticklens has something to say there.
    pub fn hover(&self, source: &str, offset: usize) -> Option<(Range<usize>, String)> {
        if let Some(found) = self
            .function_at(offset)
            .and_then(|function| function.hover(source, offset))
        {
            return Some(found);
        }
        if let Some(at) = self
            .module_awaits
            .iter()
            .filter(|a| a.range.contains(&offset))
            .min_by_key(|a| a.range.len())
        {
            return Some((at.range.clone(), module_await_hover(at)));
        }
        self.dropped
            .iter()
            .find(|d| d.range.contains(&offset))
            .map(|d| (d.range.clone(), dropped_hover(d)))
    }
}
