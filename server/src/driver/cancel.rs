//! Telling a running analysis that its result is no longer wanted.
//!
//! A plain flag, not a protocol type: the editor layer cancels the token of a
//! document's text when a newer text replaces it, and the driver checks the
//! token between top-level units, so a superseded analysis stops within one
//! unit's time instead of running to the end for nobody.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Shared by the owner of a text and the analyses of that text; clones see
/// the same flag.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// Marks every analysis holding this token (or a clone) as unwanted.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Release);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clone_sees_the_cancellation() {
        let token = CancelToken::default();
        let held_by_analysis = token.clone();
        assert!(!held_by_analysis.is_cancelled());
        token.cancel();
        assert!(held_by_analysis.is_cancelled());
    }
}
