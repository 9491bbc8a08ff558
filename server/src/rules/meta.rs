//! What a rule declares about itself, in one `declare_rule!` block at the top
//! of its file: code, summary, docs (a Markdown file beside the rule, with the
//! examples a test runs), severity, whether it runs by default, the safety of
//! its fixes, its trigger words, its measured precision and its queries.
//! Everything else that describes a rule (`docs/rules/<code>.md`, the docs
//! index, the VS Code `ticklens.rules` schema, the rule table of Neovim's
//! help) is generated from it by the `rules::sourcegen` test.

use super::{Reads, Trigger};
use crate::findings::{FixSafety, Severity};
use crate::syntax::QueryFile;

/// A rule's identity and defaults.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable kebab-case code, also the name of `docs/rules/<code>.md`.
    pub code: &'static str,
    /// The severity the rule reports at when it runs and the config names no
    /// other: by default, or switched on with `"on"`.
    pub default_severity: Severity,
    /// False for a rule that is off by default (opt-in): it runs only when
    /// `ticklens.toml` or the editor's settings switch it on.
    pub on_by_default: bool,
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
    /// What the rule reads beyond the file's own code (none for most): a
    /// `check` gathers each only for a file one of its rules may run on.
    pub reads: &'static [Reads],
    /// How often its findings are right on real code (`docs/precision.md`),
    /// stated on its docs page.
    pub precision: Precision,
    /// The rule's own query files (shared ones live in `syntax::queries`).
    pub queries: &'static [&'static QueryFile],
}

/// A rule's measured precision, as `docs/precision.md` reports it.
#[derive(Clone, Copy, Debug)]
pub struct Precision {
    /// On the tuning corpus, the code the rules were tuned on (so likely
    /// better than on other code), in words: a figure, or why there is none.
    pub tuning: &'static str,
    /// On the library pool of the held-out corpus, the code nobody tuned
    /// on; `None` until measured. Decides whether the rule is on by default
    /// (see [`Precision::target`]).
    pub held_out: Option<Judged>,
    /// On the test-folder pool of the held-out corpus; `None` until measured.
    pub held_out_tests: Option<Judged>,
    /// On the library pool of the second held-out corpus, measured after
    /// the rule changes the first one's false positives led to; `None` until
    /// measured. When it judged a finding, it decides the default instead of
    /// [`Precision::held_out`] (see [`Precision::deciding`]).
    pub held_out_second: Option<Judged>,
    /// On the TypeScript held-out corpora (docs/precision.md), in words,
    /// corpus by corpus; `None` where no finding of the rule was judged
    /// there. Reported beside the JavaScript figures; the default does not
    /// follow it.
    pub typescript: Option<&'static str>,
}

/// Findings judged by reading the code, and how many of them were right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Judged {
    pub right: u32,
    pub judged: u32,
}

impl Judged {
    /// The share that was right, in whole percent (rounded down, so that a
    /// figure never reads as meeting a target it misses).
    pub fn percent(self) -> u32 {
        (self.right * 100).checked_div(self.judged).unwrap_or(0)
    }
}

impl Precision {
    /// The held-out figure the default follows: the latest measurement that
    /// judged a finding of the rule.
    pub fn deciding(&self) -> Option<Judged> {
        self.held_out_second
            .filter(|second| second.judged > 0)
            .or(self.held_out)
    }

