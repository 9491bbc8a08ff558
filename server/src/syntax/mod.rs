//! Parsing JavaScript with tree-sitter, and the queries the analysis runs.

pub mod await_lookup;
pub mod awaits;
pub mod index;
pub mod js;
pub mod queries;
pub mod roles;
pub mod typescript;
pub mod words;

pub use index::SyntaxIndex;
pub use words::Words;

pub use queries::QueryFile;
pub use typescript::{Dialect, Refusal};

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tree_sitter::{Language, Node, ParseOptions, ParseState, Parser, Point, Tree};

/// The language of a document: JavaScript, or TypeScript that Node runs by
/// erasing its types ([`typescript::erase`]) and the analysis reads erased.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SourceLanguage {
    #[default]
    JavaScript,
    TypeScript(Dialect),
}

impl SourceLanguage {
    /// The language of a file by its extension: `.js .mjs .cjs .jsx`, `.ts .mts
    /// .cts`, `.tsx`; `None` for any other file.
    pub fn of_path(path: &std::path::Path) -> Option<Self> {
        match path.extension()?.to_str()? {
            "js" | "mjs" | "cjs" | "jsx" => Some(SourceLanguage::JavaScript),
            "ts" | "mts" | "cts" => Some(SourceLanguage::TypeScript(Dialect::TypeScript)),
            "tsx" => Some(SourceLanguage::TypeScript(Dialect::Tsx)),
            _ => None,
        }
    }

    /// The language of an editor's document by its language id (JavaScript
    /// for any id but `typescript` and `typescriptreact`).
    pub fn of_language_id(id: &str) -> Self {
        match id {
            "typescript" => SourceLanguage::TypeScript(Dialect::TypeScript),
            "typescriptreact" => SourceLanguage::TypeScript(Dialect::Tsx),
            _ => SourceLanguage::JavaScript,
        }
    }

    pub fn dialect(self) -> Option<Dialect> {
        match self {
            SourceLanguage::JavaScript => None,
            SourceLanguage::TypeScript(dialect) => Some(dialect),
        }
    }
}

/// A declaration file (`.d.ts`, `.d.mts`, `.d.cts`): types only, nothing Node runs.
pub fn is_declaration_file(path: &std::path::Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| {
            [".d.ts", ".d.mts", ".d.cts"]
                .iter()
                .any(|end| name.ends_with(end))
        })
}

/// A source ready for the analysis: the text it reads (the source itself for
/// JavaScript, the erased text for TypeScript: every byte offset the same) and
/// its JavaScript tree, with the TypeScript tree and what Node refuses.
pub struct Prepared {
    /// The erased text; `None` for JavaScript, whose text is the source itself.
    pub erased: Option<String>,
    pub tree: Tree,
    /// The TypeScript grammar's tree of the source.
    pub typescript: Option<Tree>,
    pub refusal: Option<Refusal>,
}

impl Prepared {
    /// The text the analysis reads.
    pub fn text<'s>(&'s self, source: &'s str) -> &'s str {
        self.erased.as_deref().unwrap_or(source)
    }
}

/// Parses `source` as `language`, erasing TypeScript's types first. Without a
/// budget: for text known to parse (tests, examples); text from users goes
/// through [`prepare_within`].
pub fn prepare(source: &str, language: SourceLanguage) -> Prepared {
    prepare_within(source, language, Duration::MAX).expect("parsing without a budget always ends")
}

/// Like [`prepare`], but gives up once a parse has taken `budget`: `None`
/// then. tree-sitter's error recovery can take minutes on a few hundred bytes
/// (the TSX grammar on `label: ( await` followed by twenty line breaks,
/// `yield` and a `}` took 210 s), so every text a user hands over is parsed
/// within [`parse_budget`].
pub fn prepare_within(
    source: &str,
    language: SourceLanguage,
    budget: Duration,
) -> Option<Prepared> {
    match language.dialect() {
        None => Some(Prepared {
            erased: None,
            tree: parse_within(source, None, budget)?,
            typescript: None,
            refusal: None,
        }),
        Some(dialect) => {
            let typescript = dialect.parse_within(source, None, budget)?;
            let erasure = typescript::erase_as_node(source, dialect, &typescript);
            Some(Prepared {
                tree: parse_within(&erasure.text, None, budget)?,
                erased: Some(erasure.text),
                typescript: Some(typescript),
                refusal: erasure.refusal,
            })
        }
    }
}

