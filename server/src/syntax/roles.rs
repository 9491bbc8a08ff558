//! A word's role in a text, told from its neighbouring bytes without a
//! parse: the cheap tests that decide which rules examine a document
//! (`rules::triggered`) and which files' export summaries need a parse
//! (`analysis::modules::summaries::needs_parse`).

use memchr::memmem::Finder;

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
    /// A name constructed with arguments: after `new` and followed by `(`
    /// (`new Promise(`). `Promise.resolve` is not one.
    Constructed(&'static str),
    /// A property (the second word) read on a name (the first): after `.`
    /// or `?.` whose object is that name (`Promise.race`, `Promise?.race`).
    /// `Effect.race` is not one. The property is the word searched for.
    Member(&'static str, &'static str),
}

impl Trigger {
    pub fn word(self) -> &'static str {
        match self {
            Trigger::Word(word)
            | Trigger::Property(word)
            | Trigger::Operand(word)
            | Trigger::Modifier(word)
            | Trigger::Constructed(word)
            | Trigger::Member(_, word) => word,
        }
    }

    /// Whether the word occurs in `source` in this role.
    pub fn occurs(self, source: &str) -> bool {
        self.occurs_in(source.as_bytes(), &Finder::new(self.word()))
    }

    /// Whether the word occurs in `source` in this role. `finder` searches
    /// for the word.
    pub fn occurs_in(self, source: &[u8], finder: &Finder) -> bool {
        self.occurs_in_text(source, finder, Text::Plain)
    }

    /// Whether the word may occur in this role in the text TypeScript
    /// `source`, as written, erases to: what [`Self::occurs_in`] finds in the
    /// erased text it finds here, so a file where it finds none needs no
    /// erasure to know. Between a word and the neighbour its role looks at,
    /// erasing blanks type arguments (`new Promise<T>(`, `fetch<T>(`), a
    /// non-null assertion (`Promise!.race`) or an `as`/`satisfies`
    /// expression (`Promise as any\n(f)`), and nothing else: so those may
    /// stand between them here.
    pub fn occurs_in_written(self, source: &[u8], finder: &Finder) -> bool {
        self.occurs_in_text(source, finder, Text::Written)
    }

    fn occurs_in_text(self, source: &[u8], finder: &Finder, text: Text) -> bool {
        let len = self.word().len();
        finder.find_iter(source).any(|start| {
            let word = start..start + len;
            is_whole_word(source, word.clone())
                && match self {
                    Trigger::Word(_) => true,
                    Trigger::Property(_) => follows_a_dot(source, word.start),
                    Trigger::Operand(_) => precedes_a_member_or_call(source, word.end, text),
                    // Already reads `async <T>(…)` as TypeScript writes it.
                    Trigger::Modifier(_) => precedes_a_function(source, word.end),
                    Trigger::Constructed(_) => {
                        follows_new(source, word.start)
                            && precedes_arguments(source, word.end, text)
                    }
                    Trigger::Member(object, _) => {
                        follows_a_dot(source, word.start)
                            && is_member_of(source, word.start, object, text)
                    }
                }
        })
    }
}

/// Which text a role is looked for in: JavaScript (or TypeScript erased), or
/// TypeScript as written, where what erasure blanks may stand next to a word
/// ([`Trigger::occurs_in_written`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Text {
    Plain,
    Written,
}

impl Text {
    /// The first byte after `end` that is not whitespace, and in TypeScript
    /// as written, not of what erasure blanks there: type arguments (`<T>`,
    /// when they close) and a non-null `!`. `None`: the text ends there;
    /// `Some(None)`: what follows may erase up to any byte (an `as` or
    /// `satisfies` expression, a `<` that does not close), which lets the
    /// document through.
    fn next_after(self, source: &[u8], end: usize) -> Option<Option<u8>> {
        let mut from = end;
        loop {
            let at = from
                + source[from..]
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())?;
            let byte = source[at];
            if self == Text::Written {
                let rest = &source[at..];
                if byte == b'!' && rest.get(1) != Some(&b'=') {
                    from = at + 1;
                    continue;
                }
                if byte == b'<' {
                    match closing_angle(source, at) {
                        Some(close) => {
                            from = close + 1;
                            continue;
                        }
                        None => return Some(None),
                    }
                }
                let keyword = |word: &[u8]| {
                    rest.starts_with(word) && !rest.get(word.len()).is_some_and(is_identifier_byte)
                };
                if keyword(b"as") || keyword(b"satisfies") {
                    return Some(None);
                }
            }
            return Some(Some(byte));
        }
    }
}

/// The `>` that closes the `<` at `open`, nested pairs counted (the `>` of
/// a `=>` is not one), within a few kilobytes; `None` past them.
fn closing_angle(source: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let window = &source[open..source.len().min(open + 4096)];
    for (offset, &byte) in window.iter().enumerate() {
        match byte {
            b'<' => depth += 1,
            b'>' if offset > 0 && window[offset - 1] == b'=' => {}
            b'>' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + offset);
                }
            }
            _ => {}
        }
    }
    None
}

