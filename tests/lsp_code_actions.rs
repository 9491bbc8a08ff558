//! End-to-end tests of code actions over the real `ticklens lsp` binary: ask for
//! the quick fixes at a diagnostic, apply the preferred one as an editor does (in
//! the negotiated position encoding), send the new text back, and check the exact
//! result and that the diagnostic is gone. Also `source.fixAll.ticklens`.
//!
//! Every quick-fix case runs twice, once with a client that only speaks UTF-16
//! and once with one that offers UTF-8, so that a position conversion bug in
//! either direction changes the text and fails the test.

#[path = "support/lsp_client.rs"]
mod lsp_client;
#[path = "support/text_edits.rs"]
mod text_edits;

use lsp_client::LspClient;
use serde_json::{json, Value};
use text_edits::PositionEncoding;

const URI: &str = "file:///project/app.js";

/// One server, one open document, and the version the editor is at.
struct Editor {
    client: LspClient,
    encoding: PositionEncoding,
    text: String,
    version: i64,
    diagnostics: Vec<Value>,
}

impl Editor {
    /// Starts a server whose client offers `encodings`, with every rule
    /// switched on (those off by default too, at their own severity), and
    /// opens `text`.
    fn open(encodings: &[&str], text: &str) -> Self {
        let mut client = LspClient::spawn();
        let init = client.initialize_with_every_rule_on(
            json!({ "general": { "positionEncodings": encodings } }),
        );
        let encoding = PositionEncoding::negotiated(&init);
        let expected = if encodings.contains(&"utf-8") {
            PositionEncoding::Utf8
        } else {
            PositionEncoding::Utf16
        };
        assert_eq!(encoding, expected, "{init:#}");
        client.open(URI, text);
        let diagnostics = client.diagnostics(URI, 1);
        Self {
            client,
            encoding,
            text: text.to_owned(),
            version: 1,
            diagnostics,
        }
    }

    /// The only diagnostic of `rule`.
    fn diagnostic_of(&self, rule: &str) -> Value {
        let of_rule: Vec<&Value> = self
            .diagnostics
            .iter()
            .filter(|d| d["code"] == rule)
            .collect();
        assert_eq!(
            of_rule.len(),
            1,
            "expected one {rule} diagnostic in {:#?}\nfor:\n{}",
            self.diagnostics,
            self.text
        );
        of_rule[0].clone()
    }

    fn codes(&self) -> Vec<String> {
        let mut codes: Vec<String> = self
            .diagnostics
            .iter()
            .map(|d| d["code"].as_str().expect("a string code").to_owned())
            .collect();
        codes.sort();
        codes.dedup();
        codes
    }

    fn code_actions(
        &mut self,
        range: &Value,
        diagnostics: &[Value],
        only: Option<&[&str]>,
    ) -> Vec<Value> {
        let mut context = json!({ "diagnostics": diagnostics });
        if let Some(only) = only {
            context["only"] = json!(only);
        }
        let result = self.client.call(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": URI }, "range": range, "context": context }),
        );
        result.as_array().cloned().unwrap_or_default()
    }

    /// Applies a code action's edit to the editor's text, sends the whole new
    /// text as the next version and waits for that version's diagnostics.
    fn apply(&mut self, action: &Value) {
        let edit = &action["edit"];
        let fixed =
            text_edits::apply_workspace_edit(&self.text, URI, self.version, edit, self.encoding);
        self.version += 1;
        self.client
            .change(URI, self.version, json!([{ "text": fixed }]));
        self.text = fixed;
        self.diagnostics = self.client.diagnostics(URI, self.version);
    }
}

/// The range of the whole text, for "fix all" requests. The texts here end
/// with a line break, so the end is column 0 of the last (empty) line.
fn whole(text: &str) -> Value {
    assert!(text.ends_with('\n'), "{text:?}");
    let last_line = text.matches('\n').count();
    json!({ "start": { "line": 0, "character": 0 }, "end": { "line": last_line, "character": 0 } })
}

