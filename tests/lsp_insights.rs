//! End-to-end tests of the editor insights over stdio: hovers with resume ticks
//! and retained variables, inlay hints, code lens and `ticklens/order`, on the
//! seed text's examples.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::LspClient;
use serde_json::{json, Value};

const URI: &str = "file:///project/example.js";

const EXAMPLE: &str = "async function example() {\n  console.log(\"A\");\n  const val = await Promise.resolve(\"B\");\n  console.log(val);\n  console.log(\"C\");\n}\nexample();\nconsole.log(\"D\");\n";

const X_AND_Y: &str = "async function x() {\n  console.log(\"x1\");\n  await Promise.resolve();\n  console.log(\"x2\");\n  await Promise.resolve();\n  console.log(\"x3\");\n}\nasync function y() {\n  console.log(\"y1\");\n  await Promise.resolve();\n  console.log(\"y2\");\n}\nx();\ny();\n";

const HANDLE: &str = "async function handle(req) {\n  let body = await readBody(req);\n  const parsed = parseRequest(body);\n  body = null;\n  const id = await db.save(parsed);\n  const log = () => console.log(req.url);\n  await audit(id);\n  log();\n  return parsed.kind;\n}\n";

fn open(text: &str) -> LspClient {
    let mut client = LspClient::spawn();
    client.initialize(json!({}));
    client.open(URI, text);
    client.diagnostics(URI, 1);
    client
}

fn hover_text(client: &mut LspClient, line: u32, character: u32) -> String {
    let hover = client.hover(URI, line, character);
    hover["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn hover_on_the_await_in_example_names_tick_1() {
    let mut client = open(EXAMPLE);
    let text = hover_text(&mut client, 2, 14);
    assert!(
        text.contains("Resumes on microtask tick 1 after `example()` was entered"),
        "{text}"
    );
    // Hovering the operand gives the same answer.
    assert_eq!(hover_text(&mut client, 2, 30), text);
}

#[test]
fn second_await_of_x_shows_tick_2() {
    let mut client = open(X_AND_Y);
    let text = hover_text(&mut client, 4, 3);
    assert!(
        text.contains("Resumes on microtask tick 2 after `x()` was entered"),
        "{text}"
    );
    // The first await binds no result, so nothing is said about running them together.
    assert!(!text.contains("Promise.all"), "{text}");
}

#[test]
fn nulled_body_is_released_and_needed_and_kept_values_are_listed() {
    let mut client = open(HANDLE);
    let at_save = hover_text(&mut client, 4, 14);
    assert!(
        at_save
            .contains("No longer kept: the earlier value of `body` (line 2, overwritten on line 4"),
        "{at_save}"
    );
    // `req` is read after the await by a closure created later: needed, so
    // no advice to clear it (which would make `log()` throw).
    assert!(
        at_save.contains(
            "Needed after the await:\n- `req` (line 1, parameter; read after the await by the \
             closure `log`, line 6)\n- `parsed` (line 3)"
        ),
        "{at_save}"
    );
    let at_audit = hover_text(&mut client, 6, 3);
    assert!(at_audit.contains("- `log` (line 6)"), "{at_audit}");
}

#[test]
fn hover_on_an_async_function_states_its_contract() {
    let mut client = open(X_AND_Y);
    let text = hover_text(&mut client, 0, 15);
    assert!(text.contains("Runs synchronously up to line 3"), "{text}");
    assert!(text.contains("pauses at 2 `await`s"), "{text}");
    assert!(
        text.contains("settles on microtask tick 2 after entry, in every call this file makes"),
        "{text}"
    );
}

/// After an edit, the first hover gets its function's insights ahead of the
/// whole ones: of the new text, never the old one, and the same as the whole
/// insights give (a hover on a dropped call, which the function's insights do
/// not answer, waits for them).
#[test]
fn the_first_hover_after_an_edit_answers_from_the_new_text() {
    let mut client = open("async function save(data) {\n  await data;\n}\nsave(1);\n");
    let before = hover_text(&mut client, 1, 3);
    assert!(before.contains("tick 1 after `save()`"), "{before}");
    // `await null;` before the await: it resumes a tick later.
    client.change(
        URI,
        2,
        json!([{
            "range": {"start": {"line": 1, "character": 2}, "end": {"line": 1, "character": 2}},
            "text": "await null; "
        }]),
    );
    let first = hover_text(&mut client, 1, 15);
    assert!(
        first.contains("Resumes on microtask tick 2 after `save()` was entered"),
        "{first}"
    );
    // Not the function's: the whole insights answer.
    let dropped = hover_text(&mut client, 3, 1);
    assert!(dropped.contains("nobody observes"), "{dropped}");
    assert_eq!(hover_text(&mut client, 1, 15), first);
}

/// A hover right after an edit that leaves a syntax error inside a function
/// answers at once with the generic text, as the whole insights of that text
/// do (the engine does not run on it): never the ticks of the function's
/// previous text.
#[test]
fn the_first_hover_after_an_edit_that_leaves_a_syntax_error_is_the_generic_one() {
    let mut client = open("async function save(data) {\n  await data;\n}\nsave(1);\n");
    let before = hover_text(&mut client, 1, 3);
    assert!(before.contains("tick 1 after `save()`"), "{before}");
    client.change(
        URI,
        2,
        json!([{
            "range": {"start": {"line": 1, "character": 2}, "end": {"line": 1, "character": 2}},
            "text": "let = ;\n  "
        }]),
    );
    let first = hover_text(&mut client, 2, 3);
    assert!(
        first.contains("Suspends `save()` until the operand settles"),
        "{first}"
    );
    assert!(!first.contains("tick"), "{first}");
    assert_eq!(hover_text(&mut client, 2, 3), first);
}

#[test]
fn hover_on_a_dropped_call_says_nobody_observes_it() {
    let mut client = open("async function save(data) {\n  await data;\n}\nsave(1);\n");
    let text = hover_text(&mut client, 3, 1);
    assert!(
        text.contains("nobody observes its completion or its failure"),
        "{text}"
    );
}

#[test]
fn inlay_hints_show_ticks_and_can_be_turned_off() {
    let mut client = open(X_AND_Y);
    let range =
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 14, "character": 0 } });
    let hints = client.call(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": URI }, "range": range }),
    );
    let labels: Vec<(u64, String)> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["position"]["line"].as_u64().unwrap(),
                h["label"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(labels.contains(&(2, "tick 1".to_owned())), "{labels:?}");
    assert!(labels.contains(&(4, "tick 2".to_owned())), "{labels:?}");
    assert!(labels.contains(&(9, "tick 1".to_owned())), "{labels:?}");

    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "ticklens": { "inlayHints": false } } }),
    );
    let hints = client.call(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": URI }, "range": range }),
    );
    assert_eq!(hints, json!([]));
}

