//! `ticklens check` over a folder full of faults: a file it may not read, a
//! folder it may not list, a folder it may list but not enter, symbolic link
//! loops (of files and of folders), a broken link, a FIFO, binary files with a
//! `.js` name, and files deleted while the check runs. Each fault is reported
//! exactly once, the run finishes, it exits with status 2, and every other
//! finding is still printed.
//!
//! Permissions: root reads a mode-000 file anyway, so when the test finds it
//! can, it runs `ticklens` as the unprivileged user 65534 (`nobody`) instead,
//! and the permission cases mean what they say. Nothing is skipped.
//!
//! A file deleted between the walk listing it and the check reading it is made
//! deterministic by a broken link (the name is listed; opening it fails with
//! "No such file or directory", which is what a deleted file gives), and is
//! also raced for real: a thread creates and deletes files while `check` runs
//! again and again, and every outcome must be one of the correct ones.

use std::os::unix::fs::{symlink, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One finding of `async-promise-executor` on line 3.
const GOOD: &str = "// A wrapper.\nfunction load(url) {\n  return new Promise(async (resolve) => resolve(await fetch(url)));\n}\nmodule.exports = { load };\n";
/// The uid and gid the test runs `ticklens` as when it is root.
const NOBODY: u32 = 65534;

struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
    elapsed: Duration,
}

impl Run {
    fn error_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|line| line.starts_with("error: "))
            .collect()
    }

    /// The error lines naming `path` (as `error: path: ...`).
    fn errors_for(&self, path: &str) -> Vec<&str> {
        let prefix = format!("error: {path}: ");
        self.error_lines()
            .into_iter()
            .filter(|line| line.starts_with(&prefix))
            .collect()
    }

    fn finding_paths(&self) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|line| line.contains(": warning["))
            .map(|line| line.split(':').next().unwrap_or_default())
            .collect()
    }

    fn summary(&self) -> &str {
        self.stdout.lines().last().unwrap_or_default()
    }
}

/// Whether this process reads files whatever their mode (root, or CAP_DAC_OVERRIDE).
fn reads_anything(scratch: &Path) -> bool {
    let probe = scratch.join("probe");
    std::fs::write(&probe, "x").unwrap();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable = std::fs::read(&probe).is_ok();
    std::fs::remove_file(&probe).unwrap();
    readable
}

/// Runs `ticklens check` in `dir`, as an unprivileged user when we are not one.
fn check(dir: &Path, args: &[&str], unprivileged: bool) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ticklens"));
    command
        .arg("check")
        .args(["--no-cache", "--color", "never"])
        .args(args)
        .current_dir(dir);
    if unprivileged {
        command.uid(NOBODY).gid(NOBODY);
    }
    let started = Instant::now();
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("run ticklens check");
    Run {
        stdout: String::from_utf8(stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(stderr).expect("UTF-8 stderr"),
        code: status.code(),
        elapsed: started.elapsed(),
    }
}

/// A scratch folder every user can enter (`tempdir` makes it 0700).
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    // The projects' findings are async-promise-executor's, off by default.
    std::fs::write(
        dir.path().join("ticklens.toml"),
        "[rules]\nasync-promise-executor = \"on\"\n",
    )
    .unwrap();
    dir
}

fn mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