/// Opens `before`, applies the preferred quick fix of its one `rule` diagnostic
/// and checks the text becomes `after` and the diagnostic is gone; under
/// UTF-16 and under UTF-8.
fn assert_preferred_fix(rule: &str, before: &str, after: &str) {
    for encodings in [&["utf-16"][..], &["utf-8", "utf-16"][..]] {
        let mut editor = Editor::open(encodings, before);
        let diagnostic = editor.diagnostic_of(rule);
        let actions = editor.code_actions(
            &diagnostic["range"],
            std::slice::from_ref(&diagnostic),
            None,
        );
        let preferred: Vec<&Value> = actions
            .iter()
            .filter(|a| a["isPreferred"] == true && a["diagnostics"][0]["code"] == rule)
            .collect();
        assert_eq!(
            preferred.len(),
            1,
            "one preferred fix for {rule} expected in {actions:#?}"
        );
        let action = preferred[0];
        assert_eq!(action["kind"], "quickfix", "{action:#}");
        assert_eq!(action["diagnostics"][0]["range"], diagnostic["range"]);
        editor.apply(action);
        assert_eq!(
            editor.text, after,
            "{rule}, preferred fix `{}` ({encodings:?}), gave:\n{}",
            action["title"], editor.text
        );
        assert!(
            editor.diagnostics.iter().all(|d| d["code"] != rule),
            "{rule} is still reported after its fix ({encodings:?}): {:#?}\n{}",
            editor.diagnostics,
            editor.text
        );
        assert!(editor.client.shutdown_and_exit().success());
    }
}