#[test]
fn code_lens_shows_the_predicted_output_and_settle_ticks() {
    let mut client = open(EXAMPLE);
    let lenses = client.call(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": URI } }),
    );
    let titles: Vec<&str> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles[0], "prints: A, D, B, C");
    assert!(
        titles.contains(&"example(): settles 1 tick after each call is entered"),
        "{titles:?}"
    );
    assert_eq!(lenses[0]["command"]["command"], "ticklens.showOrder");
}

#[test]
fn order_request_returns_lines_with_their_causes() {
    let mut client = open(EXAMPLE);
    let order = client.call("ticklens/order", json!({ "textDocument": { "uri": URI } }));
    assert_eq!(order["lines"], json!(["A", "D", "B", "C"]));
    let explain = order["explain"].as_array().unwrap();
    assert_eq!(explain.len(), 4);
    assert!(explain[2].as_str().unwrap().contains("tick 1"), "{order}");
    assert_eq!(order["abstained"], Value::Null);

    client.change(
        URI,
        2,
        json!([{ "text": "fetch('x').then(() => console.log(1));\n" }]),
    );
    let order = client.call("ticklens/order", json!({ "textDocument": { "uri": URI } }));
    assert_eq!(order["lines"], Value::Null);
    assert!(
        order["abstained"].as_str().unwrap().contains("fetch"),
        "{order}"
    );
}

