//! The JSON report: one document, schema documented in `docs/check-json.md`.
//! Version 1; fields are only ever added.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::engine::OrderOutcome;
use crate::findings::Finding;
use crate::line_index::LineIndex;
use crate::rules::docs_url;

use super::{one_based, Summary};
use crate::cli::report::{FileReport, Outcome};

pub const SCHEMA_VERSION: u32 = 1;

pub fn write(out: &mut dyn Write, reports: &[FileReport], summary: &Summary) -> io::Result<()> {
    let files: Vec<Value> = reports.iter().map(file).collect();
    let document = json!({
        "version": SCHEMA_VERSION,
        "tool": { "name": "ticklens", "version": env!("CARGO_PKG_VERSION") },
        "files": files,
        "summary": {
            "files": summary.files,
            "skipped": summary.skipped,
            "failed": summary.failed,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "infos": summary.infos,
            "hints": summary.hints,
            "elapsedMs": summary.elapsed.as_millis() as u64,
        },
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn file(report: &FileReport) -> Value {
    let index = LineIndex::new(&report.source);
    let (status, reason) = match &report.outcome {
        Outcome::Checked(_) => ("checked", None),
        Outcome::Skipped(reason) => ("skipped", Some(reason.as_str())),
        Outcome::Failed(reason) => ("failed", Some(reason.as_str())),
    };
    let mut value = json!({
        "path": report.path.display().to_string(),
        "status": status,
        "findings": report.findings().iter().map(|f| finding(report, &index, f)).collect::<Vec<_>>(),
    });
    if let Some(reason) = reason {
        value["reason"] = json!(reason);
    }
    match &report.order {
        Some(OrderOutcome::Determined(lines)) => {
            value["order"] = json!({
                "lines": lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
                "causes": lines.iter().map(|l| l.cause.as_str()).collect::<Vec<_>>(),
            });
        }
        Some(OrderOutcome::Abstained(abstention)) => {
            value["order"] = json!({ "abstained": abstention.reason });
        }
        None => {}
    }
    value
}

fn range(report: &FileReport, index: &LineIndex, range: &std::ops::Range<usize>) -> Value {
    let start = one_based(&report.source, index, range.start);
    let end = one_based(&report.source, index, range.end);
    json!({
        "start": { "line": start.line, "column": start.col, "offset": range.start },
        "end": { "line": end.line, "column": end.col, "offset": range.end },
    })
}

fn finding(report: &FileReport, index: &LineIndex, finding: &Finding) -> Value {
    json!({
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "docs": docs_url(finding.rule),
        "range": range(report, index, &finding.range),
        "fixes": finding.fixes.iter().map(|fix| json!({
            "title": fix.title,
            "safety": fix.safety,
            "edits": fix.edits.iter().map(|edit| json!({
                "range": range(report, index, &edit.range),
                "text": edit.text,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
