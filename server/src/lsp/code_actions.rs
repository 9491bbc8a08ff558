//! Translates the core's fixes into LSP code actions.

use std::collections::HashMap;

use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, OneOf,
    OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use crate::analysis::fix_all::in_line_endings_of;
use crate::analysis::{Edit, Finding};
use crate::document::Document;
use crate::line_index::Encoding;

use super::convert;

/// The kind of the action that applies every safe fix in a document.
pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.ticklens")
}

/// A workspace edit for one document, pinned to the version it was computed for.
pub fn document_edit(
    uri: &Uri,
    doc: &Document,
    edits: &[Edit],
    encoding: Encoding,
) -> WorkspaceEdit {
    let edits = edits
        .iter()
        .map(|edit| {
            OneOf::Left(TextEdit {
                range: convert::range(doc, edit.range.clone(), encoding),
                new_text: edit.text.clone(),
            })
        })
        .collect();
    WorkspaceEdit {
        document_changes: Some(tower_lsp_server::ls_types::DocumentChanges::Edits(vec![
            TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(doc.version()),
                },
                edits,
            },
        ])),
        changes: None::<HashMap<Uri, Vec<TextEdit>>>,
        change_annotations: None,
    }
}

/// Quick-fixes for one finding: its fixes (the first preferred), then a
/// suppression comment for the line.
pub fn quick_fixes(
    uri: &Uri,
    doc: &Document,
    finding: &Finding,
    diagnostic: &Diagnostic,
    encoding: Encoding,
) -> Vec<CodeActionOrCommand> {
    let mut actions: Vec<CodeActionOrCommand> = finding
        .fixes
        .iter()
        .enumerate()
        .map(|(i, fix)| {
            let edits: Vec<Edit> = fix
                .edits
                .iter()
                .map(|edit| in_line_endings_of(doc.text(), edit))
                .collect();
            CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(document_edit(uri, doc, &edits, encoding)),
                is_preferred: Some(i == 0),
                ..CodeAction::default()
            })
        })
        .collect();
    // A comment naming no rule is fixed by editing it, not by another comment.
    if finding.rule == crate::analysis::UNKNOWN_RULE {
        return actions;
    }
    actions.push(CodeActionOrCommand::CodeAction(CodeAction {
        title: format!("Ignore {} on this line", finding.rule),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(document_edit(
            uri,
            doc,
            &[suppression_edit(doc.text(), finding)],
            encoding,
        )),
        is_preferred: Some(false),
        ..CodeAction::default()
    }));
    actions
}

/// Inserts `// ticklens-ignore-next-line <rule>` above the finding's line, indented like it.
fn suppression_edit(source: &str, finding: &Finding) -> Edit {
    let line_start = source[..finding.range.start]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    let indent: String = source[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let newline = if source.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    Edit {
        range: line_start..line_start,
        text: format!(
            "{indent}// ticklens-ignore-next-line {}{newline}",
            finding.rule
        ),
    }
}
