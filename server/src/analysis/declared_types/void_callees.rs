//! Whether a TypeScript file may have a void callback at all, read from its
//! erased text's JavaScript parse, before its TypeScript parse is made.
//!
//! [`resolve::Declarations`](super::resolve) finds a void callback where a
//! call passes an async function and the callee's declaration, in the file or
//! in a file it imports by a relative specifier, takes a `void`-returning
//! function there. It finds the callee from the name at the root of the
//! callee (`test` of `test(…)`, `z` of `z.string().refine(…)`), by that name
//! alone, without scopes: a function of that name, a binding of it with a
//! declared type, a class, a namespace import. So a file where every such
//! root is a name nothing declares (each of its occurrences a use of it, or
//! a binding by an import from a package, whose declarations are never read)
//! has none, and its TypeScript parse need not be made to know it: the
//! common case of a test file calling `test(…, async () => …)` of `vitest`.
//!
//! Every doubt answers "may": a root that is not a plain name, a name in any
//! other position, an occurrence in blanked type syntax after a word that
//! declares (`function`, `const`, `interface`, `type`, `import`, a `{`, a
//! `,` or a `(` of a list), or a parse with an error.

use memchr::memmem;
use tree_sitter::{Node, Tree};

use super::ASYNC;

/// Whether the TypeScript text `written`, erased as `erased` and parsed (the
/// erased text, with the JavaScript grammar) as `tree`, may pass an async
/// function where a declaration it reads takes a `void` callback.
pub fn may_have_void_callbacks(written: &str, erased: &str, tree: &Tree) -> bool {
    let root = tree.root_node();
    let mut names: Vec<&str> = Vec::new();
    for at in memmem::find_iter(erased.as_bytes(), ASYNC.as_bytes()) {
        let Some(call) = call_passing_async_at(root, at) else {
            continue;
        };
        match call
            .child_by_field_name("function")
            .and_then(|f| root_name(erased, f))
        {
            Some(name) => names.push(name),
            None => return true,
        }
    }
    if names.is_empty() {
        return false;
    }
    if root.has_error() {
        return true;
    }
    names.sort_unstable();
    names.dedup();
    names
        .iter()
        .any(|name| may_be_declared(written, erased, root, name))
}

/// The call whose arguments hold the async function or arrow whose `async`
/// keyword is at byte `at`, when it is a call (`resolve` reads no other).
fn call_passing_async_at(root: Node, at: usize) -> Option<Node> {
    let keyword = root.descendant_for_byte_range(at, at + ASYNC.len())?;
    if keyword.kind() != ASYNC {
        return None;
    }
    let function = keyword
        .parent()
        .filter(|f| matches!(f.kind(), "arrow_function" | "function_expression"))?;
    let arguments = function.parent().filter(|a| a.kind() == "arguments")?;
    arguments.parent().filter(|c| c.kind() == "call_expression")
}

/// The plain name a callee is rooted at: `a` of `a`, `a.b.c`, `a().b`,
/// `(a).b`; `None` for `this`, `new C().m`, `a[k]` and the like.
fn root_name<'s>(text: &'s str, mut node: Node) -> Option<&'s str> {
    loop {
        node = match node.kind() {
            "identifier" => return Some(&text[node.byte_range()]),
            "member_expression" => node.child_by_field_name("object")?,
            "call_expression" => node.child_by_field_name("function")?,
            "parenthesized_expression" => node.named_child(0)?,
            _ => return None,
        };
    }
}

/// Whether some occurrence of the word `name` in `written` may declare it
/// (see the module's docs).
fn may_be_declared(written: &str, erased: &str, root: Node, name: &str) -> bool {
    let bytes = written.as_bytes();
    for at in memmem::find_iter(bytes, name.as_bytes()) {
        let end = at + name.len();
        let word_before = at > 0 && is_word_byte(bytes[at - 1]);
        let word_after = bytes.get(end).is_some_and(|&b| is_word_byte(b));
        if word_before || word_after {
            continue;
        }
        if erased.as_bytes().get(at) != Some(&bytes[at]) {
            // Blanked: type syntax.
            if declares_after(&written[..at]) {
                return true;
            }
            continue;
        }
        let Some(node) = root.descendant_for_byte_range(at, end) else {
            return true;
        };
        let exact = node.start_byte() == at && node.end_byte() == end;
        match node.kind() {
            "identifier" if exact => {
                if !(is_use(node) || in_package_import(erased, node)) {
                    return true;
                }
            }
            // A property's name or a shorthand `{ name }` reads no binding.
            "property_identifier" | "shorthand_property_identifier" if exact => {}
            _ if in_text(node) => {}
            _ => return true,
        }
    }
    false
}

/// A byte of an identifier (any byte of a character past ASCII counts).
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'$') || !byte.is_ascii()
}

