//! Keeps the layering honest: the analysis core must not know the protocol,
//! the async runtime or the server's document map.

use std::path::Path;

const CORE: &[&str] = &[
    "line_index.rs",
    "config",
    "suggest.rs",
    "document.rs",
    "syntax",
    "analysis",
    "rules",
    "engine",
    "ide",
];

const FORBIDDEN: &[&str] = &["tower_lsp", "lsp_types", "tokio", "dashmap"];

fn rust_files(path: &Path, out: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("read source folder") {
            rust_files(&entry.expect("entry").path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_owned());
    }
}

#[test]
fn the_core_imports_no_protocol_runtime_or_server_state() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for part in CORE {
        rust_files(&src.join(part), &mut files);
    }
    assert!(
        files.len() >= CORE.len(),
        "core files not found under {}",
        src.display()
    );
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read source");
        for word in FORBIDDEN {
            assert!(
                !text.contains(word),
                "{} mentions `{word}`: the core must stay protocol-free",
                file.display()
            );
        }
    }
}
