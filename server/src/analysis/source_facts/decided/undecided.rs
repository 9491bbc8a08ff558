//! Why an awaited expression's promise kind is left open, for
//! [`super::PromiseDeclarations`]: what the operand is, followed back
//! through the file's declarations to what leaves it open ("`cursor` holds
//! the result of `coll.find()` (line 3), and `coll` is a parameter").
//!
//! Each reason ends in one of a few fixed phrases, which the census
//! (scripts/insight-coverage.mjs) reads to count the hedges the workspace
//! cannot decide (a parameter, a package, a global, a property or result of
//! an unknown value, a path that returns no promise) apart from the ones it
//! could (a reassigned name, an imported workspace function whose summary
//! says nothing, a shape ticklens does not follow).

use tree_sitter::Node;

use super::calls::last_of_sequence;
use super::PromiseDeclarations;
use crate::analysis::source_facts::certainly_not_thenable;
use crate::syntax::js::{enclosing_class_of_this, for_each_own_node, is_function, unwrap_parens};
use crate::workspace::builtins::builtin;

/// How many declarations a reason follows before it stops: enough to reach
/// what leaves the operand open (a parameter, a package) through the chains
/// of names, fields and calls real code has (3 cut 21 of 1045 awaits of the
/// census corpus short of it).
const MAX_HOPS: u32 = 6;

/// Why an expression is not decided: a short clause, such as "`conn` is a
/// parameter".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undecided {
    pub why: String,
}

impl<'t> PromiseDeclarations<'t> {
    /// Why `expr` is not decided a native promise (call it where
    /// [`Self::decide`] said `None`).
    pub fn why_undecided(&self, expr: Node<'t>) -> Undecided {
        Undecided {
            why: self.reason(expr, 0),
        }
    }

    pub(super) fn short(&self, node: Node) -> String {
        let text: String = self
            .text(node)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if text.chars().count() <= 40 {
            return text;
        }
        let cut: String = text.chars().take(39).collect();
        format!("{cut}…")
    }

    pub(super) fn reason(&self, expr: Node<'t>, hops: u32) -> String {
        let expr = unwrap_parens(expr);
        let shown = self.short(expr);
        match expr.kind() {
            "call_expression" => {
                let Some(callee) = expr
                    .child_by_field_id(crate::field!("function"))
                    .map(unwrap_parens)
                    .and_then(last_of_sequence)
                else {
                    return format!("ticklens does not follow `{shown}`");
                };
                self.callee_reason(callee, hops)
            }
            "identifier" => self.name_reason(expr, hops, false),
            "member_expression" | "subscript_expression" => self.property_reason(expr, hops),
            "ternary_expression" | "binary_expression" => {
                format!("`{shown}` is a conditional: either side may be awaited")
            }
            "new_expression" => self.new_reason(expr, &shown, hops),
            "await_expression" => format!("`{shown}` is the value a promise settled with"),
            "this" if enclosing_class_of_this(expr).is_none() => {
                "`this` is whatever the caller binds it to".to_owned()
            }
            "assignment_expression" => match expr.child_by_field_id(crate::field!("right")) {
                Some(value) => self.reason(value, hops),
                None => format!("ticklens does not follow `{shown}`"),
            },
            _ if certainly_not_thenable(self.source, expr) => {
                format!("`{shown}` is not a promise")
            }
            _ => format!("ticklens does not follow `{shown}`"),
        }
    }

    /// Why a call of `callee` is undecided.
    fn callee_reason(&self, callee: Node<'t>, hops: u32) -> String {
        if let Some(reason) = self.package_call_reason(callee) {
            return reason;
        }
        match callee.kind() {
            "identifier" => self.name_reason(callee, hops, true),
            "member_expression" | "subscript_expression" => self.property_reason(callee, hops),
            "arrow_function" | "function_expression" => {
                self.returns_reason(callee, "the function called here", hops)
            }
            "call_expression" if hops < MAX_HOPS => match self.promisify_original(callee) {
                Some(original) => format!(
                    "`{}` returns the custom promisified form of `{}` if it has one, and {}",
                    self.short(callee),
                    self.short(original),
                    self.reason(original, hops + 1)
                ),
                None => format!(
                    "ticklens does not follow a call of `{}`",
                    self.short(callee)
                ),
            },
            _ => format!(
                "ticklens does not follow a call of `{}`",
                self.short(callee)
            ),
        }
    }