    /// The held-out precision, in percent, a rule of `severity` must reach to
    /// stay on by default: 90 for warnings and errors, 80 for hints and infos.
    pub fn target(severity: Severity) -> u32 {
        match severity {
            Severity::Warning | Severity::Error => 90,
            Severity::Info | Severity::Hint => 80,
        }
    }
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
///         precision: { tuning: "no hits on the corpus", held_out: 3 of 3 },
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
            severity: $severity:ident, $(default: $default:ident,)? fixes: [$($fix:ident),* $(,)?],
            triggers: [$($role:ident($($word:literal),+)),* $(,)?],
            $(reads: [$($reads:ident),* $(,)?],)?
            precision: { tuning: $tuning:literal
                $(, held_out: $right:literal of $judged:literal)?
                $(, held_out_tests: $tests_right:literal of $tests_judged:literal)?
                $(, held_out_second: $second_right:literal of $second_judged:literal)?
                $(, typescript: $typescript:literal)? $(,)? }
            $(, queries: [$($query:ident($file:literal, [$($capture:literal),* $(,)?])),* $(,)?])? $(,)?
        }
    ) => {
        #[doc = include_str!($docs)]
        $vis struct $name;

        $($($crate::query_file!($query, $file, [$($capture),*]);)*)?

        static META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
            code: $code,
            default_severity: $crate::findings::Severity::$severity,
            on_by_default: $crate::rules::declare_rule!(@on_by_default $($default)?),
            summary: $summary,
            docs: include_str!($docs),
            fixes: &[$($crate::findings::FixSafety::$fix),*],
            triggers: &[$($crate::rules::Trigger::$role($($word),+)),*],
            reads: &[$($($crate::rules::Reads::$reads),*)?],
            precision: $crate::rules::Precision {
                tuning: $tuning,
                held_out: $crate::rules::declare_rule!(@judged $($right of $judged)?),
                held_out_tests: $crate::rules::declare_rule!(@judged $($tests_right of $tests_judged)?),
                held_out_second: $crate::rules::declare_rule!(@judged $($second_right of $second_judged)?),
                typescript: $crate::rules::declare_rule!(@text $($typescript)?),
            },
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
    (@on_by_default) => { true };
    (@on_by_default off) => { false };
    (@text) => { None };
    (@text $text:literal) => { Some($text) };
    (@judged) => { None };
    (@judged $right:literal of $judged:literal) => {
        Some($crate::rules::Judged { right: $right, judged: $judged })
    };
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

/// The TypeScript code blocks of a rule's docs, as [`doc_examples`] reads
/// the JavaScript ones: `ts expect_diagnostic` and `ts valid`. They are read
/// as TypeScript, with the file's declared types.
pub fn typescript_doc_examples(markdown: &str) -> Vec<(bool, String)> {
    let as_javascript = markdown
        .replace("```js expect_diagnostic", "```js ignored")
        .replace("```js valid", "```js ignored")
        .replace("```ts expect_diagnostic", "```js expect_diagnostic")
        .replace("```ts valid", "```js valid");
    doc_examples(&as_javascript)
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
    use super::{doc_examples, Judged, Precision};
    use crate::driver::analyze_with;
    use crate::findings::Severity;
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
            for (flagged, snippet) in super::typescript_doc_examples(&markdown) {
                let findings = typescript_findings(*rule, &snippet);
                assert_eq!(!findings.is_empty(), flagged, "{path}: example\n{snippet}");
            }
        }
    }

    /// The messages of `rule` in the TypeScript `snippet`, with its declared types.
    fn typescript_findings(rule: &dyn super::super::Rule, snippet: &str) -> Vec<String> {
        crate::rules::testing::typescript_findings_in(rule, snippet)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn typescript_docs_examples_name_the_declaration() {
        let code = |c: &str| ALL.iter().find(|r| r.meta().code == c).copied().unwrap();
        let floating = super::typescript_doc_examples(code("floating-promise").meta().docs);
        let (_, flagged) = floating.iter().find(|(f, _)| *f).unwrap();
        let messages = typescript_findings(code("floating-promise"), flagged);
        assert!(
            messages[0].contains(
                "It is a promise by its declared type: `repo.save` is declared to return \
                 `Promise<void>` by `UserRepo.save` at line 2."
            ),
            "{messages:?}"
        );
        let callbacks = super::typescript_doc_examples(code("async-array-callback").meta().docs);
        let (_, flagged) = callbacks.iter().find(|(f, _)| *f).unwrap();
        let messages = typescript_findings(code("async-array-callback"), flagged);
        assert!(
            messages[0].starts_with("`onDone` expects `() => void` for `callback` (line 1)"),
            "{messages:?}"
        );
    }

    /// `snippet` with type annotations written in: `: any` after each plain
    /// parameter and after each initialised `const`/`let`/`var` name (not in a
    /// loop head), and the inserts as `(offset, length)`.
    fn with_annotations(snippet: &str) -> (String, Vec<(usize, usize)>) {
        let tree = syntax::parse(snippet, None);
        let mut at = Vec::new();
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
            let parent = node.parent();
            let kind = parent.map(|parent| parent.kind());
            let annotate = match (node.kind(), kind) {
                ("identifier", Some("formal_parameters")) => true,
                ("identifier", Some("variable_declarator")) => {
                    let declarator = parent.expect("a parent");
                    declarator.child_by_field_name("name") == Some(node)
                        && declarator.child_by_field_name("value").is_some()
                        && declarator
                            .parent()
                            .and_then(|declaration| declaration.parent())
                            .is_none_or(|outer| outer.kind() != "for_in_statement")
                }
                _ => false,
            };
            if annotate {
                at.push(node.end_byte());
            }
        }
        at.sort_unstable();
        let mut typed = String::new();
        let mut copied = 0;
        for &offset in &at {
            typed.push_str(&snippet[copied..offset]);
            typed.push_str(": any");
            copied = offset;
        }
        typed.push_str(&snippet[copied..]);
        (typed, at.into_iter().map(|offset| (offset, 5)).collect())
    }

    /// Every docs example, with type annotations added and read as TypeScript
    /// (its types erased, as Node 24 runs it), gives the same findings at the
    /// same places.
    #[test]
    fn every_rules_docs_examples_hold_as_typescript() {
        let language = syntax::SourceLanguage::TypeScript(syntax::Dialect::TypeScript);
        let mut annotated = 0;
        for rule in ALL {
            for (_, snippet) in doc_examples(rule.meta().docs) {
                let (typed, inserts) = with_annotations(&snippet);
                annotated += usize::from(!inserts.is_empty());
                let shifted = |offset: usize| {
                    offset
                        + inserts
                            .iter()
                            .filter(|(at, _)| *at <= offset)
                            .map(|(_, len)| len)
                            .sum::<usize>()
                };
                let tree = syntax::parse(&snippet, None);
                let expected: Vec<(&str, usize)> = analyze_with(&snippet, &tree, &[*rule])
                    .findings
                    .iter()
                    .map(|finding| (finding.rule, shifted(finding.range.start)))
                    .collect();
                let prepared = syntax::prepare(&typed, language);
                assert!(
                    crate::driver::first_reason(&typed, &prepared).is_none(),
                    "{typed}"
                );
                // The rules read the text as written, on the erased text's tree.
                let found: Vec<(&str, usize)> = analyze_with(&typed, &prepared.tree, &[*rule])
                    .findings
                    .iter()
                    .map(|finding| (finding.rule, finding.range.start))
                    .collect();
                assert_eq!(
                    found,
                    expected,
                    "{}: as TypeScript\n{typed}",
                    rule.meta().code
                );
            }
        }
        assert!(
            annotated > 40,
            "only {annotated} examples got an annotation"
        );
    }

    #[test]
    fn no_rule_states_its_default_by_hand() {
        // The generated page states the default from `declare_rule!`, so that
        // switching a rule off by default is one change in one place.
        for rule in ALL {
            let meta = rule.meta();
            let stated = meta.docs.lines().find(|line| {
                let line = line.to_lowercase();
                !line.starts_with('#')
                    && ["default severity", "on by default", "off by default"]
                        .iter()
                        .any(|claim| line.contains(claim))
            });
            assert_eq!(
                stated, None,
                "the docs of {} state its default: the generated page does, from `declare_rule!`",
                meta.code
            );
        }
    }

    #[test]
    fn every_rule_on_by_default_meets_its_held_out_target() {
        for rule in ALL {
            let meta = rule.meta();
            // A rule with no finding in the held-out corpus has no figure to meet.
            let (Some(held_out @ Judged { judged: 1.., .. }), true) =
                (meta.precision.deciding(), meta.on_by_default)
            else {
                continue;
            };
            let target = Precision::target(meta.default_severity);
            assert!(
                held_out.percent() >= target,
                "{}: {}% on the held-out corpus, below the {target}% a {} rule needs to be on \
                 by default: add `default: off` to its `declare_rule!` block",
                meta.code,
                held_out.percent(),
                meta.default_severity.as_str()
            );
        }
    }

    #[test]
    fn judged_figures_round_down() {
        let judged = |right, judged| Judged { right, judged }.percent();
        assert_eq!(judged(17, 19), 89);
        assert_eq!(judged(18, 20), 90);
        assert_eq!(judged(0, 0), 0);
        assert_eq!(Precision::target(Severity::Warning), 90);
        assert_eq!(Precision::target(Severity::Hint), 80);
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
