//! End-to-end tests of `ticklens lsp`: the real binary, JSON-RPC over stdio.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::LspClient;
use serde_json::{json, Value};

const URI: &str = "file:///project/app.js";

const EXECUTOR: &str = "async function getData(url) {\n  return new Promise(async (resolve) => {\n    const data = await fetch(url);\n    resolve(data);\n  });\n}\n";

/// The diagnostics of one rule, so other rules' findings do not disturb a test.
fn executor_findings(diagnostics: Vec<Value>) -> Vec<Value> {
    diagnostics
        .into_iter()
        .filter(|d| d["code"] == "async-promise-executor")
        .collect()
}

fn start(line: &Value) -> (i64, i64) {
    (
        line["range"]["start"]["line"].as_i64().unwrap(),
        line["range"]["start"]["character"].as_i64().unwrap(),
    )
}

/// Initializes `client` with async-promise-executor switched on in the
/// editor's settings: the rule these tests read, off by default.
fn initialize_with_the_rule_on(client: &mut LspClient, capabilities: Value) -> Value {
    client.initialize_with_options(
        capabilities,
        json!({ "rules": { "async-promise-executor": "on" } }),
    )
}

#[test]
fn open_edit_diagnose_hover_shutdown() {
    let mut client = LspClient::spawn();
    let init = initialize_with_the_rule_on(&mut client, json!({}));
    assert_eq!(
        init["capabilities"]["textDocumentSync"], 2,
        "incremental sync"
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["serverInfo"]["name"], "ticklens");

    client.open(URI, EXECUTOR);
    let diagnostics = executor_findings(client.diagnostics(URI, 1));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["code"], "async-promise-executor");
    assert_eq!(diagnostics[0]["source"], "ticklens");
    assert_eq!(start(&diagnostics[0]), (1, 21));

    // Append a line with an emoji before a second async executor: its column
    // must count the emoji as two UTF-16 units.
    let appended = "const s = '😀'; new Promise(async () => {});\n";
    client.change(
        URI,
        2,
        json!([{ "range": { "start": { "line": 6, "character": 0 }, "end": { "line": 6, "character": 0 } },
                 "text": appended }]),
    );
    let diagnostics = executor_findings(client.diagnostics(URI, 2));
    assert_eq!(diagnostics.len(), 2, "{diagnostics:#?}");
    assert_eq!(start(&diagnostics[1]), (6, 28));
    assert_eq!(diagnostics[1]["range"]["end"]["character"], 33);

    // The first executor's `await`, in an async arrow, after the edit of line 6.
    let hover = client.hover(URI, 2, 18);
    let text = hover["contents"]["value"].as_str().expect("markdown hover");
    assert!(text.contains("await"), "{text}");
    assert!(text.contains("fetch(url)"), "{text}");
    assert_eq!(
        hover["range"]["start"],
        json!({ "line": 2, "character": 17 })
    );

    // Replace `async` in the first executor with nothing: one finding left.
    client.change(
        URI,
        3,
        json!([{ "range": { "start": { "line": 1, "character": 21 }, "end": { "line": 1, "character": 27 } },
                 "text": "" }]),
    );
    let diagnostics = executor_findings(client.diagnostics(URI, 3));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(start(&diagnostics[0]), (6, 28));
    // Its arrow is no longer async, so that `await` is not an await (a SyntaxError in Node).
    assert!(client.hover(URI, 2, 18).is_null());

    assert!(client.shutdown_and_exit().success());
}

#[test]
fn utf8_is_used_when_the_client_offers_it() {
    let mut client = LspClient::spawn();
    let init = initialize_with_the_rule_on(
        &mut client,
        json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } }),
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    client.open(URI, "const s = '😀'; new Promise(async () => {});\n");
    let diagnostics = executor_findings(client.diagnostics(URI, 1));
    // The emoji is four UTF-8 bytes.
    assert_eq!(start(&diagnostics[0]), (0, 30));
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn crlf_documents_keep_lines_and_columns() {
    let mut client = LspClient::spawn();
    initialize_with_the_rule_on(&mut client, json!({}));
    client.open(URI, "// é\r\nnew Promise(async () => {});\r\n");
    assert_eq!(
        start(&executor_findings(client.diagnostics(URI, 1))[0]),
        (1, 12)
    );
    client.change(
        URI,
        2,
        json!([{ "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 0 } },
                 "text": "x;\r\n" }]),
    );
    assert_eq!(
        start(&executor_findings(client.diagnostics(URI, 2))[0]),
        (2, 12)
    );
}

