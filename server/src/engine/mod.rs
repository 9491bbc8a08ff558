//! The ordering engine: a symbolic model of Node's microtask queue and event loop.
//!
//! Data flow: the tree-sitter tree is compiled to a small bytecode per
//! function (`compile.rs` and the `compile_*.rs` beside it, `bytecode.rs`);
//! the abstract machine (`machine/`) runs it with explicit frames, so `await` can
//! suspend an activation mid-expression; promises follow ECMA-262 with V8's
//! job kinds (`promise.rs`); Node's nextTick queue, checkpoints and the
//! libuv loop live in `scheduler.rs`; `console.log` formatting in
//! `inspect.rs`; what a run shows about each async activation is recorded by
//! `tick_observer.rs` and summarised per function by `function_ticks.rs`.
//! See docs/ARCHITECTURE.md, "The ordering engine".

mod async_generators;
mod builtins;
mod builtins_array;
mod builtins_clone;
mod builtins_descriptors;
mod builtins_number;
mod builtins_object;
mod builtins_promise;
mod builtins_regex;
mod builtins_string;
mod bytecode;
mod classes;
mod collections;
mod compile;
mod compile_assign;
mod compile_call;
mod compile_chain;
mod compile_class;
mod compile_expr;
mod compile_literal;
mod compile_loops;
mod compile_module;
mod compile_pattern;
mod compile_statements;
mod compile_switch;
mod control_ops;
mod entry_cache;
mod for_await;
mod function_ticks;
mod generators;
mod globals;
mod index_keys;
mod inspect;
mod install_globals;
mod job_counts;
mod joined_paths;
mod json;
mod json_parse;
mod machine;
mod module_kind;
mod node_abort;
mod node_abort_timeout;
mod node_abort_timers;
mod node_async_iter;
mod node_events;
mod node_interval;
mod node_io;
mod node_modules;
mod node_pending_io;
mod node_util;
mod ops;
mod ops_int32;
mod promise;
mod promise_subclass;
mod promised_timers;
mod props;
mod scheduler;
mod stdlib;
mod strict_mode;
mod symbolic_entries;
#[cfg(test)]
mod tests;
mod tick_observer;
mod timeline;
mod value;

pub use entry_cache::EntryCache;
pub use function_ticks::{
    facts_and_order, facts_and_order_cached, facts_at_cached, function_facts, AsyncFunctionFacts,
    AwaitFacts, LaterPhase, ResumeTick, SettleTick,
};
pub use job_counts::{count_word, job_counts, probe_resume_jobs, JobCounts, PROBES};
pub use module_kind::{detect_module_kind, ModuleKind};
pub use node_io::{explain_order, ExplainedOrder};
pub use promised_timers::{PromisedTimer, PROMISED_TIMERS};
pub use timeline::{timeline, Lane, Step, StepPrint, Timeline};

use std::ops::Range;
use std::rc::Rc;

use tree_sitter::{Node, Tree};

use compile::Compiler;
use machine::{Halt, Machine};

/// What the engine predicts `node FILE` prints, or why it cannot tell.
#[derive(Clone, Debug, PartialEq)]
pub enum OrderOutcome {
    /// The program's stdout, line by line, each with what ran it.
    Determined(Vec<PrintedLine>),
    /// The engine cannot be sure; `reason` names the construct.
    Abstained(Abstention),
}

/// One line of predicted stdout.
#[derive(Clone, Debug, PartialEq)]
pub struct PrintedLine {
    pub text: String,
    /// What ran the `console.log` call, for `--explain`.
    pub cause: String,
}

/// Why the engine gives no answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Abstention {
    pub reason: String,
    /// The construct responsible, when there is one.
    pub range: Option<Range<usize>>,
}

/// Syntax nesting beyond which the engine abstains (keeps the compiler's
/// recursion, which follows the tree, far from the stack limit).
const MAX_SYNTAX_DEPTH: usize = 120;

/// Predicts the stdout of running `source` as the main module.
pub fn predict_order(source: &str, tree: &Tree, module: ModuleKind) -> OrderOutcome {
    let mut machine = match prepare(source, tree, module) {
        Ok(machine) => machine,
        Err(abstention) => return OrderOutcome::Abstained(abstention),
    };
    let halt = machine.run_program().err();
    outcome_of_run(&machine, halt.as_ref())
}

/// What a finished run of the program predicts: its output, also when the
/// process crashes (the output up to the crash is what Node prints), or why
/// the engine stopped.
fn outcome_of_run(machine: &Machine, halt: Option<&Halt>) -> OrderOutcome {
    if let (None | Some(Halt::Crash(_)), Some(module)) = (halt, machine.unseen_module_loaded()) {
        return OrderOutcome::Abstained(Abstention {
            reason: format!(
                "`{module}` runs another module's code, which ticklens does not see (it may print)"
            ),
            range: None,
        });
    }
    match halt {
        None | Some(Halt::Crash(_)) => OrderOutcome::Determined(machine.output.clone()),
        Some(Halt::Abstain(abstention)) => OrderOutcome::Abstained(abstention.clone()),
    }
}

/// Checks the tree and compiles it into a ready machine.
fn prepare<'s>(
    source: &'s str,
    tree: &Tree,
    module: ModuleKind,
) -> Result<Machine<'s>, Abstention> {
    let root = tree.root_node();
    check_tree(root)?;
    let mut compiler = Compiler::new(source);
    compiler.compile_program(root, module == ModuleKind::EsModule);
    let funcs: Vec<Rc<bytecode::FunctionCode>> = compiler
        .funcs
        .into_iter()
        .map(|f| f.map(Rc::new))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| Abstention {
            reason: "internal: a function failed to compile".to_owned(),
            range: None,
        })?;
    Ok(Machine::new(source, module, funcs))
}

/// Why the engine does not run a file holding `node` at `depth`: a syntax
/// error (only looked for when the tree `has_error`), or nesting too deep.
fn syntax_abstention(node: Node, has_error: bool, depth: usize) -> Option<Abstention> {
    let reason = if has_error && (node.is_error() || node.is_missing()) {
        "the file has a syntax error"
    } else if depth > MAX_SYNTAX_DEPTH {
        "the code nests too deeply to model"
    } else {
        return None;
    };
    Some(Abstention {
        reason: reason.to_owned(),
        range: Some(node.byte_range()),
    })
}

/// Syntax errors and excessive nesting, found without recursion: one cursor
/// walk, which stops at the first node too deep (tree-sitter's cursor keeps
/// its path, so a step costs O(1) even in a 50,000-deep tree), and steps over
/// the subtrees that can hold neither.
fn check_tree(root: Node) -> Result<(), Abstention> {
    let has_error = root.has_error();
    let mut cursor = root.walk();
    let mut depth = 0usize;
    loop {
        let node = cursor.node();
        if let Some(abstention) = syntax_abstention(node, has_error, depth) {
            return Err(abstention);
        }
        // A subtree without an error whose nodes could not reach the limit
        // even as one chain has nothing to report: most of a file's, which
        // is then checked in time proportional to its few large nodes.
        let fits = depth + node.descendant_count() - 1 <= MAX_SYNTAX_DEPTH;
        if (node.has_error() || !fits) && cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return Ok(());
            }
            depth -= 1;
        }
    }
}
