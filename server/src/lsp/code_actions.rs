//! Translates the core's quick-fixes and fix-all (`ide`) into LSP code actions.

use std::collections::HashMap;

use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, OneOf,
    OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use crate::document::Document;
use crate::findings::Edit;
use crate::ide;
use crate::line_index::Encoding;

use super::convert;

/// The kind of the action that applies every safe fix in a document.
pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.ticklens")
}

/// A workspace edit for one document, pinned to the version it was computed for.
fn document_edit(uri: &Uri, doc: &Document, edits: &[Edit], encoding: Encoding) -> WorkspaceEdit {
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

/// Whether the client asked for actions of `kind`: it named no kinds, or
/// `kind` or a parent of it (`source.fixAll` covers `source.fixAll.ticklens`).
pub fn wanted(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|o| {
            kind.as_str() == o.as_str() || kind.as_str().starts_with(&format!("{}.", o.as_str()))
        })
    })
}

/// A quick-fix, shown with the diagnostic of its finding.
pub fn quick_fix(
    uri: &Uri,
    doc: &Document,
    fix: ide::QuickFix,
    encoding: Encoding,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title: fix.title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![convert::diagnostic(doc, fix.finding, encoding)]),
        edit: Some(document_edit(uri, doc, &fix.edits, encoding)),
        is_preferred: Some(fix.preferred),
        ..CodeAction::default()
    })
}

/// The `source.fixAll.ticklens` action.
pub fn fix_all(
    uri: &Uri,
    doc: &Document,
    fix_all: ide::FixAll,
    encoding: Encoding,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title: fix_all.title,
        kind: Some(fix_all_kind()),
        edit: Some(document_edit(uri, doc, &fix_all.edits, encoding)),
        ..CodeAction::default()
    })
}
