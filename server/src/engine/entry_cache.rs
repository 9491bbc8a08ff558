//! Symbolic entries kept across versions of a document (issue 20, item 7).
//!
//! Each path of each symbolic entry starts from the state the program's run
//! left (`symbolic_entries.rs`), so what a top-level entry observes (with
//! the entries of the functions it creates) depends only on that state, on
//! the code the entry ran, and on the run's shared limits (the extra steps
//! of the budget, the number of entries, which functions were entered
//! already). The cache keeps, per entry, what it observed and what it
//! depended on:
//! - the program's run, as a digest of the text that run could read: the
//!   whole file except the bodies of the functions none of its paths called
//!   (an edit inside such a body cannot change the state it leaves);
//! - the text of every function the entry called (`Machine::ran`);
//! - the budget it took and whether it ran out, the entries it made, and
//!   each closure it looked at with whether it was worth entering and not
//!   entered yet.
//!
//! On the next version, an entry whose program digest, function texts and
//! limits still match is not run: its records are moved by the edit's byte
//! delta (found by comparing the texts' common prefix and suffix), its
//! function ids mapped by their moved ranges, its path ids renumbered, and
//! merged as the run would have merged them. The result is the same as
//! running it (`tests/incremental_insights.rs`). What an entry observed is
//! kept once, in the terms of the version that ran it, and shared by the
//! versions that reuse it: a record moved by an edit that keeps every
//! function's id and leaves all its positions on one side of the change only
//! notes the delta and the first path id, which are applied when it is
//! merged. Only the records merged pay for the copy: the first hover after
//! an edit merges those of the hovered function alone.
//!
//! While a document is idle the kept version is packed into bytes
//! ([`EntryCache::pack`]: postcard, then LZ4): on the 10,000-line bench file
//! the records take 2.3 MB of live heap and 0.23 MB packed, packing takes
//! about 3 ms and unpacking costs the next computation a few (docs/performance.md,
//! "An idle document's engine records packed").

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::bytecode::FuncId;
use super::joined_paths::SettleSeen;
use super::machine::branches::{Decision, PathRecord};
use super::machine::Halt;
use super::scheduler::PhaseKind;
use super::tick_observer::{Observed, Observer};
use super::{Abstention, ModuleKind};

/// A text hashed twice with different prefixes (128 bits).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct TextKey(u64, u64);

impl TextKey {
    pub fn of(parts: &[&str]) -> TextKey {
        let hash = |seed: u8| {
            let mut hasher = DefaultHasher::new();
            seed.hash(&mut hasher);
            for part in parts {
                part.hash(&mut hasher);
            }
            hasher.finish()
        };
        TextKey(hash(0), hash(1))
    }
}

/// What the symbolic entries of one version keep for the next.
#[derive(Default)]
pub struct EntryCache {
    previous: Option<Version>,
    /// `previous`, packed while the document is idle.
    packed: Option<Box<[u8]>>,
    /// Entries the last computation reused.
    pub last_reused: usize,
    /// Entries the last computation ran.
    pub last_run: usize,
}

/// One version's entries, with what is needed to move them to the next.
#[derive(Serialize, Deserialize)]
struct Version {
    source: String,
    digest: TextKey,
    funcs: Vec<Range<usize>>,
    units: HashMap<TextKey, Vec<UnitRecord>>,
}

/// Where a position of the previous text is now: the texts share a prefix
/// and a suffix, and what lies between them changed.
struct Shift {
    prefix: usize,
    old_suffix_start: usize,
    old_len: usize,
    new_len: usize,
}

impl Shift {
    fn between(old: &str, new: &str) -> Shift {
        let (old_bytes, new_bytes) = (old.as_bytes(), new.as_bytes());
        let prefix = old_bytes
            .iter()
            .zip(new_bytes)
            .take_while(|(a, b)| a == b)
            .count();
        let room = old.len().min(new.len()) - prefix;
        let suffix = old_bytes
            .iter()
            .rev()
            .zip(new_bytes.iter().rev())
            .take(room)
            .take_while(|(a, b)| a == b)
            .count();
        Shift {
            prefix,
            old_suffix_start: old.len() - suffix,
            old_len: old.len(),
            new_len: new.len(),
        }
    }

    /// Whether the edit leaves every line where it was: the text it
    /// removed holds as many line breaks as the text it inserted.
    fn keeps_lines(&self, old: &str, new: &str) -> bool {
        let new_suffix_start = self.new_len - (self.old_len - self.old_suffix_start);
        let breaks = |text: &str| text.bytes().filter(|&b| b == b'\n').count();
        breaks(&old[self.prefix..self.old_suffix_start])
            == breaks(&new[self.prefix..new_suffix_start])
    }

    fn moved(&self, pos: usize) -> usize {
        pos + self.new_len - self.old_len
    }

    /// A start (or a single position): `None` inside the change.
    fn start(&self, pos: usize) -> Option<usize> {
        if pos < self.prefix {
            Some(pos)
        } else if pos >= self.old_suffix_start {
            Some(self.moved(pos))
        } else {
            None
        }
    }

