//! What a newcomer reads from `ticklens check` and `ticklens order`: the messages
//! of the cases a first run meets (nothing to check, TypeScript, a syntax error, no
//! safe fix, a file that cannot be read, `--help`), as transcripts of the real binary
//! reviewed as snapshots. Every run happens inside a temporary folder with relative
//! paths, as a user types them, so the transcripts hold no machine-specific path.

#[path = "differential/node.rs"]
mod node;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;

/// Runs `ticklens args` in `dir`.
fn ticklens(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ticklens"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the ticklens binary runs")
}

/// The command, its exit status, stdout and stderr, with the run time masked.
fn transcript(dir: &Path, args: &[&str]) -> String {
    let output = ticklens(dir, args);
    format!(
        "$ ticklens {}\nexit status: {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        output
            .status
            .code()
            .map_or("killed".to_owned(), |c| c.to_string()),
        without_timing(&String::from_utf8_lossy(&output.stdout)),
        without_timing(&String::from_utf8_lossy(&output.stderr)),
    )
}

/// `checked 1 file in [time]: ...`: the only part that changes between runs.
fn without_timing(text: &str) -> String {
    text.lines()
        .map(|line| match (line.find(" in "), line.find("ms:")) {
            (Some(start), Some(end)) if line.starts_with("checked ") && start < end => {
                format!("{} in [time]{}\n", &line[..start], &line[end + 2..])
            }
            _ => format!("{line}\n"),
        })
        .collect()
}

/// A temporary folder holding `files` (relative path, content).
/// A temporary folder holding `files`, with a `ticklens.toml` that switches
/// on async-promise-executor (off by default), whose finding these
/// transcripts show; a `ticklens.toml` among `files` replaces it.
fn folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(
        dir.path().join("ticklens.toml"),
        "[rules]\nasync-promise-executor = \"on\"\n",
    )
    .expect("ticklens.toml");
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(path, content).expect("the file can be written");
    }
    dir
}

/// A program Node refuses at line 6, column 16 (`;` where an expression belongs).
const SYNTAX_ERROR: &str = "async function load(db, id) {
  const row = await db.get(id);
  return row;
}

const broken = ;
console.log(\"never printed\");
";

/// Two independent awaits of the same function: a hint whose only fix changes behaviour.
const SEQUENTIAL: &str = "async function notify(send, a, b) {
  await send(a);
  await send(b);
}
module.exports = { notify };
";

/// An async Promise executor: a warning.
const ASYNC_EXECUTOR: &str = "function getJson(url) {
  return new Promise(async (resolve) => {
    resolve(await fetch(url));
  });
}
module.exports = { getJson };
";

