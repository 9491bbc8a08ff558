//! The result cache: findings keyed by a hash of the file's bytes, the rule
//! configuration and the ticklens version, in `.ticklens-cache/`.
//!
//! Entries are written to a temporary file and renamed into place, so concurrent
//! runs never see a half-written entry; two runs writing the same key write the
//! same bytes. A corrupt or unreadable entry is a miss.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::{Edit, Finding, Fix, FixSafety, Severity, SYNTAX_ERROR};
use crate::rules;

pub struct Cache {
    dir: PathBuf,
    /// Everything besides the file's bytes that decides the findings.
    salt: String,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    findings: Vec<CachedFinding>,
}

#[derive(Serialize, Deserialize)]
struct CachedFinding {
    rule: String,
    severity: Severity,
    message: String,
    start: usize,
    end: usize,
    fixes: Vec<CachedFix>,
}

#[derive(Serialize, Deserialize)]
struct CachedFix {
    title: String,
    safety: FixSafety,
    edits: Vec<(usize, usize, String)>,
}

impl Cache {
    /// `settings` describes the configuration the findings depend on.
    pub fn new(dir: PathBuf, settings: &str) -> Self {
        let rules: Vec<&str> = known_codes().collect();
        Self {
            dir,
            salt: format!(
                "{}\n{}\n{settings}",
                env!("CARGO_PKG_VERSION"),
                rules.join(",")
            ),
        }
    }

    pub fn key(&self, bytes: &[u8], config_fingerprint: &str) -> String {
        let mut hasher = blake3::Hasher::new();
        hasher.update(self.salt.as_bytes());
        hasher.update(config_fingerprint.as_bytes());
        hasher.update(&[0]);
        hasher.update(bytes);
        hasher.finalize().to_hex().to_string()
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(&key[..2]).join(format!("{key}.json"))
    }

    pub fn get(&self, key: &str) -> Option<Vec<Finding>> {
        let text = std::fs::read(self.path(key)).ok()?;
        let entry: Entry = serde_json::from_slice(&text).ok()?;
        entry.findings.into_iter().map(restore).collect()
    }

    /// Stores findings; failures only cost a future miss, so they are ignored.
    pub fn put(&self, key: &str, findings: &[Finding]) {
        let entry = Entry {
            findings: findings.iter().map(store).collect(),
        };
        let path = self.path(key);
        let Some(folder) = path.parent() else { return };
        let _ = write_atomically(folder, &path, &entry);
    }
}

fn write_atomically(folder: &Path, path: &Path, entry: &Entry) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    let mut temp = tempfile::NamedTempFile::new_in(folder)?;
    serde_json::to_writer(&mut temp, entry)?;
    temp.flush()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Every code a finding can carry: the rules' and the syntax error's. Part of
/// the key, so entries written before a code existed are never read as complete.
fn known_codes() -> impl Iterator<Item = &'static str> {
    rules::ALL
        .iter()
        .map(|r| r.meta().code)
        .chain([SYNTAX_ERROR])
}

fn store(finding: &Finding) -> CachedFinding {
    CachedFinding {
        rule: finding.rule.to_owned(),
        severity: finding.severity,
        message: finding.message.clone(),
        start: finding.range.start,
        end: finding.range.end,
        fixes: finding
            .fixes
            .iter()
            .map(|fix| CachedFix {
                title: fix.title.clone(),
                safety: fix.safety,
                edits: fix
                    .edits
                    .iter()
                    .map(|e| (e.range.start, e.range.end, e.text.clone()))
                    .collect(),
            })
            .collect(),
    }
}

/// A cached finding back as a `Finding`; `None` (a miss) when its rule is unknown.
fn restore(cached: CachedFinding) -> Option<Finding> {
    let rule = known_codes().find(|code| *code == cached.rule)?;
    Some(Finding {
        rule,
        severity: cached.severity,
        message: cached.message,
        range: cached.start..cached.end,
        fixes: cached
            .fixes
            .into_iter()
            .map(|fix| Fix {
                title: fix.title,
                safety: fix.safety,
                edits: fix
                    .edits
                    .into_iter()
                    .map(|(start, end, text)| Edit {
                        range: start..end,
                        text,
                    })
                    .collect(),
            })
            .collect(),
    })
}
