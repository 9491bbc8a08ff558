//! What a rule reports: plain data with byte ranges.
//!
//! Below the rules and the driver that runs them: it imports nothing of the
//! crate, so the rules, the driver, the editor and the command line share it.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// The code of the finding on a file that does not parse (see
/// `driver::syntax_error`), in every output format and the editor.
pub const SYNTAX_ERROR: &str = "syntax-error";

/// The code of the warning on a suppression comment naming no rule.
pub const UNKNOWN_RULE: &str = "unknown-rule";

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One problem found in a document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// The rule's stable kebab-case code.
    pub rule: &'static str,
    pub severity: Severity,
    /// What happens, in the user's terms.
    pub message: String,
    /// The byte range to highlight, kept narrow.
    pub range: Range<usize>,
    /// Ways to fix it; the first is the preferred one.
    pub fixes: Vec<Fix>,
}

impl Finding {
    /// Whether the highlight and every edit of every fix lie inside `range`.
    pub fn lies_within(&self, range: &Range<usize>) -> bool {
        let inside = |r: &Range<usize>| range.start <= r.start && r.end <= range.end;
        inside(&self.range)
            && self
                .fixes
                .iter()
                .flat_map(|fix| &fix.edits)
                .all(|edit| inside(&edit.range))
    }

    /// The same finding with every byte offset moved by `delta`.
    pub fn shifted(&self, delta: isize) -> Finding {
        let shift = |r: &Range<usize>| {
            let by = |at: usize| {
                at.checked_add_signed(delta)
                    .expect("shifted within the text")
            };
            by(r.start)..by(r.end)
        };
        Finding {
            range: shift(&self.range),
            fixes: self
                .fixes
                .iter()
                .map(|fix| Fix {
                    edits: fix
                        .edits
                        .iter()
                        .map(|edit| Edit {
                            range: shift(&edit.range),
                            text: edit.text.clone(),
                        })
                        .collect(),
                    ..fix.clone()
                })
                .collect(),
            ..self.clone()
        }
    }
}

/// Whether applying a fix keeps the program's behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixSafety {
    /// Behaviour is unchanged; `check --fix` applies it.
    Safe,
    /// Behaviour changes on purpose (for example, work starts concurrently).
    ChangesBehaviour,
    /// Keeps behaviour but only marks the code as intended (such as `void p`):
    /// it silences the finding without fixing its cause, so "fix all" skips it.
    MarksIntent,
}

/// A suggested change: a title and non-overlapping byte-range edits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fix {
    pub title: String,
    pub safety: FixSafety,
    pub edits: Vec<Edit>,
}

/// Replace `range` with `text`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

impl Fix {
    /// Applies the edits to `source`. Edits must not overlap.
    pub fn apply(&self, source: &str) -> String {
        apply_edits(source, self.edits.iter())
    }
}

/// Applies non-overlapping edits to `source`, whatever their order.
pub fn apply_edits<'a>(source: &str, edits: impl Iterator<Item = &'a Edit>) -> String {
    let mut edits: Vec<&Edit> = edits.collect();
    edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    for edit in edits {
        out.push_str(&source[at..edit.range.start]);
        out.push_str(&edit.text);
        at = edit.range.end;
    }
    out.push_str(&source[at..]);
    out
}
