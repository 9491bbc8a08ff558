//! Bindings, reads and writes: which names a piece of code reads or writes,
//! which locals stay live across an `await`, and which are captured by closures.
//!
//! The unit of analysis is one function ([`FunctionFlow::new`]). Inside it the
//! module resolves every identifier to the binding it names (parameters, `var`,
//! `let`, `const`, function and class declarations, catch parameters, imports),
//! honouring block scopes and shadowing, and records for each binding its reads,
//! its writes and whether a closure created in the function refers to it.
//!
//! [`FunctionFlow::is_live_after`] says whether the function's own code may
//! still read a binding after an `await`; what the suspended function keeps
//! alive (more than that) is `analysis::retention`.
//!
//! All walks are iterative: deeply nested input cannot overflow the stack.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;

use crate::syntax::awaits;
use tree_sitter::Node;

/// What a visitor tells [`preorder`] after seeing a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Walk {
    /// Visit the node's children.
    Enter,
    /// Do not visit the node's children.
    Skip,
}

/// Visits `root` and its descendants in document order, without recursion.
pub fn preorder<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>) -> Walk) {
    preorder_with_ancestors(root, |node, _| visit(node));
}

/// Like [`preorder`], and also hands the visitor the node's ancestors, from
/// `root` (first) to its parent (last); empty for `root` itself.
///
/// tree-sitter finds a node's parent by descending from the root again, so a
/// climb through `Node::parent` costs O(depth) per step and O(depth²) in all;
/// in a file nested 50,000 levels deep that is billions of steps. The cursor
/// knows the path it took; this keeps it.
pub fn preorder_with_ancestors<'t>(
    root: Node<'t>,
    mut visit: impl FnMut(Node<'t>, &[Node<'t>]) -> Walk,
) {
    let mut cursor = root.walk();
    let mut ancestors: Vec<Node<'t>> = Vec::new();
    loop {
        let node = cursor.node();
        let enter = visit(node, &ancestors) == Walk::Enter;
        if enter && cursor.goto_first_child() {
            ancestors.push(node);
            continue;
        }
        loop {
            if cursor.node() == root {
                return;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            ancestors.pop();
        }
    }
}

/// The ancestors of `node` below `root`, `root` first and `node`'s parent
/// last, found by one descent from `root` (O(depth)); climbing with
/// `Node::parent` would cost O(depth²). Empty when `node` is `root`.
pub fn ancestors_of<'t>(root: Node<'t>, node: Node<'t>) -> Vec<Node<'t>> {
    let mut ancestors = Vec::new();
    let mut at = root;
    while at != node {
        ancestors.push(at);
        match at.child_with_descendant(node) {
            Some(next) => at = next,
            None => break,
        }
    }
    ancestors
}

pub use crate::syntax::js::{enclosing_function, is_async_function, is_for_await, is_function};

/// Whether `node` is a loop whose body may run more than once.
pub fn is_loop(node: Node) -> bool {
    matches!(
        node.kind(),
        "for_statement" | "for_in_statement" | "while_statement" | "do_statement"
    )
}

/// Whether `inner` lies within `outer`.
pub fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// The identifier nodes a binding pattern declares (or assigns, on the left of
/// `=`): `a`, `{ a, b: c }`, `[a, ...rest]`, `{ a = 1 }`.
pub fn pattern_identifiers(pattern: Node) -> Vec<Node> {
    let mut found = Vec::new();
    let mut stack = vec![pattern];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "identifier" | "shorthand_property_identifier_pattern" => found.push(node),
            "object_pattern" | "array_pattern" | "rest_pattern" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                stack.extend(children.into_iter().rev());
            }
            "pair_pattern" => stack.extend(node.child_by_field_id(crate::field!("value"))),
            "assignment_pattern" | "object_assignment_pattern" => {
                stack.extend(node.child_by_field_id(crate::field!("left")))
            }
            _ => {}
        }
    }
    found
}

/// Every name `node` mentions as a variable, in nested functions too.
/// Over-approximates reads (shadowing is ignored), which is the safe side for
/// "does B depend on A" questions.
pub fn names_mentioned(node: Node, source: &str) -> HashSet<String> {
    let mut names = HashSet::new();
    preorder(node, |n| {
        if is_reference_kind(n.kind()) {
            names.insert(source[n.byte_range()].to_owned());
        }
        Walk::Enter
    });
    names
}

/// Every name `node` assigns to (`=`, `+=`, `++`, destructuring assignment),
/// in nested functions too.
pub fn names_assigned(node: Node, source: &str) -> HashSet<String> {
    let mut names = HashSet::new();
    preorder_with_ancestors(node, |n, ancestors| {
        if is_reference_kind(n.kind()) && access_among(n, ancestors) != Access::Read {
            names.insert(source[n.byte_range()].to_owned());
        }
        Walk::Enter
    });
    names
}

fn is_reference_kind(kind: &str) -> bool {
    matches!(
        kind,
        "identifier" | "shorthand_property_identifier" | "shorthand_property_identifier_pattern"
    )
}

/// How an identifier is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    /// `x += 1`, `x++`: reads the old value, then writes.
    ReadWrite,
}

/// How the identifier `node` is used where it stands.
pub fn access(node: Node) -> Access {
    let mut child = node;
    while let Some(parent) = child.parent() {
        match access_step(parent, child) {
            Some(access) => return access,
            None => child = parent,
        }
    }
    Access::Read
}

