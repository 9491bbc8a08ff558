//! Destructuring patterns (§8.6.2 BindingInitialization, §13.15.5
//! DestructuringAssignmentEvaluation): in declarations, parameters, `catch`,
//! `for...of`/`for...in` heads and assignments, nested, with defaults and rest.
//!
//! A pattern compiles with the value on the operand stack and pops it. Array
//! patterns read arrays and strings by index, which is what the array and
//! string iterators yield (§23.1.5.1, §22.1.5.1) as long as nothing patches
//! them; any other iterable abstains at run time (`Op::RequireIndexable`).

use std::rc::Rc;

use tree_sitter::Node;

use super::bytecode::{BinOp, DeclKind, Op};
use super::compile::{fields, Compiler, FnBuilder};
use super::value::Value;
use crate::syntax::js::named_children_but_comments;
use crate::syntax::KindName;

/// What a pattern does with each value it takes apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BindMode {
    /// A declaration: `let`/`const` create the binding, `var` (already
    /// hoisted) and parameters of kind `Let` assign or create it.
    Declare(DeclKind),
    /// A destructuring assignment: stores into existing bindings or properties.
    Assign,
}

impl<'s> Compiler<'s> {
    /// Binds `pattern` to the value on top of the stack, and pops it.
    pub(crate) fn bind_pattern(&mut self, b: &mut FnBuilder, pattern: Node, mode: BindMode) {
        let span = b.at(pattern);
        match pattern.kind_name() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                self.bind_name(b, self.text(pattern), mode)
            }
            "object_pattern" => self.object_pattern(b, pattern, mode),
            "array_pattern" => self.array_pattern(b, pattern, mode),
            "member_expression" | "subscript_expression" if mode == BindMode::Assign => {
                self.assign_to_property(b, pattern)
            }
            "parenthesized_expression" if mode == BindMode::Assign => {
                match pattern.named_child(0) {
                    Some(inner) => self.bind_pattern(b, inner, mode),
                    None => b.abstain("an empty assignment target"),
                }
            }
            other => b.abstain(format!(
                "`{other}` in a destructuring pattern is not modelled"
            )),
        }
        b.restore(span);
    }

    fn bind_name(&mut self, b: &mut FnBuilder, name: &str, mode: BindMode) {
        let name: Rc<str> = Rc::from(name);
        match mode {
            BindMode::Declare(DeclKind::Var) | BindMode::Assign => {
                b.emit(Op::Store(name));
            }
            BindMode::Declare(kind) => {
                b.emit(Op::Declare(name, kind));
            }
        }
    }

    /// `[obj.key] = v` and `({ a: obj[k] } = v)`: only on a name or `this`,
    /// whose evaluation has no effect, so that the spec's order (target
    /// reference before the value read, §13.15.5.6) cannot be observed.
    fn assign_to_property(&mut self, b: &mut FnBuilder, target: Node) {
        let is_member = target.kind_name() == "member_expression";
        let key_field = match is_member {
            true => crate::field!("property"),
            false => crate::field!("index"),
        };
        let Some([object, key]) = fields(target, [crate::field!("object"), key_field]) else {
            return b.abstain("a malformed assignment target");
        };
        if !matches!(object.kind_name(), "identifier" | "this") {
            return b.abstain("destructuring into a computed object is not modelled");
        }
        self.expression(b, object);
        b.emit(Op::Swap);
        if is_member {
            if key.kind_name() == "private_property_identifier" {
                return b.abstain("private fields are not modelled");
            }
            b.emit(Op::SetProp(Rc::from(self.text(key))));
        } else {
            if !matches!(key.kind_name(), "number" | "string") {
                return b.abstain("destructuring into a computed key is not modelled");
            }
            // [obj, value] -> [obj, value, key] -> [obj, key, value]
            self.expression(b, key);
            b.emit(Op::Swap);
            b.emit(Op::SetIndex);
        }
        b.emit(Op::Pop);
    }

    /// `value === undefined ? default : value`, with the value on the stack
    /// (§8.6.3 step 3: only `undefined` takes the default). An anonymous
    /// function default is named after the binding (§8.4.5 NamedEvaluation).
    fn apply_default(&mut self, b: &mut FnBuilder, default: Node, target: Node) {
        b.emit(Op::Dup);
        b.emit(Op::Push(Value::Undefined));
        b.emit(Op::Binary(BinOp::StrictNe));
        let use_default = b.emit(Op::JumpIfFalse(0));
        let done = b.emit(Op::Jump(0));
        b.patch(use_default);
        b.emit(Op::Pop);
        let name = matches!(
            target.kind_name(),
            "identifier" | "shorthand_property_identifier_pattern"
        )
        .then(|| self.text(target));
        self.expression_named(b, default, name);
        b.patch(done);
    }

    /// Binds a pattern element that may carry a default (`x = 1`).
    fn bind_element(&mut self, b: &mut FnBuilder, element: Node, mode: BindMode) {
        if matches!(
            element.kind_name(),
            "assignment_pattern" | "object_assignment_pattern"
        ) {
            let Some([left, right]) =
                fields(element, [crate::field!("left"), crate::field!("right")])
            else {
                return b.abstain("a malformed default in a pattern");
            };
            self.apply_default(b, right, left);
            return self.bind_pattern(b, left, mode);
        }
        self.bind_pattern(b, element, mode)
    }

    fn object_pattern(&mut self, b: &mut FnBuilder, pattern: Node, mode: BindMode) {
        // §14.3.3.1 step 1: RequireObjectCoercible, even for `{}`.
        b.emit(Op::RequireObjectCoercible);
        let mut taken: Vec<Rc<str>> = Vec::new();
        for member in named_children_but_comments(pattern) {
            let span = b.at(member);
            match member.kind_name() {
                "shorthand_property_identifier_pattern" => {
                    get_taken(b, Rc::from(self.text(member)), &mut taken);
                    self.bind_pattern(b, member, mode);
                }
                "object_assignment_pattern" => {
                    let Some(left) = member.child_by_field_id(crate::field!("left")) else {
                        return b.abstain("a malformed default in a pattern");
                    };
                    if left.kind_name() != "shorthand_property_identifier_pattern" {
                        return b.abstain("this destructuring pattern is not modelled");
                    }
                    get_taken(b, Rc::from(self.text(left)), &mut taken);
                    self.bind_element(b, member, mode);
                }
                "pair_pattern" => {
                    let Some([key, value]) =
                        fields(member, [crate::field!("key"), crate::field!("value")])
                    else {
                        return b.abstain("a malformed pattern property");
                    };
                    let Some(key) = self.pattern_key(key) else {
                        return b.abstain("computed or numeric keys in a pattern are not modelled");
                    };
                    get_taken(b, Rc::from(key.as_str()), &mut taken);
                    self.bind_element(b, value, mode);
                }
                "rest_pattern" => {
                    let Some(target) = member.named_child(0) else {
                        return b.abstain("an empty rest pattern");
                    };
                    b.emit(Op::Dup);
                    b.emit(Op::ObjectRest(taken.clone()));
                    self.bind_pattern(b, target, mode);
                }
                other => return b.abstain(format!("`{other}` in an object pattern")),
            }
            b.restore(span);
        }
        b.emit(Op::Pop);
    }

    fn pattern_key(&self, key: Node) -> Option<String> {
        match key.kind_name() {
            "property_identifier" => Some(self.text(key).to_owned()),
            "string" => super::compile_literal::string_key(self, key),
            _ => None,
        }
    }

    fn array_pattern(&mut self, b: &mut FnBuilder, pattern: Node, mode: BindMode) {
        b.emit(Op::RequireIndexable);
        let mut index = 0usize;
        let mut cursor = pattern.walk();
        // Holes (`[, b]`) are the commas between elements: count positions by
        // commas, not by named children.
        let children: Vec<Node> = pattern.children(&mut cursor).collect();
        for child in children {
            match child.kind_name() {
                "[" | "]" | "comment" => {}
                // A hole (`[, b]`) still takes one element.
                "," => index += 1,
                "rest_pattern" => {
                    let Some(target) = child.named_child(0) else {
                        return b.abstain("an empty rest pattern");
                    };
                    b.emit(Op::Dup);
                    b.emit(Op::RestFrom(index));
                    self.bind_pattern(b, target, mode);
                }
                _ => {
                    b.emit(Op::Dup);
                    b.emit(Op::Push(Value::Number(index as f64)));
                    b.emit(Op::GetIndex);
                    self.bind_element(b, child, mode);
                }
            }
        }
        b.emit(Op::Pop);
    }
}