    /// An exclusive end: `None` inside the change.
    fn end(&self, pos: usize) -> Option<usize> {
        if pos <= self.prefix {
            Some(pos)
        } else if pos >= self.old_suffix_start {
            Some(self.moved(pos))
        } else {
            None
        }
    }

    fn range(&self, range: &Range<usize>) -> Option<Range<usize>> {
        Some(self.start(range.start)?..self.end(range.end)?)
    }
}

/// A path record without `Rc` (the cache moves between threads).
#[derive(Clone, Serialize, Deserialize)]
struct StoredPath {
    id: u32,
    decisions: Box<[(usize, Box<str>, bool)]>,
    complete: bool,
    shares: Option<(u32, usize)>,
}

/// What one top-level entry (with the entries of the closures it created)
/// observed, and what that depended on, in its version's terms.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct UnitRecord {
    /// The function entered.
    func: FuncId,
    /// Every function its paths called, with its text's key.
    ran: Vec<(FuncId, TextKey)>,
    /// Each closure its paths created, in order: (function, worth entering,
    /// entered by this look).
    pub closures: Vec<(FuncId, bool, bool)>,
    /// The budget had no steps left when it began.
    pub from_empty_budget: bool,
    /// Steps it took from the budget, and whether it emptied it.
    pub steps: u64,
    pub emptied_budget: bool,
    /// Its path ids: `first_id..first_id + ids`.
    first_id: u32,
    pub ids: u32,
    /// Entries its created closures made.
    pub entries: usize,
    /// What it observed, in the terms of the version that ran it, shared by
    /// every later version that reuses it: moving a record by an edit that
    /// leaves all its positions on one side copies nothing.
    observed: Arc<Observations>,
    /// What to add to each byte position of `observed` in this version.
    delta: isize,
}

/// An await site: its function and its byte range.
type Site = (FuncId, usize, usize);

/// A map kept for the next versions, as its pairs sorted by key in one
/// allocation: a cache holds about a thousand of these per document, most
/// with one or two keys, where a `BTreeMap` would allocate a node of eleven.
type Sorted<K, V> = Box<[(K, V)]>;

/// The pairs of `map`, sorted as it iterates them.
fn sorted<K: Copy, V, W>(map: &BTreeMap<K, V>, value: impl Fn(&V) -> W) -> Sorted<K, W> {
    map.iter().map(|(&key, v)| (key, value(v))).collect()
}

/// `pairs` sorted by key, once any of them is `None`, `None`: a mapping of
/// keys that keeps them distinct may still change their order.
fn sorted_pairs<K: Ord, V>(pairs: impl Iterator<Item = Option<(K, V)>>) -> Option<Sorted<K, V>> {
    let mut pairs = pairs.collect::<Option<Vec<_>>>()?;
    pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Some(pairs.into_boxed_slice())
}

/// The keys of `pairs`, in order.
fn keys<K, V>(pairs: &[(K, V)]) -> impl Iterator<Item = &K> {
    pairs.iter().map(|(key, _)| key)
}

/// What a unit observed, with function ids, byte positions and path ids in
/// the terms of one version.
#[derive(Serialize, Deserialize)]
struct Observations {
    /// Its path ids are `first_id..first_id + ids` (the record's `ids`).
    first_id: u32,
    /// Every path id it holds is one of those (a record holding another is
    /// never moved).
    own_ids: bool,
    /// The least start, the greatest start and the greatest end of its
    /// positions; `None` when it holds none.
    bounds: Option<Bounds>,
    stops: Sorted<FuncId, StoredHalt>,
    settles: Box<[SettleSeen]>,
    counts: Sorted<FuncId, usize>,
    /// The observer's `resumes`, `jobs_after_settle`, `later_phases` and
    /// `by_path`, which it records in step, one entry in each per resumption.
    resumptions: Sorted<Site, Box<[Resumption]>>,
    operand_kinds: Sorted<Site, (u32, u32)>,
    segments: Box<[Box<[StoredPath]>]>,
}

/// One resumption of an await site, as the observer recorded it.
#[derive(Clone, Serialize, Deserialize)]
struct Resumption {
    /// The path that made it, and the decisions it had taken before.
    path: u32,
    decisions: usize,
    observed: Observed,
    jobs_after_settle: Option<u32>,
    later_phase: Option<PhaseKind>,
}

/// The resumptions `observed` recorded, site by site; `None` when its four
/// records of them are not in step (the record is then not kept).
fn resumptions(observed: &Observer) -> Option<Sorted<Site, Box<[Resumption]>>> {
    let sites = observed.by_path.len();
    if [
        observed.resumes.len(),
        observed.jobs_after_settle.len(),
        observed.later_phases.len(),
    ] != [sites; 3]
    {
        return None;
    }
    observed
        .by_path
        .iter()
        .map(|(site, seen)| {
            let resumes = observed.resumes.get(site)?;
            let jobs = observed.jobs_after_settle.get(site)?;
            let phases = observed.later_phases.get(site)?;
            if [resumes.len(), jobs.len(), phases.len()] != [seen.len(); 3] {
                return None;
            }
            let resumptions = seen
                .iter()
                .zip(resumes)
                .zip(jobs.iter().zip(phases))
                .map(
                    |(((path, decisions, observed), resumed), (&jobs, &phase))| {
                        (observed == resumed).then(|| Resumption {
                            path: *path,
                            decisions: *decisions,
                            observed: observed.clone(),
                            jobs_after_settle: jobs,
                            later_phase: phase,
                        })
                    },
                )
                .collect::<Option<_>>()?;
            Some((*site, resumptions))
        })
        .collect()
}

