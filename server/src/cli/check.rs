//! `ticklens check PATH...`: analyse files and folders, print findings.
//!
//! Exit status: 0 when clean, 1 when a finding has error severity, 2 when a path
//! could not be read or decoded (the other files are still checked and printed).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use crate::analysis::fix_all::apply_safe_fixes;
use crate::analysis::{analyze_guarded, Finding, Severity};
use crate::config::Config;
use crate::line_index::{Encoding, LineIndex};
use crate::rules;
use crate::syntax;

/// The extensions `check` looks at when walking folders.
pub const EXTENSIONS: &[&str] = &["js", "mjs", "cjs", "jsx"];

/// What checking one file gave.
pub struct FileReport {
    pub path: PathBuf,
    pub outcome: Result<Vec<Finding>>,
    source: String,
}

/// What `check` was asked to do besides reporting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FixMode {
    #[default]
    Report,
    /// Write every safe fix into the files.
    Write,
    /// Print the safe fixes as a unified diff, change nothing.
    DryRun,
}

pub fn run(paths: &[PathBuf], fix_mode: FixMode) -> ExitCode {
    let mut reports = Vec::new();
    let mut walk_errors = Vec::new();
    let mut configs = ConfigCache::default();
    for file in collect_files(paths, &mut walk_errors) {
        let report = match configs.for_file(&file) {
            Ok(config) => {
                let report = check_file(&file, &config);
                match fix_mode {
                    FixMode::Report => report,
                    FixMode::Write | FixMode::DryRun => fix_file(report, &config, fix_mode),
                }
            }
            Err(error) => FileReport {
                path: file,
                outcome: Err(anyhow::anyhow!("{error}")),
                source: String::new(),
            },
        };
        reports.push(report);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for message in &walk_errors {
        let _ = writeln!(err, "error: {message}");
    }
    let mut counts = [0usize; 4];
    let mut failed_files = walk_errors.len();
    for report in &reports {
        match &report.outcome {
            Ok(findings) => {
                let index = LineIndex::new(&report.source);
                for finding in findings {
                    counts[finding.severity as usize] += 1;
                    let _ = writeln!(
                        out,
                        "{}",
                        format_finding(&report.path, &report.source, &index, finding)
                    );
                }
            }
            Err(error) => {
                failed_files += 1;
                let _ = writeln!(err, "error: {}: {error:#}", report.path.display());
            }
        }
    }
    let _ = writeln!(
        out,
        "checked {} file{}: {} error{}, {} warning{}, {} info, {} hint{}{}",
        reports.len(),
        plural(reports.len()),
        counts[Severity::Error as usize],
        plural(counts[Severity::Error as usize]),
        counts[Severity::Warning as usize],
        plural(counts[Severity::Warning as usize]),
        counts[Severity::Info as usize],
        counts[Severity::Hint as usize],
        plural(counts[Severity::Hint as usize]),
        if failed_files > 0 {
            format!(
                "; {failed_files} path{} could not be checked",
                plural(failed_files)
            )
        } else {
            String::new()
        },
    );
    if failed_files > 0 {
        ExitCode::from(2)
    } else if counts[Severity::Error as usize] > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `path:line:col: severity[rule] message`, with 1-based line and column
/// (the column in UTF-16 code units, as ESLint and editors count).
pub fn format_finding(path: &Path, source: &str, index: &LineIndex, finding: &Finding) -> String {
    let pos = index.position(source, finding.range.start, Encoding::Utf16);
    format!(
        "{}:{}:{}: {}[{}] {}",
        path.display(),
        pos.line + 1,
        pos.col + 1,
        finding.severity.as_str(),
        finding.rule,
        finding.message
    )
}

/// The JavaScript files under `paths`, sorted, honouring `.gitignore` and `.ignore`.
/// A path named explicitly is checked whatever its extension or ignore rules.
pub fn collect_files(paths: &[PathBuf], errors: &mut Vec<String>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => files.push(path.clone()),
            Ok(_) => walk_folder(path, &mut files, errors),
            Err(error) => errors.push(format!("{}: {error}", path.display())),
        }
    }
    files.sort();
    files.dedup();
    files
}

