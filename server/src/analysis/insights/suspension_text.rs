//! What the suspensions no tick describes do: each iteration of a `for await`
//! loop, a `yield` in an async generator, and the generator itself. Checked
//! against Node 24 (tests/hover_snapshots.rs fixtures `suspension_kinds*`,
//! the programs in their comments): a `yield` awaits its operand, then waits
//! for the consumer; a `for await` over an array awaits each element in array
//! order; over an async generator each iteration waits for its next `yield`.

use crate::engine;

use super::hover_text::shorten;
use super::tick_text::ticks_phrase;
use super::{FunctionInsight, Iterated, YieldInsight, YieldKind};

/// When each iteration of a `for await` loop over `iterable` resumes.
/// `why_unknown` says what the iterable is where the file does not show it
/// (a parameter, another module's value).
pub fn for_await_text(iterable: &str, over: &Iterated, why_unknown: Option<&str>) -> String {
    let iterable = shorten(iterable, 40);
    match over {
        Iterated::Array => format!(
            "Each iteration takes the next element of `{iterable}` and awaits it (a promise \
             until it settles; a plain value too, so even `[1, 2]` suspends at each element), \
             then runs the body: in array order, so an element that settles early still waits \
             for the ones before it.\n\nResumes each iteration once its element has settled \
             and the previous iteration's body has finished, whichever is later: an element is \
             awaited only when the loop reaches it."
        ),
        Iterated::AsyncGenerator(name) => format!(
            "Each iteration calls `next()` on the async generator `{name}()`, which runs its \
             body up to its next `yield`, and resumes once the promise `next()` returned \
             settles: after the generator's own awaits before that `yield`. The loop ends when \
             the generator returns.\n\nResumes each iteration once the native promise \
             `{name}()`'s `next()` returned settles, as an `await` of it would."
        ),
        Iterated::Unknown => {
            let why = why_unknown.map_or_else(
                || "this file does not show what it is".to_owned(),
                str::to_owned,
            );
            format!(
                "Each iteration awaits the next result of `{iterable}`: for an async iterator (an \
                 async generator, a stream), the promise its `next()` returns; for a sync \
                 iterable (an array), its next element.\n\n{}",
                unknown_iterable_resume(&iterable, &why)
            )
        }
    }
}

/// When each iteration over an iterable the file does not show resumes:
/// hedged on its kind, as an `await` of an unknown operand is, with what
/// each other kind would change (measured on Node 24 in
/// tests/suspension_hovers.rs).
fn unknown_iterable_resume(iterable: &str, why: &str) -> String {
    let counts = engine::job_counts();
    // `for await` awaits what `next()` returns (ECMA-262 ForIn/OfBodyEvaluation:
    // `Await(Call(next))`), so a native promise costs what `await` of one does.
    let native = counts.await_native_promise;
    let thenable_later = counts.await_thenable.saturating_sub(native);
    // Over a sync iterable, CreateAsyncFromSyncIterator (27.1.6.4) wraps each
    // element with PromiseResolve and a `then` whose reaction fulfils the
    // promise the loop awaits: one job for that reaction, then the loop's own
    // await of a native promise. A thenable element is resolved through its
    // `then` first, as `await` resolves one.
    let element = native + counts.await_plain_value;
    format!(
        "Resumes each iteration {} after the promise `{iterable}`'s `next()` returns \
         settles, if it is a native `Promise` ({why}): a thenable would resume {} later; if \
         `{iterable}` is a sync iterable (an array) instead, {} after its next element \
         settles (a plain value counts as settled when the loop reaches it), a thenable \
         element {} later (a thenable's extra tick is that of one settled when it is \
         awaited; one settling after costs none).",
        ticks_phrase(native),
        ticks_phrase(thenable_later),
        ticks_phrase(element),
        ticks_phrase(thenable_later)
    )
}

/// Markdown for a hover on a `yield` in the async generator `function`.
pub fn yield_hover(function: &FunctionInsight, at: &YieldInsight) -> String {
    let name = function.call_label();
    let within = if function.name.is_empty() {
        name
    } else {
        format!("`{name}`")
    };
    yield_text(&within, at)
}

/// Markdown for a hover on a `yield` in an async generator, named `within`
/// (`` `lines()` ``, "this function").
pub fn yield_text(within: &str, at: &YieldInsight) -> String {
    let operand = shorten(&at.operand, 60);
    if at.kind == YieldKind::Delegate {
        return format!(
            "**yield\\*** `{operand}` in the async generator {within}\n\nHands each value of \
             `{operand}` to this generator's consumer, one per `next()` call: the results of \
             an async iterator are awaited, and so are the values of a sync iterable (an \
             array of promises yields their values).\n\nResumes once `{operand}` is done: \
             after the consumer's `next()` call that finds it done, once the promise of \
             `{operand}`'s own `next()` settles with `done: true` (not during that call)."
        );
    }
    let heading = if operand.is_empty() {
        format!("**yield** in the async generator {within}")
    } else {
        format!("**yield** `{operand}` in the async generator {within}")
    };
    let awaited = if at.kind == YieldKind::AwaitedValue {
        // The result of an `await` is never a thenable.
        format!(
            "The `await` in it has settled the value already; the `yield` awaits it once more \
             ({} for a plain value)",
            ticks_phrase(engine::job_counts().await_plain_value)
        )
    } else {
        "Awaits the value first, as `await` would (a promise or a thenable is unwrapped)".to_owned()
    };
    format!(
        "{heading}\n\n{awaited}, then settles the consumer's pending `next()` with it and \
         suspends {within}.\n\nResumes during the consumer's next `next()` call, \
         synchronously, before that call returns; or at once, on the tick it hands this value \
         over, when the consumer has already called `next()` again. When that is depends on \
         the consumer, not on this function."
    )
}

/// The first paragraph of the hover on an async generator's head.
pub(super) fn generator_contract(function: &FunctionInsight) -> String {
    let plural = |n: usize, word: &str| format!("{n} `{word}`{}", if n == 1 { "" } else { "s" });
    format!(
        "Calling it runs none of its body: it returns an async iterator. Each `next()` returns \
         a native promise and runs the body (from its start, or from the `yield` where it \
         stopped) up to its next `yield`, which fulfils that promise with the value; a \
         `return` ends it (`done: true`), and a `throw` or a rejected `await` rejects it. It \
         has {} and {}.",
        plural(function.awaits.len(), "await"),
        plural(function.yields.len(), "yield")
    )
}
