//! The `ticklens.toml` that applies to each folder, loaded once per folder
//! before any file is checked, and shared by the worker threads.
//!
//! A broken config stops the run: checking with settings the user did not
//! write would report findings they turned off, or miss ones they asked for.
//! Each broken file is reported once, however many files it governs.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Result;

use crate::config::{Config, ConfigError};

#[derive(Default)]
pub struct ConfigCache {
    by_folder: Mutex<HashMap<PathBuf, Result<Arc<Config>, String>>>,
}

impl ConfigCache {
    /// Loads the config of every folder holding one of `files`, or returns
    /// the errors of the broken config files, one per file.
    pub fn load(files: &[PathBuf]) -> Result<Self, Vec<ConfigError>> {
        let mut config_files: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
        for file in files {
            if let Entry::Vacant(slot) = config_files.entry(folder_of(file)) {
                let found = Config::find_file(slot.key());
                slot.insert(found);
            }
        }
        let mut loaded: BTreeMap<PathBuf, Result<Config, ConfigError>> = BTreeMap::new();
        for config_file in config_files.values().flatten() {
            loaded
                .entry(config_file.clone())
                .or_insert_with(|| Config::load(config_file, crate::driver::known_rules()));
        }
        let mut errors = Vec::new();
        let mut good = HashMap::new();
        for (path, config) in loaded {
            match config {
                Ok(config) => {
                    good.insert(path, config);
                }
                Err(error) => errors.push(error),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let by_folder = config_files
            .into_iter()
            .map(|(folder, config_file)| {
                let config = config_file
                    .and_then(|file| good.get(&file).cloned())
                    .unwrap_or_default()
                    .or_package_engines(|| engines_node(&folder));
                (folder, Ok(Arc::new(config)))
            })
            .collect();
        Ok(Self {
            by_folder: Mutex::new(by_folder),
        })
    }

    pub fn for_file(&self, file: &Path) -> Result<Arc<Config>> {
        let folder = folder_of(file);
        let mut map = self.by_folder.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.entry(folder).or_insert_with_key(|folder| {
            Config::load_for(folder, crate::driver::known_rules())
                .map(|(_, c)| Arc::new(c.or_package_engines(|| engines_node(folder))))
                .map_err(|e| e.to_string())
        });
        match entry {
            Ok(config) => Ok(Arc::clone(config)),
            Err(error) => anyhow::bail!("{error}"),
        }
    }
}

/// The `engines.node` range of the package `folder` lies in.
fn engines_node(folder: &Path) -> Option<String> {
    let absolute = std::path::absolute(folder).ok()?;
    crate::workspace::json::engines_node(&crate::workspace::DiskFs, &absolute)
}

/// The folder `file` lies in: `.` for a bare file name (whose parent is the
/// empty path, where no config would be found).
fn folder_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// Prints the errors of broken config files on stderr, once each, leading
/// with what they mean for the run.
pub fn report(errors: Vec<ConfigError>) {
    let base = std::env::current_dir().unwrap_or_default();
    for error in errors {
        let error = error.relative_to(&base);
        let path = error.path().display();
        match &error {
            ConfigError::Read { source, .. } => {
                eprintln!("error: nothing was checked: {path} cannot be read ({source})");
            }
            ConfigError::Invalid { problems, .. } => {
                let (count, them) = match problems.len() {
                    1 => ("a problem".to_owned(), "it"),
                    n => (format!("{n} problems"), "them"),
                };
                eprintln!(
                    "error: nothing was checked: {path} has {count}; fix {them} and run again"
                );
                for line in error.lines() {
                    eprintln!("  {line}");
                }
            }
        }
    }
}