/// [`access`] for a node whose ancestors up to some walk's root (root first,
/// parent last) are known; past that root it asks the tree.
fn access_among(node: Node, ancestors: &[Node]) -> Access {
    let mut child = node;
    for &parent in ancestors.iter().rev() {
        match access_step(parent, child) {
            Some(access) => return access,
            None => child = parent,
        }
    }
    access(child)
}

/// What `parent` makes of its `child` for [`access`]; `None` to look further up.
fn access_step(parent: Node, child: Node) -> Option<Access> {
    let is_field = |field: &str| parent.child_by_field_name(field) == Some(child);
    Some(match parent.kind() {
        "parenthesized_expression" | "array_pattern" | "object_pattern" | "rest_pattern" => {
            return None
        }
        "pair_pattern" if is_field("value") => return None,
        "assignment_pattern" | "object_assignment_pattern" if is_field("left") => return None,
        "assignment_expression" if is_field("left") => Access::Write,
        "augmented_assignment_expression" if is_field("left") => Access::ReadWrite,
        "update_expression" => Access::ReadWrite,
        "for_in_statement" if is_field("left") => Access::Write,
        _ => Access::Read,
    })
}

/// How a binding was declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    Param,
    Var,
    Let,
    Const,
    Function,
    Class,
    CatchParam,
    Import,
}

/// Why a value is probably large.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LargeValue {
    /// `await readBody(req)` and similar: a whole request body.
    RequestBody(String),
    /// `Buffer.from(..)`, `Buffer.concat(..)`, ...
    Buffer,
    /// `JSON.parse(..)`: a parsed payload.
    JsonParse,
    /// `fs.readFile(..)`, `readFileSync(..)`: file contents.
    FileContents,
    /// `await res.json()` / `.text()` / `.arrayBuffer()` / `.blob()`: a response body.
    ResponseBody(String),
    /// An array built from another large value (`rows.map(..)`, `[...chunks]`).
    BuiltFrom(String),
}

impl fmt::Display for LargeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LargeValue::RequestBody(callee) => write!(f, "a request body from `{callee}(…)`"),
            LargeValue::Buffer => f.write_str("a `Buffer`"),
            LargeValue::JsonParse => f.write_str("a parsed `JSON.parse(…)` payload"),
            LargeValue::FileContents => f.write_str("file contents"),
            LargeValue::ResponseBody(method) => write!(f, "a response body from `.{method}()`"),
            LargeValue::BuiltFrom(name) => write!(f, "a value built from `{name}`"),
        }
    }
}

/// Whether `expr` probably evaluates to a large value, judged from its shape.
/// `large_names` are bindings already known to hold one.
pub fn large_value(expr: Node, source: &str, large_names: &HashSet<String>) -> Option<LargeValue> {
    let mut node = expr;
    let mut awaited = false;
    loop {
        match node.kind() {
            "parenthesized_expression" => node = node.named_child(0)?,
            "await_expression" => {
                awaited = true;
                node = node.named_child(0)?;
            }
            // `await (await fetch(u)).json()`, which tree-sitter reads as a
            // call of a function `await` (see `syntax::awaits`). A chain has
            // no operand node: its top is the operand's last call, whose
            // callee ends with the same method.
            _ => match crate::syntax::awaits::await_shape(source, node) {
                Some(misparsed) => {
                    awaited = true;
                    match misparsed.operand {
                        Some(operand) => node = operand,
                        None => break,
                    }
                }
                None => break,
            },
        }
    }
    match node.kind() {
        "call_expression" => {
            let callee = node.child_by_field_id(crate::field!("function"))?;
            let callee_text = &source[callee.byte_range()];
            let last = callee_text.rsplit('.').next().unwrap_or(callee_text);
            if callee_text == "JSON.parse" {
                return Some(LargeValue::JsonParse);
            }
            if callee_text.starts_with("Buffer.") {
                return Some(LargeValue::Buffer);
            }
            if matches!(last, "readFile" | "readFileSync") {
                return Some(LargeValue::FileContents);
            }
            if awaited
                && callee.kind() == "identifier"
                && matches!(callee_text, "readBody" | "getRawBody" | "rawBody")
            {
                return Some(LargeValue::RequestBody(callee_text.to_owned()));
            }
            if awaited
                && callee.kind() == "member_expression"
                && matches!(last, "json" | "text" | "arrayBuffer" | "blob" | "formData")
            {
                return Some(LargeValue::ResponseBody(last.to_owned()));
            }
            if callee.kind() == "member_expression" {
                let object = callee.child_by_field_id(crate::field!("object"))?;
                let object_text = &source[object.byte_range()];
                if callee_text == "Array.from" {
                    let first = node
                        .child_by_field_id(crate::field!("arguments"))?
                        .named_child(0)?;
                    let first_text = &source[first.byte_range()];
                    return large_names
                        .contains(first_text)
                        .then(|| LargeValue::BuiltFrom(first_text.to_owned()));
                }
                if matches!(
                    last,
                    "map" | "filter" | "slice" | "concat" | "flat" | "flatMap" | "split"
                ) && large_names.contains(object_text)
                {
                    return Some(LargeValue::BuiltFrom(object_text.to_owned()));
                }
            }
            None
        }
        "array" => {
            let mut cursor = node.walk();
            let from = node.named_children(&mut cursor).find_map(|element| {
                let element = if element.kind() == "spread_element" {
                    element.named_child(0)?
                } else {
                    element
                };
                let text = &source[element.byte_range()];
                large_names.contains(text).then(|| text.to_owned())
            });
            from.map(LargeValue::BuiltFrom)
        }
        _ => None,
    }
}

