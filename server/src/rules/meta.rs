//! What a rule declares about itself, in one `declare_rule!` block at the top
//! of its file: code, summary, docs (a Markdown file beside the rule, with the
//! examples a test runs), default severity, the safety of its fixes, its
//! trigger words and its queries.
//! Everything else that describes a rule (`docs/rules/<code>.md`, the docs
//! index, the VS Code `ticklens.rules` schema, the rule table of Neovim's
//! help) is generated from it by the `rules::sourcegen` test.

use super::Trigger;
use crate::findings::{FixSafety, Severity};
use crate::syntax::QueryFile;

/// A rule's identity and defaults.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable kebab-case code, also the name of `docs/rules/<code>.md`.
    pub code: &'static str,
    pub default_severity: Severity,
    /// One line for listings.
    pub summary: &'static str,
    /// The rule's documentation in Markdown, from the file its
    /// `declare_rule!` block names beside the rule
    /// (`server/src/rules/<rule_file>.md`): the body of
    /// `docs/rules/<code>.md` below its title.
    pub docs: &'static str,
    /// The safety of each kind of fix the rule offers, none when it offers
    /// no fix.
    pub fixes: &'static [FixSafety],
    /// Words without which the rule cannot report, each in the role the
    /// rule needs it in: a document where none of them appears so is not
    /// examined by this rule at all.
    pub triggers: &'static [Trigger],
    /// The rule's own query files (shared ones live in `syntax::queries`).
    pub queries: &'static [&'static QueryFile],
}

/// Declares a rule: its unit struct (documented by the docs file), its
/// query files, its `META`, the `Rule` impl that hands them out and calls the
/// module's `check`, and, for a rule whose fixes have one safety, the
/// `FIX_SAFETY` its fix constructors use. `docs` names the rule's Markdown
/// docs beside its file (`docs/rules/<code>.md` is generated from it), in the
/// style of clippy's `declare_clippy_lint!`; the prose lives in Markdown so
/// that the rule file holds the rule, and rustdoc shows the same text on the
/// struct. Each query is `NAME("file.scm", [captures the code asks for])`: a
/// `static` of that name for `queries/file.scm` (see `syntax::query_file!`);
/// a rule that reads only the shared queries of `syntax::queries` has no
/// `queries` field.
///
/// ```ignore
/// declare_rule! {
///     pub struct NeedlessAsync { code: "needless-async", docs: "needless_async.md",
///         summary: "an async callback that never awaits, mapped inside `Promise.all`",
///         severity: Hint, fixes: [ChangesBehaviour], triggers: [Modifier("async")],
///         queries: [NEEDLESS_ASYNC_CALLBACKS("needless-async-callbacks.scm", ["callback"])],
///     }
/// }
///
/// fn check(ctx: &RuleContext) -> Vec<Finding> { ... }
/// ```
macro_rules! declare_rule {
    (
        $vis:vis struct $name:ident { code: $code:literal, docs: $docs:literal,
            summary: $summary:literal,
            severity: $severity:ident, fixes: [$($fix:ident),* $(,)?],
            triggers: [$($role:ident($word:literal)),* $(,)?]
            $(, queries: [$($query:ident($file:literal, [$($capture:literal),* $(,)?])),* $(,)?])? $(,)?
        }
    ) => {
        #[doc = include_str!($docs)]
        $vis struct $name;

        $($($crate::query_file!($query, $file, [$($capture),*]);)*)?

        static META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
            code: $code,
            default_severity: $crate::findings::Severity::$severity,
            summary: $summary,
            docs: include_str!($docs),
            fixes: &[$($crate::findings::FixSafety::$fix),*],
            triggers: &[$($crate::rules::Trigger::$role($word)),*],
            queries: &[$($(&$query),*)?],
        };

        $crate::rules::declare_rule!(@fix_safety [$($fix),*]);

        impl $crate::rules::Rule for $name {
            fn meta(&self) -> &'static $crate::rules::RuleMeta {
                &META
            }

            fn check(&self, ctx: &$crate::rules::RuleContext) -> Vec<$crate::findings::Finding> {
                // The rule module's `check`, written below the block.
                check(ctx)
            }
        }
    };
    (@fix_safety [$safety:ident]) => {
        /// The safety of this rule's fixes, from its `declare_rule!` block.
        const FIX_SAFETY: $crate::findings::FixSafety = $crate::findings::FixSafety::$safety;
    };
    (@fix_safety [$($safety:ident),*]) => {};
}
pub(crate) use declare_rule;

