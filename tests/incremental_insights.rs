//! The insights computed with the previous version's cache equal fresh ones,
//! whatever the edits.
//!
//! `insights_cached` reuses each async function's retention and rejections
//! while its text and the facts it asked about are unchanged. These tests
//! start from the repository's JavaScript examples, make random edits through
//! `Document::apply_change`, and after every edit compare the insights
//! computed with the cache with a fresh computation: every field of the
//! insights (their `Debug` text), then what the editor shows from them, the
//! hover at each await and function head, the inlay hints and the code lenses.
//! Before that, as the server does for a hover that comes before the whole
//! insights, what answers it ahead of them (`ahead_at`: the insights of the
//! function there, or the syntax alone where the insights have no hover) is
//! computed with the same cache, and compared with the whole insights' part
//! for the function and with their hover; on every function of every
//! example, and at every token of every example, valid and with a syntax
//! error, too.

#[path = "support/edit_corpus.rs"]
mod edit_corpus;

use edit_corpus::{cases, change, documents, example, joined, step};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestRunner;
use ticklens::analysis::insights::{self, Ahead, Insights, InsightsCache};
use ticklens::analysis::modules::ImportedNames;
use ticklens::document::Document;
use ticklens::engine::ModuleKind;
use ticklens::ide;
use ticklens::line_index::Encoding;

fn cached(doc: &Document, cache: &mut InsightsCache) -> Insights {
    insights::insights_cached(
        (doc.text(), doc.written()),
        doc.tree(),
        ModuleKind::CommonJs,
        &ImportedNames::default(),
        cache,
    )
}

/// What the editor shows from `insights`: hovers, inlay hints, lenses.
fn shown(doc: &Document, insights: &Insights) -> String {
    let places = insights.functions.iter().flat_map(|function| {
        let awaits = function.awaits.iter().map(|at| at.range.start);
        std::iter::once(function.head.start).chain(awaits)
    });
    let hovers: Vec<_> = places
        .map(|at| ide::hover(doc.text(), doc.tree(), Some(insights), at).map(|h| h.markdown))
        .collect();
    let hints = ide::inlay_hints(insights, 0..doc.text().len());
    let lenses = ide::code_lenses(insights);
    format!("{hovers:#?}\n{hints:#?}\n{lenses:#?}")
}

/// What answers a hover at `offset` ahead of the whole insights, as a hover
/// right after an edit asks for it.
fn ahead_at(doc: &Document, cache: &mut InsightsCache, offset: usize) -> Option<Ahead> {
    insights::ahead_at(
        (doc.text(), doc.written()),
        doc.tree(),
        ModuleKind::CommonJs,
        &ImportedNames::default(),
        cache,
        offset,
    )
}

/// The places a hover asks about in `insights`: each function's head and
/// each of its awaits and yields, and the start of the text.
fn hover_places(insights: &Insights) -> Vec<usize> {
    let mut places = vec![0];
    for function in &insights.functions {
        places.push(function.head.start);
        places.extend(function.awaits.iter().map(|at| at.range.start));
        places.extend(function.yields.iter().map(|at| at.range.start));
    }
    places
}

/// What answers ahead at `offset` (computed with `cache`) agrees with
/// `whole`: the function's insights are the part of `whole` for the
/// function there (which must be given where `whole` has one), and a hover
/// answered ahead is `whole`'s. Returns what answered.
fn check_ahead_at(
    doc: &Document,
    cache: &mut InsightsCache,
    whole: &Insights,
    offset: usize,
    context: &str,
) -> &'static str {
    let ahead = ahead_at(doc, cache, offset);
    let alone = match &ahead {
        Some(Ahead::Function(function)) => Some(&**function),
        _ => None,
    };
    if alone.is_some() || whole.function_at(offset).is_some() {
        assert_eq!(
            format!("{alone:#?}"),
            format!("{:#?}", whole.function_at(offset)),
            "the function at {offset} alone and in the whole insights differ after {context}"
        );
    }
    match ide::hover_ahead(doc.text(), doc.tree(), ahead.as_ref(), offset) {
        Some(answer) => {
            assert_eq!(
                answer,
                ide::hover(doc.text(), doc.tree(), Some(whole), offset),
                "the hover at {offset} after {context}, answered ahead by {ahead:?}"
            );
            match ahead {
                Some(Ahead::Function(_)) => "function",
                _ => "syntax",
            }
        }
        None => "waited",
    }
}

