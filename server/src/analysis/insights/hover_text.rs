//! The Markdown of the hovers on an `await`, a module's top-level `await` and
//! an async function's head.

use crate::engine::ResumeTick;

use super::retention_text::retention_text;
use super::tick_text::{describe_later_settle, describe_settle, tick_definition};
use super::{AwaitInsight, FunctionInsight, MODULE_BODY};

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
    // A `for await` loop's place starts at its `for` (see `suspension_place`).
    let is_for_await = source
        .get(at.range.clone())
        .is_some_and(|text| text.starts_with("for"));
    let keyword = if is_for_await {
        "for await** over"
    } else {
        "await**"
    };
    let mut text = format!(
        "**{keyword} `{}` in {within}\n\n{}",
        shorten(&at.operand, 60),
        at.resume_text(&name)
    );
    if matches!(at.resume, ResumeTick::AfterEntry { .. }) {
        text.push_str(&format!("\n\n{}", tick_definition("the call")));
    }
    text.push_str(dependence_text(at.depends_on_previous));
    if let Some(retention) = &at.retention {
        text.push_str(&retention_text(source, retention));
    }
    text
}

/// Markdown for a hover on an `await` at an ES module's top level.
pub fn module_await_hover(at: &AwaitInsight) -> String {
    let mut text = format!(
        "**await** `{}` at the module's top level\n\n{}",
        shorten(&at.operand, 60),
        at.resume_text(MODULE_BODY)
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
    let line_of = |offset: usize| source[..offset].matches('\n').count() + 1;
    let heading = if function.name.is_empty() {
        format!("**{}**", function.kind_description())
    } else {
        format!("**async function** `{}`", function.call_label())
    };
    let mut text = format!("{heading}\n\n");
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
    text.push_str(&match function.settles_in {
        Some(phase) => describe_later_settle(phase, &function.settles),
        None => describe_settle(&function.settles),
    });
    if matches!(function.settles, ResumeTick::AfterEntry { jobs } if jobs > 0) {
        text.push_str(&format!("\n\n{}", tick_definition("the call")));
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
        text.push_str(&format!(
            "\n\nRejects when: {}. Any other code in it that throws rejects it too.",
            reasons.join("; ")
        ));
    }
    text
}