/// The JavaScript grammar (which also covers JSX).
pub fn language() -> Language {
    tree_sitter_javascript::LANGUAGE.into()
}

/// A node's kind name, read from a table of the JavaScript grammar's names
/// built once: `Node::kind` measures the name and checks its UTF-8 on every
/// call, which was a sixth of the engine's compile of a file. A node of
/// another grammar gets `Node::kind`.
pub trait KindName {
    fn kind_name(&self) -> &'static str;
}

impl KindName for Node<'_> {
    fn kind_name(&self) -> &'static str {
        static NAMES: OnceLock<(Language, Box<[&'static str]>)> = OnceLock::new();
        let (javascript, names) = NAMES.get_or_init(|| {
            let language = language();
            let names = (0..language.node_kind_count())
                .map(|id| language.node_kind_for_id(id as u16).unwrap_or_default())
                .collect();
            (language, names)
        });
        match names.get(usize::from(self.kind_id())) {
            Some(name) if *self.language() == *javascript => name,
            _ => self.kind(),
        }
    }
}

/// The id of field `name` in the JavaScript grammar. Looking a field up by
/// name scans the grammar's field names on every call; [`field!`] looks it up
/// once per call site.
///
/// # Panics
/// When the grammar has no field `name` (a typo in the code, caught by any test
/// that reaches the call).
pub fn field_id(name: &str) -> u16 {
    match language().field_id_for_name(name) {
        Some(id) => id.get(),
        None => panic!("the JavaScript grammar has no field `{name}`"),
    }
}

/// The id of the named node kind `kind` in the JavaScript grammar (0 when
/// there is none), as `Language::id_for_node_kind` gives it; that call scans
/// every kind name, this one looks the answer up in a table built once.
pub fn kind_id(kind: &str) -> u16 {
    static IDS: OnceLock<HashMap<&'static str, u16>> = OnceLock::new();
    let ids = IDS.get_or_init(|| {
        let language = language();
        (0..language.node_kind_count() as u16)
            .filter(|&id| language.node_kind_is_named(id))
            .filter_map(|id| language.node_kind_for_id(id))
            .map(|name| (name, language.id_for_node_kind(name, true)))
            .collect()
    });
    ids.get(kind).copied().unwrap_or(0)
}

/// The id of the anonymous token `token` of the JavaScript grammar (`async`,
/// `*`), looked up once: `node.kind_id() == token!("async")` without reading
/// the kind's name.
#[macro_export]
macro_rules! token {
    ($token:literal) => {{
        static ID: std::sync::OnceLock<u16> = std::sync::OnceLock::new();
        *ID.get_or_init(|| $crate::syntax::token_id($token))
    }};
}

/// [`token!`]'s lookup. A token the grammar spells with more than one id
/// (an alias) could not be found by one, so it is refused.
pub fn token_id(token: &str) -> u16 {
    let language = language();
    let mut ids = (0..language.node_kind_count() as u16).filter(|&id| {
        !language.node_kind_is_named(id) && language.node_kind_for_id(id) == Some(token)
    });
    match (ids.next(), ids.next()) {
        (Some(id), None) => id,
        (None, _) => panic!("the JavaScript grammar has no token `{token}`"),
        (Some(_), Some(_)) => panic!("the JavaScript grammar has more than one token `{token}`"),
    }
}

/// The id of a field of the JavaScript grammar, looked up once:
/// `node.child_by_field_id(field!("name"))`.
#[macro_export]
macro_rules! field {
    ($name:literal) => {{
        static ID: std::sync::OnceLock<u16> = std::sync::OnceLock::new();
        *ID.get_or_init(|| $crate::syntax::field_id($name))
    }};
}

