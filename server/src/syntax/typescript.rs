//! TypeScript as Node 24 runs it: by *type stripping*. Node replaces every
//! type-only range of a `.ts`/`.mts`/`.cts` file with blanks, keeping every
//! position, and refuses the syntax that would need a transform (`enum`,
//! namespaces holding values, parameter properties, `<T>x`). ticklens does the
//! same and analyses the erased text with the JavaScript grammar, so every
//! byte offset of a finding is an offset of the original text: with the code
//! Node strips with where it strips the text ([`strip`]), else by walking the
//! TypeScript grammar's tree ([`erase`]), which also names what Node refuses
//! and keeps going past a syntax error ([`erase_as_node`] picks).
//!
//! The blanks are Node's own (`stripTypeScriptTypes`): a space for each ASCII
//! byte, `\n` and `\r` kept, and for a character of two, three or four UTF-8
//! bytes U+00A0, U+2002 or a space followed by U+FEFF: the same UTF-8 length
//! and the same UTF-16 length, so line and column positions agree too.
//! `tests/typescript.rs` compares [`erase`] with Node 24's stripping.

use std::ops::Range;

use tree_sitter::{Language as Grammar, Node, Parser, Tree};

mod strip;

pub use strip::strip;

/// The two TypeScript grammars: `.tsx` files are TypeScript with JSX (Node
/// does not run them; the editor still analyses them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    TypeScript,
    Tsx,
}

impl Dialect {
    pub fn grammar(self) -> Grammar {
        match self {
            Dialect::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Dialect::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        }
    }

    /// A parser set up for this dialect.
    pub fn parser(self) -> Parser {
        let mut parser = Parser::new();
        parser
            .set_language(&self.grammar())
            .expect("the bundled TypeScript grammar matches the tree-sitter runtime");
        parser
    }

    /// Like [`Dialect::parse`], but gives up once `budget` has passed.
    pub fn parse_within(
        self,
        text: &str,
        old: Option<&Tree>,
        budget: std::time::Duration,
    ) -> Option<Tree> {
        let readable = readable(text, self);
        let text = readable.as_deref().unwrap_or(text);
        super::parse_with_budget(self.parser(), text, old, budget)
    }

    /// Parses `text` with this dialect's grammar (as [`readable`] and
    /// [`super::readable`] make it).
    pub fn parse(self, text: &str, old: Option<&Tree>) -> Tree {
        let readable = readable(text, self);
        let text = readable.as_deref().unwrap_or(text);
        let readable_js = super::readable(text);
        let text = readable_js.as_deref().unwrap_or(text);
        self.parser()
            .parse(text, old)
            .expect("parsing without a timeout or cancellation flag always yields a tree")
    }
}

