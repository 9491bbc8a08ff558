//! `--fix` and `--fix-dry-run`: the same safe fixes the editor's "fix all"
//! applies, written atomically or shown as a unified diff.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::config::Config;
use crate::driver::contain_panic;
use crate::ide::fix_all::apply_safe_fixes;
use crate::rules;
use crate::syntax::SourceLanguage;

use crate::cli::report::{FileReport, Outcome};

/// What `check` does with safe fixes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FixMode {
    #[default]
    Report,
    /// Write every safe fix into the files.
    Write,
    /// Print the safe fixes as a unified diff, change nothing.
    DryRun,
}

/// Applies the safe fixes of a checked file (written, or printed as a diff). After
/// writing, the fixed text is analysed again so that only what remains is reported.
pub fn fix_file(
    report: FileReport,
    config: &Config,
    mode: FixMode,
    language: SourceLanguage,
    reanalyse: impl Fn(&str) -> Outcome,
) -> FileReport {
    if !matches!(report.outcome, Outcome::Checked(ref findings) if !findings.is_empty()) {
        return report;
    }
    let (text, applied) =
        match contain_panic(|| apply_safe_fixes(&report.source, language, rules::ALL, config)) {
            Ok(result) => result,
            Err(panic) => {
                return FileReport {
                    outcome: Outcome::Failed(format!("fixing failed: {panic}")),
                    ..report
                }
            }
        };
    if applied == 0 {
        return report;
    }
    match mode {
        FixMode::DryRun => {
            let name = report.path.display().to_string();
            let diff = similar::TextDiff::from_lines(&report.source, &text)
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{name}"), &format!("b/{name}"))
                .to_string();
            FileReport {
                diff: Some(diff),
                ..report
            }
        }
        FixMode::Write => match write_atomically(&report.path, &text) {
            Ok(()) => {
                let outcome = reanalyse(&text);
                FileReport {
                    source: text,
                    outcome,
                    ..report
                }
            }
            Err(error) => FileReport {
                outcome: Outcome::Failed(format!("{error:#}")),
                ..report
            },
        },
        FixMode::Report => report,
    }
}

/// What a dry run that found no safe fix says, instead of an empty diff: that
/// `--fix` would change nothing, and where the other fixes are applied.
pub fn nothing_to_fix(reports: &[FileReport]) -> String {
    let others = reports
        .iter()
        .flat_map(|report| report.findings())
        .filter(|finding| !finding.fixes.is_empty())
        .count();
    let mut line = "no safe fixes: --fix would change no file \
                    (a dry run prints the changes --fix would make, as a diff)"
        .to_owned();
    if others > 0 {
        line.push_str(&format!(
            "; {others} {} a fix that changes behaviour or marks intent: apply {} by hand or in the editor",
            if others == 1 { "finding has" } else { "findings have" },
            if others == 1 { "it" } else { "them" }
        ));
    }
    line
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
