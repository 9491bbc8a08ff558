//! The analysis core: source text and its tree in, plain findings out.
//!
//! Nothing here knows about the Language Server Protocol or the command line;
//! both call [`analyze`] and translate its byte ranges for their audience.

pub mod async_facts;
pub mod dataflow;
mod finding;
pub mod fix_all;
pub mod hover;
pub mod insights;
mod suppression;

pub use finding::{apply_edits, Edit, Finding, Fix, FixSafety, Severity};

use std::panic::{catch_unwind, AssertUnwindSafe};

use thiserror::Error;
use tree_sitter::Tree;

use crate::config::Config;
use crate::line_index::LineIndex;
use crate::rules::{self, Rule, RuleContext};

use suppression::Suppressions;

/// Everything the analysis found in one document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analysis {
    /// Findings sorted by start offset, then rule code.
    pub findings: Vec<Finding>,
}

/// The analysis of a document panicked. The panic is contained so that one bad
/// document never takes down the server or stops `check` from finishing.
#[derive(Debug, Error)]
#[error("the analysis panicked: {message}")]
pub struct AnalysisPanic {
    pub message: String,
}

/// Runs every rule over `source`, whose parse is `tree`, with default settings.
pub fn analyze(source: &str, tree: &Tree) -> Analysis {
    analyze_configured(source, tree, rules::ALL, &Config::default())
}

/// Runs the given rules with default settings.
pub fn analyze_with(source: &str, tree: &Tree, rules: &[&dyn Rule]) -> Analysis {
    analyze_configured(source, tree, rules, &Config::default())
}

/// Runs the given rules under `config`: rule levels, known-safe calls, and the
/// in-source `ticklens-ignore-*` comments.
pub fn analyze_configured(
    source: &str,
    tree: &Tree,
    rules: &[&dyn Rule],
    config: &Config,
) -> Analysis {
    let rules = rules::triggered(source, rules);
    if rules.is_empty() {
        return Analysis::default();
    }
    let ctx = RuleContext::new(source, tree, config);
    let mut findings = Vec::new();
    for rule in rules {
        let meta = rule.meta();
        let Some(severity) = config.severity_of(meta.code, meta.default_severity) else {
            continue;
        };
        findings.extend(rule.check(&ctx).into_iter().map(|mut finding| {
            finding.severity = severity;
            finding
        }));
    }
    if !findings.is_empty() {
        let index = LineIndex::new(source);
        let suppressions = Suppressions::collect(source, tree, &index);
        findings.retain(|finding| !suppressions.silences(finding, source, &index));
    }
    findings.sort_by(|a, b| (a.range.start, a.rule).cmp(&(b.range.start, b.rule)));
    Analysis { findings }
}

/// Like [`analyze_configured`], but a panic in a rule becomes an error value.
pub fn analyze_guarded(
    source: &str,
    tree: &Tree,
    rules: &[&dyn Rule],
    config: &Config,
) -> Result<Analysis, AnalysisPanic> {
    contain_panic(|| analyze_configured(source, tree, rules, config))
}

/// Runs `work`, turning a panic into an [`AnalysisPanic`] so that one bad input
/// cannot take down its caller.
pub fn contain_panic<T>(work: impl FnOnce() -> T) -> Result<T, AnalysisPanic> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic payload".to_owned());
        AnalysisPanic { message }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleMeta;
    use crate::syntax;

    struct Exploding;

    impl Rule for Exploding {
        fn meta(&self) -> &'static RuleMeta {
            &RuleMeta {
                code: "exploding",
                default_severity: Severity::Error,
                summary: "a rule that panics, to test containment",
                triggers: &["x"],
                queries: &[],
            }
        }

        fn check(&self, _ctx: &RuleContext) -> Vec<Finding> {
            panic!("boom");
        }
    }

    #[test]
    fn a_panicking_rule_becomes_an_error_value() {
        let tree = syntax::parse("x", None);
        let err = analyze_guarded("x", &tree, &[&Exploding], &Config::default()).unwrap_err();
        assert_eq!(err.message, "boom");
    }

    #[test]
    fn findings_are_sorted_by_position() {
        let source = "new Promise(async () => {});\nnew Promise(async function () {});\n";
        let tree = syntax::parse(source, None);
        let analysis = analyze_with(source, &tree, &[&crate::rules::AsyncPromiseExecutor]);
        let starts: Vec<usize> = analysis.findings.iter().map(|f| f.range.start).collect();
        assert_eq!(starts.len(), 2);
        assert!(starts.windows(2).all(|w| w[0] <= w[1]));
    }
}
