//! What `check` found in each file: the report the checking fills in and
//! every output format reads. Its own module, so that `check` and the
//! formats both import it and neither imports the other's insides.

use std::path::PathBuf;

use crate::engine::OrderOutcome;
use crate::findings::Finding;

/// What checking one file gave.
pub struct FileReport {
    pub path: PathBuf,
    pub source: String,
    pub outcome: Outcome,
    /// The predicted output, with `--order`.
    pub order: Option<OrderOutcome>,
    /// The safe fixes as a unified diff, with `--fix-dry-run`.
    pub diff: Option<String>,
}

pub enum Outcome {
    Checked(Vec<Finding>),
    /// Not analysed, on purpose (too large, minified); the reason says why.
    Skipped(String),
    /// Could not be read, decoded or analysed.
    Failed(String),
}

impl FileReport {
    pub(crate) fn failed(path: PathBuf, reason: String) -> Self {
        Self {
            path,
            source: String::new(),
            outcome: Outcome::Failed(reason),
            order: None,
            diff: None,
        }
    }

    pub fn findings(&self) -> &[Finding] {
        match &self.outcome {
            Outcome::Checked(findings) => findings,
            _ => &[],
        }
    }
}
