//! The per-function parts of the insights, kept across versions of a
//! document: what each async function retains at its awaits and what
//! rejects its promise. Both are computed from the function's own syntax
//! tree; the rejections also ask the file's async facts about names (can
//! `save(x)` reject?). So a function whose text is unchanged, and whose
//! recorded questions the new facts answer as before (`analysis/lookups.rs`,
//! as the findings cache does), gets its parts back, moved to where the
//! function starts now, instead of computing them again. A function with a
//! syntax error inside is never kept: its tree may depend on what surrounds
//! it.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use tree_sitter::Node;

use crate::analysis::dataflow::FunctionFlow;
use crate::analysis::lookups::Lookup;
use crate::analysis::retention::{self, moved_range, AwaitRetention};
use crate::analysis::source_facts::AsyncFacts;
use crate::engine::EntryCache;

use super::rejections::rejections;
use super::statement_facts::StatementFacts;
use super::Rejection;

/// What the insights of one version keep for the next.
#[derive(Default)]
pub struct InsightsCache {
    /// The parts of the functions of the last computation.
    previous: HashMap<FunctionKey, FunctionParts>,
    /// The parts of the functions of the computation under way.
    current: HashMap<FunctionKey, FunctionParts>,
    /// Functions whose parts the last computation reused.
    pub last_reused: usize,
    /// Functions whose parts the last computation computed.
    pub last_computed: usize,
    /// The engine's symbolic entries of the last computation, kept for the
    /// next (`engine::EntryCache`).
    pub entries: EntryCache,
    /// The file's async facts per top-level statement (`statement_facts`).
    pub(super) statement_facts: StatementFacts,
}

/// A function's node kind and text, hashed twice with different prefixes
/// (128 bits: a collision between two texts of a file is not a concern).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
struct FunctionKey(u64, u64);

impl FunctionKey {
    fn of(source: &str, function: Node) -> FunctionKey {
        let hash = |seed: u8| {
            let mut hasher = DefaultHasher::new();
            seed.hash(&mut hasher);
            function.kind().hash(&mut hasher);
            source[function.byte_range()].hash(&mut hasher);
            hasher.finish()
        };
        FunctionKey(hash(0), hash(1))
    }
}

/// The parts of one function, with the ranges of where it starts. What it
/// retains at each await is shared with the insights that show it.
#[derive(Clone)]
struct FunctionParts {
    start: usize,
    retention: Vec<Arc<AwaitRetention>>,
    rejections: Vec<Rejection>,
    /// Each key the rejections asked the facts about, with the answer.
    answers: Vec<(Lookup, u64)>,
}

impl FunctionParts {
    /// The parts of the same function starting at `start`.
    fn moved_to(&self, start: usize) -> FunctionParts {
        if start == self.start {
            return self.clone();
        }
        let retention = self
            .retention
            .iter()
            .map(|at| Arc::new(at.moved(self.start, start)))
            .collect();
        let rejections = self
            .rejections
            .iter()
            .map(|rejection| Rejection {
                range: moved_range(&rejection.range, self.start, start),
                what: rejection.what.clone(),
            })
            .collect();
        FunctionParts {
            start,
            retention,
            rejections,
            answers: self.answers.clone(),
        }
    }

    fn shared(&self) -> (Vec<Arc<AwaitRetention>>, Vec<Rejection>) {
        (self.retention.clone(), self.rejections.clone())
    }
}

impl InsightsCache {
    /// Packs what is kept for the next version into less memory, for a
    /// document that is idle: the engine's records (`EntryCache::pack`).
    pub fn pack(&mut self) {
        self.entries.pack();
    }

    /// Starts the computation of a new version's insights.
    pub(super) fn begin(&mut self) {
        self.current.clear();
        self.last_reused = 0;
        self.last_computed = 0;
    }

    /// Ends it: what it computed or reused is what the next one may reuse,
    /// and nothing else (the cache holds one version's functions).
    pub(super) fn end(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }

    /// Runs `compute`, the parts of one function ahead of a whole
    /// computation of the same version: what it computes or reuses is kept
    /// where that computation looks first after its `begin`, and the counts
    /// of the last whole computation stay as they were.
    pub(super) fn ahead<T>(&mut self, compute: impl FnOnce(&mut Self) -> T) -> T {
        let counts = (self.last_reused, self.last_computed);
        let current = std::mem::take(&mut self.current);
        let result = compute(self);
        let ahead = std::mem::replace(&mut self.current, current);
        self.previous.extend(ahead);
        (self.last_reused, self.last_computed) = counts;
        result
    }

    /// What `function` retains at each of its awaits and what rejects its
    /// promise: from the cache when its text was seen and `facts` answer its
    /// questions as before, else computed (and kept).
    pub(super) fn function_parts(
        &mut self,
        source: &str,
        function: Node,
        facts: &AsyncFacts,
    ) -> (Vec<Arc<AwaitRetention>>, Vec<Rejection>) {
        if function.has_error() {
            self.last_computed += 1;
            return compute(source, function, facts).shared();
        }
        let start = function.start_byte();
        let key = FunctionKey::of(source, function);
        let still_valid = |parts: &FunctionParts| {
            parts
                .answers
                .iter()
                .all(|(lookup, answer)| facts.answer(lookup) == *answer)
        };
        let known = self
            .current
            .get(&key)
            .or_else(|| self.previous.get(&key))
            .filter(|parts| still_valid(parts));
        let parts = match known {
            Some(parts) => {
                self.last_reused += 1;
                parts.moved_to(start)
            }
            None => {
                self.last_computed += 1;
                compute(source, function, facts)
            }
        };
        let shared = parts.shared();
        self.current.insert(key, parts);
        shared
    }
}

fn compute(source: &str, function: Node, facts: &AsyncFacts) -> FunctionParts {
    let retention =
        retention::retained_with_flow(source, function, &FunctionFlow::new(source, function))
            .into_iter()
            .map(|mut at| {
                at.retained.shrink_to_fit();
                at.released.shrink_to_fit();
                Arc::new(at)
            })
            .collect();
    facts.lookups().start();
    let rejections = rejections(source, facts, function);
    let answers = facts
        .lookups()
        .finish()
        .into_iter()
        .map(|lookup| {
            let answer = facts.answer(&lookup);
            (lookup, answer)
        })
        .collect();
    FunctionParts {
        start: function.start_byte(),
        retention,
        rejections,
        answers,
    }
}
