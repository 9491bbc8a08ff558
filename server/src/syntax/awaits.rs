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

use super::js::{
    compiled_target, in_async_context, is_for_await, is_function, named_children_but_comments,
    only_argument, owner, owner_among, owner_is_async, through_compiled_call, unwrap_parens, Owner,
};
use crate::syntax::KindName;

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

    /// The bytes of the callee when the operand is a call or a `new`:
    /// `getUser` in `await getUser(id)`, `(await fetch(u)).json` in the
    /// misparsed `await (await fetch(u)).json()`, whose callee no node spans,
    /// `lib.f` in the compiled `await (0, lib.f)(x)` (misparsed too: a call
    /// of `await` with the arguments `0, lib.f`, called with `x`).
    pub fn operand_callee(&self) -> Option<Range<usize>> {
        if let Some(operand) = self.operand {
            let operand = unwrap_parens(operand);
            let callee = match operand.kind_name() {
                "call_expression" => operand
                    .child_by_field_id(crate::field!("function"))
                    .map(through_compiled_call),
                "new_expression" => operand.child_by_field_id(crate::field!("constructor")),
                _ => return None,
            };
            return callee.map(|c| c.byte_range());
        }
        if self.node.kind_name() != "call_expression" {
            return None;
        }
        // The chain's last link is the call; everything before it but the
        // keyword is the callee.
        let function = self.node.child_by_field_id(crate::field!("function"))?;
        if function == self.keyword {
            return None;
        }
        if let Some(target) = self.compiled_target(function) {
            return Some(target.byte_range());
        }
        Some(self.operand_start()..function.end_byte())
    }

    /// `lib.f` when `function` is the misparsed `await(0, lib.f)`.
    fn compiled_target(&self, function: Node<'t>) -> Option<Node<'t>> {
        if function.kind_name() != "call_expression" || head_of(function) != Some(self.keyword) {
            return None;
        }
        let arguments = function.child_by_field_id(crate::field!("arguments"))?;
        if arguments.kind_name() != "arguments" {
            return None;
        }
        compiled_target(named_children_but_comments(arguments))
    }

    /// Where the operand starts: the first node after the keyword.
    fn operand_start(&self) -> usize {
        let mut at = self.keyword;
        loop {
            match at.next_sibling() {
                Some(next) if next.kind_name() != "comment" => return next.start_byte(),
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
    await_shape(source, node).filter(|awaited| in_async_context(awaited.node, module_is_async))
}

/// [`await_expression`] for a caller that knows the code `node` belongs to
/// (a walk of one function's own code): `context_is_async` says whether
/// `await` is an operator there. Finding the owner from the node costs a
/// walk to the root per parent step, which a walk that already knows it
/// should not pay.
pub fn await_expression_in<'t>(
    source: &str,
    node: Node<'t>,
    context_is_async: bool,
) -> Option<AwaitExpr<'t>> {
    if !context_is_async {
        return None;
    }
    await_shape(source, node)
}

/// Either form of `await`, by shape alone: whether `await` is an operator
/// where `node` is is the caller's question.
pub fn await_shape<'t>(source: &str, node: Node<'t>) -> Option<AwaitExpr<'t>> {
    await_shape_under(source, node, || node.parent())
}

/// [`await_shape`] for a walk that holds `node`'s parent (`parent` gives
/// it): [`Node::parent`] costs a descent from the root.
pub fn await_shape_under<'t>(
    source: &str,
    node: Node<'t>,
    parent: impl FnOnce() -> Option<Node<'t>>,
) -> Option<AwaitExpr<'t>> {
    if node.kind_name() == "await_expression" {
        let mut cursor = node.walk();
        let keyword = node
            .children(&mut cursor)
            .find(|c| c.kind_name() == "await")?;
        return Some(AwaitExpr {
            node,
            keyword,
            operand: named_children_but_comments(node).first().copied(),
            misparsed: false,
        });
    }
    let keyword = misparsed_keyword_under(source, node, parent)?;
    Some(AwaitExpr {
        node,
        keyword,
        operand: single_operand(node, keyword),
        misparsed: true,
    })
}

/// The node kinds a postfix chain is made of.
pub(super) fn is_chain_link(node: Node) -> bool {
    matches!(
        node.kind_name(),
        "call_expression" | "member_expression" | "subscript_expression"
    )
}

/// The link's head: the callee of a call, the object of a member or subscript.
pub(super) fn head_of(link: Node) -> Option<Node> {
    match link.kind_name() {
        "call_expression" => link.child_by_field_id(crate::field!("function")),
        "member_expression" | "subscript_expression" => {
            link.child_by_field_id(crate::field!("object"))
        }
        _ => None,
    }
}

