//! The driver: runs the rules over a document and returns plain findings.
//!
//! It sits above the rules (it holds the registry's `rules::ALL` and builds
//! each unit's `RuleContext`) and below the editor and the command line, which
//! both call [`analyze`] and translate its byte ranges for their audience. It
//! splits a file into top-level units ([`units`]) and caches each unit's facts
//! and findings, applies the `ticklens-ignore-*` comments ([`suppression`]),
//! and reports a file that does not parse ([`syntax_error`]).

mod cancel;
mod suppression;
mod syntax_error;
pub mod units;

pub use cancel::CancelToken;
pub use syntax_error::{first_reason, refused, syntax_error, typescript_error};

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;
use std::time::Instant;

use thiserror::Error;
use tree_sitter::Tree;

use crate::analysis::lookups::Lookup;
use crate::analysis::modules::sole_bindings::{imported_promises, ImportedPromises};
use crate::analysis::modules::ImportedNames;
use crate::analysis::source_facts::{self, AsyncFacts, CompactFacts};
use crate::config::{Config, KnownRules, RuleLevel};
use crate::findings::Finding;
use crate::line_index::LineIndex;
use crate::rules::query_registry::query_set;
use crate::rules::{self, Rule, RuleContext};
use crate::syntax::{SyntaxIndex, Words};
use suppression::Suppressions;

/// Everything the analysis found in one document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analysis {
    /// Findings sorted by start offset, then rule code.
    pub findings: Vec<Finding>,
    /// Top-level units left unexamined because the time budget ran out; their
    /// findings are missing. 0 when the analysis is complete.
    pub skipped_units: usize,
    /// Whether a rule read a fact that other files' summaries or TypeScript
    /// declarations may decide ([`LookupLog::note_beyond_file`]): when not,
    /// the findings are the same whatever the file imports and declares.
    /// Meaningful for a one-shot analysis (an [`AnalysisCache`] reused
    /// across edits keeps the merged facts, and their log, of earlier runs).
    ///
    /// [`LookupLog::note_beyond_file`]: crate::analysis::lookups::LookupLog::note_beyond_file
    pub read_beyond_file: bool,
}

impl Analysis {
    /// Whether some part of the document was not examined (see [`analyze_within`]).
    pub fn is_partial(&self) -> bool {
        self.skipped_units > 0
    }
}

/// The analysis of a document panicked. The panic is contained so that one bad
/// document never takes down the server or stops `check` from finishing.
#[derive(Debug, Error)]
#[error("the analysis panicked: {message}")]
pub struct AnalysisPanic {
    pub message: String,
}

/// The registry's rules as reading a config knows them: their codes, and the
/// page that lists them.
pub fn known_rules() -> KnownRules<'static> {
    static CODES: OnceLock<Vec<&'static str>> = OnceLock::new();
    KnownRules {
        codes: CODES.get_or_init(|| rules::ALL.iter().map(|rule| rule.meta().code).collect()),
        index_url: rules::docs_index_url(),
    }
}

/// Runs every rule over `source`, whose parse is `tree`, with default settings.
pub fn analyze(source: &str, tree: &Tree) -> Analysis {
    analyze_configured(source, tree, rules::ALL, &Config::default())
}

/// Runs the given rules with default settings, each at its own severity:
/// a rule named here runs even when it is off by default.
pub fn analyze_with(source: &str, tree: &Tree, rules: &[&dyn Rule]) -> Analysis {
    let config = Config {
        rules: rules
            .iter()
            .map(|rule| (rule.meta().code.to_owned(), RuleLevel::On))
            .collect(),
        ..Config::default()
    };
    analyze_configured(source, tree, rules, &config)
}

/// Runs the given rules under `config`: rule levels, known-safe calls, and the
/// in-source `ticklens-ignore-*` comments.
pub fn analyze_configured(
    source: &str,
    tree: &Tree,
    rules: &[&dyn Rule],
    config: &Config,
) -> Analysis {
    analyze_incremental(source, tree, rules, config, &mut AnalysisCache::one_shot())
}

/// What [`analyze_incremental`] keeps between successive versions of one
/// document: per top-level unit, its async facts and its findings.
#[derive(Default)]
pub struct AnalysisCache {
    /// Boxed: the map is rebuilt on every run. The facts in it are
    /// [packed](UnitFacts::Packed).
    units: HashMap<u64, Box<CachedUnit>>,
    /// The file's facts (all units' merged), the hash of the units' facts
    /// fingerprints they were merged from, and their
    /// [answers fingerprint](AsyncFacts::answers_fingerprint).
    merged: Option<(u64, AsyncFacts, u64)>,
    /// Units examined afresh by the last run (the rest came from the cache).
    pub last_examined: usize,
    /// For a single run: keeps nothing, so it skips the fingerprints and the
    /// lookup log that only serve the next run.
    one_shot: bool,
    /// What the file's imports bring that its facts may trust (see
    /// [`AnalysisCache::set_imports`]); empty when they are not read.
    imported: ImportedPromises,
}