/// The code blocks of a rule's docs, in order: `(true, code)` for one tagged
/// `js expect_diagnostic` (the rule must report on it), `(false, code)` for
/// one tagged `js valid` (it must not). The docs-example tests and the
/// message snapshots (`tests/rule_messages.rs`) read the examples here.
pub fn doc_examples(markdown: &str) -> Vec<(bool, String)> {
    let mut examples = Vec::new();
    let mut current: Option<(bool, String)> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```js expect_diagnostic") => current = Some((true, String::new())),
            (None, "```js valid") => current = Some((false, String::new())),
            (Some(_), "```") => examples.extend(current.take()),
            (Some((_, code)), text) => {
                code.push_str(text);
                code.push('\n');
            }
            (None, _) => {}
        }
    }
    examples
}

/// The link to a rule's documentation.
pub fn docs_url(code: &str) -> String {
    format!("https://github.com/ticklens/ticklens/blob/main/docs/rules/{code}.md")
}

/// The page listing every rule, for messages about a rule name that is not one.
pub fn docs_index_url() -> &'static str {
    "https://github.com/ticklens/ticklens/tree/main/docs/rules"
}

#[cfg(test)]
mod tests {
    use super::super::ALL;
    use super::doc_examples;
    use crate::driver::analyze_with;
    use crate::syntax;

    #[test]
    fn every_rule_has_a_docs_page_whose_examples_hold() {
        for rule in ALL {
            let code = rule.meta().code;
            let path = format!("{}/../docs/rules/{code}.md", env!("CARGO_MANIFEST_DIR"));
            let markdown =
                std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
            assert!(
                markdown.starts_with(&format!("# {code}\n")),
                "{path} must start with its code"
            );
            let examples = doc_examples(&markdown);
            assert!(
                examples.iter().any(|(flagged, _)| *flagged),
                "{path}: no flagged example"
            );
            assert!(
                examples.iter().any(|(flagged, _)| !*flagged),
                "{path}: no valid example"
            );
            for (flagged, snippet) in examples {
                let tree = syntax::parse(&snippet, None);
                let findings = analyze_with(&snippet, &tree, &[*rule]).findings;
                assert_eq!(!findings.is_empty(), flagged, "{path}: example\n{snippet}");
            }
        }
    }

    #[test]
    fn every_rule_states_its_default_severity_in_its_docs() {
        for rule in ALL {
            let meta = rule.meta();
            let stated = format!("Default severity: {}", meta.default_severity.as_str());
            assert!(
                meta.docs.contains(&stated),
                "the docs of {} must say `{stated}`",
                meta.code
            );
        }
    }

    #[test]
    fn every_fix_a_docs_example_gets_has_a_declared_safety() {
        for rule in ALL {
            let meta = rule.meta();
            for (_, snippet) in doc_examples(meta.docs) {
                let tree = syntax::parse(&snippet, None);
                for finding in analyze_with(&snippet, &tree, &[*rule]).findings {
                    for fix in &finding.fixes {
                        assert!(
                            meta.fixes.contains(&fix.safety),
                            "{}: a fix of safety {:?} is not declared in `fixes`:\n{snippet}",
                            meta.code,
                            fix.safety
                        );
                    }
                }
            }
        }
    }
}