/// `text` made readable to the TypeScript grammar (tree-sitter-typescript 0.23),
/// which lacks two forms Node 24 strips; `None` when it has neither. Each is
/// type-only and rewritten in place, byte for byte as long, to a form the grammar
/// reads and [`erase`] blanks in full, as Node does:
/// - the variance annotations of a type parameter, `<in out K, out V>`: blanked;
/// - `export type * from 'm'` and `export type * as ns from 'm'`: the `* …` before
///   `from` becomes `{ … }`, an `export type { }`;
/// - a name `type` right after a `(`, `(type extends U ? A : B)`, `(type | undefined)[]`
///   (wagmi and viem name their type parameters so), which the grammar reads as the
///   start of a type alias inside a parenthesised type: renamed `Type`, a name as
///   long (in an expression, `f(type)`, the same tree either way);
/// - (TypeScript, not TSX) a line that starts with type parameters `<A>(` or
///   `<A, B>(`, or with a `<` alone whose parameters follow on the next lines,
///   after a line ending in a name or `>` (not `=>`), `]`, `)`, `}` (comments aside): an object type's
///   next call signature, which TypeScript never reads as type arguments of the
///   type before (no line break may come before those), while the grammar does:
///   the blank before the `<` becomes the `;` between the two members. (An
///   expression broken the same way, `a\n  <T>(x)`, a call with type arguments,
///   is read as two statements: no formatter writes one.)
///
/// They are found by their tokens alone: `in`/`out` right after `<` or `,` and
/// before a name (never valid JavaScript), `type *` right after `export`, `type`
/// right after `(` (where no `type` alias can start). A match
/// inside a string or comment rewrites what stays a string or comment. What the
/// rewrite reads spans the token before it and the name after it, both next to
/// the rewritten bytes, so an edit that changes the rewrite touches the token
/// that holds them, and an incremental parse relexes it; except the comments
/// between a call signature and the type before it, and the name on the line
/// after a `<` alone: an edit there alone can leave the tree's `;` (or blank)
/// as it was until an edit next to it, or a full parse.
pub fn readable(text: &str, dialect: Dialect) -> Option<String> {
    let bytes = text.as_bytes();
    let mut edits: Vec<(Range<usize>, Option<&str>)> = Vec::new();
    for (at, &byte) in bytes.iter().enumerate() {
        match byte {
            b'\n' if dialect == Dialect::TypeScript => {
                if let Some(blank) = call_signature_after(text, at) {
                    edits.push((blank..blank + 1, Some(";")));
                }
            }
            b'<' | b',' => {
                let mut cursor = skip_blanks_and_comments(bytes, at + 1);
                let start = cursor;
                let mut words = 0;
                while let Some(end) = word_at(bytes, cursor, &["in", "out"]) {
                    // A name must follow on the same line: `let a = 1, out\nb()` is JavaScript.
                    let mut after = end;
                    while bytes.get(after).is_some_and(|c| matches!(c, b' ' | b'\t')) {
                        after += 1;
                    }
                    if after == end {
                        break;
                    }
                    cursor = after;
                    words += 1;
                    if words == 2 {
                        break;
                    }
                }
                if words > 0 && ends_a_type_parameter_name(bytes, cursor) {
                    edits.push((start..cursor, None));
                }
            }
            b'a' if names_a_value(bytes, at) => edits.push((at..at + 1, Some("_"))),
            b'(' => {
                if let Some(end) = word_at(bytes, at + 1, &["type"]) {
                    edits.push((at + 1..end, Some("Type")));
                }
            }
            b'e' if word_at(bytes, at, &["export"]).is_some()
                && (at == 0 || !is_name_part(bytes[at - 1])) =>
            {
                let after_export = skip_blanks(bytes, at + "export".len());
                let Some(after_type) = word_at(bytes, after_export, &["type"]) else {
                    continue;
                };
                let star = skip_blanks(bytes, after_type);
                if star == after_type || bytes.get(star) != Some(&b'*') {
                    continue;
                }
                let Some(from) = find_word(bytes, star + 1, "from") else {
                    continue;
                };
                if from >= star + 2 && text.is_char_boundary(star) && text.is_char_boundary(from) {
                    edits.push((star..star + 1, Some("{")));
                    edits.push((from - 1..from, Some("}")));
                    if from - 1 > star + 1 {
                        edits.push((star + 1..from - 1, None));
                    }
                }
            }
            _ => {}
        }
    }
    if edits.is_empty() {
        return None;
    }
    edits.sort_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (range, with) in edits {
        if range.start < copied {
            continue;
        }
        out.push_str(&text[copied..range.start]);
        match with {
            Some(with) => out.push_str(with),
            None => blank(&text[range.clone()], &mut out),
        }
        copied = range.end;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// The blank before the `<` of a line (starting after the `\n` at `newline`)
/// that opens a call signature's type parameters, `<A>(`, `<A, B>(`,
/// `<K extends string>(`, `<A = never>(`, `<const A>(`, or a `<` alone on its
/// line with the parameters on the lines after it, after a line that ends a
/// type (a name, `>`, `]`, `)`, `}`, then perhaps `/* */` comments and `//`
/// comment lines).
fn call_signature_after(text: &str, newline: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = newline + 1;
    while bytes.get(at).is_some_and(|c| matches!(c, b' ' | b'\t')) {
        at += 1;
    }
    if at == newline + 1 || bytes.get(at) != Some(&b'<') {
        return None;
    }
    // `<` alone on its line, then a name at the start of the next.
    let mut after = at + 1;
    while bytes
        .get(after)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\r'))
    {
        after += 1;
    }
    let split = bytes.get(after) == Some(&b'\n')
        && bytes
            .get(skip_blanks(bytes, after))
            .is_some_and(|&c| is_name_start(c));
    // Else `<`, perhaps `const `, and a name, then `>`, `,`, `=` or ` extends`.
    let mut name_end = at + 1;
    if text[name_end..].starts_with("const ") {
        name_end += "const ".len();
    }
    let name_start = name_end;
    while bytes.get(name_end).is_some_and(|&c| is_name_part(c)) {
        name_end += 1;
    }
    let named = name_end > name_start && is_name_start(bytes[name_start]);
    let mut next = name_end;
    while bytes.get(next).is_some_and(|c| matches!(c, b' ' | b'\t')) {
        next += 1;
    }
    let follows = matches!(bytes.get(next), Some(b'>' | b',' | b'='))
        || text[name_end..].starts_with(" extends ");
    if !(split || (named && follows)) {
        return None;
    }
    // The line before ends a type, comments and blanks aside: `/* */` comments,
    // and lines that hold only a `//` comment.
    let mut before = text[..newline].trim_end();
    loop {
        if let Some(rest) = before.strip_suffix("*/") {
            let open = rest.rfind("/*")?;
            before = rest[..open].trim_end();
            continue;
        }
        let line = before.rfind('\n').map_or(0, |at| at + 1);
        if !before[line..].trim_start().starts_with("//") {
            break;
        }
        before = before[..line].trim_end();
    }
    // A `=>` ends no type: the line after it starts an arrow function's body,
    // which may be a generic arrow function (`=>\n  <A>(a: A) => …`).
    if before.ends_with("=>") {
        return None;
    }
    let last = *before.as_bytes().last()?;
    (is_name_part(last) || matches!(last, b'>' | b']' | b')' | b'}')).then_some(at - 1)
}

/// Whether a type parameter's name starts at `at`: a name followed by what
/// may follow one in a list (`,`, `>`, `=`, `extends`). `f(a, out as T)`
/// passes a value named `out`, no variance.
fn ends_a_type_parameter_name(bytes: &[u8], mut at: usize) -> bool {
    if !bytes.get(at).is_some_and(|&c| is_name_start(c)) {
        return false;
    }
    while bytes.get(at).is_some_and(|&c| is_name_part(c)) {
        at += 1;
    }
    let next = skip_blanks_and_comments(bytes, at);
    matches!(bytes.get(next), None | Some(b',' | b'>' | b'='))
        || word_at(bytes, next, &["extends"]).is_some()
}

/// Whether the word at `at` is `as` naming a value (`let as = …`,
/// `c ? as(x) : y`), which TypeScript reads as a name where no expression
/// ends before it, but tree-sitter-typescript takes for its operator: what
/// comes before it (spaces and tabs aside) cannot end an expression (an
/// operator, an opening bracket, a line break, `let`, `const`, `var`,
/// `return`), and a call or an assignment follows. `x as (A)` is left alone.
fn names_a_value(bytes: &[u8], at: usize) -> bool {
    let Some(end) = word_at(bytes, at, &["as"]) else {
        return false;
    };
    if at > 0 && is_name_part(bytes[at - 1]) {
        return false;
    }
    let mut after = end;
    while bytes.get(after).is_some_and(|c| matches!(c, b' ' | b'\t')) {
        after += 1;
    }
    let follows = match bytes.get(after) {
        Some(b'(') => true,
        Some(b'=') => !matches!(bytes.get(after + 1), Some(b'=' | b'>')),
        _ => false,
    };
    let mut before = at;
    while before > 0 && matches!(bytes[before - 1], b' ' | b'\t') {
        before -= 1;
    }
    let precedes = match before.checked_sub(1).map(|b| bytes[b]) {
        None => true,
        Some(b'>') => before >= 2 && bytes[before - 2] == b'=',
        Some(c) if is_name_part(c) => ["let", "const", "var", "return"].iter().any(|word| {
            before >= word.len()
                && &bytes[before - word.len()..before] == word.as_bytes()
                && (before == word.len() || !is_name_part(bytes[before - word.len() - 1]))
        }),
        Some(c) => b"=(,?:[{;!&|+-*/%~^\n\r".contains(&c),
    };
    follows && precedes
}

fn is_name_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || matches!(byte, b'_' | b'$') || byte >= 0x80
}

fn is_name_part(byte: u8) -> bool {
    is_name_start(byte) || byte.is_ascii_digit()
}

/// The first byte at or after `at` that is no space, tab or line break.
fn skip_blanks(bytes: &[u8], mut at: usize) -> usize {
    while bytes
        .get(at)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
    {
        at += 1;
    }
    at
}

/// The first byte at or after `at` that is no blank and in no comment.
fn skip_blanks_and_comments(bytes: &[u8], mut at: usize) -> usize {
    loop {
        at = skip_blanks(bytes, at);
        match bytes.get(at..at + 2) {
            Some(b"//") => {
                while bytes.get(at).is_some_and(|&c| c != b'\n') {
                    at += 1;
                }
            }
            Some(b"/*") => match memchr::memmem::find(&bytes[at + 2..], b"*/") {
                Some(end) => at += 2 + end + 2,
                None => return at,
            },
            _ => return at,
        }
    }
}

/// The end of the one of `words` that starts at `at` as a whole word.
fn word_at(bytes: &[u8], at: usize, words: &[&str]) -> Option<usize> {
    words.iter().find_map(|word| {
        let end = at + word.len();
        let whole = bytes.get(at..end) == Some(word.as_bytes())
            && !bytes.get(end).is_some_and(|&c| is_name_part(c));
        whole.then_some(end)
    })
}

/// Where the word `word` next starts after `at`, on the same statement: only
/// names, blanks and `as` may come between (`* as ns from`).
fn find_word(bytes: &[u8], mut at: usize, word: &str) -> Option<usize> {
    loop {
        at = skip_blanks(bytes, at);
        if word_at(bytes, at, &[word]).is_some() {
            return Some(at);
        }
        let start = at;
        while bytes.get(at).is_some_and(|&c| is_name_part(c)) {
            at += 1;
        }
        if at == start {
            return None;
        }
    }
}

/// Syntax Node refuses to strip, with Node's own words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub range: Range<usize>,
    pub message: String,
}

