//! `ticklens lsp` across files: an await of a function imported from another
//! workspace file is decided by that file's exports, an open buffer wins over
//! the disk copy, and a change to the imported file (its buffer, or
//! `workspace/didChangeWatchedFiles` for a closed file) changes the importer's
//! hover and diagnostics, whether a promise function is imported or whether
//! it can reject.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::LspClient;
use serde_json::{json, Value};

const HELPERS_ASYNC: &str = "exports.load = load;\nasync function load(key) {\n  return key;\n}\n";
const HELPERS_PLAIN: &str = "exports.load = load;\nfunction load(key) {\n  return key;\n}\n";
const MAIN: &str = "const helpers = require('./helpers');\nconst { load } = require('./helpers.js');\n\nasync function run() {\n  await load(1);\n  await (0, helpers.load)(2);\n}\nmodule.exports = { run };\n";

fn hover_text(hover: &Value) -> String {
    hover["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The hovers of the two awaits of `MAIN` (lines 4 and 5).
fn await_hovers(client: &mut LspClient, uri: &str) -> [String; 2] {
    [
        hover_text(&client.hover(uri, 4, 3)),
        hover_text(&client.hover(uri, 5, 3)),
    ]
}

fn assert_decided(hovers: &[String; 2]) {
    for hover in hovers {
        assert!(
            hover.contains("It is a native `Promise`: `load` is an async function in `./helpers")
                && hover.contains("(line 2)")
                && !hover.contains("if it is a native"),
            "{hover}"
        );
    }
}

fn assert_hedged(hovers: &[String; 2]) {
    for hover in hovers {
        assert!(
            hover.contains("if it is a native `Promise`") && !hover.contains("It is a native"),
            "{hover}"
        );
    }
}

#[test]
fn an_imported_async_function_decides_the_await_and_changes_follow_the_imported_file() {
    let dir = tempfile::tempdir().unwrap();
    let helpers_path = dir.path().join("helpers.js");
    std::fs::write(&helpers_path, HELPERS_ASYNC).unwrap();
    std::fs::write(dir.path().join("main.js"), MAIN).unwrap();
    let main = format!("file://{}/main.js", dir.path().display());
    let helpers = format!("file://{}", helpers_path.display());

    let mut client = LspClient::spawn();
    let init = client.initialize(
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }),
    );
    assert!(init["capabilities"].is_object());
    let registration = client.wait_for(|m| m["method"] == "client/registerCapability");
    let watchers = &registration["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert!(
        watchers
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["globPattern"] == "**/*.{js,mjs,cjs,jsx}"),
        "{watchers}"
    );
    client.open(&main, MAIN);
    assert_decided(&await_hovers(&mut client, &main));

    // The imported file opened with other text: its buffer wins over the disk.
    // (A request about a document waits for that document's own open and
    // changes only: a hover on `helpers` first makes sure it is applied.)
    client.open(&helpers, HELPERS_PLAIN);
    client.hover(&helpers, 0, 0);
    assert_hedged(&await_hovers(&mut client, &main));
    client.change(&helpers, 2, json!([{ "text": HELPERS_ASYNC }]));
    client.hover(&helpers, 0, 0);
    assert_decided(&await_hovers(&mut client, &main));

    // Closed, the disk copy counts again; a change on disk is announced by
    // the watcher.
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": helpers } }),
    );
    client.hover(&helpers, 0, 0);
    assert_decided(&await_hovers(&mut client, &main));
    std::fs::write(&helpers_path, HELPERS_PLAIN).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": helpers, "type": 2 }] }),
    );
    // Notifications without a document are not ordered before later
    // requests: wait (a bounded time) for the change to be applied.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut hovers = await_hovers(&mut client, &main);
    while hovers[0].contains("It is a native") && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
        hovers = await_hovers(&mut client, &main);
    }
    assert_hedged(&hovers);
    assert!(client.shutdown_and_exit().success());
}

