//! Which binding a name means where it is read or written, for
//! [`super::PromiseDeclarations`]: the file's writes (`x = …`, `x ??= …`,
//! `x++`, `for (x of …)`, destructuring) are resolved through the same
//! scopes as the reads, so a `let` of one function assigned in another
//! function's same-named `let` is not reassigned, and a `let` assigned only
//! at its declaration is as good as a `const`.

use tree_sitter::Node;

use super::PromiseDeclarations;

/// The well-known symbols (`Symbol.iterator`…), space-separated.
const WELL_KNOWN_SYMBOLS: &str = "asyncIterator hasInstance isConcatSpreadable iterator match \
                                  matchAll replace search species split toPrimitive toStringTag \
                                  unscopables dispose asyncDispose";
use crate::syntax::js::{pattern_identifiers, unwrap_parens};

impl<'t> PromiseDeclarations<'t> {
    /// Records the names and properties `target` (the left of an
    /// assignment, the argument of `++`, the left of a `for…in/of` that
    /// declares nothing) writes.
    pub(super) fn record_write(&mut self, target: Node<'t>) {
        let target = unwrap_parens(target);
        match target.kind() {
            "identifier" => {
                let text = self.text(target);
                self.writes.entry(text).or_default().push(target);
            }
            "member_expression" => {
                if let Some(property) = target.child_by_field_id(crate::field!("property")) {
                    let property = self.text(property);
                    self.assigned_members.insert(property);
                    self.member_writes.entry(property).or_default().push(target);
                }
            }
            "subscript_expression" => {
                let index = target.child_by_field_id(crate::field!("index"));
                let object = target.child_by_field_id(crate::field!("object"));
                match (index, object) {
                    (Some(index), _) if index.kind() == "string" => {
                        let key = self.text(index).trim_matches(|c| c == '\'' || c == '"');
                        self.assigned_members.insert(key);
                        self.member_writes.entry(key).or_default().push(target);
                    }
                    (Some(index), Some(object))
                        if matches!(object.kind(), "identifier" | "this") =>
                    {
                        // Kept until every binding is read: a key that is a
                        // symbol writes no named method (see `settle_computed_writes`).
                        self.pending_computed_writes.push((object, index));
                    }
                    _ => {}
                }
            }
            // Destructuring assignment: every name and property in it.
            _ => {
                for bound in pattern_identifiers(target) {
                    let text = self.text(bound);
                    self.writes.entry(text).or_default().push(bound);
                }
                let mut stack = vec![target];
                while let Some(node) = stack.pop() {
                    if matches!(node.kind(), "member_expression" | "subscript_expression") {
                        self.record_write(node);
                        continue;
                    }
                    let mut cursor = node.walk();
                    stack.extend(node.named_children(&mut cursor));
                }
            }
        }
    }

    /// Records the computed writes `a[k] = …` / `this[k] = …` whose key may
    /// be a method's name: every one but those whose key is certainly a
    /// symbol (see [`Self::is_symbol`]), which can replace no named method
    /// or field.
    pub(super) fn settle_computed_writes(&mut self) {
        let pending = std::mem::take(&mut self.pending_computed_writes);
        for (object, index) in pending {
            if self.is_symbol(index) && !self.declares_member_named_undefined(index) {
                continue;
            }
            self.computed_writes.insert(self.text(object));
            if object.kind() == "this" {
                self.computed_this_writes.push(object);
            }
        }
    }