/// A TypeScript text with its types blanked, byte for byte as long as the original.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Erasure {
    pub text: String,
    /// The first syntax Node refuses in strip-only mode, in document order.
    pub refusal: Option<Refusal>,
}

const ENUM: &str = "TypeScript enum is not supported in strip-only mode";
const NAMESPACE: &str = "TypeScript namespace declaration is not supported in strip-only mode";
const MODULE: &str = "`module` keyword is not supported. Use `namespace` instead.";
const IMPORT_EQUALS: &str =
    "TypeScript import equals declaration is not supported in strip-only mode";
const EXPORT_ASSIGNMENT: &str = "TypeScript export assignment is not supported in strip-only mode";
const PARAMETER_PROPERTY: &str =
    "TypeScript parameter property is not supported in strip-only mode";
const ANGLE_ASSERTION: &str = "The angle-bracket syntax for type assertions, `<T>expr`, is not \
     supported in type strip mode. Instead, use the 'as' syntax: `expr as T`.";

/// Node kinds that are type-only wherever they appear.
const TYPE_ONLY: &[&str] = &[
    "type_annotation",
    "type_arguments",
    "type_parameters",
    "type_predicate_annotation",
    "asserts_annotation",
    "omitting_type_annotation",
    "opting_type_annotation",
    "adding_type_annotation",
    "implements_clause",
    "accessibility_modifier",
    "override_modifier",
];

