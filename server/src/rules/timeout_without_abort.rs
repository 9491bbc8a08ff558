use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::source_facts::PromiseKind;
use crate::findings::{Finding, Fix};
use crate::syntax::js::{method_call, unwrap_parens};
use crate::syntax::js::named_children_but_comments;

use super::report::one_edit_fix;
use super::tree_walks::find_named_descendant;
use super::{declare_rule, RuleContext};


declare_rule! {
    pub struct TimeoutWithoutAbort { code: "timeout-without-abort", docs: "timeout_without_abort.md",
        summary: "a timeout raced against a fetch or async call that is never cancelled",
        severity: Hint, fixes: [ChangesBehaviour], triggers: [Member("Promise", "race")],
        reads: [ImportedSummaries, DeclaredPromises],
        precision: { tuning: "no figure (no findings when the corpus was sampled, 2026-11-25)", held_out: 0 of 0, held_out_tests: 0 of 0, held_out_second: 0 of 0 },
        queries: [PROMISE_RACES("promise-races.scm", ["race.call", "race.callee", "race.promise",
            "race.method", "race.first", "race.second"])],
    }
}

fn check(ctx: &RuleContext) -> Vec<Finding> {
    META.report_each(detect(ctx), |race| {
        let fix = race
            .is_fetch
            .then(|| signal_fix(ctx, race.call, race.work, race.timer))
            .flatten();
        (race.highlight.clone(), message(ctx, &race), fix)
    })
}

/// A `Promise.race` of some work against a timer.
struct TimerRace<'t> {
    call: Node<'t>,
    /// The raced work: a `fetch` without a signal, or an async call.
    work: Node<'t>,
    /// The other element: a timer that settles the race.
    timer: Node<'t>,
    /// Whether `work` is a `fetch`, the one shape the fix can rewrite.
    is_fetch: bool,
    /// `Promise.race`.
    highlight: Range<usize>,
}

fn detect<'a>(ctx: &RuleContext<'a>) -> Vec<TimerRace<'a>> {
    ctx.filter_map_complete_captures(
        &PROMISE_RACES,
        ["race.call", "race.callee", "race.first", "race.second"],
        |[call, callee, first, second]| {
            let facts = ctx.facts();
            if facts.is_bound("Promise") {
                return None;
            }
            let (work, timer) = if is_timer(ctx, second) {
                (unwrap_parens(first), unwrap_parens(second))
            } else if is_timer(ctx, first) {
                (unwrap_parens(second), unwrap_parens(first))
            } else {
                return None;
            };
            let kind = facts.promise_kind(ctx.source, work);
            let is_fetch = kind == Some(PromiseKind::Fetch);
            if !(is_fetch || kind == Some(PromiseKind::AsyncCall)) {
                return None;
            }
            if is_fetch && !fetch_lacks_signal(ctx, work) {
                return None;
            }
            Some(TimerRace {
                call,
                work,
                timer,
                is_fetch,
                highlight: callee.byte_range(),
            })
        },
    )
}

fn message(ctx: &RuleContext, race: &TimerRace) -> String {
    let label = crate::analysis::source_facts::call_label(ctx.source, race.work);
    if race.is_fetch {
        format!(
            "when the timer wins this race, `{label}` keeps running: the request is never \
             aborted; pass `signal: AbortSignal.timeout(ms)` to `fetch` instead"
        )
    } else {
        format!(
            "when the timer wins this race, `{label}` keeps running; if it can take an \
             `AbortSignal`, pass `AbortSignal.timeout(ms)` so the work stops too"
        )
    }
}

/// A `new Promise` whose executor calls `setTimeout`, or `timeout(ms)`-like calls.
fn is_timer(ctx: &RuleContext, node: Node) -> bool {
    let node = unwrap_parens(node);
    match node.kind() {
        "new_expression" => {
            node.child_by_field_id(crate::field!("constructor"))
                .is_some_and(|c| ctx.text(c) == "Promise")
                && set_timeout_call(ctx, node).is_some()
        }
        "call_expression" => chain_start(ctx, node)
            .child_by_field_id(crate::field!("function"))
            .is_some_and(|f| {
                let name = ctx
                    .text(f)
                    .rsplit('.')
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                ["timeout", "delay", "sleep", "wait"]
                    .iter()
                    .any(|word| name.contains(word))
            }),
        _ => false,
    }
}