    /// Why `new C(…)` (`shown`) may have no method returning a native
    /// promise: what `C` is, when the workspace cannot show its class (a
    /// package's, a global, a parameter, a property of a caller's `this`).
    fn new_reason(&self, new: Node<'t>, shown: &str, hops: u32) -> String {
        let of_a_class =
            format!("`{shown}` is an object of a class, not a promise, unless the class says so");
        let Some(constructor) = new
            .child_by_field_id(crate::field!("constructor"))
            .map(unwrap_parens)
        else {
            return of_a_class;
        };
        if hops >= MAX_HOPS
            || constructor.kind() == "identifier" && self.class_named(constructor).is_some()
        {
            return of_a_class;
        }
        let inner = self.reason(constructor, hops + 1);
        let unseen = [
            "outside the workspace",
            "is a global this file does not declare",
            "is a parameter",
            "is whatever the caller binds it to",
        ];
        match unseen.iter().any(|end| inner.ends_with(end)) {
            true => format!(
                "`{shown}` is an object of `{}`, and {inner}",
                self.short(constructor)
            ),
            false => of_a_class,
        }
    }

    /// Why the name `object`, whose method is called, is undecided: as
    /// [`Self::name_reason`], but a reassigned name's `null` or `undefined`
    /// values are passed over (a call on them throws, awaiting nothing) for
    /// the first other value, preferring one that is no `new C(…)`.
    fn receiver_reason(&self, object: Node<'t>, hops: u32) -> String {
        let name = self.text(object);
        let values = self.resolve(name, object).and_then(|binding| {
            let writes = self.writes_to(name, binding);
            let simple = binding.kind() == "variable_declarator"
                && binding
                    .child_by_field_id(crate::field!("name"))
                    .is_some_and(|n| n.kind() == "identifier");
            if writes.is_empty() || !simple {
                return None;
            }
            let assigned = self.assigned_values(&writes).ok()?;
            let first = binding.child_by_field_id(crate::field!("value"));
            let mut values: Vec<(Node<'t>, Node<'t>, &str)> = Vec::new();
            values.extend(first.map(|v| (v, binding, "holds")));
            values.extend(assigned.into_iter().map(|v| (v, v, "is assigned")));
            values.retain(|(v, _, _)| !self.is_nullish(unwrap_parens(*v)));
            Some(values)
        });
        let Some(values) = values else {
            return self.name_reason(object, hops, false);
        };
        let open = values
            .iter()
            .find(|(v, _, _)| unwrap_parens(*v).kind() != "new_expression")
            .or(values.first());
        match open {
            Some(&(value, at, verb)) => self.holds_reason(name, verb, value, at, hops),
            None => self.name_reason(object, hops, false),
        }
    }