/// Statements that declare types only.
const TYPE_ONLY_STATEMENTS: &[&str] = &[
    "interface_declaration",
    "type_alias_declaration",
    "ambient_declaration",
    "function_signature",
];

/// Class members that declare types only.
const TYPE_ONLY_MEMBERS: &[&str] = &[
    "index_signature",
    "abstract_method_signature",
    "method_signature",
];

/// `source`, parsed as `tree` by `dialect`'s grammar, erased as Node runs it:
/// by Node's own stripping ([`strip`]) where Node strips it, else by the
/// grammar ([`erase`], which names what Node refuses).
pub fn erase_as_node(source: &str, dialect: Dialect, tree: &Tree) -> Erasure {
    match strip(source, dialect) {
        Some(text) => Erasure {
            text,
            refusal: None,
        },
        None => erase(source, tree),
    }
}

/// Blanks the type-only ranges of `source`, parsed as `tree` by a TypeScript grammar.
pub fn erase(source: &str, tree: &Tree) -> Erasure {
    let mut eraser = Eraser {
        source,
        ranges: Vec::new(),
        marks: Vec::new(),
        refusal: None,
    };
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        let descend = eraser.visit(node);
        if let Some(children) = descend {
            stack.extend(children.into_iter().rev());
        }
    }
    Erasure {
        text: eraser.blanked(),
        refusal: eraser.refusal,
    }
}

struct Eraser<'s> {
    source: &'s str,
    ranges: Vec<Range<usize>>,
    /// Blanked bytes Node writes a character into: the `;` that starts an
    /// erased statement where the next line would otherwise continue the
    /// statement before, or a class member whose modifier went, and the `)`
    /// of an arrow's parameters moved to the end of its return type.
    marks: Vec<(usize, char)>,
    refusal: Option<Refusal>,
}

