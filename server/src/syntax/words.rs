//! Where words occur in one text, found by byte search on first use.
//!
//! A query file can declare words every match must contain (`; requires:
//! Promise race`, see [`super::QueryFile::requires`]); the syntax index then
//! runs the query only at candidate nodes whose text holds them all. In a
//! bundle where every call is a candidate for `Promise.race([...])`, that
//! leaves the few calls around the one `race`.

use std::ops::Range;
use std::sync::OnceLock;

use memchr::memmem;

/// The occurrences of each word asked about, in one text.
#[derive(Clone, Debug)]
pub struct Words<'s> {
    source: &'s str,
    /// Each word asked about, with the sorted byte offsets where it occurs.
    found: Vec<(&'static str, OnceLock<Vec<usize>>)>,
}

impl<'s> Words<'s> {
    /// Knows `words` (every word it will be asked about) in `source`.
    pub fn new(source: &'s str, words: &[&'static str]) -> Self {
        let mut words = words.to_vec();
        words.sort_unstable();
        words.dedup();
        Self {
            source,
            found: words.into_iter().map(|w| (w, OnceLock::new())).collect(),
        }
    }

    /// Whether `word` occurs wholly inside `range`. A word it was not built
    /// with counts as present: the answer only ever lets work be skipped.
    pub fn occurs_within(&self, word: &str, range: Range<usize>) -> bool {
        let Ok(at) = self.found.binary_search_by_key(&word, |(w, _)| w) else {
            return true;
        };
        let offsets = self.found[at]
            .1
            .get_or_init(|| memmem::find_iter(self.source.as_bytes(), word.as_bytes()).collect());
        let first = offsets.partition_point(|&offset| offset < range.start);
        offsets
            .get(first)
            .is_some_and(|&offset| offset + word.len() <= range.end)
    }

    /// Whether every one of `words` occurs inside `range`.
    pub fn all_within(&self, words: &[&str], range: Range<usize>) -> bool {
        words
            .iter()
            .all(|word| self.occurs_within(word, range.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_counts_only_when_it_lies_wholly_inside_the_range() {
        let source = "a(); Promise.race([x, y]); b();";
        let words = Words::new(source, &["race", "Promise"]);
        let call = source.find("Promise").unwrap()..source.find("])").unwrap() + 2;
        assert!(words.all_within(&["Promise", "race"], call.clone()));
        assert!(!words.occurs_within("race", 0..call.start + 10));
        assert!(!words.occurs_within("Promise", call.start + 1..source.len()));
        assert!(!words.occurs_within("race", call.end..source.len()));
    }

    #[test]
    fn a_word_it_was_not_told_about_counts_as_present() {
        let words = Words::new("abc", &["x"]);
        assert!(words.occurs_within("y", 0..1));
        assert!(!words.occurs_within("x", 0..3));
    }
}
