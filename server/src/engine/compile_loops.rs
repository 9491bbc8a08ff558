//! Loops, labels, `break` and `continue` (§14.7, §14.13, §14.8-9), and the
//! heads of `for...of`/`for...in`.
//!
//! Every statement that `break` may leave is a [`BreakTarget`]: loops, `switch`
//! and labelled statements. `break`/`continue` compile to `Op::Exit`, which
//! runs the `finally` bodies between them and their target.

use std::rc::Rc;

use tree_sitter::Node;

use crate::syntax::js;

use super::bytecode::{DeclKind, HandlerKind, Op};
use super::compile::{fields, Compiler, FnBuilder};
use super::compile_pattern::BindMode;
use super::value::Value;
use crate::syntax::KindName;

/// Where `break` and `continue` aimed at one statement go.
pub(crate) struct BreakTarget {
    pub breaks: Vec<usize>,
    pub continues: Vec<usize>,
    /// Handler and scope depths at the statement, which an exit unwinds to.
    pub handlers: usize,
    pub scopes: usize,
    /// The statement's labels (`a: b: while (...)`).
    pub labels: Vec<Rc<str>>,
    /// A loop: the target of `continue`.
    pub is_loop: bool,
    /// A loop or a `switch`: the target of an unlabelled `break`.
    pub takes_plain_break: bool,
}

fn is_loop_kind(kind: &str) -> bool {
    matches!(
        kind,
        "for_statement" | "for_in_statement" | "while_statement" | "do_statement"
    )
}

impl<'s> Compiler<'s> {
    /// Opens a break target for the statement being compiled, with the labels
    /// written right before it.
    pub(crate) fn open_target(&mut self, b: &mut FnBuilder, is_loop: bool, plain_break: bool) {
        let labels = std::mem::take(&mut b.pending_labels);
        b.loops.push(BreakTarget {
            breaks: Vec::new(),
            continues: Vec::new(),
            handlers: b.handlers,
            scopes: b.scopes,
            labels,
            is_loop,
            takes_plain_break: plain_break,
        });
    }

    fn open_loop(&mut self, b: &mut FnBuilder) {
        self.open_target(b, true, true);
    }

    /// Closes the innermost target: its breaks land here, its continues at
    /// `continue_target`.
    pub(crate) fn close_target(&mut self, b: &mut FnBuilder, continue_target: usize) {
        if let Some(target) = b.loops.pop() {
            for at in target.continues {
                b.patch_to(at, continue_target);
            }
            for at in target.breaks {
                b.patch(at);
            }
        }
    }

    fn close_loop(&mut self, b: &mut FnBuilder, continue_target: usize) {
        self.close_target(b, continue_target);
    }

    /// `label: statement`. A label on a loop names the loop (for `continue
    /// label`); on any other statement it only makes `break label` leave it.
    pub(crate) fn labeled_statement(&mut self, b: &mut FnBuilder, node: Node) {
        let Some([label, body]) = fields(node, [crate::field!("label"), crate::field!("body")])
        else {
            return b.abstain("a malformed labelled statement");
        };
        b.pending_labels.push(Rc::from(self.text(label)));
        if is_loop_kind(body.kind_name()) || body.kind_name() == "labeled_statement" {
            return self.statement(b, body);
        }
        self.open_target(b, false, false);
        self.statement(b, body);
        let here = b.here();
        self.close_target(b, here);
    }

    pub(crate) fn break_continue(&mut self, b: &mut FnBuilder, node: Node) {
        let is_break = node.kind_name() == "break_statement";
        let label = node
            .child_by_field_id(crate::field!("label"))
            .or_else(|| {
                node.named_child(0)
                    .filter(|n| n.kind_name() == "statement_identifier")
            })
            .map(|l| self.text(l));
        let found = b.loops.iter().rposition(|target| match label {
            Some(label) => {
                target.labels.iter().any(|l| &**l == label) && (is_break || target.is_loop)
            }
            None if is_break => target.takes_plain_break,
            None => target.is_loop,
        });
        let Some(index) = found else {
            return b.abstain("a `break`/`continue` without a target");
        };
        let (handlers, scopes) = (b.loops[index].handlers, b.loops[index].scopes);
        let at = b.emit(Op::Exit {
            target: 0,
            handlers,
            scopes,
        });
        let target = &mut b.loops[index];
        if is_break {
            target.breaks.push(at);
        } else {
            target.continues.push(at);
        }
    }

