//! The result cache, in `.ticklens-cache/`: findings keyed by a hash of the
//! file's bytes, the rule configuration, what its imports bind and the
//! ticklens version; and what a file's text alone decides, keyed by its
//! bytes and the version: the names its imports bind, and its export summary
//! (so a warm run parses neither the file nor the files it imports).
//!
//! The folder stays in the project, where ESLint users keep `.eslintcache`,
//! and ignores itself: it holds a `.gitignore` of `*` (as Ruff's `.ruff_cache`
//! and pytest's `.pytest_cache` do), so `git status` stays clean without a
//! line in the user's own `.gitignore`, and a `CACHEDIR.TAG` for backup tools.
//!
//! Entries are written to a temporary file and renamed into place, so concurrent
//! runs never see a half-written entry; two runs writing the same key write the
//! same bytes. A corrupt or unreadable entry is a miss.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::analysis::modules::ImportedNames;
use crate::findings::{Edit, Finding, Fix, FixSafety, Severity, SYNTAX_ERROR, UNKNOWN_RULE};
use crate::rules;

/// The cache folder's name when `--cache-dir` is not given.
pub const DEFAULT_DIR: &str = ".ticklens-cache";

/// Tells git to ignore everything in the folder, this file included.
const GITIGNORE: &str = "# Written by ticklens: its result cache is not part of the project.\n*\n";

/// <https://bford.info/cachedir/>: backup and archive tools skip the folder.
const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
    # This file is a cache directory tag created by ticklens.\n\
    # For information about cache directory tags see https://bford.info/cachedir/\n";

pub struct Cache {
    dir: PathBuf,
    /// Everything besides the file's bytes that decides the findings.
    salt: String,
    /// Whether the folder exists with its marker files; set by the first write.
    ready: OnceLock<bool>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    findings: Vec<CachedFinding>,
}

/// What stands under a key instead of an [`Entry`] when the analysis it
/// names was not enough (see [`Cache::mark_needs_imports`]); neither reads
/// as the other.
#[derive(Serialize, Deserialize)]
struct NeedsImports {
    needs_imports: bool,
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
            ready: OnceLock::new(),
        }
    }

    /// Creates the folder with its `.gitignore` and `CACHEDIR.TAG`. The markers
    /// go only into a folder this run creates or one with the default name: a
    /// `--cache-dir` pointing at an existing folder of the user's must not
    /// start hiding that folder from git.
    fn prepare(&self) -> bool {
        let ours =
            !self.dir.exists() || self.dir.file_name() == Some(std::ffi::OsStr::new(DEFAULT_DIR));
        if std::fs::create_dir_all(&self.dir).is_err() {
            return false;
        }
        if ours {
            for (name, text) in [(".gitignore", GITIGNORE), ("CACHEDIR.TAG", CACHEDIR_TAG)] {
                let path = self.dir.join(name);
                if !path.exists() {
                    let _ = std::fs::write(path, text);
                }
            }
        }
        true
    }

    /// The key of a file's findings: its bytes, the configuration, and what
    /// its imports bind (an imported file's edit that changes no export's
    /// summary keeps the entry).
    pub fn key(&self, bytes: &[u8], config_fingerprint: &str, imports: &ImportedNames) -> String {
        let mut names: Vec<_> = imports.names.iter().collect();
        names.sort_by(|a, b| a.0.cmp(b.0));
        let mut hasher = blake3::Hasher::new();
        hasher.update(self.salt.as_bytes());
        hasher.update(config_fingerprint.as_bytes());
        hasher.update(&[0]);
        for (local, imported) in names {
            hasher.update(local.as_bytes());
            hasher.update(&[0]);
            hasher.update(imported.specifier.as_bytes());
            hasher.update(&[0]);
            hasher.update(&serde_json::to_vec(&imported.value).unwrap_or_default());
            hasher.update(&[0]);
        }
        // The declared types the rules read: type stripping blanks them, so
        // the (erased) bytes below do not show them.
        hasher.update(&[2]);
        hasher.update(imports.declared.rules_fingerprint().as_bytes());
        hasher.update(&[1]);
        hasher.update(bytes);
        hasher.finalize().to_hex().to_string()
    }

    /// The key of what a file's text alone decides (`what`: its imports'
    /// bindings, its export summary).
    pub fn text_key(&self, what: &str, bytes: &[u8]) -> String {
        let mut hasher = blake3::Hasher::new();
        hasher.update(self.salt.as_bytes());
        hasher.update(what.as_bytes());
        hasher.update(&[0]);
        hasher.update(bytes);
        hasher.finalize().to_hex().to_string()
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(&key[..2]).join(format!("{key}.json"))
    }

    pub fn get(&self, key: &str) -> Option<Vec<Finding>> {
        let entry: Entry = self.read(key)?;
        entry.findings.into_iter().map(restore).collect()
    }

    /// Stores findings; failures only cost a future miss, so they are ignored.
    pub fn put(&self, key: &str, findings: &[Finding]) {
        let entry = Entry {
            findings: findings.iter().map(store).collect(),
        };
        self.write(key, &entry);
    }

    /// Notes under `key` that the analysis it names (a file analysed without
    /// other files' summaries and declarations first) read a fact those may
    /// decide: the file's findings are under the key with its imports.
    pub fn mark_needs_imports(&self, key: &str) {
        self.write(
            key,
            &NeedsImports {
                needs_imports: true,
            },
        );
    }

    /// Whether [`Self::mark_needs_imports`] marked `key`.
    pub fn needs_imports(&self, key: &str) -> bool {
        self.read::<NeedsImports>(key)
            .is_some_and(|marked| marked.needs_imports)
    }

    /// The entry under `key`; `None` when missing or unreadable.
    pub fn read<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let text = std::fs::read(self.path(key)).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Stores `entry` under `key`; a failure only costs a future miss.
    pub fn write<T: Serialize>(&self, key: &str, entry: &T) {
        if !*self.ready.get_or_init(|| self.prepare()) {
            return;
        }
        let path = self.path(key);
        let Some(folder) = path.parent() else { return };
        let _ = write_atomically(folder, &path, entry);
    }
}

fn write_atomically(folder: &Path, path: &Path, entry: &impl Serialize) -> std::io::Result<()> {
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
        .chain([SYNTAX_ERROR, UNKNOWN_RULE])
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

/// A cached finding back as a `Finding`; `None` (a miss) when its code is unknown.
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