impl<'s> Eraser<'s> {
    /// Erases what `node` holds of types; the children to visit next.
    fn visit<'t>(&mut self, node: Node<'t>) -> Option<Vec<Node<'t>>> {
        let kind = node.kind();
        if TYPE_ONLY.contains(&kind) {
            self.ranges.push(node.byte_range());
            return None;
        }
        if TYPE_ONLY_STATEMENTS.contains(&kind) {
            self.erase_statement(node);
            return None;
        }
        if TYPE_ONLY_MEMBERS.contains(&kind) {
            self.erase_member(node);
            return None;
        }
        let mut children = named_and_anonymous(node);
        match kind {
            "enum_declaration" => self.refuse(node, ENUM),
            "module" => self.refuse(node, MODULE),
            "type_assertion" => self.refuse(node, ANGLE_ASSERTION),
            "import_alias" | "import_require_clause" => self.refuse(node, IMPORT_EQUALS),
            "expression_statement"
                if children.first().map(Node::kind) == Some("internal_module") =>
            {
                if holds_types_only(children[0]) {
                    self.erase_statement(node);
                } else {
                    self.refuse(node, NAMESPACE);
                }
                return None;
            }
            "internal_module" => {
                if holds_types_only(node) {
                    self.ranges.push(node.byte_range());
                } else {
                    self.refuse(node, NAMESPACE);
                }
                return None;
            }
            "as_expression" | "satisfies_expression" => {
                // `x as T`: the operator and the type go, the expression stays.
                let operator = children.iter().find(|child| !child.is_named())?;
                self.ranges.push(operator.start_byte()..node.end_byte());
                children.truncate(1);
            }
            "non_null_expression" => {
                if let Some(bang) = children.last().filter(|child| child.kind() == "!") {
                    self.ranges.push(bang.byte_range());
                }
                children.truncate(1);
            }
            "binary_expression" => {
                // `` tag<T>`x` ``: the grammar reads two comparisons; TypeScript
                // (and Node) a tagged template with type arguments.
                if let Some(arguments) = type_arguments_of_tag(node, &children) {
                    self.ranges.push(arguments);
                    let left = children[0];
                    let tag = left.child_by_field_name("left")?;
                    return Some(vec![tag, *children.last()?]);
                }
                if let Some(assertion) = assertion_split_by_a_dotted_type(node) {
                    return self.erase_split_assertion(node, assertion);
                }
            }
            "arrow_function" => self.move_parenthesis(node, &children),
            "member_expression" | "instantiation_expression" => {
                if let Some(assertion) = assertion_split_by_a_dotted_type(node) {
                    return self.erase_split_assertion(node, assertion);
                }
            }
            "abstract_class_declaration" => self.erase_tokens(&children, &["abstract"]),
            "public_field_definition" => {
                if children
                    .iter()
                    .any(|child| matches!(child.kind(), "declare" | "abstract"))
                {
                    self.erase_member(node);
                    return None;
                }
                self.erase_tokens(&children, &["readonly", "?", "!"]);
                self.mark_member(node, &children);
            }
            "method_definition" => {
                self.erase_tokens(&children, &["?"]);
                self.mark_member(node, &children);
            }
            "variable_declarator" => self.erase_tokens(&children, &["!"]),
            "required_parameter" | "optional_parameter" => {
                if children.iter().any(|child| {
                    matches!(
                        child.kind(),
                        "accessibility_modifier" | "override_modifier" | "readonly"
                    )
                }) {
                    self.refuse(node, PARAMETER_PROPERTY);
                }
                let pattern = node.child_by_field_name("pattern");
                if pattern.is_some_and(|pattern| pattern.kind() == "this") {
                    self.erase_with_comma(node);
                    return None;
                }
                self.erase_tokens(&children, &["?"]);
            }
            "import_statement" | "export_statement"
                if children.iter().any(|child| child.kind() == "type") =>
            {
                // `import type …`, `export type { … }`, `export type * from …`.
                self.erase_statement(node);
                return None;
            }
            "export_statement" => {
                if children.iter().any(|child| child.kind() == "=") {
                    self.refuse(node, EXPORT_ASSIGNMENT);
                }
                let declaration = node.child_by_field_name("declaration");
                if declaration.is_some_and(|declaration| {
                    TYPE_ONLY_STATEMENTS.contains(&declaration.kind())
                        || (declaration.kind() == "internal_module"
                            && holds_types_only(declaration))
                }) {
                    self.erase_statement(node);
                    return None;
                }
            }
            "import_specifier" | "export_specifier"
                if children.iter().any(|child| child.kind() == "type") =>
            {
                self.erase_with_comma(node);
                return None;
            }
            _ => {}
        }
        Some(children)
    }

    fn refuse(&mut self, node: Node, message: &str) {
        let earlier = self
            .refusal
            .as_ref()
            .is_some_and(|refusal| refusal.range.start <= node.start_byte());
        if !earlier {
            self.refusal = Some(Refusal {
                range: node.byte_range(),
                message: message.to_owned(),
            });
        }
    }

    /// Erases the anonymous tokens among `children` whose text is one of `tokens`.
    fn erase_tokens(&mut self, children: &[Node], tokens: &[&str]) {
        for child in children {
            if !child.is_named() && tokens.contains(&child.kind()) {
                self.ranges.push(child.byte_range());
            }
        }
    }

    /// Erases a statement, starting it with a `;` where the code after it would
    /// otherwise continue the statement before it (as Node does).
    fn erase_statement(&mut self, node: Node) {
        self.ranges.push(node.byte_range());
        let previous = significant_sibling(node, Node::prev_sibling);
        let next = significant_sibling(node, Node::next_sibling);
        let continues = previous
            .is_some_and(|previous| !self.source[previous.byte_range()].trim_end().ends_with(';'))
            && next.is_some_and(|next| {
                self.source[next.byte_range()].starts_with(['(', '[', '`', '+', '-', '/'])
            });
        if continues && node.end_byte() > node.start_byte() {
            self.marks.push((node.start_byte(), ';'));
        }
    }

    /// A class member that starts with a modifier Node blanks (`private`,
    /// `readonly`, ...), is not `static`, and has a computed name or is a
    /// generator starts with a `;` where the modifier was, as Node writes it:
    /// `[k]` or `*g` after a field without a `;` would otherwise continue that
    /// field's initialiser.
    fn mark_member(&mut self, node: Node, children: &[Node]) {
        let stripped = children.first().is_some_and(|first| {
            matches!(
                first.kind(),
                "accessibility_modifier" | "override_modifier" | "readonly"
            )
        }) && !children.iter().any(|child| child.kind() == "static");
        let computed = node
            .child_by_field_name("name")
            .is_some_and(|name| name.kind() == "computed_property_name")
            || children.iter().any(|child| child.kind() == "*");
        if stripped && computed {
            self.marks.push((node.start_byte(), ';'));
        }
    }

    /// An arrow whose return type puts a line break between its `)` and its
    /// `=>` (which JavaScript forbids): Node blanks the `)` and writes it over
    /// the last byte of the return type, as `stripTypeScriptTypes` does.
    fn move_parenthesis(&mut self, node: Node, children: &[Node]) {
        let (Some(parameters), Some(return_type)) = (
            node.child_by_field_name("parameters"),
            node.child_by_field_name("return_type"),
        ) else {
            return;
        };
        let Some(arrow) = children.iter().find(|child| child.kind() == "=>") else {
            return;
        };
        let between = &self.source[parameters.end_byte()..arrow.start_byte()];
        let closes = self.source[..parameters.end_byte()].ends_with(')');
        if closes && between.contains(['\n', '\r']) && return_type.end_byte() > 0 {
            self.ranges
                .push(parameters.end_byte() - 1..parameters.end_byte());
            self.marks.push((return_type.end_byte() - 1, ')'));
        }
    }

    /// Erases a class member and the `;` that ends it.
    fn erase_member(&mut self, node: Node) {
        let end = match node.next_sibling() {
            Some(next) if next.kind() == ";" => next.end_byte(),
            _ => node.end_byte(),
        };
        self.ranges.push(node.start_byte()..end);
    }

    /// Erases a list item and the `,` after it.
    /// `x as A.B.C`: the grammar reads `(x as A.B).C`; TypeScript (and Node) a
    /// type of three dotted parts, as `(x as A).b` needs its parentheses. What
    /// follows such a type belongs to it too: `x as A.B.C<T> | undefined`, read as
    /// `((x as A.B).C<T>) | undefined`. All of `node` from the operator goes.
    fn erase_split_assertion<'t>(
        &mut self,
        node: Node<'t>,
        assertion: Node<'t>,
    ) -> Option<Vec<Node<'t>>> {
        let mut cursor = assertion.walk();
        let operator = assertion
            .children(&mut cursor)
            .find(|child| !child.is_named())?;
        self.ranges.push(operator.start_byte()..node.end_byte());
        Some(vec![assertion.named_child(0)?])
    }

    fn erase_with_comma(&mut self, node: Node) {
        let end = match node.next_sibling() {
            Some(next) if next.kind() == "," => next.end_byte(),
            _ => node.end_byte(),
        };
        self.ranges.push(node.start_byte()..end);
    }

    /// The source with every erased range blanked.
    fn blanked(&mut self) -> String {
        self.ranges.sort_by_key(|range| range.start);
        let mut text = String::with_capacity(self.source.len());
        let mut copied = 0;
        for range in &self.ranges {
            let start = range.start.max(copied);
            if range.end <= start {
                continue;
            }
            text.push_str(&self.source[copied..start]);
            blank(&self.source[start..range.end], &mut text);
            copied = range.end;
        }
        text.push_str(&self.source[copied..]);
        for &(at, mark) in &self.marks {
            // A mark goes where a blank ASCII space is (an erased statement or
            // modifier starts with an ASCII keyword; a type ends with `>`, `]`,
            // `)` or a name, almost always ASCII).
            if text.as_bytes().get(at) == Some(&b' ') {
                text.replace_range(at..at + 1, mark.encode_utf8(&mut [0; 4]));
            }
        }
        text
    }
}

