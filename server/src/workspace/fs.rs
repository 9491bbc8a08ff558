//! The files the resolver sees: the real disk, or an in-memory map (tests, and
//! later the editor's open buffers, which win over the disk copy).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What resolution asks of a file system. Paths are absolute and lexically
/// normalised by the caller.
pub trait FileSystem {
    /// The text of the file at `path`, if it is a readable file.
    fn read(&self, path: &Path) -> Option<String>;
    fn is_file(&self, path: &Path) -> bool;
    fn is_dir(&self, path: &Path) -> bool;
}

/// The real disk.
#[derive(Clone, Copy, Debug, Default)]
pub struct DiskFs;

impl FileSystem for DiskFs {
    fn read(&self, path: &Path) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
}

/// Files held in memory; a folder exists when some file lies under it.
#[derive(Clone, Debug, Default)]
pub struct MemoryFs {
    files: BTreeMap<PathBuf, String>,
}

impl MemoryFs {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the file at `path` with `text`.
    pub fn insert(&mut self, path: impl Into<PathBuf>, text: impl Into<String>) {
        self.files.insert(path.into(), text.into());
    }

    /// A map built from `(path, text)` pairs.
    pub fn with(files: &[(&str, &str)]) -> Self {
        let mut fs = Self::new();
        for (path, text) in files {
            fs.insert(*path, *text);
        }
        fs
    }
}

impl FileSystem for MemoryFs {
    fn read(&self, path: &Path) -> Option<String> {
        self.files.get(path).cloned()
    }

    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        // The first key at or after `path` that lies under it, if any.
        self.files
            .range(path.to_path_buf()..)
            .next()
            .is_some_and(|(file, _)| file != path && file.starts_with(path))
    }
}

/// `base` joined with the `/`-separated `relative`, with `.` and `..` folded
/// lexically, as Node's `path.resolve` and URL resolution do.
pub fn join(base: &Path, relative: &str) -> PathBuf {
    let mut out = if relative.starts_with('/') {
        PathBuf::from("/")
    } else {
        base.to_path_buf()
    };
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            part => out.push(part),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_folders_exist_exactly_above_their_files() {
        let fs = MemoryFs::with(&[("/p/a/b.js", ""), ("/p/ab.js", "")]);
        assert!(fs.is_dir(Path::new("/p/a")));
        assert!(fs.is_dir(Path::new("/p")));
        assert!(!fs.is_dir(Path::new("/p/a/b.js")));
        assert!(!fs.is_dir(Path::new("/q")));
        assert!(fs.is_file(Path::new("/p/ab.js")));
        assert!(!fs.is_file(Path::new("/p/a")));
    }

    #[test]
    fn join_folds_dots_lexically() {
        assert_eq!(join(Path::new("/a/b"), "../c/./d"), Path::new("/a/c/d"));
        assert_eq!(join(Path::new("/a/b"), "/x/y"), Path::new("/x/y"));
        assert_eq!(join(Path::new("/a"), "b/"), Path::new("/a/b"));
    }
}