#[test]
fn a_syntax_error_is_published_as_an_error_until_it_is_fixed() {
    let mut client = LspClient::spawn();
    initialize_with_the_rule_on(&mut client, json!({}));
    // No rule's trigger word: the syntax error alone is reported.
    client.open(URI, "const total = 1;\nconst broken = ;\n");
    let diagnostics = client.diagnostics(URI, 1);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let error = &diagnostics[0];
    assert_eq!(
        (&error["code"], &error["severity"], start(error).0),
        (&json!("syntax-error"), &json!(1), 1),
        "{error:#}"
    );
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Node will not run this file: a syntax error")),
        "{error:#}"
    );
    client.change(
        URI,
        2,
        json!([{ "range": { "start": { "line": 1, "character": 15 }, "end": { "line": 1, "character": 15 } },
                 "text": "2" }]),
    );
    assert_eq!(client.diagnostics(URI, 2), Vec::<Value>::new());
}

#[test]
fn close_clears_diagnostics() {
    let mut client = LspClient::spawn();
    initialize_with_the_rule_on(&mut client, json!({}));
    client.open(URI, EXECUTOR);
    assert_eq!(executor_findings(client.diagnostics(URI, 1)).len(), 1);
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": URI } }),
    );
    let cleared = client.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"].is_null()
    });
    assert_eq!(cleared["params"]["diagnostics"], json!([]));
}

#[test]
fn stale_versions_are_ignored() {
    let mut client = LspClient::spawn();
    initialize_with_the_rule_on(&mut client, json!({}));
    client.open(URI, "x;\n");
    executor_findings(client.diagnostics(URI, 1));
    client.change(
        URI,
        5,
        json!([{ "text": "new Promise(async () => {});\n" }]),
    );
    assert_eq!(executor_findings(client.diagnostics(URI, 5)).len(), 1);
    // An older version arrives late: it must not replace the newer text.
    client.change(URI, 4, json!([{ "text": "y;\n" }]));
    client.change(URI, 6, json!([{ "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 0 } },
                                   "text": "z;\n" }]));
    assert_eq!(executor_findings(client.diagnostics(URI, 6)).len(), 1);
}

