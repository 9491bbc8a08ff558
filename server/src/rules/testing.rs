//! Table-driven helpers the rule files use for their tests.

use super::Rule;
use crate::driver::analyze_with;
use crate::findings::Finding;
use crate::syntax;

/// What `rule` alone reports on `source`.
pub fn findings_in(rule: &dyn Rule, source: &str) -> Vec<Finding> {
    let tree = syntax::parse(source, None);
    analyze_with(source, &tree, &[rule]).findings
}

/// What `rule` alone reports on the TypeScript `source`, its types erased
/// and its declared types read, as `check` and the server read a `.ts` file:
/// the rules run on the erased text's tree and read the text as written.
pub fn typescript_findings_in(rule: &dyn Rule, source: &str) -> Vec<Finding> {
    use crate::analysis::declared_types::DeclaredTypes;
    use crate::analysis::modules::ImportedNames;
    let language = syntax::SourceLanguage::TypeScript(syntax::Dialect::TypeScript);
    let prepared = syntax::prepare(source, language);
    assert!(
        crate::driver::first_reason(source, &prepared).is_none(),
        "not TypeScript Node 24 runs:\n{source}"
    );
    let imports = ImportedNames {
        declared: DeclaredTypes::of(source, prepared.typescript.as_ref().expect("a tree")),
        ..ImportedNames::default()
    };
    let config = crate::config::Config {
        rules: [(rule.meta().code.to_owned(), crate::config::RuleLevel::On)]
            .into_iter()
            .collect(),
        ..crate::config::Config::default()
    };
    crate::driver::analyze_guarded(source, &prepared.tree, &[rule], &config, &imports)
        .expect("no panic")
        .findings
}

/// The message of the first finding `rule` reports on `source`.
pub fn first_message(rule: &dyn Rule, source: &str) -> String {
    let findings = findings_in(rule, source);
    let first = findings.into_iter().next();
    first
        .unwrap_or_else(|| panic!("no finding in:\n{source}"))
        .message
}

/// The one finding `rule` reports on `source`, asserting that it offers no fix.
pub fn only_finding_without_fix(rule: &dyn Rule, source: &str) -> Finding {
    let mut findings = findings_in(rule, source);
    assert_eq!(findings.len(), 1, "expected one finding in:\n{source}");
    assert!(findings[0].fixes.is_empty(), "unexpected fix in:\n{source}");
    findings.remove(0)
}

/// Asserts `rule` reports nothing on each snippet.
pub fn assert_valid(rule: &dyn Rule, snippets: &[&str]) {
    for snippet in snippets {
        let findings = findings_in(rule, snippet);
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
    let findings = findings_in(rule, before);
    assert_eq!(findings.len(), 1, "expected one finding in:\n{before}");
    let fix = findings[0].fixes.first()?;
    assert_eq!(fix.safety, safety, "in:\n{before}");
    let fixed = fix.apply(before);
    assert!(
        !syntax::parse(&fixed, None).root_node().has_error(),
        "fix output does not parse:\n{fixed}"
    );
    assert!(
        findings_in(rule, &fixed).is_empty(),
        "still flagged:\n{fixed}"
    );
    Some(fixed)
}

/// [`first_fix_output`] for TypeScript: the output must be TypeScript that
/// Node 24 would strip and run.
pub fn typescript_fix_output(
    rule: &dyn Rule,
    safety: crate::findings::FixSafety,
    before: &str,
) -> Option<String> {
    let findings = typescript_findings_in(rule, before);
    assert_eq!(findings.len(), 1, "expected one finding in:\n{before}");
    let fix = findings[0].fixes.first()?;
    assert_eq!(fix.safety, safety, "in:\n{before}");
    let fixed = fix.apply(before);
    assert!(
        typescript_findings_in(rule, &fixed).is_empty(),
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
        let findings = findings_in(rule, snippet);
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
