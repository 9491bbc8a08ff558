//! `check --fix` and the editor's `source.fixAll.ticklens` give the same text.
//!
//! Each fixture of `tests/fixtures/fixes/` (several safe fixes per file, some
//! overlapping or nested so that fixing takes more than one round) is copied to
//! a scratch folder and fixed by the real `ticklens check --fix`; the same text
//! is opened in the real `ticklens lsp` and fixed with its fix-all action, applied
//! as an editor applies a `WorkspaceEdit`. The two must agree byte for byte, and
//! with the reviewed `<name>.js.fixed` next to the fixture. A second `--fix`
//! must change nothing, and `--fix-dry-run` must then print no diff.

#[path = "support/lsp_client.rs"]
mod lsp_client;
#[path = "support/text_edits.rs"]
mod text_edits;

use std::path::{Path, PathBuf};
use std::process::Command;

use lsp_client::LspClient;
use serde_json::json;
use text_edits::PositionEncoding;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/fixes")
}

/// The fixture names (`name.js`), sorted.
fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .expect("tests/fixtures/fixes exists")
        .map(|entry| entry.expect("a readable entry").file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".js"))
        .collect();
    names.sort();
    assert!(names.len() >= 5, "fixtures: {names:?}");
    names
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A scratch folder holding every fixture, its line breaks rewritten by `eol`.
fn scratch_copy(eol: &str) -> (tempfile::TempDir, Vec<(String, String)>) {
    let dir = tempfile::Builder::new()
        .prefix("ticklens-fix-parity-")
        .tempdir()
        .expect("a scratch folder");
    // Every rule on, those off by default too: both sides read this config.
    let config: String = ticklens::rules::ALL
        .iter()
        .map(|rule| format!("{} = \"on\"\n", rule.meta().code))
        .collect();
    std::fs::write(
        dir.path().join("ticklens.toml"),
        format!("[rules]\n{config}"),
    )
    .expect("write the config");
    let files = fixture_names()
        .into_iter()
        .map(|name| {
            let text = read(&fixtures().join(&name)).replace('\n', eol);
            std::fs::write(dir.path().join(&name), &text).expect("write a fixture copy");
            (name, text)
        })
        .collect();
    (dir, files)
}

struct Run {
    stdout: String,
    stderr: String,
}

/// Runs `ticklens check <args> .` in `dir`; fails the test unless it exits 0.
fn check(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_ticklens"))
        .arg("check")
        .args(["--format", "compact", "--no-cache", "--color", "never"])
        .args(args)
        .arg(".")
        .current_dir(dir)
        .output()
        .expect("the ticklens binary runs");
    let run = Run {
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    };
    assert_eq!(
        output.status.code(),
        Some(0),
        "check {args:?} failed\nstdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
    run
}

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The text of each file after the server's fix-all action, applied as an editor does.
fn lsp_fix_all(dir: &Path, files: &[(String, String)], encodings: &[&str]) -> Vec<String> {
    let mut client = LspClient::spawn();
    let init = client.initialize(json!({ "general": { "positionEncodings": encodings } }));
    let encoding = PositionEncoding::negotiated(&init);
    let fixed = files
        .iter()
        .map(|(name, text)| {
            let uri = uri_of(&dir.join(name));
            client.open(&uri, text);
            client.diagnostics(&uri, 1);
            let last_line = text.matches('\n').count();
            let actions = client.call(
                "textDocument/codeAction",
                json!({
                    "textDocument": { "uri": uri },
                    "range": { "start": { "line": 0, "character": 0 },
                               "end": { "line": last_line, "character": 0 } },
                    "context": { "diagnostics": [], "only": ["source.fixAll.ticklens"] },
                }),
            );
            let actions = actions.as_array().cloned().unwrap_or_default();
            assert!(actions.len() <= 1, "{name}: {actions:#?}");
            match actions.first() {
                None => text.clone(),
                Some(action) => {
                    assert_eq!(action["kind"], "source.fixAll.ticklens", "{action:#}");
                    text_edits::apply_workspace_edit(text, &uri, 1, &action["edit"], encoding)
                }
            }
        })
        .collect();
    assert!(client.shutdown_and_exit().success());
    fixed
}

/// Fixes `files` (copied into `dir`) with the editor's fix-all and with
/// `check --fix`, asserts both give the same text, and returns `check`'s texts.
/// `context` (the line breaks, the config) goes into the failure message.
fn fix_both_ways(
    dir: &Path,
    files: &[(String, String)],
    encodings: &[&str],
    context: &str,
) -> Vec<String> {
    let by_editor = lsp_fix_all(dir, files, encodings);
    check(dir, &["--fix"]);
    let fixed = files.iter().zip(by_editor).map(|((name, _), by_editor)| {
        let by_check = read(&dir.join(name));
        assert_eq!(
            by_check, by_editor,
            "{name} ({context}): `check --fix` (left) and the editor's fix-all (right) differ"
        );
        by_check
    });
    fixed.collect()
}

/// Fixes every fixture (line breaks `eol`) both ways and compares; returns the
/// scratch folder, holding the `--fix` output, for further runs.
fn assert_parity(eol: &str, encodings: &[&str]) -> tempfile::TempDir {
    let (dir, files) = scratch_copy(eol);
    let fixed = fix_both_ways(dir.path(), &files, encodings, &format!("{eol:?}"));
    for ((name, original), by_check) in files.iter().zip(fixed) {
        let expected = match std::fs::read_to_string(fixtures().join(format!("{name}.fixed"))) {
            Ok(expected) => expected.replace('\n', eol),
            Err(_) => original.clone(),
        };
        assert_eq!(
            by_check, expected,
            "{name} ({eol:?}): the fixed text is not the reviewed {name}.fixed"
        );
        let tree = ticklens::syntax::parse(&by_check, None);
        assert!(
            !tree.root_node().has_error(),
            "{name} ({eol:?}): the fixed text does not parse:\n{by_check}"
        );
    }
    dir
}

/// The lines of a unified diff's headers and hunks in `stdout`.
fn diff_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|line| {
            line.starts_with("--- a/") || line.starts_with("+++ b/") || line.starts_with("@@")
        })
        .collect()
}

