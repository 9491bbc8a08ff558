//! The TypeScript tier: another tier's program with types written into it, run by Node 24 as a
//! `.cts`/`.mts` file (type stripping) and by `ticklens order` with its types erased.
//!
//! The types change nothing Node runs: parameters, returns, locals and class fields get
//! annotations (async functions return `Promise<any>`), some awaited operands an `as` cast, some
//! member reads a non-null `!`, and every program starts with an interface, a type alias and a
//! generic helper that some `console.log` arguments pass through (`tsLabel<any>(x)` returns `x`).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tree_sitter::Node;

use super::{generate, Program, Tier};

/// The tiers whose programs get types (I/O races are left to their own tier).
const BASES: [Tier; 10] = [
    Tier::One,
    Tier::Two,
    Tier::Three,
    Tier::Globals,
    Tier::Classes,
    Tier::Control,
    Tier::Generators,
    Tier::AsyncGenerators,
    Tier::Builtins,
    Tier::NodeModules,
];

/// What every typed program declares before its own code.
const PRELUDE: &str = "interface Labelled { label: string; done?: boolean }\n\
type Maybe<T> = T | undefined;\n\
function tsLabel<T>(value: T): T { return value; }\n";

/// The typed program for `seed`: the program of the base tier `seed` picks, with types.
pub fn generate_typed(seed: u64) -> Program {
    let base = BASES[(seed % BASES.len() as u64) as usize];
    let program = generate(base, seed / BASES.len() as u64 + 1);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7459_7065);
    Program {
        tier: Tier::TypeScript,
        seed,
        source: with_types(&program.source, &mut rng),
        ..program
    }
}

/// `source` with types written in (see the module's comment).
pub fn with_types(source: &str, rng: &mut ChaCha8Rng) -> String {
    let tree = ticklens::syntax::parse(source, None);
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        annotate(node, source, rng, &mut inserts);
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    // The prelude goes after a directive prologue, which must stay first.
    let prologue = ["\"use strict\";", "'use strict';"]
        .iter()
        .find(|directive| source.starts_with(**directive))
        .map_or(0, |directive| directive.len());
    inserts.insert(0, (prologue, format!("\n{PRELUDE}")));
    // At one offset, what closes an inner node (made later: the walk goes outside in) comes
    // before what closes an outer one, and every closing before any opening.
    let mut ordered: Vec<(usize, bool, isize, String)> = inserts
        .into_iter()
        .enumerate()
        .map(|(i, (at, text))| {
            let opens = text.ends_with('(');
            let seq = if opens { i as isize } else { -(i as isize) };
            (at, opens, seq, text)
        })
        .collect();
    ordered.sort_by_key(|(at, opens, seq, _)| (*at, *opens, *seq));
    let inserts: Vec<(usize, String)> = ordered
        .into_iter()
        .map(|(at, _, _, text)| (at, text))
        .collect();
    let mut out = String::with_capacity(source.len() * 2);
    let mut copied = 0;
    for (at, text) in inserts {
        out.push_str(&source[copied..at]);
        out.push_str(&text);
        copied = at;
    }
    out.push_str(&source[copied..]);
    out
}

fn annotate(node: Node, source: &str, rng: &mut ChaCha8Rng, inserts: &mut Vec<(usize, String)>) {
    let mut insert = |at: usize, text: &str| inserts.push((at, text.to_owned()));
    match node.kind() {
        "function_declaration"
        | "function_expression"
        | "generator_function_declaration"
        | "generator_function"
        | "method_definition"
        | "arrow_function" => {
            if in_ternary(node) {
                return;
            }
            let Some(parameters) = node.child_by_field_name("parameters") else {
                // `x => …`: one bare parameter.
                if let Some(parameter) = node.child_by_field_name("parameter") {
                    insert(parameter.start_byte(), "(");
                    insert(
                        parameter.end_byte(),
                        &format!(": any){}", return_type(node, source)),
                    );
                }
                return;
            };
            let mut cursor = parameters.walk();
            for parameter in parameters.named_children(&mut cursor) {
                match parameter.kind() {
                    "identifier" | "object_pattern" | "array_pattern" => {
                        insert(parameter.end_byte(), ": any")
                    }
                    "assignment_pattern" => {
                        if let Some(left) = parameter.child_by_field_name("left") {
                            insert(left.end_byte(), ": any");
                        }
                    }
                    "rest_pattern" => insert(parameter.end_byte(), ": any[]"),
                    _ => {}
                }
            }
            let name = node
                .child_by_field_name("name")
                .map_or("", |name| &source[name.byte_range()]);
            let accessor = (0..node.child_count())
                .filter_map(|i| node.child(i))
                .any(|child| matches!(child.kind(), "get" | "set"));
            if node.kind() == "method_definition" && (name == "constructor" || accessor) {
                return;
            }
            insert(parameters.end_byte(), &return_type(node, source));
        }
        "variable_declarator" => {
            let Some(name) = node.child_by_field_name("name") else {
                return;
            };
            let in_loop_head = node
                .parent()
                .and_then(|declaration| declaration.parent())
                .is_some_and(|parent| parent.kind() == "for_in_statement");
            if name.kind() == "identifier"
                && !in_loop_head
                && node.child_by_field_name("value").is_some()
            {
                insert(name.end_byte(), ": any");
            }
        }
        "field_definition" => {
            if let Some(property) = node.child_by_field_name("property") {
                if node.child_by_field_name("value").is_some() {
                    insert(property.end_byte(), ": any");
                }
            }
        }
        "await_expression" => {
            if let Some(operand) = node.named_child(0) {
                if rng.random_bool(0.5) {
                    insert(operand.start_byte(), "(");
                    insert(operand.end_byte(), " as any)");
                }
            }
        }
        "member_expression" => {
            let Some(object) = node.child_by_field_name("object") else {
                return;
            };
            let dotted = (0..node.child_count())
                .filter_map(|i| node.child(i))
                .any(|child| child.kind() == ".");
            if object.kind() == "identifier" && dotted && rng.random_bool(0.3) {
                insert(object.end_byte(), "!");
            }
        }
        "call_expression" => {
            let Some(callee) = node.child_by_field_name("function") else {
                return;
            };
            let Some(first) = node
                .child_by_field_name("arguments")
                .and_then(|arguments| arguments.named_child(0))
            else {
                return;
            };
            if &source[callee.byte_range()] == "console.log"
                && first.kind() != "spread_element"
                && rng.random_bool(0.3)
            {
                insert(first.start_byte(), "tsLabel<any>(");
                insert(first.end_byte(), ")");
            }
        }
        _ => {}
    }
}

/// The return type a function gets: `Promise<any>` when it is async, else `any`.
fn return_type(function: Node, source: &str) -> String {
    let text = &source[function.byte_range()];
    let generator = function.kind().starts_with("generator")
        || (0..function.child_count())
            .filter_map(|i| function.child(i))
            .any(|child| child.kind() == "*");
    let is_async = text.starts_with("async")
        || (0..function.child_count())
            .filter_map(|i| function.child(i))
            .any(|child| child.kind() == "async");
    match (is_async, generator) {
        (true, false) => ": Promise<any>".to_owned(),
        _ => ": any".to_owned(),
    }
}

/// Arrows inside `a ? b : c` keep no annotations: `a ? (x): T => y : z` reads two ways.
fn in_ternary(node: Node) -> bool {
    let mut current = node.parent();
    while let Some(parent) = current {
        if parent.kind() == "ternary_expression" {
            return true;
        }
        if parent.kind().contains("statement") {
            return false;
        }
        current = parent.parent();
    }
    false
}