/// `delay(100)` in `delay(100).then(fail)`.
fn chain_start<'t>(ctx: &RuleContext, mut call: Node<'t>) -> Node<'t> {
    while let Some((receiver, method, _)) = method_call(ctx.source, call) {
        if !matches!(method, "then" | "catch" | "finally") || receiver.kind() != "call_expression" {
            break;
        }
        call = receiver;
    }
    call
}

fn set_timeout_call<'t>(ctx: &RuleContext, root: Node<'t>) -> Option<Node<'t>> {
    find_named_descendant(root, |node| {
        node.kind() == "call_expression"
            && node
                .child_by_field_id(crate::field!("function"))
                .is_some_and(|f| ctx.text(f) == "setTimeout")
    })
}

fn fetch_arguments<'t>(call: Node<'t>) -> Vec<Node<'t>> {
    call.child_by_field_id(crate::field!("arguments"))
        .map(named_children_but_comments)
        .unwrap_or_default()
}

/// No options, or an options object literal without `signal` or a spread.
fn fetch_lacks_signal(ctx: &RuleContext, fetch: Node) -> bool {
    match fetch_arguments(fetch).as_slice() {
        [_] => true,
        [_, options] if options.kind() == "object" => {
            let has_signal =
                named_children_but_comments(*options)
                    .into_iter()
                    .any(|member| match member.kind() {
                        "spread_element" => true,
                        "pair" => member
                            .child_by_field_id(crate::field!("key"))
                            .is_none_or(|k| ctx.text(k).trim_matches(['\'', '"']) == "signal"),
                        "shorthand_property_identifier" => ctx.text(member) == "signal",
                        _ => false,
                    });
            !has_signal
        }
        _ => false,
    }
}

/// `new Promise((_, reject) => setTimeout(() => reject(...), ms))` → the timer's `ms`.
fn rejecting_timer_delay<'t>(ctx: &RuleContext, timer: Node<'t>) -> Option<Node<'t>> {
    if timer.kind() != "new_expression" {
        return None;
    }
    let executor = timer
        .child_by_field_id(crate::field!("arguments"))?
        .named_child(0)
        .map(unwrap_parens)?;
    let params = executor.child_by_field_id(crate::field!("parameters"))?;
    let reject = params.named_child(1)?;
    if reject.kind() != "identifier" {
        return None;
    }
    let reject = ctx.text(reject);
    let set_timeout = set_timeout_call(ctx, executor)?;
    let args = fetch_arguments(set_timeout);
    let [callback, delay] = args.as_slice() else {
        return None;
    };
    let callback = unwrap_parens(*callback);
    let rejects = ctx.text(callback) == reject
        || (callback.kind() == "arrow_function"
            && callback
                .child_by_field_id(crate::field!("body"))
                .is_some_and(|body| {
                    let body = unwrap_parens(body);
                    let call = if body.kind() == "statement_block" {
                        body.named_child(0).and_then(|s| s.named_child(0))
                    } else {
                        Some(body)
                    };
                    call.and_then(|c| c.child_by_field_id(crate::field!("function")))
                        .is_some_and(|f| ctx.text(f) == reject)
                }));
    let delay_plain = matches!(delay.kind(), "number" | "identifier")
        || (delay.kind() == "member_expression" && !ctx.text(*delay).contains('('));
    (rejects && delay_plain).then_some(*delay)
}