/// Node's blanks for `erased`: the same UTF-8 and UTF-16 length, line breaks kept.
pub(crate) fn blank(erased: &str, out: &mut String) {
    for c in erased.chars() {
        match c {
            '\n' | '\r' => out.push(c),
            _ => match c.len_utf8() {
                1 => out.push(' '),
                2 => out.push('\u{a0}'),
                3 => out.push('\u{2002}'),
                _ => out.push_str(" \u{feff}"),
            },
        }
    }
}

/// The `<T>` of `` tag<T>`x` `` (or `` sql<{ id: string }>`x` ``), which the
/// grammar reads as `(tag < T) > `x``: from the `<` to the `>`.
fn type_arguments_of_tag(node: Node, children: &[Node]) -> Option<Range<usize>> {
    let [left, greater, template] = children else {
        return None;
    };
    if greater.kind() != ">" || template.kind() != "template_string" {
        return None;
    }
    if left.kind() != "binary_expression" {
        return None;
    }
    let less = left.child_by_field_name("operator")?;
    let name = left.child_by_field_name("right")?;
    let tag = left.child_by_field_name("left")?;
    // An object type `<{ id: string }>` or a generic one `<Array<{ … }>>`, read as
    // an object or an instantiation: only written next to the tag and the template.
    let adjacent =
        tag.end_byte() == less.start_byte() && greater.end_byte() == template.start_byte();
    let is_type = matches!(
        name.kind(),
        "identifier" | "member_expression" | "predefined_type" | "type_identifier"
    ) || (adjacent && matches!(name.kind(), "object" | "instantiation_expression"));
    (less.kind() == "<" && is_type && node.end_byte() == template.end_byte())
        .then(|| less.start_byte()..greater.end_byte())
}

/// The `as` (or `satisfies`) expression at the bottom of `node` when the grammar
/// split its type at a name of three or more dotted parts: `node` is a member
/// access on it, or an instantiation `<T>` or a union or intersection `| U`, `& U`
/// of such a member access (an `as` with its whole type would hold all these).
fn assertion_split_by_a_dotted_type(node: Node) -> Option<Node> {
    let mut current = node;
    let mut dotted = false;
    loop {
        current = match current.kind() {
            "member_expression" => {
                dotted = true;
                current.child_by_field_name("object")?
            }
            "instantiation_expression" => current.named_child(0)?,
            "binary_expression" => {
                let operator = current.child_by_field_name("operator")?;
                if !matches!(operator.kind(), "|" | "&") {
                    return None;
                }
                current.child_by_field_name("left")?
            }
            "as_expression" | "satisfies_expression" => return dotted.then_some(current),
            _ => return None,
        };
    }
}

fn named_and_anonymous<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.children(&mut cursor).collect()
}

/// The nearest sibling of `node` in one direction that is no comment.
fn significant_sibling<'t>(
    node: Node<'t>,
    step: impl Fn(&Node<'t>) -> Option<Node<'t>>,
) -> Option<Node<'t>> {
    let mut sibling = step(&node);
    while let Some(current) = sibling {
        if !matches!(current.kind(), "comment" | "html_comment") {
            return Some(current);
        }
        sibling = step(&current);
    }
    None
}

/// Whether a namespace declares types only (Node strips it then, and refuses
/// one that holds a value).
fn holds_types_only(namespace: Node) -> bool {
    types_only_within(namespace, 0)
}

/// Namespaces nested deeper than this are taken to hold values (refused):
/// the check recurses, and a file can nest thousands.
const MAX_NAMESPACE_DEPTH: usize = 64;