/// The faulty project, and the paths (relative to the scratch folder) that
/// must each be reported once, with a word of the reason.
fn faulty_project(root: &Path) -> Vec<(&'static str, &'static str)> {
    let p = root.join("project");
    std::fs::create_dir_all(p.join("sub")).unwrap();
    std::fs::write(p.join("good.js"), GOOD).unwrap();
    std::fs::write(p.join("sub/good2.js"), GOOD).unwrap();
    // A working link: checked under its own name.
    symlink("good.js", p.join("linked.js")).unwrap();

    std::fs::write(p.join("locked.js"), GOOD).unwrap();
    mode(&p.join("locked.js"), 0o000);

    std::fs::create_dir(p.join("locked_dir")).unwrap();
    std::fs::write(p.join("locked_dir/hidden.js"), GOOD).unwrap();
    mode(&p.join("locked_dir"), 0o000);

    // Listable (r) but not enterable (no x): names are seen, files cannot be opened.
    std::fs::create_dir(p.join("listable")).unwrap();
    std::fs::write(p.join("listable/inner.js"), GOOD).unwrap();
    mode(&p.join("listable"), 0o644);

    symlink("loop_b.js", p.join("loop_a.js")).unwrap();
    symlink("loop_a.js", p.join("loop_b.js")).unwrap();
    symlink("..", p.join("sub/up")).unwrap();

    // Listed, then gone when opened: what a file deleted during the walk gives.
    symlink("deleted.js", p.join("gone.js")).unwrap();
    // A broken link under a name check would never read is no fault of ours.
    symlink("deleted.txt", p.join("notes.txt")).unwrap();

    mkfifo(&p.join("pipe.js"));

    // An ELF header, and valid UTF-8 with a NUL in it.
    std::fs::write(
        p.join("binary.js"),
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00\xff\xfe",
    )
    .unwrap();
    std::fs::write(p.join("nul.js"), "async function f() {}\0\n").unwrap();

    vec![
        ("project/binary.js", "binary file"),
        ("project/gone.js", "No such file or directory"),
        ("project/listable/inner.js", "Permission denied"),
        ("project/locked.js", "Permission denied"),
        ("project/locked_dir", "Permission denied"),
        ("project/loop_a.js", "Too many levels of symbolic links"),
        ("project/loop_b.js", "Too many levels of symbolic links"),
        ("project/nul.js", "binary file"),
        ("project/pipe.js", "not a regular file"),
        ("project/sub/up", "symbolic link loop"),
    ]
}

/// Gives the folders their modes back, so the scratch folder can be removed
/// by a user without root's powers.
fn unlock(root: &Path) {
    mode(&root.join("project/locked_dir"), 0o755);
    mode(&root.join("project/listable"), 0o755);
}

#[test]
fn every_fault_in_a_walked_folder_is_reported_once_and_the_rest_is_checked() {
    let dir = scratch();
    let unprivileged = reads_anything(dir.path());
    let faults = faulty_project(dir.path());

    let run = check(
        dir.path(),
        &["--format", "compact", "project"],
        unprivileged,
    );
    for (path, reason) in &faults {
        let lines = run.errors_for(path);
        assert_eq!(
            lines.len(),
            1,
            "{path} reported once; stderr:\n{}",
            run.stderr
        );
        assert!(lines[0].contains(reason), "{path}: {}", lines[0]);
    }
    assert_eq!(
        run.error_lines().len(),
        faults.len(),
        "nothing else is an error:\n{}",
        run.stderr
    );
    assert_eq!(
        run.finding_paths(),
        [
            "project/good.js",
            "project/linked.js",
            "project/sub/good2.js"
        ],
        "stderr:\n{}",
        run.stderr
    );
    assert!(
        run.summary()
            .ends_with(&format!("; {} paths could not be checked", faults.len())),
        "{}",
        run.summary()
    );
    assert_eq!(run.code, Some(2));

    // The JSON report lists each fault once too, as a failed file.
    let run = check(dir.path(), &["--format", "json", "project"], unprivileged);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON report");
    let text = report.to_string();
    for (path, _) in &faults {
        assert_eq!(
            text.matches(&format!("\"{path}\"")).count(),
            1,
            "{path} once in {report:#}"
        );
    }
    assert_eq!(run.code, Some(2));
    unlock(dir.path());
}

