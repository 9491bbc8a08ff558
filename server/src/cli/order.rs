//! `ticklens order FILE`: print the predicted stdout of `node FILE`.
//! A TypeScript file (`.ts .mts .cts`) is predicted with its types erased, as
//! Node 24 runs it; syntax Node refuses to strip is reported in Node's words.
//!
//! Exit status: 0 with the predicted lines on stdout; 3 when the engine abstains
//! or the file has a syntax error (nothing on stdout, the reason and its
//! `path:line:col` on stderr); 2 when the file cannot be read.
//!
//! A program that does I/O: the answer assumes each I/O call succeeds (said on
//! stderr). When I/O races something else, `--explain` prints the lines Node
//! prints first whatever the race does, then what waits (exit status 3 still).
//!
//! `--timeline` draws the same run as steps in lanes (`cli/timeline.rs`), or gives them as
//! JSON with `--format json` (`ide::timeline_json`); the exit status is the same.

use std::io::Write;
use std::ops::Range;
use std::path::Path;
use std::process::ExitCode;

use crate::driver::first_reason;
use crate::engine::{self, ModuleKind, OrderOutcome, PrintedLine};
use crate::line_index::{Encoding, LineIndex};
use crate::syntax::{self, SourceLanguage};

use super::check::read_source;

/// How `--timeline` is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TimelineFormat {
    // Lanes drawn as text.
    #[default]
    Text,
    // The versioned JSON shape (docs/timeline-json.md).
    Json,
}

pub fn run(
    path: &Path,
    module: Option<ModuleKind>,
    explain: bool,
    timeline: Option<TimelineFormat>,
) -> ExitCode {
    let source = match read_source(path) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("error: {}: {error:#}", path.display());
            return ExitCode::from(2);
        }
    };
    // TypeScript runs with its types erased, as Node 24 runs it.
    let language = SourceLanguage::of_path(path).unwrap_or_default();
    let budget = syntax::parse_budget(source.len());
    let Some(prepared) = syntax::prepare_within(&source, language, budget) else {
        let reason = format!("parsing took over {} s and was given up", budget.as_secs());
        return cannot_predict(path, &source, None, &reason);
    };
    // The same first syntax error, at the same place, as `check` and the editor report.
    if let Some(error) = first_reason(&source, &prepared) {
        return cannot_predict(path, &source, Some(error.range), &error.message);
    }
    let (text, tree) = (prepared.text(&source), &prepared.tree);
    let module = module.unwrap_or_else(|| engine::detect_module_kind(path, text, tree));
    if let Some(format) = timeline {
        return print_timeline(path, &source, text, tree, module, format);
    }
    let explained = engine::explain_order(text, tree, module);
    if !explained.assumptions.is_empty() {
        eprintln!(
            "ticklens: assuming these I/O calls succeed: {}",
            explained.assumptions.join(", ")
        );
    }
    match explained.outcome {
        OrderOutcome::Determined(lines) => {
            print_lines(&lines, explain);
            ExitCode::SUCCESS
        }
        OrderOutcome::Abstained(abstention) => {
            if explain && !explained.waiting.is_empty() {
                print_lines(&explained.determined, true);
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "then, in an order Node does not fix, after:");
                for waiting in &explained.waiting {
                    let _ = writeln!(out, "  {waiting}");
                }
            }
            cannot_predict(path, &source, abstention.range, &abstention.reason)
        }
    }
}

fn print_timeline(
    path: &Path,
    source: &str,
    text: &str,
    tree: &tree_sitter::Tree,
    module: ModuleKind,
    format: TimelineFormat,
) -> ExitCode {
    let timeline = engine::timeline(text, tree, module);
    if !timeline.assumptions.is_empty() {
        eprintln!(
            "ticklens: assuming these I/O calls succeed: {}",
            timeline.assumptions.join(", ")
        );
    }
    let drawn = match format {
        TimelineFormat::Text => {
            // The file's name alone keeps each `file:line` short in 80 columns.
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |name| name.to_string_lossy().into_owned(),
            );
            super::timeline::render_text(&timeline, text, &name)
        }
        TimelineFormat::Json => {
            let value = crate::ide::timeline_json(&timeline, text);
            format!(
                "{}\n",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            )
        }
    };
    let _ = std::io::stdout().lock().write_all(drawn.as_bytes());
    match timeline.stopped {
        None => ExitCode::SUCCESS,
        Some(stopped) => cannot_predict(path, source, stopped.range, &stopped.reason),
    }
}

fn print_lines(lines: &[PrintedLine], explain: bool) {
    let mut out = std::io::stdout().lock();
    for line in lines {
        let _ = if explain {
            writeln!(out, "{:<24} <- {}", line.text, line.cause)
        } else {
            writeln!(out, "{}", line.text)
        };
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