fn signal_fix(ctx: &RuleContext, race: Node, fetch: Node, timer: Node) -> Option<Fix> {
    let delay = rejecting_timer_delay(ctx, timer)?;
    // The delay must mean the same thing outside the executor.
    if delay.kind() == "identifier" {
        let executor_params = timer
            .child_by_field_id(crate::field!("arguments"))
            .and_then(|a| a.named_child(0))
            .and_then(|e| e.child_by_field_id(crate::field!("parameters")))
            .map(|p| ctx.text(p).to_owned())
            .unwrap_or_default();
        if executor_params.contains(ctx.text(delay)) {
            return None;
        }
    }
    let callee = fetch.child_by_field_id(crate::field!("function"))?;
    let args = fetch_arguments(fetch);
    let signal = format!("signal: AbortSignal.timeout({})", ctx.text(delay));
    let options = match args.as_slice() {
        [_] => format!("{{ {signal} }}"),
        [_, options] => {
            let text = ctx.text(*options);
            let inner = text
                .trim_start_matches('{')
                .trim_end_matches('}')
                .trim()
                .trim_end_matches(',');
            if inner.is_empty() {
                format!("{{ {signal} }}")
            } else {
                format!("{{ {inner}, {signal} }}")
            }
        }
        _ => return None,
    };
    Some(one_edit_fix(
        "Abort the request with `AbortSignal.timeout` instead of racing a timer".to_owned(),
        FIX_SAFETY,
        race.byte_range(),
        format!("{}({}, {options})", ctx.text(callee), ctx.text(args[0])),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::fix_outputs::fix_outputs;
    use crate::rules::testing::{assert_invalid, assert_valid};

    const TIMER: &str =
        "new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000))";

    #[test]
    fn races_that_cancel_or_do_not_time_out_pass() {
        let with_signal = format!("await Promise.race([fetch(url, {{ signal }}), {TIMER}]);");
        let with_spread = format!("await Promise.race([fetch(url, {{ ...opts }}), {TIMER}]);");
        let with_options_variable = format!("await Promise.race([fetch(url, opts), {TIMER}]);");
        let unknown_work = format!("await Promise.race([db.query(sql), {TIMER}]);");
        assert_valid(
            &TimeoutWithoutAbort,
            &[
                "await fetch(url, { signal: AbortSignal.timeout(5000) });",
                "await Promise.race([fetch(a), fetch(b)]);",
                "await Promise.race([fetch(a), other]);",
                &with_signal,
                &with_spread,
                &with_options_variable,
                &unknown_work,
                "await Promise.race([fetch(a), fetch(b), sleep(100)]);",
            ],
        );
    }

    #[test]
    fn timer_races_are_flagged_on_promise_race() {
        let fetch_race = format!("const res = await Promise.race([fetch(url), {TIMER}]);");
        let timer_first =
            format!("await Promise.race([{TIMER}, fetch(url, {{ method: 'POST' }})]);");
        assert_invalid(
            &TimeoutWithoutAbort,
            &[
                (&fetch_race, "Promise.race"),
                (&timer_first, "Promise.race"),
                ("await Promise.race([fetch(url), timeout(5000)]);", "Promise.race"),
                ("async function load() {}\nawait Promise.race([load(), delay(100).then(fail)]);", "Promise.race"),
            ],
        );
    }

    #[test]
    fn the_fix_passes_an_abort_signal_to_fetch() {
        assert_eq!(
            fix_outputs(
                &TimeoutWithoutAbort,
                &format!("const res = await Promise.race([fetch(url), {TIMER}]);")
            ),
            ["const res = await fetch(url, { signal: AbortSignal.timeout(5000) });"]
        );
        assert_eq!(
            fix_outputs(&TimeoutWithoutAbort, "await Promise.race([fetch(u, { method: 'POST' }), new Promise((_, rej) => setTimeout(rej, ms))]);"),
            ["await fetch(u, { method: 'POST', signal: AbortSignal.timeout(ms) });"]
        );
        // A timer that resolves is a soft timeout: no automatic rewrite.
        assert!(fix_outputs(
            &TimeoutWithoutAbort,
            "await Promise.race([fetch(u), new Promise((resolve) => setTimeout(resolve, 10))]);"
        )
        .is_empty());
        assert!(fix_outputs(
            &TimeoutWithoutAbort,
            "await Promise.race([fetch(u), timeout(10)]);"
        )
        .is_empty());
    }
}
