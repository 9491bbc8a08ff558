//! Which awaited expressions are certainly native promises, decided from the
//! declarations the file (and the workspace files it imports) shows, and which
//! declaration decided it: a call of an async function or of a function that
//! returns a native promise on every path, of such a method on `this`, `super`
//! or a known instance, of an imported such function, `.then` on a decided
//! promise, the `Promise` statics, and a `const` holding one of those; a
//! name or field awaited right after the code that sets or tests it
//! (`x ??= load(); await x`, see `guarded`).
//!
//! Names are resolved through scopes (a binding of one function is not a
//! same-named binding of another), and a name counts when its binding is
//! never assigned after its declaration, or is a `const`/`let` whose every
//! assigned value is decided too; a method only when no
//! assignment anywhere in the file writes a property of that name (which
//! could replace it on an instance; a computed write whose key is a
//! `Symbol` replaces none) and no class of the file that extends its
//! class overrides it with something undecided. Subclasses in other files are
//! not seen: `this.m()` trusts the class's own declaration of `m`.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::{Node, Tree};

mod call_sites;
mod calls;
mod classes;
mod deferred;
mod destructured;
mod fields;
mod guarded;
mod packages;
mod prototypes;
mod returned;
mod scope;
mod undecided;
mod web_builtins;
mod writes;

pub use undecided::Undecided;

use calls::last_of_sequence;
use classes::{in_static_member, is_accessor, superclass_name, Parent};
use destructured::declares_one_name;
use scope::{declaration_keyword, scope_of};

use crate::analysis::modules::{ExportedValue, ImportedNames};
use crate::syntax::js::{
    enclosing_class_of_this, find_own_node, has_optional_chain, is_async_function, is_function,
    is_generator_function, last_but_comments, parameter_pattern, pattern_identifiers,
    unwrap_parens,
};

/// Whether `node` is a call that certainly calls: a `call_expression` with
/// an argument list, neither a tagged template nor an optional call
/// (`f?.()`), which may call nothing.
fn is_plain_call(node: Node) -> bool {
    node.kind() == "call_expression"
        && !has_optional_chain(node)
        && node
            .child_by_field_id(crate::field!("arguments"))
            .is_some_and(|a| a.kind() == "arguments")
}

/// How deep a decision may follow functions that return other calls.
const MAX_DEPTH: u32 = 6;

/// The `Promise` statics that return a native promise, space-separated.
const PROMISE_STATICS: &str = "resolve reject all allSettled any race try";

/// Why an expression certainly evaluates to a native promise: a sentence
/// fragment naming the declaration, such as "`helper` is an async function
/// (line 12)".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub why: String,
}

impl Decision {
    fn new(why: impl Into<String>) -> Self {
        Self { why: why.into() }
    }
}