    /// Whether `key` certainly evaluates to a symbol: a well-known symbol
    /// (`Symbol.iterator`), or a name bound by a `const` (or a `let` never
    /// assigned again) to `Symbol(…)` or `Symbol.for(…)`, with `Symbol` the
    /// global. (A read before the declaration throws, so it never yields a
    /// string.)
    pub(super) fn is_symbol(&self, key: Node<'t>) -> bool {
        let key = unwrap_parens(key);
        let global_symbol = |node: Node<'t>| {
            node.kind() == "identifier"
                && self.text(node) == "Symbol"
                && !self.bindings.contains_key("Symbol")
        };
        match key.kind() {
            "member_expression" => {
                let (Some(object), Some(property)) = (
                    key.child_by_field_id(crate::field!("object")),
                    key.child_by_field_id(crate::field!("property")),
                ) else {
                    return false;
                };
                global_symbol(object)
                    && WELL_KNOWN_SYMBOLS
                        .split(' ')
                        .any(|name| name == self.text(property))
            }
            "identifier" => self.is_symbol_const(key) || self.is_symbol_var(key),
            _ => false,
        }
    }

    /// Whether the name `key` is bound by a `const` (or a `let` never
    /// assigned again) to `Symbol(…)` or `Symbol.for(…)`.
    fn is_symbol_const(&self, key: Node<'t>) -> bool {
        let global_symbol = |node: Node<'t>| {
            node.kind() == "identifier"
                && self.text(node) == "Symbol"
                && !self.bindings.contains_key("Symbol")
        };
        let Some(binding) = self.binding_at(self.text(key), key) else {
            return false;
        };
        let lexical = binding
            .parent()
            .is_some_and(|d| d.kind() == "lexical_declaration");
        let Some(value) = binding.child_by_field_id(crate::field!("value")) else {
            return false;
        };
        let value = unwrap_parens(value);
        let Some(callee) = value
            .child_by_field_id(crate::field!("function"))
            .map(unwrap_parens)
        else {
            return false;
        };
        let symbol_call = value.kind() == "call_expression"
            && (global_symbol(callee)
                || (callee.kind() == "member_expression"
                    && callee
                        .child_by_field_id(crate::field!("object"))
                        .is_some_and(global_symbol)
                    && callee
                        .child_by_field_id(crate::field!("property"))
                        .is_some_and(|p| self.text(p) == "for")));
        lexical
            && binding
                .child_by_field_id(crate::field!("name"))
                .is_some_and(|n| n.kind() == "identifier")
            && symbol_call
    }

    /// Whether `key` is a bare `var` (see [`Self::is_symbol_var`]) while a
    /// member or field named `undefined` is declared, which its write
    /// before the assignment would replace.
    fn declares_member_named_undefined(&self, key: Node<'t>) -> bool {
        key.kind() == "identifier"
            && !self.is_symbol_const(key)
            && (self.field_definitions.contains_key("undefined")
                || self.source.contains("undefined("))
    }

    /// Whether the name `key` is a `var` declared without a value whose
    /// every assignment (`_a = kState`) gives it such a symbol `const`:
    /// TypeScript's compiled form of a class field keyed by a symbol
    /// (`var _a; class C { constructor() { this[_a] = 0; } } _a = kState;`).
    /// Read before that assignment it is `undefined`, and the write goes to
    /// a property named `"undefined"` (a name no class of this file may
    /// declare then: see `settle_computed_writes`).
    fn is_symbol_var(&self, key: Node<'t>) -> bool {
        let name = self.text(key);
        let Some(binding) = self.resolve(name, key) else {
            return false;
        };
        let is_bare_var = binding.kind() == "variable_declarator"
            && binding
                .parent()
                .is_some_and(|d| d.kind() == "variable_declaration")
            && binding.child_by_field_id(crate::field!("value")).is_none()
            && binding
                .child_by_field_id(crate::field!("name"))
                .is_some_and(|n| n.kind() == "identifier");
        let writes = self.writes_to(name, binding);
        is_bare_var
            && !writes.is_empty()
            && writes.iter().all(|&write| {
                let Some(assignment) = write.parent() else {
                    return false;
                };
                let value = assignment
                    .child_by_field_id(crate::field!("right"))
                    .map(unwrap_parens);
                assignment.kind() == "assignment_expression"
                    && assignment
                        .child_by_field_id(crate::field!("left"))
                        .is_some_and(|l| l.id() == write.id())
                    && value.is_some_and(|v| v.kind() == "identifier" && self.is_symbol_const(v))
            })
    }

    /// The node binding `name` where `at` reads or writes it: the binding
    /// of the innermost scope around `at` that binds it, when that scope
    /// binds it once (whatever the file assigns to it).
    pub(super) fn resolve(&self, name: &str, at: Node<'t>) -> Option<Node<'t>> {
        let mut best: Option<(usize, Node<'t>)> = None;
        let mut ambiguous = false;
        for &binding in self.bindings.get(name)? {
            let (scope, _) = self.scope(binding);
            if !encloses(&scope, at) {
                continue;
            }
            let size = scope.end - scope.start;
            match best {
                Some((smallest, _)) if smallest < size => {}
                Some((smallest, _)) if smallest == size => ambiguous = true,
                _ => {
                    best = Some((size, binding));
                    ambiguous = false;
                }
            }
        }
        best.filter(|_| !ambiguous).map(|(_, binding)| binding)
    }

    /// Whether some binding of `name` is in scope at `at` (when
    /// [`Self::resolve`] finds none, the name is then bound more than once
    /// there, not a global).
    pub(super) fn bound_around(&self, name: &str, at: Node<'t>) -> bool {
        self.bindings
            .get(name)
            .is_some_and(|all| all.iter().any(|&b| encloses(&self.scope(b).0, at)))
    }

    /// The written identifiers (in source order) that may write `binding`
    /// of `name`: every write inside its scope that does not resolve to
    /// another binding.
    pub(super) fn writes_to(&self, name: &str, binding: Node<'t>) -> Vec<Node<'t>> {
        let (scope, _) = self.scope(binding);
        let mut found: Vec<Node<'t>> = self
            .writes
            .get(name)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&write| {
                encloses(&scope, write)
                    && self
                        .resolve(name, write)
                        .is_none_or(|other| other.id() == binding.id())
            })
            .collect();
        found.sort_by_key(|w| w.start_byte());
        found
    }
    /// Every value a plain `let`/`var`/`const` of one name (`binding`, a
    /// `variable_declarator`) is given: its initializer and the values
    /// assigned at `writes`; `None` for a destructuring declarator or a
    /// write whose value is not known.
    pub(super) fn declarator_values(
        &self,
        binding: Node<'t>,
        writes: &[Node<'t>],
    ) -> Option<Vec<Node<'t>>> {
        if binding.kind() != "variable_declarator"
            || binding
                .child_by_field_id(crate::field!("name"))
                .is_none_or(|n| n.kind() != "identifier")
        {
            return None;
        }
        let mut values: Vec<Node<'t>> = binding
            .child_by_field_id(crate::field!("value"))
            .into_iter()
            .collect();
        values.extend(self.assigned_values(writes).ok()?);
        Some(values)
    }

    /// The value each write in `writes` gives its name: the right side of
    /// `x = v`, `x ??= v`, `x ||= v` or `x &&= v` (the name then holds the
    /// old value or `v`). `Err` names the first write that is something
    /// else (`x++`, `x += 1`, a loop head, destructuring).
    pub(super) fn assigned_values(&self, writes: &[Node<'t>]) -> Result<Vec<Node<'t>>, Node<'t>> {
        writes
            .iter()
            .map(|&write| {
                let assignment = write.parent().ok_or(write)?;
                let right = assignment
                    .child_by_field_id(crate::field!("right"))
                    .ok_or(write)?;
                let left = assignment.child_by_field_id(crate::field!("left"));
                let operator = &self.source[write.end_byte()..right.start_byte()];
                let assigns = match assignment.kind() {
                    "assignment_expression" => true,
                    "augmented_assignment_expression" => {
                        matches!(operator.trim(), "??=" | "||=" | "&&=")
                    }
                    _ => false,
                };
                match left.is_some_and(|l| l.id() == write.id()) && assigns {
                    true => Ok(right),
                    false => Err(write),
                }
            })
            .collect()
    }

    /// The index of the first value in `values` not decided a native
    /// promise (`None`: every one is), taking `binding` to hold one wherever
    /// a value reads it (`p = p.then(f)`). Sound when the binding's first
    /// value is decided: each later value is then computed from native
    /// promises only, in whatever order the writes run.
    pub(super) fn first_undecided_assuming(
        &self,
        binding: Node<'t>,
        values: &[Node<'t>],
        depth: u32,
    ) -> Option<usize> {
        self.assuming.borrow_mut().push(binding.id());
        let open = values
            .iter()
            .position(|&value| self.decide_at(value, depth + 1).is_none());
        self.assuming.borrow_mut().pop();
        open
    }

    /// Whether a decision in progress takes `binding` to hold a native
    /// promise (see [`Self::first_undecided_assuming`]).
    pub(super) fn is_assumed(&self, binding: Node<'t>) -> bool {
        self.assuming.borrow().contains(&binding.id())
    }
}

/// Whether `scope` contains `node`.
fn encloses(scope: &std::ops::Range<usize>, node: Node) -> bool {
    scope.start <= node.start_byte() && node.end_byte() <= scope.end
}
