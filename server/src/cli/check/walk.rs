//! Which files `check` looks at: the given paths, walked with `.gitignore` and
//! `.ignore` rules, `--include`/`--exclude` globs and `ticklens.toml`'s `ignore`.

use std::path::{Path, PathBuf};

use ignore::overrides::{Override, OverrideBuilder};
use ignore::WalkBuilder;

/// The extensions `check` looks at when walking folders.
pub const EXTENSIONS: &[&str] = &["js", "mjs", "cjs", "jsx"];

/// Glob filters from the command line and the config file.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// The files to check, sorted and without duplicates, and the problems met on the way.
/// A file named explicitly is checked whatever its extension or ignore rules.
pub fn collect_files(paths: &[PathBuf], filters: &Filters) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => files.push(path.clone()),
            Ok(_) => match overrides(path, filters) {
                Ok(overrides) => walk_folder(path, overrides, &mut files, &mut errors),
                Err(error) => errors.push(format!("bad glob: {error}")),
            },
            Err(error) => errors.push(format!("{}: {error}", path.display())),
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

/// `--include` globs whitelist, `--exclude` globs (and config ignores) blacklist.
fn overrides(root: &Path, filters: &Filters) -> Result<Override, ignore::Error> {
    let mut builder = OverrideBuilder::new(root);
    for glob in &filters.include {
        builder.add(glob)?;
    }
    for glob in &filters.exclude {
        builder.add(&format!("!{glob}"))?;
    }
    builder.build()
}

fn walk_folder(
    root: &Path,
    overrides: Override,
    files: &mut Vec<PathBuf>,
    errors: &mut Vec<String>,
) {
    // Honour ignore files even outside a git repository, as users expect from linters.
    let walker = WalkBuilder::new(root)
        .require_git(false)
        .follow_links(false)
        .overrides(overrides)
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file && has_js_extension(entry.path()) {
                    files.push(entry.into_path());
                }
            }
            Err(error) => errors.push(error.to_string()),
        }
    }
}

pub fn has_js_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
}
