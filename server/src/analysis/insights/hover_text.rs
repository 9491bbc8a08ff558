//! The Markdown of the hovers on an `await`, a module's top-level `await` and
//! an async function's head.

use crate::engine::ResumeTick;

use super::retention_text::retention_text;
use super::suspension_text::{for_await_text, generator_contract};
use super::tick_text::{
    any_caller_settle, describe_later_settle, describe_settle, tick_definition,
};
use super::{AwaitInsight, AwaitKind, FunctionInsight, MODULE_BODY};

/// `text` cut to `max` characters with an ellipsis, on one line.
pub fn shorten(text: &str, max: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// Markdown for a hover on an `await`.
pub fn await_hover(source: &str, function: &FunctionInsight, at: &AwaitInsight) -> String {
    let name = function.call_label();
    let within = if function.name.is_empty() {
        name.clone()
    } else {
        format!("`{name}`")
    };
    let mut text = format!(
        "{} in {within}\n\n{}",
        heading(at),
        suspension_text(at, &name)
    );
    if matches!(at.resume, ResumeTick::AfterEntry { .. }) {
        text.push_str(&format!("\n\n{}", tick_definition("the call")));
    }
    text.push_str(dependence_text(at.depends_on_previous));
    if let Some(retention) = &at.retention {
        text.push_str(&retention_text(source, function, retention));
    }
    text
}

/// The bold heading of an await's hover: `**await** `x``, `**for await** over `xs``.
fn heading(at: &AwaitInsight) -> String {
    let operand = shorten(&at.operand, 60);
    match at.kind {
        AwaitKind::ForAwait(_) => format!("**for await** over `{operand}`"),
        AwaitKind::Await => format!("**await** `{operand}`"),
    }
}

/// When it resumes: a `for await` loop per iteration, an await by its tick.
/// `function` is a [`FunctionInsight::call_label`].
fn suspension_text(at: &AwaitInsight, function: &str) -> String {
    match &at.kind {
        AwaitKind::ForAwait(over) => {
            for_await_text(&at.operand, over, at.undecided_because.as_deref())
        }
        AwaitKind::Await => at.resume_text(function),
    }
}

/// Markdown for a hover on an `await` at an ES module's top level.
pub fn module_await_hover(at: &AwaitInsight) -> String {
    let mut text = format!(
        "{} at the module's top level\n\n{}",
        heading(at),
        suspension_text(at, MODULE_BODY)
    );
    if matches!(at.resume, ResumeTick::AfterEntry { .. }) {
        text.push_str(&format!(
            "\n\n{}",
            tick_definition("the module's evaluation")
        ));
    }
    text.push_str(dependence_text(at.depends_on_previous));
    text.push_str(
        "\n\nModules that import this one wait for it to finish evaluating; its top-level \
         bindings live as long as the module.",
    );
    text
}

/// What a hover says of an await's dependence on the previous one (see
/// [`AwaitInsight::depends_on_previous`]), as a paragraph; empty for `None`.
fn dependence_text(depends_on_previous: Option<bool>) -> &'static str {
    match depends_on_previous {
        Some(false) => {
            "\n\nDoes not use the previous await's result; if the two operations are \
             independent, start both and await them together (`Promise.all`)."
        }
        Some(true) => "\n\nUses the result of the previous await.",
        None => "",
    }
}

/// Markdown for a hover on an async function's head.
pub fn function_hover(source: &str, function: &FunctionInsight) -> String {
    let line_of = |offset: usize| function.line_of(source, offset);
    let heading = match (function.is_generator, function.name.is_empty()) {
        (true, true) => "**anonymous async generator**".to_owned(),
        (true, false) => format!("**async generator** `{}`", function.call_label()),
        (false, true) => format!("**{}**", function.kind_description()),
        (false, false) => format!("**async function** `{}`", function.call_label()),
    };
    let mut text = format!("{heading}\n\n");
    if function.is_generator {
        text.push_str(&generator_contract(function));
    } else {
        text.push_str(&contract(function, &line_of));
    }
    if !function.rejected_by.is_empty() {
        // Only what the code shows: any call in it can throw as well, so the
        // list never reads as complete.
        const SHOWN: usize = 4;
        let mut reasons: Vec<String> = function
            .rejected_by
            .iter()
            .take(SHOWN)
            .map(|r| format!("{} (line {})", r.what, line_of(r.range.start)))
            .collect();
        let more = function.rejected_by.len().saturating_sub(SHOWN);
        if more > 0 {
            reasons.push(format!("{more} more of these"));
        }
        let what = match function.is_generator {
            true => "A `next()` promise rejects when",
            false => "Rejects when",
        };
        text.push_str(&format!(
            "\n\n{what}: {}. Any other code in it that throws rejects it too.",
            reasons.join("; ")
        ));
    }
    text
}