#[test]
fn check_fix_and_editor_fix_all_agree_on_every_fixture() {
    assert_parity("\n", &["utf-16"]);
}

#[test]
fn check_fix_and_editor_fix_all_agree_on_crlf_text() {
    assert_parity("\r\n", &["utf-8", "utf-16"]);
}

#[test]
fn a_second_fix_run_changes_nothing() {
    for eol in ["\n", "\r\n"] {
        let dir = assert_parity(eol, &["utf-16"]);
        let once: Vec<String> = fixture_names()
            .iter()
            .map(|name| read(&dir.path().join(name)))
            .collect();
        check(dir.path(), &["--fix"]);
        for (name, once) in fixture_names().iter().zip(once) {
            assert_eq!(
                read(&dir.path().join(name)),
                once,
                "{name} ({eol:?}): the second `--fix` changed it"
            );
        }
        let dry = check(dir.path(), &["--fix-dry-run"]);
        assert_eq!(
            diff_lines(&dry.stdout),
            Vec::<&str>::new(),
            "({eol:?}) `--fix-dry-run` after `--fix` still has fixes:\n{}",
            dry.stdout
        );
    }
}

#[test]
fn dry_run_shows_the_fixes_and_changes_no_file() {
    let (dir, files) = scratch_copy("\n");
    let dry = check(dir.path(), &["--fix-dry-run"]);
    for (name, original) in &files {
        assert_eq!(&read(&dir.path().join(name)), original, "{name} changed");
        let fixed = fixtures().join(format!("{name}.fixed"));
        let has_fixes = fixed.exists();
        assert_eq!(
            dry.stdout.contains(&format!("--- a/./{name}\n"))
                || dry.stdout.contains(&format!("--- a/{name}\n")),
            has_fixes,
            "{name}: a diff is shown exactly when there is something to fix:\n{}",
            dry.stdout
        );
        if has_fixes {
            // Every line the diff adds is in the fixed text, every line it removes in the original.
            let fixed = read(&fixed);
            let section = diff_section(&dry.stdout, name);
            for line in section.lines().skip(2) {
                if let Some(added) = line.strip_prefix('+') {
                    assert!(fixed.lines().any(|l| l == added), "{name}: +{added}");
                } else if let Some(removed) = line.strip_prefix('-') {
                    assert!(original.lines().any(|l| l == removed), "{name}: -{removed}");
                }
            }
        }
    }
}

/// The part of a multi-file diff about `name`.
fn diff_section<'a>(stdout: &'a str, name: &str) -> &'a str {
    let start = stdout
        .find(&format!("--- a/./{name}\n"))
        .or_else(|| stdout.find(&format!("--- a/{name}\n")))
        .expect("a diff for the file");
    let rest = &stdout[start..];
    let end = rest[1..].find("\n--- a/").map_or(rest.len(), |i| i + 2);
    &rest[..end]
}

#[test]
fn project_config_turns_fixes_off_for_both() {
    let (dir, files) = scratch_copy("\n");
    std::fs::write(
        dir.path().join("ticklens.toml"),
        "[rules]\npromise-constructor-wrap = \"off\"\n",
    )
    .expect("write ticklens.toml");
    let context = "promise-constructor-wrap off";
    let fixed = fix_both_ways(dir.path(), &files, &["utf-16"], context);
    for ((name, _), by_check) in files.iter().zip(fixed) {
        if name == "wrappers.js" {
            assert!(
                by_check
                    .contains("new Promise((resolve, reject) => get(id).then(resolve, reject))"),
                "{by_check}"
            );
        }
    }
}
