//! Concurrency and load against the real `ticklens lsp` binary: 200 open
//! documents, 10,000 incremental `didChange` notifications written as fast as
//! the pipe takes them by a writer thread, with hover and code-action requests
//! in between. At the end every request has been answered, and the last
//! diagnostics published for each document are those of a fresh open of its
//! final text; no document's published versions ever went backwards.
//!
//! The server analyses every version it receives (no debounce) and drops the
//! results of outdated ones, so quiescence is reached when each document's
//! final version has been published; the test waits for exactly that, with a
//! deadline, never for a fixed time. Run with `--nocapture` for the numbers.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use lsp_client::LspClient;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

const DOCUMENTS: usize = 200;
const EDITS: usize = 10_000;
/// A hover after every 10th edit, a code action after every 25th.
const HOVER_EVERY: usize = 10;
const CODE_ACTION_EVERY: usize = 25;
const SEED: u64 = 0x7469_636b;
/// How long the whole run may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(120);

/// Starting documents: each has findings, and one has text outside ASCII so
/// that UTF-16 columns differ from byte columns.
const TEMPLATES: &[&str] = &[
    "async function load_N(url) {\n  return new Promise(async (resolve) => {\n    const data = await fetch(url);\n    resolve(data);\n  });\n}\nload_N('a');\n",
    "async function save_N(items) {\n  for (const item of items) {\n    await db.put(item);\n  }\n  items.forEach(async (x) => { await db.put(x); });\n}\nsave_N([]);\n",
    "function tick_N() {\n  Promise.resolve(1).then((v) => console.log(v));\n  setTimeout(() => console.log('t'), 0);\n  process.nextTick(() => console.log('n'));\n}\ntick_N();\n",
    "// é😀 _N\nasync function read_N(p) {\n  try {\n    return fetchJson(p);\n  } catch (e) {\n    return null;\n  }\n}\nread_N('x');\n",
];

/// What the random edits insert: async code, brackets that unbalance the
/// file, and characters that are two UTF-16 units.
const SNIPPETS: &[&str] = &[
    "await ",
    "async ",
    "new Promise(async (r) => r(await g()));\n",
    "x();\n",
    "\n",
    "}",
    "{",
    "(",
    ")",
    "const v = await p;\n",
    "Promise.all(xs.map(async (x) => await f(x)));\n",
    "é",
    "😀",
    "  ",
    "return ",
    "; ",
];

fn uri(i: usize) -> String {
    format!("file:///load/doc{i}.js")
}

fn fresh_uri(i: usize) -> String {
    format!("file:///load-fresh/doc{i}.js")
}

/// The LSP position (UTF-16 columns) of a byte offset.
fn position(text: &str, offset: usize) -> Value {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..offset].matches('\n').count();
    let character = text[line_start..offset].encode_utf16().count();
    json!({ "line": line, "character": character })
}

/// A random char boundary of `text`.
fn boundary(rng: &mut ChaCha8Rng, text: &str) -> usize {
    let count = text.chars().count();
    let nth = rng.random_range(0..=count);
    text.char_indices().nth(nth).map_or(text.len(), |(i, _)| i)
}

/// A random edit of `text`, applied to it; returns the LSP content change.
fn random_change(rng: &mut ChaCha8Rng, text: &mut String) -> Value {
    let start = boundary(rng, text);
    // Keep documents between a few hundred bytes and a few kilobytes.
    let delete_weight = if text.len() > 2_500 { 7 } else { 3 };
    let deletes = rng.random_range(0..10) < delete_weight;
    let inserts = !deletes || rng.random_range(0..3) == 0;
    let mut end = start;
    if deletes {
        for _ in 0..rng.random_range(1..12) {
            match text[end..].chars().next() {
                Some(ch) => end += ch.len_utf8(),
                None => break,
            }
        }
    }
    let new_text = if inserts {
        SNIPPETS[rng.random_range(0..SNIPPETS.len())]
    } else {
        ""
    };
    let change = json!({
        "range": { "start": position(text, start), "end": position(text, end) },
        "text": new_text,
    });
    text.replace_range(start..end, new_text);
    change
}

/// What the writer thread did.
struct Written {
    texts: Vec<String>,
    versions: Vec<i64>,
    requests: usize,
    elapsed: Duration,
    finished_at: Instant,
}

