//! Keeps the layering honest: the analysis core must not know the protocol,
//! the async runtime or the server's document map.

use std::path::Path;

mod test_targets;
mod versions;

const CORE: &[&str] = &[
    "findings.rs",
    "line_index.rs",
    "config",
    "suggest.rs",
    "document.rs",
    "syntax",
    "analysis",
    "rules",
    "driver",
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

/// The one file that may write out the node kinds that start a function.
const FUNCTION_KINDS_HOME: &str = "syntax/js/mod.rs";

/// Files that still write out their own list of function node kinds, each
/// left to the helper who owns it to replace with `syntax::js`; the list only
/// shrinks.
const FUNCTION_KIND_LISTS_TO_CLEAN: &[&str] = &[];

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

/// The protocol crates: only `server/src/lsp` may name them (the crate was
/// `tower_lsp`, now `tower_lsp_server`; its types `lsp_types`, now `ls_types`).
const PROTOCOL: &[&str] = &["tower_lsp", "tower_lsp_server", "lsp_types", "ls_types"];

/// The modules of `server/src` from the bottom up (docs/ARCHITECTURE.md,
/// "Layers"): a module's code may name only modules of a lower layer, so that
/// no two import each other. Test code (`#[cfg(test)]`) may reach higher: a
/// rule's tests run the driver.
const LAYERS: &[&[&str]] = &[
    &["findings", "line_index", "suggest"],
    &["syntax", "config"],
    &["workspace"],
    &["document", "engine"],
    &["analysis"],
    &["rules"],
    &["driver"],
    &["ide"],
    &["cli", "lsp"],
];

/// Whether `text` holds `word` as a whole identifier (or path segment).
fn mentions(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// The top-level module a file under `src` belongs to (`rules` for
/// `rules/await_in_loop.rs`, `findings` for `findings.rs`).
fn top_module(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("a file under src");
    let first = relative.components().next().expect("a path");
    let first = first.as_os_str().to_string_lossy();
    first.strip_suffix(".rs").unwrap_or(&first).to_owned()
}

/// The lines of `text` that ship: without comments and without the items
/// under `#[cfg(test)]` (an inline `mod tests { ... }` ends at the first
/// column-0 `}`, as rustfmt writes it). The files of `#[cfg(test)] mod x;`
/// are added to `test_files`, relative to the module's folder `dir`.
fn shipped_lines<'t>(
    text: &'t str,
    dir: &Path,
    test_files: &mut Vec<std::path::PathBuf>,
) -> Vec<(usize, &'t str)> {
    let mut lines = Vec::new();
    let (mut pending, mut in_test) = (false, false);
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        if trimmed == "#[cfg(test)]" {
            pending = true;
            continue;
        }
        if pending && !trimmed.starts_with("#[") {
            pending = false;
            let item = trimmed
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ");
            if let Some(name) = item.strip_prefix("mod ").and_then(|m| m.strip_suffix(';')) {
                test_files.push(dir.join(format!("{name}.rs")));
                test_files.push(dir.join(name).join("mod.rs"));
            } else if trimmed.len() == line.len() && trimmed.ends_with('{') {
                in_test = true;
            }
            continue;
        }
        if in_test {
            in_test = line != "}";
            continue;
        }
        lines.push((number + 1, line));
    }
    lines
}

/// The modules `line` names as `crate::<module>` (not macros: `crate::field!`).
fn named_modules(line: &str) -> Vec<&str> {
    line.match_indices("crate::")
        .filter(|(at, _)| !line[..*at].ends_with('$'))
        .filter_map(|(at, _)| {
            let rest = &line[at + "crate::".len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (!rest[end..].starts_with('!')).then_some(&rest[..end])
        })
        .collect()
}

/// The folder of the modules `file` declares: its own for `mod.rs`, `lib.rs`
/// and `main.rs`, else the folder named as the file.
fn module_dir(file: &Path) -> std::path::PathBuf {
    let name = file.file_name().expect("a file name").to_string_lossy();
    match name.as_ref() {
        "mod.rs" | "lib.rs" | "main.rs" => file.parent().expect("a folder").to_owned(),
        _ => file.with_extension(""),
    }
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

#[test]
fn only_the_lsp_folder_names_the_protocol_crates() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let outside: Vec<_> = files
        .iter()
        .filter(|file| !file.starts_with(src.join("lsp")) && !file.ends_with("tidy.rs"))
        .collect();
    assert!(
        outside.len() > 20,
        "source files not found under {}",
        src.display()
    );
    for file in outside {
        let text = std::fs::read_to_string(file).expect("read source");
        for word in PROTOCOL {
            assert!(
                !mentions(&text, word),
                "{} names `{word}`: only server/src/lsp may know the protocol",
                file.display()
            );
        }
    }
}

#[test]
fn no_module_imports_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut test_files = Vec::new();
    let mut problems = Vec::new();
    let mut checked = 0;
    // First the files that `#[cfg(test)] mod x;` declares, then the rest.
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read source");
        shipped_lines(&text, &module_dir(file), &mut test_files);
    }
    for file in &files {
        let name = file.file_name().expect("a file name").to_string_lossy();
        if file.parent() == Some(src.as_path()) && ["lib.rs", "main.rs"].contains(&name.as_ref())
            || top_module(&src, file) == "tidy"
            || test_files.contains(file)
        {
            continue;
        }
        let module = top_module(&src, file);
        let Some(layer) = layer_of(&module) else {
            problems.push(format!(
                "{}: module `{module}` has no place in LAYERS (tidy.rs and docs/ARCHITECTURE.md)",
                file.display()
            ));
            continue;
        };
        let relative = file
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy();
        let text = std::fs::read_to_string(file).expect("read source");
        checked += 1;
        for (number, line) in shipped_lines(&text, &module_dir(file), &mut Vec::new()) {
            for named in named_modules(line) {
                let Some(named_layer) = layer_of(named) else {
                    continue;
                };
                if named != module && named_layer >= layer {
                    problems.push(format!(
                        "{relative}:{number}: `{module}` names `crate::{named}`, which is not below it"
                    ));
                }
            }
        }
    }
    assert!(
        checked > 20,
        "source files not found under {}",
        src.display()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_layering_check_sees_imports_and_skips_tests_and_macros() {
    let mut test_files = Vec::new();
    let text = "use crate::rules::Rule;\n// crate::lsp in a comment\nlet x = crate::field!(\"name\");\n#[cfg(test)]\nmod tests;\n#[cfg(test)]\nmod inline {\n    use crate::driver::analyze;\n}\nfn f() -> crate::findings::Finding {}\n";
    let lines = shipped_lines(text, Path::new("a"), &mut test_files);
    let named: Vec<&str> = lines
        .iter()
        .flat_map(|(_, line)| named_modules(line))
        .collect();
    assert_eq!(named, ["rules", "findings"]);
    assert_eq!(test_files[0], Path::new("a/tests.rs"));
    assert!(mentions("use tower_lsp::x;", "tower_lsp"));
    assert!(!mentions("use tower_lsp_server::x;", "tower_lsp"));
    assert!(!mentions("let calls_types = 1;", "ls_types"));
}
