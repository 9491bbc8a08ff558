//! Trigger words: the cheap text test that decides which rules examine a
//! document at all.

use std::sync::OnceLock;

use memchr::memmem::Finder;

use crate::syntax::roles::is_whole_word;
pub use crate::syntax::roles::Trigger;

use super::{Rule, ALL};

/// The rules of `rules` that may report in `source`: those with one of their
/// triggers in it. Each trigger is tested at most once, and only while some
/// rule it could trigger is still undecided; a test stops at the first
/// occurrence in the trigger's role.
pub fn triggered<'r>(source: &str, rules: &[&'r dyn Rule]) -> Vec<&'r dyn Rule> {
    static FINDERS: OnceLock<Vec<(Trigger, Finder<'static>)>> = OnceLock::new();
    let finders = FINDERS.get_or_init(|| {
        let mut triggers: Vec<Trigger> = ALL
            .iter()
            .flat_map(|rule| rule.meta().triggers.iter().copied())
            .collect();
        triggers.sort_unstable();
        triggers.dedup();
        triggers
            .into_iter()
            .map(|trigger| (trigger, Finder::new(trigger.word())))
            .collect()
    });
    let source = source.as_bytes();
    let mut present: Vec<Option<bool>> = vec![None; finders.len()];
    let mut is_present =
        |trigger: Trigger| match finders.binary_search_by_key(&trigger, |(t, _)| *t) {
            Ok(at) => *present[at].get_or_insert_with(|| trigger.occurs_in(source, &finders[at].1)),
            Err(_) => trigger.occurs_in(source, &Finder::new(trigger.word())),
        };
    rules
        .iter()
        .copied()
        .filter(|rule| {
            rule.meta()
                .triggers
                .iter()
                .any(|&trigger| is_present(trigger))
        })
        .collect()
}

/// Whether a trigger word of one of `rules` is in `source` as a whole word,
/// in any role: what [`triggered`] finds in a text made from `source` by only
/// removing text (TypeScript's erased types, blanked) is mentioned here, so a
/// file without one needs no erasure to know it triggers nothing. (The roles
/// do not carry over: erasure turns `new Promise<T>(` into an operand.)
pub fn mentioned(source: &str, rules: &[&dyn Rule]) -> bool {
    let source = source.as_bytes();
    rules
        .iter()
        .flat_map(|rule| rule.meta().triggers)
        .any(|trigger| {
            let word = trigger.word();
            memchr::memmem::find_iter(source, word)
                .any(|start| is_whole_word(source, start..start + word.len()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes of the rules `source` triggers.
    fn codes(source: &str) -> Vec<&'static str> {
        triggered(source, ALL)
            .into_iter()
            .map(|rule| rule.meta().code)
            .collect()
    }

    /// Asserts each `(code, source)`: `source` triggers the rule `code`.
    fn assert_triggers(cases: &[(&str, &str)]) {
        for (code, source) in cases {
            assert!(codes(source).contains(code), "{code}: {source}");
        }
    }

    /// Asserts each of `sources` triggers no rule.
    fn assert_triggers_none(sources: &[&str]) {
        for source in sources {
            assert!(codes(source).is_empty(), "{source}: {:?}", codes(source));
        }
    }

    #[test]
    fn trigger_words_count_only_as_whole_words() {
        assert_triggers_none(&["const isAsync = asyncIterator; // awaited, Promises, thenable"]);
        assert_triggers(&[
            ("floating-promise", "x.then(f)"),
            ("needless-async", "async function f() {}"),
            ("await-in-loop", "await(x)"),
            ("floating-promise", "require('fs/promises')"),
            ("needless-async", "éasync function f() {}"),
        ]);
    }

    #[test]
    fn triggers_count_only_in_their_role() {
        assert_triggers_none(&[
            "// then we race to nextTick: fetch the data\n/** @returns {Promise} */",
            "return then(x)",
            "// create async chunks\nconst asyncLib = require('neo-async'); async\n",
            "const fetch = 1",
        ]);
        assert_triggers(&[
            ("floating-promise", "p.then(f)"),
            ("floating-promise", "p\n  .then(f)"),
            ("floating-promise", "p?.then(f)"),
            ("floating-promise", "p./* a comment */then(f)"),
            ("floating-promise", "p. // a comment\n  then(f)"),
            ("timeout-without-abort", "Promise\n  .race([a, b])"),
            ("prefer-queue-microtask", "process.nextTick(f)"),
            ("unbounded-fan-out", "Promise.all(xs.map(f))"),
            ("unbounded-fan-out", "Promise?.all(xs)"),
            ("unbounded-fan-out", "new Promise((resolve) => resolve())"),
            ("unbounded-fan-out", "Promise /* a comment */ .all(xs)"),
            ("floating-promise", "fetch (url)"),
            ("needless-async", "async function f() {}"),
            ("needless-async", "const f = async () => {};"),
            ("needless-async", "const f = async(x) => x;"),
            ("needless-async", "const f = async x => x;"),
            ("needless-async", "({ async load() {} })"),
            (
                "needless-async",
                "class A { async #load() {} async *[Symbol.asyncIterator]() {} }",
            ),
            ("needless-async", "({ async 'load'() {} })"),
            ("needless-async", "async /* a comment */ function f() {}"),
        ]);
    }

    #[test]
    fn a_constructed_name_follows_new_and_a_member_its_object() {
        let triggers = |code: &str, source: &str| codes(source).contains(&code);
        for source in [
            "new Promise((resolve) => resolve())",
            "new\n  Promise((resolve) => resolve())",
            "new /* a comment */ Promise(f)",
            "new Promise /* a comment */ (f)",
            "new // a comment\n  Promise(f)",
            // TypeScript erased: the type arguments are blanks.
            "new Promise      ((resolve) => resolve())",
        ] {
            assert!(triggers("promise-constructor-wrap", source), "{source}");
        }
        for source in [
            "Promise.resolve(x)",
            "x instanceof Promise",
            "Promise(x)",
            "const p = new MyPromise(f); Promise.all(ps)",
            "renew Promise",
        ] {
            assert!(!triggers("promise-constructor-wrap", source), "{source}");
        }
        for source in [
            "Promise.race([a, b])",
            "Promise?.race([a, b])",
            "Promise\n  .race([a, b])",
            "Promise /* a comment */ .race([a, b])",
            "Promise./* a comment */race([a, b])",
            "Promise. // a comment\n  race([a, b])",
            "Promise // a comment\n  .race([a, b])",
        ] {
            assert!(triggers("timeout-without-abort", source), "{source}");
        }
        for source in [
            "Effect.race(a, b)",
            "stream.race(x)",
            "MyPromise.race([a, b])",
            "(Promise).race([a, b])",
        ] {
            assert!(!triggers("timeout-without-abort", source), "{source}");
        }
    }

    #[test]
    fn a_trigger_word_in_any_role_is_mentioned_and_erasure_finds_no_other() {
        // Roles aside: a type's `Promise<T>` is no operand, but its erasure is.
        let written = "const p = new Promise<void>((r) => r());\n";
        assert!(!codes(written).contains(&"promise-constructor-wrap"));
        assert!(mentioned(written, ALL));
        let erased = "const p = new Promise      ((r) => r());\n";
        assert!(codes(erased).contains(&"promise-constructor-wrap"));
        // Whole words only, and only the given rules' words.
        assert!(!mentioned("const isAsync = awaitable.thenable;\n", ALL));
        assert!(!mentioned(
            "p.then(f);\n",
            &[&super::super::needless_async::NeedlessAsync]
        ));
        assert!(mentioned("p.then(f);\n", ALL));
    }
}
