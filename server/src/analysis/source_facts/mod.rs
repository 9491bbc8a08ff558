//! Facts about a file's async code that several rules share, read from its
//! source (the engine's run-time facts are `engine::facts`): which functions
//! are async, which expressions certainly produce a promise, which calls may
//! reject, and where a promise is dropped.
//!
//! Everything here is syntactic and per file. Names are resolved without
//! scopes, so a name that is bound to an async function in one place and to
//! anything else in another (a parameter, a sync function, an import) counts as
//! unknown: a fact is only reported when the file leaves no doubt.
//!
//! - this file: the facts ([`AsyncFacts`]) and the questions about names;
//! - [`collect`]: walking a file (or a unit of it) and recording what each
//!   declaration binds, and merging the facts of units;
//! - [`fingerprint`]: hashes that tell whether an edit changed any answer;
//! - [`compact`]: a unit's facts packed as the analysis cache keeps them;
//! - [`promise_kinds`]: which expressions certainly evaluate to a promise;
//! - [`decided`]: which awaited expressions are certainly native promises,
//!   through the file's declarations and its imports, and which declaration
//!   decided it (for the hovers);
//! - [`failure_paths`]: which functions cannot fail and which promises cannot reject;
//! - [`cannot_throw`]: the statements and expressions of a body that cannot throw;
//! - [`own_state`]: the calls of a body that cannot throw, on the collections
//!   and timers its class owns, its `#` methods and the clocks;
//! - [`initialized`]: the locals a body reads that are certainly initialised;
//! - [`never_rejects`]: the built-in promises and executors that cannot reject;
//! - [`dropped`]: promises created and dropped at statement level.

mod cannot_throw;
mod collect;
mod compact;
mod decided;
#[cfg(test)]
mod decided_tests;
mod dropped;
mod failure_paths;
mod fingerprint;
mod imported;
mod initialized;
mod never_rejects;
mod own_state;
mod promise_kinds;
mod readers;

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::Node;

use super::lookups::{Lookup, LookupLog};

pub use compact::CompactFacts;
pub use decided::{Decision, PromiseDeclarations, Undecided};
pub use dropped::{call_label, dropped_candidate};
pub use failure_paths::{cannot_fail, cannot_fail_given_an_object, inside_try_block};
pub use promise_kinds::certainly_not_thenable;
pub use readers::{running, Reads};

/// Methods of `fs/promises` that do not return a promise.
const FS_PROMISES_NON_PROMISE: &[&str] = &["watch", "constants"];

/// Why an expression certainly evaluates to a promise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromiseKind {
    /// A call to an async function (or method) declared in this file.
    AsyncCall,
    /// `(async () => { ... })()`.
    AsyncIife,
    /// `new Promise(...)`.
    NewPromise,
    /// `Promise.resolve(...)`: settles like its argument and adds no failure of its own.
    PromiseResolve,
    /// `Promise.all/allSettled/any/race/reject/try(...)`.
    PromiseStatic,
    /// `x.then(...)`, `x.catch(...)`, `x.finally(...)`.
    Chain,
    /// `fetch(...)`.
    Fetch,
    /// `fs.promises.*(...)` and the functions of `fs/promises`.
    FsPromises,
}

/// A promise created and dropped at statement level.
#[derive(Clone, Debug)]
pub struct DroppedPromise<'t> {
    /// The `expression_statement`.
    pub statement: Node<'t>,
    /// The dropped expression (inside any parentheses).
    pub expression: Node<'t>,
    /// The call (or `new`) that creates the first promise of the chain.
    pub origin: Node<'t>,
    pub kind: PromiseKind,
    /// True when the chain ends in a `.then(...)` without a rejection handler.
    pub unhandled_then: bool,
    /// The narrow range to show: the origin's callee, or the unhandled `then`.
    pub highlight: Range<usize>,
    /// How to name it in a message, such as `save()` or `new Promise(…)`.
    pub label: String,
}

