//! `ticklens order FILE`: print the predicted stdout of `node FILE`.
//!
//! Exit status: 0 with the predicted lines on stdout; 3 when the engine abstains
//! (nothing on stdout, the reason on stderr); 2 when the file cannot be read.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

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
            let location = abstention
                .range
                .filter(|range| !range.is_empty())
                .map(|range| {
                    let pos =
                        LineIndex::new(&source).position(&source, range.start, Encoding::Utf16);
                    format!("{}:{}:{}: ", path.display(), pos.line + 1, pos.col + 1)
                });
            eprintln!(
                "ticklens: cannot predict the order: {}{}",
                location.unwrap_or_default(),
                abstention.reason
            );
            ExitCode::from(3)
        }
    }
}