impl AnalysisCache {
    /// A cache for exactly one run (`check`, a test): the run costs less.
    pub fn one_shot() -> Self {
        Self {
            one_shot: true,
            ..Self::default()
        }
    }

    /// The names the document (`source`, parsed as `tree`) binds from other
    /// workspace files, for the next runs: the rules see an imported async
    /// function like one of the file's own.
    pub fn set_imports(&mut self, source: &str, tree: &Tree, imports: &ImportedNames) {
        self.imported = imported_promises(source, tree, imports);
    }
}

/// One unit of the current run: its cache key (none when it must not be
/// cached), what is known of it, and its index when one was built.
struct UnitState<'t> {
    key: Option<u64>,
    cached: Option<Box<CachedUnit>>,
    index: Option<SyntaxIndex<'t>>,
}

struct CachedUnit {
    facts: UnitFacts,
    facts_fingerprint: u64,
    /// The findings and what they were computed under; `None` when they
    /// still have to be computed.
    findings: Option<UnitFindings>,
}

/// A unit's facts: as this run computed them, or packed as the cache keeps
/// them between runs (a tenth of the memory: 1.7 MB of the 10,000-line
/// benchmark file's 2.4 MB cache were its units' `AsyncFacts`).
#[derive(Clone)]
enum UnitFacts {
    Computed(Box<AsyncFacts>),
    Packed(CompactFacts),
}

impl UnitFacts {
    fn merge_into(&self, facts: &mut AsyncFacts) {
        match self {
            UnitFacts::Computed(computed) => facts.merge(computed),
            UnitFacts::Packed(packed) => facts.merge_compact(packed),
        }
    }

    /// The facts as the cache keeps them.
    fn packed(self) -> Self {
        match self {
            UnitFacts::Computed(computed) => UnitFacts::Packed(computed.compact()),
            packed => packed,
        }
    }
}

/// A unit's findings, with ranges relative to the unit's start, and the
/// file-wide inputs they depend on.
#[derive(Clone)]
struct UnitFindings {
    /// The key of the rules and settings.
    settings: u64,
    /// The [answers fingerprint](AsyncFacts::answers_fingerprint) of the
    /// file's facts at the time.
    answers: u64,
    /// Each key the rules looked up in the file's facts, with its
    /// [answer](AsyncFacts::answer) at the time.
    lookups: Vec<(Lookup, u64)>,
    relative: Vec<Finding>,
}

impl UnitFindings {
    /// Whether these findings hold under `settings` and `facts`: the same
    /// rules and settings, and facts that answer every query the unit made
    /// as before (all of them alike, or at least the ones it asked).
    fn hold_under(&self, settings: u64, answers: u64, facts: &AsyncFacts) -> bool {
        self.settings == settings
            && (self.answers == answers
                || self
                    .lookups
                    .iter()
                    .all(|(lookup, answer)| facts.answer(lookup) == *answer))
    }
}

impl CachedUnit {
    /// A copy, for a second unit with the same text.
    fn duplicate(&self) -> Box<CachedUnit> {
        Box::new(CachedUnit {
            facts: self.facts.clone(),
            facts_fingerprint: self.facts_fingerprint,
            findings: self.findings.clone(),
        })
    }
}

/// Like [`analyze_configured`], re-examining only the top-level units (see
/// [`units`]) whose text changed since the run that filled `cache`, as long as
/// the file's async facts stayed the same. The result is always equal to a
/// fresh analysis: a unit's findings depend only on its text and the
/// file-wide inputs, and both are part of the cache keys.
pub fn analyze_incremental(
    source: &str,
    tree: &Tree,
    rules: &[&dyn Rule],
    config: &Config,
    cache: &mut AnalysisCache,
) -> Analysis {
    analyze_within(source, tree, rules, config, cache, None, None)
}