/// Writes every edit and request as fast as the pipe takes them.
fn write_load<W: Write>(
    mut stdin: W,
    mut texts: Vec<String>,
    sent_at: Arc<Mutex<HashMap<i64, Instant>>>,
) -> (Written, W) {
    let started = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut versions = vec![1_i64; texts.len()];
    let mut next_id = 1_000_000_i64;
    let mut send_request = |stdin: &mut dyn Write, method: &str, params: Value| {
        let id = next_id;
        next_id += 1;
        sent_at
            .lock()
            .expect("no panics while locked")
            .insert(id, Instant::now());
        let message = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        stdin
            .write_all(&lsp_client::frame(&message))
            .expect("write a request");
    };
    let mut requests = 0;
    for n in 0..EDITS {
        let doc = rng.random_range(0..texts.len());
        // One change in ten carries two edits, applied in order.
        let batch = if rng.random_range(0..10) == 0 { 2 } else { 1 };
        let changes: Vec<Value> = (0..batch)
            .map(|_| random_change(&mut rng, &mut texts[doc]))
            .collect();
        versions[doc] += 1;
        let message = json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": {
                "textDocument": { "uri": uri(doc), "version": versions[doc] },
                "contentChanges": changes,
            },
        });
        stdin
            .write_all(&lsp_client::frame(&message))
            .expect("write a change");
        if n % HOVER_EVERY == HOVER_EVERY - 1 {
            let doc = rng.random_range(0..texts.len());
            let at = boundary(&mut rng, &texts[doc]);
            send_request(
                &mut stdin,
                "textDocument/hover",
                json!({ "textDocument": { "uri": uri(doc) }, "position": position(&texts[doc], at) }),
            );
            requests += 1;
        }
        if n % CODE_ACTION_EVERY == CODE_ACTION_EVERY - 1 {
            let doc = rng.random_range(0..texts.len());
            let (a, b) = (
                boundary(&mut rng, &texts[doc]),
                boundary(&mut rng, &texts[doc]),
            );
            let range = json!({ "start": position(&texts[doc], a.min(b)), "end": position(&texts[doc], a.max(b)) });
            send_request(
                &mut stdin,
                "textDocument/codeAction",
                json!({ "textDocument": { "uri": uri(doc) }, "range": range, "context": { "diagnostics": [] } }),
            );
            requests += 1;
        }
    }
    stdin.flush().expect("flush");
    let written = Written {
        texts,
        versions,
        requests,
        elapsed: started.elapsed(),
        finished_at: Instant::now(),
    };
    (written, stdin)
}

/// The latest publication for one document.
#[derive(Default)]
struct Published {
    version: i64,
    diagnostics: Value,
    count: usize,
}

/// Initializes `client` with the rules the templates exercise that are off
/// by default switched on in the editor's settings.
fn initialize_with_the_templates_rules(client: &mut LspClient) {
    client.initialize_with_options(
        json!({}),
        json!({ "rules": {
            "async-promise-executor": "on",
            "return-without-await-in-try": "on",
            "await-in-promise-all": "on",
            "stale-read-across-await": "on",
        } }),
    );
}