/// A halt without `Rc`: (an abstention rather than a crash, its text, the
/// abstention's range).
type StoredHalt = (bool, Box<str>, Option<Range<usize>>);

#[derive(Clone, Copy, Serialize, Deserialize)]
struct Bounds {
    least_start: usize,
    last_start: usize,
    last_end: usize,
}

/// What a top-level entry added to the run's records.
#[derive(Default)]
pub(super) struct UnitOutput {
    pub stops: BTreeMap<FuncId, Halt>,
    pub settles: Vec<SettleSeen>,
    pub counts: BTreeMap<FuncId, usize>,
    pub observed: Observer,
}

/// What a unit's run depended on besides its code, measured around it.
pub(super) struct UnitLimits {
    pub closures: Vec<(FuncId, bool, bool)>,
    pub from_empty_budget: bool,
    pub steps: u64,
    pub emptied_budget: bool,
    pub first_id: u32,
    pub ids: u32,
    pub entries: usize,
}

fn store_halt(halt: &Halt) -> StoredHalt {
    match halt {
        Halt::Abstain(abstention) => (
            true,
            abstention.reason.as_str().into(),
            abstention.range.clone(),
        ),
        Halt::Crash(message) => (false, message.as_str().into(), None),
    }
}

fn load_halt((abstain, text, range): &StoredHalt) -> Halt {
    match abstain {
        true => Halt::Abstain(Abstention {
            reason: text.to_string(),
            range: range.clone(),
        }),
        false => Halt::Crash(text.to_string()),
    }
}

/// How an observation's positions, function ids and path ids change: each
/// answers `None` for one that has no place in the new terms.
struct Mapping<P, F, I> {
    /// A position, and whether it ends a range.
    position: P,
    func: F,
    id: I,
}

impl Observations {
    /// The observations of a unit that ran, its path ids from `first_id`;
    /// `None` when they cannot be kept (see [`resumptions`]).
    fn new(output: &UnitOutput, first_id: u32, ids: u32) -> Option<Observations> {
        let observed = &output.observed;
        let mut observations = Observations {
            first_id,
            own_ids: true,
            bounds: None,
            stops: sorted(&output.stops, store_halt),
            settles: output.settles.clone().into_boxed_slice(),
            counts: sorted(&output.counts, |&count| count),
            resumptions: resumptions(observed)?,
            operand_kinds: sorted(&observed.operand_kinds, |&kinds| kinds),
            segments: observed
                .segments
                .iter()
                .map(|segment| {
                    segment
                        .iter()
                        .map(|record| StoredPath {
                            id: record.id,
                            decisions: record
                                .decisions
                                .iter()
                                .map(|d| (d.at, Box::from(&*d.origin), d.taken))
                                .collect(),
                            complete: record.complete,
                            shares: record.shares,
                        })
                        .collect()
                })
                .collect(),
        };
        observations.measure(ids);
        Some(observations)
    }

    /// Sets `own_ids` and `bounds` from what it holds.
    fn measure(&mut self, ids: u32) {
        let own = self.first_id..self.first_id + ids;
        let mut own_ids = true;
        let mut check = |id: u32| own_ids &= own.contains(&id);
        let mut bounds: Option<Bounds> = None;
        let mut position = |start: usize, end: Option<usize>| {
            let end = end.unwrap_or(start);
            bounds = Some(match bounds {
                None => Bounds {
                    least_start: start,
                    last_start: start,
                    last_end: end,
                },
                Some(b) => Bounds {
                    least_start: b.least_start.min(start),
                    last_start: b.last_start.max(start),
                    last_end: b.last_end.max(end),
                },
            });
        };
        for (_, (_, _, range)) in &self.stops {
            if let Some(range) = range {
                position(range.start, Some(range.end));
            }
        }
        for settle in &self.settles {
            check(settle.seen.0);
        }
        for &(_, start, end) in keys(&self.resumptions).chain(keys(&self.operand_kinds)) {
            position(start, Some(end));
        }
        for (_, resumptions) in &self.resumptions {
            for resumption in resumptions {
                check(resumption.path);
            }
        }
        for path in self.segments.iter().flatten() {
            check(path.id);
            if let Some((parent, _)) = path.shares {
                check(parent);
            }
            for &(at, ..) in &path.decisions {
                position(at, None);
            }
        }
        self.own_ids = own_ids;
        self.bounds = bounds;
    }