/// Like [`analyze_incremental`], but stops examining units once `deadline`
/// has passed (after at least one, so that repeated runs always progress):
/// the result is then [partial](Analysis::is_partial). What was examined is
/// cached, so the next run on the same text goes on where this one stopped.
/// It also stops once `cancel` is cancelled (a newer text superseded this
/// one): that partial result is meant to be dropped.
pub fn analyze_within(
    source: &str,
    tree: &Tree,
    rules: &[&dyn Rule],
    config: &Config,
    cache: &mut AnalysisCache,
    deadline: Option<Instant>,
    cancel: Option<&CancelToken>,
) -> Analysis {
    let mut rules = triggered_rules(source, rules, &cache.imported);
    // A rule `config` turns off reports nothing (`examine` skips it): a file
    // whose triggered rules are all off needs no units, index or facts.
    rules.retain(|rule| {
        let meta = rule.meta();
        config
            .severity_of(meta.code, meta.default_severity, meta.on_by_default)
            .is_some()
    });
    cache.last_examined = 0;
    if rules.is_empty() {
        cache.units.clear();
        return finish(source, tree, Vec::new(), 0);
    }
    let units = units::units(source, tree);
    let mut previous = std::mem::take(&mut cache.units);
    // Facts first: every unit's, from the cache or from its own index. A unit
    // with a syntax error is never cached: the same text can parse differently
    // in another context, and recovery is where that happens.
    let mut states: Vec<UnitState> = Vec::with_capacity(units.len());
    for unit in &units {
        let cacheable = !unit.has_error;
        let reused = if cacheable {
            previous.remove(&unit.key).or_else(|| {
                let earlier = states.iter().position(|s| s.key == Some(unit.key))?;
                states[earlier]
                    .cached
                    .as_ref()
                    .map(|cached| cached.duplicate())
            })
        } else {
            None
        };
        let state = match reused {
            Some(cached) => UnitState {
                key: Some(unit.key),
                cached: Some(cached),
                index: None,
            },
            None => {
                let index = SyntaxIndex::spanning(&unit.nodes, query_set());
                let facts = AsyncFacts::from_index(source, &index);
                UnitState {
                    key: cacheable.then_some(unit.key),
                    cached: Some(Box::new(CachedUnit {
                        facts_fingerprint: match cache.one_shot {
                            true => 0,
                            false => facts.fingerprint(),
                        },
                        facts: UnitFacts::Computed(Box::new(facts)),
                        findings: None,
                    })),
                    index: Some(index),
                }
            }
        };
        states.push(state);
    }
    // The file's facts: merged again only when some unit's facts changed.
    let mut facts_key = std::collections::hash_map::DefaultHasher::new();
    for state in &states {
        let cached = state.cached.as_ref().expect("every unit has facts");
        cached.facts_fingerprint.hash(&mut facts_key);
    }
    cache.imported.hash(&mut facts_key);
    let facts_key = facts_key.finish();
    let (facts, answers) = match cache.merged.take() {
        Some((key, facts, answers)) if key == facts_key => (facts, answers),
        _ => {
            let mut facts = AsyncFacts::default();
            for state in &states {
                let cached = state.cached.as_ref().expect("every unit has facts");
                cached.facts.merge_into(&mut facts);
            }
            facts.add_imported(&cache.imported);
            let answers = match cache.one_shot {
                true => 0,
                false => facts.answers_fingerprint(),
            };
            (facts, answers)
        }
    };
    // A unit's findings are reused while the rules and settings are the same
    // and the file's facts answer every query the unit made as before, even
    // when some unit's facts changed (a local, or an async function the unit
    // never mentions, renamed).
    let mut settings = std::collections::hash_map::DefaultHasher::new();
    for rule in &rules {
        rule.meta().code.hash(&mut settings);
    }
    format!("{config:?}").hash(&mut settings);
    // Whether the top level may await (ES-module syntax): a unit's misparsed
    // top-level awaits read differently when an `import` elsewhere changes it.
    let module_syntax = crate::syntax::await_lookup::has_module_syntax(tree);
    module_syntax.hash(&mut settings);
    // Whether the file holds promise code at all (prefer-queue-microtask
    // stays silent in a file without): an edit in one unit changes it for all.
    if source.contains("nextTick") {
        rules::orders_against_promises(source, tree).hash(&mut settings);
    }
    let settings = settings.finish();

    let words = Words::new(source, query_set().required_words());
    let mut findings = Vec::new();
    let mut skipped_units = 0;
    for (unit, state) in units.iter().zip(&mut states) {
        let range = unit.range();
        let cached = state.cached.as_mut().expect("every unit has facts");
        match &cached.findings {
            Some(held) if state.key.is_some() && held.hold_under(settings, answers, &facts) => {
                findings.extend(
                    held.relative
                        .iter()
                        .map(|f| f.shifted(range.start as isize)),
                );
            }
            _ if cancel.is_some_and(CancelToken::is_cancelled)
                || (cache.last_examined > 0
                    && deadline.is_some_and(|deadline| Instant::now() >= deadline)) =>
            {
                skipped_units += 1;
            }
            _ => {
                let index = state
                    .index
                    .take()
                    .unwrap_or_else(|| SyntaxIndex::spanning(&unit.nodes, query_set()));
                cache.last_examined += 1;
                let ctx = RuleContext::for_unit(
                    source,
                    tree,
                    config,
                    index,
                    module_syntax,
                    &words,
                    &facts,
                );
                if cache.one_shot {
                    findings.extend(examine(&ctx, &rules, config));
                    continue;
                }
                facts.lookups().start();
                let unit_findings = examine(&ctx, &rules, config);
                let lookups = facts.lookups().finish();
                // A finding reaching outside its unit is never reused.
                cached.findings = unit_findings
                    .iter()
                    .all(|f| f.lies_within(&range))
                    .then(|| UnitFindings {
                        settings,
                        answers,
                        lookups: lookups
                            .into_iter()
                            .map(|lookup| {
                                let answer = facts.answer(&lookup);
                                (lookup, answer)
                            })
                            .collect(),
                        relative: unit_findings
                            .iter()
                            .map(|f| f.shifted(-(range.start as isize)))
                            .collect(),
                    });
                findings.extend(unit_findings);
            }
        }
    }
    let read_beyond_file = facts.lookups().read_beyond_file();
    if !cache.one_shot {
        cache.units = states
            .into_iter()
            .filter_map(|state| {
                let key = state.key?;
                let mut cached = state.cached?;
                cached.facts = cached.facts.packed();
                Some((key, cached))
            })
            .collect();
        cache.merged = Some((facts_key, facts, answers));
    }

    Analysis {
        read_beyond_file,
        ..finish(source, tree, findings, skipped_units)
    }
}

