//! Code frames in the style of rustc and Biome, rendered by codespan-reporting.

use std::io::{self, Write};

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};

use crate::engine::OrderOutcome;
use crate::findings::{FixSafety, Severity};
use crate::rules::docs_url;

use crate::cli::report::{FileReport, Outcome};

pub fn write(out: &mut dyn Write, color: bool, reports: &[FileReport]) -> io::Result<()> {
    let config = term::Config::default();
    for report in reports {
        let name = report.path.display().to_string();
        if let Outcome::Skipped(reason) = &report.outcome {
            writeln!(out, "note: skipped {name}: {reason}")?;
        }
        let file = SimpleFile::new(name.as_str(), report.source.as_str());
        for finding in report.findings() {
            let mut diagnostic = match finding.severity {
                Severity::Error => Diagnostic::error(),
                Severity::Warning => Diagnostic::warning(),
                Severity::Info => Diagnostic::note(),
                Severity::Hint => Diagnostic::help(),
            }
            .with_message(&finding.message)
            .with_code(finding.rule)
            .with_labels(vec![Label::primary((), finding.range.clone())]);
            let mut notes = Vec::new();
            if let Some(fix) = finding.fixes.first() {
                let safety = match fix.safety {
                    FixSafety::Safe => "safe fix, applied by --fix",
                    FixSafety::ChangesBehaviour => {
                        "changes behaviour, apply by hand or in the editor"
                    }
                    FixSafety::MarksIntent => "marks the code as intended, apply in the editor",
                };
                notes.push(format!("fix: {} ({safety})", fix.title));
            }
            notes.push(format!("docs: {}", docs_url(finding.rule)));
            diagnostic = diagnostic.with_notes(notes);
            let mut buffer = if color {
                termcolor::Buffer::ansi()
            } else {
                termcolor::Buffer::no_color()
            };
            term::emit(&mut buffer, &config, &file, &diagnostic).map_err(io::Error::other)?;
            out.write_all(&with_our_severity_word(buffer.as_slice(), finding.severity))?;
        }
        match &report.order {
            Some(OrderOutcome::Determined(lines)) if lines.is_empty() => {
                writeln!(out, "info: {name}: node prints nothing")?;
            }
            Some(OrderOutcome::Determined(lines)) => {
                writeln!(out, "info: {name}: node prints, in this order:")?;
                for line in lines {
                    writeln!(out, "  {}", line.text)?;
                }
            }
            Some(OrderOutcome::Abstained(abstention)) => {
                writeln!(
                    out,
                    "info: {name}: the order cannot be predicted: {}",
                    abstention.reason
                )?;
            }
            None => {}
        }
    }
    Ok(())
}

/// The frame with its header saying `hint[..]` and `info[..]`, the words of the
/// summary, the other formats and `ticklens.toml`, where codespan-reporting
/// only knows `help[..]` and `note[..]`.
fn with_our_severity_word(rendered: &[u8], severity: Severity) -> Vec<u8> {
    let theirs: &[u8] = match severity {
        Severity::Hint => b"help[",
        Severity::Info => b"note[",
        Severity::Error | Severity::Warning => return rendered.to_vec(),
    };
    let header_end = memchr::memchr(b'\n', rendered).unwrap_or(rendered.len());
    let Some(at) = memchr::memmem::find(&rendered[..header_end], theirs) else {
        return rendered.to_vec();
    };
    let mut ours = Vec::with_capacity(rendered.len());
    ours.extend_from_slice(&rendered[..at]);
    ours.extend_from_slice(severity.as_str().as_bytes());
    ours.extend_from_slice(&rendered[at + theirs.len() - 1..]);
    ours
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_use_the_severity_words_of_the_summary() {
        let frame = b"help[sequential-awaits]: x\n  = note[y]\n";
        assert_eq!(
            with_our_severity_word(frame, Severity::Hint),
            b"hint[sequential-awaits]: x\n  = note[y]\n"
        );
        let coloured = b"\x1b[1mnote[a]\x1b[0m: x\n";
        assert_eq!(
            with_our_severity_word(coloured, Severity::Info),
            b"\x1b[1minfo[a]\x1b[0m: x\n"
        );
    }
}