    /// The observations in other terms; `None` when one of them has no
    /// place there.
    fn mapped<P, F, I>(
        &self,
        map: &Mapping<P, F, I>,
        first_id: u32,
        ids: u32,
    ) -> Option<Observations>
    where
        P: Fn(usize, bool) -> Option<usize>,
        F: Fn(FuncId) -> Option<FuncId>,
        I: Fn(u32) -> Option<u32>,
    {
        let site = |&(f, start, end): &Site| {
            Some((
                (map.func)(f)?,
                (map.position)(start, false)?,
                (map.position)(end, true)?,
            ))
        };
        fn sites<T: Clone>(
            map: &Sorted<Site, T>,
            site: &impl Fn(&Site) -> Option<Site>,
        ) -> Option<Sorted<Site, T>> {
            sorted_pairs(
                map.iter()
                    .map(|(key, value)| Some((site(key)?, value.clone()))),
            )
        }
        let resumptions = sorted_pairs(self.resumptions.iter().map(|(key, resumptions)| {
            let resumptions: Option<Box<[Resumption]>> = resumptions
                .iter()
                .map(|resumption| {
                    Some(Resumption {
                        path: (map.id)(resumption.path)?,
                        ..resumption.clone()
                    })
                })
                .collect();
            Some((site(key)?, resumptions?))
        }))?;
        let segments = self
            .segments
            .iter()
            .map(|segment| {
                segment
                    .iter()
                    .map(|path| {
                        Some(StoredPath {
                            id: (map.id)(path.id)?,
                            decisions: path
                                .decisions
                                .iter()
                                .map(|(at, origin, taken)| {
                                    Some(((map.position)(*at, false)?, origin.clone(), *taken))
                                })
                                .collect::<Option<_>>()?,
                            complete: path.complete,
                            shares: match path.shares {
                                Some((parent, before)) => Some(((map.id)(parent)?, before)),
                                None => None,
                            },
                        })
                    })
                    .collect::<Option<Box<[_]>>>()
            })
            .collect::<Option<_>>()?;
        let settles = self
            .settles
            .iter()
            .map(|settle| {
                Some(SettleSeen {
                    func: (map.func)(settle.func)?,
                    seen: (
                        (map.id)(settle.seen.0)?,
                        settle.seen.1,
                        settle.seen.2.clone(),
                    ),
                    phase: settle.phase,
                })
            })
            .collect::<Option<_>>()?;
        let stops = sorted_pairs(
            self.stops
                .iter()
                .map(|&(f, (abstain, ref text, ref range))| {
                    let range = match range {
                        Some(range) => Some(
                            (map.position)(range.start, false)?..(map.position)(range.end, true)?,
                        ),
                        None => None,
                    };
                    Some(((map.func)(f)?, (abstain, text.clone(), range)))
                }),
        )?;
        let mut moved = Observations {
            first_id,
            own_ids: true,
            bounds: None,
            stops,
            settles,
            counts: sorted_pairs(
                self.counts
                    .iter()
                    .map(|&(f, count)| Some(((map.func)(f)?, count))),
            )?,
            resumptions,
            operand_kinds: sites(&self.operand_kinds, &site)?,
            segments,
        };
        moved.measure(ids);
        Some(moved)
    }
}

impl UnitRecord {
    /// The record of a unit that ran: its output, what it called, its
    /// limits; `None` when its observations cannot be kept.
    pub fn new(
        func: FuncId,
        ran: Vec<(FuncId, TextKey)>,
        limits: UnitLimits,
        output: &UnitOutput,
    ) -> Option<UnitRecord> {
        Some(UnitRecord {
            func,
            ran,
            closures: limits.closures,
            from_empty_budget: limits.from_empty_budget,
            steps: limits.steps,
            emptied_budget: limits.emptied_budget,
            first_id: limits.first_id,
            ids: limits.ids,
            entries: limits.entries,
            observed: Arc::new(Observations::new(output, limits.first_id, limits.ids)?),
            delta: 0,
        })
    }

    /// A byte position of `observed` in this version.
    fn position(&self, stored: usize) -> usize {
        stored.saturating_add_signed(self.delta)
    }

    /// A path id of `observed` in this version.
    fn id(&self, stored: u32) -> u32 {
        stored - self.observed.first_id + self.first_id
    }

    /// Whether the unit observed anything of a function `wanted` holds: a
    /// resumption, a settling, an entry, a stop. A unit that did not adds
    /// nothing those functions' facts read (their joins read the segments of
    /// the paths that observed their sites, and its paths observed none).
    pub fn observed_any(&self, wanted: &[bool]) -> bool {
        let is_wanted = |func: FuncId| wanted.get(func).copied().unwrap_or(false);
        fn sites<T>(map: &Sorted<Site, T>, is_wanted: impl Fn(FuncId) -> bool) -> bool {
            keys(map).any(|&(func, ..)| is_wanted(func))
        }
        let observed = &*self.observed;
        is_wanted(self.func)
            || self.ran.iter().any(|&(func, _)| is_wanted(func))
            || keys(&observed.counts).any(|&func| is_wanted(func))
            || keys(&observed.stops).any(|&func| is_wanted(func))
            || observed.settles.iter().any(|settle| is_wanted(settle.func))
            || sites(&observed.resumptions, is_wanted)
            || sites(&observed.operand_kinds, is_wanted)
    }

