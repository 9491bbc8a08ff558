//! Where code suspends: `await` expressions (as Node reads them), `for await`
//! loops and `yield`s, and which function each belongs to.
//!
//! tree-sitter-javascript does not know which contexts are async (its issue
//! #303), so it parses `await (x)(y)`, `await (x).y`, `await [a, b]` and
//! `` await `t` `` as a call, member or subscript of an *identifier* `await`.
//! In an async function, async arrow, async method or at an ES module's top
//! level, `await` is the unary operator (ECMA-262 §15.8.1, AwaitExpression:
//! `await UnaryExpression`), so its operand is the whole postfix chain the
//! grammar hung above the identifier. [`await_expression`] reads both forms;
//! every consumer asks it rather than matching `await_expression` nodes.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::functions::{in_async_context, is_for_await, is_function, owner, Owner};

/// One `await` expression as JavaScript reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AwaitExpr<'t> {
    /// The node spanning the whole expression: an `await_expression`, or the
    /// top of the misparsed chain (a call, member or subscript expression).
    pub node: Node<'t>,
    /// The `await` keyword (a token, or the misparsed identifier).
    pub keyword: Node<'t>,
    /// The operand as one node, when the tree has one: always for an
    /// `await_expression`; for a misparsed `await (x)` the `x` inside the
    /// parentheses. `None` for a longer chain (`await (x).y`), whose operand
    /// no node spans: read [`AwaitExpr::operand_range`] instead.
    pub operand: Option<Node<'t>>,
    /// Whether tree-sitter parsed it as a call (or member, subscript) of an
    /// identifier `await`.
    pub misparsed: bool,
}

impl<'t> AwaitExpr<'t> {
    /// The bytes of the whole expression, `await` keyword included.
    pub fn range(&self) -> Range<usize> {
        self.node.byte_range()
    }

    /// The bytes of the operand: everything after the keyword (and the
    /// blanks and comments after it).
    pub fn operand_range(&self) -> Range<usize> {
        match self.operand {
            Some(operand) if !self.misparsed => operand.byte_range(),
            _ => self.operand_start()..self.node.end_byte(),
        }
    }

    /// Where the operand starts: the first node after the keyword.
    fn operand_start(&self) -> usize {
        let mut at = self.keyword;
        loop {
            match at.next_sibling() {
                Some(next) if next.kind() != "comment" => return next.start_byte(),
                Some(comment) => at = comment,
                None => match at.parent() {
                    Some(parent) if parent != self.node => at = parent,
                    _ => return self.keyword.end_byte(),
                },
            }
        }
    }
}

/// `node` read as an `await` expression, if it is one. `module_is_async`
/// says whether the file's top level may await (an ES module).
///
/// Either form is only an await where `await` is an operator (see
/// [`in_async_context`]); elsewhere `await` is an ordinary name and
/// `await (x)` a call, whatever node the grammar made of it. `node` must be the top of the chain: for
/// `await (x).y`, the member expression, not the call inside it.
pub fn await_expression<'t>(
    source: &str,
    node: Node<'t>,
    module_is_async: bool,
) -> Option<AwaitExpr<'t>> {
    if node.kind() == "await_expression" {
        // Outside an async context the grammar's `await (x)` is a call of a
        // function named `await` (valid code has no other such form there).
        if !in_async_context(node, module_is_async) {
            return None;
        }
        let mut cursor = node.walk();
        let keyword = node.children(&mut cursor).find(|c| c.kind() == "await")?;
        return Some(AwaitExpr {
            node,
            keyword,
            operand: node
                .named_children(&mut node.walk())
                .find(|c| c.kind() != "comment"),
            misparsed: false,
        });
    }
    if !is_chain_link(node) || extends_chain(node) {
        return None;
    }
    let keyword = misparsed_keyword(source, node)?;
    if !in_async_context(keyword, module_is_async) {
        return None;
    }
    Some(AwaitExpr {
        node,
        keyword,
        operand: single_operand(node, keyword),
        misparsed: true,
    })
}

/// The node kinds a postfix chain is made of.
fn is_chain_link(node: Node) -> bool {
    matches!(
        node.kind(),
        "call_expression" | "member_expression" | "subscript_expression"
    )
}

/// The link's head: the callee of a call, the object of a member or subscript.
fn head_of(link: Node) -> Option<Node> {
    match link.kind() {
        "call_expression" => link.child_by_field_id(crate::field!("function")),
        "member_expression" | "subscript_expression" => {
            link.child_by_field_id(crate::field!("object"))
        }
        _ => None,
    }
}

/// Whether `node` is the head of a bigger link (so not the chain's top).
fn extends_chain(node: Node) -> bool {
    node.parent()
        .filter(|parent| is_chain_link(*parent))
        .and_then(head_of)
        == Some(node)
}

/// The identifier `await` at the bottom of `top`'s chain, when the chain
/// starts with it applied to something: `await(…)`, `await[…]`, `` await`…` ``.
/// (`await.x` is not an await: an operand cannot start with `.`. An escaped
/// `aw\u0061it` is never the keyword, §12.7.2, and its text differs.)
fn misparsed_keyword<'t>(source: &str, top: Node<'t>) -> Option<Node<'t>> {
    let mut link = top;
    loop {
        let head = head_of(link)?;
        if head.kind() == "identifier" {
            let applied = link.kind() != "member_expression";
            let is_await = source.get(head.byte_range()) == Some("await");
            return (applied && is_await).then_some(head);
        }
        if !is_chain_link(head) {
            return None;
        }
        link = head;
    }
}

