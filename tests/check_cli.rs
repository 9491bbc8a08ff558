//! End-to-end tests of `ticklens check`: the real binary on fixture folders
//! (`tests/fixtures/check/`) and on files made at test time (bytes that are not
//! UTF-8, CRLF text, paths that cannot be read).
//!
//! The tests use `--format compact` (`path:line:col: severity[rule] message`)
//! and `--no-cache`, and run in a scratch folder or the fixtures folder so that
//! the paths printed are short and stable.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ticklens::driver::analyze_with;
use ticklens::syntax;

const RULE: &str = "async-promise-executor";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/check")
}

/// What one run of `ticklens check` gave.
struct Run {
    stdout: Vec<String>,
    stderr: String,
    code: Option<i32>,
}

/// A temporary project folder whose `ticklens.toml` switches on the rule
/// these tests read (off by default); a test that writes its own replaces it.
fn project_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("ticklens.toml"),
        format!("[rules]\n{RULE} = \"on\"\n"),
    )
    .expect("ticklens.toml");
    dir
}

fn check_in(dir: &Path, args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_ticklens"))
        .arg("check")
        .args(["--format", "compact", "--no-cache", "--color", "never"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the ticklens binary runs");
    Run {
        stdout: String::from_utf8(stdout)
            .expect("stdout is UTF-8")
            .lines()
            .map(str::to_owned)
            .collect(),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
        code: status.code(),
    }
}

impl Run {
    /// The finding lines: everything on stdout but the summary.
    fn findings(&self) -> &[String] {
        &self.stdout[..self.stdout.len().saturating_sub(1)]
    }

    /// The summary, without its timing: `checked 2 files: 0 errors, ...`.
    fn summary(&self) -> String {
        let last = self.stdout.last().map(String::as_str).unwrap_or_default();
        // `checked N files in 12ms: ...` → `checked N files: ...`
        match (last.find(" in "), last.find("ms: ")) {
            (Some(start), Some(end)) if start < end => {
                format!("{}{}", &last[..start], &last[end + 2..])
            }
            _ => last.to_owned(),
        }
    }

    fn finding_paths(&self) -> Vec<&str> {
        self.findings()
            .iter()
            .map(|line| line.split(':').next().unwrap_or_default())
            .collect()
    }
}

/// The message the rule gives for `source`, from the library, so these tests
/// pin the CLI's line format and positions, not the rule's wording.
fn rule_message(source: &str) -> String {
    let tree = syntax::parse(source, None);
    let rule = ticklens::rules::ALL
        .iter()
        .copied()
        .find(|rule| rule.meta().code == RULE)
        .expect("the rule");
    analyze_with(source, &tree, &[rule])
        .findings
        .into_iter()
        .find(|f| f.rule == RULE)
        .unwrap_or_else(|| panic!("no {RULE} finding in {source:?}"))
        .message
}

fn message_of_fixture(relative: &str) -> String {
    let source = std::fs::read_to_string(fixtures().join(relative)).expect("fixture");
    rule_message(&source)
}

#[test]
fn a_clean_folder_exits_0_with_only_the_summary() {
    let run = check_in(&fixtures(), &["clean"]);
    assert_eq!(run.findings(), [] as [String; 0], "stderr: {}", run.stderr);
    assert_eq!(
        run.summary(),
        "checked 2 files: 0 errors, 0 warnings, 0 infos, 0 hints"
    );
    assert_eq!(run.stderr, "");
    assert_eq!(run.code, Some(0));
}

#[test]
fn an_async_promise_executor_is_reported_at_its_async_keyword() {
    let run = check_in(&fixtures(), &["executor/fetch-wrapper.js"]);
    // Line 3 is `  return new Promise(async (resolve) => {`: `async` starts at column 22.
    let expected = format!(
        "executor/fetch-wrapper.js:3:22: warning[{RULE}] {}",
        message_of_fixture("executor/fetch-wrapper.js")
    );
    assert_eq!(run.findings(), [expected], "stderr: {}", run.stderr);
    assert_eq!(
        run.summary(),
        "checked 1 file: 0 errors, 1 warning, 0 infos, 0 hints"
    );
    assert_eq!(run.code, Some(0), "warnings alone do not fail the run");
}

#[test]
fn columns_count_utf16_units_after_non_ascii_text_on_the_same_line() {
    let run = check_in(&fixtures(), &["executor/non-ascii.js"]);
    // `  const banner = "日本語 😀 é"; return new Promise(async ...`: `async` is
    // the 48th character, the 49th UTF-16 unit (😀 counts two) and the 61st
    // byte. Editors and ESLint count UTF-16 units.
    let expected = format!(
        "executor/non-ascii.js:3:49: warning[{RULE}] {}",
        message_of_fixture("executor/non-ascii.js")
    );
    assert_eq!(run.findings(), [expected], "stderr: {}", run.stderr);
    assert_eq!(run.code, Some(0));
}

#[test]
fn crlf_and_lone_cr_line_endings_count_as_lines() {
    let dir = project_dir();
    let source = "// first\r\n// second\rfunction f(u) {\r\n  return new Promise(async (r) => r(await fetch(u)));\r\n}\r\nmodule.exports = { f };\r\n";
    std::fs::write(dir.path().join("crlf.js"), source).unwrap();
    let run = check_in(dir.path(), &["crlf.js"]);
    // Lines: `// first`, `// second`, `function f(u) {`, then the executor.
    let expected = format!("crlf.js:4:22: warning[{RULE}] {}", rule_message(source));
    assert_eq!(run.findings(), [expected], "stderr: {}", run.stderr);
}

#[test]
fn an_error_level_from_ticklens_toml_makes_the_run_exit_1() {
    let run = check_in(&fixtures(), &["error-level"]);
    let expected = format!(
        "error-level/fetch-wrapper.js:3:22: error[{RULE}] {}",
        message_of_fixture("error-level/fetch-wrapper.js")
    );
    assert_eq!(run.findings(), [expected], "stderr: {}", run.stderr);
    assert_eq!(
        run.summary(),
        "checked 1 file: 1 error, 0 warnings, 0 infos, 0 hints"
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn the_ticklens_toml_of_the_folder_check_runs_in_applies_to_bare_file_names() {
    // `check .` and `check fetch-wrapper.js` name files whose parent is the empty path.
    for path in [".", "fetch-wrapper.js"] {
        let run = check_in(&fixtures().join("error-level"), &[path]);
        assert_eq!(
            run.summary(),
            "checked 1 file: 1 error, 0 warnings, 0 infos, 0 hints",
            "`check {path}`: {:?}",
            run.stdout
        );
    }
}

#[test]
fn a_rule_off_by_default_reports_only_where_ticklens_toml_switches_it_on() {
    let dir = project_dir();
    std::fs::write(
        dir.path().join("later.js"),
        "async function save(record) {\n  await db.insert(record);\n}\n\nasync function handler(req) {\n  save(req.body);\n  return \"ok\";\n}\n",
    )
    .unwrap();
    let run = check_in(dir.path(), &["."]);
    assert_eq!(run.findings(), [] as [String; 0], "stderr: {}", run.stderr);
    assert_eq!(run.code, Some(0));
    for (level, severity) in [("on", "warning"), ("hint", "hint")] {
        std::fs::write(
            dir.path().join("ticklens.toml"),
            format!("[rules]\nfloating-promise = \"{level}\"\n"),
        )
        .unwrap();
        let run = check_in(dir.path(), &["."]);
        // `path:line:col: severity[rule]`, without the message.
        let found: Vec<String> = run
            .findings()
            .iter()
            .map(|line| line.splitn(3, ' ').take(2).collect::<Vec<_>>().join(" "))
            .collect();
        assert_eq!(
            found,
            [format!("later.js:6:3: {severity}[floating-promise]")],
            "`{level}`; stderr: {}",
            run.stderr
        );
    }
}

#[test]
fn a_syntax_error_is_reported_in_a_file_the_trigger_words_of_an_enabled_rule_make_check_parse() {
    // `.then` is a trigger word of floating-promise only (off by default):
    // the file is parsed, and its syntax error reported, only when
    // floating-promise is on (docs/rules/syntax-error.md). A word of a rule
    // on by default (`await`) makes it parse whatever the config says.
    let dir = project_dir();
    std::fs::write(
        dir.path().join("then.js"),
        "load().then(show);\nconst broken = ;\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("await.js"),
        "async function f() { await load(); }\nconst broken = ;\n",
    )
    .unwrap();
    for (config, expected) in [
        ("", ["await.js:2:14: error[syntax-error]"].as_slice()),
        (
            "[rules]\nfloating-promise = \"off\"\n",
            ["await.js:2:14: error[syntax-error]"].as_slice(),
        ),
        (
            "[rules]\nfloating-promise = \"on\"\n",
            [
                "await.js:2:14: error[syntax-error]",
                "then.js:2:14: error[syntax-error]",
            ]
            .as_slice(),
        ),
    ] {
        std::fs::write(dir.path().join("ticklens.toml"), config).unwrap();
        let run = check_in(dir.path(), &["."]);
        // `path:line:col: severity[rule]`, without the message, of the
        // syntax errors (floating-promise may report the dropped `.then`).
        let found: Vec<String> = run
            .findings()
            .iter()
            .map(|line| line.splitn(3, ' ').take(2).collect::<Vec<_>>().join(" "))
            .filter(|found| found.ends_with("[syntax-error]"))
            .collect();
        assert_eq!(found, expected, "{config:?}; stderr: {}", run.stderr);
        assert_eq!(run.code, Some(1), "{config:?}");
    }
}

#[test]
fn the_target_node_of_package_json_or_ticklens_toml_decides_prefer_queue_microtask() {
    let dir = project_dir();
    let app = dir.path().join("app");
    std::fs::create_dir(&app).unwrap();
    std::fs::write(
        app.join("later.js"),
        "function later(fn) {\n  process.nextTick(() => fn());\n}\nready.then(() => later(start));\n",
    )
    .unwrap();
    let found = |toml: &str, package: Option<&str>| -> usize {
        std::fs::write(
            dir.path().join("ticklens.toml"),
            format!("[rules]\nprefer-queue-microtask = \"on\"\n{toml}"),
        )
        .unwrap();
        let manifest = app.join("package.json");
        match package {
            Some(json) => std::fs::write(&manifest, json).unwrap(),
            None => drop(std::fs::remove_file(&manifest)),
        }
        let run = check_in(dir.path(), &["."]);
        assert!(run.stderr.is_empty(), "stderr: {}", run.stderr);
        run.findings().len()
    };
    // No `engines`: unchanged.
    assert_eq!(found("", None), 1);
    assert_eq!(found("", Some(r#"{"name":"app"}"#)), 1);
    // A Node without `queueMicrotask` (before 11) is supported: silent.
    assert_eq!(found("", Some(r#"{"engines":{"node":">=8"}}"#)), 0);
    assert_eq!(
        found("", Some(r#"{"engines":{"node":"^10.13 || >=12"}}"#)),
        0
    );
    assert_eq!(found("", Some(r#"{"engines":{"node":">=18"}}"#)), 1);
    // `[runtime] node` wins over `engines`, either way.
    let runtime = |range: &str| format!("[runtime]\nnode = \"{range}\"\n");
    assert_eq!(
        found(&runtime(">=18"), Some(r#"{"engines":{"node":">=8"}}"#)),
        1
    );
    assert_eq!(
        found(&runtime(">=8"), Some(r#"{"engines":{"node":">=18"}}"#)),
        0
    );
    assert_eq!(found(&runtime(">=8"), None), 0);
}

#[test]
fn walking_a_folder_honours_gitignore_and_takes_only_javascript_and_typescript_extensions() {
    let run = check_in(&fixtures(), &["walk"]);
    assert_eq!(
        run.finding_paths(),
        [
            // A folder named like a script is walked, not read.
            "walk/assets.js/inside.js",
            "walk/common.cjs",
            "walk/module.mjs",
            "walk/types.ts",
            "walk/view.jsx",
        ],
        "ignored.js and build/ are in walk/.gitignore; notes.txt is neither JavaScript nor \
         TypeScript, and types.d.ts holds declarations only; stderr: {}",
        run.stderr
    );
    assert_eq!(
        run.summary(),
        "checked 5 files: 0 errors, 5 warnings, 0 infos, 0 hints"
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn gitignore_is_honoured_outside_a_git_repository_too() {
    // The fixtures live in this repository, where git itself would ignore the
    // files; a copy in a scratch folder shows the walker reads `.gitignore`
    // without git (`require_git(false)`).
    let dir = project_dir();
    let walk = fixtures().join("walk");
    for relative in [".gitignore", "ignored.js", "module.mjs", "build/bundle.js"] {
        let to = dir.path().join("project").join(relative);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(walk.join(relative), &to).unwrap();
    }
    assert!(!dir.path().join(".git").exists());
    let run = check_in(dir.path(), &["project"]);
    assert_eq!(
        run.finding_paths(),
        ["project/module.mjs"],
        "stderr: {}",
        run.stderr
    );
    assert_eq!(run.code, Some(0));
}

#[test]
fn a_file_named_explicitly_is_checked_even_when_ignored() {
    let run = check_in(&fixtures(), &["walk/ignored.js"]);
    assert_eq!(run.finding_paths(), ["walk/ignored.js"]);
}

/// A scratch folder with one good file (one finding), one file that is not
/// UTF-8, and one clean file in a subfolder.
fn folder_with_bad_input() -> tempfile::TempDir {
    let dir = project_dir();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("lib")).unwrap();
    std::fs::copy(
        fixtures().join("executor/fetch-wrapper.js"),
        src.join("good.js"),
    )
    .unwrap();
    // Latin-1 text: valid up to `caf`, then 0xE9 (é in Latin-1).
    std::fs::write(src.join("latin1.js"), b"const cafe = \"caf\xe9\";\n").unwrap();
    std::fs::write(src.join("lib/clean.mjs"), "export const x = 1;\n").unwrap();
    dir
}

#[test]
fn bad_input_is_named_on_stderr_while_other_files_are_still_reported() {
    let dir = folder_with_bad_input();
    let run = check_in(dir.path(), &["src", "missing.js", "src/good.js/child.js"]);

    let expected = format!(
        "src/good.js:3:22: warning[{RULE}] {}",
        message_of_fixture("executor/fetch-wrapper.js")
    );
    assert_eq!(run.findings(), [expected], "stderr: {}", run.stderr);

    let stderr_lines: Vec<&str> = run.stderr.lines().collect();
    let names = |needle: &str| {
        stderr_lines
            .iter()
            .any(|l| l.starts_with("error: ") && l.contains(needle))
    };
    assert!(
        names("src/latin1.js: not valid UTF-8 (first invalid byte at offset 17)"),
        "{}",
        run.stderr
    );
    assert!(
        names("missing.js: No such file or directory"),
        "{}",
        run.stderr
    );
    assert!(
        names("src/good.js/child.js: Not a directory"),
        "{}",
        run.stderr
    );
    assert!(
        run.summary().ends_with("; 3 paths could not be checked"),
        "{}",
        run.summary()
    );
    assert!(
        run.summary()
            .starts_with("checked 2 files: 0 errors, 1 warning"),
        "good.js and lib/clean.mjs were checked: {}",
        run.summary()
    );
    assert_eq!(run.code, Some(2));
}

#[test]
fn a_file_without_read_permission_is_an_error_unless_running_privileged() {
    use std::os::unix::fs::PermissionsExt;

    let dir = folder_with_bad_input();
    let locked = dir.path().join("src/locked.js");
    std::fs::copy(fixtures().join("executor/fetch-wrapper.js"), &locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable_anyway = std::fs::read(&locked).is_ok();

    let run = check_in(dir.path(), &["src/locked.js", "src/good.js"]);
    if readable_anyway {
        // Root (as in CI containers) reads mode-000 files: the file is checked.
        assert_eq!(
            run.finding_paths(),
            ["src/good.js", "src/locked.js"],
            "{}",
            run.stderr
        );
        assert_eq!(run.code, Some(0));
    } else {
        assert_eq!(run.finding_paths(), ["src/good.js"], "{}", run.stderr);
        assert!(
            run.stderr.contains("src/locked.js") && run.stderr.contains("Permission denied"),
            "{}",
            run.stderr
        );
        assert_eq!(run.code, Some(2));
    }
}

#[test]
fn a_dry_run_with_json_output_keeps_stdout_one_json_document() {
    let dir = project_dir();
    let source = "new Promise(async (resolve) => {\n  resolve(1);\n});\n";
    std::fs::write(dir.path().join("a.js"), source).expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_ticklens"))
        .args([
            "check",
            "--no-cache",
            "--fix-dry-run",
            "--format",
            "json",
            ".",
        ])
        .current_dir(dir.path())
        .output()
        .expect("the ticklens binary runs");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let stderr = String::from_utf8(output.stderr).expect("UTF-8");
    let document: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"));
    assert!(document.is_object());
    assert!(stderr.contains("+++"), "the diff goes to stderr: {stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.js")).expect("read"),
        source,
        "a dry run changes nothing"
    );
}

/// A scratch `project` with the executor fixture at `a.js`, `lib/b.js`, and
/// inside `node_modules` folders at the top and deeper down.
fn project_with_dependencies() -> tempfile::TempDir {
    let dir = project_dir();
    for relative in [
        "a.js",
        "lib/b.js",
        "node_modules/dep/index.js",
        "lib/node_modules/inner/index.js",
        "lib/vendor/node_modules/deep/x.js",
    ] {
        let to = dir.path().join("project").join(relative);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(fixtures().join("executor/fetch-wrapper.js"), &to).unwrap();
    }
    dir
}

#[test]
fn node_modules_folders_are_skipped_at_any_depth_unless_asked_for() {
    let dir = project_with_dependencies();
    let run = check_in(dir.path(), &["project"]);
    assert_eq!(
        run.finding_paths(),
        ["project/a.js", "project/lib/b.js"],
        "stderr: {}",
        run.stderr
    );
    let run = check_in(dir.path(), &["project", "--include-node-modules"]);
    assert_eq!(
        run.finding_paths(),
        [
            "project/a.js",
            "project/lib/b.js",
            "project/lib/node_modules/inner/index.js",
            "project/lib/vendor/node_modules/deep/x.js",
            "project/node_modules/dep/index.js",
        ],
        "stderr: {}",
        run.stderr
    );
    // A folder inside `node_modules` named on the command line is walked.
    let run = check_in(dir.path(), &["project/node_modules/dep"]);
    assert_eq!(run.finding_paths(), ["project/node_modules/dep/index.js"]);
}

#[test]
fn globs_match_from_the_path_given_and_from_the_working_folder() {
    let dir = project_with_dependencies();
    for include in ["project/lib/**/*.js", "lib/**/*.js", "./project/lib/*.js"] {
        let run = check_in(dir.path(), &["project", "--include", include]);
        assert_eq!(
            run.finding_paths(),
            ["project/lib/b.js"],
            "--include {include}; stderr: {}",
            run.stderr
        );
    }
    for exclude in ["project/lib/**", "lib/**"] {
        let run = check_in(dir.path(), &["project", "--exclude", exclude]);
        assert_eq!(
            run.finding_paths(),
            ["project/a.js"],
            "--exclude {exclude}; stderr: {}",
            run.stderr
        );
    }
    // A glob that starts with another folder's name matches nothing here.
    let run = check_in(dir.path(), &["project", "--include", "other/**/*.js"]);
    assert!(run.finding_paths().is_empty(), "{:?}", run.stdout);
}
