//! Marks of the machine's state, rolled back to: each symbolic entry
//! (`symbolic_entries.rs`) starts from the state the program's run left, not
//! from what the entries before it left. The tables are undo journals
//! (`journal.rs`); the event loop is copied (it holds a few timers); the
//! lookup tables that name heap objects made since the mark forget them.

use super::Machine;
use crate::engine::scheduler::EventLoop;

/// The machine's state at a mark, beyond what its journals record.
pub(crate) struct StateMark {
    event_loop: EventLoop,
    output: usize,
    built_bytes: usize,
    frames: usize,
    /// Heap objects at the mark: those made later are gone after a roll-back.
    pub heap: usize,
    activations: usize,
    native_depth: usize,
    depth: u32,
    cause: std::rc::Rc<str>,
}

impl Machine<'_> {
    /// Marks the state: [`Machine::roll_back_state`] returns to it.
    pub(crate) fn mark_state(&mut self) -> StateMark {
        self.heap.mark();
        self.scopes.mark();
        self.activations.mark();
        self.generators.mark();
        self.async_generators.mark();
        self.flags.mark();
        self.counters.mark();
        if let Some(observer) = &mut self.observer {
            observer.mark(self.activations.len());
        }
        StateMark {
            event_loop: self.event_loop.clone(),
            output: self.output.len(),
            built_bytes: self.built_bytes.get(),
            frames: self.frames.len(),
            heap: self.heap.len(),
            activations: self.activations.len(),
            native_depth: self.native_depth,
            depth: self.depth,
            cause: self.cause.clone(),
        }
    }

    /// Back to the state at `mark` (the innermost open one), which stays
    /// open. The jobs and callbacks queued since are dropped.
    pub(crate) fn roll_back_state(&mut self, mark: &StateMark) {
        self.heap.roll_back();
        self.scopes.roll_back();
        self.activations.roll_back();
        self.generators.roll_back();
        self.async_generators.roll_back();
        self.flags.roll_back();
        self.counters.roll_back();
        debug_assert_eq!(self.heap.len(), mark.heap);
        debug_assert_eq!(self.activations.len(), mark.activations);
        self.event_loop = mark.event_loop.clone();
        self.output.truncate(mark.output);
        self.built_bytes.set(mark.built_bytes);
        self.frames.truncate(mark.frames);
        self.native_depth = mark.native_depth;
        self.depth = mark.depth;
        self.cause = mark.cause.clone();
        self.microtasks.clear();
        self.ticks.clear();
        self.unhandled.clear();
        self.unknown_settlements.clear();
        // Objects made lazily since the mark (a built-in function, an opaque
        // global) are gone: they are made again on their next use.
        self.builtins.retain(|_, id| *id < mark.heap);
        self.opaque_globals.retain(|_, id| *id < mark.heap);
        self.paths.unclaimed_settles.split_off(&mark.heap);
        if let Some(observer) = &mut self.observer {
            observer.roll_back(mark.heap);
        }
    }

    /// Closes the innermost mark, keeping the state as it is.
    pub(crate) fn unmark_state(&mut self) {
        self.heap.unmark();
        self.scopes.unmark();
        self.activations.unmark();
        self.generators.unmark();
        self.async_generators.unmark();
        self.flags.unmark();
        self.counters.unmark();
        if let Some(observer) = &mut self.observer {
            observer.unmark();
        }
    }
}
