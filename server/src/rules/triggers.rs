//! Trigger words: the cheap text test that decides which rules examine a
//! document at all.

use std::sync::OnceLock;

use memchr::memmem::Finder;

pub use crate::syntax::roles::Trigger;

use super::{Rule, ALL};

/// The rules of `rules` that may report in `source`: those with one of their
/// triggers in it. Each trigger is tested at most once, and only while some
/// rule it could trigger is still undecided; a test stops at the first
/// occurrence in the trigger's role.
pub fn triggered<'r>(source: &str, rules: &[&'r dyn Rule]) -> Vec<&'r dyn Rule> {
    triggered_in(source, rules, Trigger::occurs_in)
}

/// [`triggered`] on the text a TypeScript file as written, `source`, erases
/// to, told without erasing it: every rule that text triggers is here (and
/// rarely one more: `Trigger::occurs_in_written`), so a file where none is
/// needs no erasure for its check.
pub fn triggered_as_written<'r>(source: &str, rules: &[&'r dyn Rule]) -> Vec<&'r dyn Rule> {
    triggered_in(source, rules, Trigger::occurs_in_written)
}

fn triggered_in<'r>(
    source: &str,
    rules: &[&'r dyn Rule],
    occurs_in: fn(Trigger, &[u8], &Finder) -> bool,
) -> Vec<&'r dyn Rule> {
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
    let mut is_present = |trigger: Trigger| match finders
        .binary_search_by_key(&trigger, |(t, _)| *t)
    {
        Ok(at) => *present[at].get_or_insert_with(|| occurs_in(trigger, source, &finders[at].1)),
        Err(_) => occurs_in(trigger, source, &Finder::new(trigger.word())),
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
        const WRAP: &str = "promise-constructor-wrap";
        const RACE: &str = "timeout-without-abort";
        assert_triggers(&[
            (WRAP, "new Promise((resolve) => resolve())"),
            (WRAP, "new\n  Promise((resolve) => resolve())"),
            (WRAP, "new /* a comment */ Promise(f)"),
            (WRAP, "new Promise /* a comment */ (f)"),
            (WRAP, "new // a comment\n  Promise(f)"),
            // TypeScript erased: the type arguments are blanks.
            (WRAP, "new Promise      ((resolve) => resolve())"),
            (RACE, "Promise.race([a, b])"),
            (RACE, "Promise?.race([a, b])"),
            (RACE, "Promise\n  .race([a, b])"),
            (RACE, "Promise /* a comment */ .race([a, b])"),
            (RACE, "Promise./* a comment */race([a, b])"),
            (RACE, "Promise. // a comment\n  race([a, b])"),
            (RACE, "Promise // a comment\n  .race([a, b])"),
        ]);
        // Other rules' words may be there (`Promise.resolve` is floating-promise's).
        for (code, source) in [
            (WRAP, "Promise.resolve(x)"),
            (WRAP, "x instanceof Promise"),
            (WRAP, "Promise(x)"),
            (WRAP, "const p = new MyPromise(f); Promise.all(ps)"),
            (WRAP, "renew Promise"),
            (RACE, "Effect.race(a, b)"),
            (RACE, "stream.race(x)"),
            (RACE, "MyPromise.race([a, b])"),
            (RACE, "(Promise).race([a, b])"),
        ] {
            assert!(!codes(source).contains(&code), "{code}: {source}");
        }
    }

    #[test]
    fn what_the_erased_text_triggers_the_text_as_written_triggers() {
        // Roles change with erasure: a type's `Promise<T>` is no operand, but
        // its erasure is. Each text is erased by the real erasure.
        let written_codes = |source: &str| -> Vec<&str> {
            triggered_as_written(source, ALL)
                .into_iter()
                .map(|rule| rule.meta().code)
                .collect()
        };
        for written in [
            "const p = new Promise<void>((r) => r());\n",
            "const p = new Promise<Map<string, number[]>>((r) => r(new Map()));\n",
            "const r = await fetch<Response>(url);\n",
            "const r = Promise!.race([a, b]);\n",
            "const r = Promise.race<number>([a, b]);\n",
            "const q = Promise as any\n(f);\n",
            "const q = Promise satisfies unknown\n.resolve(1);\n",
            "const f = async <T,>(x: T): Promise<T> => x;\n",
            "class A { async load<T>(): Promise<T> { return await this.x!.then(f); } }\n",
            "p!.then(f);\nprocess!.nextTick(f);\n",
            "const wait = (ms: number): Promise<void> => new Promise<void>((r) => setTimeout(r, ms));\n",
        ] {
            let tree = crate::syntax::Dialect::TypeScript.parse(written, None);
            let dialect = crate::syntax::Dialect::TypeScript;
            // Node's own stripping, and the grammar's erasure it falls back on.
            let erasure = crate::syntax::typescript::erase_as_node(written, dialect, &tree);
            let grammar = crate::syntax::typescript::erase(written, &tree);
            assert!(erasure.refusal.is_none() && grammar.refusal.is_none(), "{written}");
            let from_written = written_codes(written);
            let erased = codes(&erasure.text).into_iter().chain(codes(&grammar.text));
            for code in erased {
                assert!(
                    from_written.contains(&code),
                    "{code} in the erasure of {written:?} ({:?}), not in {from_written:?}",
                    erasure.text
                );
            }
        }
        // A type alone triggers nothing, as written or erased.
        let types =
            "interface Repo { load(): Promise<Row>; race: number }\nlet p: Promise<void>;\n";
        assert!(
            written_codes(types).is_empty(),
            "{:?}",
            written_codes(types)
        );
        // Only the given rules' words.
        assert!(triggered_as_written(
            "p.then(f);\n",
            &[&super::super::needless_async::NeedlessAsync]
        )
        .is_empty());
    }
}
