//! Where a name binding is in scope, for [`super::PromiseDeclarations`].

use tree_sitter::Node;

use crate::syntax::js::is_function;

pub(super) use crate::analysis::dataflow::for_in_declaration_kind as declaration_keyword;

/// The node whose extent is the scope of `binding` (a node the file's walk
/// recorded as binding a name): a function's parameters and a named function
/// or class expression's name live in that function; a `let`/`const`/class in
/// its block; a `var` and a function declaration in the enclosing function
/// (taken whole for a function declared in a block, as sloppy mode hoists
/// it); imports in the program.
pub(super) fn scope_of<'t>(binding: Node<'t>) -> Node<'t> {
    let enclosing_function_or_program = |node: Node<'t>| -> Node<'t> {
        let mut current = node.parent();
        while let Some(n) = current {
            if is_function(n) || n.parent().is_none() {
                return n;
            }
            current = n.parent();
        }
        node
    };
    match binding.kind() {
        "formal_parameters" => binding.parent().unwrap_or(binding),
        "catch_clause"
        | "arrow_function"
        | "function_expression"
        | "generator_function"
        | "class" => binding,
        "function_declaration" | "generator_function_declaration" => {
            enclosing_function_or_program(binding)
        }
        "variable_declarator" => match binding.parent() {
            Some(declaration) if declaration.kind() == "lexical_declaration" => {
                declaration.parent().unwrap_or(declaration)
            }
            _ => enclosing_function_or_program(binding),
        },
        "class_declaration" => binding.parent().unwrap_or(binding),
        "for_in_statement" => {
            let is_var = declaration_keyword(binding) == Some("var");
            match is_var {
                true => enclosing_function_or_program(binding),
                false => binding,
            }
        }
        // Imports: the program.
        _ => {
            let mut root = binding;
            while let Some(parent) = root.parent() {
                root = parent;
            }
            root
        }
    }
}