/// Like [`assert_preferred_fix`], for the non-preferred fix titled `title`.
fn assert_alternative_fix(rule: &str, title_starts: &str, before: &str, after: &str) {
    let mut editor = Editor::open(&["utf-16"], before);
    let diagnostic = editor.diagnostic_of(rule);
    let actions = editor.code_actions(
        &diagnostic["range"],
        std::slice::from_ref(&diagnostic),
        Some(&["quickfix"]),
    );
    let action = actions
        .iter()
        .find(|a| {
            a["diagnostics"][0]["code"] == rule
                && a["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with(title_starts))
        })
        .unwrap_or_else(|| panic!("no `{title_starts}...` fix for {rule} in {actions:#?}"));
    assert_eq!(action["isPreferred"], false, "{action:#}");
    editor.apply(action);
    assert_eq!(
        editor.text, after,
        "{rule}, fix `{}` gave:\n{}",
        action["title"], editor.text
    );
    assert!(
        editor.diagnostics.iter().all(|d| d["code"] != rule),
        "{rule} is still reported: {:#?}",
        editor.diagnostics
    );
}

// Rules 1, 2, 4, 5 and 6 of the acceptance list.

#[test]
fn return_without_await_in_try_fix_adds_await() {
    assert_preferred_fix(
        "return-without-await-in-try",
        "async function fetchUser(id) {\n  return { id };\n}\n\
         async function load(id) {\n  try {\n    return fetchUser(id);\n  } catch (err) {\n    return null;\n  }\n}\n",
        "async function fetchUser(id) {\n  return { id };\n}\n\
         async function load(id) {\n  try {\n    return await fetchUser(id);\n  } catch (err) {\n    return null;\n  }\n}\n",
    );
}

#[test]
fn return_without_await_in_try_fix_lands_after_non_ascii_text() {
    // The insertion point follows an emoji (two UTF-16 units, four UTF-8 bytes)
    // and accented letters on the same line.
    assert_preferred_fix(
        "return-without-await-in-try",
        "async function fetchUser(id) {\n  return { id };\n}\n\
         async function load(id) {\n  try {\n    /* 😀 é */ return fetchUser('ü');\n  } finally {\n    done();\n  }\n}\n",
        "async function fetchUser(id) {\n  return { id };\n}\n\
         async function load(id) {\n  try {\n    /* 😀 é */ return await fetchUser('ü');\n  } finally {\n    done();\n  }\n}\n",
    );
}

#[test]
fn sequential_awaits_fix_uses_promise_all() {
    assert_preferred_fix(
        "sequential-awaits",
        "async function fetchUser(id) {\n  return { id };\n}\n\
         async function both() {\n  const a = await fetchUser(1);\n  const b = await fetchUser(2);\n  return [a, b];\n}\n",
        "async function fetchUser(id) {\n  return { id };\n}\n\
         async function both() {\n  const [a, b] = await Promise.all([fetchUser(1), fetchUser(2)]);\n  return [a, b];\n}\n",
    );
}

#[test]
fn floating_promise_fix_awaits_inside_async_functions() {
    assert_preferred_fix(
        "floating-promise",
        "async function save(body) {\n  return body;\n}\n\
         async function handler(req) {\n  save(req.body);\n  return \"ok\";\n}\n",
        "async function save(body) {\n  return body;\n}\n\
         async function handler(req) {\n  await save(req.body);\n  return \"ok\";\n}\n",
    );
}

#[test]
fn floating_promise_fix_catches_outside_async_functions() {
    assert_preferred_fix(
        "floating-promise",
        "async function save(body) {\n  return body;\n}\n\
         function handler(req) {\n  save(req.body);\n  return \"ok\";\n}\n",
        "async function save(body) {\n  return body;\n}\n\
         function handler(req) {\n  save(req.body).catch((err) => { console.error(err); });\n  return \"ok\";\n}\n",
    );
}

#[test]
fn floating_promise_void_fix_marks_intent() {
    assert_alternative_fix(
        "floating-promise",
        "Mark",
        "async function save(body) {\n  return body;\n}\n\
         function handler(req) {\n  save(req.body);\n}\n",
        "async function save(body) {\n  return body;\n}\n\
         function handler(req) {\n  void save(req.body);\n}\n",
    );
}

#[test]
fn async_array_callback_fix_awaits_promise_all_of_map() {
    assert_preferred_fix(
        "async-array-callback",
        "async function save(user) {\n  return user;\n}\n\
         async function saveAll(users) {\n  users.forEach(async (user) => {\n    await save(user);\n  });\n}\n",
        "async function save(user) {\n  return user;\n}\n\
         async function saveAll(users) {\n  await Promise.all(users.map(async (user) => {\n    await save(user);\n  }));\n}\n",
    );
}

#[test]
fn async_array_callback_alternative_fix_loops_in_order() {
    assert_alternative_fix(
        "async-array-callback",
        "Run the callbacks one after another",
        "async function save(user) {\n  return user;\n}\n\
         async function saveAll(users) {\n  users.forEach(async (user) => {\n    await save(user);\n  });\n}\n",
        "async function save(user) {\n  return user;\n}\n\
         async function saveAll(users) {\n  for (const user of users) {\n    await save(user);\n  }\n}\n",
    );
}

#[test]
fn async_promise_executor_fix_drops_async_when_it_never_awaits() {
    assert_preferred_fix(
        "async-promise-executor",
        "function later(value) {\n  return new Promise(async (resolve) => {\n    setTimeout(() => resolve(value), 1);\n  });\n}\n",
        "function later(value) {\n  return new Promise((resolve) => {\n    setTimeout(() => resolve(value), 1);\n  });\n}\n",
    );
}

#[test]
fn async_promise_executor_fix_inlines_the_awaited_work() {
    assert_preferred_fix(
        "async-promise-executor",
        "async function step() {\n  return 1;\n}\n\
         async function run() {\n  return new Promise(async (resolve) => {\n    const v = await step();\n    resolve(v);\n  });\n}\n",
        "async function step() {\n  return 1;\n}\n\
         async function run() {\n  const v = await step();\n  return v;\n}\n",
    );
}

// The other rules that offer a fix.

#[test]
fn await_in_loop_fix_runs_iterations_together() {
    assert_preferred_fix(
        "await-in-loop",
        "async function send(user) {\n  return user;\n}\n\
         async function notify(users) {\n  for (const user of users) {\n    await send(user);\n  }\n}\n",
        "async function send(user) {\n  return user;\n}\n\
         async function notify(users) {\n  await Promise.all(Array.from(users, async (user) => {\n    await send(user);\n  }));\n}\n",
    );
}

#[test]
fn await_in_promise_all_fix_drops_the_inner_awaits() {
    assert_preferred_fix(
        "await-in-promise-all",
        "async function get(n) {\n  return n;\n}\n\
         async function pair() {\n  return Promise.all([await get(1), await get(2)]);\n}\n",
        "async function get(n) {\n  return n;\n}\n\
         async function pair() {\n  return Promise.all([get(1), get(2)]);\n}\n",
    );
}

#[test]
fn await_non_promise_fix_removes_the_await() {
    assert_preferred_fix(
        "await-non-promise",
        "async function retries() {\n  const n = await 3;\n  return n;\n}\n",
        "async function retries() {\n  const n = 3;\n  return n;\n}\n",
    );
}

#[test]
fn needless_async_fix_drops_async() {
    assert_preferred_fix(
        "needless-async",
        "async function plusOne(items) {\n  return await Promise.all([1, 2].map(async (item) => item + 1));\n}\n",
        "async function plusOne(items) {\n  return await Promise.all([1, 2].map((item) => item + 1));\n}\n",
    );
}

#[test]
fn prefer_queue_microtask_fix_uses_queue_microtask() {
    assert_preferred_fix(
        "prefer-queue-microtask",
        "function later(fn) {\n  process.nextTick(() => fn());\n}\nready.then(() => later(start));\n",
        "function later(fn) {\n  queueMicrotask(() => fn());\n}\nready.then(() => later(start));\n",
    );
}

#[test]
fn promise_constructor_wrap_fix_uses_the_promise() {
    assert_preferred_fix(
        "promise-constructor-wrap",
        "async function get(id) {\n  return id;\n}\n\
         function load(id) {\n  return new Promise((resolve, reject) => get(id).then(resolve, reject));\n}\n",
        "async function get(id) {\n  return id;\n}\n\
         function load(id) {\n  return get(id);\n}\n",
    );
}

#[test]
fn timeout_without_abort_fix_passes_an_abort_signal() {
    assert_preferred_fix(
        "timeout-without-abort",
        "async function get(url) {\n  return await Promise.race([\n    fetch(url),\n    new Promise((_, reject) => setTimeout(() => reject(new Error(\"timeout\")), 5000)),\n  ]);\n}\n",
        "async function get(url) {\n  return await fetch(url, { signal: AbortSignal.timeout(5000) });\n}\n",
    );
}

#[test]
fn unbounded_fan_out_fix_batches() {
    assert_preferred_fix(
        "unbounded-fan-out",
        "async function send(user) {\n  return user;\n}\n\
         async function sendAll(users) {\n  await Promise.all(users.map((user) => send(user)));\n}\n",
        "async function send(user) {\n  return user;\n}\n\
         async function sendAll(users) {\n  const BATCH_SIZE = 100;\n  for (let i = 0; i < users.length; i += BATCH_SIZE) {\n    await Promise.all(users.slice(i, i + BATCH_SIZE).map((user) => send(user)));\n  }\n}\n",
    );
}

#[test]
fn stale_read_across_await_fix_awaits_first() {
    assert_preferred_fix(
        "stale-read-across-await",
        "let total = 0;\nasync function size(f) {\n  return f.length;\n}\n\
         async function add(f) {\n  total += await size(f);\n}\n",
        "let total = 0;\nasync function size(f) {\n  return f.length;\n}\n\
         async function add(f) {\n  const sizeResult = await size(f);\n  total += sizeResult;\n}\n",
    );
}

#[test]
fn large_retained_across_await_fix_clears_the_variable() {
    assert_preferred_fix(
        "large-retained-across-await",
        "async function readBody(req) {\n  return req;\n}\nasync function save(v) {\n  return v;\n}\n\
         async function handle(req) {\n  let body = await readBody(req);\n  const parsed = JSON.parse(body);\n  await save(parsed);\n}\n",
        "async function readBody(req) {\n  return req;\n}\nasync function save(v) {\n  return v;\n}\n\
         async function handle(req) {\n  let body = await readBody(req);\n  const parsed = JSON.parse(body);\n  body = null;\n  await save(parsed);\n}\n",
    );
}

#[test]
fn quick_fixes_write_line_breaks_as_a_crlf_document_does() {
    assert_preferred_fix(
        "large-retained-across-await",
        "async function readBody(req) {\r\n  return req;\r\n}\r\nasync function save(v) {\r\n  return v;\r\n}\r\n\
         async function handle(req) {\r\n  let body = await readBody(req);\r\n  const parsed = JSON.parse(body);\r\n  await save(parsed);\r\n}\r\n",
        "async function readBody(req) {\r\n  return req;\r\n}\r\nasync function save(v) {\r\n  return v;\r\n}\r\n\
         async function handle(req) {\r\n  let body = await readBody(req);\r\n  const parsed = JSON.parse(body);\r\n  body = null;\r\n  await save(parsed);\r\n}\r\n",
    );
    assert_preferred_fix(
        "stale-read-across-await",
        "let total = 0;\r\nasync function size(f) {\r\n  return f.length;\r\n}\r\n\
         async function add(f) {\r\n  total += await size(f);\r\n}\r\n",
        "let total = 0;\r\nasync function size(f) {\r\n  return f.length;\r\n}\r\n\
         async function add(f) {\r\n  const sizeResult = await size(f);\r\n  total += sizeResult;\r\n}\r\n",
    );
}

// Suppression is offered for every diagnostic, never preferred.

#[test]
fn every_diagnostic_also_offers_a_suppression_that_is_not_preferred() {
    let mut editor = Editor::open(&["utf-16"], MIXED);
    let diagnostics = editor.diagnostics.clone();
    assert!(diagnostics.len() >= 4, "{diagnostics:#?}");
    for diagnostic in &diagnostics {
        let rule = diagnostic["code"].as_str().unwrap();
        let actions = editor.code_actions(
            &diagnostic["range"],
            std::slice::from_ref(diagnostic),
            Some(&["quickfix"]),
        );
        let ignore = actions
            .iter()
            .find(|a| a["title"] == format!("Ignore {rule} on this line"))
            .unwrap_or_else(|| panic!("no suppression for {rule} in {actions:#?}"));
        assert_eq!(ignore["isPreferred"], false);
        assert!(
            actions.iter().all(|a| a["kind"] == "quickfix"),
            "only quick fixes when only quickfix is asked for: {actions:#?}"
        );
    }
}

// Fix all.

/// Safe fixes of three rules, and findings whose fixes are not safe.
const MIXED: &str = "\
async function get(id) {
  return { id };
}
function later(value) {
  return new Promise(async (resolve) => {
    setTimeout(() => resolve(value), 1);
  });
}
function load(id) {
  return new Promise((resolve, reject) => get(id).then(resolve, reject));
}
async function readBody(req) {
  return req;
}
async function handle(req) {
  let body = await readBody(req);
  const parsed = JSON.parse(body);
  await get(parsed);
}
async function both() {
  const a = await get(1);
  const b = await get(2);
  return [a, b];
}
function start() {
  get(3);
}
";

