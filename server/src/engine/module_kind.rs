//! Which module system Node 24 uses for a file.

use std::path::Path;

use tree_sitter::Tree;

pub use crate::workspace::ModuleKind;

/// Node 24's choice for `path` (see `workspace::module_kind`), read from disk.
pub fn detect_module_kind(path: &Path, _source: &str, tree: &Tree) -> ModuleKind {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    crate::workspace::module_kind(&absolute, tree, &crate::workspace::DiskFs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn kind(name: &str, source: &str) -> ModuleKind {
        let tree = syntax::parse(source, None);
        // A path under a fresh temp folder, so no package.json of ours interferes.
        let dir = std::env::temp_dir().join(format!("ticklens-kind-{}", std::process::id()));
        detect_module_kind(&dir.join(name), source, &tree)
    }

    #[test]
    fn extensions_decide_first() {
        assert_eq!(kind("a.mjs", "console.log(1)"), ModuleKind::EsModule);
        assert_eq!(kind("a.cjs", "import x from 'y';"), ModuleKind::CommonJs);
    }

    #[test]
    fn syntax_detection_for_plain_js() {
        assert_eq!(kind("a.js", "console.log(1)"), ModuleKind::CommonJs);
        assert_eq!(
            kind("a.js", "import fs from 'node:fs';"),
            ModuleKind::EsModule
        );
        assert_eq!(kind("a.js", "export const x = 1;"), ModuleKind::EsModule);
        assert_eq!(
            kind("a.js", "await Promise.resolve();"),
            ModuleKind::EsModule
        );
        assert_eq!(
            kind("a.js", "async function f() { await g(); }"),
            ModuleKind::CommonJs
        );
    }

    #[test]
    fn await_of_a_parenthesized_operand_is_a_call_in_a_plain_js_file() {
        // Node 24 runs both as CommonJS: `await` is a name there.
        for source in ["await (Promise.resolve(1));", "await (Promise).resolve(1);"] {
            assert_eq!(kind("a.js", source), ModuleKind::CommonJs, "{source}");
        }
        assert_eq!(kind("a.js", "await (x)\nawait y;"), ModuleKind::EsModule);
    }

    #[test]
    fn package_json_type_applies_to_js_files() {
        let dir = std::env::temp_dir().join(format!("ticklens-pkg-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("package.json"), r#"{"type":"module"}"#).unwrap();
        let tree = syntax::parse("console.log(1)", None);
        assert_eq!(
            detect_module_kind(&dir.join("src/a.js"), "console.log(1)", &tree),
            ModuleKind::EsModule
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