    /// What the unit added to the run, to merge as its run would have.
    pub fn output(&self) -> UnitOutput {
        let stored = &*self.observed;
        let site = |&(f, start, end): &Site| (f, self.position(start), self.position(end));
        fn parts<T>(
            stored: &Observations,
            site: impl Fn(&Site) -> Site,
            part: impl Fn(&Resumption) -> T,
        ) -> BTreeMap<Site, Vec<T>> {
            stored
                .resumptions
                .iter()
                .map(|(key, resumptions)| (site(key), resumptions.iter().map(&part).collect()))
                .collect()
        }
        let mut observed = Observer::default();
        observed.resumes = parts(stored, site, |r| r.observed.clone());
        observed.jobs_after_settle = parts(stored, site, |r| r.jobs_after_settle);
        observed.later_phases = parts(stored, site, |r| r.later_phase);
        observed.by_path = parts(stored, site, |r| {
            (self.id(r.path), r.decisions, r.observed.clone())
        });
        observed.operand_kinds = stored
            .operand_kinds
            .iter()
            .map(|&(key, kinds)| (site(&key), kinds))
            .collect();
        observed.segments = stored
            .segments
            .iter()
            .map(|segment| {
                segment
                    .iter()
                    .map(|path| PathRecord {
                        id: self.id(path.id),
                        decisions: path
                            .decisions
                            .iter()
                            .map(|(at, origin, taken)| Decision {
                                at: self.position(*at),
                                origin: Rc::from(&**origin),
                                taken: *taken,
                            })
                            .collect(),
                        complete: path.complete,
                        shares: path
                            .shares
                            .map(|(parent, before)| (self.id(parent), before)),
                    })
                    .collect()
            })
            .collect();
        UnitOutput {
            stops: stored
                .stops
                .iter()
                .map(|&(func, (abstain, ref text, ref range))| {
                    let range = range
                        .as_ref()
                        .map(|range| self.position(range.start)..self.position(range.end));
                    (func, load_halt(&(abstain, text.clone(), range)))
                })
                .collect(),
            settles: stored
                .settles
                .iter()
                .map(|settle| SettleSeen {
                    func: settle.func,
                    seen: (self.id(settle.seen.0), settle.seen.1, settle.seen.2.clone()),
                    phase: settle.phase,
                })
                .collect(),
            counts: stored.counts.iter().copied().collect(),
            observed,
        }
    }

    /// The record in the next version's terms, its path ids from
    /// `first_id`; `None` when anything it holds lies in the changed text
    /// or names a function the next version does not have. `same_ids`: every
    /// old function keeps its id.
    fn moved(
        &self,
        shift: &Shift,
        funcs: &[Option<FuncId>],
        same_ids: bool,
        first_id: u32,
    ) -> Option<UnitRecord> {
        let func = |old: FuncId| funcs.get(old).copied().flatten();
        if !self.observed.own_ids {
            return None;
        }
        let head = |observed: Arc<Observations>, delta: isize| {
            Some(UnitRecord {
                func: func(self.func)?,
                ran: self
                    .ran
                    .iter()
                    .map(|&(f, key)| Some((func(f)?, key)))
                    .collect::<Option<_>>()?,
                closures: self
                    .closures
                    .iter()
                    .map(|&(f, worth, entered)| Some((func(f)?, worth, entered)))
                    .collect::<Option<_>>()?,
                from_empty_budget: self.from_empty_budget,
                steps: self.steps,
                emptied_budget: self.emptied_budget,
                first_id,
                ids: self.ids,
                entries: self.entries,
                observed,
                delta,
            })
        };
        // Every position on one side of the change: the observations stay
        // as they are, shared.
        let uniform = match self.observed.bounds {
            None => Some(self.delta),
            Some(b) => {
                let grown = shift.new_len as isize - shift.old_len as isize;
                if self.position(b.last_start) < shift.prefix
                    && self.position(b.last_end) <= shift.prefix
                {
                    Some(self.delta)
                } else if self.position(b.least_start) >= shift.old_suffix_start {
                    Some(self.delta + grown)
                } else {
                    None
                }
            }
        };
        if let (true, Some(delta)) = (same_ids, uniform) {
            return head(Arc::clone(&self.observed), delta);
        }
        let map = Mapping {
            position: |stored: usize, end: bool| match end {
                false => shift.start(self.position(stored)),
                true => shift.end(self.position(stored)),
            },
            func,
            id: |stored: u32| Some(self.id(stored) - self.first_id + first_id),
        };
        let observed = self.observed.mapped(&map, first_id, self.ids)?;
        head(Arc::new(observed), 0)
    }
}

/// The previous version's records, and how to move them to this one: the
/// edit's shift and each old function's id now.
struct Moved<'a> {
    shift: Shift,
    funcs: Vec<Option<FuncId>>,
    /// Every old function keeps its id.
    same_ids: bool,
    units: &'a HashMap<TextKey, Vec<UnitRecord>>,
}

/// The entries' cache for one computation: the previous version's records
/// that may apply, and the records of this one.
pub(super) struct Units<'a> {
    source: &'a str,
    funcs: Vec<Range<usize>>,
    keys: Vec<Option<TextKey>>,
    /// The previous version, moved: when its program digest matches.
    previous: Option<Moved<'a>>,
    current: HashMap<TextKey, Vec<UnitRecord>>,
    pub reused: usize,
    pub run: usize,
    /// Per function: whether its facts are wanted, when only some are (see
    /// [`Units::merges`]); `None` for all.
    pub wanted: Option<Vec<bool>>,
}

