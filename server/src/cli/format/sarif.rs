//! SARIF 2.1.0 for code-scanning services; validated against the official
//! schema in the tests.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::findings::{Finding, Severity, SYNTAX_ERROR};
use crate::line_index::LineIndex;
use crate::rules::{self, docs_url};

use super::one_based;
use crate::cli::report::{FileReport, Outcome};

pub fn write(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    let rules: Vec<Value> = descriptors()
        .map(|(code, summary, severity, enabled)| {
            json!({
                "id": code,
                "shortDescription": { "text": summary },
                "helpUri": docs_url(code),
                // An opt-in rule: `enabled` false, with the level it reports at when on.
                "defaultConfiguration": { "enabled": enabled, "level": level(severity) },
            })
        })
        .collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for report in reports {
        let uri = report.path.display().to_string().replace('\\', "/");
        match &report.outcome {
            Outcome::Checked(findings) if !findings.is_empty() => {
                let index = LineIndex::new(&report.source);
                results.extend(findings.iter().map(|f| result(report, &index, &uri, f)));
            }
            Outcome::Failed(reason) | Outcome::Skipped(reason) => notifications.push(json!({
                "level": if matches!(report.outcome, Outcome::Failed(_)) { "error" } else { "note" },
                "message": { "text": format!("{uri}: {reason}") },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri } } }],
            })),
            Outcome::Checked(_) => {}
        }
    }
    // SARIF §3.20.14: false when the tool failed, which a notification of
    // level "error" (a path that could not be checked) says it did.
    let execution_successful = !notifications
        .iter()
        .any(|notification| notification["level"] == "error");
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "ticklens",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/ticklens/ticklens",
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": execution_successful,
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// The code, summary, default severity and whether it runs by default, of
/// everything a result can be: the rules, then the syntax error.
fn descriptors() -> impl Iterator<Item = (&'static str, &'static str, Severity, bool)> {
    rules::ALL
        .iter()
        .map(|rule| {
            let meta = rule.meta();
            (
                meta.code,
                meta.summary,
                meta.default_severity,
                meta.on_by_default,
            )
        })
        .chain([(
            SYNTAX_ERROR,
            "the file does not parse, so Node will not run it",
            Severity::Error,
            true,
        )])
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

fn region(report: &FileReport, index: &LineIndex, range: &std::ops::Range<usize>) -> Value {
    let start = one_based(&report.source, index, range.start);
    let end = one_based(&report.source, index, range.end);
    json!({
        "startLine": start.line,
        "startColumn": start.col,
        "endLine": end.line,
        "endColumn": end.col,
    })
}

fn result(report: &FileReport, index: &LineIndex, uri: &str, finding: &Finding) -> Value {
    let mut value = json!({
        "ruleId": finding.rule,
        "level": level(finding.severity),
        "message": { "text": finding.message },
        "locations": [{ "physicalLocation": {
            "artifactLocation": { "uri": uri },
            "region": region(report, index, &finding.range),
        }}],
    });
    // A finding whose code is not in the driver's list (the suppression
    // comments' `unknown-rule`) is named by its id alone.
    if let Some(rule_index) = descriptors().position(|(code, ..)| code == finding.rule) {
        value["ruleIndex"] = rule_index.into();
    }
    if !finding.fixes.is_empty() {
        value["fixes"] = finding
            .fixes
            .iter()
            .map(|fix| {
                json!({
                    "description": { "text": fix.title },
                    "artifactChanges": [{
                        "artifactLocation": { "uri": uri },
                        "replacements": fix.edits.iter().map(|edit| json!({
                            "deletedRegion": region(report, index, &edit.range),
                            "insertedContent": { "text": edit.text },
                        })).collect::<Vec<_>>(),
                    }],
                })
            })
            .collect();
    }
    value
}
