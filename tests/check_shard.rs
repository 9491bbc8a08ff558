//! `ticklens check --shard K/N`: the N shards of a run together report
//! exactly what one unsharded run reports, each file by one shard, whatever
//! the files import from other shards. Runs the real binary on the repo's
//! fixtures and examples and on a scratch project whose files import each
//! other (JavaScript and TypeScript), with every rule switched on.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Each reported file's JSON entry (its status and findings), by path, of
/// `check PATHS --format json` run in `dir`, and the exit status.
fn reported(dir: &Path, paths: &[&str], shard: Option<&str>) -> (BTreeMap<String, Value>, i32) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ticklens"));
    command
        .arg("check")
        .args(paths)
        .args(["--no-cache", "--format", "json"])
        .current_dir(dir);
    if let Some(shard) = shard {
        command.args(["--shard", shard]);
    }
    let output = command.output().expect("the ticklens binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}): {stderr}"));
    let mut files = BTreeMap::new();
    for file in report["files"].as_array().expect("a list of files") {
        let path = file["path"].as_str().expect("a path").to_owned();
        assert!(
            files.insert(path.clone(), file.clone()).is_none(),
            "{path} reported twice"
        );
    }
    (files, output.status.code().expect("an exit status"))
}

/// The N shards' reports, merged; fails when two shards report one file.
fn sharded(dir: &Path, paths: &[&str], count: usize) -> (BTreeMap<String, Value>, Vec<i32>) {
    let mut merged = BTreeMap::new();
    let mut statuses = Vec::new();
    for index in 1..=count {
        let (files, status) = reported(dir, paths, Some(&format!("{index}/{count}")));
        for (path, file) in files {
            assert!(
                merged.insert(path.clone(), file).is_none(),
                "{path} reported by two shards of {count}"
            );
        }
        statuses.push(status);
    }
    (merged, statuses)
}

fn assert_shards_report_what_one_run_does(dir: &Path, paths: &[&str]) {
    let (whole, status) = reported(dir, paths, None);
    let findings: usize = whole
        .values()
        .map(|file| file["findings"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(
        findings > 10,
        "the run must find something to compare: {findings}"
    );
    for count in [1, 2, 3, 7] {
        let (merged, statuses) = sharded(dir, paths, count);
        assert_eq!(merged, whole, "{count} shards");
        // The worst shard's status is the run's (the statuses are ordered: 0 < 1 < 2).
        assert_eq!(statuses.iter().max(), Some(&status), "{count} shards");
    }
}

#[test]
fn the_shards_of_the_fixtures_and_examples_together_report_one_run() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    assert_shards_report_what_one_run_does(&repo, &["tests/fixtures", "examples"]);
}

#[test]
fn a_file_importing_from_another_shard_reports_what_it_reports_unsharded() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let rules = "[rules]\nfloating-promise = \"on\"\nawait-in-loop = \"on\"\n";
    std::fs::write(dir.path().join("ticklens.toml"), rules).expect("the config is written");
    for i in 0..24 {
        let (ext, typed) = if i % 3 == 0 {
            ("ts", ": Promise<number>")
        } else {
            ("js", "")
        };
        let next = (i + 1) % 24;
        let next_ext = if next % 3 == 0 { "ts" } else { "js" };
        let text = format!(
            "import {{ load{next} }} from './m{next}.{next_ext}';\n\
             export async function load{i}(url){typed} {{\n  const r = await fetch(url);\n  return r.json();\n}}\n\
             export async function start{i}(urls) {{\n  load{next}(urls[0]);\n  for (const u of urls) await load{i}(u);\n}}\n"
        );
        let folder = dir.path().join("lib");
        std::fs::create_dir_all(&folder).expect("the folder is made");
        std::fs::write(folder.join(format!("m{i}.{ext}")), text).expect("the file is written");
    }
    assert_shards_report_what_one_run_does(dir.path(), &["."]);
}

#[test]
fn a_path_that_cannot_be_checked_is_reported_by_one_shard() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let paths = ["examples", "no-such-file.js"];
    let (whole, status) = reported(&repo, &paths, None);
    assert_eq!(status, 2, "a missing path fails the run");
    let (merged, statuses) = sharded(&repo, &paths, 3);
    assert_eq!(merged, whole);
    assert_eq!(
        statuses.iter().filter(|&&s| s == 2).count(),
        1,
        "{statuses:?}"
    );
}