/// Which names in one file are bound to async functions, methods and promise APIs.
///
/// The facts of a file are the union of the facts of its parts, so the facts
/// of each top-level unit can be kept and [merged](AsyncFacts::merge) again
/// after an edit elsewhere. Nothing in them depends on positions: classes are
/// keyed by a hash of their text, not by node identity.
#[derive(Clone, Debug, Default)]
pub struct AsyncFacts {
    async_names: HashSet<String>,
    other_names: HashSet<String>,
    /// `"object.method"` for methods of object literals bound to a name.
    async_members: HashSet<String>,
    other_members: HashSet<String>,
    /// Class key ([`class_key`]) -> (async methods, other methods).
    class_methods: HashMap<u64, (HashSet<String>, HashSet<String>)>,
    /// Class name -> class key.
    class_ids: HashMap<String, u64>,
    /// Names of the async methods (and async function fields) of every class
    /// in [`Self::class_methods`]: `this.name()` can start an async method
    /// only when `name` is here, which is cheaper to ask than which class
    /// `this` is.
    class_async_members: HashSet<String>,
    /// Names of async methods of any class or object literal.
    async_method_names: HashSet<String>,
    /// The async functions, object-literal methods (`"object.method"`) and
    /// class methods (class key -> names) that may reject: every one whose body
    /// is not [`cannot_fail`]. A name declared twice may reject when either may.
    rejecting_names: HashSet<String>,
    /// The names of [`Self::rejecting_names`] whose function may fail only by
    /// destructuring its first parameter, an object pattern
    /// ([`failure_paths::cannot_fail_given_an_object`]): a call passing an
    /// object literal there cannot reject.
    rejecting_without_options: HashSet<String>,
    rejecting_members: HashSet<String>,
    rejecting_class_methods: HashMap<u64, HashSet<String>>,
    /// Names the module's top level declares (in scope everywhere in the file).
    module_names: HashSet<String>,
    /// Variable -> the class it was constructed from (`const repo = new Repo()`).
    instances: HashMap<String, String>,
    /// Names bound to the `fs` module.
    fs_modules: HashSet<String>,
    /// Names bound to `fs/promises` (or `fs.promises`).
    fs_promises_modules: HashSet<String>,
    /// Functions imported from `fs/promises` by name.
    fs_promises_functions: HashSet<String>,
    /// Names bound to Node's `util` module (`const util = require('util')`,
    /// `import * as util from 'node:util'`).
    util_modules: HashSet<String>,
    /// Names bound to `util.promisify` (`const { promisify } = require('util')`,
    /// `import { promisify } from 'node:util'`, `require('util').promisify`).
    util_promisify: HashSet<String>,
    /// Imported promised timers, by local name or `"local.member"` -> the
    /// timer's name in `engine::PromisedTimer` (whether a call can reject
    /// depends on its arguments). Added to a file's merged facts only, by
    /// [`AsyncFacts::add_imported`], never to a unit's.
    imported_timers: HashMap<String, String>,
    /// The functions (`load`) and members (`repo.save`) the file's
    /// TypeScript declares to return `Promise<T>` at every call -> the
    /// declaration. Added to merged facts only, as `imported_timers` are.
    declared_promises: HashMap<String, String>,
    /// The async functions passed where the file's TypeScript declares a
    /// `void`-returning callback. Merged facts only.
    void_callbacks: Vec<crate::analysis::declared_types::VoidCallback>,
    /// Every query below notes here the keys it reads, when asked to.
    log: LookupLog,
}

/// The globals whose shadowing [`AsyncFacts::is_bound`] answers for.
pub const BOUND_GLOBALS: &[&str] = &["Promise", "fetch", "process", "fs"];

impl AsyncFacts {
    /// True when the module's top level declares `name`.
    pub fn declares_at_module_level(&self, name: &str) -> bool {
        self.note_name(name);
        self.module_names.contains(name)
    }

    /// True when the file declares an async function (declaration or function
    /// bound to a variable) called `name`, whatever else it is also bound to.
    pub fn declares_async_function(&self, name: &str) -> bool {
        self.reads_beyond_file(&[Reads::ImportedSummaries, Reads::DeclaredPromises]);
        self.note_name(name);
        self.async_names.contains(name)
    }