/// Every name a pattern declares, for hoisting (`let`/`const` dead zones,
/// `var` at function entry).
pub(crate) fn pattern_names<'s>(src: &'s str, pattern: Node, out: &mut Vec<&'s str>) {
    match pattern.kind_name() {
        "identifier" | "shorthand_property_identifier_pattern" => {
            out.push(&src[pattern.byte_range()])
        }
        "pair_pattern" => {
            if let Some(value) = pattern.child_by_field_id(crate::field!("value")) {
                pattern_names(src, value, out);
            }
        }
        "assignment_pattern" | "object_assignment_pattern" => {
            if let Some(left) = pattern.child_by_field_id(crate::field!("left")) {
                pattern_names(src, left, out);
            }
        }
        "object_pattern" | "array_pattern" | "rest_pattern" => {
            for child in named_children_but_comments(pattern) {
                pattern_names(src, child, out);
            }
        }
        _ => {}
    }
}

/// `[object] -> [object, object.key]` for an object pattern, noting `key`
/// as taken, so a rest element (`...rest`) leaves it out.
fn get_taken(b: &mut FnBuilder, key: Rc<str>, taken: &mut Vec<Rc<str>>) {
    b.emit(Op::Dup);
    b.emit(Op::GetProp(key.clone()));
    taken.push(key);
}
