//! What a user sees when `ticklens.toml` or a suppression comment is wrong,
//! and what `check` leaves behind in a git repository: the real binary on
//! projects made at test time, with the messages pinned as snapshots (each
//! reviewed for wording: the consequence and the action first, then the
//! detail, with file, line and column).

#[path = "support/lsp_client.rs"]
mod lsp_client;

use std::path::Path;
use std::process::Command;

use lsp_client::LspClient;
use serde_json::json;

/// One run of `ticklens check ARGS` in `dir`: exit status, stdout, stderr.
fn check(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ticklens"))
        .arg("check")
        .args(["--color", "never"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the ticklens binary runs");
    (
        output.status.code(),
        String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    )
}

/// A project with `files` (path, text) in a fresh temporary folder.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(path, text).expect("a file");
    }
    dir
}

const EXECUTOR: &str = "new Promise(async (resolve) => resolve(1));\n";

/// Checks a project of five files under `config` and returns what stderr said,
/// after asserting that the run stopped: exit 2, nothing on stdout.
fn stopped_by(config: &str) -> String {
    let files: Vec<(String, &str)> = (1..=5)
        .map(|i| (format!("src/f{i}.js"), EXECUTOR))
        .collect();
    let mut all: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    all.push(("ticklens.toml", config));
    let dir = project(&all);
    let (code, stdout, stderr) = check(dir.path(), &["--no-cache"]);
    assert_eq!(code, Some(2), "stderr: {stderr}");
    assert_eq!(stdout, "", "nothing is checked, so nothing is reported");
    stderr
}

#[test]
fn a_misspelt_rule_stops_the_run_once_with_its_position_and_a_suggestion() {
    let stderr = stopped_by("[rules]\nfloating-promises = \"error\"\n");
    assert_eq!(stderr.matches("floating-promises").count(), 1, "{stderr}");
    insta::assert_snapshot!(stderr);
}

#[test]
fn a_misspelt_setting_stops_the_run_with_a_suggestion() {
    insta::assert_snapshot!(stopped_by("ignores = [\"dist/**\"]\n"));
}

#[test]
fn a_misspelt_level_stops_the_run_with_a_suggestion() {
    insta::assert_snapshot!(stopped_by("[rules]\nasync-promise-executor = \"eror\"\n"));
}

#[test]
fn every_mistake_of_a_config_is_listed_in_file_order() {
    insta::assert_snapshot!(stopped_by(
        "colour = true\nknown-safe = \"logger.flush\"\n\n[rules]\nno-such-rule = \"off\"\nawait-in-loop = \"loud\"\n"
    ));
}

#[test]
fn a_broken_config_in_a_subfolder_stops_the_run_too() {
    let dir = project(&[
        ("ticklens.toml", "[rules]\nawait-in-loop = \"off\"\n"),
        ("a.js", EXECUTOR),
        ("legacy/ticklens.toml", "[rules]\nawait-in-loop = \"of\"\n"),
        ("legacy/b.js", EXECUTOR),
        ("legacy/c.js", EXECUTOR),
    ]);
    let (code, stdout, stderr) = check(dir.path(), &["--no-cache"]);
    assert_eq!((code, stdout.as_str()), (Some(2), ""), "stderr: {stderr}");
    insta::assert_snapshot!(stderr);
}

#[test]
fn an_unknown_rule_in_a_suppression_comment_is_a_warning_on_the_name() {
    let dir = project(&[
        (
            "app.js",
            "// ticklens-ignore-next-line floating-promises\nfetch(\"/ping\");\n",
        ),
        ("ticklens.toml", "[rules]\nfloating-promise = \"on\"\n"),
    ]);
    let (code, compact, _) = check(dir.path(), &["--no-cache", "--format", "compact"]);
    assert!(
        compact.contains("warning[unknown-rule]") && compact.contains("[floating-promise]"),
        "the warning, and the finding the comment failed to silence: {compact}"
    );
    assert_eq!(code, Some(0), "warnings do not fail the run");
    let (_, human, _) = check(dir.path(), &["--no-cache", "--format", "human"]);
    // The summary line holds a duration.
    let without_summary = |out: &str| {
        out.lines()
            .filter(|line| !line.starts_with("checked "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    insta::assert_snapshot!(format!(
        "{}\n\n{}",
        without_summary(&compact),
        without_summary(&human)
    ));
}

#[test]
fn check_leaves_git_status_clean() {
    let dir = project(&[("app.js", EXECUTOR)]);
    let git = |args: &[&str]| {
        let output = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("git runs (it is a prerequisite of the tests)");
        assert!(output.status.success(), "git {args:?}: {output:?}");
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    git(&["init", "--quiet"]);
    git(&["add", "app.js"]);
    git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "--quiet",
        "-m",
        "app",
    ]);
    let (code, _, stderr) = check(dir.path(), &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let cache = dir.path().join(".ticklens-cache");
    assert!(
        cache.join("CACHEDIR.TAG").is_file(),
        "the run wrote its cache, tagged"
    );
    assert_eq!(git(&["status", "--porcelain", "--untracked-files=all"]), "");
}

#[test]
fn the_editor_shows_a_broken_config_once() {
    let dir = project(&[
        ("ticklens.toml", "[rules]\nfloating-promises = \"off\"\n"),
        ("a.js", EXECUTOR),
        ("b.js", EXECUTOR),
    ]);
    let uri = |name: &str| format!("file://{}/{name}", dir.path().display());
    let mut client = LspClient::spawn();
    client.initialize(json!({}));
    client.open(&uri("a.js"), EXECUTOR);
    let shown = client.wait_for(|m| m["method"] == "window/showMessage");
    client.diagnostics(&uri("a.js"), 1);
    // An edit of the same file and another file under the same config: the
    // diagnostics of each come after any message sent for it.
    client.change(
        &uri("a.js"),
        2,
        json!([{ "text": format!("{EXECUTOR}\n") }]),
    );
    client.diagnostics(&uri("a.js"), 2);
    client.open(&uri("b.js"), EXECUTOR);
    client.diagnostics(&uri("b.js"), 1);
    let again: Vec<_> = client
        .take_backlog()
        .into_iter()
        .filter(|m| m["method"] == "window/showMessage")
        .collect();
    assert_eq!(again, Vec::<serde_json::Value>::new(), "shown once");
    let message = shown["params"]["message"].as_str().expect("a message");
    let message = message.replace(&dir.path().display().to_string(), "<project>");
    insta::assert_snapshot!(message);
}
