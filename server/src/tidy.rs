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

/// The one file that may write out the node kinds that start a function.
const FUNCTION_KINDS_HOME: &str = "syntax/js.rs";

/// Files that still write out their own list of function node kinds, each
/// left to the helper who owns it to replace with `syntax::js`; the list only
/// shrinks.
const FUNCTION_KIND_LISTS_TO_CLEAN: &[&str] = &[
    "analysis/hover.rs",
    "engine/compile.rs",
    "rules/return_without_await_in_try.rs",
];

/// The string literals of `text` (`//` comments skipped) grouped into runs
/// that nothing but whitespace, `|`, `,`, `&`, `[` and `]` separate: the
/// shape of a slice of kinds, a `matches!` pattern or a match arm.
fn literal_runs(text: &str) -> Vec<Vec<(usize, &str)>> {
    let bytes = text.as_bytes();
    let mut runs = vec![Vec::new()];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                let mut end = start;
                while end < bytes.len() && bytes[end] != b'"' {
                    end += if bytes[end] == b'\\' { 2 } else { 1 };
                }
                let end = end.min(bytes.len());
                let line = text[..i].matches('\n').count() + 1;
                runs.last_mut()
                    .expect("one run")
                    .push((line, &text[start..end]));
                i = end + 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b' ' | b'\t' | b'\r' | b'\n' | b'|' | b',' | b'&' | b'[' | b']' => i += 1,
            _ => {
                if !runs.last().expect("one run").is_empty() {
                    runs.push(Vec::new());
                }
                i += 1;
            }
        }
    }
    runs
}

/// The lines of `text` where a list of function node kinds starts: a run of
/// kind literals naming arrow functions together with function declarations
/// or methods.
fn function_kind_lists(text: &str) -> Vec<usize> {
    let arrow = "arrow_function";
    let others = ["function_declaration", "method_definition"];
    literal_runs(text)
        .into_iter()
        .filter(|run| {
            run.iter().any(|&(_, kind)| kind == arrow)
                && run.iter().any(|(_, kind)| others.contains(kind))
        })
        .map(|run| run[0].0)
        .collect()
}

#[test]
fn function_node_kinds_are_listed_only_in_syntax_js() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    let mut clean = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src");
        let relative = relative.to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&file).expect("read source");
        let lines = function_kind_lists(&text);
        if relative == FUNCTION_KINDS_HOME {
            assert!(!lines.is_empty(), "{relative} no longer lists the kinds");
        } else if FUNCTION_KIND_LISTS_TO_CLEAN.contains(&relative.as_str()) {
            if lines.is_empty() {
                clean.push(relative);
            }
        } else {
            found.extend(lines.into_iter().map(|line| format!("{relative}:{line}")));
        }
    }
    assert!(
        found.is_empty(),
        "function node kinds written out outside {FUNCTION_KINDS_HOME} (ask `syntax::js` \
         instead: FUNCTION_KINDS, is_function, ...): {found:?}"
    );
    assert!(
        clean.is_empty(),
        "these files list no function kinds any more: remove them from \
         FUNCTION_KIND_LISTS_TO_CLEAN: {clean:?}"
    );
}

#[test]
fn a_list_of_function_kinds_is_found_in_any_of_its_shapes() {
    let arrow = "arrow_function";
    let declaration = "function_declaration";
    let method = "method_definition";
    let slice = format!("const K: &[&str] = &[\n    \"{declaration}\",\n    \"{arrow}\",\n];");
    let pattern = format!("matches!(k, \"{arrow}\" | \"{method}\")");
    let arm =
        format!("match k {{\n  \"x\" => 1,\n  \"{method}\"\n  // why\n  | \"{arrow}\" => 2,\n}}");
    assert_eq!(function_kind_lists(&slice), [2]);
    assert_eq!(function_kind_lists(&pattern), [1]);
    assert_eq!(function_kind_lists(&arm), [3]);
    // One kind alone, or kinds apart, is a question about one kind, not a list.
    let apart = format!("if k == \"{arrow}\" {{ f(\"{declaration}\") }}");
    assert!(function_kind_lists(&apart).is_empty());
    let commented = format!("// \"{arrow}\" | \"{method}\"\nlet x = 1;");
    assert!(function_kind_lists(&commented).is_empty());
}
