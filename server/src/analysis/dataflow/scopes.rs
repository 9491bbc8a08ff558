//! Scopes and bindings: every name declared in a function (and in the
//! functions nested in it, for shadowing), the scope it is visible in, and the
//! binding each use of a name resolves to.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::Node;

use super::walk::{contains, preorder, preorder_with_ancestors, Walk};
use super::{Binding, BindingKind, Kill};
use crate::syntax::js::{is_function, pattern_identifiers};

pub(super) struct Decl {
    pub(super) name: String,
    kind: BindingKind,
    ident: Range<usize>,
    decl_end: usize,
    pub(super) scope: Range<usize>,
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

pub(super) fn is_block(kind: &str) -> bool {
    matches!(
        kind,
        "statement_block" | "program" | "switch_case" | "switch_default" | "class_static_block"
    )
}

/// Step 1 of [`super::FunctionFlow::new`]: the declarations in a function and
/// in the functions nested in it (for shadowing), and the identifiers that
/// declare rather than refer.
pub(super) struct Declarations<'s, 't> {
    source: &'s str,
    root: Node<'t>,
    pub(super) decls: Vec<Decl>,
    pub(super) decl_sites: HashSet<usize>,
}

impl<'s, 't> Declarations<'s, 't> {
    pub(super) fn collect(source: &'s str, root: Node<'t>) -> Declarations<'s, 't> {
        let mut this = Declarations {
            source,
            root,
            decls: Vec::new(),
            decl_sites: HashSet::new(),
        };
        // The function's own name is declared around it, not referenced in it.
        if let Some(name) = root.child_by_field_id(crate::field!("name")) {
            this.decl_sites.insert(name.id());
        }
        // Declarations, in the function and in nested functions (for
        // shadowing). Scopes are found among the walk's ancestors, never by
        // climbing with `Node::parent` (see `preorder_with_ancestors`).
        preorder_with_ancestors(root, |node, ancestors| this.visit(node, ancestors));
        this
    }

    /// Declares the name `ident` (which is then no reference).
    fn declare(
        &mut self,
        ident: Node,
        kind: BindingKind,
        decl_end: usize,
        (scope, scope_ancestors): (Node<'t>, &[Node<'t>]),
        init: Option<Range<usize>>,
    ) {
        self.decl_sites.insert(ident.id());
        self.decls.push(Decl {
            name: self.source[ident.byte_range()].to_owned(),
            kind,
            ident: ident.byte_range(),
            decl_end,
            scope: scope.byte_range(),
            owner: owner_function(scope, scope_ancestors, self.root),
            init,
            kill: None,
        });
    }

    /// Declares `ident`, the name or the single parameter of `node`, in
    /// `node`'s own scope.
    fn declare_name_of(
        &mut self,
        node: Node<'t>,
        ancestors: &[Node<'t>],
        ident: Node,
        kind: BindingKind,
    ) {
        self.declare(ident, kind, ident.end_byte(), (node, ancestors), None);
    }

    fn visit(&mut self, node: Node<'t>, ancestors: &[Node<'t>]) -> Walk {
        let root = self.root;
        match node.kind() {
            "variable_declarator" => self.variable_declarator(node, ancestors),
            "for_in_statement" => self.for_in_head(node, ancestors),
            "formal_parameters" => self.parameters(node, ancestors),
            "arrow_function" => {
                if let Some(param) = node.child_by_field_id(crate::field!("parameter")) {
                    self.declare_name_of(node, ancestors, param, BindingKind::Param);
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
                    let scope = innermost(ancestors, root, is_block_scope);
                    self.declare(name, kind, name.end_byte(), scope, None);
                }
            }
            "function_expression" | "function" | "generator_function" | "class" if node != root => {
                if let Some(name) = node.child_by_field_id(crate::field!("name")) {
                    self.declare_name_of(node, ancestors, name, BindingKind::Function);
                }
            }
            "catch_clause" => {
                if let Some(param) = node.child_by_field_id(crate::field!("parameter")) {
                    for ident in pattern_identifiers(param) {
                        self.declare(
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
                self.import(node, ancestors);
                return Walk::Skip;
            }
            _ => {}
        }
        Walk::Enter
    }

    fn variable_declarator(&mut self, node: Node<'t>, ancestors: &[Node<'t>]) {
        let root = self.root;
        let Some((&decl, decl_ancestors)) = ancestors.split_last() else {
            return;
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
                self.declare(
                    ident,
                    kind,
                    decl.end_byte(),
                    scope,
                    value.map(|v| v.byte_range()),
                );
                let block = decl_ancestors
                    .last()
                    .filter(|p| resets && is_block(p.kind()));
                if let (Some(block), Some(last)) = (block, self.decls.last_mut()) {
                    last.kill = Some(Kill {
                        stmt: decl.byte_range(),
                        block: block.byte_range(),
                    });
                }
            }
        }
    }

    fn for_in_head(&mut self, node: Node<'t>, ancestors: &[Node<'t>]) {
        let root = self.root;
        let kind = for_in_declaration_kind(node);
        let kind = match kind {
            Some("const") => Some(BindingKind::Const),
            Some("let") | Some("using") => Some(BindingKind::Let),
            Some("var") => Some(BindingKind::Var),
            _ => None,
        };
        if let (Some(kind), Some(left)) = (kind, node.child_by_field_id(crate::field!("left"))) {
            let scope = if kind == BindingKind::Var {
                innermost(ancestors, root, is_function_scope)
            } else {
                (node, ancestors)
            };
            for ident in pattern_identifiers(left) {
                self.declare(ident, kind, left.end_byte(), scope, None);
            }
        }
    }

