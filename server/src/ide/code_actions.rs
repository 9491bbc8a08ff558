//! Quick-fixes for the findings under a range: each finding's own fixes (the
//! first preferred), then a comment that suppresses it on its line.

use std::ops::Range;

use crate::findings::{Edit, Finding, UNKNOWN_RULE};

use super::fix_all::in_line_endings_of;

/// One quick-fix: a title and the edits that apply it, for one finding.
#[derive(Clone, Debug, PartialEq)]
pub struct QuickFix<'a> {
    /// The finding the fix is for (an editor shows the fix with its diagnostic).
    pub finding: &'a Finding,
    pub title: String,
    /// Byte-range edits of the document, line breaks written as the document writes them.
    pub edits: Vec<Edit>,
    /// Whether the editor may apply it without asking (each finding's first fix).
    pub preferred: bool,
}

/// The quick-fixes of every finding that touches `range` (ends included).
pub fn quick_fixes<'a>(
    source: &str,
    findings: &'a [Finding],
    range: Range<usize>,
) -> Vec<QuickFix<'a>> {
    findings
        .iter()
        .filter(|finding| finding.range.start <= range.end && range.start <= finding.range.end)
        .flat_map(|finding| fixes_of(source, finding))
        .collect()
}

/// Quick-fixes for one finding: its fixes (the first preferred), then a
/// suppression comment for the line.
fn fixes_of<'a>(source: &str, finding: &'a Finding) -> Vec<QuickFix<'a>> {
    let mut actions: Vec<QuickFix> = finding
        .fixes
        .iter()
        .enumerate()
        .map(|(i, fix)| QuickFix {
            finding,
            title: fix.title.clone(),
            edits: fix
                .edits
                .iter()
                .map(|edit| in_line_endings_of(source, edit))
                .collect(),
            preferred: i == 0,
        })
        .collect();
    // A comment naming no rule is fixed by editing it, not by another comment.
    if finding.rule == UNKNOWN_RULE {
        return actions;
    }
    actions.push(QuickFix {
        finding,
        title: format!("Ignore {} on this line", finding.rule),
        edits: vec![suppression_edit(source, finding)],
        preferred: false,
    });
    actions
}

/// Inserts `// ticklens-ignore-next-line <rule>` above the finding's line, indented like it.
fn suppression_edit(source: &str, finding: &Finding) -> Edit {
    let line_start = source[..finding.range.start]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    let indent: String = source[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let newline = if source.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    Edit {
        range: line_start..line_start,
        text: format!(
            "{indent}// ticklens-ignore-next-line {}{newline}",
            finding.rule
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Fix, FixSafety, Severity};

    fn finding(rule: &'static str, range: Range<usize>, fixes: Vec<Fix>) -> Finding {
        Finding {
            rule,
            severity: Severity::Warning,
            message: String::new(),
            range,
            fixes,
        }
    }

    #[test]
    fn a_finding_under_the_range_offers_its_fixes_then_a_suppression() {
        let source = "f();\n  g();\n";
        let fix = Fix {
            title: "Add void".to_owned(),
            safety: FixSafety::MarksIntent,
            edits: vec![Edit {
                range: 7..7,
                text: "void ".to_owned(),
            }],
        };
        let findings = [
            finding("floating-promise", 0..3, Vec::new()),
            finding("floating-promise", 7..10, vec![fix]),
        ];
        let fixes = quick_fixes(source, &findings, 8..8);
        let titles: Vec<(&str, bool)> = fixes
            .iter()
            .map(|fix| (fix.title.as_str(), fix.preferred))
            .collect();
        assert_eq!(
            titles,
            [
                ("Add void", true),
                ("Ignore floating-promise on this line", false)
            ]
        );
        assert!(fixes
            .iter()
            .all(|fix| std::ptr::eq(fix.finding, &findings[1])));
        assert_eq!(
            fixes[1].edits,
            [Edit {
                range: 5..5,
                text: "  // ticklens-ignore-next-line floating-promise\n".to_owned(),
            }]
        );
    }

    #[test]
    fn a_comment_naming_no_rule_is_not_suppressed_by_another() {
        let findings = [finding(UNKNOWN_RULE, 0..3, Vec::new())];
        assert!(quick_fixes("abc", &findings, 0..3).is_empty());
    }
}