    pub(crate) fn while_statement(&mut self, b: &mut FnBuilder, node: Node) {
        let start = b.here();
        if let Some(condition) = node.child_by_field_id(crate::field!("condition")) {
            self.expression(b, condition);
        }
        let exit = b.emit(Op::JumpIfFalse(0));
        self.open_loop(b);
        if let Some(body) = node.child_by_field_id(crate::field!("body")) {
            self.block(b, body);
        }
        b.emit(Op::Jump(start));
        b.patch(exit);
        self.close_loop(b, start);
    }

    pub(crate) fn do_statement(&mut self, b: &mut FnBuilder, node: Node) {
        let start = b.here();
        self.open_loop(b);
        if let Some(body) = node.child_by_field_id(crate::field!("body")) {
            self.block(b, body);
        }
        let continue_target = b.here();
        if let Some(condition) = node.child_by_field_id(crate::field!("condition")) {
            self.expression(b, condition);
        }
        let exit = b.emit(Op::JumpIfFalse(0));
        b.emit(Op::Jump(start));
        b.patch(exit);
        self.close_loop(b, continue_target);
    }

    pub(crate) fn for_statement(&mut self, b: &mut FnBuilder, node: Node) {
        b.emit(Op::PushScope);
        b.scopes += 1;
        let mut per_iteration = false;
        if let Some(init) = node.child_by_field_id(crate::field!("initializer")) {
            match init.kind_name() {
                "lexical_declaration" => {
                    per_iteration = true;
                    self.declaration(b, init);
                }
                "variable_declaration" => self.declaration(b, init),
                "empty_statement" => {}
                _ => {
                    self.expression(b, init);
                    b.emit(Op::Pop);
                }
            }
        }
        let test = b.here();
        let exit = match node.child_by_field_id(crate::field!("condition")) {
            Some(condition) if condition.kind_name() != "empty_statement" => {
                self.expression(b, condition);
                Some(b.emit(Op::JumpIfFalse(0)))
            }
            _ => None,
        };
        self.open_loop(b);
        if let Some(body) = node.child_by_field_id(crate::field!("body")) {
            self.block(b, body);
        }
        let continue_target = b.here();
        if per_iteration {
            b.emit(Op::RenewScope);
        }
        if let Some(increment) = node.child_by_field_id(crate::field!("increment")) {
            self.expression(b, increment);
            b.emit(Op::Pop);
        }
        b.emit(Op::Jump(test));
        if let Some(exit) = exit {
            b.patch(exit);
        }
        self.close_loop(b, continue_target);
        b.scopes -= 1;
        b.emit(Op::PopScope);
    }

    /// How a `for...of`/`for...in`/`for await` head binds its element: a new
    /// `const`/`let`/`var` binding, or an assignment to an existing target;
    /// `None` for `using` declarations.
    /// One iteration of a `for...in`/`for...of`/`for await` loop: `left`
    /// bound to the value on the stack in a scope of its own (a closure in
    /// the body keeps each iteration's binding), then the body.
    fn iteration(&mut self, b: &mut FnBuilder, node: Node, left: Node, mode: BindMode) {
        self.open_loop(b);
        b.emit(Op::PushScope);
        b.scopes += 1;
        self.bind_pattern(b, left, mode);
        if let Some(body) = node.child_by_field_id(crate::field!("body")) {
            self.block(b, body);
        }
        b.scopes -= 1;
        b.emit(Op::PopScope);
    }

