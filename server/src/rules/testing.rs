//! Table-driven helpers the rule files use for their tests.

use super::Rule;
use crate::driver::analyze_with;
use crate::syntax;

/// Asserts `rule` reports nothing on each snippet.
pub fn assert_valid(rule: &dyn Rule, snippets: &[&str]) {
    for snippet in snippets {
        let tree = syntax::parse(snippet, None);
        let findings = analyze_with(snippet, &tree, &[rule]).findings;
        assert!(
            findings.is_empty(),
            "expected no finding in:\n{snippet}\ngot {findings:#?}"
        );
    }
}

/// The output of the first fix of the one finding in `before`, or `None` when
/// that finding has no fix. Asserts the fix has `safety`, parses cleanly, and
/// leaves nothing for the rule to report.
pub fn first_fix_output(
    rule: &dyn Rule,
    safety: crate::findings::FixSafety,
    before: &str,
) -> Option<String> {
    let tree = syntax::parse(before, None);
    let findings = analyze_with(before, &tree, &[rule]).findings;
    assert_eq!(findings.len(), 1, "expected one finding in:\n{before}");
    let fix = findings[0].fixes.first()?;
    assert_eq!(fix.safety, safety, "in:\n{before}");
    let fixed = fix.apply(before);
    let again = syntax::parse(&fixed, None);
    assert!(
        !again.root_node().has_error(),
        "fix output does not parse:\n{fixed}"
    );
    assert!(
        analyze_with(&fixed, &again, &[rule]).findings.is_empty(),
        "still flagged:\n{fixed}"
    );
    Some(fixed)
}

/// Asserts that the first fix in each `before` has `safety` and turns it into `after`.
pub fn assert_first_fix(
    rule: &dyn Rule,
    safety: crate::findings::FixSafety,
    cases: &[(&str, &str)],
) {
    for (before, after) in cases {
        let fixed = first_fix_output(rule, safety, before)
            .unwrap_or_else(|| panic!("no fix offered in:\n{before}"));
        assert_eq!(fixed, *after);
    }
}

/// Asserts `rule` reports on each snippet, with the highlighted text given.
pub fn assert_invalid(rule: &dyn Rule, cases: &[(&str, &str)]) {
    for (snippet, highlighted) in cases {
        let tree = syntax::parse(snippet, None);
        let findings = analyze_with(snippet, &tree, &[rule]).findings;
        assert_eq!(
            findings.len(),
            1,
            "expected one finding in:\n{snippet}\ngot {findings:#?}"
        );
        assert_eq!(
            &snippet[findings[0].range.clone()],
            *highlighted,
            "in:\n{snippet}"
        );
    }
}