/// `MIXED` after its safe fixes: the async executor loses `async`, and `body`
/// (large, no longer needed) is cleared before the next await. Nothing else
/// changes: the other findings' fixes are not safe.
fn mixed_fixed() -> String {
    let once = |text: &str, from: &str, to: &str| {
        assert_eq!(text.matches(from).count(), 1, "{from:?} in MIXED");
        text.replacen(from, to, 1)
    };
    let without_async = once(
        MIXED,
        "new Promise(async (resolve)",
        "new Promise((resolve)",
    );
    let parsed = "  const parsed = JSON.parse(body);\n";
    once(&without_async, parsed, &format!("{parsed}  body = null;\n"))
}

fn fix_all_action(actions: &[Value]) -> Option<&Value> {
    let fix_all: Vec<&Value> = actions
        .iter()
        .filter(|a| a["kind"] == "source.fixAll.ticklens")
        .collect();
    assert!(
        fix_all.len() <= 1,
        "at most one fix-all action: {actions:#?}"
    );
    fix_all.first().copied()
}

#[test]
fn fix_all_applies_every_safe_fix_and_nothing_else() {
    for encodings in [&["utf-16"][..], &["utf-8"][..]] {
        let mut editor = Editor::open(encodings, MIXED);
        assert_eq!(
            editor.codes(),
            [
                "async-promise-executor",
                "floating-promise",
                "large-retained-across-await",
                "promise-constructor-wrap",
                "sequential-awaits",
            ]
        );
        let range = whole(MIXED);
        let actions = editor.code_actions(&range, &[], Some(&["source.fixAll.ticklens"]));
        let action = fix_all_action(&actions)
            .unwrap_or_else(|| panic!("no fix-all action in {actions:#?}"))
            .clone();
        assert_eq!(action["title"], "Apply all safe ticklens fixes (2)");
        assert!(
            actions.iter().all(|a| a["kind"] != "quickfix"),
            "only fix-all when only it is asked for: {actions:#?}"
        );
        // Two fixes in two places: two small edits, not the whole document
        // (the editor keeps the cursor, marks and undo of the rest).
        let edits = action["edit"]["documentChanges"][0]["edits"]
            .as_array()
            .expect("the fix-all's edits")
            .clone();
        assert_eq!(edits.len(), 2, "{edits:#?}");
        for edit in &edits {
            let range = &edit["range"];
            let lines =
                range["end"]["line"].as_u64().unwrap() - range["start"]["line"].as_u64().unwrap();
            assert_eq!(lines, 0, "{edit:#}");
        }
        editor.apply(&action);
        assert_eq!(editor.text, mixed_fixed(), "{encodings:?}");
        // What remains has no safe fix: the changes-behaviour ones.
        assert_eq!(
            editor.codes(),
            [
                "floating-promise",
                "promise-constructor-wrap",
                "sequential-awaits"
            ]
        );
        let actions =
            editor.code_actions(&whole(&editor.text), &[], Some(&["source.fixAll.ticklens"]));
        assert_eq!(
            fix_all_action(&actions),
            None,
            "nothing left to fix: {actions:#?}"
        );
    }
}

