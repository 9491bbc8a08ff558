//! Names and fields awaited right after the code that sets them, for
//! [`super::PromiseDeclarations`]: the lazy-initialisation shapes
//!
//! ```js
//! cache ??= load();        await cache;
//! if (!cache) { cache = load(); }   const v = await cache;
//! if (this.lock) { return await this.lock; }
//! this.lock = this.open(); try { await this.lock; } finally { this.lock = undefined; }
//! ```
//!
//! Nothing runs between the statement that sets (or tests) the name and the
//! `await` that reads it, so the operand is the value just given, or (after
//! `??=`, `||=`, `if (!x)` and inside `if (x)`) a value the name held
//! before that is neither `null` nor `undefined`. The await is decided when
//! that value is, and every other value the file gives the binding (or the
//! field, see `fields::field_values`) is `null`, `undefined` or decided too.

use tree_sitter::Node;

use super::{Decision, PromiseDeclarations};
use crate::syntax::js::{
    enclosing_class_of_this, has_optional_chain, last_but_comments, unwrap_parens,
};

use super::classes::in_static_member;

/// What the code just before an await says of its operand.
enum JustBefore<'t> {
    /// `x = v`: the operand is `v`.
    Assigned(Node<'t>),
    /// `x ??= v`, `x ||= v` or `if (!x) { …; x = v; }`: `v`, or an earlier
    /// value that is not nullish.
    AssignedUnlessSet(Node<'t>),
    /// Inside `if (x) { … }`: an earlier value that is not nullish.
    Tested,
}

impl<'t> PromiseDeclarations<'t> {
    /// Why `operand` (a name, or `this.field`), awaited right after the
    /// code that sets or tests it, is a native promise.
    pub(super) fn just_set(&self, operand: Node<'t>, depth: u32) -> Option<Decision> {
        let target = self.source_text_of_target(operand)?;
        let (before, line) = self.just_before(operand, target)?;
        // Every value it is given, read only after the test above: a name
        // bound in this file (no global's accessor), a field no accessor or
        // hidden writer reaches.
        let values = self.set_values(operand)?;
        let given = match before {
            JustBefore::Assigned(value) => {
                let inner = self.decide_at(value, depth + 1)?;
                return Some(Decision::new(format!(
                    "`{target}` is set just before it is awaited (line {line}): {}",
                    inner.why
                )));
            }
            JustBefore::AssignedUnlessSet(value) => Some(self.decide_at(value, depth + 1)?),
            JustBefore::Tested => None,
        };
        let others = self.every_set_value_decided(operand, &values, depth)?;
        let set = match given {
            Some(given) => format!(
                "set just before it is awaited (line {line}) unless it was set: {}; ",
                given.why
            ),
            None => format!("tested just before it is awaited (line {line}); "),
        };
        Some(Decision::new(format!(
            "`{target}` is {set}every value this file gives it is `null`, `undefined` or \
             a native promise ({others})"
        )))
    }

    /// The text of `operand` when it is a name or `this.field` (outside a
    /// static member): what a write or test must name.
    fn source_text_of_target(&self, operand: Node<'t>) -> Option<&'t str> {
        match operand.kind() {
            "identifier" => Some(self.text(operand)),
            "member_expression" => {
                let object = operand.child_by_field_id(crate::field!("object"))?;
                let property = operand.child_by_field_id(crate::field!("property"))?;
                (object.kind() == "this"
                    && !has_optional_chain(operand)
                    && matches!(
                        property.kind(),
                        "property_identifier" | "private_property_identifier"
                    )
                    && !in_static_member(object))
                .then(|| self.text(operand))
            }
            _ => None,
        }
    }

    /// Whether `node` names the same thing as `target` (the same name, or
    /// `this.field` written alike).
    fn names(&self, node: Node<'t>, target: &str) -> bool {
        let node = unwrap_parens(node);
        matches!(node.kind(), "identifier" | "member_expression")
            && !has_optional_chain(node)
            && self.text(node) == target
    }

    /// What the statement run just before the await of `operand` does to
    /// it, and that statement's line. The await must be the first thing
    /// its statement evaluates (`await x;`, `y = await x;`, `const y =
    /// await x;`, `return await x;`).
    fn just_before(&self, operand: Node<'t>, target: &str) -> Option<(JustBefore<'t>, usize)> {
        let awaited = operand.parent()?;
        if awaited.kind() != "await_expression" {
            return None;
        }
        let statement = awaited.parent()?;
        let first = match statement.kind() {
            "expression_statement" | "return_statement" => true,
            "assignment_expression" => {
                statement
                    .child_by_field_id(crate::field!("left"))
                    .is_some_and(|l| l.kind() == "identifier")
                    && statement
                        .child_by_field_id(crate::field!("right"))
                        .is_some_and(|r| r.id() == awaited.id())
                    && statement
                        .parent()
                        .is_some_and(|p| p.kind() == "expression_statement")
            }
            "variable_declarator" => {
                statement
                    .child_by_field_id(crate::field!("value"))
                    .is_some_and(|v| v.id() == awaited.id())
                    && statement
                        .parent()
                        .is_some_and(|d| d.named_child_count() == 1)
            }
            _ => false,
        };
        if !first {
            return None;
        }
        let mut current = match statement.kind() {
            "assignment_expression" | "variable_declarator" => statement.parent()?,
            _ => statement,
        };
        // Climb out of blocks the statement opens (`try {`, `{`) and into
        // an `if (x) {` that tests the operand.
        loop {
            if let Some(previous) = previous_statement(current) {
                return self.sets(previous, target);
            }
            let block = current.parent()?;
            if block.kind() != "statement_block" {
                return None;
            }
            let holder = block.parent()?;
            match holder.kind() {
                "try_statement"
                    if holder
                        .child_by_field_id(crate::field!("body"))
                        .is_some_and(|b| b.id() == block.id()) =>
                {
                    current = holder;
                }
                // A bare block inside another.
                "statement_block" => current = block,
                "if_statement"
                    if holder
                        .child_by_field_id(crate::field!("consequence"))
                        .is_some_and(|c| c.id() == block.id()) =>
                {
                    let condition = holder.child_by_field_id(crate::field!("condition"))?;
                    return self
                        .names(condition, target)
                        .then(|| (JustBefore::Tested, self.line(holder)));
                }
                _ => return None,
            }
        }
    }

    /// What `statement` (run just before the await) does to `target`.
    fn sets(&self, statement: Node<'t>, target: &str) -> Option<(JustBefore<'t>, usize)> {
        let line = self.line(statement);
        match statement.kind() {
            "expression_statement" => {
                let expr = unwrap_parens(statement.named_child(0)?);
                let left = expr.child_by_field_id(crate::field!("left"))?;
                let right = expr.child_by_field_id(crate::field!("right"))?;
                if !self.names(left, target) {
                    return None;
                }
                let operator = self.source[left.end_byte()..right.start_byte()].trim();
                match (expr.kind(), operator) {
                    ("assignment_expression", _) => Some((JustBefore::Assigned(right), line)),
                    ("augmented_assignment_expression", "??=" | "||=") => {
                        Some((JustBefore::AssignedUnlessSet(right), line))
                    }
                    _ => None,
                }
            }
            // `if (!x) { …; x = v; }` without `else`.
            "if_statement" => {
                if statement
                    .child_by_field_id(crate::field!("alternative"))
                    .is_some()
                {
                    return None;
                }
                let condition =
                    unwrap_parens(statement.child_by_field_id(crate::field!("condition"))?);
                let negated = condition.kind() == "unary_expression"
                    && self.text(condition).trim_start().starts_with('!')
                    && !self.text(condition).trim_start().starts_with("!!")
                    && condition
                        .child_by_field_id(crate::field!("argument"))
                        .is_some_and(|a| self.names(a, target));
                if !negated {
                    return None;
                }
                let consequence = statement.child_by_field_id(crate::field!("consequence"))?;
                let last = match consequence.kind() {
                    "statement_block" => last_but_comments(consequence)?,
                    _ => consequence,
                };
                match self.sets(last, target)? {
                    (JustBefore::Assigned(value), _) => {
                        Some((JustBefore::AssignedUnlessSet(value), line))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Every value the file gives `operand`'s binding (a `let`, `const` or
    /// `var` of one name: its initializer and each assignment) or field
    /// (see `fields::field_values`); `None` when something else may write
    /// or read it.
    fn set_values(&self, operand: Node<'t>) -> Option<Vec<Node<'t>>> {
        match operand.kind() {
            "identifier" => {
                let name = self.text(operand);
                let binding = self.resolve(name, operand)?;
                self.declarator_values(binding, &self.writes_to(name, binding))
            }
            _ => {
                let object = operand.child_by_field_id(crate::field!("object"))?;
                let property = operand.child_by_field_id(crate::field!("property"))?;
                let class = enclosing_class_of_this(object)?;
                self.field_values(class, self.text(property))
            }
        }
    }

    /// When every one of `values` (all `operand` is given) is `null`,
    /// `undefined` or a decided native promise: the lines of those values.
    fn every_set_value_decided(
        &self,
        operand: Node<'t>,
        values: &[Node<'t>],
        depth: u32,
    ) -> Option<String> {
        let binding = match operand.kind() {
            "identifier" => self.resolve(self.text(operand), operand),
            _ => None,
        };
        if let Some(binding) = binding {
            self.assuming.borrow_mut().push(binding.id());
        }
        let open = values.iter().any(|&v| !self.nullish_or_decided(v, depth));
        if binding.is_some() {
            self.assuming.borrow_mut().pop();
        }
        if open {
            return None;
        }
        let lines: Vec<String> = values.iter().map(|v| self.line(*v).to_string()).collect();
        Some(match lines.is_empty() {
            true => "no other value".to_owned(),
            false => format!("line {}", lines.join(", ")),
        })
    }

    fn nullish_or_decided(&self, value: Node<'t>, depth: u32) -> bool {
        let value = unwrap_parens(value);
        self.is_nullish(value) || self.decide_at(value, depth + 1).is_some()
    }
}

/// The statement before `statement` in its block (comments skipped).
fn previous_statement(statement: Node) -> Option<Node> {
    let mut previous = statement.prev_named_sibling();
    while let Some(node) = previous {
        if node.kind() != "comment" {
            return Some(node);
        }
        previous = node.prev_named_sibling();
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::analysis::modules::ImportedNames;
    use crate::analysis::source_facts::PromiseDeclarations;
    use crate::syntax;

    /// Whether each `await` of `source` (in source order) is decided.
    fn awaits(source: &str) -> Vec<bool> {
        let tree = syntax::parse(source, None);
        let imports = ImportedNames::default();
        let declarations = PromiseDeclarations::new(source, &tree, &imports);
        let mut found = Vec::new();
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            if node.kind() == "await_expression" {
                let operand = node.named_child(0).expect("an operand");
                found.push((node.start_byte(), declarations.decide(operand).is_some()));
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
        found.sort_by_key(|(at, _)| *at);
        found.into_iter().map(|(_, decided)| decided).collect()
    }

    #[test]
    fn a_name_set_lazily_just_before_its_await_is_decided() {
        let source = "let cached;\nasync function a() { cached ??= Promise.resolve(1); await cached; }\nlet lazy;\nasync function b() { if (!lazy) { lazy = new Promise((r) => r(2)); }\n  const v = await lazy; }\nlet plain;\nasync function c() { plain = Promise.resolve(3); try { await plain; } finally { plain = null; } }\nlet held = null;\nasync function d() { if (held) { return await held; } held = Promise.resolve(4); }\n";
        assert_eq!(awaits(source), [true, true, true, true]);
    }

    #[test]
    fn a_field_set_lazily_just_before_its_await_is_decided() {
        let source = "class Lock {\n  constructor() { this.lock = undefined; }\n  async open() { return 1; }\n  async connect() {\n    if (this.lock) { return await this.lock; }\n    try { this.lock = this.open(); await this.lock; } finally { this.lock = undefined; }\n  }\n  async again() { this.lock ??= this.open(); try { await this.lock; } finally { this.lock = undefined; } }\n}\n";
        assert_eq!(awaits(source), [true, true, true]);
    }

    #[test]
    fn a_lazy_name_that_may_hold_anything_else_stays_undecided() {
        // Another value (a number, a thenable), code between the write and
        // the await, a test of something else, an `else`, an accessor.
        let source = "let a;\nfunction spoil() { a = 5; }\nasync function f1() { a ??= Promise.resolve(1); await a; }\nlet b;\nasync function f2() { b ??= { then(r) { r(1); } }; await b; }\nlet c;\nasync function f3() { c ??= Promise.resolve(1); spoil(); await c; }\nlet d, other;\nasync function f4() { if (!other) { d = Promise.resolve(1); } await d; }\nlet e;\nasync function f5() { if (!e) { e = Promise.resolve(1); } else { e = 2; } await e; }\nclass G {\n  get lock() { return 1; }\n  set lock(v) {}\n  async f6() { this.lock = Promise.resolve(1); await this.lock; }\n}\nasync function f7() { globalThis.x = 1; x = Promise.resolve(1); await x; }\n";
        assert_eq!(
            awaits(source),
            [false, false, false, false, false, false, false]
        );
    }
}