/// The synchronous prefix and the settle point of an async function (not a
/// generator), for its head's hover.
fn contract(function: &FunctionInsight, line_of: &dyn Fn(usize) -> usize) -> String {
    let mut text = String::new();
    match &function.first_await {
        Some(first) => {
            text.push_str(&format!(
                "Runs synchronously up to line {} (its first `await`); pauses at {} `await`{}.",
                line_of(first.start),
                function.awaits.len(),
                if function.awaits.len() == 1 { "" } else { "s" }
            ));
            if let Some(early) = &function.early_return {
                text.push_str(&format!(
                    " A path that returns before it (line {}) runs the whole call synchronously.",
                    line_of(early.start)
                ));
            }
        }
        None => text.push_str(
            "Has no `await`: the whole body runs synchronously during the call, and it returns a \
             promise.",
        ),
    }
    text.push_str("\n\n");
    text.push_str(&match (&function.settles, function.settles_in) {
        (_, Some(phase)) => describe_later_settle(phase, &function.settles),
        (ResumeTick::Unknown { reason }, None) if !reason.starts_with("varies") => {
            unknown_settle(function, reason)
        }
        (settles, None) if function.for_any_caller => any_caller_settle(settles),
        (settles, None) => describe_settle(settles),
    });
    if matches!(function.settles, ResumeTick::AfterEntry { jobs } if jobs > 0) {
        text.push_str(&format!("\n\n{}", tick_definition("the call")));
    }
    text
}

/// What is known of when an async function's promise settles when the
/// engine gives no tick: once the body returns or throws, after the awaits
/// it reaches, and why no tick (the engine's reason, cut to where and why it
/// stopped).
fn unknown_settle(function: &FunctionInsight, reason: &str) -> String {
    let mut why = reason
        .find("the engine stopped")
        .map_or(reason, |at| &reason[at..])
        .to_owned();
    // `(… is not declared in this file, and ticklens does not model …)`:
    // the first clause says it.
    if let (Some(open), Some(comma)) = (why.find(" ("), why.find(", and ")) {
        if open < comma && why.ends_with(')') {
            why.truncate(comma);
            why.push(')');
        }
    }
    let why = shorten(&why, 100);
    let why = why.trim_end_matches('.');
    let after_awaits = match function.awaits.is_empty() {
        true => "",
        false => ", once every `await` it reaches has resumed",
    };
    format!(
        "Its promise settles when the body returns or throws{after_awaits}; no tick for it \
         here: {why}."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_settle_says_where_the_engine_stopped_in_its_first_clause() {
        let function = FunctionInsight {
            range: 0..1,
            line: 1,
            head: 0..1,
            name: "load".to_owned(),
            is_arrow: false,
            is_generator: false,
            first_await: None,
            early_return: None,
            settles: ResumeTick::Unknown {
                reason: String::new(),
            },
            settles_in: None,
            for_any_caller: false,
            rejected_by: Vec::new(),
            awaits: Vec::new(),
            yields: Vec::new(),
        };
        let reason = "this file does not call it before the engine stopped at line 1 (`require` \
                      is not declared in this file, and ticklens does not model code from \
                      elsewhere)";
        assert_eq!(
            unknown_settle(&function, reason),
            "Its promise settles when the body returns or throws; no tick for it here: the \
             engine stopped at line 1 (`require` is not declared in this file)."
        );
    }
}