#[test]
fn fix_all_answers_the_kinds_that_contain_it() {
    let mut editor = Editor::open(&["utf-16"], MIXED);
    let range = whole(MIXED);
    for only in [
        &["source"][..],
        &["source.fixAll"][..],
        &["source.fixAll.ticklens"][..],
    ] {
        let actions = editor.code_actions(&range, &[], Some(only));
        assert!(fix_all_action(&actions).is_some(), "{only:?}: {actions:#?}");
    }
    for only in [
        &["quickfix"][..],
        &["source.organizeImports"][..],
        &["source.fixAll.eslint"][..],
    ] {
        let actions = editor.code_actions(&range, &[], Some(only));
        assert_eq!(fix_all_action(&actions), None, "{only:?}: {actions:#?}");
    }
}

#[test]
fn fix_all_edits_crlf_text_with_non_ascii_in_place() {
    let before = MIXED
        .replace("(value), 1);", "(value + 'é😀'), 1);")
        .replace('\n', "\r\n");
    let after = mixed_fixed()
        .replace("(value), 1);", "(value + 'é😀'), 1);")
        .replace('\n', "\r\n");
    for encodings in [&["utf-16"][..], &["utf-8"][..]] {
        let mut editor = Editor::open(encodings, &before);
        let actions = editor.code_actions(&whole(&before), &[], Some(&["source.fixAll"]));
        let action = fix_all_action(&actions).expect("a fix-all action").clone();
        editor.apply(&action);
        assert_eq!(editor.text, after, "{encodings:?}");
    }
}