/// The rules of `rules` that may report in `source`: those its trigger words
/// name, and when it imports promise functions, those an `async` modifier
/// triggers (a call of an imported async function is as much a promise as
/// one of the file's own).
fn triggered_rules<'r>(
    source: &str,
    rules: &[&'r dyn Rule],
    imported: &ImportedPromises,
) -> Vec<&'r dyn Rule> {
    let mut triggered = rules::triggered(source, rules);
    if !imported.is_empty() {
        let by_async = rules.iter().copied().filter(|rule| {
            rule.meta()
                .triggers
                .contains(&rules::Trigger::Modifier("async"))
                && !triggered.iter().any(|t| t.meta().code == rule.meta().code)
        });
        triggered.extend(by_async.collect::<Vec<_>>());
    }
    triggered
}

/// The rules that can report in a file holding no rule's trigger word, from
/// the promise functions it imports: a dropped call of one. `triggered_rules`
/// runs every rule an `async` modifier triggers on a file that imports
/// promise functions, but the others report at an `async` keyword of the
/// file's own (`async-array-callback`'s and `needless-async`'s callback,
/// `async-promise-executor`'s executor, `return-without-await-in-try`'s
/// function), which its text would hold.
const REPORT_IMPORTED_CALLS: [&str; 1] = ["floating-promise"];

/// Whether `config` turns on a rule that can report in a file holding no
/// rule's trigger word (see [`REPORT_IMPORTED_CALLS`]): only then does such
/// a file need its imports read, a parse and an analysis.
pub fn imports_may_report_untriggered(config: &Config) -> bool {
    rules::ALL.iter().any(|rule| {
        let meta = rule.meta();
        REPORT_IMPORTED_CALLS.contains(&meta.code)
            && config
                .severity_of(meta.code, meta.default_severity, meta.on_by_default)
                .is_some()
    })
}

/// What the rules `config` turns on that may run on `source` read beyond
/// its code ([`rules::Reads`]): the rules its trigger words name, and every
/// rule an `async` modifier triggers, which imported promise functions run
/// too ([`triggered_rules`]). A `check` gathers only these for the file: a
/// file whose rules read no summaries of other files binds no imports.
pub fn reads_beyond(source: &str, config: &Config) -> Vec<rules::Reads> {
    let enabled = enabled_rules(config);
    let by_async = enabled.iter().copied().filter(|rule| {
        rule.meta()
            .triggers
            .contains(&rules::Trigger::Modifier("async"))
    });
    let mut reads = Vec::new();
    for rule in rules::triggered(source, &enabled)
        .into_iter()
        .chain(by_async)
    {
        for read in rule.meta().reads {
            if !reads.contains(read) {
                reads.push(*read);
            }
        }
    }
    reads
}