    /// True when some class or object literal in the file has an async method `name`.
    pub fn declares_async_method(&self, name: &str) -> bool {
        self.note_name(name);
        self.async_method_names.contains(name)
    }

    /// The declaration that makes every call of `callee` (`load`,
    /// `repo.save`) a promise, by the file's TypeScript types.
    pub fn declared_promise(&self, callee: &str) -> Option<&str> {
        self.reads_beyond_file(&[Reads::DeclaredPromises]);
        if callee.contains('.') {
            self.note_member(callee);
        } else {
            self.note_name(callee);
        }
        self.declared_promises.get(callee).map(String::as_str)
    }

    /// The async functions passed where the file's TypeScript declares a
    /// `void`-returning callback.
    pub fn void_callbacks(&self) -> &[crate::analysis::declared_types::VoidCallback] {
        readers::assert_declared(&[Reads::DeclaredVoidCallbacks]);
        &self.void_callbacks
    }

    /// The log of the keys the queries read (see [`Lookup`]).
    pub fn lookups(&self) -> &LookupLog {
        &self.log
    }

    /// Notes a read of facts that other files' summaries or TypeScript
    /// declarations may decide (`reads`, which the running rule must have
    /// declared: `readers`): see [`LookupLog::note_beyond_file`].
    fn reads_beyond_file(&self, reads: &[Reads]) {
        readers::assert_declared(reads);
        self.log.note_beyond_file();
    }

    fn note_name(&self, name: &str) {
        self.log.note(|| Lookup::Name(name.to_owned()));
    }

    fn note_member(&self, qualified: &str) {
        self.log.note(|| Lookup::Member(qualified.to_owned()));
    }

    /// True when `name` is bound only to async functions in this file.
    pub fn is_async_function_name(&self, name: &str) -> bool {
        self.reads_beyond_file(&[Reads::ImportedSummaries, Reads::DeclaredPromises]);
        self.note_name(name);
        self.async_names.contains(name) && !self.other_names.contains(name)
    }

    /// The constructor `name` was initialised from (`const seen = new Map()`).
    pub fn constructed_from(&self, name: &str) -> Option<&str> {
        self.note_name(name);
        self.instances.get(name).map(String::as_str)
    }

    /// True when `name`, one of the [`BOUND_GLOBALS`], is bound anywhere in
    /// this file (to anything), shadowing the global. Told by the file's own
    /// code: an import binds its local name whatever the imported file holds
    /// (its summary only moves the name among the sets read here).
    pub fn is_bound(&self, name: &str) -> bool {
        debug_assert!(
            BOUND_GLOBALS.contains(&name),
            "is_bound answers for the globals the fingerprint covers, not `{name}`"
        );
        self.note_name(name);
        self.async_names.contains(name)
            || self.other_names.contains(name)
            || self.fs_modules.contains(name)
            || self.fs_promises_modules.contains(name)
            || self.fs_promises_functions.contains(name)
    }

    /// True when `name` is bound only to Node's `util` module in this file.
    pub fn is_util_module_name(&self, name: &str) -> bool {
        self.note_name(name);
        self.util_modules.contains(name) && !self.binds_otherwise(name)
    }

    /// True when `name` is bound only to `util.promisify` in this file (not
    /// to a `promisify` of another library, a parameter, or nothing at all).
    pub fn is_util_promisify_name(&self, name: &str) -> bool {
        self.note_name(name);
        self.util_promisify.contains(name) && !self.binds_otherwise(name)
    }

    /// True when `name` is bound to something other than the `util` module
    /// or its `promisify` somewhere in the file.
    fn binds_otherwise(&self, name: &str) -> bool {
        self.async_names.contains(name)
            || self.other_names.contains(name)
            || self.fs_modules.contains(name)
            || self.fs_promises_modules.contains(name)
            || self.fs_promises_functions.contains(name)
            || (self.util_modules.contains(name) && self.util_promisify.contains(name))
    }
}

fn text_of<'s>(source: &'s str, node: Node) -> &'s str {
    &source[node.byte_range()]
}