fn walk_folder(root: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<String>) {
    // Honour ignore files even outside a git repository, as users expect from linters.
    for entry in ignore::WalkBuilder::new(root).require_git(false).build() {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                let is_js = entry
                    .path()
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| EXTENSIONS.contains(&e));
                if is_file && is_js {
                    files.push(entry.into_path());
                }
            }
            Err(error) => errors.push(error.to_string()),
        }
    }
}

/// The `ticklens.toml` that applies to each folder, loaded once per folder.
#[derive(Default)]
struct ConfigCache {
    by_folder: std::collections::HashMap<PathBuf, std::rc::Rc<Config>>,
}

impl ConfigCache {
    fn for_file(&mut self, file: &Path) -> Result<std::rc::Rc<Config>> {
        let folder = file.parent().unwrap_or(Path::new(".")).to_owned();
        if let Some(config) = self.by_folder.get(&folder) {
            return Ok(config.clone());
        }
        let (_, config) = Config::load_for(&folder)?;
        let config = std::rc::Rc::new(config);
        self.by_folder.insert(folder, config.clone());
        Ok(config)
    }
}

/// Reads, parses and analyses one file. Nothing here panics on bad input: an
/// unreadable or non-UTF-8 file, or a panic inside the analysis, becomes an error.
pub fn check_file(path: &Path, config: &Config) -> FileReport {
    let mut source = String::new();
    let outcome = read_source(path).and_then(|text| {
        source = text;
        let tree = syntax::parse(&source, None);
        Ok(analyze_guarded(&source, &tree, rules::ALL, config)?.findings)
    });
    FileReport {
        path: path.to_owned(),
        outcome,
        source,
    }
}

/// Applies the safe fixes of a checked file (written, or printed as a diff),
/// and re-checks the result so that only what remains is reported.
fn fix_file(report: FileReport, config: &Config, mode: FixMode) -> FileReport {
    if report.outcome.is_err() {
        return report;
    }
    let tree = syntax::parse(&report.source, None);
    let fixed = crate::analysis::contain_panic(|| {
        apply_safe_fixes(&report.source, &tree, rules::ALL, config)
    });
    let (text, applied) = match fixed {
        Ok(result) => result,
        Err(panic) => {
            return FileReport {
                outcome: Err(anyhow::anyhow!("fixing failed: {panic}")),
                ..report
            }
        }
    };
    if applied == 0 {
        return report;
    }
    match mode {
        FixMode::DryRun => {
            let diff = similar::TextDiff::from_lines(&report.source, &text);
            let name = report.path.display().to_string();
            print!(
                "{}",
                diff.unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{name}"), &format!("b/{name}"))
            );
            report
        }
        FixMode::Write => match write_atomically(&report.path, &text) {
            Ok(()) => check_file(&report.path, config),
            Err(error) => FileReport {
                outcome: Err(error),
                ..report
            },
        },
        FixMode::Report => report,
    }
}

/// Replaces `path`'s content without ever leaving it truncated: the new text is
/// written to a temporary file in the same folder, which is then renamed over it.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp =
        tempfile::NamedTempFile::new_in(folder).context("cannot create a temporary file")?;
    temp.write_all(text.as_bytes())
        .context("cannot write the fixed text")?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = temp.as_file().set_permissions(meta.permissions());
    }
    temp.persist(path).context("cannot replace the file")?;
    Ok(())
}

/// The file's text; a file that is not UTF-8 is an error naming the first bad byte.
pub fn read_source(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).context("cannot read file")?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            bail!("not valid UTF-8 (first invalid byte at offset {at})")
        }
    }
}