/// Where each occurrence of `word` as a whole word in `source` ends.
pub fn whole_word_ends<'s>(source: &'s [u8], word: &'s str) -> impl Iterator<Item = usize> + 's {
    memchr::memmem::find_iter(source, word)
        .map(move |start| start..start + word.len())
        .filter(|word| is_whole_word(source, word.clone()))
        .map(|word| word.end)
}

/// Whether the bytes at `word` are not part of a longer identifier: no ASCII
/// identifier character touches them. (A non-ASCII letter next to them
/// counts as a boundary, so such a word is still found: the test may only
/// ever let a document through.)
pub fn is_whole_word(source: &[u8], word: std::ops::Range<usize>) -> bool {
    let before = word.start.checked_sub(1).and_then(|at| source.get(at));
    !before.is_some_and(is_identifier_byte) && !source.get(word.end).is_some_and(is_identifier_byte)
}

/// An ASCII byte that can be part of an identifier.
pub(super) fn is_identifier_byte(byte: &u8) -> bool {
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
        _ => line_comment_may_end_after(before, at),
    }
}

/// Whether the keyword `new` comes before `start`, whitespace aside; or a
/// comment could sit between them (the last byte before is the `/` of a
/// `*/`, or the line of that byte holds a `//` before it).
fn follows_new(source: &[u8], start: usize) -> bool {
    let Some(at) = last_solid(&source[..start]) else {
        return false;
    };
    let end = at + 1;
    match source[at] {
        b'/' => at > 0 && source[at - 1] == b'*',
        byte if !byte.is_ascii() => true,
        _ if source[..end].ends_with(b"new") && is_whole_word(source, end - 3..end) => true,
        _ => line_comment_may_end_after(&source[..start], at),
    }
}

/// Whether `(` comes after `end`, whitespace aside; or a comment could sit
/// between them (the next byte is a `/`).
fn precedes_arguments(source: &[u8], end: usize, text: Text) -> bool {
    text.next_after(source, end)
        .is_some_and(|next| next.is_none_or(|byte| matches!(byte, b'(' | b'/') || !byte.is_ascii()))
}

/// Whether the `.` or `?.` before the property at `start` reads it on the
/// name `object`, whitespace aside. Where a comment could sit between the
/// name, the dot and the property ([`follows_a_dot`] let such a text
/// through), it lets the document through.
fn is_member_of(source: &[u8], start: usize, object: &str, text: Text) -> bool {
    let before = &source[..start];
    let Some(dot) = last_solid(before) else {
        return false;
    };
    if before[dot] != b'.' {
        // A comment between the dot and the property.
        return true;
    }
    let end = if dot > 0 && before[dot - 1] == b'?' {
        dot - 1
    } else {
        dot
    };
    let Some(mut at) = last_solid(&before[..end]) else {
        return false;
    };
    if text == Text::Written && before[at] == b'!' {
        // `Promise!.race` as written: the `!` is erased.
        let Some(name) = last_solid(&before[..at]) else {
            return false;
        };
        at = name;
    }
    let name_end = at + 1;
    match before[at] {
        b'/' => true,
        byte if !byte.is_ascii() => true,
        _ if before[..name_end].ends_with(object.as_bytes()) => {
            is_whole_word(source, name_end - object.len()..name_end)
                || line_comment_may_end_after(before, at)
        }
        _ => line_comment_may_end_after(before, at),
    }
}

/// Where the last byte of `text` that is not ASCII whitespace is.
fn last_solid(text: &[u8]) -> Option<usize> {
    text.iter().rposition(|b| !b.is_ascii_whitespace())
}

/// Whether the byte at `at` may end a line comment: its line holds a `//`
/// before it, and a line break follows it in `before`.
fn line_comment_may_end_after(before: &[u8], at: usize) -> bool {
    // The break first: on a long line without one, nothing is scanned back.
    if !before[at..].contains(&b'\n') {
        return false;
    }
    let line_start = memchr::memrchr(b'\n', &before[..at]).map_or(0, |n| n + 1);
    memchr::memmem::find(&before[line_start..at], b"//").is_some()
}

/// Whether `.`, `?.` or `(` comes after `end`, whitespace aside; or a
/// comment could sit between them (the next byte is a `/`).
fn precedes_a_member_or_call(source: &[u8], end: usize, text: Text) -> bool {
    text.next_after(source, end).is_some_and(|next| {
        next.is_none_or(|byte| matches!(byte, b'.' | b'?' | b'(' | b'/') || !byte.is_ascii())
    })
}

/// Whether what follows `end` can be the rest of a function after a
/// modifier: `function`, `(`, `*`, `[`, `#` or a digit (a method's key), a
/// quoted name followed by `(`, or a name followed by `=>` or `(`; in
/// TypeScript as written, a `<` of type parameters where JavaScript has the
/// `(` (`async <T>(x: T) =>`, `async load<T>()`).
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
        b'(' | b'<' | b'*' | b'[' | b'#' | b'/' | b'0'..=b'9' => true,
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
                rest.starts_with(b"=>")
                    || matches!(rest[0], b'(' | b'<' | b'/')
                    || !rest[0].is_ascii()
            })
        }
        _ => false,
    }
}
