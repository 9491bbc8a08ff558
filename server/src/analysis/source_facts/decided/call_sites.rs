//! Parameters decided from the file's own call sites, for
//! [`super::PromiseDeclarations`]: a function that only this file calls,
//! at call sites the file shows, gets its arguments from those sites, so
//! an awaited parameter (`await p`) is a native promise when every site
//! passes one, and a call of a parameter (`await cb()`) returns one when
//! every site passes a function whose every call does.
//!
//! A function counts only when every use of it is a plain call the file
//! makes: a function declaration or a `const`/`let`/`var` (never assigned
//! again) whose name is read nowhere but as the callee of `f(…)`, or a
//! function called where it is written (`(async (p) => { … })(load())`).
//! Any other use lets code the file does not show call it with anything:
//! an export (`export function f`, `export { f }`, `module.exports = f`,
//! `{ f }`), a function passed as a value or returned, `f.call`,
//! `f.apply`, `f.bind`, `new f`, `f?.()`, a tagged template; so does
//! `eval` anywhere in the file. The parameter must be a plain name (a
//! default value is never used, as a native promise is not `undefined`),
//! never assigned, in a function that never reads `arguments` (which
//! aliases the parameters of a sloppy-mode function), with no spread
//! argument at a site before it.
//!
//! A site inside the function itself that passes the parameter on
//! (`retry(p)` in `retry`) is decided by taking the parameter to hold what
//! every other site passes: the first call of the function comes from
//! another site, and each later call passes a value that an earlier call
//! received.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::Node;

use super::scope::scope_of;
use super::{is_plain_call, Decision, PromiseDeclarations};
use crate::syntax::js::{named_children_but_comments, unwrap_parens};
use crate::syntax::roles::whole_word_ends;

/// How many call sites a function may have for its parameters to be
/// decided: each site's argument is decided in turn.
const MAX_SITES: usize = 16;

/// What [`PromiseDeclarations`] remembers of call sites between questions.
#[derive(Default)]
pub(super) struct CallSiteMemo {
    /// A function's start byte -> the byte ranges of the calls that are its
    /// every use, or `None` when it may be called from elsewhere. (Ranges,
    /// not nodes: a `Node` in the memo would make the declarations
    /// invariant in `'t`.)
    sites: HashMap<usize, Option<Vec<Range<usize>>>>,
    /// Whether the file holds an `eval` or a `with` statement, found once.
    unseen_reads: Option<bool>,
    /// The parameters (function start byte, position, question) a decision
    /// in progress takes to hold what every other site passes.
    assuming: Vec<(usize, usize, Question)>,
}

/// What is asked of a parameter: that it holds a native promise, that its
/// calls return one, or that calls of its method of that name do.
#[derive(Clone, PartialEq, Eq)]
enum Question {
    Holds,
    Called,
    Method(String),
}

impl<'t> PromiseDeclarations<'t> {
    /// Why the name `expr`, if it is a parameter, holds a native promise
    /// (see [`Self::parameter_holds`]).
    pub(super) fn parameter_read(&self, expr: Node<'t>, depth: u32) -> Option<Decision> {
        let binding = self.resolve(self.text(expr), expr)?;
        match binding.kind() {
            "formal_parameters" | "arrow_function" => self.parameter_holds(expr, binding, depth),
            _ => None,
        }
    }

    /// Why the parameter `expr` (a name bound by `binding`, a parameter
    /// list or a single-parameter arrow) holds a native promise: every call
    /// of its function passes one there.
    pub(super) fn parameter_holds(
        &self,
        expr: Node<'t>,
        binding: Node<'t>,
        depth: u32,
    ) -> Option<Decision> {
        let name = self.text(expr);
        let tail = self.every_argument(name, binding, Question::Holds, |argument| {
            self.decide_at(argument, depth + 1)
        })?;
        Some(Decision::new(format!(
            "`{name}` is a native promise {tail}"
        )))
    }

    /// Why a call of the parameter `callee` (bound by `binding`) returns a
    /// native promise: every call of its function passes a function whose
    /// every call returns one.
    pub(super) fn parameter_called(
        &self,
        callee: Node<'t>,
        binding: Node<'t>,
        depth: u32,
    ) -> Option<Decision> {
        let name = self.text(callee);
        let tail = self.every_argument(name, binding, Question::Called, |argument| {
            let argument = unwrap_parens(argument);
            match argument.kind() {
                "identifier" => self.function_named(argument, depth + 1),
                "arrow_function" | "function_expression" => self
                    .function_returns(argument, depth + 1)
                    .map(|why| Decision::new(format!("the function passed {why}"))),
                _ => None,
            }
        })?;
        Some(Decision::new(format!(
            "`{name}` is a function that returns a native promise {tail}"
        )))
    }