#[test]
fn an_empty_folder_is_an_error_that_says_why() {
    let dir = folder(&[("empty/README.md", b"# nothing here\n")]);
    let text = transcript(dir.path(), &["check", "--no-cache", "empty"]);
    assert!(text.contains("exit status: 2"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn typescript_is_checked_and_a_declaration_file_alone_is_nothing_to_check() {
    let dir = folder(&[
        ("src/index.ts", b"export const x: number = 1;\n"),
        ("src/view.tsx", b"export const v = <div />;\n"),
        ("src/types.d.ts", b"export type T = string;\n"),
        ("types/index.d.ts", b"export type T = string;\n"),
    ]);
    let mut text = transcript(dir.path(), &["check", "--no-cache", "src"]);
    text.push_str(&transcript(dir.path(), &["check", "--no-cache", "types"]));
    text.push_str(&transcript(
        dir.path(),
        &["check", "--no-cache", "src/types.d.ts"],
    ));
    assert_eq!(text.matches("exit status: 0").count(), 1, "{text}");
    assert_eq!(text.matches("exit status: 2").count(), 2, "{text}");
    assert!(text.contains("checked 2 files"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_syntax_error_is_an_error_finding_with_its_position() {
    let dir = folder(&[("src/broken.js", SYNTAX_ERROR.as_bytes())]);
    let mut text = transcript(dir.path(), &["check", "--no-cache", "src"]);
    text.push_str(&transcript(
        dir.path(),
        &["check", "--no-cache", "--format", "compact", "src"],
    ));
    assert_eq!(text.matches("exit status: 1").count(), 2, "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn every_format_reports_the_syntax_error_as_an_error() {
    let dir = folder(&[("broken.js", SYNTAX_ERROR.as_bytes())]);
    let run = |format: &str| {
        let output = ticklens(dir.path(), &["check", "--no-cache", "--format", format]);
        assert_eq!(output.status.code(), Some(1), "--format {format}");
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    let json: Value = serde_json::from_str(&run("json")).expect("JSON");
    let finding = &json["files"][0]["findings"][0];
    assert_eq!(
        (
            &finding["rule"],
            &finding["severity"],
            &finding["range"]["start"]
        ),
        (
            &Value::from("syntax-error"),
            &Value::from("error"),
            &serde_json::json!({ "line": 6, "column": 16, "offset": 94 })
        ),
        "{json:#}"
    );
    let sarif: Value = serde_json::from_str(&run("sarif")).expect("SARIF");
    let run0 = &sarif["runs"][0];
    let result = &run0["results"][0];
    assert_eq!(
        (&result["ruleId"], &result["level"]),
        (&Value::from("syntax-error"), &Value::from("error"))
    );
    let index = result["ruleIndex"].as_u64().expect("a rule index") as usize;
    assert_eq!(
        run0["tool"]["driver"]["rules"][index]["id"], "syntax-error",
        "the rule index points at the syntax error's descriptor"
    );
    let github = run("github");
    assert!(
        github.starts_with("::error file=broken.js,line=6,col=16,"),
        "{github}"
    );
}

#[test]
fn node_rejects_the_syntax_error_on_the_line_ticklens_reports() {
    let node = node::require_node_24();
    let dir = folder(&[("broken.js", SYNTAX_ERROR.as_bytes())]);
    let run = node::run_node(
        &node,
        &dir.path().join("broken.js"),
        Duration::from_secs(10),
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.stdout, "", "Node runs nothing of the file");
    assert!(run.stderr.contains("SyntaxError"), "{}", run.stderr);
    // Node's first line of stderr is `path:line`, its third the caret under the column.
    let mut lines = run.stderr.lines();
    let location = lines.next().unwrap_or_default();
    assert!(location.ends_with("broken.js:6"), "{}", run.stderr);
    let caret = lines.nth(1).unwrap_or_default();
    assert_eq!(caret.find('^'), Some(15), "column 16: {}", run.stderr);
    let order = ticklens(dir.path(), &["order", "broken.js"]);
    assert!(
        String::from_utf8_lossy(&order.stderr).contains("broken.js:6:16: "),
        "{order:?}"
    );
}

#[test]
fn order_names_the_line_and_column_of_a_syntax_error() {
    let dir = folder(&[("broken.js", SYNTAX_ERROR.as_bytes())]);
    let text = transcript(dir.path(), &["order", "broken.js"]);
    assert!(text.contains("exit status: 3"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_dry_run_without_safe_fixes_says_so() {
    let dir = folder(&[
        ("notify.js", SEQUENTIAL.as_bytes()),
        ("ticklens.toml", b"[rules]\nsequential-awaits = \"on\"\n"),
    ]);
    let text = transcript(dir.path(), &["check", "--no-cache", "--fix-dry-run"]);
    assert!(text.contains("no safe fixes"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn help_of_each_subcommand() {
    let dir = folder(&[]);
    let text: String = [
        &["--help"][..],
        &["check", "--help"],
        &["order", "--help"],
        &["lsp", "--help"],
    ]
    .iter()
    .map(|args| transcript(dir.path(), args))
    .collect();
    insta::assert_snapshot!(text);
}

#[test]
fn sarif_with_an_error_notification_is_not_successful() {
    let dir = folder(&[
        ("fetch.js", ASYNC_EXECUTOR.as_bytes()),
        ("data.js", b"\0\x01binary"),
    ]);
    let output = ticklens(dir.path(), &["check", "--no-cache", "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(2));
    let sarif: Value = serde_json::from_slice(&output.stdout).expect("SARIF");
    insta::assert_json_snapshot!(sarif["runs"][0]["invocations"]);
}

#[test]
fn github_format_without_a_path_annotates_files_by_their_repository_path() {
    let dir = folder(&[
        ("src/fetch.js", ASYNC_EXECUTOR.as_bytes()),
        ("src/data.js", b"\0\x01binary"),
    ]);
    let text = transcript(dir.path(), &["check", "--no-cache", "--format", "github"]);
    assert!(!text.contains("file=./"), "{text}");
    insta::assert_snapshot!(text);
}
