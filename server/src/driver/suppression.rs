//! In-source suppressions:
//!
//! - `// ticklens-ignore-next-line [code ...]` silences the next line (all rules
//!   when no code is given);
//! - `// ticklens-ignore-file [code ...]` silences the whole file.
//!
//! Codes may be separated by spaces or commas; text after `--` is a free comment.
//! A code that names no rule silences nothing, and is reported as an
//! [`UNKNOWN_RULE`] warning on the code, so a typo does not pass unnoticed
//! (ESLint reports the same for its `eslint-disable` comments).

use std::ops::Range;

use tree_sitter::Tree;

use crate::line_index::{Encoding, LineIndex};
use crate::rules;
use crate::suggest;

use crate::findings::{Finding, Severity, UNKNOWN_RULE};

/// What every suppression comment contains.
const MARKER: &str = "ticklens-ignore";
const NEXT_LINE: &str = "ticklens-ignore-next-line";
const FILE: &str = "ticklens-ignore-file";

/// Which rules are silenced where.
#[derive(Debug, Default)]
pub struct Suppressions {
    /// (line, codes); empty codes silence every rule.
    lines: Vec<(u32, Vec<String>)>,
    file: Option<Vec<String>>,
    /// Codes that name no rule, with their byte ranges.
    unknown: Vec<(String, Range<usize>)>,
}

impl Suppressions {
    /// Whether `source` may hold a suppression at all (a quick text scan).
    pub fn mentioned(source: &str) -> bool {
        source.contains(MARKER)
    }

    /// Finds the suppression comments: each mention of `ticklens-ignore` in
    /// the text that lies in a comment (no walk over the whole tree).
    pub fn collect(source: &str, tree: &Tree, index: &LineIndex) -> Self {
        let mut found = Suppressions::default();
        let mut seen = None;
        for (at, _) in source.match_indices(MARKER) {
            let Some(node) = tree
                .root_node()
                .descendant_for_byte_range(at, at + MARKER.len())
            else {
                continue;
            };
            if node.kind() == "comment" && seen != Some(node.id()) {
                seen = Some(node.id());
                let text = &source[node.byte_range()];
                let body = text
                    .trim_start_matches("//")
                    .trim_start_matches("/*")
                    .trim_end_matches("*/")
                    .trim();
                let body = body.split("--").next().unwrap_or(body).trim();
                let body_start = node.start_byte() + offset_within(text, body);
                let directive = [NEXT_LINE, FILE]
                    .into_iter()
                    .find(|directive| body.starts_with(directive));
                let Some(directive) = directive else { continue };
                let codes_start = body_start + directive.len();
                let codes = parse_codes(&body[directive.len()..], codes_start);
                found.unknown.extend(
                    codes
                        .iter()
                        .filter(|(code, _)| !code.starts_with('\0') && !is_rule(code))
                        .cloned(),
                );
                let codes: Vec<String> = codes.into_iter().map(|(code, _)| code).collect();
                if directive == NEXT_LINE {
                    let line = index.position(source, node.end_byte(), Encoding::Utf8).line + 1;
                    found.lines.push((line, codes));
                } else {
                    match &mut found.file {
                        // An earlier file-wide suppression of everything stays.
                        Some(existing) if existing.is_empty() => {}
                        Some(existing) if !codes.is_empty() => existing.extend(codes),
                        _ => found.file = Some(codes),
                    }
                }
            }
        }
        found
    }

    pub fn silences(&self, finding: &Finding, source: &str, index: &LineIndex) -> bool {
        let covers = |codes: &[String]| codes.is_empty() || codes.iter().any(|c| c == finding.rule);
        if self.file.as_deref().is_some_and(covers) {
            return true;
        }
        if self.lines.is_empty() {
            return false;
        }
        let line = index
            .position(source, finding.range.start, Encoding::Utf8)
            .line;
        self.lines
            .iter()
            .any(|(l, codes)| *l == line && covers(codes))
    }

    /// A warning for each code that names no rule, on the code.
    pub fn unknown_rules(&self) -> Vec<Finding> {
        self.unknown
            .iter()
            .map(|(code, range)| {
                let advice = match suggest::closest(code, rule_codes()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("the rules are listed at {}", rules::docs_index_url()),
                };
                Finding {
                    rule: UNKNOWN_RULE,
                    severity: Severity::Warning,
                    message: format!(
                        "This comment silences nothing: `{code}` is not a ticklens rule; {advice}"
                    ),
                    range: range.clone(),
                    fixes: Vec::new(),
                }
            })
            .collect()
    }
}

