//! `path:line:col: severity[rule] message`, one line per finding.

use std::io::{self, Write};

use crate::engine::OrderOutcome;
use crate::line_index::LineIndex;

use super::one_based;
use crate::cli::report::{FileReport, Outcome};

pub fn write(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    for report in reports {
        let path = report.path.display();
        if let Outcome::Skipped(reason) = &report.outcome {
            writeln!(out, "{path}: skipped: {reason}")?;
        }
        let findings = report.findings();
        if !findings.is_empty() {
            let index = LineIndex::new(&report.source);
            for finding in findings {
                let at = one_based(&report.source, &index, finding.range.start);
                writeln!(
                    out,
                    "{path}:{}:{}: {}[{}] {}",
                    at.line,
                    at.col,
                    finding.severity.as_str(),
                    finding.rule,
                    finding.message
                )?;
            }
        }
        match &report.order {
            Some(OrderOutcome::Determined(lines)) if lines.is_empty() => {
                writeln!(out, "{path}: order: node prints nothing")?;
            }
            Some(OrderOutcome::Determined(lines)) => {
                let lines: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
                writeln!(out, "{path}: order: {}", lines.join(" | "))?;
            }
            Some(OrderOutcome::Abstained(abstention)) => {
                writeln!(out, "{path}: order: cannot tell: {}", abstention.reason)?;
            }
            None => {}
        }
    }
    Ok(())
}
