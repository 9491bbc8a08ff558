//! The trees of idle documents are dropped and parsed again on demand, as
//! rust-analyzer evicts syntax trees and clangd drops the ASTs of idle files.
//!
//! A document's tree-sitter tree is about 39x the text's size (93 bytes per
//! node), most of what the server holds for an open document; the analysis
//! cache and the insights together are about 12x. Once a text's complete
//! analysis is published, a timer looks at the document every
//! [`idle_delay`]: when its tree was not used since the previous look and no
//! request or analysis holds the text, the tree is dropped (the text, line
//! starts, analysis, its cache and the insights stay) and the insights'
//! cache for the next version is packed (`InsightsCache::pack`). The first feature
//! that needs the tree again (a hover, fix-all, the next analysis) parses the
//! text in full, off the reactor, and the document keeps that tree until it
//! is idle again; the next edit of a document without its tree parses the
//! new text in full instead of incrementally.
//!
//! So a tree goes between one and two delays after its last use. The delay
//! is 10 s: the keystrokes of a burst of typing come well under a second
//! apart, and each keeps reusing the tree incrementally; a pause of 10 s is
//! reading, not typing. The first edit or hover after it pays one full parse
//! of the text (117 ms median for the 10,000-line bench file: docs/performance.md,
//! "Memory for one open document").

use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tower_lsp_server::ls_types::Uri;

use crate::document::Document;

use super::state::{OpenDocument, ServerState};

/// How long a document's tree is kept unused.
const IDLE_DELAY: Duration = Duration::from_secs(10);

/// [`IDLE_DELAY`], or `TICKLENS_IDLE_TREE_MS` milliseconds when set (the
/// memory bench and the tests shorten it).
pub fn idle_delay() -> Duration {
    static DELAY: OnceLock<Duration> = OnceLock::new();
    *DELAY.get_or_init(|| {
        std::env::var("TICKLENS_IDLE_TREE_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(IDLE_DELAY, Duration::from_millis)
    })
}

/// Drops the tree of `open`'s text (at `uri`) each time it has been idle for
/// a delay, until the text is replaced or closed. Once per text: a second
/// call for the same text does nothing.
pub fn drop_tree_when_idle(state: Arc<ServerState>, uri: Uri, open: &OpenDocument) {
    if open.tree_timer.swap(true, Ordering::SeqCst) {
        return;
    }
    let text = open.superseded.clone();
    let mut uses = open.doc.tree_uses();
    let delay = idle_delay();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                biased;
                () = text.over() => return,
                () = tokio::time::sleep(delay) => {}
            }
            let taken = {
                let Some(mut entry) = state.documents.get_mut(&uri) else {
                    return;
                };
                if text.is_over() {
                    // The entry holds a newer text, which has its own timer.
                    return;
                }
                let now = entry.doc.tree_uses();
                let idle = std::mem::replace(&mut uses, now) == now;
                if !idle || !entry.doc.has_tree() {
                    continue;
                }
                // Only when nothing else holds the text: an analysis or a
                // request working on it keeps the tree until a later look.
                match Arc::get_mut(&mut entry.doc) {
                    Some(doc) => doc
                        .take_tree()
                        .map(|tree| (tree, Arc::clone(&entry.insights_cache))),
                    None => continue,
                }
            };
            if let Some((tree, insights_cache)) = taken {
                tracing::debug!("dropped the idle tree of {uri}", uri = uri.as_str());
                // Freeing 100,000 nodes and packing the insights' cache is
                // work for a pool thread, which then hands the memory back.
                let _ = tokio::task::spawn_blocking(move || {
                    drop(tree);
                    if let Ok(mut cache) = insights_cache.lock() {
                        cache.pack();
                    }
                    super::memory::release_freed();
                })
                .await;
            }
        }
    });
}

/// Parses the text of `doc` again when its tree was dropped, off the reactor.
pub async fn with_tree(doc: &Arc<Document>) {
    if doc.has_tree() {
        return;
    }
    let doc = Arc::clone(doc);
    let _ = tokio::task::spawn_blocking(move || {
        doc.tree();
        super::memory::release_freed();
    })
    .await;
}
