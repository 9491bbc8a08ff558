//! How a rule turns what it detected into a [`Finding`]: its code and default
//! severity come from its metadata, the rest from the rule's message and fix
//! functions.

use std::ops::Range;

use crate::findings::{Edit, Finding, Fix, FixSafety};
use crate::syntax::awaits::AwaitExpr;
use crate::syntax::js::{through_compiled_call, unwrap_parens};

use super::RuleMeta;

impl RuleMeta {
    /// One finding per detected item: `finding` gives its range, message and
    /// fixes. What a rule's `check` is made of.
    pub fn report_each<T, Fixes: IntoIterator<Item = Fix>>(
        &self,
        detected: Vec<T>,
        mut finding: impl FnMut(T) -> (Range<usize>, String, Fixes),
    ) -> Vec<Finding> {
        detected
            .into_iter()
            .map(|found| {
                let (range, message, fixes) = finding(found);
                self.finding(range, message, fixes.into_iter().collect())
            })
            .collect()
    }

    /// A finding of this rule at `range`, with its default severity.
    pub fn finding(&self, range: Range<usize>, message: String, fixes: Vec<Fix>) -> Finding {
        Finding {
            rule: self.code,
            severity: self.default_severity,
            message,
            range,
            fixes,
        }
    }
}

/// A fix made of one edit: `text` in place of `range`.
pub fn one_edit_fix(
    title: String,
    safety: FixSafety,
    range: Range<usize>,
    text: impl Into<String>,
) -> Fix {
    Fix {
        title,
        safety,
        edits: vec![Edit {
            range,
            text: text.into(),
        }],
    }
}

/// The range of `keyword` and the whitespace after it: what removing a
/// modifier such as `async` deletes.
pub fn keyword_and_space(source: &str, keyword: tree_sitter::Node) -> Range<usize> {
    let end = keyword.end_byte();
    let next = source[end..]
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
        .map_or(source.len(), |(i, _)| end + i);
    keyword.start_byte()..next
}

/// `text` in backticks when it is at most `max_len` bytes long and on one
/// line, else `otherwise` (`the input`, `this value`): what a message shows
/// of a piece of code.
pub fn short_code(text: &str, max_len: usize, otherwise: &str) -> String {
    if text.len() <= max_len && !text.contains('\n') {
        format!("`{text}`")
    } else {
        otherwise.to_owned()
    }
}

/// `text` on one line, cut to about 40 bytes, then `suffix` (`(..)` after a
/// callee): how a message names an awaited expression.
pub fn shorten(text: &str, suffix: &str) -> String {
    shorten_with(text, "...", suffix)
}

/// [`shorten`], marking a cut with `ellipsis`.
pub fn shorten_with(text: &str, ellipsis: &str, suffix: &str) -> String {
    let mut text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.len() > 40 {
        let cut = (0..=37)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        text.truncate(cut);
        text.push_str(ellipsis);
    }
    format!("{text}{suffix}")
}

/// `callee(..)`, or `callee()` for a call without arguments, shortened:
/// how a message names a call. `None` for a call without a callee node.
pub fn brief_call(source: &str, call: tree_sitter::Node) -> Option<String> {
    let callee = call
        .child_by_field_id(crate::field!("function"))
        .map(through_compiled_call)?;
    let empty = call
        .child_by_field_id(crate::field!("arguments"))
        .is_some_and(|args| args.named_child_count() == 0);
    Some(shorten(
        &source[callee.byte_range()],
        if empty { "()" } else { "(..)" },
    ))
}

/// How a message names what an `await` waits for, shortened: `load(..)` for
/// a call (`lib.f(..)` for the compiled `(0, lib.f)(x)`), `new Promise(..)`
/// for a `new`, else the operand's text.
pub fn awaited_name(source: &str, awaited: &AwaitExpr) -> String {
    let is_new = awaited
        .operand
        .is_some_and(|operand| unwrap_parens(operand).kind() == "new_expression");
    match awaited.operand_callee() {
        Some(callee) if is_new => format!("new {}", shorten(&source[callee], "(..)")),
        Some(callee) => shorten(&source[callee], "(..)"),
        None => shorten(&source[awaited.operand_range()], ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of the awaits of `source`'s first function, in source order.
    fn awaited_names(source: &str) -> Vec<String> {
        let tree = crate::syntax::parse(source, None);
        crate::syntax::awaits::first_function_awaits(source, &tree)
            .iter()
            .map(|awaited| awaited_name(source, awaited))
            .collect()
    }

    #[test]
    fn awaits_are_named_by_their_call_constructor_or_text() {
        assert_eq!(
            awaited_names(
                "async function f() { await new Promise((r) => setTimeout(r, 1)); await (0, lib_1.save)(x); \
                 await db.users.find(q); await ready; await (cache).get(k); }"
            ),
            [
                "new Promise(..)",
                "lib_1.save(..)",
                "db.users.find(..)",
                "ready",
                "(cache).get(..)"
            ]
        );
    }
}
