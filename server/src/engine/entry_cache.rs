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
//! running it (`tests/incremental_insights.rs`).

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::rc::Rc;

use tree_sitter::Tree;

use super::bytecode::FuncId;
use super::joined_paths::SettleSeen;
use super::machine::branches::{Decision, PathRecord};
use super::machine::Halt;
use super::scheduler::PhaseKind;
use super::tick_observer::{Observed, Observer, PathObserved};
use super::{Abstention, ModuleKind};

/// A text hashed twice with different prefixes (128 bits).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
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
    /// Entries the last computation reused.
    pub last_reused: usize,
    /// Entries the last computation ran.
    pub last_run: usize,
}

/// One version's entries, with what is needed to move them to the next.
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
#[derive(Clone)]
struct StoredPath {
    id: u32,
    decisions: Vec<(usize, String, bool)>,
    complete: bool,
    shares: Option<(u32, usize)>,
}

/// What one top-level entry (with the entries of the closures it created)
/// observed, and what that depended on, in its version's terms.
#[derive(Clone)]
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
    stops: BTreeMap<FuncId, (bool, String, Option<Range<usize>>)>,
    settles: Vec<SettleSeen>,
    counts: BTreeMap<FuncId, usize>,
    resumes: BTreeMap<(FuncId, usize, usize), Vec<Observed>>,
    jobs_after_settle: BTreeMap<(FuncId, usize, usize), Vec<Option<u32>>>,
    later_phases: BTreeMap<(FuncId, usize, usize), Vec<Option<PhaseKind>>>,
    operand_kinds: BTreeMap<(FuncId, usize, usize), (u32, u32)>,
    by_path: BTreeMap<(FuncId, usize, usize), Vec<PathObserved>>,
    segments: Vec<Vec<StoredPath>>,
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

fn store_halt(halt: &Halt) -> (bool, String, Option<Range<usize>>) {
    match halt {
        Halt::Abstain(abstention) => (true, abstention.reason.clone(), abstention.range.clone()),
        Halt::Crash(message) => (false, message.clone(), None),
    }
}

fn load_halt((abstain, text, range): &(bool, String, Option<Range<usize>>)) -> Halt {
    match abstain {
        true => Halt::Abstain(Abstention {
            reason: text.clone(),
            range: range.clone(),
        }),
        false => Halt::Crash(text.clone()),
    }
}

