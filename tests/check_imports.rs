//! `ticklens check` across files: a call of an async function another
//! workspace file exports is a promise like a call of the file's own, so
//! `floating-promise` reports it when it is dropped. Each test writes a small
//! project into a scratch folder and runs the real binary on it; every
//! project has a control (the same call of something that is not known to be
//! async) that must stay silent.

use std::path::Path;
use std::process::Command;

/// The compact stdout of `ticklens check .` in `dir`, with the cache in
/// `cache` or without one.
fn check(dir: &Path, cache: Option<&Path>) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ticklens"));
    command
        .arg("check")
        .args(["--format", "compact", "--color", "never"])
        .current_dir(dir);
    match cache {
        Some(cache) => command.arg("--cache-dir").arg(cache),
        None => command.arg("--no-cache"),
    };
    let output = command.arg(".").output().expect("the ticklens binary runs");
    let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{stdout}\n{stderr}"
    );
    stdout
}

/// The `floating-promise` findings of one run, as `path:line`, and its stdout.
fn floating(dir: &Path, cache: Option<&Path>) -> (Vec<String>, String) {
    let stdout = check(dir, cache);
    let mut found: Vec<String> = stdout
        .lines()
        .filter(|line| line.contains("[floating-promise]"))
        .map(|line| {
            let mut parts = line.splitn(3, ':');
            let path = parts.next().unwrap_or_default().trim_start_matches("./");
            format!("{path}:{}", parts.next().unwrap_or_default())
        })
        .collect();
    found.sort();
    (found, stdout)
}

/// A scratch project of `files`, with `floating-promise` (off by default)
/// switched on in its `ticklens.toml`.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a scratch folder");
    std::fs::write(
        dir.path().join("ticklens.toml"),
        "[rules]\nfloating-promise = \"on\"\n",
    )
    .expect("the config is written");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("the folder is made");
        std::fs::write(path, text).expect("the file is written");
    }
    dir
}

fn findings(files: &[(&str, &str)]) -> Vec<String> {
    let dir = project(files);
    floating(dir.path(), None).0
}

#[test]
fn a_required_async_function_dropped_is_reported() {
    let found = findings(&[
        (
            "a.js",
            "exports.save = async function (x) { await x; };\nexports.load = function () { return 1; };\n",
        ),
        (
            "main.js",
            "const { save, load } = require('./a');\nconst a = require('./a.js');\nsave(1);\nload();\na.save(2);\na.load();\n",
        ),
    ]);
    assert_eq!(found, ["main.js:3", "main.js:5"]);
}

#[test]
fn an_imported_async_function_and_class_method_dropped_are_reported() {
    let found = findings(&[
        ("package.json", "{\"type\": \"module\"}"),
        (
            "store.js",
            "export async function save(x) { await x; }\nexport function load() { return 1; }\nexport class Repo { async put(x) { await x; } get() { return 1; } }\nexport default async function flush() { await null; }\n",
        ),
        (
            "main.js",
            "import flush, { save, load, Repo } from './store.js';\nimport * as store from './store.js';\nsave(1);\nload();\nstore.save(2);\nconst repo = new Repo();\nrepo.put(3);\nrepo.get();\nflush();\n",
        ),
    ]);
    assert_eq!(found, ["main.js:3", "main.js:5", "main.js:7", "main.js:9"]);
}

#[test]
fn re_exports_are_followed_to_the_file_that_declares_the_function() {
    let found = findings(&[
        ("package.json", "{\"type\": \"module\"}"),
        ("lib/save.js", "export async function save(x) { await x; }\n"),
        (
            "lib/load.js",
            "export async function load(x) { await x; }\nexport const sync = () => 1;\n",
        ),
        (
            "lib/index.js",
            "export { save as store } from './save.js';\nexport * from './load.js';\nexport * as all from './load.js';\n",
        ),
        (
            "main.js",
            "import { store, load, sync, all } from './lib/index.js';\nstore(1);\nload(2);\nsync();\nall.load(3);\n",
        ),
    ]);
    assert_eq!(found, ["main.js:2", "main.js:3", "main.js:5"]);
}

