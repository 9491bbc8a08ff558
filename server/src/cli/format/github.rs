//! GitHub Actions workflow commands: `::warning file=..,line=..,col=..,title=..::message`.

use std::io::{self, Write};

use crate::findings::Severity;
use crate::line_index::LineIndex;

use super::one_based;
use crate::cli::report::{FileReport, Outcome};

pub fn write(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    for report in reports {
        // A path that could not be checked fails the run (exit 2): annotated as
        // an error on the file, so the pull request shows why.
        if let Outcome::Failed(reason) = &report.outcome {
            writeln!(
                out,
                "::error file={},title={}::{}",
                escape_property(&report.path.display().to_string()),
                escape_property("ticklens: not checked"),
                escape_data(&format!(
                    "{} was not checked: {reason}",
                    report.path.display()
                )),
            )?;
            continue;
        }
        let findings = report.findings();
        if findings.is_empty() {
            continue;
        }
        let index = LineIndex::new(&report.source);
        for finding in findings {
            let start = one_based(&report.source, &index, finding.range.start);
            let end = one_based(&report.source, &index, finding.range.end);
            let command = match finding.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Hint => "notice",
            };
            writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape_property(&report.path.display().to_string()),
                start.line,
                start.col,
                end.line,
                end.col,
                escape_property(&format!("ticklens({})", finding.rule)),
                escape_data(&finding.message),
            )?;
        }
    }
    Ok(())
}

/// Escaping rules of workflow commands for the message part.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping rules for property values, which also reserve `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_characters_are_escaped() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