/// Makes tree-sitter allocate with mimalloc, which the binaries also use for
/// Rust's allocations (`#[global_allocator]`).
///
/// # Safety
/// Call it before tree-sitter allocates anything (before the first parser),
/// so that nothing it frees later came from another allocator.
pub unsafe fn allocate_with_mimalloc() {
    // SAFETY: the caller guarantees tree-sitter holds no allocation yet.
    unsafe {
        tree_sitter::set_allocator(
            Some(libmimalloc_sys::mi_malloc),
            Some(libmimalloc_sys::mi_calloc),
            Some(libmimalloc_sys::mi_realloc),
            Some(libmimalloc_sys::mi_free),
        );
    }
}

/// A parser set up for JavaScript.
pub fn parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&language())
        .expect("the bundled grammar matches the tree-sitter runtime");
    parser
}

/// Parses `text`, reusing the unchanged parts of `old` when given (`old` must
/// already have been edited to match `text`).
pub fn parse(text: &str, old: Option<&Tree>) -> Tree {
    let readable = readable(text);
    parser()
        .parse(readable.as_deref().unwrap_or(text), old)
        .expect("parsing without a timeout or cancellation flag always yields a tree")
}

/// `text` as tree-sitter's grammars read what Node reads (`None` when it is
/// so already), every byte offset kept, so the tree fits `text`:
/// - ECMAScript's white space beyond ASCII (U+00A0, U+FEFF, U+1680, U+2000 to
///   U+200A, U+202F, U+205F, U+3000) becomes as many ASCII spaces as it has
///   bytes. Node's type stripping blanks a character of two, three or four
///   bytes with U+00A0, U+2002 or U+FEFF, and the grammars' automatic-semicolon
///   scanners take only ASCII white space for white space, so `let a\n\u{2002}\n= 1`
///   read as `let a; = 1`.
/// - A reserved word as a module export name beside `as` (`export { try_ as
///   try }`, `import { catch as c } from`), which the grammars do not take,
///   gets a `_` for its first letter. The test reads only the tokens around
///   the word (the `as`, the name after it, the `,` or `}` after that, the `{`
///   or `,` before an imported name): an edit to one of those that is not next
///   to the word (across blanks) can leave the word as an incremental parse
///   read it before, until an edit next to it or a fresh parse, as with
///   `typescript::readable`.
///
/// Inside a string, template, regular expression or comment the tree is the
/// same either way; the analysis reads every name from `text`.
pub fn readable(text: &str) -> Option<String> {
    let mut edits: Vec<(usize, char)> = Vec::new();
    // Only the lead bytes of those spaces' UTF-8 encodings are looked at (no
    // continuation byte is one, so each starts a character): a linear scan
    // on every keystroke's parse, kept to `memchr`'s speed.
    let bytes = text.as_bytes();
    let spaces = memchr::memchr3_iter(0xc2, 0xe2, 0xef, bytes)
        .chain(memchr::memchr2_iter(0xe1, 0xe3, bytes))
        .filter_map(|at| Some((at, text[at..].chars().next()?)))
        .filter(|&(_, c)| is_space_beyond_ascii(c));
    edits.extend(spaces);
    for end in roles::whole_word_ends(bytes, "as") {
        reserved_names_beside_as(bytes, end, &mut edits);
    }
    if edits.is_empty() {
        return None;
    }
    edits.sort_unstable_by_key(|&(at, _)| at);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, c) in edits {
        if at < copied {
            continue;
        }
        out.push_str(&text[copied..at]);
        if is_space_beyond_ascii(c) {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
            copied = at + c.len_utf8();
        } else {
            out.push('_');
            copied = at + 1;
        }
    }
    out.push_str(&text[copied..]);
    Some(out)
}