/// Whether blanked type syntax ending in `before` may declare the name that
/// follows: after a declaring word, or a `{`, `,`, `(` or `*` of a list, or
/// a comment.
fn declares_after(before: &str) -> bool {
    let before = before.trim_end();
    let Some(last) = before.bytes().last() else {
        return false;
    };
    if matches!(last, b'{' | b',' | b'(' | b'*' | b'/') {
        return true;
    }
    let word_start = before
        .bytes()
        .rposition(|b| !is_word_byte(b))
        .map_or(0, |at| at + 1);
    matches!(
        &before[word_start..],
        "function"
            | "const"
            | "let"
            | "var"
            | "class"
            | "namespace"
            | "module"
            | "interface"
            | "type"
            | "enum"
            | "as"
            | "import"
            | "declare"
            | "abstract"
            | "default"
            | "export"
    )
}

/// Whether the identifier `node` is read where it stands, not bound.
fn is_use(node: Node) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    let field_is = |name: &str| {
        parent
            .child_by_field_name(name)
            .is_some_and(|child| child.id() == node.id())
    };
    match parent.kind() {
        "call_expression"
        | "member_expression"
        | "arguments"
        | "binary_expression"
        | "unary_expression"
        | "await_expression"
        | "return_statement"
        | "expression_statement"
        | "spread_element"
        | "array"
        | "ternary_expression"
        | "template_substitution"
        | "new_expression"
        | "subscript_expression"
        | "sequence_expression"
        | "parenthesized_expression"
        | "yield_expression" => true,
        "pair" => field_is("value"),
        "variable_declarator" => field_is("value"),
        "assignment_expression" | "augmented_assignment_expression" => field_is("right"),
        _ => false,
    }
}

/// Whether `node` binds a name imported from a package (a specifier not
/// starting with `.`), whose declarations are never read.
fn in_package_import(text: &str, node: Node) -> bool {
    let mut at = node;
    while let Some(parent) = at.parent() {
        if parent.kind() == "import_statement" {
            return parent
                .child_by_field_name("source")
                .map(|source| text[source.byte_range()].trim_matches(['"', '\'']))
                .is_some_and(|specifier| !specifier.starts_with('.'));
        }
        at = parent;
    }
    false
}

/// Whether `node` is inside a string, template text, comment or regex.
fn in_text(node: Node) -> bool {
    let mut at = Some(node);
    while let Some(node) = at {
        if matches!(
            node.kind(),
            "string" | "string_fragment" | "template_string" | "comment" | "regex"
        ) {
            return true;
        }
        if node.kind() == "template_substitution" {
            return false;
        }
        at = node.parent();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::declared_types::DeclaredTypes;
    use crate::syntax::{self, Dialect};

    /// What the narrowing says of `written`, and whether the TypeScript
    /// parse finds a void callback there.
    fn both(written: &str) -> (bool, bool) {
        let erasure = syntax::typescript::erase_as_node(
            written,
            Dialect::TypeScript,
            &Dialect::TypeScript.parse(written, None),
        );
        let tree = syntax::parse(&erasure.text, None);
        let may = may_have_void_callbacks(written, &erasure.text, &tree);
        let typescript = Dialect::TypeScript.parse(written, None);
        let found = !DeclaredTypes::of(written, &typescript)
            .void_callbacks()
            .is_empty();
        (may, found)
    }

    #[test]
    fn a_void_callback_the_file_declares_is_never_ruled_out() {
        for written in [
            "function on(f: () => void): void {}\non(async () => {});\n",
            "declare function on(f: () => void): void;\non(async () => {});\n",
            "function on(f: () => void): void;\nfunction on(f: () => void) {}\non(async () => {});\n",
            "interface E { on(f: () => void): void }\n\
             function g(e: E) { e.on(async () => {}); }\n",
            "interface E { on(f: () => void): void }\n\
             declare const e: E;\ne.on(async () => {});\n",
            "class E { on(f: () => void): void {} }\nnew E().on(async () => {});\n",
            "class E { on(f: () => void): void {} m() { this.on(async () => {}); } }\n",
            "type Cb = () => void;\nfunction on(f: Cb): void {}\n(on)(async function () {});\n",
        ] {
            let (may, found) = both(written);
            assert!(found, "the TypeScript parse finds one in {written:?}");
            assert!(may, "{written:?}");
        }
    }

    #[test]
    fn a_callee_only_a_package_or_nothing_declares_has_none() {
        for written in [
            "import { test, expect } from \"vitest\";\n\
             test(\"a test\", async () => { expect(await f()).toBe(1); });\n",
            "import * as z from \"zod\";\n\
             const s = z.string().refine(async (v: string) => true);\n\
             type S = z.infer<typeof s>;\n",
            "process.on(\"exit\", async () => {});\n",
            "describe(\"x\", () => { it(\"y\", async () => {}); });\n",
        ] {
            assert_eq!(both(written), (false, false), "{written:?}");
        }
    }

    #[test]
    fn a_name_bound_or_declared_anywhere_may_have_one() {
        for written in [
            "import { on } from \"./events.ts\";\non(async () => {});\n",
            "import type { On } from \"./events.ts\";\n\
             declare const on: On;\non(async () => {});\n",
            "function g(test: (f: () => void) => void) { test(async () => {}); }\n",
            "const { test } = make();\ntest(async () => {});\n",
            "import { test } from \"vitest\";\nlet test2 = test;\ntest2(async () => {});\n",
            "this.on(async () => {});\n",
            "a[k](async () => {});\n",
        ] {
            let (may, _) = both(written);
            assert!(may, "{written:?}");
        }
    }
}