    /// Why the name `name` (or a call of it, with `called`) is undecided.
    pub(super) fn name_reason(&self, name: Node<'t>, hops: u32, called: bool) -> String {
        let text = self.text(name);
        let Some(binding) = self.resolve(text, name) else {
            return match self.bound_around(text, name) {
                true => format!("`{text}` is declared more than once in this file"),
                false => format!("`{text}` is a global this file does not declare"),
            };
        };
        match binding.kind() {
            "formal_parameters" | "arrow_function" => return format!("`{text}` is a parameter"),
            "catch_clause" => return format!("`{text}` is a caught error"),
            "for_in_statement" => return format!("`{text}` is a loop variable"),
            _ => {}
        }
        let writes = self.writes_to(text, binding);
        if !writes.is_empty() {
            return self.reassigned_reason(text, binding, &writes, hops);
        }
        match binding.kind() {
            "import_specifier" | "import_clause" | "namespace_import" => {
                self.import_reason(text, binding)
            }
            "variable_declarator" if self.is_import_binding(binding) => {
                self.import_reason(text, binding)
            }
            "function_declaration" if called => {
                self.returns_reason(binding, &format!("`{text}`"), hops)
            }
            "variable_declarator" => {
                let Some(value) = binding.child_by_field_id(crate::field!("value")) else {
                    return format!(
                        "`{text}` is declared without a value (line {})",
                        self.line(binding)
                    );
                };
                let value = unwrap_parens(value);
                if binding
                    .child_by_field_id(crate::field!("name"))
                    .is_some_and(|n| n.kind() != "identifier")
                {
                    if let Some((this, field)) = self.destructured_this_field(binding, text) {
                        return format!(
                            "`{text}` is destructured from `this` (line {}): {}",
                            self.line(binding),
                            self.this_field_reason(field, this, hops)
                        );
                    }
                    let destructured = format!(
                        "`{text}` is destructured from `{}` (line {})",
                        self.short(value),
                        self.line(binding)
                    );
                    return match hops < MAX_HOPS {
                        true => format!("{destructured}, and {}", self.reason(value, hops + 1)),
                        false => destructured,
                    };
                }
                if called && is_function(value) {
                    return self.returns_reason(value, &format!("`{text}`"), hops);
                }
                self.holds_reason(text, "holds", value, binding, hops)
            }
            _ => format!("ticklens does not follow `{text}`"),
        }
    }

    /// Why `name` (bound by `binding`), holding `value` (which `verb`
    /// introduces: "holds", "is assigned"), may hold no native promise.
    fn holds_reason(
        &self,
        name: &str,
        verb: &str,
        value: Node<'t>,
        at: Node<'t>,
        hops: u32,
    ) -> String {
        let value = unwrap_parens(value);
        let line = self.line(at);
        if hops >= MAX_HOPS {
            return format!("`{name}` {verb} `{}` (line {line})", self.short(value));
        }
        if value.kind() == "await_expression" {
            return format!(
                "`{name}` {verb} what `{}` settled with (line {line}): the value a promise \
                 settled with",
                self.short(value)
            );
        }
        let what = match value.kind() {
            "call_expression" => "the result of ",
            _ => "",
        };
        let inner = self.reason(value, hops + 1);
        format!(
            "`{name}` {verb} {what}`{}` (line {line}), and {inner}",
            self.short(value)
        )
    }

