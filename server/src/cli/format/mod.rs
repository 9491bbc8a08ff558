//! Output formats of `check`: one module per format, all reading the same reports.

mod compact;
mod github;
mod human;
mod json;
mod sarif;

use std::io::{self, Write};
use std::time::Duration;

use clap::ValueEnum;

use crate::findings::Severity;
use crate::line_index::{Encoding, LineCol, LineIndex};

use super::report::{FileReport, Outcome};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Code frames with the offending line and a caret (the default).
    #[default]
    Human,
    /// One stable JSON document (see docs/check-json.md).
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// One line per finding: `path:line:col: severity[rule] message`.
    Compact,
}

/// Totals over a run.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub files: usize,
    pub skipped: usize,
    pub failed: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub hints: usize,
    pub elapsed: Duration,
}

impl Summary {
    pub fn new(reports: &[FileReport], walk_errors: usize, elapsed: Duration) -> Self {
        let mut summary = Summary {
            elapsed,
            failed: walk_errors,
            ..Summary::default()
        };
        for report in reports {
            match &report.outcome {
                Outcome::Checked(findings) => {
                    summary.files += 1;
                    for finding in findings {
                        match finding.severity {
                            Severity::Error => summary.errors += 1,
                            Severity::Warning => summary.warnings += 1,
                            Severity::Info => summary.infos += 1,
                            Severity::Hint => summary.hints += 1,
                        }
                    }
                }
                Outcome::Skipped(_) => summary.skipped += 1,
                Outcome::Failed(_) => summary.failed += 1,
            }
        }
        summary
    }

    /// `checked 12 files in 35ms: 1 error, 3 warnings, 0 infos, 2 hints; 1 skipped`
    pub fn line(&self) -> String {
        let mut line = format!(
            "checked {} {} in {}ms: {}, {}, {}, {}",
            self.files,
            plural(self.files, "file"),
            self.elapsed.as_millis(),
            count(self.errors, "error"),
            count(self.warnings, "warning"),
            count(self.infos, "info"),
            count(self.hints, "hint"),
        );
        if self.skipped > 0 {
            line.push_str(&format!("; {} skipped", self.skipped));
        }
        if self.failed > 0 {
            line.push_str(&format!(
                "; {} could not be checked",
                count(self.failed, "path")
            ));
        }
        line
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

fn count(n: usize, word: &str) -> String {
    format!("{n} {}", plural(n, word))
}

/// Writes the reports in `format`. Machine formats keep stdout pure; their
/// summary goes to stderr.
pub fn write(
    out: &mut dyn Write,
    format: Format,
    color: bool,
    reports: &[FileReport],
    summary: &Summary,
) -> io::Result<()> {
    match format {
        Format::Human => {
            human::write(out, color, reports)?;
            writeln!(out, "{}", summary.line())
        }
        Format::Compact => {
            compact::write(out, reports)?;
            writeln!(out, "{}", summary.line())
        }
        Format::Json => {
            json::write(out, reports, summary)?;
            eprintln!("{}", summary.line());
            Ok(())
        }
        Format::Sarif => {
            sarif::write(out, reports)?;
            eprintln!("{}", summary.line());
            Ok(())
        }
        Format::Github => {
            github::write(out, reports)?;
            eprintln!("{}", summary.line());
            Ok(())
        }
    }
}

/// 1-based line and column of a byte offset; columns count UTF-16 units, as
/// editors and ESLint do.
pub(crate) fn one_based(source: &str, index: &LineIndex, offset: usize) -> LineCol {
    let pos = index.position(source, offset, Encoding::Utf16);
    LineCol {
        line: pos.line + 1,
        col: pos.col + 1,
    }
}