fn is_space_beyond_ascii(c: char) -> bool {
    matches!(
        c,
        '\u{a0}' | '\u{feff}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

/// The reserved words tree-sitter-javascript 0.25 and tree-sitter-typescript
/// 0.23 do not take as a module export name.
const RESERVED_NAMES: &[&str] = &[
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "delete",
    "do",
    "else",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "new",
    "null",
    "return",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
];

/// Adds to `edits` the first letter of a reserved word beside the `as` that
/// ends at `end`, when a name then a `,` or `}` follow the `as`: the word
/// after it (an exported name), or the word before it after a `{` or `,` (an
/// imported one). Blanks may come between.
fn reserved_names_beside_as(bytes: &[u8], end: usize, edits: &mut Vec<(usize, char)>) {
    let is_blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let is_part = roles::is_identifier_byte;
    // `forward`: the first byte at or after `at` that `skipped` does not take;
    // `back`: where the run of bytes it takes that ends at `at` starts.
    let forward = |at: usize, skipped: &dyn Fn(&u8) -> bool| {
        at + bytes[at..].iter().take_while(|b| skipped(b)).count()
    };
    let back = |at: usize, skipped: &dyn Fn(&u8) -> bool| {
        at - bytes[..at].iter().rev().take_while(|b| skipped(b)).count()
    };
    let reserved =
        |word: &[u8]| std::str::from_utf8(word).is_ok_and(|word| RESERVED_NAMES.contains(&word));
    // After: `as try }`.
    let start = forward(end, &is_blank);
    let word_end = forward(start, &is_part);
    let next = forward(word_end, &is_blank);
    let name_after =
        start > end && word_end > start && matches!(bytes.get(next), Some(b',' | b'}'));
    if name_after && reserved(&bytes[start..word_end]) {
        edits.push((start, char::from(bytes[start])));
    }
    // Before: `{ catch as c }` (not `{ const as = 1`).
    if !name_after {
        return;
    }
    let as_start = end - "as".len();
    let word_end = back(as_start, &is_blank);
    let start = back(word_end, &is_part);
    let before = back(start, &is_blank);
    if word_end < as_start
        && reserved(&bytes[start..word_end])
        && before > 0
        && matches!(bytes[before - 1], b'{' | b',')
    {
        edits.push((start, char::from(bytes[start])));
    }
}

/// How long parsing a text of `len` bytes may take before it is given up:
/// 10 s, plus 10 ms per kilobyte. Real code parses at megabytes per second
/// (a 10 MB bundle in 1–2 s, 10 s in a test build), so only text that sends
/// tree-sitter's error recovery into minutes of work (seen on shredded text
/// in the soak test) reaches it.
pub fn parse_budget(len: usize) -> Duration {
    Duration::from_secs(10) + Duration::from_millis(10 * (len / 1000) as u64)
}

/// Like [`parse`], but gives up once `budget` has passed: `None` then.
pub fn parse_within(text: &str, old: Option<&Tree>, budget: Duration) -> Option<Tree> {
    parse_with_budget(parser(), text, old, budget)
}

/// Parses `text` (as [`readable`] makes it) with `parser`, giving up once
/// `budget` has passed.
pub fn parse_with_budget(
    mut parser: Parser,
    text: &str,
    old: Option<&Tree>,
    budget: Duration,
) -> Option<Tree> {
    let started = Instant::now();
    let mut out_of_time = |_: &ParseState| started.elapsed() > budget;
    let options = ParseOptions::new().progress_callback(&mut out_of_time);
    let readable = readable(text);
    let bytes = readable.as_deref().unwrap_or(text).as_bytes();
    let mut read = |offset: usize, _: Point| &bytes[offset.min(bytes.len())..];
    parser.parse_with_options(&mut read, old, Some(options))
}

/// The part of `node`'s line before it, from the line's start: O(1) to find,
/// since tree-sitter knows the byte column. tree-sitter ends rows at `\n` only;
/// a lone `\r` also ends a line for editors, so the text after the last one counts.
pub fn line_prefix<'s>(source: &'s str, node: Node) -> &'s str {
    let start = node.start_byte();
    let prefix = &source[start - node.start_position().column..start];
    match prefix.rfind('\r') {
        Some(i) => &prefix[i + 1..],
        None => prefix,
    }
}