/// One name declared in the analysed function (not in a nested one).
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub name: String,
    pub kind: BindingKind,
    /// The declaring identifier.
    pub decl_range: Range<usize>,
    /// Where the declaration (statement, parameter or loop head) ends: the
    /// binding holds a value from there on.
    pub decl_end: usize,
    /// Where the name is visible: its block, or the whole function.
    pub scope: Range<usize>,
    /// The initializer, when the declaration has one.
    pub init: Option<Range<usize>>,
    pub likely_large: Option<LargeValue>,
    /// A closure created in the function refers to it.
    pub captured: bool,
    /// Reads in the function's own code (not in closures), in document order.
    pub reads: Vec<Range<usize>>,
    /// Writes in the function's own code, in document order.
    pub writes: Vec<Range<usize>>,
    /// Statements that overwrite the binding whatever its value (`x = ...;`,
    /// `let x;`), with the block that holds them.
    pub(crate) kills: Vec<Kill>,
}

/// A statement that overwrites a binding whatever its value, with the block
/// that holds it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Kill {
    pub(crate) stmt: Range<usize>,
    pub(crate) block: Range<usize>,
}

/// An `await` of the analysed function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwaitPoint {
    /// The whole `await` expression.
    pub range: Range<usize>,
    /// The `await` keyword.
    pub keyword: Range<usize>,
    /// The awaited operand.
    pub operand: Range<usize>,
}

/// What an identifier in the function refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// A binding of the analysed function: an index into [`FunctionFlow::bindings`].
    Local(usize),
    /// A binding declared in a function nested inside the analysed one.
    Nested,
    /// A name declared outside the function (module scope, an enclosing
    /// function, or a global).
    Outer,
}

/// One use of a name inside the analysed function, closures included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub range: Range<usize>,
    pub access: Access,
    pub resolution: Resolution,
    /// The use is inside a closure nested in the function.
    pub in_closure: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LoopInfo {
    pub(crate) range: Range<usize>,
    /// Parts evaluated once, before the first iteration (the `for...of`
    /// iterable, the `for` initializer): a back edge does not reach them.
    pub(crate) once: Option<Range<usize>>,
    /// Bindings the loop head assigns afresh on every iteration.
    pub(crate) head_binds: Vec<usize>,
}

/// Bindings, references, awaits and loops of one function.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionFlow {
    pub function: Range<usize>,
    pub bindings: Vec<Binding>,
    /// The function's own awaits (not those of nested functions), in order.
    pub awaits: Vec<AwaitPoint>,
    /// Every use of a name in the function, closures included, in document order.
    pub references: Vec<Reference>,
    pub(crate) loops: Vec<LoopInfo>,
    /// Child statement ranges of the blocks that hold a kill.
    block_children: HashMap<(usize, usize), Vec<Range<usize>>>,
}

struct Decl {
    name: String,
    kind: BindingKind,
    ident: Range<usize>,
    decl_end: usize,
    scope: Range<usize>,
    owner: usize,
    init: Option<Range<usize>>,
    kill: Option<Kill>,
}