/// The file's bindings, read once, to decide the promise kind of expressions.
pub struct PromiseDeclarations<'t> {
    source: &'t str,
    /// Name -> every node that binds it (a declaration, declarator, parameter
    /// list, import).
    bindings: HashMap<&'t str, Vec<Node<'t>>>,
    /// Name -> every identifier that writes it (`x = ...`, `x += ...`,
    /// `x++`, `for (x of ...)`), whichever binding it writes.
    writes: HashMap<&'t str, Vec<Node<'t>>>,
    /// Property names written anywhere (`a.m = ...`, `a["m"] = ...`).
    assigned_members: HashSet<&'t str>,
    /// The receivers of computed writes (`a[k] = ...`: `a`; `this[k] = ...`:
    /// `this`, for every class): any of their methods may be replaced. A
    /// computed write through another expression (`a.b[k]`) is taken not to
    /// reach a method (it writes to data, as in the corpus).
    computed_writes: HashSet<&'t str>,
    /// The `this` of each computed write through it (`this[k] = …`): which
    /// classes' instances it may write (see `fields::this_member_may_be_replaced`).
    computed_this_writes: Vec<Node<'t>>,
    /// Computed writes (the object and the key) until every binding is read.
    pending_computed_writes: Vec<(Node<'t>, Node<'t>)>,
    /// Property name -> every written member (`a.m`, `this.m`, `a["m"]`):
    /// where each of `assigned_members` is written.
    member_writes: HashMap<&'t str, Vec<Node<'t>>>,
    /// Field name -> every class field declaring it (`m = …`, `m;`).
    field_definitions: HashMap<&'t str, Vec<Node<'t>>>,
    /// Classes by their `extends` clause's name: what may override a method.
    subclasses: HashMap<&'t str, Vec<Node<'t>>>,
    imports: &'t ImportedNames,
    /// Each binding's scope (by the binding node's id), found once: finding
    /// it climbs the tree with `Node::parent`, which descends from the root
    /// each time, and a name bound in every function (`res`, `data`) was
    /// climbed for each of its bindings at every await (17% of the
    /// insights of the 10,000-line benchmark file).
    /// (Its byte range, and whether it is the program: no `Node` inside the
    /// cell, which would make the declarations invariant in `'t`.)
    scopes: RefCell<HashMap<usize, (Range<usize>, bool)>>,
    /// The `let`/`const` bindings a decision in progress takes to hold a
    /// native promise (see `writes::first_undecided_assuming`).
    assuming: RefCell<Vec<usize>>,
    /// The call sites of the file's functions, for their parameters (see
    /// `call_sites`).
    call_site_memo: RefCell<call_sites::CallSiteMemo>,
    /// What the file's top-level statements do to constructors'
    /// prototypes, read at the first `this.m()` in a plain function.
    prototypes: std::cell::OnceCell<prototypes::PrototypeTable>,
}

/// Whether [`PromiseDeclarations::record`] reads a named node of kind
/// `kind` (its match arms, in their order).
fn is_recorded(kind: &str) -> bool {
    matches!(
        kind,
        "function_declaration"
            | "generator_function_declaration"
            | "class_declaration"
            | "function_expression"
            | "generator_function"
            | "class"
            | "variable_declarator"
            | "formal_parameters"
            | "catch_clause"
    ) || kind == "arrow_function"
        || matches!(
            kind,
            "import_specifier"
                | "namespace_import"
                | "import_clause"
                | "assignment_expression"
                | "augmented_assignment_expression"
                | "field_definition"
                | "update_expression"
                | "for_in_statement"
        )
}

/// Whether a node of kind id `id` is one [`PromiseDeclarations::record`]
/// reads: a table by id, built once from the kinds' names (every id of a
/// named kind of that name, aliases included), so the walk never compares
/// names.
fn is_recorded_kind(id: u16) -> bool {
    static TABLE: std::sync::OnceLock<Vec<bool>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let language = crate::syntax::language();
        (0..language.node_kind_count() as u16)
            .map(|id| {
                language.node_kind_is_named(id)
                    && language.node_kind_for_id(id).is_some_and(is_recorded)
            })
            .collect()
    });
    table.get(usize::from(id)).copied().unwrap_or(false)
}

/// The nodes of `tree` that [`PromiseDeclarations::record`] reads, in the
/// order it reads them: the order of a stack of named children popped last
/// child first (which the lists of bindings and writes keep). They are a few
/// percent of the tree, so one cursor steps through every node, testing its
/// kind id against a table, and keeps those in post-order, which reversed is
/// that order (a node's children right to left, then the node, reversed).
fn recorded_nodes(tree: &Tree) -> Vec<Node<'_>> {
    let mut recorded = Vec::new();
    let mut cursor = tree.walk();
    'descend: loop {
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            let node = cursor.node();
            if is_recorded_kind(node.kind_id()) {
                recorded.push(node);
            }
            if cursor.goto_next_sibling() {
                continue 'descend;
            }
            if !cursor.goto_parent() {
                break 'descend;
            }
        }
    }
    recorded.reverse();
    recorded
}