#[test]
fn out_of_range_change_pauses_the_document_until_full_text_arrives() {
    let mut client = LspClient::spawn();
    initialize_with_the_rule_on(&mut client, json!({}));
    client.open(URI, EXECUTOR);
    executor_findings(client.diagnostics(URI, 1));
    client.change(
        URI,
        2,
        json!([{ "range": { "start": { "line": 40, "character": 0 }, "end": { "line": 41, "character": 0 } },
                 "text": "oops" }]),
    );
    let log = client.wait_for(|m| m["method"] == "window/logMessage");
    assert!(
        log["params"]["message"]
            .as_str()
            .unwrap()
            .contains("did not fit"),
        "{log}"
    );
    // Nothing is reported while out of sync...
    assert_eq!(
        executor_findings(client.diagnostics(URI, 2)),
        Vec::<Value>::new()
    );
    assert_eq!(client.hover(URI, 2, 18), Value::Null);
    // ...and a full-text change brings the document back.
    client.change(URI, 3, json!([{ "text": EXECUTOR }]));
    assert_eq!(executor_findings(client.diagnostics(URI, 3)).len(), 1);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn unknown_documents_get_empty_results() {
    let mut client = LspClient::spawn();
    initialize_with_the_rule_on(&mut client, json!({}));
    assert_eq!(client.hover("file:///nowhere.js", 0, 0), Value::Null);
    client.change("file:///nowhere.js", 2, json!([{ "text": "x" }]));
    let order = client.call(
        "ticklens/order",
        json!({ "textDocument": { "uri": "file:///nowhere.js" } }),
    );
    assert!(
        order["abstained"].as_str().unwrap().contains("not open"),
        "{order}"
    );
    assert!(client.shutdown_and_exit().success());
}

/// Needs a server built with the `fault-injection` feature (scripts/test.sh
/// and .ci/run build it so); without it no panic could happen, so the test
/// fails at once saying which feature is missing.
#[test]
fn a_panicking_analysis_is_contained_and_other_documents_keep_working() {
    if !cfg!(feature = "fault-injection") {
        panic!(
            "this test needs the server built with `--features ticklens/fault-injection` \
             (scripts/test.sh passes it, and .ci/run runs that): without it the server \
             cannot panic on purpose"
        );
    }
    let mut client = LspClient::spawn_with_env(&[("TICKLENS_FAULT_INJECT_PANIC", "EXPLODE_HERE")]);
    initialize_with_the_rule_on(&mut client, json!({}));
    client.open(
        "file:///project/bad.js",
        "// EXPLODE_HERE\nasync function f() { await g(); }\n",
    );
    let log = client.wait_for(|m| m["method"] == "window/logMessage");
    assert!(
        log["params"]["message"]
            .as_str()
            .unwrap()
            .contains("failed"),
        "{log}"
    );
    // The server still serves the broken document's hovers and other documents.
    let hover = client.hover("file:///project/bad.js", 1, 22);
    assert!(hover["contents"]["value"].as_str().unwrap().contains("g()"));
    client.open(URI, EXECUTOR);
    assert_eq!(executor_findings(client.diagnostics(URI, 1)).len(), 1);
    assert!(client.shutdown_and_exit().success());
}

/// Eglot and LSP4IJ send `"params": null`, others leave the key out or send
/// `{}`: each shutdown is answered with a null result, and `exit` then ends the
/// server with status 0.
#[test]
fn shutdown_and_exit_accept_null_absent_or_empty_params() {
    for params in [Some(Value::Null), None, Some(json!({}))] {
        let mut client = LspClient::spawn();
        initialize_with_the_rule_on(&mut client, json!({}));
        let mut shutdown = json!({ "jsonrpc": "2.0", "id": 900, "method": "shutdown" });
        let mut exit = json!({ "jsonrpc": "2.0", "method": "exit" });
        if let Some(params) = &params {
            shutdown["params"] = params.clone();
            exit["params"] = params.clone();
        }
        client.send(&shutdown);
        let response =
            client.wait_for(|m| m.get("id") == Some(&json!(900)) && m.get("method").is_none());
        assert_eq!(response.get("error"), None, "params {params:?}: {response}");
        assert_eq!(
            response.get("result"),
            Some(&Value::Null),
            "params {params:?}: {response}"
        );
        client.send(&exit);
        assert_eq!(client.wait_exit().code(), Some(0), "params {params:?}");
    }
}

#[test]
fn exit_without_shutdown_exits_with_status_1() {
    let mut client = LspClient::spawn();
    initialize_with_the_rule_on(&mut client, json!({}));
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(1));
}

#[test]
fn suppression_quick_fix_silences_the_finding() {
    let mut client = LspClient::spawn();
    initialize_with_the_rule_on(&mut client, json!({}));
    client.open(URI, EXECUTOR);
    let diagnostics = executor_findings(client.diagnostics(URI, 1));
    let actions = client.call(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": URI }, "range": diagnostics[0]["range"],
                "context": { "diagnostics": diagnostics } }),
    );
    let ignore = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Ignore async-promise-executor on this line")
        .unwrap_or_else(|| panic!("no suppression action in {actions:#}"));
    assert_eq!(ignore["kind"], "quickfix");
    assert_eq!(
        ignore["edit"]["documentChanges"][0]["textDocument"]["version"],
        1
    );
    let fixed = lsp_client::apply_workspace_edit(EXECUTOR, &ignore["edit"]);
    assert!(
        fixed.contains(
            "  // ticklens-ignore-next-line async-promise-executor\n  return new Promise(async"
        ),
        "{fixed}"
    );
    client.change(URI, 2, json!([{ "text": fixed }]));
    assert_eq!(
        executor_findings(client.diagnostics(URI, 2)),
        Vec::<Value>::new()
    );
}

