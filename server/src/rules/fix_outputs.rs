//! Test helpers the rule files share: what each fix of a rule's one finding
//! makes of a snippet.

use crate::findings::FixSafety;
use crate::syntax;

use super::testing::findings_in;
use super::Rule;

/// The output and safety of every fix of the one finding `rule` reports in
/// `source`, in order. Asserts each output parses.
pub fn fix_outputs_and_safety(rule: &dyn Rule, source: &str) -> Vec<(String, FixSafety)> {
    let findings = findings_in(rule, source);
    assert_eq!(findings.len(), 1, "{source}");
    findings[0]
        .fixes
        .iter()
        .map(|fix| {
            let out = fix.apply(source);
            assert!(
                !syntax::parse(&out, None).root_node().has_error(),
                "fix output does not parse:\n{out}"
            );
            (out, fix.safety)
        })
        .collect()
}

/// The output of every fix of the one finding `rule` reports in `source`, in
/// order. Asserts each fix changes behaviour and its output parses.
pub fn fix_outputs(rule: &dyn Rule, source: &str) -> Vec<String> {
    fix_outputs_and_safety(rule, source)
        .into_iter()
        .map(|(out, safety)| {
            assert_eq!(safety, FixSafety::ChangesBehaviour);
            out
        })
        .collect()
}

/// Asserts, for each `(before, afters)`, that the fixes of the one finding
/// `rule` reports in `before` change behaviour and make `afters`, in order.
pub fn assert_fix_outputs(rule: &dyn Rule, cases: &[(&str, &[&str])]) {
    for (before, afters) in cases {
        assert_eq!(fix_outputs(rule, before), *afters, "{before}");
    }
}
