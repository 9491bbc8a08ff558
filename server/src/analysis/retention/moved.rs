//! Moving a function's retention to another place in the file: the
//! insights keep a function's retention across edits elsewhere (it depends
//! on the function's text alone), and an edit before the function shifts
//! every range in it.

use std::ops::Range;

use super::{AwaitRetention, ReleaseReason};

/// `range` moved so that what started at `from` starts at `to`.
pub fn moved_range(range: &Range<usize>, from: usize, to: usize) -> Range<usize> {
    range.start - from + to..range.end - from + to
}

impl AwaitRetention {
    /// This retention, of a function that started at `from`, for the same
    /// function text starting at `to`. Every range of it lies inside the
    /// function.
    pub fn moved(&self, from: usize, to: usize) -> AwaitRetention {
        let shift = |range: &mut Range<usize>| *range = moved_range(range, from, to);
        let mut moved = self.clone();
        shift(&mut moved.await_range);
        for var in &mut moved.retained {
            shift(&mut var.decl_range);
            if let Some(read) = &mut var.read_by_closure {
                shift(&mut read.range);
            }
        }
        for var in &mut moved.released {
            shift(&mut var.decl_range);
            if let ReleaseReason::Overwritten { at } = &mut var.reason {
                shift(at);
            }
            if let Some(call) = &mut var.handed_to {
                shift(call);
            }
        }
        moved
    }
}
