//! `ticklens order FILE`: print the predicted stdout of `node FILE`.
//!
//! Exit status: 0 with the predicted lines on stdout; 3 when the engine abstains
//! or the file has a syntax error (nothing on stdout, the reason and its
//! `path:line:col` on stderr); 2 when the file cannot be read.

use std::io::Write;
use std::ops::Range;
use std::path::Path;
use std::process::ExitCode;

use crate::driver::syntax_error;
use crate::engine::{self, ModuleKind, OrderOutcome};
use crate::line_index::{Encoding, LineIndex};
use crate::syntax;

use super::check::read_source;

pub fn run(path: &Path, module: Option<ModuleKind>, explain: bool) -> ExitCode {
    let source = match read_source(path) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("error: {}: {error:#}", path.display());
            return ExitCode::from(2);
        }
    };
    let tree = syntax::parse(&source, None);
    // The same first syntax error, at the same place, as `check` and the editor report.
    if let Some(error) = syntax_error(&source, &tree) {
        return cannot_predict(path, &source, Some(error.range), &error.message);
    }
    let module = module.unwrap_or_else(|| engine::detect_module_kind(path, &source, &tree));
    match engine::predict_order(&source, &tree, module) {
        OrderOutcome::Determined(lines) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            for line in lines {
                let _ = if explain {
                    writeln!(out, "{:<24} <- {}", line.text, line.cause)
                } else {
                    writeln!(out, "{}", line.text)
                };
            }
            ExitCode::SUCCESS
        }
        OrderOutcome::Abstained(abstention) => {
            cannot_predict(path, &source, abstention.range, &abstention.reason)
        }
    }
}

/// Exit status 3, with the reason on stderr after `path:line:col` (the start of
/// `range`, also when it is empty: a missing token has a place but no text).
fn cannot_predict(
    path: &Path,
    source: &str,
    range: Option<Range<usize>>,
    reason: &str,
) -> ExitCode {
    let location = range.map(|range| {
        let pos = LineIndex::new(source).position(source, range.start, Encoding::Utf16);
        format!("{}:{}:{}: ", path.display(), pos.line + 1, pos.col + 1)
    });
    eprintln!(
        "ticklens: cannot predict the order: {}{reason}",
        location.unwrap_or_default()
    );
    ExitCode::from(3)
}