impl UnitRecord {
    /// The record of a unit that ran: its output, what it called, its limits.
    pub fn new(
        func: FuncId,
        ran: Vec<(FuncId, TextKey)>,
        limits: UnitLimits,
        output: &UnitOutput,
    ) -> UnitRecord {
        let observed = &output.observed;
        UnitRecord {
            func,
            ran,
            closures: limits.closures,
            from_empty_budget: limits.from_empty_budget,
            steps: limits.steps,
            emptied_budget: limits.emptied_budget,
            first_id: limits.first_id,
            ids: limits.ids,
            entries: limits.entries,
            stops: output
                .stops
                .iter()
                .map(|(&func, halt)| (func, store_halt(halt)))
                .collect(),
            settles: output.settles.clone(),
            counts: output.counts.clone(),
            resumes: observed.resumes.clone(),
            jobs_after_settle: observed.jobs_after_settle.clone(),
            later_phases: observed.later_phases.clone(),
            operand_kinds: observed.operand_kinds.clone(),
            by_path: observed.by_path.clone(),
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
                                .map(|d| (d.at, d.origin.to_string(), d.taken))
                                .collect(),
                            complete: record.complete,
                            shares: record.shares,
                        })
                        .collect()
                })
                .collect(),
        }
    }

    /// Whether the unit observed anything of a function `wanted` holds: a
    /// resumption, a settling, an entry, a stop. A unit that did not adds
    /// nothing those functions' facts read (their joins read the segments of
    /// the paths that observed their sites, and its paths observed none).
    pub fn observed_any(&self, wanted: &[bool]) -> bool {
        let is_wanted = |func: FuncId| wanted.get(func).copied().unwrap_or(false);
        fn sites<T>(
            map: &BTreeMap<(FuncId, usize, usize), T>,
            is_wanted: impl Fn(FuncId) -> bool,
        ) -> bool {
            map.keys().any(|&(func, ..)| is_wanted(func))
        }
        is_wanted(self.func)
            || self.ran.iter().any(|&(func, _)| is_wanted(func))
            || self.counts.keys().any(|&func| is_wanted(func))
            || self.stops.keys().any(|&func| is_wanted(func))
            || self.settles.iter().any(|settle| is_wanted(settle.func))
            || sites(&self.resumes, is_wanted)
            || sites(&self.by_path, is_wanted)
            || sites(&self.jobs_after_settle, is_wanted)
            || sites(&self.later_phases, is_wanted)
            || sites(&self.operand_kinds, is_wanted)
    }

    /// What the unit added to the run, to merge as its run would have.
    pub fn output(&self) -> UnitOutput {
        let mut observed = Observer::default();
        observed.resumes = self.resumes.clone();
        observed.jobs_after_settle = self.jobs_after_settle.clone();
        observed.later_phases = self.later_phases.clone();
        observed.operand_kinds = self.operand_kinds.clone();
        observed.by_path = self.by_path.clone();
        observed.segments = self
            .segments
            .iter()
            .map(|segment| {
                segment
                    .iter()
                    .map(|path| PathRecord {
                        id: path.id,
                        decisions: path
                            .decisions
                            .iter()
                            .map(|(at, origin, taken)| Decision {
                                at: *at,
                                origin: Rc::from(origin.as_str()),
                                taken: *taken,
                            })
                            .collect(),
                        complete: path.complete,
                        shares: path.shares,
                    })
                    .collect()
            })
            .collect();
        UnitOutput {
            stops: self
                .stops
                .iter()
                .map(|(&func, halt)| (func, load_halt(halt)))
                .collect(),
            settles: self.settles.clone(),
            counts: self.counts.clone(),
            observed,
        }
    }

    /// The record in the next version's terms, its path ids from
    /// `first_id`; `None` when anything it holds lies in the changed text
    /// or names a function the next version does not have.
    fn moved(&self, shift: &Shift, funcs: &[Option<FuncId>], first_id: u32) -> Option<UnitRecord> {
        let func = |old: FuncId| funcs.get(old).copied().flatten();
        let last = self.first_id + self.ids;
        let id = |old: u32| {
            (self.first_id..last)
                .contains(&old)
                .then(|| old - self.first_id + first_id)
        };
        let site = |&(f, start, end): &(FuncId, usize, usize)| {
            Some((func(f)?, shift.start(start)?, shift.end(end)?))
        };
        fn sites<T: Clone>(
            map: &BTreeMap<(FuncId, usize, usize), T>,
            site: &impl Fn(&(FuncId, usize, usize)) -> Option<(FuncId, usize, usize)>,
        ) -> Option<BTreeMap<(FuncId, usize, usize), T>> {
            map.iter()
                .map(|(key, value)| Some((site(key)?, value.clone())))
                .collect()
        }
        let by_path = self
            .by_path
            .iter()
            .map(|(key, seen)| {
                let seen: Option<Vec<PathObserved>> = seen
                    .iter()
                    .map(|(path, decisions, observed)| {
                        Some((id(*path)?, *decisions, observed.clone()))
                    })
                    .collect();
                Some((site(key)?, seen?))
            })
            .collect::<Option<_>>()?;
        let segments = self
            .segments
            .iter()
            .map(|segment| {
                segment
                    .iter()
                    .map(|path| {
                        Some(StoredPath {
                            id: id(path.id)?,
                            decisions: path
                                .decisions
                                .iter()
                                .map(|(at, origin, taken)| {
                                    Some((shift.start(*at)?, origin.clone(), *taken))
                                })
                                .collect::<Option<_>>()?,
                            complete: path.complete,
                            shares: match path.shares {
                                Some((parent, before)) => Some((id(parent)?, before)),
                                None => None,
                            },
                        })
                    })
                    .collect::<Option<Vec<_>>>()
            })
            .collect::<Option<_>>()?;
        let settles = self
            .settles
            .iter()
            .map(|settle| {
                Some(SettleSeen {
                    func: func(settle.func)?,
                    seen: (id(settle.seen.0)?, settle.seen.1, settle.seen.2.clone()),
                    phase: settle.phase,
                })
            })
            .collect::<Option<_>>()?;
        let stops = self
            .stops
            .iter()
            .map(|(&f, (abstain, text, range))| {
                let range = match range {
                    Some(range) => Some(shift.range(range)?),
                    None => None,
                };
                Some((func(f)?, (*abstain, text.clone(), range)))
            })
            .collect::<Option<_>>()?;
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
            stops,
            settles,
            counts: self
                .counts
                .iter()
                .map(|(&f, &count)| Some((func(f)?, count)))
                .collect::<Option<_>>()?,
            resumes: sites(&self.resumes, &site)?,
            jobs_after_settle: sites(&self.jobs_after_settle, &site)?,
            later_phases: sites(&self.later_phases, &site)?,
            operand_kinds: sites(&self.operand_kinds, &site)?,
            by_path,
            segments,
        })
    }
}