fn types_only_within(namespace: Node, depth: usize) -> bool {
    if depth > MAX_NAMESPACE_DEPTH {
        return false;
    }
    let Some(body) = namespace.child_by_field_name("body") else {
        return true;
    };
    let mut cursor = body.walk();
    let statements: Vec<Node> = body.named_children(&mut cursor).collect();
    statements.into_iter().all(|statement| {
        let statement = match statement.kind() {
            "export_statement" => match statement.child_by_field_name("declaration") {
                Some(declaration) => declaration,
                None => return false,
            },
            "expression_statement" => match statement.named_child(0) {
                Some(inner) => inner,
                None => return false,
            },
            _ => statement,
        };
        match statement.kind() {
            "comment" | "html_comment" | "empty_statement" => true,
            "internal_module" => types_only_within(statement, depth + 1),
            kind => TYPE_ONLY_STATEMENTS.contains(&kind),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn erased(source: &str) -> String {
        let tree = Dialect::TypeScript.parse(source, None);
        erase(source, &tree).text
    }

    fn refused(source: &str) -> String {
        let tree = Dialect::TypeScript.parse(source, None);
        erase(source, &tree).refusal.expect("refused").message
    }

    // Each expected text is what Node 24.11.1's `stripTypeScriptTypes` returns.
    #[test]
    fn annotations_generics_and_assertions_become_blanks() {
        assert_eq!(
            erased("function f<T>(a: T, b?: number): Promise<T> { return g(a as T)!; }"),
            "function f   (a   , b         )             { return g(a     ) ; }"
        );
        assert_eq!(
            erased("let v = f<number>(1) satisfies Promise<number>;"),
            "let v = f        (1)                          ;"
        );
        assert_eq!(
            erased("let a = async (x: number): Promise<void> => {};"),
            "let a = async (x        )                => {};"
        );
    }

    #[test]
    fn type_only_declarations_and_imports_become_blanks() {
        assert_eq!(erased("interface I { x: number }"), " ".repeat(25));
        assert_eq!(
            erased("import { type X, Y } from './x';"),
            "import {         Y } from './x';"
        );
        assert_eq!(erased("export type { X } from './x';"), " ".repeat(29));
        assert_eq!(
            erased("let a = 1\ninterface I {}\n[1].map(f)"),
            "let a = 1\n;             \n[1].map(f)"
        );
    }

    #[test]
    fn class_members_lose_their_modifiers_and_signatures() {
        assert_eq!(
            erased("abstract class A { abstract x: number; protected abstract m(): void; }"),
            "         class A {                                                   }"
        );
        assert_eq!(
            erased(
                "class C implements I { private readonly x!: number; declare y: string; m?() {} }"
            ),
            "class C              {                  x         ;                    m () {} }"
        );
        assert_eq!(
            erased("function g(this: Window, a) {}"),
            "function g(              a) {}"
        );
    }

    #[test]
    fn forms_the_grammar_lacks_are_read_as_node_reads_them() {
        // Variance annotations, `export type *`: tree-sitter-typescript 0.23 has neither.
        assert_eq!(
            erased("class C<in out T> { x: T }"),
            "class C           { x    }"
        );
        assert_eq!(
            erased("export interface A<out T> {}\n"),
            " ".repeat(28) + "\n"
        );
        assert_eq!(erased("let a = 1, out\nb()"), "let a = 1, out\nb()");
        assert_eq!(
            erased("interface A<\n  // c\n  in out B extends C,\n> {}\n"),
            "            \n      \n                     \n    \n"
        );
        // A type parameter named `type` right after `(`: read as a name.
        assert_eq!(
            erased("type C<type> = X<type> & (type extends { a?: 1 } ? 1 : 2);\nf(type);\n"),
            " ".repeat(58) + "\nf(type);\n"
        );
        assert_eq!(
            erased("function f<type>(x: (type | undefined)[]) { return (type) }"),
            "function f      (x                      ) { return (type) }"
        );
        // Call signatures after a member whose type ends in `}`, with a default
        // written `A = B`; a variance annotation after a comment.
        assert_eq!(
            erased("type T = {\n  (a: string): { a: 1 }\n  <A = never>(o: A): number\n}\nf()\n"),
            "          \n                       \n                           \n \nf()\n"
        );
        assert_eq!(
            erased("interface Z<\n  /** c */\n  out S extends X = Y,\n> {}\n"),
            "            \n          \n                      \n    \n"
        );
        // A generic arrow function on the line after a `=>`: no call signature.
        assert_eq!(
            erased("const f =\n  <A>(a: A) =>\n  <B>(b: B): [A, B] =>\n    [a, b]\n"),
            "const f =\n     (a   ) =>\n     (b   )         =>\n    [a, b]\n"
        );
        assert_eq!(erased("export type * from \"./x\";"), " ".repeat(25));
        assert_eq!(erased("export type * as ns from \"./x\";"), " ".repeat(31));
        // A tagged template with type arguments, read by the grammar as comparisons.
        assert_eq!(erased("const x = tag<T>`x`;"), "const x = tag   `x`;");
        assert_eq!(erased("x = a.b<T>`y`"), "x = a.b   `y`");
        assert_eq!(
            erased("f(\n  sql<{ id: string | bigint }>`\n    SELECT ${a}\n  `)\n"),
            "f(\n  sql                         `\n    SELECT ${a}\n  `)\n"
        );
        assert_eq!(
            erased("const r = sql<Array<{ shard_id: string }>>`x`\n"),
            "const r = sql                             `x`\n"
        );
        // A type of three dotted parts after `as`, read by the grammar as a member access.
        assert_eq!(
            erased("function f() {\n  return input as A.B.C<T>\n}\n"),
            "function f() {\n  return input            \n}\n"
        );
        assert_eq!(erased("x = (a as A.B.C.D).e"), "x = (a           ).e");
        assert_eq!(
            erased("const r = (a.b as S.A.D<any> | undefined)?.c\n"),
            "const r = (a.b                          )?.c\n"
        );
        assert_eq!(
            erased("const r = a as\n  | S.A.D<any, R<any>>\n  | undefined\nif (r) {}\n"),
            "const r = a   \n                      \n             \nif (r) {}\n"
        );
        // A call signature on the line after a type: never type arguments.
        assert_eq!(
            erased("type G = {\n  (i: number): A\n  /** a */\n  <A>(s: A): A\n}\nf()"),
            "          \n                \n          \n              \n \nf()"
        );
        // … after `//` comment lines, and with its type parameters split over lines.
        assert_eq!(
            erased(
                "const c: {\n  <A>(a: A): (self: C<A>) => boolean\n  // ----\n  // re-exports\n\n  \
                 /**\n   * doc\n   */\n  <A>(self: C<A>, a: A): boolean\n} = RA.contains\n"
            ),
            "const c   \n                                    \n         \n               \n\n     \n        \n     \n\
             \x20                               \n  = RA.contains\n"
        );
        assert_eq!(
            erased(
                "type M = {\n  <\n    C extends { a: 1 }\n  >(\n    c: C\n  ): U<C>\n  <\n    \
                 C extends { a: 1 }\n  >(\n    v: A,\n    c: C\n  ): U<C>\n}\nf()\n"
            ),
            "          \n   \n                      \n    \n        \n         \n   \n\
             \x20                     \n    \n         \n        \n         \n \nf()\n"
        );
    }

    #[test]
    fn an_arrow_keeps_its_parenthesis_on_the_line_of_its_arrow() {
        assert_eq!(
            erased("const f = (a: number)\n: number => a;"),
            "const f = (a         \n       ) => a;"
        );
        assert_eq!(
            erased("const f = (a /* c */): T<\n> /* d */ => a;"),
            "const f = (a /* c */     \n) /* d */ => a;"
        );
        assert_eq!(erased("const f = (a): T => a;"), "const f = (a)    => a;");
    }

    #[test]
    fn a_member_whose_modifier_goes_starts_with_a_semicolon_before_a_computed_name() {
        assert_eq!(
            erased("class A { readonly [k] = 1 }"),
            "class A { ;        [k] = 1 }"
        );
        assert_eq!(
            erased("class A { x = 1\n public [k] = 1 }"),
            "class A { x = 1\n ;      [k] = 1 }"
        );
        assert_eq!(
            erased("class A { private readonly [k] = 1 }"),
            "class A { ;                [k] = 1 }"
        );
        assert_eq!(
            erased("class A { public *g() {} }"),
            "class A { ;      *g() {} }"
        );
        assert_eq!(
            erased("class A { public get [k]() {} }"),
            "class A { ;      get [k]() {} }"
        );
        assert_eq!(
            erased("class A { public static [k] = 1 }"),
            "class A {        static [k] = 1 }"
        );
        assert_eq!(
            erased("class A { readonly x = 1 }"),
            "class A {          x = 1 }"
        );
    }

    #[test]
    fn as_naming_a_value_is_read_as_a_name() {
        // Node keeps every `as` that names a value and blanks the operator.
        assert_eq!(
            erased("let as = f()\nas = g(as as number)\nconst r = c ? as(x) : (as)\n"),
            "let as = f()\nas = g(as          )\nconst r = c ? as(x) : (as)\n"
        );
        assert_eq!(
            erased("function f() {\n  return as(x, y as any)\n}\nh(() => as(1), as(2))\n"),
            "function f() {\n  return as(x, y       )\n}\nh(() => as(1), as(2))\n"
        );
        // `out` naming a value, not variance.
        assert_eq!(erased("f(a, out as T)\n"), "f(a, out     )\n");
        // The operator, also before a parenthesised type, is left to the grammar.
        assert_eq!(readable("x as (A | B)\n", Dialect::TypeScript), None);
        assert_eq!(readable("f(x) as T\n", Dialect::TypeScript), None);
    }

    #[test]
    fn multibyte_characters_become_blanks_of_the_same_lengths() {
        assert_eq!(
            erased("let x: 'é€😀' = 1;"),
            "let x   \u{a0}\u{2002} \u{feff}  = 1;"
        );
    }

    #[test]
    fn syntax_that_needs_a_transform_is_refused_with_nodes_words() {
        assert_eq!(refused("enum E { A }"), ENUM);
        assert_eq!(refused("namespace N { export const x = 1 }"), NAMESPACE);
        assert_eq!(
            refused("class A { constructor(private x: number) {} }"),
            PARAMETER_PROPERTY
        );
        assert_eq!(refused("let y = <number>1;"), ANGLE_ASSERTION);
        assert_eq!(refused("import x = require('x');"), IMPORT_EQUALS);
        assert_eq!(erased("namespace N { export type T = 1 }"), " ".repeat(33));
    }
}