/// The `floating-promise` diagnostics' lines.
fn floating_lines(diagnostics: &[Value]) -> Vec<u64> {
    diagnostics
        .iter()
        .filter(|d| d["code"] == "floating-promise")
        .map(|d| d["range"]["start"]["line"].as_u64().unwrap_or(u64::MAX))
        .collect()
}

#[test]
fn a_dropped_call_of_an_imported_async_function_is_diagnosed_as_in_check() {
    let dir = tempfile::tempdir().unwrap();
    let store = "exports.save = async function (x) { await x; };\nexports.load = function () { return 1; };\n";
    // `load` is the control: a plain function of the same file, not a promise.
    let main_text = "const { save, load } = require('./a');\nsave(1);\nload();\n";
    std::fs::write(dir.path().join("a.js"), store).unwrap();
    std::fs::write(dir.path().join("main.js"), main_text).unwrap();
    let main = format!("file://{}/main.js", dir.path().display());

    let mut client = LspClient::spawn();
    // floating-promise is off by default.
    client.initialize_with_options(json!({}), json!({ "rules": { "floating-promise": "on" } }));
    client.open(&main, main_text);
    let diagnostics = client.diagnostics(&main, 1);
    assert_eq!(floating_lines(&diagnostics), [1], "{diagnostics:#?}");

    // The same call of a function not known to be async: nothing.
    let unknown = "const { save } = require('./missing');\nsave(1);\n";
    client.change(&main, 2, json!([{ "text": unknown }]));
    let diagnostics = client.diagnostics(&main, 2);
    assert_eq!(floating_lines(&diagnostics), [0u64; 0], "{diagnostics:#?}");
    assert!(client.shutdown_and_exit().success());
}

/// The importer's diagnostics follow the imported file: a function that
/// becomes async there makes the importer's dropped call a finding, without
/// an edit of the importer (its buffer changed, or the disk copy announced
/// by the watcher).
#[test]
fn the_importers_diagnostics_are_published_again_when_the_imported_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let plain = "exports.save = function (x) { return x; };\n";
    let async_save = "exports.save = async function (x) { await x; };\n";
    let main_text = "const { save } = require('./a');\nsave(1);\n";
    let store_path = dir.path().join("a.js");
    std::fs::write(&store_path, plain).unwrap();
    std::fs::write(dir.path().join("main.js"), main_text).unwrap();
    let main = format!("file://{}/main.js", dir.path().display());
    let store = format!("file://{}", store_path.display());
    let mut client = LspClient::spawn();
    // floating-promise is off by default.
    client.initialize_with_options(json!({}), json!({ "rules": { "floating-promise": "on" } }));
    client.open(&main, main_text);
    let diagnostics = client.diagnostics(&main, 1);
    assert_eq!(floating_lines(&diagnostics), [0u64; 0], "{diagnostics:#?}");
    // Its buffer: opened with an async `save`.
    client.open(&store, async_save);
    let diagnostics = client.diagnostics(&main, 1);
    assert_eq!(floating_lines(&diagnostics), [1], "{diagnostics:#?}");
    // Back to a plain function in the buffer.
    client.change(&store, 2, json!([{ "text": plain }]));
    let diagnostics = client.diagnostics(&main, 1);
    assert_eq!(floating_lines(&diagnostics), [0u64; 0], "{diagnostics:#?}");
    // Closed: the disk copy (plain) counts again.
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": store } }),
    );
    let diagnostics = client.diagnostics(&main, 1);
    assert_eq!(floating_lines(&diagnostics), [0u64; 0], "{diagnostics:#?}");
    // Changed on disk and announced by the watcher.
    std::fs::write(&store_path, async_save).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": store, "type": 2 }] }),
    );
    let diagnostics = client.diagnostics(&main, 1);
    assert_eq!(floating_lines(&diagnostics), [1], "{diagnostics:#?}");
    assert!(client.shutdown_and_exit().success());
}

