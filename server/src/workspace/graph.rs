//! The workspace import graph: for a set of files, what each one's specifiers
//! resolve to, and the reverse map, so that "file X changed" gives the files
//! whose summaries must be recomputed (X and its importers, transitively;
//! a cycle is visited once).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use super::fs::FileSystem;
use super::imports::{imports, ImportSite};
use super::resolve::{resolve_source, Resolution};
use crate::syntax;

/// One specifier of a file and what it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    pub site: ImportSite,
    pub resolution: Resolution,
}

/// Files, their dependencies, and who imports whom.
#[derive(Clone, Debug, Default)]
pub struct ImportGraph {
    dependencies: BTreeMap<PathBuf, Vec<Dependency>>,
    importers: BTreeMap<PathBuf, BTreeSet<PathBuf>>,
}

impl ImportGraph {
    /// The graph of `files` (absolute paths), read through `fs`.
    pub fn build(files: &[PathBuf], fs: &impl FileSystem) -> Self {
        let mut graph = Self::default();
        for file in files {
            graph.update(file, fs);
        }
        graph
    }

    /// Re-reads `file` (absolute) and replaces its edges; a file `fs` no longer
    /// has leaves the graph (its importers keep their edges to it).
    pub fn update(&mut self, file: &Path, fs: &impl FileSystem) {
        for old in self.dependencies.remove(file).unwrap_or_default() {
            if let Resolution::File(target) = old.resolution {
                if let Some(set) = self.importers.get_mut(&target) {
                    set.remove(file);
                }
            }
        }
        let Some(source) = fs.read(file) else {
            return;
        };
        let tree = syntax::parse(&source, None);
        let dependencies: Vec<Dependency> = imports(&source, &tree)
            .into_iter()
            .map(|site| Dependency {
                resolution: resolve_source(&site.specifier, file, site.kind, fs),
                site,
            })
            .collect();
        for dependency in &dependencies {
            if let Resolution::File(target) = &dependency.resolution {
                self.importers
                    .entry(target.clone())
                    .or_default()
                    .insert(file.to_path_buf());
            }
        }
        self.dependencies.insert(file.to_path_buf(), dependencies);
    }

    /// What `file`'s specifiers resolve to, in source order.
    pub fn dependencies(&self, file: &Path) -> &[Dependency] {
        self.dependencies.get(file).map_or(&[], Vec::as_slice)
    }

    /// The files that import `file` directly.
    pub fn importers(&self, file: &Path) -> impl Iterator<Item = &Path> {
        self.importers
            .get(file)
            .into_iter()
            .flatten()
            .map(PathBuf::as_path)
    }

    /// `file` and every file importing it, directly or not, nearest first.
    pub fn affected_by(&self, file: &Path) -> Vec<PathBuf> {
        let mut seen = BTreeSet::from([file.to_path_buf()]);
        let mut order = vec![file.to_path_buf()];
        let mut queue = VecDeque::from([file.to_path_buf()]);
        while let Some(next) = queue.pop_front() {
            for importer in self.importers(&next) {
                if seen.insert(importer.to_path_buf()) {
                    order.push(importer.to_path_buf());
                    queue.push_back(importer.to_path_buf());
                }
            }
        }
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::MemoryFs;

    fn paths(list: &[&str]) -> Vec<PathBuf> {
        list.iter().map(PathBuf::from).collect()
    }

    fn layout() -> MemoryFs {
        MemoryFs::with(&[
            ("/w/a.js", "const b = require('./b');"),
            (
                "/w/b.js",
                "const c = require('./c.js'); require('node:fs');",
            ),
            ("/w/c.js", "require('./a'); require('./gone');"),
            (
                "/w/d.mjs",
                "import { x } from './c.js'; export * from 'pkg';",
            ),
        ])
    }

    #[test]
    fn a_change_reaches_importers_transitively_through_a_cycle() {
        let fs = layout();
        let graph = ImportGraph::build(&paths(&["/w/a.js", "/w/b.js", "/w/c.js", "/w/d.mjs"]), &fs);
        assert_eq!(
            graph.affected_by(Path::new("/w/c.js")),
            paths(&["/w/c.js", "/w/b.js", "/w/d.mjs", "/w/a.js"])
        );
        assert_eq!(
            graph.affected_by(Path::new("/w/d.mjs")),
            paths(&["/w/d.mjs"])
        );
    }

    #[test]
    fn dependencies_keep_builtins_and_unresolved_specifiers() {
        let graph = ImportGraph::build(&paths(&["/w/b.js", "/w/c.js"]), &layout());
        let b: Vec<_> = graph
            .dependencies(Path::new("/w/b.js"))
            .iter()
            .map(|d| d.resolution.clone())
            .collect();
        assert_eq!(
            b,
            [
                Resolution::File("/w/c.js".into()),
                Resolution::Builtin("fs".into())
            ]
        );
        let c = graph.dependencies(Path::new("/w/c.js"));
        assert!(matches!(c[1].resolution, Resolution::Unresolved { .. }));
    }

    #[test]
    fn an_update_replaces_the_edges_of_the_changed_file() {
        let mut fs = layout();
        let mut graph = ImportGraph::build(&paths(&["/w/a.js", "/w/b.js"]), &fs);
        assert_eq!(graph.affected_by(Path::new("/w/b.js")).len(), 2);
        fs.insert("/w/a.js", "// no imports now");
        graph.update(Path::new("/w/a.js"), &fs);
        assert_eq!(graph.affected_by(Path::new("/w/b.js")), paths(&["/w/b.js"]));
    }
}
