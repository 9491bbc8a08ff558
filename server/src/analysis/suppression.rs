//! In-source suppressions:
//!
//! - `// ticklens-ignore-next-line [code ...]` silences the next line (all rules
//!   when no code is given);
//! - `// ticklens-ignore-file [code ...]` silences the whole file.
//!
//! Codes may be separated by spaces or commas; text after `--` is a free comment.

use tree_sitter::Tree;

use crate::line_index::{Encoding, LineIndex};

use super::Finding;

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
                let body = body.split("--").next().unwrap_or("").trim();
                if let Some(codes) = body.strip_prefix(NEXT_LINE) {
                    let line = index.position(source, node.end_byte(), Encoding::Utf8).line + 1;
                    found.lines.push((line, parse_codes(codes)));
                } else if let Some(codes) = body.strip_prefix(FILE) {
                    let codes = parse_codes(codes);
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
}

fn parse_codes(text: &str) -> Vec<String> {
    // `ticklens-ignore-next-linefoo` is not a suppression of `foo`.
    if !text.is_empty() && !text.starts_with([' ', '\t', ',']) {
        return vec!["\0no-rule".to_owned()];
    }
    text.split([' ', '\t', ','])
        .filter(|code| !code.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::analysis::analyze_with;
    use crate::rules::AsyncPromiseExecutor;
    use crate::syntax;

    /// Findings of one rule, so that other rules on the same snippet do not count.
    fn count(source: &str) -> usize {
        analyze_with(
            source,
            &syntax::parse(source, None),
            &[&AsyncPromiseExecutor],
        )
        .findings
        .len()
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
            count(&format!("// ticklens-ignore-next-line other-rule\n{BAD}")),
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
            count(&format!("// ticklens-ignore-file other-rule\n{BAD}")),
            1
        );
    }

    #[test]
    fn a_prefix_of_the_directive_is_not_a_directive() {
        assert_eq!(count(&format!("// ticklens-ignore-next-lines\n{BAD}")), 1);
    }
}