#[test]
fn two_hundred_documents_and_ten_thousand_edits_end_with_fresh_diagnostics_and_every_request_answered(
) {
    let started = Instant::now();
    let mut client = LspClient::spawn();
    initialize_with_the_templates_rules(&mut client);
    let texts: Vec<String> = (0..DOCUMENTS)
        .map(|i| TEMPLATES[i % TEMPLATES.len()].replace("_N", &format!("_{i}")))
        .collect();
    for (i, text) in texts.iter().enumerate() {
        client.open(&uri(i), text);
    }

    let sent_at = Arc::new(Mutex::new(HashMap::new()));
    let stdin = client.take_stdin();
    let writer = {
        let sent_at = Arc::clone(&sent_at);
        thread::spawn(move || write_load(stdin, texts, sent_at))
    };

    // Read everything the server says while the writer writes.
    let mut published: HashMap<String, Published> = HashMap::new();
    let mut backwards = Vec::new();
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    let mut writer = Some(writer);
    let mut written: Option<Written> = None;
    loop {
        if let Some(message) = client.next_message(Duration::from_millis(50)) {
            if message["method"] == "textDocument/publishDiagnostics" {
                let uri = message["params"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let version = message["params"]["version"].as_i64().unwrap_or(-1);
                let entry = published.entry(uri.clone()).or_default();
                if version < entry.version {
                    backwards.push(format!("{uri}: v{version} after v{}", entry.version));
                }
                entry.version = version;
                entry.diagnostics = message["params"]["diagnostics"].clone();
                entry.count += 1;
            } else if let Some(id) = message["id"]
                .as_i64()
                .filter(|_| message.get("method").is_none())
            {
                let sent = sent_at.lock().unwrap().remove(&id);
                let sent = sent.unwrap_or_else(|| panic!("a response to no request: {message}"));
                latencies.push(sent.elapsed());
                if message.get("error").is_some() {
                    errors.push(message);
                }
            }
        }
        if writer.as_ref().is_some_and(|w| w.is_finished()) {
            let (done, stdin) = writer.take().unwrap().join().expect("the writer thread");
            client.restore_stdin(stdin);
            written = Some(done);
        }
        if let Some(done) = &written {
            let all_answered = latencies.len() == done.requests;
            let all_final = (0..DOCUMENTS).all(|i| {
                published
                    .get(&uri(i))
                    .is_some_and(|p| p.version == done.versions[i])
            });
            if all_answered && all_final {
                break;
            }
        }
        if started.elapsed() > DEADLINE {
            let missing: Vec<String> = written
                .as_ref()
                .map(|done| {
                    (0..DOCUMENTS)
                        .filter(|&i| {
                            published.get(&uri(i)).map(|p| p.version) != Some(done.versions[i])
                        })
                        .map(|i| {
                            format!(
                                "{}: final v{}, published {:?}",
                                uri(i),
                                done.versions[i],
                                published.get(&uri(i)).map(|p| p.version)
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            panic!(
                "no quiescence within {DEADLINE:?}: {} responses of {:?}; documents without their final diagnostics: {missing:#?}",
                latencies.len(),
                written.as_ref().map(|w| w.requests)
            );
        }
    }
    let quiet_at = Instant::now();
    let written = written.expect("the writer finished");
    assert!(errors.is_empty(), "requests failed: {errors:#?}");
    assert!(
        backwards.is_empty(),
        "published versions went backwards: {backwards:#?}"
    );

    // A round trip after quiescence: nothing stale may still be on its way.
    client.hover(&uri(0), 0, 0);
    for message in client.take_backlog() {
        if message["method"] == "textDocument/publishDiagnostics" {
            panic!("a publication after quiescence: {message}");
        }
    }

    // The same final texts, opened fresh, give the same diagnostics.
    for (i, text) in written.texts.iter().enumerate() {
        client.open(&fresh_uri(i), text);
    }
    let mut mismatches = Vec::new();
    for i in 0..DOCUMENTS {
        let fresh = client.diagnostics(&fresh_uri(i), 1);
        let edited = &published[&uri(i)].diagnostics;
        if &Value::Array(fresh.clone()) != edited {
            mismatches.push(format!(
                "{}\n--- text ---\n{}\n--- edited ---\n{edited:#}\n--- fresh ---\n{fresh:#?}",
                uri(i),
                written.texts[i]
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} documents differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );

    latencies.sort();
    let publications: usize = published.values().map(|p| p.count).sum();
    let with_findings = published
        .values()
        .filter(|p| p.diagnostics.as_array().is_some_and(|d| !d.is_empty()))
        .count();
    eprintln!(
        "load: {EDITS} didChange ({:.0}/s written in {:?}), {} requests; quiescent {:?} after the last write; \
         total {:?}; request latency p50 {:?} p99 {:?} max {:?}; {publications} publications; \
         {with_findings}/{DOCUMENTS} documents end with findings",
        EDITS as f64 / written.elapsed.as_secs_f64(),
        written.elapsed,
        written.requests,
        quiet_at.duration_since(written.finished_at),
        started.elapsed(),
        latencies[latencies.len() / 2],
        latencies[latencies.len() * 99 / 100],
        latencies[latencies.len() - 1],
    );
    assert!(client.shutdown_and_exit().success());
}

/// A file whose analysis takes a good fraction of a second.
fn slow_text() -> String {
    (0..3_000)
        .map(|i| {
            format!(
                "async function f{i}(x) {{\n  const a = await g{i}(x);\n  new Promise(async (r) => r(await x));\n  return a;\n}}\n"
            )
        })
        .collect()
}

#[test]
fn a_document_reopened_at_the_same_version_never_shows_the_old_texts_results() {
    let mut client = LspClient::spawn();
    initialize_with_the_templates_rules(&mut client);
    let slow = slow_text();
    let small = TEMPLATES[0].replace("_N", "");
    let reopened = "file:///load/reopened.js";
    let reference = "file:///load/reference.js";
    client.open(reference, &small);
    // Under load a first pass can run out of its time budget: the reference is
    // the complete publication, not a partial one.
    let expected = loop {
        let published = client.diagnostics(reference, 1);
        if published.iter().all(|d| d["code"] != "analysis-partial") {
            break published;
        }
    };
    assert!(!expected.is_empty());

    // The first text's analysis is still running when the document is closed
    // and opened again with other text, at the same version number (editors
    // start every opened document at version 1).
    client.open(reopened, &slow);
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": reopened } }),
    );
    client.open(reopened, &small);
    // A second document with the slow text, analysed after the first one
    // started: once it is published, the first one's analysis has ended too.
    client.open("file:///load/sentinel.js", &slow);
    client.diagnostics("file:///load/sentinel.js", 1);
    client.hover(reference, 0, 0);

    let publications: Vec<Value> = client
        .take_backlog()
        .into_iter()
        .filter(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == reopened
        })
        .collect();
    let last = publications
        .last()
        .expect("the reopened document was published");
    assert_eq!(
        last["params"]["diagnostics"],
        json!(expected),
        "{publications:#?}"
    );
    for publication in &publications {
        let count = publication["params"]["diagnostics"]
            .as_array()
            .map_or(0, Vec::len);
        assert!(
            count <= expected.len(),
            "diagnostics of the closed text were published for the reopened one: {count}"
        );
    }
    // Quick fixes come from the current text's analysis, not the old one's.
    let whole =
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 100, "character": 0 } });
    let actions = |client: &mut LspClient, uri: &str| {
        client.call(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": whole, "context": { "diagnostics": [] } }),
        )
    };
    let got = actions(&mut client, reopened);
    let want = actions(&mut client, reference);
    let titles = |v: &Value| -> Vec<Value> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].clone())
            .collect()
    };
    assert_eq!(titles(&got), titles(&want));
    assert!(client.shutdown_and_exit().success());
}