#[test]
fn a_rule_off_by_default_reports_once_the_editor_settings_switch_it_on() {
    let text = "async function save(record) {\n  await db.insert(record);\n}\n\nasync function handler(req) {\n  save(req.body);\n  return \"ok\";\n}\n";
    let of_rule = |diagnostics: Vec<Value>| -> Vec<Value> {
        diagnostics
            .into_iter()
            .filter(|d| d["code"] == "floating-promise")
            .collect()
    };
    let mut client = LspClient::spawn();
    client.initialize(json!({}));
    client.open(URI, text);
    assert_eq!(of_rule(client.diagnostics(URI, 1)), Vec::<Value>::new());
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "ticklens": { "rules": { "floating-promise": "on" } } } }),
    );
    let switched_on = of_rule(client.diagnostics(URI, 1));
    assert_eq!(switched_on.len(), 1, "{switched_on:#?}");
    assert_eq!(switched_on[0]["severity"], 2, "its own severity, warning");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn the_target_node_of_package_json_or_ticklens_toml_reaches_the_editor() {
    let text = "function later(fn) {\n  process.nextTick(() => fn());\n}\nready.then(() => later(start));\n";
    let of_rule = |diagnostics: Vec<Value>| -> usize {
        diagnostics
            .iter()
            .filter(|d| d["code"] == "prefer-queue-microtask")
            .count()
    };
    let mut client = LspClient::spawn();
    client.initialize(json!({}));
    // (package.json, the `[runtime]` lines of ticklens.toml, findings).
    let cases = [
        (r#"{"engines":{"node":">=8"}}"#, "", 0),
        (r#"{"engines":{"node":">=18"}}"#, "", 1),
        (r#"{"name":"no-engines"}"#, "", 1),
        (
            r#"{"engines":{"node":">=8"}}"#,
            "[runtime]\nnode = \">=20\"\n",
            1,
        ),
        (
            r#"{"engines":{"node":">=18"}}"#,
            "[runtime]\nnode = \">=8\"\n",
            0,
        ),
    ];
    let dirs: Vec<_> = cases.iter().map(|_| tempfile::tempdir().unwrap()).collect();
    for (dir, (package, runtime, expected)) in dirs.iter().zip(cases) {
        std::fs::write(dir.path().join("package.json"), package).unwrap();
        std::fs::write(
            dir.path().join("ticklens.toml"),
            format!("[rules]\nprefer-queue-microtask = \"on\"\n{runtime}"),
        )
        .unwrap();
        let uri = format!("file://{}/later.js", dir.path().display());
        client.open(&uri, text);
        assert_eq!(
            of_rule(client.diagnostics(&uri, 1)),
            expected,
            "{package} {runtime}"
        );
    }
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn project_config_and_editor_settings_set_rule_levels() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ticklens.toml"),
        "[rules]\nasync-promise-executor = \"error\"\n",
    )
    .unwrap();
    let uri = format!("file://{}/app.js", dir.path().display());

    let mut client = LspClient::spawn();
    client.initialize(json!({}));
    client.open(&uri, EXECUTOR);
    assert_eq!(
        executor_findings(client.diagnostics(&uri, 1))[0]["severity"],
        1,
        "error from ticklens.toml"
    );
    // The editor's settings win over the project file.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "ticklens": { "rules": { "async-promise-executor": "off" } } } }),
    );
    assert_eq!(
        executor_findings(client.diagnostics(&uri, 1)),
        Vec::<Value>::new()
    );

    let mut client = LspClient::spawn();
    client.initialize(
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }),
    );
    let registration = client.wait_for(|m| m["method"] == "client/registerCapability");
    assert_eq!(
        registration["params"]["registrations"][0]["registerOptions"]["watchers"][0]["globPattern"],
        "**/ticklens.toml"
    );
    std::fs::write(
        dir.path().join("ticklens.toml"),
        "[rules]\nasync-promise-executor = \"hint\"\n",
    )
    .unwrap();
    client.open(&uri, EXECUTOR);
    assert_eq!(
        executor_findings(client.diagnostics(&uri, 1))[0]["severity"],
        4,
        "hint"
    );
    // A broken config is reported, and defaults apply.
    std::fs::write(
        dir.path().join("ticklens.toml"),
        "[rules]\nnot-a-rule = \"off\"\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": format!("file://{}/ticklens.toml", dir.path().display()), "type": 2 }] }),
    );
    let message = client.wait_for(|m| m["method"] == "window/showMessage");
    assert!(
        message["params"]["message"]
            .as_str()
            .unwrap()
            .contains("not-a-rule"),
        "{message}"
    );
    assert_eq!(
        executor_findings(client.diagnostics(&uri, 1)),
        Vec::<Value>::new(),
        "the defaults: the rule is off"
    );
}