impl<'t> PromiseDeclarations<'t> {
    /// Reads `tree`'s bindings; `imports` are the names the file binds from
    /// workspace files (empty when unknown).
    pub fn new(source: &'t str, tree: &'t Tree, imports: &'t ImportedNames) -> Self {
        let mut this = Self {
            source,
            bindings: HashMap::new(),
            writes: HashMap::new(),
            assigned_members: HashSet::new(),
            computed_writes: HashSet::new(),
            computed_this_writes: Vec::new(),
            pending_computed_writes: Vec::new(),
            member_writes: HashMap::new(),
            field_definitions: HashMap::new(),
            subclasses: HashMap::new(),
            imports,
            scopes: RefCell::new(HashMap::new()),
            assuming: RefCell::new(Vec::new()),
            call_site_memo: RefCell::default(),
            prototypes: std::cell::OnceCell::new(),
        };
        for node in recorded_nodes(tree) {
            this.record(node);
        }
        this.settle_computed_writes();
        this
    }

    fn text(&self, node: Node) -> &'t str {
        &self.source[node.byte_range()]
    }

    fn bind(&mut self, name: Node<'t>, by: Node<'t>) {
        let text = self.text(name);
        self.bindings.entry(text).or_default().push(by);
    }

    fn record(&mut self, node: Node<'t>) {
        // The `name` field, looked up only for the kinds that have one.
        let name = || node.child_by_field_id(crate::field!("name"));
        match node.kind() {
            "function_declaration"
            | "generator_function_declaration"
            | "class_declaration"
            | "function_expression"
            | "generator_function"
            | "class" => {
                if let Some(name) = name() {
                    self.bind(name, node);
                }
                if matches!(node.kind(), "class_declaration" | "class") {
                    if let Some(parent) = superclass_name(node) {
                        let parent = self.text(parent);
                        self.subclasses.entry(parent).or_default().push(node);
                    }
                }
            }
            "variable_declarator" => {
                if let Some(name) = name() {
                    for bound in pattern_identifiers(name) {
                        self.bind(bound, node);
                    }
                }
            }
            "formal_parameters" | "catch_clause" => {
                if let Some(pattern) = parameter_pattern(node) {
                    for bound in pattern_identifiers(pattern) {
                        self.bind(bound, node);
                    }
                }
            }
            "arrow_function" => {
                if let Some(param) = node.child_by_field_id(crate::field!("parameter")) {
                    self.bind(param, node);
                }
            }
            "import_specifier" | "namespace_import" | "import_clause" => {
                let mut cursor = node.walk();
                let bound: Vec<Node> = match node.kind() {
                    "import_specifier" => node
                        .child_by_field_id(crate::field!("alias"))
                        .or_else(|| node.child_by_field_id(crate::field!("name")))
                        .into_iter()
                        .collect(),
                    _ => node
                        .named_children(&mut cursor)
                        .filter(|c| c.kind() == "identifier")
                        .collect(),
                };
                for bound in bound {
                    self.bind(bound, node);
                }
            }
            "assignment_expression" | "augmented_assignment_expression" => {
                if let Some(left) = node.child_by_field_id(crate::field!("left")) {
                    self.record_write(left);
                }
            }
            "field_definition" => {
                if let Some(property) = node.child_by_field_id(crate::field!("property")) {
                    let text = self.text(property);
                    self.field_definitions.entry(text).or_default().push(node);
                }
            }
            "update_expression" => {
                if let Some(argument) = node.child_by_field_id(crate::field!("argument")) {
                    self.record_write(argument);
                }
            }
            "for_in_statement" => {
                let declares = declaration_keyword(node).is_some();
                if let Some(left) = node.child_by_field_id(crate::field!("left")) {
                    if declares {
                        for bound in pattern_identifiers(left) {
                            self.bind(bound, node);
                        }
                    } else if matches!(left.kind(), "identifier" | "member_expression") {
                        self.record_write(left);
                    }
                }
            }
            _ => {}
        }
    }

    /// The node binding `name` where `at` reads it (see [`Self::resolve`]),
    /// when nothing assigns that binding after its declaration.
    fn binding_at(&self, name: &str, at: Node<'t>) -> Option<Node<'t>> {
        let binding = self.resolve(name, at)?;
        self.writes_to(name, binding).is_empty().then_some(binding)
    }

    /// The range of [`scope_of`] `binding`, and whether that is the
    /// program, computed once.
    pub(super) fn scope(&self, binding: Node<'t>) -> (Range<usize>, bool) {
        let mut scopes = self.scopes.borrow_mut();
        let scope = scopes.entry(binding.id()).or_insert_with(|| {
            let scope = scope_of(binding);
            (scope.byte_range(), scope.parent().is_none())
        });
        scope.clone()
    }

    /// Whether the identifier `name` is bound, where it is, by a module-level
    /// `import` or `require`.
    fn imported_at(&self, name: Node<'t>) -> Option<()> {
        let binding = self.binding_at(self.text(name), name)?;
        self.is_import_binding(binding).then_some(())
    }

    /// Whether `binding` is a module-level `import` or `require` (what the
    /// imported names describe).
    fn is_import_binding(&self, binding: Node<'t>) -> bool {
        match binding.kind() {
            "import_specifier" | "import_clause" | "namespace_import" => true,
            "variable_declarator" => {
                self.scope(binding).1
                    && binding
                        .child_by_field_id(crate::field!("value"))
                        .is_some_and(|v| self.text(v).contains("require("))
            }
            _ => false,
        }
    }

    fn line(&self, node: Node) -> usize {
        node.start_position().row + 1
    }

    /// Why the expression at `range` is a promise by the file's declared
    /// TypeScript types (a native one or an instance of a subclass).
    pub fn declared_promise(&self, range: &Range<usize>) -> Option<String> {
        self.imports.declared.promise_at(range).map(|d| d.why())
    }

    /// Why `expr` certainly evaluates to a native promise, or `None`.
    pub fn decide(&self, expr: Node<'t>) -> Option<Decision> {
        self.decide_at(expr, 0)
    }

    fn decide_at(&self, expr: Node<'t>, depth: u32) -> Option<Decision> {
        if depth > MAX_DEPTH {
            return None;
        }
        let expr = unwrap_parens(expr);
        match expr.kind() {
            "new_expression" => {
                let constructor = expr.child_by_field_id(crate::field!("constructor"))?;
                (self.text(constructor) == "Promise" && !self.bindings.contains_key("Promise"))
                    .then(|| Decision::new("`new Promise(…)` is a native promise"))
            }
            "call_expression" => self.call(expr, depth),
            // `x = v` evaluates to `v` (a compound assignment to something else).
            "assignment_expression" => {
                let value = expr.child_by_field_id(crate::field!("right"))?;
                let inner = self.decide_at(value, depth + 1)?;
                Some(Decision::new(format!(
                    "the assignment's value is one: {}",
                    inner.why
                )))
            }
            "ternary_expression" => {
                let arm = |field| {
                    let arm = expr.child_by_field_id(field)?;
                    self.decide_at(arm, depth + 1)
                };
                let (yes, no) = (
                    arm(crate::field!("consequence"))?,
                    arm(crate::field!("alternative"))?,
                );
                Some(Decision::new(format!(
                    "both arms of the conditional are: {}; {}",
                    yes.why, no.why
                )))
            }
            "identifier" => self
                .name_holds(expr, depth)
                .or_else(|| self.just_set(expr, depth))
                .or_else(|| self.parameter_read(expr, depth))
                .or_else(|| self.destructured_promise(expr, depth)),
            "member_expression" => self
                .just_set(expr, depth)
                .or_else(|| self.deferred_member(expr, depth)),
            _ => None,
        }
    }

    /// Why the name `expr` holds a native promise: a `const`, or a `let`
    /// whose every value (its initializer and each assignment) is one.
    fn name_holds(&self, expr: Node<'t>, depth: u32) -> Option<Decision> {
        let name = self.text(expr);
        let binding = self.resolve(name, expr)?;
        if self.is_assumed(binding) {
            return Some(Decision::new(format!(
                "`{name}` holds a native promise (as every value it is given is one)"
            )));
        }
        // `const`/`let` only: a read before the declaration throws (a `var`
        // would read `undefined`).
        if binding.kind() != "variable_declarator"
            || binding
                .parent()
                .is_none_or(|d| d.kind() != "lexical_declaration")
            || binding
                .child_by_field_id(crate::field!("name"))
                .is_none_or(|n| n.kind() != "identifier")
        {
            return None;
        }
        let value = binding.child_by_field_id(crate::field!("value"))?;
        let inner = self.decide_at(value, depth + 1)?;
        let writes = self.writes_to(name, binding);
        let line = self.line(binding);
        if writes.is_empty() {
            return Some(Decision::new(format!(
                "`{name}` holds a native promise (line {line}): {}",
                inner.why
            )));
        }
        let values = self.assigned_values(&writes).ok()?;
        if self
            .first_undecided_assuming(binding, &values, depth)
            .is_some()
        {
            return None;
        }
        let lines: Vec<String> = writes.iter().map(|w| self.line(*w).to_string()).collect();
        Some(Decision::new(format!(
            "`{name}` holds a native promise (line {line}): {}; so does every value assigned \
             to it (line {})",
            inner.why,
            lines.join(", ")
        )))
    }

    fn call(&self, call: Node<'t>, depth: u32) -> Option<Decision> {
        // Tagged templates and optional calls (`f?.()`) may not call at all.
        if call
            .child_by_field_id(crate::field!("arguments"))
            .is_none_or(|a| a.kind() != "arguments")
            || has_optional_chain(call)
        {
            return None;
        }
        let callee = unwrap_parens(call.child_by_field_id(crate::field!("function"))?);
        // `(0, mod.f)(...)`, as TypeScript compiles an imported call: `f`
        // called without its object as `this`, which does not change what a
        // function returns.
        self.call_of(last_of_sequence(callee)?, depth)
    }

    /// Why the awaited operand of a misparsed `await (0, mod.f)(...)` or
    /// `await (f)(...)` is a native promise: tree-sitter reads `await (…)` as
    /// a call of a function named `await` (see `syntax::awaits`), so `top` is
    /// the call of that call; the caller knows it is an await.
    pub fn decide_misparsed(&self, top: Node<'t>) -> Option<Decision> {
        if !is_plain_call(top) {
            return None;
        }
        let inner = top.child_by_field_id(crate::field!("function"))?;
        let keyword = inner.child_by_field_id(crate::field!("function"))?;
        let arguments = inner.child_by_field_id(crate::field!("arguments"))?;
        if inner.kind() != "call_expression"
            || keyword.kind() != "identifier"
            || self.text(keyword) != "await"
            || arguments.kind() != "arguments"
        {
            return None;
        }
        // `(a, b)` as arguments is the comma expression `a, b`: its value is `b`.
        let last = arguments.named_child(arguments.named_child_count().checked_sub(1)?)?;
        if last.kind() == "spread_element" {
            return None;
        }
        self.call_of(unwrap_parens(last), 0)
    }

    /// A call of `callee` (inside any parentheses and comma expression).
    fn call_of(&self, callee: Node<'t>, depth: u32) -> Option<Decision> {
        match callee.kind() {
            "identifier" => self.function_named(callee, depth),
            "arrow_function" | "function_expression" => self
                .function_returns(callee, depth)
                .map(|why| Decision::new(format!("the function called here {why}"))),
            "member_expression" => self.method_call(callee, depth),
            // ECMA-262 13.3.10.1: `import()` returns a new %Promise%.
            "import" => Some(Decision::new("`import(…)` returns a native promise")),
            "call_expression" if self.is_promisified(callee) => Some(Decision::new(format!(
                "`util.promisify(…)` (line {}) returns a function that returns a native promise",
                self.line(callee)
            ))),
            _ => None,
        }
    }

    /// A call of the function bound to `name`.
    fn function_named(&self, callee: Node<'t>, depth: u32) -> Option<Decision> {
        let name = self.text(callee);
        let binding = self.binding_at(name, callee)?;
        let function = match binding.kind() {
            "function_declaration" => binding,
            "variable_declarator" => {
                let value = unwrap_parens(binding.child_by_field_id(crate::field!("value"))?);
                if self.is_promisified(value) && binding.parent()?.kind() == "lexical_declaration" {
                    return Some(Decision::new(format!(
                        "`{name}` holds what `util.promisify(…)` returns (line {}): a function \
                         that returns a native promise",
                        self.line(binding)
                    )));
                }
                if !is_function(value) {
                    return self.imported_member(binding, name, None);
                }
                value
            }
            "import_specifier" | "import_clause" => {
                return self.imported_member(binding, name, None)
            }
            "formal_parameters" | "arrow_function" => {
                return self.parameter_called(callee, binding, depth)
            }
            _ => return None,
        };
        let why = self.function_returns(function, depth)?;
        Some(Decision::new(format!(
            "`{name}` {why} (line {})",
            self.line(binding)
        )))
    }

    /// A name (or its member `member`) bound from a workspace file.
    fn imported_member(
        &self,
        binding: Node<'t>,
        name: &str,
        member: Option<&str>,
    ) -> Option<Decision> {
        if !self.is_import_binding(binding) {
            return None;
        }
        let imported = self.imports.get(name)?;
        let (value, shown) = match member {
            Some(member) => (imported.value.member(member)?, member),
            None => (&imported.value, name),
        };
        match value {
            // Line 0: a built-in module's function.
            ExportedValue::PromiseFunction { why, line: 0, .. } => {
                Some(Decision::new(format!("`{shown}` {why}")))
            }
            ExportedValue::PromiseFunction { why, line, .. } => Some(Decision::new(format!(
                "`{shown}` {why} in `{}` (line {line})",
                imported.specifier
            ))),
            _ => None,
        }
    }

    /// What makes every call of `function` return a native promise, or `None`.
    fn function_returns(&self, function: Node<'t>, depth: u32) -> Option<String> {
        if is_generator_function(function) {
            return None;
        }
        if is_async_function(function) {
            return Some("is an async function".to_owned());
        }
        let body = function.child_by_field_id(crate::field!("body"))?;
        if body.kind() != "statement_block" {
            // An arrow's expression body.
            self.decide_at(body, depth + 1)?;
            return Some("returns a native promise".to_owned());
        }
        // Every path must end in a `return` of a decided promise: the last
        // statement is one, and so is every other `return` of the body.
        let last = last_but_comments(body)?;
        let decided = |ret: Node<'t>| {
            ret.named_child(0)
                .is_some_and(|value| self.decide_at(value, depth + 1).is_some())
        };
        // The last statement first: for most functions it decides, and
        // the body is not walked.
        if last.kind() != "return_statement" || !decided(last) {
            return None;
        }
        let undecided = find_own_node(body, |node| {
            node.kind() == "return_statement" && node != last && !decided(node)
        });
        undecided
            .is_none()
            .then(|| "returns a native promise on every path".to_owned())
    }

    fn method_call(&self, callee: Node<'t>, depth: u32) -> Option<Decision> {
        if has_optional_chain(callee) {
            return None;
        }
        let object = unwrap_parens(callee.child_by_field_id(crate::field!("object"))?);
        let property = callee.child_by_field_id(crate::field!("property"))?;
        if !matches!(
            property.kind(),
            "property_identifier" | "private_property_identifier"
        ) {
            return None;
        }
        let method = self.text(property);
        if matches!(method, "then" | "catch" | "finally") {
            let receiver = self.decide_at(object, depth + 1)?;
            return Some(Decision::new(format!(
                "`.{method}` of a native promise returns one: {}",
                receiver.why
            )));
        }
        if matches!(method, "call" | "apply") {
            return self.call_or_apply(method, object, depth);
        }
        if let Some(decision) = self.web_builtin_call(object, method) {
            return Some(decision);
        }
        match object.kind() {
            "identifier" => self.identifier_method(object, method, depth),
            "member_expression" => self
                .builtin_promises_call(object, method)
                .or_else(|| self.field_method(object, method, depth)),
            "this" => self.this_method(object, method, depth),
            "super" => {
                let class = enclosing_class_of_this(object)?;
                if in_static_member(object) {
                    return None;
                }
                if self.this_member_may_be_replaced(class, method) {
                    return None;
                }
                match self.parent_class(class)? {
                    Parent::Local(parent) => self.class_method(parent, method, depth, false),
                    Parent::Imported(lookup) => self.imported_method(lookup, method),
                }
            }
            "new_expression" => self.instance_method(object, method, depth),
            "call_expression" => self.returned_instance_method(object, method, depth),
            _ => None,
        }
    }

    /// `x.m(...)` with `x` a name.
    fn identifier_method(&self, object: Node<'t>, method: &str, depth: u32) -> Option<Decision> {
        let name = self.text(object);
        if name == "Promise" && !self.bindings.contains_key("Promise") {
            return PROMISE_STATICS
                .split(' ')
                .any(|name| name == method)
                .then(|| Decision::new(format!("`Promise.{method}(…)` is a native promise")));
        }
        if let Some(this) = self.plain_this_alias(object) {
            // `const self = this` in a prototype's method: its own rules
            // for which writes may replace the method.
            if self.computed_writes.contains(name) {
                return None;
            }
            return self.prototype_this_method(this, method, depth);
        }
        if self.member_may_be_replaced(name, method) {
            return None;
        }
        let binding = self.resolve(name, object)?;
        let writes = self.writes_to(name, binding);
        if !writes.is_empty() {
            return self.reassigned_instance_method(name, binding, &writes, method, depth);
        }
        match binding.kind() {
            // `const { client } = this`: the field, as `this.client`; a
            // name destructured from anything else is no method's receiver
            // here but an import's (`const { lib } = require('./lib')`).
            "variable_declarator" if !declares_one_name(binding) => self
                .destructured_field_method(binding, name, method, depth)
                .or_else(|| self.imported_member(binding, name, Some(method))),
            "variable_declarator" => {
                let value = unwrap_parens(binding.child_by_field_id(crate::field!("value"))?);
                match value.kind() {
                    "new_expression" => self.instance_method(value, method, depth),
                    // `const cursor = this.aggregate(…)`.
                    "call_expression" => self
                        .imported_member(binding, name, Some(method))
                        .or_else(|| self.returned_instance_method(value, method, depth)),
                    "object" => self.object_method(name, value, method, depth),
                    // `const self = this`: the instance, as `this` is there.
                    "this" => self.this_method(value, method, depth),
                    // `const client = this.client`.
                    "member_expression" => self
                        .field_method(value, method, depth)
                        .or_else(|| self.imported_member(binding, name, Some(method))),
                    _ => self.imported_member(binding, name, Some(method)),
                }
            }
            "namespace_import" | "import_clause" => {
                self.imported_member(binding, name, Some(method))
            }
            "class_declaration" => self.static_method(binding, method, depth),
            "formal_parameters" | "arrow_function" => {
                self.parameter_method(object, binding, method, depth)
            }
            _ => None,
        }
    }

    /// The `this` a name is bound to once (`const self = this`) outside any
    /// class: a plain function's.
    fn plain_this_alias(&self, name: Node<'t>) -> Option<Node<'t>> {
        let binding = self.binding_at(self.text(name), name)?;
        if binding.kind() != "variable_declarator" || !declares_one_name(binding) {
            return None;
        }
        let value = unwrap_parens(binding.child_by_field_id(crate::field!("value"))?);
        (value.kind() == "this" && enclosing_class_of_this(value).is_none()).then_some(value)
    }

    /// Whether a write may replace `method` on `receiver` (a name, or
    /// `this` for any class instance).
    fn member_may_be_replaced(&self, receiver: &str, method: &str) -> bool {
        self.assigned_members.contains(method) || self.computed_writes.contains(receiver)
    }

    /// `object.method(...)` with `object` bound once to an object literal.
    fn object_method(
        &self,
        object_name: &str,
        object: Node<'t>,
        method: &str,
        depth: u32,
    ) -> Option<Decision> {
        let mut cursor = object.walk();
        let mut found = None;
        for member in object.named_children(&mut cursor) {
            let (key, function) = match member.kind() {
                "method_definition" => (member.child_by_field_id(crate::field!("name"))?, member),
                "pair" => (
                    member.child_by_field_id(crate::field!("key"))?,
                    unwrap_parens(member.child_by_field_id(crate::field!("value"))?),
                ),
                "spread_element" => return None,
                _ => continue,
            };
            if key.kind() == "computed_property_name" {
                return None;
            }
            if self.text(key).trim_matches(|c| c == '\'' || c == '"') == method {
                // The last one wins, as in JavaScript.
                found = Some((member, function));
            }
        }
        let (member, function) = found?;
        if !is_function(function) || is_accessor(function) {
            return None;
        }
        let why = self.function_returns(function, depth)?;
        Some(Decision::new(format!(
            "`{object_name}.{method}` {why} (line {})",
            self.line(member)
        )))
    }
}