impl<'a> Units<'a> {
    /// The key of `func`'s text in this version.
    pub fn key(&mut self, func: FuncId) -> TextKey {
        let source = self.source;
        let range = &self.funcs[func];
        *self.keys[func]
            .get_or_insert_with(|| TextKey::of(&[source.get(range.clone()).unwrap_or_default()]))
    }

    /// A record of the previous version for an entry of `func`, in this
    /// version's terms (path ids from `first_id`), whose functions' texts
    /// are unchanged; the caller checks its limits.
    pub fn lookup(&mut self, func: FuncId, first_id: u32) -> Option<UnitRecord> {
        let key = self.key(func);
        let previous = self.previous.as_ref()?;
        let candidates = previous.units.get(&key)?;
        let mut found = None;
        for candidate in candidates {
            let moved = candidate.moved(
                &previous.shift,
                &previous.funcs,
                previous.same_ids,
                first_id,
            );
            let Some(moved) = moved else {
                continue;
            };
            if moved.func != func {
                continue;
            }
            found = Some(moved);
            break;
        }
        let found = found?;
        let texts_match = found.ran.iter().all(|&(f, key)| self.key(f) == key);
        texts_match.then_some(found)
    }

    /// Whether a reused record must be merged into the run's records: when
    /// every function's facts are wanted, or it observed a wanted one. The
    /// others change no wanted function's facts, and are kept all the same.
    pub fn merges(&self, record: &UnitRecord) -> bool {
        self.wanted
            .as_ref()
            .is_none_or(|wanted| record.observed_any(wanted))
    }

    /// What the next version keeps of this computation.
    pub fn into_parts(mut self) -> Kept {
        // Most texts have one record; a vector grown by a push holds four.
        for records in self.current.values_mut() {
            records.shrink_to_fit();
        }
        Kept {
            source: self.source.to_owned(),
            funcs: self.funcs,
            units: self.current,
            reused: self.reused,
            run: self.run,
        }
    }

    /// Keeps a unit's record (run or reused) for the next version.
    pub fn keep(&mut self, record: UnitRecord) {
        let key = self.key(record.func);
        self.current.entry(key).or_default().push(record);
    }
}

impl EntryCache {
    /// Packs the kept version into bytes, for a document nobody edits or
    /// asks about for a while; the next computation unpacks it. A version
    /// that does not pack is dropped (the next computation then runs every
    /// entry).
    pub fn pack(&mut self) {
        if let Some(version) = self.previous.take() {
            self.packed = postcard::to_allocvec(&version)
                .ok()
                .map(|bytes| lz4_flex::block::compress_prepend_size(&bytes).into_boxed_slice());
        }
    }

    /// Whether the kept version is packed.
    pub fn is_packed(&self) -> bool {
        self.packed.is_some()
    }

    /// Unpacks the kept version, if [`EntryCache::pack`] packed it.
    pub(super) fn unpack(&mut self) {
        if let Some(packed) = self.packed.take() {
            self.previous = lz4_flex::block::decompress_size_prepended(&packed)
                .ok()
                .and_then(|bytes| postcard::from_bytes(&bytes).ok());
        }
    }

    /// The units of a computation of `source`, whose functions span `funcs`
    /// with bodies `bodies`, and whose program's run called `called`
    /// (functions other than the top level).
    pub(super) fn units<'a>(
        &'a self,
        source: &'a str,
        module: ModuleKind,
        (funcs, bodies): (Vec<Range<usize>>, Vec<Option<Range<usize>>>),
        called: &[bool],
    ) -> (Units<'a>, TextKey) {
        let digest = program_digest(source, module, &bodies, called);
        let previous = self
            .previous
            .as_ref()
            .filter(|previous| previous.digest == digest)
            .map(|previous| (previous, Shift::between(&previous.source, source)))
            // Records hold texts that name lines ("`fs.readFile` at line 3"):
            // an edit that adds or removes a line moves them, so nothing is
            // reused across it.
            .filter(|(previous, shift)| shift.keeps_lines(&previous.source, source))
            .map(|(previous, shift)| {
                let mut now: HashMap<(usize, usize), Option<FuncId>> = HashMap::new();
                for (func, range) in funcs.iter().enumerate() {
                    now.entry((range.start, range.end))
                        .and_modify(|twice| *twice = None)
                        .or_insert(Some(func));
                }
                let funcs: Vec<Option<FuncId>> = previous
                    .funcs
                    .iter()
                    .map(|range| {
                        let moved = shift.range(range)?;
                        now.get(&(moved.start, moved.end)).copied().flatten()
                    })
                    .collect();
                let same_ids = funcs.iter().enumerate().all(|(old, now)| *now == Some(old));
                Moved {
                    shift,
                    funcs,
                    same_ids,
                    units: &previous.units,
                }
            });
        let keys = vec![None; funcs.len()];
        let units = Units {
            source,
            funcs,
            keys,
            previous,
            current: HashMap::new(),
            reused: 0,
            run: 0,
            wanted: None,
        };
        (units, digest)
    }

    /// Ends a computation: its units are what the next may reuse.
    pub(super) fn keep(&mut self, kept: Kept, digest: TextKey) {
        self.packed = None;
        self.previous = Some(Version {
            source: kept.source,
            digest,
            funcs: kept.funcs,
            units: kept.units,
        });
        self.last_reused = kept.reused;
        self.last_run = kept.run;
    }
}