/// The spaces and tabs that start `node`'s line: the indentation a fix
/// writes its new lines with.
pub fn line_indent<'s>(source: &'s str, node: Node) -> &'s str {
    let prefix = line_prefix(source, node);
    let end = prefix
        .find(|c: char| c != ' ' && c != '\t')
        .unwrap_or(prefix.len());
    &prefix[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::dataflow::{preorder, Walk};

    #[test]
    fn white_space_beyond_ascii_is_read_where_a_statement_may_end() {
        for space in ["\u{a0}", "\u{2002}", "\u{feff}", "\u{3000}", " \u{feff}"] {
            let text = format!("let a\n{space}\n= '{space}'\n");
            let readable = readable(&text).expect("it holds white space beyond ASCII");
            assert_eq!(readable.len(), text.len());
            assert!(!parse(&text, None).root_node().has_error(), "{text:?}");
        }
        assert_eq!(readable("let a = 'é—😀'\n"), None);
        assert_eq!(readable("let a = 1\n"), None);
    }

    #[test]
    fn reserved_words_are_read_as_module_export_names() {
        for text in [
            "const a = 1;\nexport { a as try, a as catch, a as new };\n",
            "export { b as if, a as in } from './m.js';\n",
            "import { try as t, default as d } from './m.js';\n",
        ] {
            let readable = readable(text).expect("it names a reserved word");
            assert_eq!(readable.len(), text.len());
            assert!(!parse(text, None).root_node().has_error(), "{text:?}");
        }
        let typed =
            "import type { for as f } from './m.js';\nexport type { f as for } from './m.js';\n";
        let tree = typescript::Dialect::TypeScript.parse(typed, None);
        assert!(!tree.root_node().has_error(), "{typed:?}");
        // A reserved word elsewhere is left as it is.
        assert_eq!(readable("export function f() { if (a) return; }\n"), None);
        assert_eq!(readable("export { a as b };\nif (a) {}\n"), None);
        assert_eq!(readable("let as = 1, b = as\nif (b) {}\n"), None);
        assert_eq!(readable("f(() => {\n  const as = g()\n})\n"), None);
    }

    #[test]
    fn kind_ids_from_the_table_match_the_grammar() {
        let language = super::language();
        for kind in [
            "call_expression",
            "await_expression",
            "identifier",
            "program",
            "no_such_kind",
        ] {
            assert_eq!(
                super::kind_id(kind),
                language.id_for_node_kind(kind, true),
                "{kind}"
            );
        }
    }

    /// Every node's kind, named and anonymous, aliased (`property_identifier`)
    /// or not, of a JavaScript tree and of a TypeScript one (another grammar).
    #[test]
    fn kind_names_from_the_table_are_the_grammars() {
        let text = "'use strict';\nclass A extends B { #x = 1; async *m() { yield* await f?.(a, ...b); } }\n\
                    const { p = 1, ...q } = o; label: for await (const x of y) break label;\n\
                    /re/g; `t${u}`; a ??= b?.[c] ?? <div>{d}</div>; // comment\n";
        let typescript =
            typescript::Dialect::TypeScript.parse("let x: Promise<number> = f() as any;", None);
        for tree in [parse(text, None), typescript] {
            let mut seen = 0;
            preorder(tree.root_node(), |node| {
                assert_eq!(node.kind_name(), node.kind(), "{node:?}");
                seen += 1;
                Walk::Enter
            });
            assert_eq!(seen, tree.root_node().descendant_count(), "every node seen");
        }
    }

    #[test]
    fn a_parse_out_of_time_gives_up_and_one_in_time_equals_a_plain_parse() {
        let text = "async function f() { await g(); }\n".repeat(2_000);
        assert!(parse_within(&text, None, Duration::ZERO).is_none());
        let tree = parse_within(&text, None, parse_budget(text.len())).expect("in time");
        assert_eq!(
            tree.root_node().to_sexp(),
            parse(&text, None).root_node().to_sexp()
        );
    }

    /// The fuzz input that took the TSX grammar 210 s: 99 bytes.
    #[test]
    fn a_typescript_parse_whose_error_recovery_runs_away_is_given_up() {
        let text = format!(
            "label: ( await {}yield {}}}",
            "\n".repeat(19),
            "\n".repeat(74)
        );
        let tsx = SourceLanguage::TypeScript(Dialect::Tsx);
        assert!(prepare_within(&text, tsx, Duration::from_millis(100)).is_none());
        let fine = "async function f(): Promise<void> { await g(); }\n";
        let prepared = prepare_within(fine, tsx, parse_budget(fine.len())).expect("in time");
        assert!(!prepared.tree.root_node().has_error());
    }
}