/// Places in `text` a hover may ask about whatever its insights hold: the
/// start of each `await` and `async`, and every 23rd byte, at most `limit`
/// of them, spread over the text.
fn text_places(text: &str, limit: usize) -> Vec<usize> {
    let mut places: Vec<usize> = text
        .match_indices("await")
        .chain(text.match_indices("async"))
        .map(|(at, _)| at)
        .chain((0..text.len()).step_by(23))
        .filter(|&at| text.is_char_boundary(at))
        .collect();
    places.sort_unstable();
    places.dedup();
    let step = places.len().div_ceil(limit.max(1)).max(1);
    places.into_iter().step_by(step).collect()
}

fn check_equal(doc: &Document, cache: &mut InsightsCache, context: &str) {
    let fresh = insights::insights(doc.text(), doc.tree(), ModuleKind::CommonJs);
    // What the server does on a hover before the version's insights are
    // ready: the hovered function first, from the previous version's cache
    // (then from the cache that computation left), then the whole insights
    // with it, which must still equal fresh ones.
    // Places in the text too: after an edit that leaves a syntax error,
    // the insights have no function, and the syntax alone answers.
    let places = hover_places(&fresh);
    let picked = [0, places.len() / 2, places.len() - 1].map(|at| places[at]);
    for at in picked.into_iter().chain(text_places(doc.text(), 6)) {
        check_ahead_at(doc, cache, &fresh, at, context);
    }
    check_whole(doc, cache, &fresh, context);
}