/// Whether `node` is the head of a bigger link (so not the chain's top),
/// `parent` being its parent.
fn extends_chain(node: Node, parent: Option<Node>) -> bool {
    parent
        .filter(|parent| is_chain_link(*parent))
        .and_then(head_of)
        == Some(node)
}

/// The identifier `await` at the bottom of `top`'s chain, when the chain
/// starts with it applied to something: `await(…)`, `await[…]`, `` await`…` ``.
/// (`await.x` is not an await: an operand cannot start with `.`. An escaped
/// `aw\u0061it` is never the keyword, §12.7.2, and its text differs.)
///
/// This is the shape alone: whether `await` is an operator there is
/// [`in_async_context`]'s question (the engine knows it from the function it
/// compiles). `top` must be the chain's top (see [`await_expression`]).
pub fn misparsed_keyword<'t>(source: &str, top: Node<'t>) -> Option<Node<'t>> {
    // Finding a node's parent walks down from the root: the chain is read
    // first, and the parent asked only of a chain that starts with `await`.
    let keyword = applied_keyword(source, top)?;
    (!extends_chain(top, top.parent())).then_some(keyword)
}

/// [`misparsed_keyword`], with `parent` giving `top`'s parent: the parent
/// is asked first, so that a link inside a chain answers at once (a walk
/// asking at every link of a long chain stays linear).
fn misparsed_keyword_under<'t>(
    source: &str,
    top: Node<'t>,
    parent: impl FnOnce() -> Option<Node<'t>>,
) -> Option<Node<'t>> {
    if !is_chain_link(top) || extends_chain(top, parent()) {
        return None;
    }
    applied_keyword(source, top)
}