/// Questions the export summaries ask of a file's declarations.
impl<'t> PromiseDeclarations<'t> {
    /// The module-level declaration of `name` (see the module's rules), if
    /// any: what `name` means at `root`, the program.
    pub fn declaration_of(&self, name: &str, root: Node<'t>) -> Option<Node<'t>> {
        self.binding_at(name, root)
    }

    /// What makes every call of `function` return a native promise.
    pub fn returns_native_promise(&self, function: Node<'t>) -> Option<String> {
        if function.kind() == "method_definition" && is_accessor(function) {
            return None;
        }
        self.function_returns(function, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    #[test]
    fn the_cursor_walk_keeps_the_nodes_and_order_of_the_stack_walk() {
        let source = "import a, { b as c } from './x.js';\n\
             import * as ns from './y.js';\n\
             class K extends a { m = 1; static n; async f(p, { q }) { this.m = p; for (const r in q) r++; } }\n\
             const g = function h(s = 1) { try { t += s; } catch ({ u }) { return (v) => v; } };\n\
             let w; w = async () => { for (w in g) {} }; function* gen() { yield class {}; }\n\
             <div onClick={async (e) => { x.y[e] = 1; }} />;\n\
             if (( { broken\n";
        let tree = syntax::parse(source, None);
        // The walk `PromiseDeclarations::new` made before: every named node,
        // from a stack of named children popped last child first.
        let mut expected = Vec::new();
        let mut stack = vec![tree.root_node()];
        let mut cursor = tree.walk();
        while let Some(node) = stack.pop() {
            if is_recorded(node.kind()) {
                expected.push(node);
            }
            stack.extend(node.named_children(&mut cursor));
        }
        assert!(expected.len() > 20, "the sample holds every kind");
        assert_eq!(recorded_nodes(&tree), expected);
    }
}
