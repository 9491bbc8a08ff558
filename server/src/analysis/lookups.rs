//! What an examination asked of a file's [`AsyncFacts`]: the keys it looked
//! up. A unit's findings depend on the facts only through these answers, so
//! they stay valid after an edit elsewhere as long as each recorded lookup is
//! answered as before, even when other facts of the file changed (an async
//! function renamed that this unit never calls).
//!
//! [`AsyncFacts`]: super::source_facts::AsyncFacts

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// One key the facts were asked about. Each kind covers every table keyed
/// by it, so that [`AsyncFacts::answer`](super::source_facts::AsyncFacts::answer)
/// changes whenever any answer for the key could.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lookup {
    /// A plain name: a function, variable, import, class or method name.
    Name(String),
    /// `"object.method"` of an object literal bound to a name.
    Member(String),
    /// A class, by its key.
    Class(u64),
}

/// The lookups made while recording is on. Off by default, so that one-shot
/// analyses (`check`) pay one relaxed load per lookup and nothing more.
#[derive(Default)]
pub struct LookupLog {
    recording: AtomicBool,
    lookups: Mutex<Vec<Lookup>>,
    /// Whether a fact was read whose answer may depend on other files'
    /// summaries or on TypeScript declarations (see [`Self::note_beyond_file`]).
    beyond_file: AtomicBool,
}

impl LookupLog {
    /// Starts recording, dropping anything recorded before.
    pub fn start(&self) {
        self.lookups.lock().expect("lookup log poisoned").clear();
        self.recording.store(true, Ordering::Relaxed);
    }

    /// Stops recording and returns the distinct lookups made since [`start`](Self::start).
    pub fn finish(&self) -> Vec<Lookup> {
        self.recording.store(false, Ordering::Relaxed);
        let mut lookups = std::mem::take(&mut *self.lookups.lock().expect("lookup log poisoned"));
        lookups.sort_unstable();
        lookups.dedup();
        lookups
    }

    /// Notes that a fact was read whose answer may depend on what the file
    /// imports from other files' summaries or on TypeScript declarations
    /// (`Reads::ImportedSummaries`, `Reads::DeclaredPromises`). Always on:
    /// `check` analyses a file without those first, and keeps the findings
    /// when no such fact was read (they are the same as with them).
    pub fn note_beyond_file(&self) {
        self.beyond_file.store(true, Ordering::Relaxed);
    }

    /// Whether [`Self::note_beyond_file`] was called since these facts were made.
    pub fn read_beyond_file(&self) -> bool {
        self.beyond_file.load(Ordering::Relaxed)
    }

    /// Notes `lookup` when recording; `make` runs only then.
    pub fn note(&self, make: impl FnOnce() -> Lookup) {
        if self.recording.load(Ordering::Relaxed) {
            self.lookups
                .lock()
                .expect("lookup log poisoned")
                .push(make());
        }
    }
}

/// A copy of facts starts with an empty, idle log.
impl Clone for LookupLog {
    fn clone(&self) -> Self {
        LookupLog::default()
    }
}

impl std::fmt::Debug for LookupLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LookupLog")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_only_between_start_and_finish() {
        let log = LookupLog::default();
        log.note(|| Lookup::Name("before".into()));
        log.start();
        log.note(|| Lookup::Name("b".into()));
        log.note(|| Lookup::Name("a".into()));
        log.note(|| Lookup::Name("b".into()));
        assert_eq!(
            log.finish(),
            vec![Lookup::Name("a".into()), Lookup::Name("b".into())]
        );
        log.note(|| Lookup::Name("after".into()));
        log.start();
        assert_eq!(log.finish(), vec![]);
    }
}