/// The rules `config` turns on: the only ones whose trigger words make
/// `check` parse and analyse a file (docs/rules/syntax-error.md).
pub fn enabled_rules(config: &Config) -> Vec<&'static dyn Rule> {
    rules::ALL
        .iter()
        .copied()
        .filter(|rule| {
            let meta = rule.meta();
            config
                .severity_of(meta.code, meta.default_severity, meta.on_by_default)
                .is_some()
        })
        .collect()
}

/// Applies the `ticklens-ignore-*` comments to `findings`, adds a warning for
/// each code in them that names no rule, and sorts.
fn finish(source: &str, tree: &Tree, mut findings: Vec<Finding>, skipped_units: usize) -> Analysis {
    if has_suppression_comment(source) {
        let index = LineIndex::new(source);
        let suppressions = Suppressions::collect(source, tree, &index);
        findings.retain(|finding| !suppressions.silences(finding, source, &index));
        findings.extend(suppressions.unknown_rules());
    }
    findings.sort_by(|a, b| {
        (a.range.start, a.rule, a.range.end, &a.message).cmp(&(
            b.range.start,
            b.rule,
            b.range.end,
            &b.message,
        ))
    });
    Analysis {
        findings,
        skipped_units,
        read_beyond_file: false,
    }
}

/// Whether `source` may hold a `ticklens-ignore-*` comment (a text scan):
/// such a file can get findings even when no rule is triggered.
pub fn has_suppression_comment(source: &str) -> bool {
    Suppressions::mentioned(source)
}

/// Runs `rules` in one context, with the severities `config` sets.
fn examine(ctx: &RuleContext, rules: &[&dyn Rule], config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in rules {
        let meta = rule.meta();
        let Some(severity) =
            config.severity_of(meta.code, meta.default_severity, meta.on_by_default)
        else {
            continue;
        };
        let found = source_facts::running(meta.code, meta.reads, || rule.check(ctx));
        findings.extend(found.into_iter().map(|mut finding| {
            finding.severity = severity;
            finding
        }));
    }
    findings
}

/// Like [`analyze_configured`], with the names the file binds from other
/// workspace files, and a panic in a rule becomes an error value.
pub fn analyze_guarded(
    source: &str,
    tree: &Tree,
    rules: &[&dyn Rule],
    config: &Config,
    imports: &ImportedNames,
) -> Result<Analysis, AnalysisPanic> {
    contain_panic(|| {
        let mut cache = AnalysisCache::one_shot();
        cache.set_imports(source, tree, imports);
        analyze_incremental(source, tree, rules, config, &mut cache)
    })
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
    use crate::findings::Severity;
    use crate::rules::{Precision, RuleMeta, Trigger};
    use crate::syntax;

    struct Exploding;

    impl Rule for Exploding {
        fn meta(&self) -> &'static RuleMeta {
            &RuleMeta {
                code: "exploding",
                default_severity: Severity::Error,
                on_by_default: true,
                summary: "a rule that panics, to test containment",
                docs: "",
                fixes: &[],
                triggers: &[Trigger::Word("x")],
                reads: &[],
                precision: Precision {
                    tuning: "not measured",
                    held_out: None,
                    held_out_tests: None,
                    held_out_second: None,
                    typescript: None,
                },
                queries: &[],
            }
        }

        fn check(&self, _ctx: &RuleContext) -> Vec<Finding> {
            panic!("boom");
        }
    }

    #[test]
    fn every_rule_an_import_switches_on_is_known_to_need_its_keyword_or_to_read_imported_calls() {
        // `triggered_rules` adds the rules an `async` modifier triggers; a
        // new one must be judged: does it report without an `async` keyword
        // of the file's own? Then it belongs in REPORT_IMPORTED_CALLS.
        let mut switched_on: Vec<&str> = rules::ALL
            .iter()
            .map(|rule| rule.meta())
            .filter(|meta| meta.triggers.contains(&rules::Trigger::Modifier("async")))
            .map(|meta| meta.code)
            .collect();
        switched_on.sort_unstable();
        assert_eq!(
            switched_on,
            [
                "async-array-callback",
                "async-promise-executor",
                "floating-promise",
                "needless-async",
                "return-without-await-in-try"
            ]
        );
        assert!(!imports_may_report_untriggered(&Config::default()));
        let config = Config {
            rules: [("floating-promise".to_owned(), RuleLevel::On)]
                .into_iter()
                .collect(),
            ..Config::default()
        };
        assert!(imports_may_report_untriggered(&config));
    }

    #[test]
    fn a_panicking_rule_becomes_an_error_value() {
        let tree = syntax::parse("x", None);
        let err = analyze_guarded(
            "x",
            &tree,
            &[&Exploding],
            &Config::default(),
            &ImportedNames::default(),
        )
        .unwrap_err();
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