/// For `await (x)` (a call of `await` with one parenthesized argument and
/// nothing after it), `x`.
fn single_operand<'t>(top: Node<'t>, keyword: Node<'t>) -> Option<Node<'t>> {
    if top.kind() != "call_expression" || head_of(top) != Some(keyword) {
        return None;
    }
    let arguments = top.child_by_field_id(crate::field!("arguments"))?;
    if arguments.kind() != "arguments" {
        // `` await `t` ``: the template string is the operand.
        return Some(arguments);
    }
    let mut cursor = arguments.walk();
    let mut items = arguments
        .named_children(&mut cursor)
        .filter(|c| c.kind() != "comment");
    let only = items.next()?;
    items.next().is_none().then_some(only)
}

/// What kind of suspension a point is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SuspensionKind {
    Await,
    /// A `for await` loop: it awaits each step of the iterator.
    ForAwait,
    Yield,
}

impl SuspensionKind {
    /// The word a reader (and acorn's AST) uses for it.
    pub fn word(self) -> &'static str {
        match self {
            SuspensionKind::Await => "await",
            SuspensionKind::ForAwait => "for await",
            SuspensionKind::Yield => "yield",
        }
    }
}

/// One place where a function may suspend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuspensionPoint {
    pub kind: SuspensionKind,
    /// The whole `await` expression, `for await` statement or `yield` expression.
    pub range: Range<usize>,
    /// The operand of an `await` or `yield` (empty for `for await` and a bare `yield`).
    pub operand: Range<usize>,
}

/// The suspension points of one function, or of the top level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionSuspensions {
    /// The function node's bytes; `None` for the top level.
    pub function: Option<Range<usize>>,
    /// In source order.
    pub points: Vec<SuspensionPoint>,
}

/// Every suspension point of the file, grouped by the function that owns it
/// (functions without one are left out), functions in source order, the top
/// level first. This is what ticklens reads as the places each function
/// suspends; hovers, facts and the engine use the same reading.
pub fn suspension_points(
    source: &str,
    tree: &Tree,
    module_is_async: bool,
) -> Vec<FunctionSuspensions> {
    let mut found: Vec<(Option<Range<usize>>, SuspensionPoint)> = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if let Some(point) = suspension_point(source, node, module_is_async) {
            match owner(node) {
                Owner::Function(function) => found.push((Some(function.byte_range()), point)),
                Owner::TopLevel => found.push((None, point)),
                // An `await` or `yield` here is a syntax error (§15.7.1):
                // it suspends nothing around it.
                Owner::ClassInitializer(_) => {}
            }
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    group(found)
}

/// `node` as a suspension point, if it is one.
pub fn suspension_point(
    source: &str,
    node: Node,
    module_is_async: bool,
) -> Option<SuspensionPoint> {
    if let Some(awaited) = await_expression(source, node, module_is_async) {
        return Some(SuspensionPoint {
            kind: SuspensionKind::Await,
            range: awaited.range(),
            operand: awaited.operand_range(),
        });
    }
    if is_for_await(node) {
        return Some(SuspensionPoint {
            kind: SuspensionKind::ForAwait,
            range: node.byte_range(),
            operand: node.start_byte()..node.start_byte(),
        });
    }
    if node.kind() == "yield_expression" {
        let operand = node
            .named_child(0)
            .map_or(node.end_byte()..node.end_byte(), |o| o.byte_range());
        return Some(SuspensionPoint {
            kind: SuspensionKind::Yield,
            range: node.byte_range(),
            operand,
        });
    }
    None
}

fn group(mut found: Vec<(Option<Range<usize>>, SuspensionPoint)>) -> Vec<FunctionSuspensions> {
    found.sort_by_key(|(function, point)| {
        (
            function
                .as_ref()
                .map_or((0, 0), |f| (f.start + 1, usize::MAX - f.end)),
            point.range.start,
        )
    });
    let mut grouped: Vec<FunctionSuspensions> = Vec::new();
    for (function, point) in found {
        match grouped.last_mut() {
            Some(last) if last.function == function => last.points.push(point),
            _ => grouped.push(FunctionSuspensions {
                function,
                points: vec![point],
            }),
        }
    }
    grouped
}

/// The suspension points `function` owns (not those of nested functions),
/// in source order. For the top level, pass the program node.
pub fn points_of(source: &str, function: Node, module_is_async: bool) -> Vec<SuspensionPoint> {
    let mut points = Vec::new();
    let mut stack = vec![function];
    while let Some(node) = stack.pop() {
        if node != function {
            if let Some(point) = suspension_point(source, node, module_is_async) {
                points.push(point);
            }
        }
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if is_function(child) || child.kind() == "class_static_block" {
                // Its computed key still belongs here.
                if let Some(key) = child
                    .child_by_field_id(crate::field!("name"))
                    .filter(|k| k.kind() == "computed_property_name")
                {
                    stack.push(key);
                }
                continue;
            }
            if child.kind() == "field_definition" {
                if let Some(key) = child
                    .child_by_field_id(crate::field!("property"))
                    .filter(|k| k.kind() == "computed_property_name")
                {
                    stack.push(key);
                }
                continue;
            }
            stack.push(child);
        }
    }
    points.sort_by_key(|p| p.range.start);
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[ignore]
    fn dump() {
        let source = std::fs::read_to_string("/tmp/t1.js").unwrap();
        let tree = crate::syntax::parse(&source, None);
        println!("{}", tree.root_node().to_sexp());
    }
}
