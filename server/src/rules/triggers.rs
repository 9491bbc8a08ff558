//! Trigger words: the cheap text test that decides which rules examine a
//! document at all.

use std::sync::OnceLock;

use memchr::memmem::Finder;

use super::{Rule, ALL};

/// A word a rule needs, and the role it must play in the text. Every test
/// is a whole-word search (`isAsync` holds no `async`) plus, but for
/// [`Trigger::Word`], a glance at the neighbouring bytes. The glance errs only one way: where a
/// comment could sit between the word and its neighbour, it lets the
/// document through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Trigger {
    /// Anywhere: a keyword or a name (`async`, `await`, `'fs/promises'`).
    Word(&'static str),
    /// A property read: after `.` or `?.` (`p.then`, `process.nextTick`).
    /// The word in a comment or in prose is not one.
    Property(&'static str),
    /// A name whose member is read or that is called or constructed:
    /// followed by `.`, `?.` or `(` (`Promise.all`, `new Promise(`,
    /// `fetch(`). `@returns {Promise}` in a comment is not one.
    Operand(&'static str),
    /// A modifier of a function (`async`): followed by `function`, by a
    /// parameter list, by one parameter and `=>`, or by a method's name and
    /// `(` (also `*`, `[`, `#` or a quote that starts one). `async chunks`
    /// in prose is not one, nor `neo-async` in a string.
    Modifier(&'static str),
}

impl Trigger {
    pub fn word(self) -> &'static str {
        match self {
            Trigger::Word(word)
            | Trigger::Property(word)
            | Trigger::Operand(word)
            | Trigger::Modifier(word) => word,
        }
    }

    /// Whether the word occurs in `source` in this role. `finder` searches
    /// for the word.
    fn occurs_in(self, source: &[u8], finder: &Finder) -> bool {
        let len = self.word().len();
        finder.find_iter(source).any(|start| {
            let word = start..start + len;
            is_whole_word(source, word.clone())
                && match self {
                    Trigger::Word(_) => true,
                    Trigger::Property(_) => follows_a_dot(source, word.start),
                    Trigger::Operand(_) => precedes_a_member_or_call(source, word.end),
                    Trigger::Modifier(_) => precedes_a_function(source, word.end),
                }
        })
    }
}

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

/// Whether the bytes at `word` are not part of a longer identifier: no ASCII
/// identifier character touches them. (A non-ASCII letter next to them
/// counts as a boundary, so such a word is still found: the test may only
/// ever let a document through.)
fn is_whole_word(source: &[u8], word: std::ops::Range<usize>) -> bool {
    let before = word.start.checked_sub(1).and_then(|at| source.get(at));
    !before.is_some_and(is_identifier_byte) && !source.get(word.end).is_some_and(is_identifier_byte)
}

/// An ASCII byte that can be part of an identifier.
fn is_identifier_byte(byte: &u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'$')
}

/// Whether a `.` (of `.` or `?.`) comes before `start`, whitespace aside; or
/// a comment could sit between them: the last byte before is the `/` of a
/// `*/`, or the word starts a line and the line before holds `//`.
fn follows_a_dot(source: &[u8], start: usize) -> bool {
    let before = &source[..start];
    let Some(at) = before.iter().rposition(|b| !b.is_ascii_whitespace()) else {
        return false;
    };
    match before[at] {
        b'.' => true,
        b'/' => at > 0 && before[at - 1] == b'*',
        // Some other space (a no-break space, a line separator) may precede.
        byte if !byte.is_ascii() => true,
        _ => {
            let line_start = before[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |n| n + 1);
            before[at..].contains(&b'\n')
                && memchr::memmem::find(&before[line_start..at], b"//").is_some()
        }
    }
}

/// Whether `.`, `?.` or `(` comes after `end`, whitespace aside; or a
/// comment could sit between them (the next byte is a `/`).
fn precedes_a_member_or_call(source: &[u8], end: usize) -> bool {
    source[end..]
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&byte| matches!(byte, b'.' | b'?' | b'(' | b'/') || !byte.is_ascii())
}

/// Whether what follows `end` can be the rest of a function after a
/// modifier: `function`, `(`, `*`, `[`, `#` or a digit (a method's key), a
/// quoted name followed by `(`, or a name followed by `=>` or `(`.
/// Whitespace aside; a `/` (a comment may start there) or a non-ASCII byte
/// lets the document through.
fn precedes_a_function(source: &[u8], end: usize) -> bool {
    let next_solid = |from: usize| {
        source[from..]
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map(|n| from + n)
    };
    let Some(at) = next_solid(end) else {
        return false;
    };
    match source[at] {
        b'(' | b'*' | b'[' | b'#' | b'/' | b'0'..=b'9' => true,
        // A quoted method name, `async 'load'() {}`: the quote closes on
        // the same line and `(` follows. (`'neo-async'` is not one.)
        quote @ (b'\'' | b'"') => {
            let line_end = memchr::memchr(b'\n', &source[at..]).map_or(source.len(), |n| at + n);
            memchr::memchr(quote, &source[at + 1..line_end])
                .and_then(|n| next_solid(at + 1 + n + 1))
                .is_some_and(|after| matches!(source[after], b'(' | b'/'))
        }
        byte if !byte.is_ascii() => true,
        byte if is_identifier_byte(&byte) => {
            let name_end = source[at..]
                .iter()
                .position(|b| !is_identifier_byte(b))
                .map_or(source.len(), |n| at + n);
            if &source[at..name_end] == b"function" {
                return true;
            }
            next_solid(name_end).is_some_and(|after| {
                let rest = &source[after..];
                rest.starts_with(b"=>") || matches!(rest[0], b'(' | b'/') || !rest[0].is_ascii()
            })
        }
        _ => false,
    }
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
