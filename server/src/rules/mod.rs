//! The rules. Each rule lives in its own file: a `declare_rule!` block
//! (code, summary, docs, severity and whether it is on by default, fix
//! safety, triggers, measured precision, queries;
//! see [`meta`]), then its detection, message and fix, then its tests. Its
//! docs, with the examples a test runs, are Markdown beside it
//! (`<rule_file>.md`). The list below is the registry: it names each rule once.

mod captures;
mod context;
mod executors;
#[cfg(test)]
mod fix_outputs;
mod meta;
mod registry;
mod report;
#[cfg(test)]
mod sourcegen;
#[cfg(test)]
pub(crate) mod testing;
mod tree_walks;
mod triggers;

pub mod query_registry;

pub use crate::analysis::source_facts::Reads;
pub use context::RuleContext;
pub(crate) use meta::declare_rule;
pub use meta::{
    doc_examples, docs_index_url, docs_url, typescript_doc_examples, Judged, Precision, RuleMeta,
};
pub use prefer_queue_microtask::orders_against_promises;
pub use registry::Rule;
pub use triggers::{triggered, triggered_as_written, Trigger};

registry::rules! {
    async_promise_executor::AsyncPromiseExecutor,
    async_array_callback::AsyncArrayCallback,
    await_non_promise::AwaitNonPromise,
    floating_promise::FloatingPromise,
    needless_async::NeedlessAsync,
    prefer_queue_microtask::PreferQueueMicrotask,
    promise_constructor_wrap::PromiseConstructorWrap,
    timeout_without_abort::TimeoutWithoutAbort,
    unbounded_fan_out::UnboundedFanOut,
    return_without_await_in_try::ReturnWithoutAwaitInTry,
    sequential_awaits::SequentialAwaits,
    await_in_loop::AwaitInLoop,
    await_in_promise_all::AwaitInPromiseAll,
    stale_read_across_await::StaleReadAcrossAwait,
    large_retained_across_await::LargeRetainedAcrossAwait,
}
