//! Applying every safe fix in a document, as `check --fix` and the editor's
//! "fix all" action both do: the same function, so their outputs are identical.

use tree_sitter::Tree;

use crate::config::Config;
use crate::driver::analyze_configured;
use crate::findings::{apply_edits, Edit, FixSafety};
use crate::rules::{self, Rule};
use crate::syntax::{self, SourceLanguage};

/// A bound on the rounds of fixing, only there to stop fixes that would undo
/// each other for ever. A fix can enable or overlap another, and each round
/// applies those that do not overlap, so a file needs one round per level of
/// nested fixes (a wrapper of a wrapper) or per insertion at one point: a real
/// file reaches its fixpoint long before this, which keeps a second `--fix` a
/// no-op.
const MAX_ROUNDS: usize = 64;

/// The editor's "fix all": every safe fix of every rule, as one edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixAll {
    pub title: String,
    /// Replaces the whole document with the fixed text.
    pub edit: Edit,
}

/// Every safe fix of every rule under `config` applied to a fixpoint, as an edit
/// of the whole document `written` (in `language`); `tree` is the tree the
/// analysis reads (for TypeScript, that of the erased text), which the first
/// round uses; `None` when no fix applies.
pub fn fix_all(
    written: &str,
    language: SourceLanguage,
    tree: &Tree,
    config: &Config,
) -> Option<FixAll> {
    let (text, applied) = fix_rounds(written, language, Some(tree), rules::ALL, config);
    (applied > 0).then(|| FixAll {
        title: format!("Apply all safe ticklens fixes ({applied})"),
        edit: Edit {
            range: 0..written.len(),
            text,
        },
    })
}

/// The text after applying every safe fix, and how many fixes were applied.
/// TypeScript is parsed erased and the rules read the text as written (an
/// offset is the same in both), so a fix copies the types it moves.
pub fn apply_safe_fixes(
    source: &str,
    language: SourceLanguage,
    rules: &[&dyn Rule],
    config: &Config,
) -> (String, usize) {
    fix_rounds(source, language, None, rules, config)
}

/// [`apply_safe_fixes`], the first round on `first` (the analysed tree of
/// `source`) when given.
fn fix_rounds(
    source: &str,
    language: SourceLanguage,
    mut first: Option<&Tree>,
    rules: &[&dyn Rule],
    config: &Config,
) -> (String, usize) {
    let mut text = source.to_owned();
    let mut applied = 0;
    for _ in 0..MAX_ROUNDS {
        let edits = match first.take() {
            Some(tree) => non_overlapping_safe_edits(&text, tree, rules, config),
            None => {
                // A fixed text whose parse is given up keeps the fixes made so far.
                let budget = syntax::parse_budget(text.len());
                let Some(prepared) = syntax::prepare_within(&text, language, budget) else {
                    break;
                };
                non_overlapping_safe_edits(&text, &prepared.tree, rules, config)
            }
        };
        if edits.is_empty() {
            break;
        }
        let fixed = apply_edits(&text, edits.iter().flatten());
        if fixed == text {
            break;
        }
        applied += edits.len();
        text = fixed;
    }
    (text, applied)
}

/// One group of edits per finding whose first safe fix does not overlap an earlier one.
fn non_overlapping_safe_edits(
    source: &str,
    tree: &Tree,
    rules: &[&dyn Rule],
    config: &Config,
) -> Vec<Vec<Edit>> {
    let analysis = analyze_configured(source, tree, rules, config);
    let mut taken: Vec<std::ops::Range<usize>> = Vec::new();
    let mut groups = Vec::new();
    for finding in analysis.findings {
        let Some(fix) = finding
            .fixes
            .into_iter()
            .find(|f| f.safety == FixSafety::Safe)
        else {
            continue;
        };
        let overlaps = fix.edits.iter().any(|edit| {
            taken.iter().any(|t| {
                edit.range.start < t.end && t.start < edit.range.end
                    // Two insertions at the same point also conflict.
                    || edit.range.start == t.start
            })
        });
        if overlaps || fix.edits.is_empty() {
            continue;
        }
        taken.extend(fix.edits.iter().map(|edit| edit.range.clone()));
        groups.push(
            fix.edits
                .iter()
                .map(|edit| in_line_endings_of(source, edit))
                .collect(),
        );
    }
    groups
}

/// `edit` with the line breaks it inserts written as `source` writes them.
///
/// Rules build fix text with `\n`; in a CRLF file that would leave lines with
/// mixed endings. A line break the edit copies from the source stays as it is.
/// Turning `\n` into `\r\n` never changes what JavaScript code means: a line
/// terminator is one in either form, and template literals read `\r\n` as `\n`.
pub fn in_line_endings_of(source: &str, edit: &Edit) -> Edit {
    let text = if source.contains("\r\n") && edit.text.contains('\n') {
        let mut crlf = String::with_capacity(edit.text.len() + 8);
        let mut previous = None;
        for c in edit.text.chars() {
            if c == '\n' && previous != Some('\r') {
                crlf.push('\r');
            }
            crlf.push(c);
            previous = Some(c);
        }
        crlf
    } else {
        edit.text.clone()
    };
    Edit {
        range: edit.range.clone(),
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(text: &str) -> Edit {
        Edit {
            range: 3..3,
            text: text.to_owned(),
        }
    }

    #[test]
    fn inserted_line_breaks_follow_a_crlf_source() {
        let crlf = "a;\r\nb;\r\n";
        assert_eq!(
            in_line_endings_of(crlf, &edit("\n  x = null;")).text,
            "\r\n  x = null;"
        );
        // Line breaks copied from the source are already CRLF.
        assert_eq!(
            in_line_endings_of(crlf, &edit("{\r\n  f();\n}")).text,
            "{\r\n  f();\r\n}"
        );
        assert_eq!(
            in_line_endings_of("a;\nb;\n", &edit("\n  x = null;")).text,
            "\n  x = null;"
        );
    }
}
