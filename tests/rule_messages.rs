//! What a Node developer reads from each rule: every finding a rule reports on
//! the flagged examples of its docs page (`docs/rules/<code>.md`, the blocks
//! tagged `js expect_diagnostic`), with its code, severity, position, the text
//! it highlights, its message and the titles of its fixes. One snapshot per
//! rule, reviewed by a person: a changed message shows up here as a diff.

use ticklens::driver::analyze_with;
use ticklens::rules::{doc_examples, Rule, ALL};
use ticklens::syntax;

/// The code blocks of a docs page tagged `js expect_diagnostic`, read the way
/// the docs-example test of the rule registry reads them.
fn flagged_examples(markdown: &str) -> Vec<String> {
    doc_examples(markdown)
        .into_iter()
        .filter_map(|(flagged, code)| flagged.then_some(code))
        .collect()
}

/// `line:column` (both from 1, the column in bytes) of `offset` in `source`.
fn position(source: &str, offset: usize) -> String {
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let column = offset - before.rfind('\n').map_or(0, |n| n + 1) + 1;
    format!("{line}:{column}")
}

/// The findings of `rule` on `example`, one block each.
fn rendered_findings(rule: &dyn Rule, example: &str) -> String {
    let tree = syntax::parse(example, None);
    let findings = analyze_with(example, &tree, &[rule]).findings;
    assert!(
        !findings.is_empty(),
        "{}: a flagged docs example reports nothing:\n{example}",
        rule.meta().code
    );
    let mut out = String::new();
    for finding in findings {
        out += &format!(
            "{} ({:?}) at {}-{}: `{}`\n  {}\n",
            finding.rule,
            finding.severity,
            position(example, finding.range.start),
            position(example, finding.range.end),
            &example[finding.range.clone()],
            finding.message,
        );
        for fix in &finding.fixes {
            out += &format!("  fix ({:?}): {}\n", fix.safety, fix.title);
        }
    }
    out
}

#[test]
fn every_rule_message_on_its_flagged_docs_examples() {
    for rule in ALL {
        let code = rule.meta().code;
        let path = format!("{}/../docs/rules/{code}.md", env!("CARGO_MANIFEST_DIR"));
        let markdown = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
        let examples = flagged_examples(&markdown);
        assert!(!examples.is_empty(), "{path}: no flagged example");
        let mut text = String::new();
        for example in &examples {
            text += &format!(
                "--- example\n{example}--- findings\n{}\n",
                rendered_findings(*rule, example)
            );
        }
        insta::assert_snapshot!(code, text);
    }
}
