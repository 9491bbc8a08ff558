//! Which module system Node 24 uses for a file: `.mjs` and `.mts` are ES modules,
//! `.cjs` and `.cts` CommonJS; for other extensions the `"type"` of the package scope (the nearest
//! `package.json`, not past `node_modules`) decides; without one, Node 24
//! detects ES-module syntax (`import`/`export` statements, top-level `await`).

use std::path::Path;

use tree_sitter::Tree;

use super::fs::FileSystem;
use super::json::package_scope;
use crate::syntax::await_lookup::has_module_syntax;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModuleKind {
    CommonJs,
    EsModule,
}

/// Node 24's choice for the file at the absolute `path`, parsed as `tree`.
/// A `package.json` that does not parse says nothing here (Node throws when it
/// loads the file; the syntax decides what we show meanwhile).
pub fn module_kind(path: &Path, tree: &Tree, fs: &impl FileSystem) -> ModuleKind {
    module_kind_from(path, || has_module_syntax(tree), fs)
}

/// Like [`module_kind`], with whether the file uses ES-module syntax asked of
/// `module_syntax` (only when its path and package leave it open).
pub fn module_kind_from(
    path: &Path,
    module_syntax: impl FnOnce() -> bool,
    fs: &impl FileSystem,
) -> ModuleKind {
    match path.extension().and_then(|e| e.to_str()) {
        Some("mjs" | "mts") => return ModuleKind::EsModule,
        Some("cjs" | "cts") => return ModuleKind::CommonJs,
        _ => {}
    }
    let scope = path
        .parent()
        .and_then(|dir| package_scope(fs, dir))
        .and_then(Result::ok);
    match scope.as_ref().and_then(|package| package.str_field("type")) {
        Some("module") => ModuleKind::EsModule,
        Some("commonjs") => ModuleKind::CommonJs,
        _ if module_syntax() => ModuleKind::EsModule,
        _ => ModuleKind::CommonJs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;
    use crate::workspace::MemoryFs;

    fn kind(fs: &MemoryFs, path: &str, source: &str) -> ModuleKind {
        module_kind(Path::new(path), &syntax::parse(source, None), fs)
    }

    #[test]
    fn the_package_scope_type_decides_for_js_files() {
        let fs = MemoryFs::with(&[
            ("/p/package.json", r#"{"type":"module"}"#),
            ("/p/node_modules/dep/package.json", r#"{"name":"dep"}"#),
            ("/p/node_modules/loose.js", ""),
            ("/q/package.json", "{}"),
        ]);
        let cases = [
            ("/p/src/a.js", "x", ModuleKind::EsModule),
            ("/p/src/a.cjs", "x", ModuleKind::CommonJs),
            // The dependency's own manifest is its scope, with no type: syntax decides.
            ("/p/node_modules/dep/i.js", "x", ModuleKind::CommonJs),
            // A scope search stops at `node_modules`: the root's type does not reach here.
            ("/p/node_modules/loose.js", "x", ModuleKind::CommonJs),
            // Without a type, the syntax decides; `.mjs` is always a module.
            ("/q/a.js", "export const x = 1;", ModuleKind::EsModule),
            ("/q/a.js", "module.exports = 1;", ModuleKind::CommonJs),
            ("/q/a.mjs", "module.exports = 1;", ModuleKind::EsModule),
        ];
        for (path, source, expected) in cases {
            assert_eq!(kind(&fs, path, source), expected, "{path}: {source}");
        }
    }
}