/// The innermost of `ancestors` (a walk's root first) that `accept` takes, with
/// its own ancestors; the walk's `root` when none does.
fn innermost<'a, 't>(
    ancestors: &'a [Node<'t>],
    root: Node<'t>,
    accept: fn(Node) -> bool,
) -> (Node<'t>, &'a [Node<'t>]) {
    match ancestors.iter().rposition(|&candidate| accept(candidate)) {
        Some(at) => (ancestors[at], &ancestors[..at]),
        None => (root, &[]),
    }
}

/// Whether `let`/`const`/class declarations directly under `node` belong to it.
fn is_block_scope(node: Node) -> bool {
    is_function(node)
        || matches!(
            node.kind(),
            "statement_block"
                | "for_statement"
                | "for_in_statement"
                | "switch_body"
                | "program"
                | "class_static_block"
        )
}

/// Whether `var` declarations under `node` belong to it.
fn is_function_scope(node: Node) -> bool {
    is_function(node) || node.kind() == "program"
}

/// The id of the function a scope belongs to (the scope itself when it is a
/// function or the walk's root), given the scope's ancestors.
fn owner_function<'t>(scope: Node<'t>, ancestors: &[Node<'t>], root: Node<'t>) -> usize {
    if is_function(scope) || scope == root {
        return scope.id();
    }
    innermost(ancestors, root, is_function_scope).0.id()
}

fn is_block(kind: &str) -> bool {
    matches!(
        kind,
        "statement_block" | "program" | "switch_case" | "switch_default" | "class_static_block"
    )
}

impl FunctionFlow {
    /// Analyses `function` (any function-like node, or a `program`).
    pub fn new(source: &str, function: Node) -> FunctionFlow {
        let root = function;
        let mut decls: Vec<Decl> = Vec::new();
        let mut decl_sites: HashSet<usize> = HashSet::new();
        let declare = |decls: &mut Vec<Decl>,
                       ident: Node,
                       kind: BindingKind,
                       decl_end: usize,
                       (scope, scope_ancestors): (Node, &[Node]),
                       init: Option<Range<usize>>| {
            decls.push(Decl {
                name: source[ident.byte_range()].to_owned(),
                kind,
                ident: ident.byte_range(),
                decl_end,
                scope: scope.byte_range(),
                owner: owner_function(scope, scope_ancestors, root),
                init,
                kill: None,
            });
        };

        // The function's own name is declared around it, not referenced in it.
        if let Some(name) = root.child_by_field_id(crate::field!("name")) {
            decl_sites.insert(name.id());
        }
        // Pass 1: declarations, in the function and in nested functions (for
        // shadowing). Scopes are found among the walk's ancestors, never by
        // climbing with `Node::parent` (see `preorder_with_ancestors`).
        preorder_with_ancestors(root, |node, ancestors| {
            match node.kind() {
                "variable_declarator" => {
                    let Some((&decl, decl_ancestors)) = ancestors.split_last() else {
                        return Walk::Enter;
                    };
                    let kind = match decl
                        .child_by_field_id(crate::field!("kind"))
                        .map(|k| k.kind())
                    {
                        Some("const") => BindingKind::Const,
                        Some("let") => BindingKind::Let,
                        _ => BindingKind::Var,
                    };
                    let scope = if kind == BindingKind::Var {
                        innermost(decl_ancestors, root, is_function_scope)
                    } else {
                        innermost(decl_ancestors, root, is_block_scope)
                    };
                    let value = node.child_by_field_id(crate::field!("value"));
                    if let Some(name) = node.child_by_field_id(crate::field!("name")) {
                        let resets = kind != BindingKind::Var || value.is_some();
                        for ident in pattern_identifiers(name) {
                            decl_sites.insert(ident.id());
                            declare(
                                &mut decls,
                                ident,
                                kind,
                                decl.end_byte(),
                                scope,
                                value.map(|v| v.byte_range()),
                            );
                            let block = decl_ancestors
                                .last()
                                .filter(|p| resets && is_block(p.kind()));
                            if let (Some(block), Some(last)) = (block, decls.last_mut()) {
                                last.kill = Some(Kill {
                                    stmt: decl.byte_range(),
                                    block: block.byte_range(),
                                });
                            }
                        }
                    }
                }
                "for_in_statement" => {
                    let kind = for_in_declaration_kind(node);
                    let kind = match kind {
                        Some("const") => Some(BindingKind::Const),
                        Some("let") | Some("using") => Some(BindingKind::Let),
                        Some("var") => Some(BindingKind::Var),
                        _ => None,
                    };
                    if let (Some(kind), Some(left)) =
                        (kind, node.child_by_field_id(crate::field!("left")))
                    {
                        let scope = if kind == BindingKind::Var {
                            innermost(ancestors, root, is_function_scope)
                        } else {
                            (node, ancestors)
                        };
                        for ident in pattern_identifiers(left) {
                            decl_sites.insert(ident.id());
                            declare(&mut decls, ident, kind, left.end_byte(), scope, None);
                        }
                    }
                }
                "formal_parameters" => {
                    if let Some((&function, function_ancestors)) = ancestors.split_last() {
                        let mut cursor = node.walk();
                        for param in node.named_children(&mut cursor) {
                            for ident in pattern_identifiers(param) {
                                decl_sites.insert(ident.id());
                                declare(
                                    &mut decls,
                                    ident,
                                    BindingKind::Param,
                                    param.end_byte(),
                                    (function, function_ancestors),
                                    None,
                                );
                            }
                        }
                    }
                }
                "arrow_function" => {
                    if let Some(param) = node.child_by_field_id(crate::field!("parameter")) {
                        decl_sites.insert(param.id());
                        declare(
                            &mut decls,
                            param,
                            BindingKind::Param,
                            param.end_byte(),
                            (node, ancestors),
                            None,
                        );
                    }
                }
                // The analysed function's own name belongs to the scope around it.
                "function_declaration" | "generator_function_declaration" | "class_declaration"
                    if node != root =>
                {
                    if let Some(name) = node.child_by_field_id(crate::field!("name")) {
                        let kind = if node.kind() == "class_declaration" {
                            BindingKind::Class
                        } else {
                            BindingKind::Function
                        };
                        decl_sites.insert(name.id());
                        let scope = innermost(ancestors, root, is_block_scope);
                        declare(&mut decls, name, kind, name.end_byte(), scope, None);
                    }
                }
                "function_expression" | "function" | "generator_function" | "class"
                    if node != root =>
                {
                    if let Some(name) = node.child_by_field_id(crate::field!("name")) {
                        decl_sites.insert(name.id());
                        declare(
                            &mut decls,
                            name,
                            BindingKind::Function,
                            name.end_byte(),
                            (node, ancestors),
                            None,
                        );
                    }
                }
                "catch_clause" => {
                    if let Some(param) = node.child_by_field_id(crate::field!("parameter")) {
                        for ident in pattern_identifiers(param) {
                            decl_sites.insert(ident.id());
                            declare(
                                &mut decls,
                                ident,
                                BindingKind::CatchParam,
                                param.end_byte(),
                                (node, ancestors),
                                None,
                            );
                        }
                    }
                }
                "import_statement" => {
                    preorder(node, |inner| {
                        match inner.kind() {
                            "import_specifier" => {
                                let local = inner
                                    .child_by_field_id(crate::field!("alias"))
                                    .or_else(|| inner.child_by_field_id(crate::field!("name")));
                                let mut cursor = inner.walk();
                                for part in inner.named_children(&mut cursor) {
                                    decl_sites.insert(part.id());
                                }
                                if let Some(local) = local.filter(|l| l.kind() == "identifier") {
                                    declare(
                                        &mut decls,
                                        local,
                                        BindingKind::Import,
                                        node.end_byte(),
                                        innermost(ancestors, root, is_function_scope),
                                        None,
                                    );
                                }
                                return Walk::Skip;
                            }
                            "identifier" => {
                                decl_sites.insert(inner.id());
                                declare(
                                    &mut decls,
                                    inner,
                                    BindingKind::Import,
                                    node.end_byte(),
                                    innermost(ancestors, root, is_function_scope),
                                    None,
                                );
                            }
                            _ => {}
                        }
                        Walk::Enter
                    });
                    return Walk::Skip;
                }
                _ => {}
            }
            Walk::Enter
        });
        let root_id = root.id();
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (index, decl) in decls.iter().enumerate() {
            by_name.entry(decl.name.as_str()).or_default().push(index);
        }
        // Bindings of the analysed function, in declaration order.
        let mut local_index: HashMap<usize, usize> = HashMap::new();
        let mut bindings: Vec<Binding> = Vec::new();
        for (index, decl) in decls.iter().enumerate() {
            if decl.owner != root_id {
                continue;
            }
            // `var x` twice, or a parameter redeclared by `var`, is one binding.
            if let Some(existing) = bindings
                .iter()
                .position(|b| b.name == decl.name && b.scope == decl.scope)
            {
                local_index.insert(index, existing);
                bindings[existing].kills.extend(decl.kill.clone());
                if bindings[existing].init.is_none() {
                    bindings[existing].init = decl.init.clone();
                }
                continue;
            }
            local_index.insert(index, bindings.len());
            bindings.push(Binding {
                name: decl.name.clone(),
                kind: decl.kind,
                decl_range: decl.ident.clone(),
                decl_end: decl.decl_end,
                scope: decl.scope.clone(),
                init: decl.init.clone(),
                likely_large: None,
                captured: false,
                reads: Vec::new(),
                writes: Vec::new(),
                kills: decl.kill.iter().cloned().collect(),
            });
        }
        let resolve = |name: &str, at: &Range<usize>| -> Option<usize> {
            by_name
                .get(name)?
                .iter()
                .copied()
                .filter(|&index| contains(&decls[index].scope, at))
                .min_by_key(|&index| decls[index].scope.len())
        };

        // Pass 2: references, awaits and loops.
        let mut references = Vec::new();
        let mut awaits = Vec::new();
        let mut loops = Vec::new();
        let mut assigned_values: Vec<(usize, Node)> = Vec::new();
        let mut function_depth: Vec<Node> = Vec::new();
        let root_is_async = is_function(root) && is_async_function(root);
        preorder_with_ancestors(root, |node, ancestors| {
            while function_depth
                .last()
                .is_some_and(|f| f.end_byte() <= node.start_byte() && *f != node)
            {
                function_depth.pop();
            }
            if node != root && is_function(node) {
                function_depth.push(node);
            }
            let in_closure = !function_depth.is_empty();
            // Awaits as JavaScript reads them (`await (x).y` too), from the
            // syntax layer; this is `root`'s own code, so `await` is an
            // operator here exactly when `root` is an async function.
            if !in_closure {
                if let Some(awaited) = awaits::await_expression_in(source, node, root_is_async) {
                    awaits.push(AwaitPoint {
                        range: awaited.range(),
                        keyword: awaited.keyword.byte_range(),
                        operand: awaited.operand_range(),
                    });
                }
            }
            match node.kind() {
                kind if is_reference_kind(kind) && !decl_sites.contains(&node.id()) => {
                    let range = node.byte_range();
                    let name = &source[range.clone()];
                    let access = access_among(node, ancestors);
                    let resolution = match resolve(name, &range) {
                        None => Resolution::Outer,
                        Some(index) => match local_index.get(&index) {
                            Some(&local) => Resolution::Local(local),
                            None => Resolution::Nested,
                        },
                    };
                    if let Resolution::Local(local) = resolution {
                        let binding = &mut bindings[local];
                        if in_closure {
                            binding.captured = true;
                        } else {
                            if access != Access::Write {
                                binding.reads.push(range.clone());
                            }
                            if access != Access::Read {
                                binding.writes.push(range.clone());
                            }
                            if let Some(kill) = plain_assignment_statement(node, ancestors) {
                                binding.kills.push(kill);
                            }
                            if access == Access::Write {
                                if let Some(value) = ancestor(node, ancestors, 1)
                                    .filter(|p| p.kind() == "assignment_expression")
                                    .and_then(|p| p.child_by_field_id(crate::field!("right")))
                                {
                                    assigned_values.push((local, value));
                                }
                            }
                        }
                    }
                    references.push(Reference {
                        range,
                        access,
                        resolution,
                        in_closure,
                    });
                }
                "for_in_statement" | "for_statement" | "while_statement" | "do_statement"
                    if !in_closure =>
                {
                    let once = match node.kind() {
                        "for_in_statement" => node.child_by_field_id(crate::field!("right")),
                        "for_statement" => node.child_by_field_id(crate::field!("initializer")),
                        _ => None,
                    };
                    let head_binds = node
                        .child_by_field_id(crate::field!("left"))
                        .filter(|_| node.kind() == "for_in_statement")
                        .map(|left| {
                            pattern_identifiers(left)
                                .into_iter()
                                .filter_map(|ident| {
                                    let range = ident.byte_range();
                                    resolve(&source[range.clone()], &range)
                                        .and_then(|index| local_index.get(&index).copied())
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    loops.push(LoopInfo {
                        range: node.byte_range(),
                        once: once.map(|o| o.byte_range()),
                        head_binds,
                    });
                }
                _ => {}
            }
            Walk::Enter
        });
        // Likely-large values: direct sources first, then arrays built from them.
        let values: Vec<(usize, Node)> = bindings
            .iter()
            .enumerate()
            .filter_map(|(index, binding)| {
                let init = binding.init.as_ref()?;
                let node = root.descendant_for_byte_range(init.start, init.end)?;
                Some((index, node))
            })
            .chain(assigned_values)
            .collect();
        let none = HashSet::new();
        for (index, value) in &values {
            if bindings[*index].likely_large.is_none() {
                bindings[*index].likely_large = large_value(*value, source, &none);
            }
        }
        let large_names: HashSet<String> = bindings
            .iter()
            .filter(|b| b.likely_large.is_some())
            .map(|b| b.name.clone())
            .collect();
        for (index, value) in &values {
            if bindings[*index].likely_large.is_none() {
                bindings[*index].likely_large = large_value(*value, source, &large_names);
            }
        }

        let mut block_children = HashMap::new();
        for kill in bindings.iter().flat_map(|b| b.kills.iter()) {
            let key = (kill.block.start, kill.block.end);
            if block_children.contains_key(&key) {
                continue;
            }
            if let Some(block) = root.descendant_for_byte_range(kill.block.start, kill.block.end) {
                let block = ancestor_with_range(block, &kill.block);
                let mut cursor = block.walk();
                let children: Vec<Range<usize>> = block
                    .named_children(&mut cursor)
                    .filter(|c| c.kind() != "comment")
                    .map(|c| c.byte_range())
                    .collect();
                block_children.insert(key, children);
            }
        }

        FunctionFlow {
            function: root.byte_range(),
            bindings,
            awaits,
            references,
            loops,
            block_children,
        }
    }

    /// What the name at `range` refers to, when `range` is a use in the function.
    pub fn resolution_at(&self, range: &Range<usize>) -> Option<Resolution> {
        let index = self
            .references
            .binary_search_by_key(&range.start, |r| r.range.start)
            .ok()?;
        let reference = &self.references[index];
        (reference.range == *range).then_some(reference.resolution)
    }

    /// The binding declared by the identifier at `decl_range`.
    pub fn binding_declared_at(&self, decl_range: &Range<usize>) -> Option<usize> {
        self.bindings
            .iter()
            .position(|binding| binding.decl_range == *decl_range)
    }

    /// The bindings that hold a value at await `await_index`: in scope there,
    /// declared before it.
    pub fn in_scope_at(&self, await_index: usize) -> Vec<usize> {
        let Some(point) = self.awaits.get(await_index) else {
            return Vec::new();
        };
        self.bindings
            .iter()
            .enumerate()
            .filter(|(_, b)| contains(&b.scope, &point.range) && b.decl_end <= point.range.start)
            .map(|(index, _)| index)
            .collect()
    }

    /// Whether the function's own code may read `binding`'s current value after
    /// await `await_index` resumes (on some path, before overwriting it).
    pub fn is_live_after(&self, binding_index: usize, await_index: usize) -> bool {
        let (Some(binding), Some(point)) = (
            self.bindings.get(binding_index),
            self.awaits.get(await_index),
        ) else {
            return false;
        };
        let index = binding_index;
        binding
            .reads
            .iter()
            .any(|read| self.reaches(index, binding, &point.range, read))
    }

    /// The statement that overwrites `binding` on every path from its
    /// declaration to await `await_index` (`big = null;` in the await's block,
    /// before it), if there is one: the value it was declared with is then no
    /// longer held at that await, whatever keeps the variable itself.
    pub fn overwritten_before(
        &self,
        binding_index: usize,
        await_index: usize,
    ) -> Option<Range<usize>> {
        let binding = self.bindings.get(binding_index)?;
        let point = self.awaits.get(await_index)?;
        binding
            .kills
            .iter()
            .filter(|kill| !contains(&kill.stmt, &binding.decl_range))
            .find(|kill| self.kill_blocks_path(kill, &binding.decl_range, &point.range))
            .map(|kill| kill.stmt.clone())
    }

    /// Whether control can flow from the end of `from` to `read` without
    /// passing a statement that overwrites the binding.
    fn reaches(
        &self,
        index: usize,
        binding: &Binding,
        from: &Range<usize>,
        read: &Range<usize>,
    ) -> bool {
        let forward = read.start >= from.end;
        let around_a_loop = !forward
            && self.loops.iter().any(|l| {
                contains(&l.range, from)
                    && contains(&l.range, read)
                    && !l.once.as_ref().is_some_and(|once| contains(once, read))
                    && !l.head_binds.contains(&index)
            });
        if !forward && !around_a_loop {
            return false;
        }
        !binding
            .kills
            .iter()
            .any(|kill| self.kill_blocks_path(kill, from, read))
    }

    /// Every path from `from` to `read` runs `kill.stmt` when `read` sits in a
    /// later statement of the same block and `from` is not between the two:
    /// JavaScript has no jump into the middle of a block.
    fn kill_blocks_path(&self, kill: &Kill, from: &Range<usize>, read: &Range<usize>) -> bool {
        if !contains(&kill.block, read) || read.start < kill.stmt.end {
            return false;
        }
        let Some(children) = self.block_children.get(&(kill.block.start, kill.block.end)) else {
            return false;
        };
        let Some(read_stmt) = children.iter().find(|s| contains(s, read)) else {
            return false;
        };
        !(from.start >= kill.stmt.end && from.start < read_stmt.end)
    }
}

fn ancestor_with_range<'t>(node: Node<'t>, range: &Range<usize>) -> Node<'t> {
    let mut at = node;
    while at.byte_range() != *range {
        match at.parent() {
            Some(parent) if contains(&parent.byte_range(), range) => at = parent,
            _ => break,
        }
    }
    at
}

/// The declaration keyword of a `for...in`/`for...of` head (`const`, `let`,
/// `var`, `using`), looking past the `await` of `for await`.
pub fn for_in_declaration_kind(node: Node) -> Option<&'static str> {
    let left = node.child_by_field_id(crate::field!("left"))?;
    let mut cursor = node.walk();
    let kind = node
        .children(&mut cursor)
        .take_while(|child| *child != left)
        .find_map(|child| match child.kind() {
            "const" => Some("const"),
            "let" => Some("let"),
            "var" => Some("var"),
            "using" => Some("using"),
            _ => None,
        });
    kind
}

/// The `n`th ancestor of `node` (1: its parent), taken from `ancestors` (a
/// walk's root first, `node`'s parent last), and from the tree above the
/// walk's root.
fn ancestor<'t>(node: Node<'t>, ancestors: &[Node<'t>], n: usize) -> Option<Node<'t>> {
    match ancestors.len().checked_sub(n) {
        Some(at) => Some(ancestors[at]),
        None => {
            let mut at = ancestors.first().copied().unwrap_or(node);
            for _ in 0..n - ancestors.len() {
                at = at.parent()?;
            }
            Some(at)
        }
    }
}

/// `x = ...;` as a whole statement directly in a block: it overwrites `x`
/// whatever happened before. `ancestors` are the identifier's, as for [`ancestor`].
fn plain_assignment_statement(ident: Node, ancestors: &[Node]) -> Option<Kill> {
    let assignment = ancestor(ident, ancestors, 1)?;
    if assignment.kind() != "assignment_expression"
        || assignment.child_by_field_id(crate::field!("left")) != Some(ident)
    {
        return None;
    }
    let statement = ancestor(ident, ancestors, 2)?;
    let block = ancestor(ident, ancestors, 3)?;
    (statement.kind() == "expression_statement" && is_block(block.kind())).then(|| Kill {
        stmt: statement.byte_range(),
        block: block.byte_range(),
    })
}

/// The first function of a tree, in document order: the snippet tests'
/// subject.
#[cfg(test)]
pub(crate) fn first_function(root: Node) -> Option<Node> {
    let mut function = None;
    preorder(root, |node| {
        if function.is_none() && is_function(node) {
            function = Some(node);
        }
        Walk::Enter
    });
    function
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    /// At each await of the first function in `source`, the bindings in scope
    /// there that are live after it or captured, as `name:live` /
    /// `name:captured` strings (retention itself is `analysis::retention`).
    fn retained(source: &str) -> Vec<Vec<String>> {
        let tree = syntax::parse(source, None);
        let function = first_function(tree.root_node()).expect("a function in the snippet");
        let flow = FunctionFlow::new(source, function);
        (0..flow.awaits.len())
            .map(|at| {
                flow.in_scope_at(at)
                    .into_iter()
                    .filter_map(|index| {
                        let binding = &flow.bindings[index];
                        let reason = if binding.captured {
                            "captured"
                        } else if flow.is_live_after(index, at) {
                            "live"
                        } else {
                            return None;
                        };
                        Some(format!("{}:{reason}", binding.name))
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn nulling_a_body_before_the_await_drops_it() {
        let source = "async function handle(req) {\n  let body = await readBody(req);\n  const parsed = parseRequest(body);\n  body = null;\n  await db.save(parsed);\n  return parsed.id;\n}\n";
        assert_eq!(
            retained(source),
            vec![vec![], vec!["parsed:live"]] as Vec<Vec<&str>>
        );
    }

    #[test]
    fn a_read_after_the_await_keeps_a_variable_and_a_closure_captures_one() {
        let source = "async function f(a) {\n  const b = g(a);\n  const log = () => console.log(a);\n  await h();\n  use(b);\n}\n";
        assert_eq!(
            retained(source),
            vec![vec!["a:captured", "b:live"]] as Vec<Vec<&str>>
        );
    }

    #[test]
    fn a_read_earlier_in_a_loop_is_live_around_the_back_edge() {
        let source = "async function f(xs) {\n  let total = 0;\n  for (const x of xs) {\n    use(total);\n    await g(x);\n  }\n}\n";
        assert_eq!(retained(source), vec![vec!["total:live"]] as Vec<Vec<&str>>);
    }

    #[test]
    fn a_loop_variable_and_a_reset_in_the_loop_are_not_live_around_the_back_edge() {
        let source = "async function f(xs) {\n  for (const x of xs) {\n    let y = x;\n    use(y);\n    await g();\n  }\n}\n";
        assert_eq!(retained(source), vec![vec![]] as Vec<Vec<&str>>);
    }

    #[test]
    fn an_overwrite_after_the_await_kills_the_old_value() {
        let source = "async function f() {\n  let data = load();\n  use(data);\n  await g();\n  data = other();\n  use(data);\n}\n";
        assert_eq!(retained(source), vec![vec![]] as Vec<Vec<&str>>);
    }

    #[test]
    fn an_overwrite_on_every_path_before_the_await_is_found() {
        let overwrite = |source: &str| {
            let tree = syntax::parse(source, None);
            let function = tree.root_node().named_child(0).expect("a function");
            let flow = FunctionFlow::new(source, function);
            let big = flow.bindings.iter().position(|b| b.name == "big");
            flow.overwritten_before(big.expect("big"), 1)
                .map(|at| source[at].to_owned())
        };
        assert_eq!(
            overwrite("async function f(p) {\n  let big = JSON.parse(await p);\n  const peek = () => big;\n  big = null;\n  await g();\n  return peek;\n}\n").as_deref(),
            Some("big = null;")
        );
        // Cleared in a branch only: not on every path.
        assert_eq!(
            overwrite("async function f(p, c) {\n  let big = JSON.parse(await p);\n  const peek = () => big;\n  if (c) { big = null; }\n  await g();\n  return peek;\n}\n"),
            None
        );
    }

    #[test]
    fn a_branch_that_overwrites_does_not_kill() {
        let source = "async function f(c) {\n  let data = load();\n  await g();\n  if (c) { data = other(); }\n  use(data);\n}\n";
        assert_eq!(
            retained(source),
            vec![vec!["c:live", "data:live"]] as Vec<Vec<&str>>
        );
    }

    #[test]
    fn shadowed_names_resolve_to_the_inner_binding() {
        let source =
            "async function f() {\n  const x = big();\n  { const x = 1; await g(); use(x); }\n}\n";
        assert_eq!(retained(source), vec![vec!["x:live"]] as Vec<Vec<&str>>);
        let tree = syntax::parse(source, None);
        let function = tree.root_node().named_child(0).expect("function");
        let flow = FunctionFlow::new(source, function);
        let at = source.find("x =").expect("outer x");
        let outer = flow.binding_declared_at(&(at..at + 1)).expect("outer x");
        assert!(flow.bindings[outer].reads.is_empty());
    }

    #[test]
    fn likely_large_values_are_recognised() {
        let source = "async function f(res, req) {\n  const a = await res.json();\n  const b = JSON.parse(s);\n  const c = await fs.promises.readFile(p);\n  const d = Buffer.concat(chunks);\n  const e = a.map(String);\n  const g = await readBody(req);\n  const h = res.json(1);\n  await x();\n  use(a, b, c, d, e, g, h);\n}\n";
        let tree = syntax::parse(source, None);
        let function = tree.root_node().named_child(0).expect("function");
        let flow = FunctionFlow::new(source, function);
        let large: Vec<(&str, bool)> = flow
            .bindings
            .iter()
            .map(|b| (b.name.as_str(), b.likely_large.is_some()))
            .collect();
        assert_eq!(
            large,
            [
                ("res", false),
                ("req", false),
                ("a", true),
                ("b", true),
                ("c", true),
                ("d", true),
                ("e", true),
                ("g", true),
                ("h", false)
            ]
        );
    }

    #[test]
    fn references_resolve_locally_nested_or_outer() {
        let source = "let shared = 0;\nasync function f(p) {\n  shared += p;\n  const inner = () => { let q = 1; return q + p; };\n}\n";
        let tree = syntax::parse(source, None);
        let function = tree.root_node().named_child(1).expect("function");
        let flow = FunctionFlow::new(source, function);
        let kinds: Vec<(&str, Resolution, bool)> = flow
            .references
            .iter()
            .map(|r| (&source[r.range.clone()], r.resolution, r.in_closure))
            .collect();
        assert_eq!(
            kinds,
            [
                ("shared", Resolution::Outer, false),
                ("p", Resolution::Local(0), false),
                ("q", Resolution::Nested, true),
                ("p", Resolution::Local(0), true)
            ]
        );
        assert_eq!(access_of(source, "shared"), Access::ReadWrite);
    }

    fn access_of(source: &str, name: &str) -> Access {
        let tree = syntax::parse(source, None);
        let mut found = None;
        preorder(tree.root_node(), |node| {
            if node.kind() == "identifier" && &source[node.byte_range()] == name {
                found = Some(access(node));
            }
            Walk::Enter
        });
        found.expect("the name")
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let depth = 20_000;
        let source = format!(
            "async function f(x) {{ const y = {}x{}; await g(); use(y); }}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let tree = syntax::parse(&source, None);
        let function = tree.root_node().named_child(0).expect("function");
        let flow = FunctionFlow::new(&source, function);
        assert_eq!(flow.awaits.len(), 1);
        assert!(flow.is_live_after(1, 0));
    }

    #[test]
    fn for_await_heads_declare_their_binding() {
        let source = "async function f(xs) { for await (const x of xs) { await g(x); } }";
        let tree = syntax::parse(source, None);
        let function = tree.root_node().named_child(0).expect("function");
        let flow = FunctionFlow::new(source, function);
        let names: Vec<&str> = flow.bindings.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["xs", "x"]);
    }
}
