//! Conversions between LSP positions and the core's byte offsets, and between
//! the core's answers (findings, `ide` hovers, hints and lenses) and LSP
//! types. With `code_actions.rs`, the only place that knows both sides.

use std::ops::Range;

use tower_lsp_server::ls_types::{
    self as lsp, Diagnostic, DiagnosticSeverity, NumberOrString, Position,
};

use crate::document::{Document, TextChange};
use crate::findings::{Finding, Severity};
use crate::ide;
use crate::line_index::{Encoding, LineCol};
use crate::rules;

use super::markup;

pub fn line_col(position: Position) -> LineCol {
    LineCol {
        line: position.line,
        col: position.character,
    }
}

pub fn text_change(change: lsp::TextDocumentContentChangeEvent) -> TextChange {
    TextChange {
        range: change
            .range
            .map(|range| (line_col(range.start), line_col(range.end))),
        text: change.text,
    }
}

/// The byte offset of a position; `None` when the line does not exist.
pub fn offset(doc: &Document, position: Position, encoding: Encoding) -> Option<usize> {
    doc.offset(line_col(position), encoding)
}

pub fn position(doc: &Document, offset: usize, encoding: Encoding) -> Position {
    let pos = doc.position(offset, encoding);
    Position::new(pos.line, pos.col)
}

pub fn range(doc: &Document, range: Range<usize>, encoding: Encoding) -> lsp::Range {
    lsp::Range::new(
        position(doc, range.start, encoding),
        position(doc, range.end, encoding),
    )
}

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// The notice shown while a document's analysis is incomplete: its time budget
/// ran out with `skipped` top-level units still to examine.
pub fn partial_notice(skipped: usize) -> Diagnostic {
    notice(
        "analysis-partial",
        format!(
            "ticklens has not examined {skipped} top-level part(s) of this file yet \
             (the analysis continues in the background); findings there are missing"
        ),
    )
}

/// A diagnostic about the file's diagnostics themselves (not a finding): at
/// the file's start, informational, under a code no rule owns.
pub fn notice(code: &str, message: String) -> Diagnostic {
    Diagnostic {
        range: lsp::Range::default(),
        severity: Some(DiagnosticSeverity::INFORMATION),
        code: Some(NumberOrString::String(code.to_owned())),
        source: Some("ticklens".to_owned()),
        message,
        ..Diagnostic::default()
    }
}

pub fn diagnostic(doc: &Document, finding: &Finding, encoding: Encoding) -> Diagnostic {
    Diagnostic {
        range: range(doc, finding.range.clone(), encoding),
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.rule.to_owned())),
        code_description: rules::docs_url(finding.rule)
            .parse::<lsp::Uri>()
            .ok()
            .map(|href| lsp::CodeDescription { href }),
        source: Some("ticklens".to_owned()),
        message: finding.message.clone(),
        ..Diagnostic::default()
    }
}

pub fn hover(
    doc: &Document,
    hover: ide::HoverResult,
    encoding: Encoding,
    format: markup::Format,
) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(markup::content(hover.markdown, format)),
        range: Some(range(doc, hover.range, encoding)),
    }
}

/// An inlay hint; its tooltip is Markdown where the client reads Markdown
/// hovers, else plain text.
pub fn inlay_hint(
    doc: &Document,
    hint: ide::InlayHint,
    encoding: Encoding,
    format: markup::Format,
) -> lsp::InlayHint {
    let tooltip = match format {
        markup::Format::Markdown => {
            lsp::InlayHintTooltip::MarkupContent(markup::content(hint.tooltip, format))
        }
        markup::Format::PlainText => {
            lsp::InlayHintTooltip::String(markup::plain_text(&hint.tooltip))
        }
    };
    lsp::InlayHint {
        position: position(doc, hint.target.end, encoding),
        label: lsp::InlayHintLabel::String(hint.label),
        kind: None,
        text_edits: None,
        tooltip: Some(tooltip),
        padding_left: Some(true),
        padding_right: None,
        data: None,
    }
}

/// A lens at the start of its target whose command shows the predicted order
/// of the document at `uri`.
pub fn code_lens(
    doc: &Document,
    uri: &lsp::Uri,
    lens: ide::CodeLens,
    encoding: Encoding,
) -> lsp::CodeLens {
    let at = position(doc, lens.target.start, encoding);
    lsp::CodeLens {
        range: lsp::Range::new(at, at),
        command: Some(lsp::Command {
            title: lens.title,
            command: "ticklens.showOrder".to_owned(),
            arguments: Some(vec![serde_json::json!(uri.as_str())]),
        }),
        data: None,
    }
}
