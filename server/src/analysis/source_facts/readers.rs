//! What a reader of the async facts may read beyond its file's own code
//! ([`Reads`]), and, in debug builds, a check of it: the facts whose
//! answers depend on what other files' summaries and TypeScript
//! declarations brought assert that the rule running on this thread
//! declared them. A rule that reads one undeclared panics in its tests, so
//! `check`, which gathers only what the file's rules declare
//! (`driver::reads_beyond`), cannot lose a finding to a forgotten
//! declaration.

#[cfg(debug_assertions)]
use std::cell::Cell;

/// What a reader of the facts may read beyond the code of the file it
/// examines. A rule that reads none of these gets the same findings
/// whatever the file imports and declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reads {
    /// What the summaries of other workspace files say of the names the
    /// file imports from them: their async functions, classes and timers,
    /// and whether those may reject ([`AsyncFacts::promise_kind`],
    /// [`AsyncFacts::cannot_reject`], ...). Whether a name is bound at all
    /// ([`AsyncFacts::is_bound`]) the file's own imports tell.
    ///
    /// [`AsyncFacts::promise_kind`]: super::AsyncFacts::promise_kind
    /// [`AsyncFacts::cannot_reject`]: super::AsyncFacts::cannot_reject
    /// [`AsyncFacts::is_bound`]: super::AsyncFacts::is_bound
    ImportedSummaries,
    /// The callees and expressions TypeScript declarations make promises,
    /// in the file or the files it imports: the same facts as above, and
    /// [`AsyncFacts::declared_promise`](super::AsyncFacts::declared_promise).
    DeclaredPromises,
    /// The async functions passed where a declared type takes a
    /// `void`-returning callback
    /// ([`AsyncFacts::void_callbacks`](super::AsyncFacts::void_callbacks)).
    DeclaredVoidCallbacks,
}

/// The reader running on this thread: its name and what it declared.
#[cfg(debug_assertions)]
type Reader = (&'static str, &'static [Reads]);

#[cfg(debug_assertions)]
thread_local! {
    static RUNNING: Cell<Option<Reader>> = const { Cell::new(None) };
}

/// Runs `read`, the work of the reader `name` that declared `reads`.
pub fn running<T>(name: &'static str, reads: &'static [Reads], read: impl FnOnce() -> T) -> T {
    #[cfg(debug_assertions)]
    {
        /// Puts back the reader that ran before, also when `read` panics.
        struct Restore(Option<Reader>);
        impl Drop for Restore {
            fn drop(&mut self) {
                RUNNING.set(self.0);
            }
        }
        let _restore = Restore(RUNNING.replace(Some((name, reads))));
        read()
    }
    #[cfg(not(debug_assertions))]
    {
        let _ = (name, reads);
        read()
    }
}

/// Asserts, in debug builds, that the running reader (if any) declared one
/// of `reads`: the answer being given depends on them.
pub(super) fn assert_declared(reads: &[Reads]) {
    #[cfg(debug_assertions)]
    if let Some((name, declared)) = RUNNING.get() {
        assert!(
            reads.iter().any(|read| declared.contains(read)),
            "`{name}` reads {reads:?} without declaring it"
        );
    }
    #[cfg(not(debug_assertions))]
    let _ = reads;
}

#[cfg(all(test, debug_assertions))]
mod tests {
    use super::*;

    #[test]
    fn a_reader_that_reads_what_it_did_not_declare_panics_and_others_do_not() {
        running("reader", &[Reads::ImportedSummaries], || {
            assert_declared(&[Reads::ImportedSummaries, Reads::DeclaredPromises]);
        });
        assert_declared(&[Reads::DeclaredVoidCallbacks]);
        let caught = std::panic::catch_unwind(|| {
            running("bare", &[], || assert_declared(&[Reads::ImportedSummaries]));
        });
        assert!(caught.is_err());
        // The panicking reader is no longer the running one.
        assert_declared(&[Reads::DeclaredPromises]);
    }
}