/// The identifier `await` at the bottom of the chain whose top link is
/// `top`, applied to something (see [`misparsed_keyword`]).
fn applied_keyword<'t>(source: &str, top: Node<'t>) -> Option<Node<'t>> {
    // The chain's bottom starts where its top does: a chain whose text does
    // not start with `await` needs no walk (the compile asks at every
    // expression of an async function).
    let starts_with_await = source
        .as_bytes()
        .get(top.start_byte()..)
        .is_some_and(|rest| rest.starts_with(b"await"));
    if !starts_with_await || !is_chain_link(top) {
        return None;
    }
    let mut link = top;
    loop {
        let head = head_of(link)?;
        if head.kind_name() == "identifier" {
            let applied = link.kind_name() != "member_expression";
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
    if top.kind_name() != "call_expression" || head_of(top) != Some(keyword) {
        return None;
    }
    let arguments = top.child_by_field_id(crate::field!("arguments"))?;
    if arguments.kind_name() != "arguments" {
        // `` await `t` ``: the template string is the operand.
        return Some(arguments);
    }
    only_argument(arguments)
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
    /// The operand of an `await` or `yield`, the iterable of a `for await`
    /// (empty for a bare `yield`).
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
    other_suspension_point(node)
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
///
/// The walk keeps each node's parent, so that neither the shape of a
/// misparsed `await` nor whether `await` is an operator where it is needs
/// [`Node::parent`], which descends from the root each time (a file of a
/// thousand top-level functions made that most of this function's cost).
pub fn points_of(source: &str, function: Node, module_is_async: bool) -> Vec<SuspensionPoint> {
    let mut points = Vec::new();
    // Every node reached, with the index of its parent here (`function`'s
    // is outside the walk).
    let mut reached: Vec<(Node, Option<usize>)> = vec![(function, None)];
    let mut stack = vec![0];
    let mut cursor = function.walk();
    while let Some(index) = stack.pop() {
        let (node, parent) = reached[index];
        if index != 0 {
            let parent_node = parent.map(|p| reached[p].0);
            let point = match await_shape_under(source, node, || parent_node) {
                Some(awaited) => {
                    let context_is_async =
                        owner_is_async(owner_within(&reached, index, function), module_is_async);
                    context_is_async.then(|| SuspensionPoint {
                        kind: SuspensionKind::Await,
                        range: awaited.range(),
                        operand: awaited.operand_range(),
                    })
                }
                None => other_suspension_point(node),
            };
            points.extend(point);
        }
        for child in node.named_children(&mut cursor) {
            let skipped = is_function(child) || child.kind_name() == "class_static_block";
            // Its computed key still belongs here.
            let key = match child.kind_name() {
                _ if skipped => child.child_by_field_id(crate::field!("name")),
                "field_definition" => child.child_by_field_id(crate::field!("property")),
                _ => {
                    reached.push((child, Some(index)));
                    stack.push(reached.len() - 1);
                    continue;
                }
            };
            if let Some(key) = key.filter(|k| k.kind_name() == "computed_property_name") {
                reached.push((child, Some(index)));
                reached.push((key, Some(reached.len() - 1)));
                stack.push(reached.len() - 1);
            }
        }
    }
    points.sort_by_key(|p| p.range.start);
    points
}

/// [`owner`] of `reached[index].0`, from the parents the walk of
/// [`points_of`] kept, and above `function` from the tree.
fn owner_within<'t>(
    reached: &[(Node<'t>, Option<usize>)],
    index: usize,
    function: Node<'t>,
) -> Owner<'t> {
    let mut path = Vec::new();
    let mut at = Some(index);
    while let Some(i) = at {
        path.push(reached[i].0);
        at = reached[i].1;
    }
    path.reverse();
    match owner_among(&path) {
        // Nothing from `function` down decides it: the chain goes on above.
        Owner::TopLevel if function.kind_name() != "program" => owner(function),
        found => found,
    }
}

/// A `for await` loop or a `yield` as a suspension point (an `await` is
/// [`suspension_point`]'s first case).
fn other_suspension_point(node: Node) -> Option<SuspensionPoint> {
    if is_for_await(node) {
        // Each step awaits the iterator's `next()` result (§14.7.5.7,
        // ForIn/OfBodyEvaluation with iteratorKind async).
        let iterable = node.child_by_field_id(crate::field!("right"));
        return Some(SuspensionPoint {
            kind: SuspensionKind::ForAwait,
            range: node.byte_range(),
            operand: iterable.map_or(node.start_byte()..node.start_byte(), |i| i.byte_range()),
        });
    }
    if node.kind_name() == "yield_expression" {
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

/// True when `function` (its own code, not nested functions) awaits: an
/// `await` expression, as JavaScript reads it, or a `for await` loop.
pub fn awaits_itself(source: &str, function: Node) -> bool {
    points_of(source, function, false)
        .iter()
        .any(|p| p.kind != SuspensionKind::Yield)
}

/// The `await` expressions of the first function's suspension points, in
/// source order, each read again from the tree at the point's range: the
/// mapping from a point back to its [`AwaitExpr`] that tests of its readers
/// (names, callees) share. Panics on a point that is not an `await`.
#[cfg(test)]
pub(crate) fn first_function_awaits<'t>(source: &str, tree: &'t Tree) -> Vec<AwaitExpr<'t>> {
    let found = suspension_points(source, tree, false);
    let first = found.first().expect("a function with a suspension point");
    first
        .points
        .iter()
        .map(|point| {
            let node = tree
                .root_node()
                .descendant_for_byte_range(point.range.start, point.range.end)
                .expect("a node at the point");
            await_expression(source, node, false).expect("an await at the point")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of every point of the file, per function (`top` for the top
    /// level, else the function's first line), in source order.
    fn points(source: &str, module_is_async: bool) -> Vec<(String, Vec<String>)> {
        let tree = crate::syntax::parse(source, None);
        assert!(!tree.root_node().has_error(), "{source}");
        suspension_points(source, &tree, module_is_async)
            .into_iter()
            .map(|function| {
                let owner = function.function.map_or("top".to_owned(), |range| {
                    source[range].lines().next().unwrap_or("").to_owned()
                });
                let texts = function
                    .points
                    .iter()
                    .map(|p| match p.kind {
                        SuspensionKind::ForAwait => "for await".to_owned(),
                        _ => source[p.range.clone()].to_owned(),
                    })
                    .collect();
                (owner, texts)
            })
            .collect()
    }

    /// The awaits of the one function of `body`'s async wrapper.
    fn awaits_in(body: &str) -> Vec<String> {
        let source = format!("async function f(k, o, x) {{\n{body}\n}}");
        points(&source, false)
            .into_iter()
            .filter(|(owner, _)| owner.starts_with("async function f("))
            .flat_map(|(_, texts)| texts)
            .collect()
    }

    #[test]
    fn the_fetch_idiom_has_two_awaits_and_the_outer_one_spans_the_chain() {
        let source = "async function load(u) { return await (await fetch(u)).json(); }";
        let tree = crate::syntax::parse(source, None);
        let found = suspension_points(source, &tree, false);
        let ranges: Vec<&str> = found[0]
            .points
            .iter()
            .map(|p| &source[p.range.clone()])
            .collect();
        assert_eq!(ranges, ["await (await fetch(u)).json()", "await fetch(u)"]);
        let operand = &source[found[0].points[0].operand.clone()];
        assert_eq!(operand, "(await fetch(u)).json()");
    }

    /// `await (0, lib.f)(x)`, what TypeScript and Babel emit for an imported
    /// function, is an await of a call of `lib.f`, either way it parses.
    #[test]
    fn a_compiled_call_is_awaited_and_its_callee_is_the_target() {
        let source = "async function g(x) { await (0, lib.f)(x); return await (0, h)(); }";
        let tree = crate::syntax::parse(source, None);
        let found = suspension_points(source, &tree, false);
        let texts: Vec<&str> = found[0]
            .points
            .iter()
            .map(|p| &source[p.range.clone()])
            .collect();
        assert_eq!(texts, ["await (0, lib.f)(x)", "await (0, h)()"]);
        let callees: Vec<&str> = first_function_awaits(source, &tree)
            .iter()
            .map(|awaited| &source[awaited.operand_callee().expect("a callee")])
            .collect();
        assert_eq!(callees, ["lib.f", "h"]);
    }

    #[test]
    fn await_is_a_name_outside_async_code() {
        assert!(points("function f(x) { await (x)(1); await (x); }", false).is_empty());
        assert!(points("await (x).y; await (x);", false).is_empty());
        assert_eq!(
            points("await (x).y;", true),
            [("top".to_owned(), vec!["await (x).y".to_owned()])]
        );
        // A class field initialiser is a function of its own, never async.
        assert!(points("async function f() { class A { x = await (y).z; } }", false).is_empty());
    }

    /// Each body's awaits (inside an async function), in source order,
    /// wherever the grammar puts them.
    #[test]
    fn awaits_are_found_in_every_position_in_source_order() {
        let cases: &[(&str, &[&str])] = &[
            // A misparsed `await (x)…` chain is one await of the whole chain.
            ("await (x)(k);", &["await (x)(k)"]),
            ("await (x).k;", &["await (x).k"]),
            ("await (x)[0].z`t`(1)?.w;", &["await (x)[0].z`t`(1)?.w"]),
            (
                "switch (await k) { case await o: await x; break; default: { await x; } }",
                &["await k", "await o", "await x", "await x"],
            ),
            (
                "for (const key in await o) { await key; }",
                &["await o", "await key"],
            ),
            // A `for await` loop is a suspension point besides the awaits in it.
            (
                "for await (const v of o) { await v; }",
                &["for await", "await v"],
            ),
            (
                "a: { await x; break a; }\nb: for (;;) { await k; break b; }",
                &["await x", "await k"],
            ),
            (
                "(await x())?.key; (await o)?.[await k];",
                &["await x()", "await o", "await k"],
            ),
            (
                "`${await x} ${`${await (x)(k)}`}`;",
                &["await x", "await (x)(k)"],
            ),
            // Computed keys are evaluated by the code around the member.
            (
                "({ [await k]: 1, async [await o]() { await 1; } });\nclass A { [await x] = 1; static [await k]() {} }",
                &["await k", "await o", "await x", "await k"],
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(awaits_in(body), *expected, "{body}");
        }
    }

    /// Each point belongs to the function whose own code it is: per function,
    /// how its first line starts and its points.
    #[test]
    fn each_point_belongs_to_the_function_whose_own_code_it_is() {
        type Owned<'a> = &'a [(&'a str, &'a [&'a str])];
        let cases: &[(&str, Owned)] = &[
            // An awaited IIFE is awaited by the caller; its body awaits for itself.
            (
                "async function f() { await (async () => { await g(); })(); }",
                &[
                    (
                        "async function f()",
                        &["await (async () => { await g(); })()"],
                    ),
                    ("async () =>", &["await g()"]),
                ],
            ),
            // Default parameters belong to the function that declares them.
            (
                "async function f(a = async () => await x) { await a; }",
                &[
                    ("async function f(", &["await a"]),
                    ("async () => await x", &["await x"]),
                ],
            ),
            // A class field initialiser owns its arrow's awaits.
            (
                "async function f() { class A { g = async () => await (x).y; } }",
                &[("async () =>", &["await (x).y"])],
            ),
            // Yields belong to their generator.
            (
                "function* g() { yield 1; yield* h(); }\nasync function* a() { yield await x; }",
                &[
                    ("function* g()", &["yield 1", "yield* h()"]),
                    ("async function* a()", &["yield await x", "await x"]),
                ],
            ),
        ];
        for (source, expected) in cases {
            let found = points(source, false);
            assert_eq!(found.len(), expected.len(), "{found:?}");
            for ((owner, texts), (start, expected_texts)) in found.iter().zip(expected.iter()) {
                assert!(owner.starts_with(start), "{owner:?} for {start:?}");
                assert_eq!(texts, expected_texts, "{source}");
            }
        }
    }

    #[test]
    fn points_of_one_function_match_the_files_reading() {
        let source = "async function f(x) { await (x).y; const g = async () => await x; for await (const v of x) {} }";
        let tree = crate::syntax::parse(source, None);
        let function = tree.root_node().named_child(0).unwrap();
        let texts: Vec<&str> = points_of(source, function, false)
            .iter()
            .map(|p| &source[p.range.start..p.range.start + 9])
            .collect();
        assert_eq!(texts, ["await (x)", "for await"]);
    }
}
