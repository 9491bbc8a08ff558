//! What a call calls: its callee, the receiver of a method call, its
//! arguments, and whether its callee names a deliberate pause.

use tree_sitter::Node;

use super::{named_children_but_comments, text_of, unwrap_parens};
use crate::syntax::KindName;

/// The callee of a call (`f` in `f(x)`, `a.b` in `(a.b)(x)`, `lib.f` in the
/// compiled `(0, lib.f)(x)`) or the constructor of a `new`, parentheses
/// around `node` stripped; `None` when `node` is neither.
pub fn callee(node: Node) -> Option<Node> {
    let node = unwrap_parens(node);
    match node.kind_name() {
        "call_expression" => node
            .child_by_field_id(crate::field!("function"))
            .map(through_compiled_call),
        "new_expression" => node.child_by_field_id(crate::field!("constructor")),
        _ => None,
    }
}

/// `lib.f` for `(0, lib.f)`: the indirect call TypeScript and Babel emit for a
/// function imported through CommonJS (it calls `lib.f` without `lib` as
/// `this`). Any other node is returned as it is.
pub fn through_compiled_call(node: Node) -> Node {
    let inner = unwrap_parens(node);
    if inner.kind_name() != "sequence_expression" {
        return node;
    }
    compiled_target(named_children_but_comments(inner)).unwrap_or(node)
}

/// The target of a compiled call's comma pair `0, target`, from its two parts
/// (a `sequence_expression`'s children, or the arguments tree-sitter makes of
/// them in the misparsed `await (0, f)(x)`).
pub fn compiled_target(parts: Vec<Node>) -> Option<Node> {
    match parts[..] {
        [zero, target] if zero.kind_name() == "number" => Some(unwrap_parens(target)),
        _ => None,
    }
}

/// The object (its parentheses unwrapped) and the property of a member
/// expression (`(a).b` gives `a` and `b`).
pub fn member_parts(member: Node) -> Option<(Node, Node)> {
    let object = member.child_by_field_id(crate::field!("object"))?;
    let property = member.child_by_field_id(crate::field!("property"))?;
    Some((super::unwrap_parens(object), property))
}

/// The variable or `this` a member chain starts from (`db` in
/// `db.users.find`, `this` in `this.load`); `None` when `callee` is not a
/// member access or the chain starts from something else (a call, a literal).
pub fn receiver(callee: Node) -> Option<Node> {
    let mut node = callee;
    let mut through_member = false;
    while matches!(
        node.kind_name(),
        "member_expression" | "subscript_expression"
    ) {
        node = node.child_by_field_id(crate::field!("object"))?;
        through_member = true;
    }
    (through_member && matches!(node.kind_name(), "identifier" | "this")).then_some(node)
}

/// `receiver.method(args)`: the receiver, the method name and the argument count.
pub fn method_call<'t, 's>(source: &'s str, call: Node<'t>) -> Option<(Node<'t>, &'s str, usize)> {
    if call.kind_name() != "call_expression" {
        return None;
    }
    let callee = through_compiled_call(unwrap_parens(
        call.child_by_field_id(crate::field!("function"))?,
    ));
    if callee.kind_name() != "member_expression" {
        return None;
    }
    let property = callee.child_by_field_id(crate::field!("property"))?;
    if property.kind_name() != "property_identifier" {
        return None;
    }
    let args = call.child_by_field_id(crate::field!("arguments"))?;
    if args.kind_name() != "arguments" {
        return None;
    }
    let count = named_children_but_comments(args).len();
    Some((
        unwrap_parens(callee.child_by_field_id(crate::field!("object"))?),
        text_of(source, property),
        count,
    ))
}

/// The first argument of a call, if it has one.
pub fn first_argument(call: Node) -> Option<Node> {
    let args = call.child_by_field_id(crate::field!("arguments"))?;
    named_children_but_comments(args).into_iter().next()
}

/// The argument of an `arguments` list that holds exactly one (comments
/// aside); `None` when it holds none or several.
pub fn only_argument(arguments: Node) -> Option<Node> {
    match named_children_but_comments(arguments)[..] {
        [only] => Some(only),
        _ => None,
    }
}

pub fn has_optional_chain(node: Node) -> bool {
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .any(|c| c.kind_name() == "optional_chain");
    found
}

/// Whether a callee's text names a deliberate pause (`sleep`, `delay`,
/// `timers.setTimeout`, `process.nextTick` ...): code that awaits one wants
/// its steps spread over time, so running them together is not the fix.
/// The last segment counts, in any case.
pub fn is_pause(callee_text: &str) -> bool {
    let last = callee_text
        .rsplit('.')
        .next()
        .unwrap_or(callee_text)
        .to_ascii_lowercase();
    matches!(
        last.as_str(),
        "sleep" | "delay" | "wait" | "timeout" | "settimeout" | "pause" | "throttle" | "nexttick"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    use super::super::tests::statement_expressions;

    #[test]
    fn the_callee_of_a_call_or_new_is_found_through_parentheses() {
        let source = "((a.b(1))); new (C)(2); x;";
        let tree = syntax::parse(source, None);
        let expressions = statement_expressions(&tree);
        assert_eq!(expressions[0].kind_name(), "parenthesized_expression");
        let callees: Vec<Option<&str>> = expressions
            .into_iter()
            .map(|expression| callee(expression).map(|node| &source[node.byte_range()]))
            .collect();
        assert_eq!(callees, [Some("a.b"), Some("(C)"), None]);
    }

    /// What TypeScript and Babel emit for `import { f } from "./lib"` in
    /// CommonJS output: `(0, lib_1.f)(x)`, a call of `lib_1.f`.
    #[test]
    fn compiled_calls_are_calls_of_their_target() {
        let source = "(0, lib_1.f)(x); (0, g)(); (1, 2, h)(); (a, b)(); (0, db.users.find)(q);";
        let tree = syntax::parse(source, None);
        let expressions = statement_expressions(&tree);
        let callees: Vec<Option<&str>> = expressions
            .iter()
            .map(|expression| callee(*expression).map(|node| &source[node.byte_range()]))
            .collect();
        assert_eq!(
            callees,
            [
                Some("lib_1.f"),
                Some("g"),
                Some("(1, 2, h)"),
                Some("(a, b)"),
                Some("db.users.find")
            ]
        );
        let (object, method, count) = method_call(source, expressions[4]).expect("a method call");
        assert_eq!(
            (&source[object.byte_range()], method, count),
            ("db.users", "find", 1)
        );
        assert_eq!(
            receiver(callee(expressions[4]).unwrap()).map(|node| &source[node.byte_range()]),
            Some("db")
        );
    }

    #[test]
    fn the_receiver_is_the_variable_or_this_a_member_chain_starts_from() {
        let source = "db.users.find(); this.load(); f(); g().h();";
        let tree = syntax::parse(source, None);
        let receivers: Vec<Option<&str>> = statement_expressions(&tree)
            .into_iter()
            .map(|call| {
                let callee = callee(call).expect("a call");
                receiver(callee).map(|node| &source[node.byte_range()])
            })
            .collect();
        assert_eq!(receivers, [Some("db"), Some("this"), None, None]);
    }

    #[test]
    fn pauses_are_named_by_the_last_segment_in_any_case() {
        for pause in [
            "sleep",
            "utils.delay",
            "timers.setTimeout",
            "process.nextTick",
            "Wait",
        ] {
            assert!(is_pause(pause), "{pause}");
        }
        for other in ["fetch", "sleepy", "db.waitFor", "pause.run"] {
            assert!(!is_pause(other), "{other}");
        }
    }
}