/// The previous version's records, and how to move them to this one: the
/// edit's shift and each old function's id now.
type Moved<'a> = (
    Shift,
    Vec<Option<FuncId>>,
    &'a HashMap<TextKey, Vec<UnitRecord>>,
);

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
        let (shift, funcs, units) = self.previous.as_ref()?;
        let candidates = units.get(&key)?;
        let mut found = None;
        for candidate in candidates {
            let Some(moved) = candidate.moved(shift, funcs, first_id) else {
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
    pub fn into_parts(self) -> Kept {
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
    /// The units of a computation of `source`, whose program's run called
    /// `called` (functions other than the top level).
    pub(super) fn units<'a>(
        &'a self,
        source: &'a str,
        tree: &Tree,
        module: ModuleKind,
        funcs: Vec<Range<usize>>,
        called: &[bool],
    ) -> (Units<'a>, TextKey) {
        let digest = program_digest(source, tree, module, &funcs, called);
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
                let map = previous
                    .funcs
                    .iter()
                    .map(|range| {
                        let moved = shift.range(range)?;
                        now.get(&(moved.start, moved.end)).copied().flatten()
                    })
                    .collect();
                (shift, map, &previous.units)
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
/// functions inside them were not called either).
fn program_digest(
    source: &str,
    tree: &Tree,
    module: ModuleKind,
    funcs: &[Range<usize>],
    called: &[bool],
) -> TextKey {
    let mut bodies: Vec<Range<usize>> = Vec::new();
    let root = tree.root_node();
    for (func, range) in funcs.iter().enumerate().skip(1) {
        if called.get(func).copied().unwrap_or(false) {
            continue;
        }
        let body = root
            .descendant_for_byte_range(range.start, range.end)
            .and_then(|node| node.child_by_field_name("body"))
            .map(|body| body.byte_range());
        if let Some(body) = body {
            bodies.push(body);
        }
    }
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

    #[test]
    fn an_edit_keeps_lines_only_when_it_removes_as_many_line_breaks_as_it_adds() {
        let keeps = |old: &str, new: &str| Shift::between(old, new).keeps_lines(old, new);
        assert!(keeps("a;\nf(x);\n", "ab;\nf(x);\n"));
        assert!(!keeps("a;\nb;\n", "a;\n\nb;\n"));
        assert!(!keeps("a;\n\nb;\n", "a;\nb;\n"));
        assert!(keeps("a;\nb;\n", "a;\nc;\n"));
    }
}