/// A computation's units, owned (see [`Units::into_parts`]).
pub(super) struct Kept {
    source: String,
    funcs: Vec<Range<usize>>,
    units: HashMap<TextKey, Vec<UnitRecord>>,
    reused: usize,
    run: usize,
}

/// The text the program's run could read: the whole file with the body of
/// each function none of its paths called left out (outermost ones; the
/// functions inside them were not called either). `function_bodies` are
/// each function's body, as the compile found it.
fn program_digest(
    source: &str,
    module: ModuleKind,
    function_bodies: &[Option<Range<usize>>],
    called: &[bool],
) -> TextKey {
    let mut bodies: Vec<Range<usize>> = function_bodies
        .iter()
        .enumerate()
        .skip(1)
        .filter(|&(func, _)| !called.get(func).copied().unwrap_or(false))
        .filter_map(|(_, body)| body.clone())
        .collect();
    bodies.sort_by_key(|body| (body.start, std::cmp::Reverse(body.end)));
    let mut parts: Vec<&str> = vec![match module {
        ModuleKind::EsModule => "module",
        ModuleKind::CommonJs => "commonjs",
    }];
    let mut at = 0;
    for body in bodies {
        if body.start < at {
            continue;
        }
        parts.push(&source[at..body.start]);
        parts.push("\u{0}");
        at = body.end;
    }
    parts.push(&source[at..]);
    TextKey::of(&parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_before_an_edit_stay_those_after_it_move_and_those_inside_have_none() {
        let shift = Shift::between("let a = 1; f(x);", "let a = 22; f(x);");
        assert_eq!(shift.start(4), Some(4));
        assert_eq!(shift.start(8), None);
        assert_eq!(shift.start(11), Some(12));
        assert_eq!(shift.range(&(11..16)), Some(12..17));
        assert_eq!(shift.range(&(8..9)), None);
        assert_eq!(shift.range(&(0..16)), Some(0..17));
    }

    /// A unit's output with one await site at 10..20 of function 1, a
    /// decision at 12, a stop at 14..16, paths 5 and 6 (6 sharing 5's).
    fn output(shared_parent: u32) -> UnitOutput {
        let mut observed = Observer::default();
        observed
            .resumes
            .insert((1, 10, 20), vec![Observed::AfterEntry(1)]);
        observed
            .by_path
            .insert((1, 10, 20), vec![(5, 0, Observed::AfterEntry(1))]);
        observed.jobs_after_settle.insert((1, 10, 20), vec![None]);
        observed.later_phases.insert((1, 10, 20), vec![None]);
        let path = |id, decisions, shares| PathRecord {
            id,
            decisions,
            complete: true,
            shares,
        };
        let decision = Decision {
            at: 12,
            origin: Rc::from("x"),
            taken: true,
        };
        observed.segments = vec![vec![
            path(5, vec![decision], None),
            path(6, Vec::new(), Some((shared_parent, 0))),
        ]];
        let stop = Halt::Abstain(Abstention {
            reason: "r".to_owned(),
            range: Some(14..16),
        });
        UnitOutput {
            stops: BTreeMap::from([(1, stop)]),
            settles: vec![SettleSeen {
                func: 1,
                seen: (6, 0, Observed::AfterEntry(2)),
                phase: None,
            }],
            counts: BTreeMap::from([(1, 1)]),
            observed,
        }
    }

    fn record_sharing(shared_parent: u32) -> UnitRecord {
        record_of(&output(shared_parent)).expect("records kept in step")
    }

    /// (the await site, its path id, the paths' ids
    /// and shared parents, the decision's place, the stop's range, the
    /// settle's path id) of a record as it would be merged.
    type Placed = (
        (FuncId, usize, usize),
        u32,
        Vec<(u32, Option<u32>)>,
        usize,
        Option<Range<usize>>,
        u32,
    );

    fn placed(record: &UnitRecord) -> Placed {
        let output = record.output();
        let observed = &output.observed;
        let (&(func, start, end), seen) = observed.by_path.iter().next().unwrap();
        assert_eq!(observed.resumes.keys().next(), Some(&(func, start, end)));
        let paths = &observed.segments[0];
        let stop = match &output.stops[&func] {
            Halt::Abstain(abstention) => abstention.range.clone(),
            Halt::Crash(_) => None,
        };
        (
            (func, start, end),
            seen[0].0,
            paths
                .iter()
                .map(|p| (p.id, p.shares.map(|s| s.0)))
                .collect(),
            paths[0].decisions[0].at,
            stop,
            output.settles[0].seen.0,
        )
    }

    /// The text of 40 bytes with 3 inserted at `at`.
    fn inserted(at: usize) -> Shift {
        let old = "x".repeat(40);
        let new = format!("{}yyy{}", &old[..at], &old[at..]);
        Shift::between(&old, &new)
    }

    #[test]
    fn a_record_gives_back_the_resumptions_it_kept_and_is_not_kept_out_of_step() {
        let record = record_sharing(5);
        let output = record.output();
        let original = output_with_phase(Some(PhaseKind::Immediate));
        let kept = record_of(&original)
            .expect("records in step are kept")
            .output();
        assert_eq!(kept.observed.resumes, original.observed.resumes);
        assert_eq!(kept.observed.by_path, original.observed.by_path);
        assert_eq!(
            kept.observed.jobs_after_settle,
            original.observed.jobs_after_settle
        );
        assert_eq!(kept.observed.later_phases, original.observed.later_phases);
        assert_eq!(output.observed.later_phases[&(1, 10, 20)], vec![None]);
        // A resumption one record lacks: nothing to keep, the next version runs it.
        let mut out_of_step = output_with_phase(None);
        out_of_step.observed.later_phases.clear();
        assert!(record_of(&out_of_step).is_none());
        let mut differing = output_with_phase(None);
        differing
            .observed
            .resumes
            .insert((1, 10, 20), vec![Observed::AfterEntry(2)]);
        assert!(record_of(&differing).is_none());
    }

    fn output_with_phase(phase: Option<PhaseKind>) -> UnitOutput {
        let mut output = output(5);
        output
            .observed
            .later_phases
            .insert((1, 10, 20), vec![phase]);
        output
            .observed
            .jobs_after_settle
            .insert((1, 10, 20), vec![Some(3)]);
        output
    }

    fn record_of(output: &UnitOutput) -> Option<UnitRecord> {
        let limits = UnitLimits {
            closures: Vec::new(),
            from_empty_budget: false,
            steps: 1,
            emptied_budget: false,
            first_id: 5,
            ids: 2,
            entries: 0,
        };
        UnitRecord::new(1, Vec::new(), limits, output)
    }

    #[test]
    fn a_moved_record_places_its_observations_as_the_edit_moved_them() {
        let same = [Some(0), Some(1)];
        let record = record_sharing(5);
        assert_eq!(
            placed(&record),
            (
                (1, 10, 20),
                5,
                vec![(5, None), (6, Some(5))],
                12,
                Some(14..16),
                6
            )
        );
        // Before every position, with other path ids: all move by 3, shared.
        let before = record.moved(&inserted(2), &same, true, 9).unwrap();
        assert!(Arc::ptr_eq(&before.observed, &record.observed));
        let expected = (
            (1, 13, 23),
            9,
            vec![(9, None), (10, Some(9))],
            15,
            Some(17..19),
            10,
        );
        assert_eq!(placed(&before), expected);
        // Then after every position: only the ids change, still shared.
        let after = before.moved(&inserted(30), &same, true, 3).unwrap();
        assert!(Arc::ptr_eq(&after.observed, &record.observed));
        let expected = (
            (1, 13, 23),
            3,
            vec![(3, None), (4, Some(3))],
            15,
            Some(17..19),
            4,
        );
        assert_eq!(placed(&after), expected);
        // A change over the decision (at 15 now): no record.
        let old = "x".repeat(40);
        let over = Shift::between(&old, &format!("{}yyy{}", &old[..14], &old[16..]));
        assert!(after.moved(&over, &same, true, 3).is_none());
        // Between its positions but none inside the change (after the stop,
        // before the site's end): copied, each moved by its own side.
        let wide = record.moved(&inserted(17), &same, true, 5).unwrap();
        assert!(!Arc::ptr_eq(&wide.observed, &record.observed));
        let expected = (
            (1, 10, 23),
            5,
            vec![(5, None), (6, Some(5))],
            12,
            Some(14..16),
            6,
        );
        assert_eq!(placed(&wide), expected);
        // A function's id changed: copied with the new id.
        let renumbered = record.moved(&inserted(2), &[Some(0), Some(2)], false, 5);
        let renumbered = renumbered.unwrap();
        assert_eq!(placed(&renumbered).0, (2, 13, 23));
        let same = [Some(0), Some(1), Some(2)];
        let again = renumbered.moved(&inserted(1), &same, true, 5).unwrap();
        assert_eq!(placed(&again).0, (2, 16, 26));
        // A path shared with one of another unit's: never moved.
        assert!(record_sharing(2)
            .moved(&inserted(2), &same, true, 5)
            .is_none());
    }

    #[test]
    fn an_edit_keeps_lines_only_when_it_removes_as_many_line_breaks_as_it_adds() {
        let keeps = |old: &str, new: &str| Shift::between(old, new).keeps_lines(old, new);
        assert!(keeps("a;\nf(x);\n", "ab;\nf(x);\n"));
        assert!(!keeps("a;\nb;\n", "a;\n\nb;\n"));
        assert!(!keeps("a;\n\nb;\n", "a;\nb;\n"));
        assert!(keeps("a;\nb;\n", "a;\nc;\n"));
    }
}
