//! An idle document's tree is dropped and parsed again on demand: two servers
//! open the same text, one keeping its tree (an hour's delay) and one dropping
//! it 200 ms after its last use (requests of one step come closer together
//! than that, so each step parses the text once and the tree is dropped once). Each request is made on the second once its log
//! says the tree was dropped, and both answer it the same: inlay hints, code
//! lenses, hovers, quick fixes and fix-all, and the diagnostics and hovers
//! after the next edit (whose insights start from the cache the second packed
//! when it dropped the tree).

#[path = "support/lsp_client.rs"]
mod lsp_client;

use std::time::{Duration, Instant};

use lsp_client::LspClient;
use serde_json::{json, Value};

const URI: &str = "file:///project/app.js";
const DROPPED: &str = "dropped the idle tree of";

/// Findings with safe fixes (an async executor, a large variable retained
/// across an await), others without, and awaits to hover.
const TEXT: &str = "\
async function get(id) {
  return { id };
}
function later(value) {
  return new Promise(async (resolve) => {
    setTimeout(() => resolve(value), 1);
  });
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
both().then(() => console.log('done'));
console.log('sync');
";

/// A server with `TEXT` open and its first diagnostics published.
struct Server {
    client: LspClient,
    log: Option<tempfile::NamedTempFile>,
    diagnostics: Vec<Value>,
}

impl Server {
    fn keeping_its_tree() -> Self {
        let client = LspClient::spawn_with_env(&[("TICKLENS_IDLE_TREE_MS", "3600000")]);
        Self::opened(client, None)
    }

    fn dropping_its_tree() -> Self {
        let log = tempfile::NamedTempFile::new().expect("a log file");
        let env = [
            ("TICKLENS_IDLE_TREE_MS", "200"),
            ("TICKLENS_LOG", "ticklens::lsp::idle_trees=debug"),
        ];
        let client = LspClient::spawn_logging_to(&env, log.path());
        Self::opened(client, Some(log))
    }

    fn opened(mut client: LspClient, log: Option<tempfile::NamedTempFile>) -> Self {
        // Every rule on, those off by default too, so that there is more to fix.
        client.initialize_with_every_rule_on(json!({}));
        client.open(URI, TEXT);
        let diagnostics = client.diagnostics(URI, 1);
        Self {
            client,
            log,
            diagnostics,
        }
    }

    /// How many times the server dropped the tree so far.
    fn drops(&self) -> usize {
        let log = self.log.as_ref().expect("a logging server");
        let text = std::fs::read_to_string(log.path()).unwrap_or_default();
        text.matches(DROPPED).count()
    }

    /// Waits until the server has dropped the tree `count` times in all.
    fn wait_for_drops(&self, count: usize) {
        let started = Instant::now();
        while self.drops() < count {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the tree was dropped {} times, not {count}",
                self.drops()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn whole_file_request(&mut self, method: &str) -> Value {
        let end = json!({ "line": 1000, "character": 0 });
        self.client.call(
            method,
            json!({ "textDocument": { "uri": URI },
                    "range": { "start": { "line": 0, "character": 0 }, "end": end } }),
        )
    }

    fn code_lenses(&mut self) -> Value {
        self.client.call(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": URI } }),
        )
    }

    fn code_actions(&mut self) -> Value {
        let end = json!({ "line": 1000, "character": 0 });
        self.client.call(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": URI },
                    "range": { "start": { "line": 0, "character": 0 }, "end": end },
                    "context": { "diagnostics": self.diagnostics } }),
        )
    }

    fn hovers(&mut self, text: &str) -> Vec<Value> {
        hover_positions(text)
            .into_iter()
            .map(|(line, character)| self.client.hover(URI, line, character))
            .collect()
    }
}

/// Each `await`, `async` and call of `get` in `text`.
fn hover_positions(text: &str) -> Vec<(u32, u32)> {
    let mut positions = Vec::new();
    for (line, content) in text.lines().enumerate() {
        for word in ["await ", "async ", "get("] {
            for (column, _) in content.match_indices(word) {
                positions.push((line as u32, column as u32));
            }
        }
    }
    positions
}

#[test]
fn a_document_whose_tree_was_dropped_answers_as_one_that_kept_it() {
    let mut kept = Server::keeping_its_tree();
    let mut dropped = Server::dropping_its_tree();
    assert_eq!(dropped.diagnostics, kept.diagnostics);
    assert!(
        kept.diagnostics.len() >= 3,
        "findings to fix: {:#?}",
        kept.diagnostics
    );

    // Inlay hints and code lenses come from the insights (computed from the
    // tree, which is then dropped again).
    let hints = kept.whole_file_request("textDocument/inlayHint");
    let lenses = kept.code_lenses();
    assert!(hints.as_array().is_some_and(|h| !h.is_empty()), "{hints}");
    dropped.wait_for_drops(1);
    assert_eq!(dropped.whole_file_request("textDocument/inlayHint"), hints);
    assert_eq!(dropped.code_lenses(), lenses);

    // Hovers parse the text again; the timer drops that tree in turn.
    dropped.wait_for_drops(2);
    let hovers = kept.hovers(TEXT);
    assert!(
        hovers.iter().filter(|h| !h.is_null()).count() >= 6,
        "{hovers:#?}"
    );
    assert_eq!(dropped.hovers(TEXT), hovers);

    dropped.wait_for_drops(3);
    let actions = kept.code_actions();
    let kinds: Vec<&Value> = actions
        .as_array()
        .expect("a list of actions")
        .iter()
        .map(|action| &action["kind"])
        .collect();
    assert!(kinds.contains(&&json!("quickfix")), "{actions:#}");
    assert!(
        kinds.contains(&&json!("source.fixAll.ticklens")),
        "{actions:#}"
    );
    assert_eq!(dropped.code_actions(), actions);

    // The next edit parses the new text in full instead of incrementally.
    dropped.wait_for_drops(4);
    let at = TEXT.lines().position(|l| l.contains("get(3)")).unwrap() as u32;
    let edit = json!([{ "range": { "start": { "line": at, "character": 2 },
                                   "end": { "line": at, "character": 2 } },
                        "text": "void " }]);
    let edited = TEXT.replacen("  get(3);", "  void get(3);", 1);
    for server in [&mut kept, &mut dropped] {
        server.client.change(URI, 2, edit.clone());
    }
    let after = kept.client.diagnostics(URI, 2);
    assert_ne!(after, kept.diagnostics, "the edit changed the findings");
    assert_eq!(dropped.client.diagnostics(URI, 2), after);
    assert_eq!(dropped.hovers(&edited), kept.hovers(&edited));

    assert!(kept.client.shutdown_and_exit().success());
    assert!(dropped.client.shutdown_and_exit().success());
}