    /// Why `object.method(…)`, with `object` a parameter (bound by
    /// `binding`), returns a native promise: every call of its function
    /// passes an object whose `method` does (a name, `new C(…)`, `this` or
    /// a field of `this`, as they are decided where the call passes them).
    pub(super) fn parameter_method(
        &self,
        object: Node<'t>,
        binding: Node<'t>,
        method: &str,
        depth: u32,
    ) -> Option<Decision> {
        let name = self.text(object);
        let question = Question::Method(method.to_owned());
        let tail = self.every_argument(name, binding, question, |argument| {
            let argument = unwrap_parens(argument);
            match argument.kind() {
                "identifier" => self.identifier_method(argument, method, depth + 1),
                "new_expression" => self.instance_method(argument, method, depth + 1),
                "this" => self.this_method(argument, method, depth + 1),
                "member_expression" => self.field_method(argument, method, depth + 1),
                _ => None,
            }
        })?;
        Some(Decision::new(format!(
            "`{name}.{method}` returns a native promise {tail}"
        )))
    }

    /// Decides, with `decide`, the argument every call of the function whose
    /// parameter `name` is (bound by `binding`) passes for it: where and
    /// why ("at every call of `f` (lines 4, 9): …", the distinct reasons),
    /// or `None` when one is not decided. A site that passes the parameter on is
    /// decided taking it to be decided (see the module's comment).
    fn every_argument(
        &self,
        name: &str,
        binding: Node<'t>,
        question: Question,
        decide: impl Fn(Node<'t>) -> Option<Decision>,
    ) -> Option<String> {
        let (function, position) = self.plain_parameter(name, binding)?;
        let key = (function.start_byte(), position, question);
        if self.call_site_memo.borrow().assuming.contains(&key) {
            return Some("as every other call of its function gives it".to_owned());
        }
        let sites = self.call_sites(function)?;
        self.call_site_memo.borrow_mut().assuming.push(key);
        let decided = self.each_argument(&sites, position, decide);
        self.call_site_memo.borrow_mut().assuming.pop();
        let (lines, whys) = decided?;
        Some(format!("{}: {whys}", self.at_calls(function, &lines)))
    }

    /// Decides the argument at `position` of every call in `sites`: the
    /// lines of the sites ("line 4" or "lines 4, 9") and the distinct
    /// reasons, or `None` when one is not decided.
    fn each_argument(
        &self,
        sites: &[Node<'t>],
        position: usize,
        decide: impl Fn(Node<'t>) -> Option<Decision>,
    ) -> Option<(String, String)> {
        let mut whys: Vec<String> = Vec::new();
        for call in sites {
            let arguments = call.child_by_field_id(crate::field!("arguments"))?;
            let given = named_children_but_comments(arguments);
            if given
                .iter()
                .take(position + 1)
                .any(|a| a.kind() == "spread_element")
            {
                return None;
            }
            let why = decide(*given.get(position)?)?.why;
            if !whys.contains(&why) {
                whys.push(why);
            }
        }
        let lines: Vec<String> = sites.iter().map(|s| self.line(*s).to_string()).collect();
        let lines = match lines.as_slice() {
            [one] => format!("line {one}"),
            _ => format!("lines {}", lines.join(", ")),
        };
        Some((lines, whys.join("; ")))
    }

    /// The function whose parameter `name` is (bound by `binding`), and its
    /// position, when it is a plain name (or one with a default value)
    /// that nothing assigns and the function reads no `arguments`.
    fn plain_parameter(&self, name: &str, binding: Node<'t>) -> Option<(Node<'t>, usize)> {
        let (function, position) = match binding.kind() {
            // `p => …`
            "arrow_function" => (binding, 0),
            "formal_parameters" => {
                let position = named_children_but_comments(binding).iter().position(|p| {
                    let p = match p.kind() {
                        "assignment_pattern" => p.child_by_field_id(crate::field!("left")),
                        _ => Some(*p),
                    };
                    p.is_some_and(|p| p.kind() == "identifier" && self.text(p) == name)
                })?;
                (binding.parent()?, position)
            }
            _ => return None,
        };
        let reads_arguments = self.text(function).contains("arguments");
        (!reads_arguments && self.writes_to(name, binding).is_empty())
            .then_some((function, position))
    }

    /// "at every call of `f` (lines …)", or "where the function is called
    /// (line …)" for one called where it is written.
    fn at_calls(&self, function: Node<'t>, lines: &str) -> String {
        match self.name_of(function) {
            Some(name) => format!("at every call of `{}` ({lines})", self.text(name)),
            None => format!("where the function is called ({lines})"),
        }
    }

    /// The name `function` is declared or held by, if any.
    fn name_of(&self, function: Node<'t>) -> Option<Node<'t>> {
        if function.kind() == "function_declaration" {
            return function.child_by_field_id(crate::field!("name"));
        }
        let holder = held_by(function)?;
        holder
            .child_by_field_id(crate::field!("name"))
            .filter(|n| n.kind() == "identifier")
    }

    /// Every call of `function`, when those calls are all its uses (see
    /// the module's rules); `None` when code the file does not show may
    /// call it, or when it has more than [`MAX_SITES`] calls.
    pub(super) fn call_sites(&self, function: Node<'t>) -> Option<Vec<Node<'t>>> {
        let key = function.start_byte();
        let known = self.call_site_memo.borrow().sites.get(&key).cloned();
        let ranges = match known {
            Some(ranges) => ranges,
            None => {
                let ranges = self
                    .find_call_sites(function)
                    .map(|calls| calls.iter().map(|c| c.byte_range()).collect());
                self.call_site_memo
                    .borrow_mut()
                    .sites
                    .insert(key, ranges.clone());
                ranges
            }
        }?;
        let mut root = function;
        while let Some(parent) = root.parent() {
            root = parent;
        }
        ranges
            .iter()
            .map(|range| {
                let mut node = root.descendant_for_byte_range(range.start, range.end)?;
                while node.kind() != "call_expression" || node.byte_range() != *range {
                    node = node.parent()?;
                }
                Some(node)
            })
            .collect()
    }

    fn find_call_sites(&self, function: Node<'t>) -> Option<Vec<Node<'t>>> {
        if self.reaches_names_unseen(function) {
            return None;
        }
        let mut calls = Vec::new();
        // Called where it is written: `(async (p) => { … })(x)`.
        let called_here = called_by(function);
        // The binding whose name every other use reads.
        let (name, binding) = match function.kind() {
            "function_declaration" => {
                let statement = function.parent()?;
                if statement.kind() == "export_statement" {
                    return None;
                }
                (function.child_by_field_id(crate::field!("name"))?, function)
            }
            _ if called_here.is_some() => {
                let call = called_here?;
                if !is_plain_call(call) {
                    return None;
                }
                calls.push(call);
                // A named function expression may call itself by its name.
                match function.child_by_field_id(crate::field!("name")) {
                    Some(name) if function.kind() == "function_expression" => (name, function),
                    _ => return Some(calls),
                }
            }
            "arrow_function" | "function_expression" => {
                let declarator = held_by(function)?;
                let declaration = declarator.parent()?;
                if declaration.parent()?.kind() == "export_statement" {
                    return None;
                }
                let name = declarator.child_by_field_id(crate::field!("name"))?;
                if name.kind() != "identifier"
                    || !self.writes_to(self.text(name), declarator).is_empty()
                {
                    return None;
                }
                // A named function expression's own name is a second way in.
                if let Some(own) = function
                    .child_by_field_id(crate::field!("name"))
                    .filter(|_| function.kind() == "function_expression")
                {
                    calls.extend(self.uses_are_calls(own, function)?);
                }
                (name, declarator)
            }
            _ => return None,
        };
        calls.extend(self.uses_are_calls(name, binding)?);
        calls.sort_by_key(|c| c.start_byte());
        calls.dedup_by_key(|c| c.id());
        // A function never called decides nothing (its awaits never run).
        (!calls.is_empty() && calls.len() <= MAX_SITES).then_some(calls)
    }

    /// Whether the file names `eval` (whose code can read and call any
    /// name) or holds a `with` statement (which can make a name read a
    /// property instead), found once.
    fn reaches_names_unseen(&self, any: Node<'t>) -> bool {
        if let Some(known) = self.call_site_memo.borrow().unseen_reads {
            return known;
        }
        let found = (mentions_word(self.source, "eval") || mentions_word(self.source, "with"))
            && names_unseen_in(self.source, any);
        self.call_site_memo.borrow_mut().unseen_reads = Some(found);
        found
    }

    /// The calls that are every use of the name `name` bound by `binding`
    /// (inside its scope), or `None` when one use is something else.
    fn uses_are_calls(&self, name: Node<'t>, binding: Node<'t>) -> Option<Vec<Node<'t>>> {
        let text = self.text(name);
        let scope = scope_of(binding);
        let mut calls = Vec::new();
        // Each occurrence of the name's text in the scope (one scan of the
        // text, not a walk of every node), read as the node it is: a name
        // in a comment, a string or a property key is no use.
        let start = scope.start_byte();
        for (at, _) in self.source[scope.byte_range()].match_indices(text) {
            let at = start + at;
            let Some(node) = scope.descendant_for_byte_range(at, at + text.len()) else {
                continue;
            };
            let is_use = matches!(node.kind(), "identifier" | "shorthand_property_identifier")
                && node.byte_range() == (at..at + text.len())
                && node.id() != name.id();
            if !is_use {
                continue;
            }
            match self.resolve(text, node) {
                Some(other) if other.id() != binding.id() => {}
                // Bound more than once where it is used: any of them.
                None => return None,
                Some(_) => {
                    let call = called_by(node).filter(|c| is_plain_call(*c))?;
                    calls.push(call);
                    if calls.len() > MAX_SITES {
                        return None;
                    }
                }
            }
        }
        calls.sort_by_key(|c| c.start_byte());
        Some(calls)
    }
}

/// The declarator (`const f = …`) holding `function` as its value, inside
/// any parentheses.
fn held_by(function: Node) -> Option<Node> {
    let outer = outside_parens(function);
    let declarator = outer.parent()?;
    (declarator.kind() == "variable_declarator"
        && declarator
            .child_by_field_id(crate::field!("value"))
            .is_some_and(|v| v.id() == outer.id()))
    .then_some(declarator)
}

/// The call whose callee is `callee` (inside any parentheses): a name, or a
/// function called where it is written.
fn called_by(callee: Node) -> Option<Node> {
    let outer = outside_parens(callee);
    let call = outer.parent()?;
    (call.kind() == "call_expression"
        && call
            .child_by_field_id(crate::field!("function"))
            .is_some_and(|f| f.id() == outer.id()))
    .then_some(call)
}

/// The outermost of the parentheses around `node` (`node` itself without
/// any).
fn outside_parens(node: Node) -> Node {
    let mut outer = node;
    while let Some(parent) = outer
        .parent()
        .filter(|p| p.kind() == "parenthesized_expression")
    {
        outer = parent;
    }
    outer
}

/// How many occurrences of `eval` and `with` in the text are looked at one
/// by one; past that, every node of the tree is.
const MAX_LOOKED_AT: usize = 64;

/// Whether the tree of `source` (the tree `any` belongs to) holds an
/// identifier `eval` or a `with` statement. Such a node starts at an
/// occurrence of its word in the text, so each occurrence is looked up
/// (down from the root, as wide as the nodes on the way) instead of walking
/// every node; a text with many occurrences is walked.
fn names_unseen_in(source: &str, any: Node) -> bool {
    let mut root = any;
    while let Some(parent) = root.parent() {
        root = parent;
    }
    let bytes = source.as_bytes();
    let evals: Vec<usize> = whole_word_ends(bytes, "eval").map(|end| end - 4).collect();
    // A `with` statement's keyword is followed by `(` (a `/` may start a
    // comment before it); `width` and `with` in prose are neither.
    let withs: Vec<usize> = whole_word_ends(bytes, "with")
        .filter(|&end| {
            bytes[end..]
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|b| matches!(b, b'(' | b'/'))
        })
        .map(|end| end - 4)
        .collect();
    if evals.len() + withs.len() > MAX_LOOKED_AT {
        return names_unseen_by_walk(source, root);
    }
    let eval_at = |at: usize| {
        root.descendant_for_byte_range(at, at + 4)
            .is_some_and(|n| n.kind() == "identifier" && n.byte_range() == (at..at + 4))
    };
    // A `with` statement contains its keyword: it is the node found there or
    // one of its ancestors that start where the keyword does.
    let with_at = |at: usize| {
        let mut node = root.descendant_for_byte_range(at, at + 4);
        while let Some(n) = node.filter(|n| n.start_byte() == at) {
            if n.kind() == "with_statement" {
                return true;
            }
            node = n.parent();
        }
        false
    };
    evals.into_iter().any(eval_at) || withs.into_iter().any(with_at)
}

/// [`names_unseen_in`] by a walk of every named node under `root`.
fn names_unseen_by_walk(source: &str, root: Node) -> bool {
    let mut stack = vec![root];
    let mut cursor = root.walk();
    while let Some(node) = stack.pop() {
        if node.kind() == "with_statement"
            || node.kind() == "identifier" && &source[node.byte_range()] == "eval"
        {
            return true;
        }
        stack.extend(node.named_children(&mut cursor));
    }
    false
}

/// Whether `word` occurs in `source` as a whole word (`eval`, but not
/// `evaluate`): a direct `eval` can read and call any name, and `with` can
/// make a name read a property instead.
fn mentions_word(source: &str, word: &str) -> bool {
    let is_part = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    source.match_indices(word).any(|(at, _)| {
        let before = source[..at].chars().next_back();
        let after = source[at + word.len()..].chars().next();
        !before.is_some_and(is_part) && !after.is_some_and(is_part)
    })
}

#[cfg(test)]
mod tests;