#[test]
fn cycles_and_unresolvable_paths_leave_names_unknown() {
    let found = findings(&[
        ("package.json", "{\"type\": \"module\"}"),
        // A cycle of re-exports: `ghost` is exported by neither file.
        (
            "a.js",
            "export * from './b.js';\nexport async function real(x) { await x; }\n",
        ),
        ("b.js", "export * from './a.js';\n"),
        (
            "main.js",
            "import { ghost, real } from './b.js';\nimport { gone } from './missing.js';\nghost();\nreal(1);\ngone();\n",
        ),
        // Files that require each other: each call is still known.
        (
            "c.cjs",
            "const { d } = require('./d.cjs');\nexports.c = async () => { await null; };\nfunction run() { d(); }\nmodule.exports.run = run;\n",
        ),
        (
            "d.cjs",
            "const { c } = require('./c.cjs');\nconst { nope } = require('./nope.cjs');\nexports.d = async () => { await null; };\nfunction run() { c(); nope(); }\nexports.run = run;\n",
        ),
    ]);
    assert_eq!(found, ["c.cjs:3", "d.cjs:4", "main.js:4"]);
}

#[test]
fn a_name_the_file_binds_again_is_not_trusted() {
    let found = findings(&[
        ("a.js", "exports.save = async function (x) { await x; };\n"),
        (
            "main.js",
            "const { save } = require('./a');\nfunction f(save) { save(); }\nsave(1);\n",
        ),
    ]);
    assert_eq!(found, [] as [String; 0]);
}

#[test]
fn a_warm_run_gives_the_cold_runs_findings_and_sees_an_imported_files_change() {
    let dir = project(&[
        ("a.js", "exports.save = async function (x) { await x; };\n"),
        (
            "main.js",
            "const { save } = require('./a');\nsave(1);\nsave(2);\n",
        ),
    ]);
    let cache = tempfile::tempdir().expect("a cache folder");
    let (cold, cold_out) = floating(dir.path(), Some(cache.path()));
    assert_eq!(cold, ["main.js:2", "main.js:3"]);
    let (warm, warm_out) = floating(dir.path(), Some(cache.path()));
    let without_time = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|line| !line.starts_with("checked "))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(without_time(&warm_out), without_time(&cold_out));
    assert_eq!(warm, cold);
    // `save` is no longer async: main.js's cached findings must not be read.
    std::fs::write(
        dir.path().join("a.js"),
        "exports.save = function (x) { return x; };\n",
    )
    .expect("a.js is rewritten");
    let (changed, _) = floating(dir.path(), Some(cache.path()));
    assert_eq!(changed, [] as [String; 0]);
}

