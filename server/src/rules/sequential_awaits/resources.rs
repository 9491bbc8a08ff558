//! Awaits that may work on the same thing outside the program: commands
//! passing a file along, the same path, the same resource named by the same
//! literal. The later may read what the earlier made.

use tree_sitter::Node;

use crate::syntax::js::{is_constant_template, named_children_but_comments, unwrap_parens};

use super::{AwaitStatement, RuleContext};

/// The arguments of the awaited call, comments left out.
fn call_arguments<'t>(item: &AwaitStatement<'t>) -> Vec<Node<'t>> {
    item.awaited
        .operand
        .map(unwrap_parens)
        .and_then(|call| call.child_by_field_id(crate::field!("arguments")))
        .filter(|arguments| arguments.kind() == "arguments")
        .map(named_children_but_comments)
        .unwrap_or_default()
}

/// Whether two awaits may work on the same thing outside the program, so
/// that the later may read what the earlier made: both run a command (`await
/// exec('tsc'); await exec('mv x.js y.js')`, the second may read the first's
/// output file), both are given the same path (`await writeFile(p, d); await
/// rename(p, q)`), or both call the same function on a resource named by the
/// same literal (`await recreate('pg', 1); await recreate('pg', 2)`).
pub(super) fn same_external_resource(
    ctx: &RuleContext,
    earlier: &AwaitStatement,
    item: &AwaitStatement,
) -> bool {
    let (Some(earlier_callee), Some(item_callee)) =
        (earlier.callee_text(ctx), item.callee_text(ctx))
    else {
        return false;
    };
    if runs_command(earlier_callee) && runs_command(item_callee) {
        return true;
    }
    let earlier_arguments = call_arguments(earlier);
    let item_arguments = call_arguments(item);
    let same_path = earlier_arguments.iter().any(|a| {
        names_path(ctx, *a) && item_arguments.iter().any(|b| ctx.text(*a) == ctx.text(*b))
    });
    let same_literal_first = match (earlier_arguments.first(), item_arguments.first()) {
        (Some(a), Some(b)) => {
            earlier_callee == item_callee && is_literal(*a) && ctx.text(*a) == ctx.text(*b)
        }
        _ => false,
    };
    same_path || same_literal_first
}

/// A command runner: `exec`, `execa`, `spawn`, `run`, zx's `$`, through an
/// object or not (`cp.exec`).
fn runs_command(callee: &str) -> bool {
    const RUNNERS: &[&str] = &[
        "exec",
        "execa",
        "execaCommand",
        "execFile",
        "execAsync",
        "execFileAsync",
        "execCommand",
        "spawn",
        "spawnAsync",
        "run",
        "runCommand",
        "$",
        "sh",
        "shell",
    ];
    let name = callee.rsplit('.').next().unwrap_or(callee);
    RUNNERS.contains(&name)
}

/// A string (without substitutions) or number literal.
fn is_literal(node: Node) -> bool {
    match node.kind() {
        "string" | "number" => true,
        "template_string" => is_constant_template(node),
        _ => false,
    }
}

/// Whether an argument names a file or folder: a literal that reads like a
/// path (`'out.json'`, `'dist/'`), or a name or property whose last word is
/// one of a path (`tmp`, `filePath`, `this.outDir`).
fn names_path(ctx: &RuleContext, node: Node) -> bool {
    const PATH_WORDS: &[&str] = &[
        "path",
        "file",
        "filename",
        "filepath",
        "dir",
        "dirname",
        "directory",
        "folder",
        "dest",
        "tmp",
        "temp",
        "tmpfile",
        "tempfile",
        "out",
        "outfile",
        "outdir",
        "output",
    ];
    let text = ctx.text(node);
    if is_literal(node) && node.kind() != "number" {
        let inner = text.trim_matches(|c| c == '\'' || c == '"' || c == '`');
        let extension = inner.rsplit_once('.').is_some_and(|(stem, ext)| {
            !stem.is_empty()
                && (1..=5).contains(&ext.len())
                && ext.chars().all(|c| c.is_ascii_alphanumeric())
        });
        return !inner.contains(char::is_whitespace) && (inner.contains('/') || extension);
    }
    let name = match node.kind() {
        "identifier" => text,
        "member_expression" => node
            .child_by_field_id(crate::field!("property"))
            .map_or("", |p| ctx.text(p)),
        _ => return false,
    };
    super::ends_in_one_of(name, PATH_WORDS)
}
