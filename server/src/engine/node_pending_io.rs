//! Asynchronous I/O whose end the engine does not schedule: the global `fetch` and
//! `stream/promises` `pipeline` and `finished`.
//!
//! Each returns a native promise that settles after I/O (the network, a stream reaching its
//! end), in some later event-loop turn that the program does not fix. A facts run makes the
//! result an unknown native promise named by the call, so an `await` on it resumes one job
//! after it settles, with no hedge on its kind; the arguments go to code the engine cannot
//! see (callbacks escape, objects are blurred). An order run abstains naming the call.

use super::machine::{Completion, Machine, Run};
use super::value::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum PendingIo {
    Fetch,
    Pipeline,
    Finished,
}

impl PendingIo {
    fn name(self) -> &'static str {
        match self {
            PendingIo::Fetch => "fetch",
            PendingIo::Pipeline => "stream/promises.pipeline",
            PendingIo::Finished => "stream/promises.finished",
        }
    }
}

impl Machine<'_> {
    pub(crate) fn call_pending_io(&mut self, io: PendingIo, args: &[Value]) -> Run<Completion> {
        let line = self.line_of(self.current_span().start);
        self.see_past(format!(
            "`{}` at line {line} settles after I/O, in an event-loop turn the program does not \
             fix",
            io.name()
        ))?;
        let origin = self.span_text();
        let promise = self.new_unknown(&origin, true);
        self.hand_to_unknown(args);
        Ok(Completion::Normal(promise))
    }
}