/// The whole insights computed with `cache` equal `fresh` ones.
fn check_whole(doc: &Document, cache: &mut InsightsCache, fresh: &Insights, context: &str) {
    let with_cache = cached(doc, cache);
    let (with_cache_fields, fresh_fields) = (format!("{with_cache:#?}"), format!("{fresh:#?}"));
    if with_cache_fields != fresh_fields {
        let first = with_cache_fields
            .lines()
            .zip(fresh_fields.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        let near = |text: &str| {
            text.lines()
                .skip(first.saturating_sub(5))
                .take(12)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "cached and fresh insights differ after {context}, at line {first} of their Debug text:\n\
             cached:\n{}\nfresh:\n{}",
            near(&with_cache_fields),
            near(&fresh_fields)
        );
    }
    assert_eq!(
        shown(doc, &with_cache),
        shown(doc, fresh),
        "after {context}"
    );
}

/// `cases` runs, each editing the document `source` picks by random steps
/// and comparing after each step.
fn check_random_edits(cases: u32, max_steps: usize, source: impl Fn(Index) -> String) {
    let mut runner = TestRunner::new(ProptestConfig {
        cases,
        ..ProptestConfig::default()
    });
    let strategy = (any::<Index>(), prop::collection::vec(step(), 1..max_steps));
    let outcome = runner.run(&strategy, |(pick, steps)| {
        let mut cache = InsightsCache::default();
        edit_corpus::edit_and_check(source(pick), &steps, |doc, context| {
            check_equal(doc, &mut cache, context)
        });
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

#[test]
fn cached_insights_of_each_example_equal_fresh_ones() {
    check_random_edits(cases(), 12, example);
}

#[test]
fn cached_insights_of_the_joined_examples_equal_fresh_ones() {
    check_random_edits(cases().div_ceil(16), 6, |_| joined());
}

#[test]
fn an_edit_inside_one_function_computes_that_function_only() {
    let source = "async function save(x) {\n  try { await db.put(x); } catch {}\n}\n\
                  async function load(id) {\n  const row = await db.get(id);\n  return row;\n}\n\
                  async function main() {\n  await save(1);\n  const v = await load(2);\n  return v;\n}\n";
    let mut doc = Document::new(source.to_owned(), 1);
    let mut cache = InsightsCache::default();
    cached(&doc, &mut cache);
    assert_eq!((cache.last_reused, cache.last_computed), (0, 3));

    // Inside `load`: `save` and `main` are reused, moved where they are now.
    let at = source.find("return row").expect("in the source");
    doc.apply_change(&change(&doc, at..at, "row; "), Encoding::Utf16)
        .expect("edit");
    cached(&doc, &mut cache);
    assert_eq!((cache.last_reused, cache.last_computed), (2, 1));
    let again = cached(&doc, &mut cache);
    assert_eq!((cache.last_reused, cache.last_computed), (3, 0));
    let rejections_of_main = |insights: &Insights| {
        let main = insights.functions.iter().find(|f| f.name == "main");
        format!("{:?}", main.expect("`main` is async").rejected_by)
    };

    // `save` can reject now (its `await` is no longer caught): `main`, which
    // asked whether `save(1)` can reject, is computed again, though its text
    // is the same, and `await save(1)` now rejects it.
    let at = doc.text().find("try {").expect("in the source");
    let end = doc.text().find("catch {}").expect("in the source") + "catch {}".len();
    doc.apply_change(&change(&doc, at..end, "await db.put(x);"), Encoding::Utf16)
        .expect("edit");
    let after = cached(&doc, &mut cache);
    assert_eq!((cache.last_reused, cache.last_computed), (1, 2));
    assert_ne!(rejections_of_main(&after), rejections_of_main(&again));
    let fresh = insights::insights(doc.text(), doc.tree(), ModuleKind::CommonJs);
    assert_eq!(format!("{after:?}"), format!("{fresh:?}"));
}

/// A program whose run calls `main` (and through it `fetchAll` and `bump`),
/// while `load`, `save` and `retry` are only entered symbolically; `retry`'s
/// entry calls `bump` and `label` (which nothing else calls), and `save`'s
/// branches on its unknown argument.
const ENTRIES: &str = "function bump(x) { return x + 1; }\n\
    function label(x) { return 'try ' + x; }\n\
    async function fetchAll(n) { await null; return bump(n); }\n\
    async function load(id) { const row = await db.get(id); await null; return row; }\n\
    async function save(x) { if (x.ok) { await null; } await db.put(x); return 1; }\n\
    async function retry(f) { await null; bump(2); label(3); await f(); }\n\
    async function main() { await fetchAll(1); console.log('main'); }\n\
    main();\n";

/// Places of one-character edits inside `ENTRIES`'s functions, and which
/// entries each must run again: the edited one, and those that called it.
const EDITS: &[(&str, &str, &[&str])] = &[
    ("await db.get(id)", "await null; ", &["load"]),
    ("return 1", "await null; ", &["save"]),
    (
        "return x + 1",
        "x; ",
        &["retry", "fetchAll", "main", "load", "save"],
    ),
    (
        "console.log('main')",
        "await null; ",
        &["main", "fetchAll", "load", "save", "retry"],
    ),
    ("await db.put(x)", "await null; ", &["save"]),
];

/// The symbolic entries' records are reused across versions only where
/// nothing they depended on changed: an edit inside a function the program's
/// run did not call runs that function's entry again and reuses the others;
/// an edit of a function an entry called (`label`, called by `retry`'s entry)
/// runs that entry again; an edit of a function the program's run called
/// (`bump`, `main`) runs every entry again. Each result equals a fresh
/// computation.
///
/// The same when the cache was packed in between, as the server packs an
/// idle document's: the same entries run again.
#[test]
fn an_edit_runs_again_only_the_entries_that_ran_the_edited_code() {
    for (&(before, insert, run_again), pack) in
        EDITS.iter().flat_map(|edit| [(edit, false), (edit, true)])
    {
        let mut doc = Document::new(ENTRIES.to_owned(), 1);
        let mut cache = InsightsCache::default();
        cached(&doc, &mut cache);
        if pack {
            cache.pack();
            assert!(cache.entries.is_packed());
        }
        let entered = cache.entries.last_run;
        assert_eq!(cache.entries.last_reused, 0);
        assert_eq!(entered, 3, "`load`, `save` and `retry`");
        let at = ENTRIES.find(before).expect("in the source");
        doc.apply_change(&change(&doc, at..at, insert), Encoding::Utf16)
            .expect("edit");
        // The whole insights alone: the counts below are of their entries.
        let fresh = insights::insights(doc.text(), doc.tree(), ModuleKind::CommonJs);
        check_whole(
            &doc,
            &mut cache,
            &fresh,
            &format!("inserting `{insert}` before `{before}`"),
        );
        let (reused, run) = (cache.entries.last_reused, cache.entries.last_run);
        if run_again.contains(&"main") {
            // The program's run called the edited code: no entry is reused.
            assert_eq!((reused, run), (0, entered), "before `{before}`");
        } else {
            assert_eq!(run, run_again.len(), "before `{before}`");
            assert_eq!(reused, entered - run_again.len(), "before `{before}`");
        }
        // The same text again: every entry is reused.
        check_equal(&doc, &mut cache, "no edit");
        assert_eq!(cache.entries.last_reused, entered);
    }
}

/// Seeded random one-character edits inside the functions of a document of
/// many functions, each compared with a fresh computation after the edit and
/// after its undo, so that each version's entries are reused by the next
/// (every other one from a packed cache).
#[test]
fn seeded_edits_inside_functions_keep_cached_entries_equal_to_fresh_ones() {
    let mut source = String::new();
    for i in 0..12 {
        source.push_str(&format!(
            "function step{i}(x) {{ return x + {i}; }}\n\
             async function task{i}(a) {{ if (a.ready) {{ await null; }} const v = await step{i}(a); \
             await Promise.resolve(v); return v; }}\n"
        ));
    }
    source.push_str(
        "async function main() { await task0({ ready: true }); await task3(1); }\nmain();\n",
    );
    let mut seed: u64 = 0x5eed_2026_1206;
    let mut next = |bound: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % bound
    };
    let spots: Vec<usize> = source
        .match_indices("await ")
        .map(|(at, _)| at)
        .chain(source.match_indices("return ").map(|(at, _)| at))
        .collect();
    let mut doc = Document::new(source.clone(), 1);
    let mut cache = InsightsCache::default();
    check_equal(&doc, &mut cache, "the first version");
    let mut reused = 0;
    for round in 0..24 {
        let at = spots[next(spots.len())];
        let text = [" ", "0;", "await null;"][next(3)];
        doc.apply_change(&change(&doc, at..at, text), Encoding::Utf16)
            .expect("edit");
        check_equal(
            &doc,
            &mut cache,
            &format!("round {round}: `{text}` at {at}"),
        );
        reused += cache.entries.last_reused;
        // Every other version's cache packed, as an idle document's is.
        if round % 2 == 1 {
            cache.pack();
        }
        doc.apply_change(&change(&doc, at..at + text.len(), ""), Encoding::Utf16)
            .expect("undo");
        check_equal(&doc, &mut cache, &format!("round {round}: its undo"));
        reused += cache.entries.last_reused;
    }
    assert!(reused > 0, "no entry was ever reused");
}

/// On every example, the insights of each function computed alone (what a
/// hover right after an edit gets first) are the whole insights' part for
/// that function, at its head and at each of its awaits and yields, from a
/// cache of the same text and from an empty one.
#[test]
fn the_insights_of_each_function_alone_equal_its_part_of_the_whole_ones() {
    let mut functions = 0;
    for source in documents() {
        let doc = Document::new(source, 1);
        let whole = insights::insights(doc.text(), doc.tree(), ModuleKind::CommonJs);
        let mut cache = InsightsCache::default();
        cached(&doc, &mut cache);
        for at in hover_places(&whole) {
            check_ahead_at(&doc, &mut cache, &whole, at, "opening");
        }
        if let Some(first) = whole.functions.first() {
            let mut empty = InsightsCache::default();
            check_ahead_at(&doc, &mut empty, &whole, first.head.start, "opening");
        }
        functions += whole.functions.len();
    }
    assert!(
        functions > 100,
        "only {functions} async functions in the examples"
    );
}

/// Leaf tokens' starts of `doc`'s tree.
fn token_starts(doc: &Document) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut cursor = doc.tree().walk();
    loop {
        let node = cursor.node();
        if node.child_count() == 0 {
            starts.push(node.start_byte());
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                starts.dedup();
                return starts;
            }
        }
    }
}

/// At every token of every example, a hover answered ahead of the whole
/// insights is theirs: as the example is, and with a syntax error inside its
/// first async function (an unclosed `(` after its first `await`, or at its
/// body's start), where the engine does not run and a function whose text
/// changed must not keep its old ticks. In the valid examples only the
/// places outside every async function are asked (those inside run the
/// engine, and are checked at each await and head above). The syntax alone
/// must answer two thirds of them, so the test cannot pass by waiting (the
/// others: dropped promises, and files the engine does not run whole).
#[test]
fn a_hover_answered_ahead_is_the_whole_insights_hover_at_every_token() {
    let mut answered: std::collections::BTreeMap<(&str, &str), usize> = Default::default();
    for source in documents() {
        let broken = source
            .find("await ")
            .map(|at| at + "await ".len())
            .or_else(|| {
                source
                    .find("async ")
                    .and_then(|at| source[at..].find('{').map(|b| at + b + 1))
            });
        let mut versions = vec![("valid", source.clone())];
        if let Some(at) = broken {
            versions.push((
                "syntax error",
                format!("{}({}", &source[..at], &source[at..]),
            ));
        }
        for (version, text) in versions {
            let doc = Document::new(text, 1);
            let whole = insights::insights(doc.text(), doc.tree(), ModuleKind::CommonJs);
            // The previous version's cache, as after an edit.
            let mut cache = InsightsCache::default();
            cached(&Document::new(source.clone(), 1), &mut cache);
            for at in token_starts(&doc) {
                if version == "valid" && whole.function_at(at).is_some() {
                    continue;
                }
                let by = check_ahead_at(&doc, &mut cache, &whole, at, version);
                *answered.entry((version, by)).or_default() += 1;
            }
        }
    }
    for version in ["valid", "syntax error"] {
        let of = |by| answered.get(&(version, by)).copied().unwrap_or(0);
        assert!(
            of("syntax") > 2 * of("waited"),
            "{version}: the syntax answered {} hovers, {} waited ({answered:?})",
            of("syntax"),
            of("waited")
        );
    }
}
