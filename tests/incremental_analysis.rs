//! The incremental analysis equals a fresh one, whatever the edits.
//!
//! `analyze_incremental` re-examines only the top-level units an edit touched
//! and reuses the findings of the others. These tests start from real documents
//! (every JavaScript example and fixture in the repository and the examples of
//! the rules' docs, joined into one file so units see each other's facts), make
//! random edits through `Document::apply_change`, and after every edit compare
//! the incremental findings — ranges, messages, fixes — with a fresh analysis
//! of the same text.

#[path = "support/edit_corpus.rs"]
mod edit_corpus;

use edit_corpus::{cases, change, example, joined, step, Step};
use proptest::prelude::*;
use proptest::sample::Index;
use ticklens::config::{Config, RuleLevel};
use ticklens::document::Document;
use ticklens::driver::{analyze_incremental, analyze_with, analyze_within, AnalysisCache};
use ticklens::line_index::Encoding;
use ticklens::rules;

/// Every rule switched on, those off by default too, so that each edit is
/// checked against all of them.
fn every_rule_on() -> Config {
    Config {
        rules: rules::ALL
            .iter()
            .map(|rule| (rule.meta().code.to_owned(), RuleLevel::On))
            .collect(),
        ..Config::default()
    }
}

fn check_equal(doc: &Document, cache: &mut AnalysisCache, context: &str) {
    let config = every_rule_on();
    let incremental = analyze_incremental(doc.text(), doc.tree(), rules::ALL, &config, cache);
    let fresh = analyze_with(doc.text(), doc.tree(), rules::ALL);
    if incremental.findings != fresh.findings {
        let only_incremental: Vec<_> = incremental
            .findings
            .iter()
            .filter(|f| !fresh.findings.contains(f))
            .collect();
        let only_fresh: Vec<_> = fresh
            .findings
            .iter()
            .filter(|f| !incremental.findings.contains(f))
            .collect();
        let count = |findings: &[ticklens::findings::Finding], f: &ticklens::findings::Finding| {
            findings.iter().filter(|g| *g == f).count()
        };
        let first_difference: Vec<_> = incremental
            .findings
            .iter()
            .filter(|f| count(&incremental.findings, f) != count(&fresh.findings, f))
            .map(|f| {
                (
                    f,
                    count(&incremental.findings, f),
                    count(&fresh.findings, f),
                )
            })
            .collect();
        panic!(
            "incremental and fresh analyses differ after {context}\n\
             only incremental: {only_incremental:#?}\nonly fresh: {only_fresh:#?}\n\
             counts: {} incremental, {} fresh; first difference in order: {first_difference:#?}",
            incremental.findings.len(),
            fresh.findings.len()
        );
    }
}

fn run(source: String, steps: &[Step]) {
    let mut cache = AnalysisCache::default();
    edit_corpus::edit_and_check(source, steps, |doc, context| {
        check_equal(doc, &mut cache, context)
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn incremental_analysis_of_one_joined_document_equals_a_fresh_one(
        steps in prop::collection::vec(step(), 1..25)
    ) {
        run(joined(), &steps);
    }

    #[test]
    fn incremental_analysis_of_each_example_equals_a_fresh_one(
        pick in any::<Index>(),
        steps in prop::collection::vec(step(), 1..15)
    ) {
        run(example(pick), &steps);
    }
}

#[test]
fn an_edit_inside_one_function_examines_that_function_only() {
    let source = "async function save(x) { await db.put(x); }\n\
                  async function load(id) { return db.get(id); }\n\
                  async function main() { save(1); const v = await load(2); }\n";
    let mut doc = Document::new(source.to_owned(), 1);
    let mut cache = AnalysisCache::default();
    let config = every_rule_on();
    let first = analyze_incremental(doc.text(), doc.tree(), rules::ALL, &config, &mut cache);
    assert_eq!(cache.last_examined, 3);
    assert_eq!(first.findings.len(), 1, "{:#?}", first.findings);

    // Inside `load`'s body: the facts stay the same, so only `load` is examined.
    let at = source.find("db.get").expect("in the source");
    doc.apply_change(&change(&doc, at..at, "await "), Encoding::Utf16)
        .expect("edit");
    let second = analyze_incremental(doc.text(), doc.tree(), rules::ALL, &config, &mut cache);
    assert_eq!(cache.last_examined, 1);
    assert_eq!(
        second.findings,
        analyze_with(doc.text(), doc.tree(), rules::ALL).findings
    );

    // Making `save` synchronous changes the facts: `save` itself and `main`,
    // which asked about `save`, are examined again (`load` never mentions
    // it), and the floating `save(1)` in `main` is no longer reported.
    let at = doc
        .text()
        .find("async function save")
        .expect("in the source");
    doc.apply_change(&change(&doc, at..at + "async ".len(), ""), Encoding::Utf16)
        .expect("edit");
    let third = analyze_incremental(doc.text(), doc.tree(), rules::ALL, &config, &mut cache);
    assert_eq!(cache.last_examined, 2);
    assert!(third.findings.iter().all(|f| f.rule != "floating-promise"));
    assert_eq!(
        third.findings,
        analyze_with(doc.text(), doc.tree(), rules::ALL).findings
    );
}

#[test]
fn an_analysis_out_of_time_is_partial_and_the_next_pass_goes_on() {
    let source = "async function a() { save(); }\nasync function save() {}\n\
                  async function b() { save(); }\nasync function c() { save(); }\n";
    let doc = Document::new(source.to_owned(), 1);
    let config = every_rule_on();
    let mut cache = AnalysisCache::default();
    let expired = Some(std::time::Instant::now());
    let mut passes = Vec::new();
    loop {
        let pass = analyze_within(
            doc.text(),
            doc.tree(),
            rules::ALL,
            &config,
            &mut cache,
            expired,
            None,
        );
        passes.push((cache.last_examined, pass.skipped_units));
        if !pass.is_partial() {
            assert_eq!(
                pass.findings,
                analyze_with(doc.text(), doc.tree(), rules::ALL).findings
            );
            break;
        }
        assert!(passes.len() < 10, "no progress: {passes:?}");
    }
    // Each pass examines one unit before it notices the deadline.
    assert_eq!(passes, vec![(1, 3), (1, 2), (1, 1), (1, 0)]);
}