/// The hover and the inlay-hint tooltips of `EXAMPLE` for a client whose
/// hover `contentFormat` is `formats`.
fn hover_and_tooltips(formats: Value) -> (Value, Vec<Value>) {
    let mut client = LspClient::spawn();
    client.initialize(json!({ "textDocument": { "hover": { "contentFormat": formats } } }));
    client.open(URI, EXAMPLE);
    client.diagnostics(URI, 1);
    let hover = client.hover(URI, 2, 14);
    let range =
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 8, "character": 0 } });
    let hints = client.call(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": URI }, "range": range }),
    );
    let tooltips = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["tooltip"].clone())
        .collect();
    assert!(client.shutdown_and_exit().success());
    (hover["contents"].clone(), tooltips)
}

/// `text` without the Markdown marks the hovers use (emphasis and code spans).
fn unmarked(text: &str) -> String {
    text.replace(['`', '*'], "")
}

/// Eglot without markdown-mode asks for plain text: the hover on an await says
/// its tick in the words of the Markdown hover, without the marks; a client
/// that prefers Markdown (or says nothing) gets Markdown.
#[test]
fn hovers_and_tooltips_follow_the_clients_content_format() {
    let (plain, plain_tooltips) = hover_and_tooltips(json!(["plaintext"]));
    let (markdown, markdown_tooltips) = hover_and_tooltips(json!(["markdown", "plaintext"]));
    let (default, _) = hover_and_tooltips(Value::Null);
    assert_eq!(plain["kind"], "plaintext", "{plain}");
    assert_eq!(markdown["kind"], "markdown", "{markdown}");
    assert_eq!(default, markdown);
    let plain = plain["value"].as_str().unwrap();
    let markdown = markdown["value"].as_str().unwrap();
    assert!(
        markdown.starts_with("**await** `Promise.resolve(\"B\")` in `example()`"),
        "{markdown}"
    );
    assert!(
        plain.starts_with("await Promise.resolve(\"B\") in example()"),
        "{plain}"
    );
    assert!(
        plain.contains("Resumes on microtask tick 1 after example() was entered"),
        "{plain}"
    );
    assert!(!plain.contains(['`', '*', '#', '[']), "{plain}");
    assert_eq!(plain, unmarked(markdown));

    assert!(!plain_tooltips.is_empty());
    assert_eq!(plain_tooltips.len(), markdown_tooltips.len());
    for (plain, markdown) in plain_tooltips.iter().zip(&markdown_tooltips) {
        let plain = plain.as_str().expect("a plain-text tooltip is a string");
        assert_eq!(markdown["kind"], "markdown", "{markdown}");
        let markdown = markdown["value"].as_str().unwrap();
        assert!(!plain.contains(['`', '*']), "{plain}");
        assert_eq!(plain, unmarked(markdown));
    }
}

#[test]
fn timeline_request_returns_the_steps_of_the_newest_text() {
    let mut client = open(EXAMPLE);
    let params = json!({ "textDocument": { "uri": URI } });
    let timeline = client.call("ticklens/timeline", params.clone());
    assert_eq!(timeline["version"], 1);
    assert_eq!(timeline["complete"], true);
    let steps = timeline["steps"].as_array().unwrap();
    let lanes: Vec<&str> = steps.iter().map(|s| s["lane"].as_str().unwrap()).collect();
    assert_eq!(lanes, ["main", "microtask"], "{timeline}");
    let printed: Vec<(&str, u64)> = steps
        .iter()
        .flat_map(|s| s["printed"].as_array().unwrap())
        .map(|p| (p["text"].as_str().unwrap(), p["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(printed, [("A", 2), ("D", 8), ("B", 4), ("C", 5)]);
    assert_eq!(steps[1]["tick"], 1);
    assert_eq!(steps[1]["range"]["start"]["line"], 1);

    client.change(
        URI,
        2,
        json!([{ "text": "fetch('x').then(() => console.log(1));\n" }]),
    );
    let timeline = client.call("ticklens/timeline", params);
    assert_eq!(timeline["complete"], false);
    // The script stopped at `fetch` before printing anything: no line is drawn.
    let drawn = timeline["steps"].as_array().unwrap().iter();
    assert!(
        drawn
            .flat_map(|s| s["printed"].as_array().unwrap())
            .next()
            .is_none(),
        "{timeline}"
    );
    assert!(
        timeline["stopped"]["reason"]
            .as_str()
            .unwrap()
            .contains("fetch"),
        "{timeline}"
    );
}
