//! The "Kept alive while it waits" section of an await hover: what the
//! suspended function keeps, in the groups of `analysis::retention` (whose
//! model of V8 the wording follows).

use crate::analysis::dataflow::BindingKind;
use crate::analysis::retention::{
    AwaitRetention, Certainty, LoopKind, MayReason, ReleaseReason, RetainedVar, RetentionGroup,
};

use super::{shorten, FunctionInsight};

/// Markdown for what the suspended function keeps alive at one await. The
/// full "free it sooner" advice is shown only when a value it no longer
/// needs is likely large; small or unknown values it no longer needs fit on
/// one line, so the section stays short where it matters least.
pub(super) fn retention_text(
    source: &str,
    function: &FunctionInsight,
    retention: &AwaitRetention,
) -> String {
    let line_of = |offset: usize| function.line_of(source, offset);
    let describe = |var: &RetainedVar| describe(&line_of, var);
    let in_group = |wanted: RetentionGroup| -> Vec<&RetainedVar> {
        retention
            .retained
            .iter()
            .filter(|var| var.group == wanted)
            .collect()
    };
    let (live, idle, closure) = (
        in_group(RetentionGroup::Live),
        in_group(RetentionGroup::Idle),
        in_group(RetentionGroup::Closure),
    );
    let idle_is_large = idle.iter().any(|var| var.likely_large.is_some());
    let idle_list = || {
        idle.iter()
            .map(|v| describe(v))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut text = String::new();
    if live.is_empty() && closure.is_empty() && !retention.keeps_arguments && !idle_is_large {
        if idle.is_empty() {
            text.push_str("\n\nNothing this function holds is kept alive while it waits.");
        } else {
            text.push_str(&format!(
                "\n\nAlso held while it waits, though not needed any more: {}.",
                idle_list()
            ));
        }
    } else {
        text.push_str("\n\n**Kept alive while it waits**");
        let list = |text: &mut String, heading: &str, items: &[&RetainedVar]| {
            if !items.is_empty() {
                text.push_str(&format!("\n\n{heading}"));
                for item in items {
                    text.push_str(&format!("\n- {}", describe(item)));
                }
            }
        };
        list(&mut text, "Needed after the await:", &live);
        if idle_is_large {
            list(
                &mut text,
                "Held but not needed any more (until reassigned or the function returns):",
                &idle,
            );
            text.push_str(&free_sooner_advice(&idle));
        } else if !idle.is_empty() {
            text.push_str(&format!(
                "\n\nAlso held, though not needed any more: {}.",
                idle_list()
            ));
        }
        list(
            &mut text,
            "Kept by a closure that outlives the await (a variable of a block that has ended):",
            &closure,
        );
        if retention.keeps_arguments {
            text.push_str(
                "\n\nThe function reads `arguments`, which keeps every argument of the call, \
                 even a parameter set to `null`.",
            );
        }
    }
    let released: Vec<String> = retention
        .released
        .iter()
        .map(|var| {
            let why = match &var.reason {
                ReleaseReason::Overwritten { at } => {
                    format!("overwritten on line {}", line_of(at.start))
                }
                ReleaseReason::ClosuresGone => {
                    "its block has ended and no closure created there remains".to_owned()
                }
                ReleaseReason::CatchEnded => "its `catch` block has ended".to_owned(),
            };
            let shared = match (&var.handed_to, var.shared) {
                (Some(call), true) => format!(
                    "; `{}` may still hold it",
                    shorten(source.get(call.clone()).unwrap_or_default(), 40)
                ),
                (None, true) => "; code it was handed to may still hold it".to_owned(),
                (_, false) => String::new(),
            };
            format!(
                "`{}` (line {}, {why}{shared})",
                var.name,
                line_of(var.decl_range.start)
            )
        })
        .collect();
    if !released.is_empty() {
        text.push_str(&format!(
            "\n\nNo longer kept: the earlier value of {}.",
            released.join(", ")
        ));
    }
    text
}

/// One retained variable as a list item: `` `raw` (line 2) — likely large: … ``.
fn describe(line_of: &dyn Fn(usize) -> usize, var: &RetainedVar) -> String {
    let mut item = format!("`{}` (line {}", var.name, line_of(var.decl_range.start));
    if var.kind == BindingKind::Param {
        item.push_str(", parameter");
    }
    if var.current_element {
        item.push_str(", the current element");
    }
    if let Certainty::May(reason) = var.certainty {
        item.push_str(match reason {
            MayReason::SomePaths => ", only on some paths",
            MayReason::EarlierIteration => ", the value a previous iteration left",
            MayReason::LoopMayNotRun => ", the loop's last value, if the loop ran",
            MayReason::ClosureMayOutlive => ", if the code it was handed keeps the closure",
            MayReason::DynamicScope => ", unless `eval` or `with` changes it",
        });
    }
    if var.group == RetentionGroup::Live {
        if let Some(closure) = &var.read_by_closure {
            let line = line_of(closure.range.start);
            item.push_str(&match (&closure.name, closure.created_after) {
                (Some(name), true) => {
                    format!("; read after the await by the closure `{name}`, line {line}")
                }
                (None, true) => format!("; read after the await by a closure, line {line}"),
                (Some(name), false) => format!(
                    "; read by the closure `{name}` (line {line}), which may run after the await"
                ),
                (None, false) => {
                    format!("; read by a closure (line {line}) that may run after the await")
                }
            });
        }
    }
    if var.group == RetentionGroup::Idle {
        if let Some(kind) = var.held_by_loop {
            let keyword = match kind {
                LoopKind::ForOf => "for…of",
                LoopKind::ForIn => "for…in",
            };
            item.push_str(&format!(
                "; the running `{keyword}` loop also holds it, so clearing it frees nothing \
                 before the loop ends"
            ));
        }
    }
    item.push(')');
    if let Some(large) = &var.likely_large {
        item.push_str(&format!(" — likely large: {large}"));
    }
    item
}

/// How to free the values the function no longer needs, for those where it
/// works: not for a loop's iterable (the running loop holds it too).
fn free_sooner_advice(idle: &[&RetainedVar]) -> String {
    let clearable: Vec<&&RetainedVar> = idle
        .iter()
        .filter(|var| var.held_by_loop.is_none())
        .collect();
    if clearable.is_empty() {
        return String::new();
    }
    // A `const` cannot be set to `null`.
    let const_first = match clearable.iter().any(|var| var.kind == BindingKind::Const) {
        true => " (declare a `const` with `let` first)",
        false => "",
    };
    format!(
        "\n\nV8 keeps every local and parameter of a suspended async function. To free one \
         sooner, set it to `null` after its last use{const_first}, or move that work into a \
         helper function, whose locals are freed when it returns."
    )
}