#[test]
fn faults_named_on_the_command_line_are_reported_once_and_do_not_hang() {
    let dir = scratch();
    let unprivileged = reads_anything(dir.path());
    faulty_project(dir.path());
    let named = [
        "project/pipe.js",
        "project/loop_a.js",
        "project/gone.js",
        "project/locked.js",
        "project/locked_dir",
        "project/binary.js",
        "project/good.js",
        // The same fault twice, named and met in a walked folder: once.
        "project/sub",
        "project/sub/up",
    ];
    let mut args = vec!["--format", "compact"];
    args.extend(named);
    let run = check(dir.path(), &args, unprivileged);
    for path in [
        "project/pipe.js",
        "project/loop_a.js",
        "project/gone.js",
        "project/locked.js",
        "project/locked_dir",
        "project/binary.js",
    ] {
        assert_eq!(run.errors_for(path).len(), 1, "{path}:\n{}", run.stderr);
    }
    assert_eq!(
        run.finding_paths(),
        ["project/good.js", "project/sub/good2.js"],
        "{}",
        run.stderr
    );
    assert_eq!(run.code, Some(2));
    assert!(run.elapsed < Duration::from_secs(20), "{:?}", run.elapsed);
    unlock(dir.path());
}

#[test]
fn files_deleted_while_the_check_runs_are_each_reported_at_most_once() {
    const CHURN: usize = 200;
    const RUNS: usize = 10;
    let dir = scratch();
    let project = dir.path().join("project");
    let churn = project.join("churn");
    std::fs::create_dir_all(&churn).unwrap();
    std::fs::write(project.join("stable.js"), GOOD).unwrap();
    // Files without findings (so every finding comes from stable.js) but with
    // async code, so each takes a moment to analyse and the files deleted
    // behind the walk are met when read.
    let body = "async function f(g) {\n  const v = await g();\n  return v;\n}\n".repeat(60);
    for i in 0..CHURN {
        std::fs::write(churn.join(format!("f{i}.js")), &body).unwrap();
    }

    let stop = Arc::new(AtomicBool::new(false));
    let churner = {
        let stop = Arc::clone(&stop);
        let churn = churn.clone();
        std::thread::spawn(move || {
            let mut cycles = 0_usize;
            while !stop.load(Ordering::Relaxed) {
                // All gone, then all back: a file is missing half of the time.
                for i in 0..CHURN {
                    let _ = std::fs::remove_file(churn.join(format!("f{i}.js")));
                }
                for i in 0..CHURN {
                    let _ = std::fs::write(churn.join(format!("f{i}.js")), &body);
                }
                cycles += 1;
            }
            cycles
        })
    };

    let mut raced = 0;
    let mut reported = 0;
    for _ in 0..RUNS {
        let run = check(
            dir.path(),
            &["--format", "compact", "--threads", "1", "project"],
            false,
        );
        let errors = run.error_lines();
        let mut named: Vec<&str> = errors
            .iter()
            .map(|line| {
                line.trim_start_matches("error: ")
                    .split(": ")
                    .next()
                    .unwrap_or_default()
            })
            .collect();
        for line in &errors {
            assert!(
                line.starts_with("error: project/churn/f")
                    && line.contains("No such file or directory"),
                "only a deleted file may fail: {line}"
            );
        }
        let count = named.len();
        named.sort();
        named.dedup();
        assert_eq!(named.len(), count, "a path reported twice:\n{}", run.stderr);
        assert_eq!(run.finding_paths(), ["project/stable.js"], "{}", run.stderr);
        if count > 0 {
            raced += 1;
            reported += count;
            assert!(
                run.summary().ends_with(&format!(
                    "; {count} {} could not be checked",
                    if count == 1 { "path" } else { "paths" }
                )),
                "{}",
                run.summary()
            );
            assert_eq!(run.code, Some(2));
        } else {
            assert_eq!(run.code, Some(0), "{}", run.stderr);
        }
    }
    stop.store(true, Ordering::Relaxed);
    let cycles = churner.join().unwrap();
    // Each run meets a deleted file with a probability near 0.9 here; none in
    // ten would mean the race is no longer raced.
    assert!(raced > 0, "no run met a deleted file");
    eprintln!(
        "deleted while checking: {raced} of {RUNS} runs met a deleted file ({reported} reports); \
         {cycles} delete-and-recreate cycles of {CHURN} files"
    );
}