    /// Why `name`, whose `binding` the file assigns again at `writes`, may
    /// hold no native promise: the first of its values (the initializer,
    /// then each assigned value) that is not decided.
    fn reassigned_reason(
        &self,
        name: &str,
        binding: Node<'t>,
        writes: &[Node<'t>],
        hops: u32,
    ) -> String {
        let reassigned = format!("`{name}` is reassigned in this file");
        let Ok(values) = self.assigned_values(writes) else {
            return reassigned;
        };
        if binding.kind() != "variable_declarator"
            || binding
                .child_by_field_id(crate::field!("name"))
                .is_none_or(|n| n.kind() != "identifier")
        {
            return reassigned;
        }
        let first = binding.child_by_field_id(crate::field!("value"));
        if let Some(first) = first.filter(|&v| self.decide_at(v, 1).is_none()) {
            return self.holds_reason(name, "holds", first, binding, hops);
        }
        match self.first_undecided_assuming(binding, &values, 0) {
            Some(open) => self.holds_reason(name, "is assigned", values[open], values[open], hops),
            // Read before its first assignment, it is `undefined`.
            None if first.is_none() => format!(
                "`{name}` is declared without a value (line {})",
                self.line(binding)
            ),
            None => reassigned,
        }
    }

    /// Why a name bound by a module-level `require` or `import` is undecided.
    fn import_reason(&self, name: &str, binding: Node<'t>) -> String {
        let Some(specifier) = self.specifier_of(binding) else {
            return format!("ticklens does not follow `{name}`");
        };
        if builtin(specifier).ok().flatten().is_some() {
            return format!("`{name}` comes from Node's `{specifier}`, whose functions here are not known to return native promises");
        }
        if specifier.starts_with('.') || specifier.starts_with('/') {
            return format!("`{name}` is imported from `{specifier}`, whose summary does not show it returns a native promise");
        }
        format!("`{name}` comes from the package `{specifier}`, outside the workspace")
    }

    /// Why `this.x`, `a.b`, `a[k]` (or a call of it) is undecided.
    fn property_reason(&self, member: Node<'t>, hops: u32) -> String {
        let shown = self.short(member);
        let Some(object) = member
            .child_by_field_id(crate::field!("object"))
            .map(unwrap_parens)
        else {
            return format!("ticklens does not follow `{shown}`");
        };
        if member.kind() == "subscript_expression" {
            return format!(
                "`{shown}` is a computed property of `{}`, which may hold any function",
                self.short(object)
            );
        }
        if let Some(reason) = self.local_instance_method_reason(member, object, hops) {
            return reason;
        }
        if let Some(reason) = self.literal_field_reason(member, object, hops) {
            return reason;
        }
        match object.kind() {
            "this" => self.this_property_reason(member, object, hops),
            "identifier" => format!(
                "`{shown}` is a property of `{}`, and {}",
                self.text(object),
                self.receiver_reason(object, hops + 1)
            ),
            "super" => format!(
                "`{shown}` is a method of the parent class, which this file does not decide"
            ),
            _ if hops < MAX_HOPS => {
                format!(
                    "`{shown}` is a property of an unknown value: {}",
                    self.reason(object, hops + 1)
                )
            }
            _ => format!("`{shown}` is a property of an unknown value"),
        }
    }

    /// Why `x.m` is undecided when `x` is a name bound once to `new C(…)`
    /// of a class of this file that declares `m` (or whose same-file parent
    /// does): what `C.m` returns. `None` for any other receiver.
    fn local_instance_method_reason(
        &self,
        member: Node<'t>,
        object: Node<'t>,
        hops: u32,
    ) -> Option<String> {
        if object.kind() != "identifier" || hops >= MAX_HOPS {
            return None;
        }
        let property = member.child_by_field_id(crate::field!("property"))?;
        let name = self.text(object);
        let binding = self.binding_at(name, object)?;
        let value = unwrap_parens(binding.child_by_field_id(crate::field!("value"))?);
        let constructor = value
            .child_by_field_id(crate::field!("constructor"))
            .map(unwrap_parens)?;
        if binding.kind() != "variable_declarator"
            || value.kind() != "new_expression"
            || constructor.kind() != "identifier"
        {
            return None;
        }
        let method = self.text(property);
        let mut class = self.class_named(constructor)?;
        for _ in 0..=MAX_HOPS {
            if let Some(found) = self.class_member(class, method) {
                let function = super::classes::member_function(found)?;
                let class_name = class
                    .child_by_field_id(crate::field!("name"))
                    .map_or(self.text(constructor), |n| self.text(n));
                return Some(format!(
                    "`{}` is `{class_name}.{method}` (`{name}` holds `{}`, line {}), and {}",
                    self.short(member),
                    self.short(value),
                    self.line(binding),
                    self.returns_reason(function, &format!("`{class_name}.{method}`"), hops + 1)
                ));
            }
            match self.parent_class(class)? {
                super::classes::Parent::Local(parent) => class = parent,
                super::classes::Parent::Imported(_) => return None,
            }
        }
        None
    }

    /// Why `this.x` (or a call of it) is undecided: a method that may
    /// return something else, or a field (set where?).
    fn this_property_reason(&self, member: Node<'t>, this: Node<'t>, hops: u32) -> String {
        let shown = self.short(member);
        let Some(property) = member.child_by_field_id(crate::field!("property")) else {
            return format!("ticklens does not follow `{shown}`");
        };
        self.this_field_reason(self.text(property), this, hops)
    }

    /// Why `this.name` (or a call of it) is undecided, with `this` the node
    /// read (or destructured: `const { name } = this`).
    fn this_field_reason(&self, name: &str, this: Node<'t>, hops: u32) -> String {
        let Some(class) = enclosing_class_of_this(this) else {
            return "`this` is whatever the caller binds it to".to_owned();
        };
        if let Some(method) = self.class_member(class, name) {
            if let Some(function) = super::classes::member_function(method) {
                return self.returns_reason(function, &format!("`this.{name}`"), hops);
            }
        }
        // A field: what the class's own code assigns to it.
        // One cursor over the class (a cursor per node was most of an
        // insights computation's time in a file of large classes).
        let field = format!("this.{name}");
        let mut writes = Vec::new();
        let mut cursor = class.walk();
        'walk: loop {
            let node = cursor.node();
            if node.kind() == "assignment_expression"
                && node
                    .child_by_field_id(crate::field!("left"))
                    .map(unwrap_parens)
                    .is_some_and(|l| self.text(l) == field)
            {
                writes.push(node);
            }
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() || cursor.node() == class {
                    break 'walk;
                }
            }
        }
        writes.sort_by_key(|w| w.start_byte());
        match writes.as_slice() {
            [] => {
                format!("`this.{name}` is a field this class never sets (a subclass or caller may)")
            }
            [write] if hops < MAX_HOPS => {
                let Some(value) = write.child_by_field_id(crate::field!("right")) else {
                    return format!("`this.{name}` is a field");
                };
                format!(
                    "`this.{name}` is a field set from `{}` (line {}), and {}",
                    self.short(value),
                    self.line(*write),
                    self.reason(value, hops + 1)
                )
            }
            _ => {
                let several = format!("`this.{name}` is a field set in {} places", writes.len());
                let open = writes.iter().find_map(|write| {
                    let value = write.child_by_field_id(crate::field!("right"))?;
                    self.decide_at(value, 1)
                        .is_none()
                        .then_some((*write, value))
                });
                match open {
                    Some((write, value)) if hops < MAX_HOPS => format!(
                        "{several}, one from `{}` (line {}), and {}",
                        self.short(value),
                        self.line(write),
                        self.reason(value, hops + 1)
                    ),
                    _ => several,
                }
            }
        }
    }

    /// The last member of `class` named `name` (any kind).
    fn class_member(&self, class: Node<'t>, name: &str) -> Option<Node<'t>> {
        let body = class.child_by_field_id(crate::field!("body"))?;
        let mut cursor = body.walk();
        let found = body
            .named_children(&mut cursor)
            .filter(|m| {
                m.child_by_field_id(crate::field!("name"))
                    .or_else(|| m.child_by_field_id(crate::field!("property")))
                    .is_some_and(|n| self.text(n) == name)
            })
            .last();
        found
    }

    /// Why a call of `function` (named `label`) is undecided: the first
    /// path that returns no decided promise.
    fn returns_reason(&self, function: Node<'t>, label: &str, hops: u32) -> String {
        let line = self.line(function);
        let Some(body) = function.child_by_field_id(crate::field!("body")) else {
            return format!("{label} (line {line}) may return anything");
        };
        if crate::syntax::js::is_generator_function(function) {
            return format!("{label} (line {line}) is a generator: its calls return iterators");
        }
        if body.kind() != "statement_block" {
            return self.returned_reason(label, line, body, hops);
        }
        let mut first_open = None;
        let mut bare_return = None;
        for_each_own_node(body, |node| {
            if node.kind() == "return_statement" {
                match node.named_child(0) {
                    None => bare_return = bare_return.or(Some(node)),
                    Some(value) if first_open.is_none() && self.decide_at(value, 1).is_none() => {
                        first_open = Some(value);
                    }
                    _ => {}
                }
            }
        });
        if let Some(bare) = bare_return {
            return format!(
                "{label} (line {line}) returns no promise on one path (line {})",
                self.line(bare)
            );
        }
        if let Some(value) = first_open {
            return self.returned_reason(label, line, value, hops);
        }
        format!("{label} (line {line}) returns no promise on one path (its end)")
    }

    fn returned_reason(&self, label: &str, line: usize, value: Node<'t>, hops: u32) -> String {
        let value = unwrap_parens(value);
        if certainly_not_thenable(self.source, value) {
            return format!(
                "{label} (line {line}) returns no promise on one path (line {})",
                self.line(value)
            );
        }
        if hops >= MAX_HOPS {
            return format!("{label} (line {line}) returns `{}`", self.short(value));
        }
        format!(
            "{label} (line {line}) returns `{}` (line {}), and {}",
            self.short(value),
            self.line(value),
            self.reason(value, hops + 1)
        )
    }
}