#[test]
fn fix_all_is_not_offered_when_no_fix_is_safe() {
    let text = "async function get(id) {\n  return { id };\n}\nfunction start() {\n  get(3);\n}\n";
    let mut editor = Editor::open(&["utf-16"], text);
    assert_eq!(editor.codes(), ["floating-promise"]);
    let actions = editor.code_actions(&whole(text), &[], Some(&["source.fixAll"]));
    assert_eq!(actions, Vec::<Value>::new());
}

#[test]
fn fix_all_follows_the_edited_document() {
    // The action is computed for the version the editor has now, after an
    // incremental edit that adds a second async executor.
    let text = "function a() {\n  return new Promise(async (resolve) => resolve(1));\n}\n";
    let mut editor = Editor::open(&["utf-16"], text);
    editor.version += 1;
    let added = "function b() {\n  return new Promise(async (ok) => ok(2));\n}\n";
    editor.client.change(
        URI,
        editor.version,
        json!([{ "range": { "start": { "line": 3, "character": 0 }, "end": { "line": 3, "character": 0 } },
                 "text": added }]),
    );
    editor.text.push_str(added);
    editor.diagnostics = editor.client.diagnostics(URI, editor.version);
    let actions = editor.code_actions(&whole(&editor.text), &[], Some(&["source.fixAll.ticklens"]));
    let action = fix_all_action(&actions).expect("a fix-all action").clone();
    assert_eq!(
        action["edit"]["documentChanges"][0]["textDocument"]["version"],
        2
    );
    editor.apply(&action);
    assert_eq!(
        editor.text,
        "function a() {\n  return new Promise((resolve) => resolve(1));\n}\n\
         function b() {\n  return new Promise((ok) => ok(2));\n}\n"
    );
    assert_eq!(editor.codes(), Vec::<String>::new());
}