/// Where `part`, a slice of `whole` (as `trim` and `split` return), starts in it.
fn offset_within(whole: &str, part: &str) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

fn rule_codes() -> impl Iterator<Item = &'static str> {
    rules::ALL.iter().map(|rule| rule.meta().code)
}

fn is_rule(code: &str) -> bool {
    rule_codes().any(|known| known == code)
}

/// The codes after a directive, with their byte ranges (`text` starts at `at`).
fn parse_codes(text: &str, at: usize) -> Vec<(String, Range<usize>)> {
    // `ticklens-ignore-next-linefoo` is not a suppression of `foo`, nor a
    // mention of a rule to check: a code no rule has, silently.
    if !text.is_empty() && !text.starts_with([' ', '\t', ',']) {
        return vec![("\0no-rule".to_owned(), 0..0)];
    }
    let mut codes = Vec::new();
    let mut offset = 0;
    for piece in text.split([' ', '\t', ',']) {
        if !piece.is_empty() {
            codes.push((piece.to_owned(), at + offset..at + offset + piece.len()));
        }
        offset += piece.len() + 1;
    }
    codes
}

#[cfg(test)]
mod tests {
    use crate::driver::analyze_with;
    use crate::findings::{Finding, Severity, UNKNOWN_RULE};
    use crate::rules::AsyncPromiseExecutor;
    use crate::syntax;

    /// Findings of one rule, so that other rules on the same snippet do not count.
    fn count(source: &str) -> usize {
        findings(source)
            .iter()
            .filter(|finding| finding.rule == "async-promise-executor")
            .count()
    }

    fn findings(source: &str) -> Vec<Finding> {
        analyze_with(
            source,
            &syntax::parse(source, None),
            &[&AsyncPromiseExecutor],
        )
        .findings
    }

    const BAD: &str = "new Promise(async () => {});\n";

    #[test]
    fn next_line_silences_only_the_next_line() {
        assert_eq!(
            count(&format!(
                "// ticklens-ignore-next-line async-promise-executor\n{BAD}{BAD}"
            )),
            1
        );
        assert_eq!(count(&format!("// ticklens-ignore-next-line\n{BAD}")), 0);
        assert_eq!(
            count(&format!(
                "// ticklens-ignore-next-line await-in-loop\n{BAD}"
            )),
            1
        );
        assert_eq!(
            count(&format!(
                "/* ticklens-ignore-next-line async-promise-executor -- legacy */\n{BAD}"
            )),
            0
        );
    }

    #[test]
    fn file_suppression_silences_everywhere() {
        assert_eq!(
            count(&format!(
                "{BAD}// ticklens-ignore-file async-promise-executor\n{BAD}"
            )),
            0
        );
        assert_eq!(
            count(&format!("// ticklens-ignore-file await-in-loop\n{BAD}")),
            1
        );
    }

    #[test]
    fn a_prefix_of_the_directive_is_not_a_directive() {
        assert_eq!(count(&format!("// ticklens-ignore-next-lines\n{BAD}")), 1);
    }

    #[test]
    fn an_unknown_code_is_a_warning_on_the_code_and_silences_nothing() {
        let source = format!(
            "// ticklens-ignore-next-line floating-promises, async-promise-executor\n{BAD}"
        );
        let found = findings(&source);
        let unknown: Vec<&Finding> = found.iter().filter(|f| f.rule == UNKNOWN_RULE).collect();
        let [warning] = unknown[..] else {
            panic!("{found:?}")
        };
        assert_eq!(&source[warning.range.clone()], "floating-promises");
        assert_eq!(warning.severity, Severity::Warning);
        let hint = "did you mean `floating-promise`?";
        assert!(warning.message.contains(hint), "{warning:?}");
        // The known code in the same comment still silences its rule.
        assert_eq!(count(&source), 0);
    }

    #[test]
    fn a_file_without_findings_still_gets_the_warning() {
        let found = findings("// ticklens-ignore-file no-such-rule\nlet x = 1;\n");
        let [warning] = &found[..] else {
            panic!("{found:?}")
        };
        assert_eq!(warning.rule, UNKNOWN_RULE);
        assert!(warning.message.contains("docs/rules"), "{warning:?}");
    }

    #[test]
    fn a_directive_glued_to_a_word_is_not_checked_for_codes() {
        assert!(findings("// ticklens-ignore-next-lines\nlet x = 1;\n").is_empty());
    }
}