/// A promise the exporting file's own facts say cannot reject is silent in
/// the importer too: an async function whose body catches everything, and a
/// promised timer called with a number (`sleep(500).then(f)`, `f` cannot
/// fail). An async function that can reject, a timer called with what may
/// not be a number, and a function that can fail only on its options called
/// without an object literal are still reported.
#[test]
fn an_imported_promise_that_cannot_reject_is_not_reported() {
    let commonjs = findings(&[
        (
            "util.js",
            "const { promisify } = require('util');\n\
             const sleep = promisify(setTimeout);\n\
             async function drop(x) { try { await x; } catch (e) {} }\n\
             async function save(x) { await x; }\n\
             const wait = async ({ signal }) => { try { await signal; } catch {} };\n\
             module.exports = { sleep, drop, save, wait };\n",
        ),
        (
            "more.js",
            "const util = require('util');\n\
             exports.nap = util.promisify(setTimeout);\n\
             exports.tick = require('timers/promises').setImmediate;\n",
        ),
        (
            "main.js",
            "const { sleep, drop, save, wait } = require('./util');\n\
             const u = require('./util.js');\n\
             const more = require('./more');\n\
             sleep(500).then(() => {});\n\
             drop(1);\n\
             u.drop(2);\n\
             u.sleep(5);\n\
             more.nap(5);\n\
             more.tick('v');\n\
             wait({ signal: 1 });\n\
             save(1);\n\
             sleep('500').then(() => {});\n\
             u.sleep(ms);\n\
             more.tick(v);\n\
             wait(options);\n",
        ),
    ]);
    assert_eq!(
        commonjs,
        [
            "main.js:11",
            "main.js:12",
            "main.js:13",
            "main.js:14",
            "main.js:15"
        ]
    );
    let es = findings(&[
        (
            "timers.mjs",
            "import { promisify } from 'node:util';\n\
             export const sleep = promisify(setTimeout);\n\
             export async function quiet() { try { await null; } catch {} }\n\
             export async function loud() { await null; throw new Error('x'); }\n",
        ),
        (
            "main.mjs",
            "import { sleep, quiet, loud } from './timers.mjs';\n\
             import { setTimeout as later } from 'node:timers/promises';\n\
             sleep(500).then(() => {});\n\
             quiet();\n\
             later(1).then(() => {});\n\
             loud();\n\
             later(1, undefined, { signal }).then(() => {});\n",
        ),
    ]);
    assert_eq!(es, ["main.mjs:6", "main.mjs:7"]);
}

/// Every finding line of one run under the default rules (no
/// `ticklens.toml`), sorted.
fn default_findings(dir: &Path, cache: Option<&Path>) -> Vec<String> {
    let mut found: Vec<String> = check(dir, cache)
        .lines()
        .filter(|line| !line.starts_with("checked "))
        .map(|line| line.trim_start_matches("./").to_owned())
        .collect();
    found.sort();
    found
}

/// A file whose rules may read what it imports is analysed without it
/// first (promise-constructor-wrap asks what `load()` is only in `wrap.js`):
/// the cache keeps that first analysis's findings, or that it was not
/// enough, and every run, cold, warm or after the imported file changed,
/// reports what a run without the cache reports.
#[test]
fn a_first_analysis_without_imports_is_cached_and_an_imported_files_change_is_seen() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let write = |name: &str, text: &str| {
        std::fs::write(dir.path().join(name), text).expect("the file is written");
    };
    write(
        "lib.js",
        "exports.load = async function () { return 1; };\n",
    );
    write(
        "wrap.js",
        "const { load } = require('./lib.js');\n\
         function f() { return new Promise((resolve) => resolve(load())); }\n\
         module.exports = f;\n",
    );
    write(
        "sleep.js",
        "const { load } = require('./lib.js');\n\
         const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));\n\
         module.exports = { sleep, load };\n",
    );
    let cache = tempfile::tempdir().expect("a cache folder");
    let wraps = |found: &[String]| -> Vec<String> {
        found
            .iter()
            .filter(|line| line.contains("[promise-constructor-wrap]"))
            .map(|line| line.split(':').take(2).collect::<Vec<_>>().join(":"))
            .collect()
    };
    let uncached = default_findings(dir.path(), None);
    assert_eq!(wraps(&uncached), ["wrap.js:2"], "{uncached:?}");
    let cold = default_findings(dir.path(), Some(cache.path()));
    assert_eq!(cold, uncached);
    let warm = default_findings(dir.path(), Some(cache.path()));
    assert_eq!(warm, uncached);
    // `load` is no longer async: `wrap.js` forwards no promise now.
    write("lib.js", "exports.load = function () { return 1; };\n");
    let uncached = default_findings(dir.path(), None);
    assert_eq!(wraps(&uncached), [] as [String; 0], "{uncached:?}");
    let changed = default_findings(dir.path(), Some(cache.path()));
    assert_eq!(changed, uncached);
}