    /// The `left` and `right` of a `for...in`/`for...of` head and how `left`
    /// binds, with the loop's own scope opened; `None` once it has abstained.
    fn open_loop_head<'t>(
        &mut self,
        b: &mut FnBuilder,
        node: Node<'t>,
        malformed: &str,
    ) -> Option<(Node<'t>, Node<'t>, BindMode)> {
        let Some([left, right]) = fields(node, [crate::field!("left"), crate::field!("right")])
        else {
            b.abstain(malformed);
            return None;
        };
        let Some(mode) = self.loop_head_binding(node) else {
            b.abstain("`using` declarations are not modelled");
            return None;
        };
        b.emit(Op::PushScope);
        b.scopes += 1;
        Some((left, right, mode))
    }

    fn loop_head_binding(&self, node: Node) -> Option<BindMode> {
        match node
            .child_by_field_id(crate::field!("kind"))
            .map(|k| self.text(k))
        {
            Some("const") => Some(BindMode::Declare(DeclKind::Const)),
            Some("let") => Some(BindMode::Declare(DeclKind::Let)),
            Some("var") => Some(BindMode::Declare(DeclKind::Var)),
            Some(_) => None,
            None => Some(BindMode::Assign),
        }
    }

    /// `for (left of right)` and `for (left in right)`: a hidden iterator in a
    /// scope around the loop, a fresh scope for the binding each turn.
    pub(crate) fn for_in_of_statement(&mut self, b: &mut FnBuilder, node: Node) {
        let is_of = node
            .child_by_field_id(crate::field!("operator"))
            .is_some_and(|op| self.text(op) == "of");
        if js::is_for_await(node) {
            return self.for_await_statement(b, node);
        }
        if node.child_by_field_id(crate::field!("value")).is_some() {
            return b.abstain("an initialiser in a `for...in` head is not modelled");
        }
        let Some((left, right, mode)) = self.open_loop_head(b, node, "a malformed `for...of`")
        else {
            return;
        };
        let iter = self.hidden_name("iter");
        self.expression(b, right);
        if is_of {
            b.emit(Op::IterInit(iter.clone()));
        } else {
            b.emit(Op::ForInInit(iter.clone()));
        }
        // Leaving a `for...of` by break, return or throw closes its iterator:
        // a `finally` around the loop (§14.7.5.7 step 3.k, §7.4.11).
        let close_at = is_of.then(|| {
            b.handlers += 1;
            b.emit(Op::PushHandler(HandlerKind::Finally, 0))
        });
        let next = b.emit(Op::IterNext(iter.clone(), 0));
        self.iteration(b, node, left, mode);
        b.emit(Op::Jump(next));
        b.patch(next);
        self.close_loop(b, next);
        if let Some(close_at) = close_at {
            b.handlers -= 1;
            b.emit(Op::PopHandler);
            b.emit(Op::NormalCompletion);
            b.patch(close_at);
            b.emit(Op::IterClose(iter));
            b.emit(Op::EndFinally);
        }
        b.scopes -= 1;
        b.emit(Op::PopScope);
    }

    /// `for await (left of iterable)` (§14.7.5.7). Over an array or a sync
    /// generator (§27.1.6 CreateAsyncFromSyncIterator) each step, the final
    /// one included, wraps the element with `PromiseResolve` and a `then` and
    /// awaits the result: two jobs for a plain value or a settled promise,
    /// three for a thenable. Over an async generator each step awaits its
    /// `next()` promise. Leaving the body early awaits the iterator's
    /// `return()` (§7.4.13 AsyncIteratorClose: one job for an array, which
    /// has no sync `return`, two for a sync generator, the request for an
    /// async generator); a rejected step throws from the head without
    /// closing. Measured on Node 24.11.1 (tests/control.rs,
    /// tests/async_generators.rs).
    fn for_await_statement(&mut self, b: &mut FnBuilder, node: Node) {
        if !b.is_async {
            return b.abstain("`for await` outside an async function");
        }
        let Some((left, right, mode)) = self.open_loop_head(b, node, "a malformed `for await`")
        else {
            return;
        };
        let iter = self.hidden_name("asynciter");
        // Whether the body runs, so that leaving it must close the iterator.
        let open = self.hidden_name("open");
        self.expression(b, right);
        b.emit(Op::AsyncIterInit(iter.clone()));
        b.emit(Op::Push(Value::Bool(false)));
        b.emit(Op::Declare(open.clone(), DeclKind::Let));
        b.handlers += 1;
        let close_at = b.emit(Op::PushHandler(HandlerKind::Finally, 0));
        let step = b.emit(Op::Push(Value::Bool(false)));
        b.emit(Op::Store(open.clone()));
        b.emit(Op::ForAwaitStep(iter.clone()));
        b.emit(Op::Await);
        // [done, awaited] -> [value], leaving when done.
        b.emit(Op::ForAwaitUnpack);
        let exit = b.emit(Op::JumpIfTrue(0));
        b.emit(Op::Push(Value::Bool(true)));
        b.emit(Op::Store(open.clone()));
        self.iteration(b, node, left, mode);
        b.emit(Op::Jump(step));
        b.patch(exit);
        b.emit(Op::Pop);
        self.close_loop(b, step);
        // Every exit, `break` included, reaches the `finally`; it closes the
        // iterator when the body was running.
        b.handlers -= 1;
        b.emit(Op::PopHandler);
        b.emit(Op::NormalCompletion);
        b.patch(close_at);
        b.emit(Op::Load(open));
        let skip = b.emit(Op::JumpIfFalse(0));
        b.handlers += 1;
        let caught = b.emit(Op::PushHandler(HandlerKind::Catch, 0));
        b.emit(Op::ForAwaitClose(iter));
        b.emit(Op::Await);
        b.emit(Op::Pop);
        b.handlers -= 1;
        b.emit(Op::PopHandler);
        let closed = b.emit(Op::Jump(0));
        b.patch(caught);
        b.emit(Op::RethrowUnlessThrowing);
        b.patch(closed);
        b.patch(skip);
        b.emit(Op::EndFinally);
        b.scopes -= 1;
        b.emit(Op::PopScope);
    }
}
