//! The `ticklens.toml` that applies to each folder, loaded once per folder
//! and shared by the worker threads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Result;

use crate::config::Config;

#[derive(Default)]
pub struct ConfigCache {
    by_folder: Mutex<HashMap<PathBuf, Arc<Result<Config, String>>>>,
}

impl ConfigCache {
    pub fn for_file(&self, file: &Path) -> Result<Arc<Config>> {
        let folder = file.parent().unwrap_or(Path::new(".")).to_owned();
        let mut map = self.by_folder.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map
            .entry(folder.clone())
            .or_insert_with(|| {
                Arc::new(
                    Config::load_for(&folder)
                        .map(|(_, c)| c)
                        .map_err(|e| e.to_string()),
                )
            })
            .clone();
        match &*entry {
            Ok(config) => Ok(Arc::new(config.clone())),
            Err(error) => anyhow::bail!("{error}"),
        }
    }
}