/// Whether an imported async function can reject is decided by the
/// exporting file as the editor holds it: a body that catches everything
/// cannot, so its dropped call is silent; the open buffer that lets it throw
/// makes the importer's call a finding, and the disk copy counts again once
/// the buffer is closed, until the watcher announces a change on disk.
#[test]
fn an_imported_function_that_cannot_reject_follows_the_exporting_files_buffer() {
    let dir = tempfile::tempdir().unwrap();
    let quiet = "exports.drop = async function (x) { try { await x; } catch (e) {} };\n";
    let loud = "exports.drop = async function (x) { await x; };\n";
    let main_text = "const { drop } = require('./a');\ndrop(1);\n";
    let store_path = dir.path().join("a.js");
    std::fs::write(&store_path, quiet).unwrap();
    std::fs::write(dir.path().join("main.js"), main_text).unwrap();
    let main = format!("file://{}/main.js", dir.path().display());
    let store = format!("file://{}", store_path.display());
    let mut client = LspClient::spawn();
    // floating-promise is off by default.
    client.initialize_with_options(json!({}), json!({ "rules": { "floating-promise": "on" } }));
    client.open(&main, main_text);
    let diagnostics = client.diagnostics(&main, 1);
    assert_eq!(floating_lines(&diagnostics), [0u64; 0], "{diagnostics:#?}");
    // Its buffer lets `drop` reject: the dropped call is a finding.
    client.open(&store, loud);
    let diagnostics = client.diagnostics(&main, 1);
    assert_eq!(floating_lines(&diagnostics), [1], "{diagnostics:#?}");
    // Back to a body that catches everything.
    client.change(&store, 2, json!([{ "text": quiet }]));
    let diagnostics = client.diagnostics(&main, 1);
    assert_eq!(floating_lines(&diagnostics), [0u64; 0], "{diagnostics:#?}");
    client.change(&store, 3, json!([{ "text": loud }]));
    let diagnostics = client.diagnostics(&main, 1);
    assert_eq!(floating_lines(&diagnostics), [1], "{diagnostics:#?}");
    // Closed: the disk copy (cannot reject) counts again.
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": store } }),
    );
    let diagnostics = client.diagnostics(&main, 1);
    assert_eq!(floating_lines(&diagnostics), [0u64; 0], "{diagnostics:#?}");
    // Changed on disk and announced by the watcher.
    std::fs::write(&store_path, loud).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": store, "type": 2 }] }),
    );
    let diagnostics = client.diagnostics(&main, 1);
    assert_eq!(floating_lines(&diagnostics), [1], "{diagnostics:#?}");
    assert!(client.shutdown_and_exit().success());
}

/// An import of a file that does not exist yet binds nothing; once the file
/// is created (announced by the watcher), the importer's next analysis binds
/// it, although its own import statements did not change.
#[test]
fn a_created_file_is_bound_at_the_importers_next_edit() {
    let dir = tempfile::tempdir().unwrap();
    let main_text = "const { save } = require('./later');\nsave(1);\n";
    let edited = "const { save } = require('./later');\nsave(2);\n";
    std::fs::write(dir.path().join("main.js"), main_text).unwrap();
    let main = format!("file://{}/main.js", dir.path().display());
    let mut client = LspClient::spawn();
    // floating-promise is off by default.
    client.initialize_with_options(json!({}), json!({ "rules": { "floating-promise": "on" } }));
    client.open(&main, main_text);
    let diagnostics = client.diagnostics(&main, 1);
    assert_eq!(floating_lines(&diagnostics), [0u64; 0], "{diagnostics:#?}");
    let later_path = dir.path().join("later.js");
    std::fs::write(
        &later_path,
        "exports.save = async function (x) { await x; };\n",
    )
    .unwrap();
    let later = format!("file://{}", later_path.display());
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": later, "type": 1 }] }),
    );
    // Notifications without a document are not ordered before later ones:
    // edit until the creation has been applied (a bounded time).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut version = 1;
    loop {
        version += 1;
        let text = if version % 2 == 0 { edited } else { main_text };
        client.change(&main, version, json!([{ "text": text }]));
        let diagnostics = client.diagnostics(&main, version);
        if floating_lines(&diagnostics) == [1] {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the created file was never bound: {diagnostics:#?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(client.shutdown_and_exit().success());
}
