//! Node's own type stripping, for the TypeScript files Node runs.
//!
//! Node 24 strips a `.ts` file's types with swc's `ts_fast_strip` (through its
//! `amaro` package); this module runs that same code. Where it strips a
//! file, its text is the erasure: it reads the file with a full parser,
//! several times faster than the TypeScript grammar's parse the erasure of
//! [`super::erase`] needs, and it is Node's by construction. Where it does
//! not (a syntax error, syntax Node refuses, TSX, a text nested past
//! [`MAX_NESTING`]), the grammar's erasure is used, which also says what Node
//! refuses and keeps going past errors, as an editor must.
//!
//! One difference is undone: swc blanks a character of two, three or four
//! UTF-8 bytes with as many spaces as its UTF-16 length, and the analysis
//! needs every byte offset kept, so such a blank is written as Node 24 wrote
//! it ([`super::blank`]).

use std::panic::{catch_unwind, AssertUnwindSafe};

use swc_common::errors::{DiagnosticBuilder, Emitter, Handler, HANDLER};
use swc_common::sync::Lrc;
use swc_common::SourceMap;
use swc_ts_fast_strip::{operate, Mode, Options};

/// How deep brackets may nest in a text given to swc. Its parser and
/// visitors recurse once or more per level, on the calling thread's stack;
/// a deeper text (generated, or hostile) is erased by the grammar, whose
/// parse does not recurse.
pub const MAX_NESTING: usize = 256;

/// The stack swc runs on: this much, and this much more per byte of text
/// (more than a chain of `+` needs per level, measured: about 100 bytes).
const STACK_BASE: usize = 1 << 20;
const STACK_PER_BYTE: usize = 256;

/// `source` with its types blanked as Node 24 blanks them, every byte offset
/// kept; `None` when swc does not strip it (the caller erases it with the
/// grammar then).
pub fn strip(source: &str, dialect: super::Dialect) -> Option<String> {
    if dialect == super::Dialect::Tsx || nesting(source) > MAX_NESTING {
        return None;
    }
    let run = || {
        let map: Lrc<SourceMap> = Lrc::default();
        let handler = Handler::with_emitter(false, false, Box::new(Silent));
        let options = Options {
            mode: Mode::StripOnly,
            // Node 24 refuses `module M {}` with the words of
            // `super::MODULE`.
            deprecated_ts_module_as_error: Some(true),
            ..Options::default()
        };
        // Some refusals (`module M {}`) are reported only to the handler set
        // for the thread.
        HANDLER.set(&handler, || {
            operate(&map, &handler, source.to_owned(), options).ok()
        })
    };
    // A long chain of operators nests without brackets (`a + b + …`): the
    // stack grows with the text (allocated untouched, so it costs what the
    // text's nesting uses).
    let stack = STACK_BASE + STACK_PER_BYTE * source.len();
    let stripped = catch_unwind(AssertUnwindSafe(|| stacker::grow(stack, run)))
        .ok()
        .flatten()?;
    aligned(source, &stripped.code)
}

/// Drops swc's diagnostics: a text it does not strip is erased by the grammar,
/// which says why.
struct Silent;

impl Emitter for Silent {
    fn emit(&mut self, _: &mut DiagnosticBuilder<'_>) {}
}

/// The deepest nesting of `(`, `[` and `{` in `source`, counting every
/// bracket, in strings and comments too. A bracket closed in a string may
/// hide an open one's level, so every bracket after the running depth's
/// lowest point counts as well: never less than the real nesting.
fn nesting(source: &str) -> usize {
    let (mut depth, mut deepest, mut lowest) = (0_isize, 0_isize, 0_isize);
    for &byte in source.as_bytes() {
        match byte {
            b'(' | b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth - lowest);
            }
            b')' | b']' | b'}' => {
                depth -= 1;
                lowest = lowest.min(depth);
            }
            _ => {}
        }
    }
    deepest.unsigned_abs()
}

/// swc's `stripped` text with each character it blanked written with the
/// UTF-8 length of the one in `source` it stands for; `None` when the two do
/// not line up character for character.
fn aligned(source: &str, stripped: &str) -> Option<String> {
    if stripped.len() == source.len() {
        // Only ASCII was blanked (a blank never grows): offsets are kept.
        return Some(stripped.to_owned());
    }
    let mut out = String::with_capacity(source.len());
    let mut blanks = stripped.chars();
    for c in source.chars() {
        let b = blanks.next()?;
        if b == c {
            out.push(c);
        } else if c.is_ascii() {
            if !matches!(b, ' ' | ';' | '(' | ')') {
                return None;
            }
            out.push(b);
        } else {
            // One space per UTF-16 unit of `c`.
            if b != ' ' || (1..c.len_utf16()).any(|_| blanks.next() != Some(' ')) {
                return None;
            }
            super::blank(c.encode_utf8(&mut [0; 4]), &mut out);
        }
    }
    (blanks.next().is_none() && out.len() == source.len()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Dialect;

    const TS: Dialect = Dialect::TypeScript;

    #[test]
    fn strips_types_keeping_every_offset() {
        let source = "const x: Map<string, number> = new Map<string, number>();\n\
                      function f(a: number): void {}\ninterface I { a: 1 }\n";
        let stripped = strip(source, TS).expect("Node strips it");
        assert_eq!(stripped.len(), source.len());
        assert!(stripped.starts_with("const x                      = new Map"));
        assert!(!stripped.contains("interface"));
        assert_eq!(stripped.lines().count(), source.lines().count());
    }

    #[test]
    fn a_character_of_several_bytes_in_a_type_keeps_its_byte_length() {
        let source = "let x: \"é€😀\" = 1;\n";
        let stripped = strip(source, TS).expect("Node strips it");
        assert_eq!(stripped.len(), source.len());
        assert_eq!(stripped, "let x   \u{a0}\u{2002} \u{feff}  = 1;\n");
    }

    #[test]
    fn what_node_refuses_or_cannot_parse_is_left_to_the_grammar() {
        assert_eq!(strip("enum E { A }\n", TS), None);
        assert_eq!(
            strip("class C { constructor(private a: number) {} }\n", TS),
            None
        );
        assert_eq!(strip("let x: = ;\n", TS), None);
        assert_eq!(strip("module M { export type T = 1; }\n", TS), None);
        assert_eq!(strip("let x = <div />;\n", Dialect::Tsx), None);
    }

    #[test]
    fn deep_nesting_is_left_to_the_grammar_even_behind_closed_brackets_in_strings() {
        let deep = format!("let x = {}1{};\n", "(".repeat(300), ")".repeat(300));
        assert_eq!(strip(&deep, TS), None);
        let hidden = format!("let s = \"{}\";\n{}", ")".repeat(300), deep);
        assert!(nesting(&hidden) > MAX_NESTING);
        assert_eq!(strip(&hidden, TS), None);
        assert!(strip("let x = [[[1]]];\n", TS).is_some());
    }

    #[test]
    fn a_long_chain_of_operators_is_stripped_on_a_stack_of_its_own() {
        // 200,000 levels of `+`, on a thread whose own stack holds a few
        // thousand of swc's.
        let source = format!("let x: number = 1{};\n", " + a".repeat(200_000));
        let stripped = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || strip(&source, TS).map(|s| s.len() == source.len()))
            .expect("a thread")
            .join()
            .expect("no overflow");
        assert_eq!(stripped, Some(true));
    }
}