    fn parameters(&mut self, node: Node<'t>, ancestors: &[Node<'t>]) {
        if let Some((&function, function_ancestors)) = ancestors.split_last() {
            let mut cursor = node.walk();
            for param in node.named_children(&mut cursor) {
                for ident in pattern_identifiers(param) {
                    self.declare(
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

    fn import(&mut self, node: Node<'t>, ancestors: &[Node<'t>]) {
        let root = self.root;
        preorder(node, |inner| {
            match inner.kind() {
                "import_specifier" => {
                    let local = inner
                        .child_by_field_id(crate::field!("alias"))
                        .or_else(|| inner.child_by_field_id(crate::field!("name")));
                    let mut cursor = inner.walk();
                    for part in inner.named_children(&mut cursor) {
                        self.decl_sites.insert(part.id());
                    }
                    if let Some(local) = local.filter(|l| l.kind() == "identifier") {
                        self.declare(
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
                    self.declare(
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
    }
}

/// Step 2 of [`super::FunctionFlow::new`]: the bindings of the analysed
/// function, and which of them each name resolves to at a place.
pub(super) struct Resolver<'d> {
    decls: &'d [Decl],
    by_name: HashMap<&'d str, Vec<usize>>,
    /// The binding (an index into `bindings`) of each of the analysed
    /// function's own declarations (an index into `decls`).
    pub(super) local_index: HashMap<usize, usize>,
}

impl<'d> Resolver<'d> {
    /// The resolver, and the bindings of the function `root_id`, in
    /// declaration order.
    pub(super) fn new(decls: &'d [Decl], root_id: usize) -> (Resolver<'d>, Vec<Binding>) {
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
        let resolver = Resolver {
            decls,
            by_name,
            local_index,
        };
        (resolver, bindings)
    }

    /// The declaration (an index into `decls`) that `name` at `at` names.
    pub(super) fn resolve(&self, name: &str, at: &Range<usize>) -> Option<usize> {
        let decls = self.decls;
        self.by_name
            .get(name)?
            .iter()
            .copied()
            .filter(|&index| contains(&decls[index].scope, at))
            .min_by_key(|&index| decls[index].scope.len())
    }

    /// The binding of the analysed function that `name` at `at` names.
    pub(super) fn resolve_local(&self, name: &str, at: &Range<usize>) -> Option<usize> {
        self.resolve(name, at)
            .and_then(|index| self.local_index.get(&index).copied())
    }
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

/// The `for...in`/`for...of` statement whose head declares or assigns
/// `ident` (directly or through a destructuring pattern).
pub fn for_in_head_of(ident: Node) -> Option<Node> {
    let mut at = ident;
    while let Some(parent) = at.parent() {
        if parent.kind() == "for_in_statement" {
            return (parent.child_by_field_id(crate::field!("left")) == Some(at)).then_some(parent);
        }
        if !matches!(
            parent.kind(),
            "object_pattern" | "array_pattern" | "pair_pattern" | "rest_pattern"
        ) {
            return None;
        }
        at = parent;
    }
    None
}
