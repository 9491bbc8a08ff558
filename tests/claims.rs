//! The claim differential: every definite tick claim ticklens shows (hover resume tick, inlay
//! label, function settle tick in the hover and the code lens, "k jobs after X settles") is
//! checked against Node 24 on generated closed programs.
//!
//! Each program runs under Node with `claims/runtime.js` in front and synchronous marks inserted
//! (`claims/generator.rs`); the claims are read from the core's `Insights`, as plain data and as
//! the texts the user sees. A claim that an await resumes (or a function settles) in a later
//! phase than the call's entry ("after the nextTick queue", "in a later macrotask (timer)", "in
//! the check phase") is checked against the phase the instrument saw start. The instrument is calibrated first on programs with known answers
//! (/work/shared/measuring-claims.md) and the test fails when a calibration fails. A report
//! counting claims by kind, and the awaits that got no definite claim, goes to
//! `target/claims-report.txt`.

#[path = "claims/driver.rs"]
mod driver;
#[path = "claims/generator.rs"]
mod generator;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ticklens::analysis::insights::{self, AwaitInsight, FunctionInsight, Insights};
use ticklens::engine::{LaterPhase, ResumeTick};

use driver::measure::{ticks_between, Measured, Moment};
use driver::{first_number, measure, phase_name};
use generator::Program;

const RUNTIME: &str = include_str!("claims/runtime.js");
const PROGRAMS: u64 = 420;
const MIN_CLAIMS: usize = 3_000;

/// Claims checked and failed, by kind; awaits without a definite claim, by reason.
#[derive(Default)]
struct Tally {
    checked: BTreeMap<&'static str, usize>,
    wrong: Vec<String>,
    unclaimed: BTreeMap<String, usize>,
    unmeasurable: BTreeMap<&'static str, usize>,
    /// Resumptions checked against "k jobs after X settles" that ran in a later phase than the
    /// call's entry, by what started that phase.
    later_phases: BTreeMap<String, usize>,
    resumptions: usize,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        for (k, v) in other.checked {
            *self.checked.entry(k).or_default() += v;
        }
        for (k, v) in other.unclaimed {
            *self.unclaimed.entry(k).or_default() += v;
        }
        for (k, v) in other.unmeasurable {
            *self.unmeasurable.entry(k).or_default() += v;
        }
        for (k, v) in other.later_phases {
            *self.later_phases.entry(k).or_default() += v;
        }
        self.wrong.extend(other.wrong);
        self.resumptions += other.resumptions;
    }
}

/// The words a hover uses for `phase` (`insights::short_phase` is the inlay's).
fn phase_words(phase: LaterPhase) -> &'static str {
    match phase {
        LaterPhase::NextTick => "after the nextTick queue, once every microtask queued before it",
        LaterPhase::Timer => "in a later macrotask (a timer callback)",
        LaterPhase::Immediate => "in the check phase (a `setImmediate` callback)",
    }
}

/// The paragraph of `text` that starts with `lead`.
fn paragraph<'t>(text: &'t str, lead: &str) -> Option<&'t str> {
    text.split("\n\n").find(|p| p.starts_with(lead))
}

fn write_program(dir: &Path, name: &str, es_module: bool, body: &str) -> PathBuf {
    let path = dir.join(format!("{name}.{}", if es_module { "mjs" } else { "cjs" }));
    std::fs::write(&path, format!("{RUNTIME}\n{body}")).expect("write a program");
    path
}

/// Known answers on Node 24: the generations after entry at which each await resumes.
const CALIBRATION: &str = r#"
class Sub extends Promise {}
const settled = Promise.resolve(1);
async function known() {
  const __c = __T.e(1);
  __T.r(__c, 0, await null);
  __T.r(__c, 1, await { then(r) { r(1); } });
  __T.r(__c, 2, await new Sub((r) => r(1)));
  __T.r(__c, 3, await (async () => { return settled; })());
  __T.r(__c, 4, await (async () => { return await settled; })());
}
__T.s(1, known());
"#;

fn calibrate(node: &Path, dir: &Path) {
    for es_module in [false, true] {
        let path = write_program(dir, "calibration", es_module, CALIBRATION);
        let measured = measure(node, &path).unwrap_or_else(|e| panic!("calibration: {e}"));
        driver::assert_calibrated(&measured, &path.display().to_string());
    }
}

/// The moment a "k jobs after X settles" claim on the resumption `at` of call `call` counts
/// from: the later of X's settling and the start of the await on X, for the latest await on X
/// in that call that started by then.
fn anchor(measured: &Measured, call: usize, sites: &[usize], at: Moment) -> Option<Moment> {
    let record = measured
        .operands
        .iter()
        .rfind(|o| o.call == call && sites.contains(&o.site) && o.started < at)?;
    let settled = record.settled?;
    Some(settled.max(record.started))
}

struct Checked<'a> {
    program: &'a Program,
    insights: &'a Insights,
    measured: &'a Measured,
    tally: Tally,
}

impl Checked<'_> {
    fn wrong(&mut self, what: String) {
        self.tally
            .wrong
            .push(format!("seed {}: {what}", self.program.seed));
    }

    fn count(&mut self, kind: &'static str) {
        *self.tally.checked.entry(kind).or_default() += 1;
    }

    fn await_insight(&self, site: usize) -> Option<(&AwaitInsight, Option<&FunctionInsight>)> {
        let range = &self.program.awaits[site].range;
        if let Some(a) = self
            .insights
            .module_awaits
            .iter()
            .find(|a| &a.range == range)
        {
            return Some((a, None));
        }
        self.insights.functions.iter().find_map(|f| {
            f.awaits
                .iter()
                .find(|a| &a.range == range)
                .map(|a| (a, Some(f)))
        })
    }

    /// Checks what the hover and the inlay state agrees with `jobs`.
    fn check_texts(&mut self, site: usize, at: &AwaitInsight, jobs: u32, tick: bool) {
        let (hover_kind, inlay_kind) = if tick {
            ("hover: resumes on tick N", "inlay: tick N")
        } else {
            ("hover: resumes k jobs after X settles", "inlay: after X +k")
        };
        let hover = self
            .insights
            .hover(&self.program.plain, at.range.start)
            .map(|(_, text)| text)
            .unwrap_or_default();
        // In a later phase the count follows the phase's name: "… There it resumes k ticks …".
        let stated = paragraph(&hover, "Resumes")
            .map(|p| match at.later_phase {
                Some(_) => p
                    .split_once("There it resumes")
                    .map_or("", |(_, rest)| rest),
                None => p,
            })
            .and_then(first_number);
        if stated != Some(u64::from(jobs)) {
            self.wrong(format!(
                "await {site}: hover states {stated:?}, the fact is {jobs}:\n{hover}"
            ));
        }
        self.count(hover_kind);
        if at.later_phase.is_some() {
            // The inlay names the phase instead (checked by `check_later_phase`).
            return;
        }
        let label = at.inlay_label().unwrap_or_default();
        // `tick 2`, or `after f() +2` (`after f()` alone is one job).
        let stated = if tick {
            first_number(&label)
        } else {
            label
                .rsplit_once(" +")
                .map_or(Some(1), |(_, k)| first_number(k))
        };
        if stated != Some(u64::from(jobs)) {
            self.wrong(format!("await {site}: inlay `{label}`, the fact is {jobs}"));
        }
        self.count(inlay_kind);
    }

    /// An await claimed to resume in a later phase than its call's entry: every resumption
    /// Node made came in a later phase than the call's entry, started by what the claim names.
    fn check_later_phase(&mut self, site: usize, at: &AwaitInsight, phase: LaterPhase) {
        let hover = self
            .insights
            .hover(&self.program.plain, at.range.start)
            .map(|(_, text)| text)
            .unwrap_or_default();
        if !paragraph(&hover, "Resumes").is_some_and(|p| p.contains(phase_words(phase))) {
            self.wrong(format!(
                "await {site}: the fact is {phase:?}, the hover does not say so:\n{hover}"
            ));
        }
        self.count("hover: resumes in a named later phase");
        let label = at.inlay_label().unwrap_or_default();
        if !label.starts_with(insights::short_phase(phase)) {
            self.wrong(format!(
                "await {site}: inlay `{label}`, the fact is {phase:?}"
            ));
        }
        self.count("inlay: a named later phase");
        let resumes: Vec<(usize, Moment)> = self
            .measured
            .resumes
            .iter()
            .filter(|r| r.site == site)
            .map(|r| (r.call, r.at))
            .collect();
        if resumes.is_empty() {
            self.wrong(format!(
                "await {site}: claims it resumes {phase:?}, Node never resumed it"
            ));
        }
        for (call, at) in resumes {
            self.tally.resumptions += 1;
            let entered = self.measured.calls[call].entered;
            let kind = self.measured.phase_kinds.get(at.0 as usize);
            if entered.0 == at.0 || kind.map(String::as_str) != Some(phase_name(phase)) {
                self.wrong(format!(
                    "await {site}: claims it resumes {phase:?}; Node: entered at {entered:?}, \
                     resumed at {at:?} in a phase started by {kind:?}"
                ));
            }
        }
    }

    fn check_await(&mut self, site: usize) {
        let Some((at, _)) = self.await_insight(site) else {
            *self
                .tally
                .unclaimed
                .entry("no await insight".into())
                .or_default() += 1;
            return;
        };
        let at = at.clone();
        if let Some(phase) = at.later_phase {
            self.check_later_phase(site, &at, phase);
        }
        let resumes: Vec<Moment> = self
            .measured
            .resumes
            .iter()
            .filter(|r| r.site == site)
            .map(|r| r.at)
            .collect();
        let calls: Vec<usize> = self
            .measured
            .resumes
            .iter()
            .filter(|r| r.site == site)
            .map(|r| r.call)
            .collect();
        match &at.resume {
            ResumeTick::AfterEntry { jobs } => {
                self.check_texts(site, &at, *jobs, true);
                if resumes.is_empty() {
                    self.wrong(format!(
                        "await {site}: claims tick {jobs}, Node never resumed it"
                    ));
                }
                for (resume, call) in resumes.iter().zip(&calls) {
                    self.tally.resumptions += 1;
                    let entered = self.measured.calls[*call].entered;
                    let measured = ticks_between(entered, *resume);
                    if measured != Some(u64::from(*jobs)) {
                        self.wrong(format!(
                            "await {site} `{}`: claims tick {jobs} after entry; Node: entered at \
                             {entered:?}, resumed at {resume:?} (phase, generation)",
                            at.operand
                        ));
                    }
                }
            }
            ResumeTick::AfterSettle { jobs, operand, .. } => {
                let function = self.program.awaits[site].function;
                let sites: Vec<usize> = (0..self.program.awaits.len())
                    .filter(|&s| self.program.awaits[s].function == function)
                    .filter(|&s| {
                        self.await_insight(s)
                            .is_some_and(|(a, _)| a.operand.trim() == operand.trim())
                    })
                    .collect();
                let mut measurable = !resumes.is_empty() && !sites.is_empty();
                let mut outcomes = Vec::new();
                for (resume, call) in resumes.iter().zip(&calls) {
                    match anchor(self.measured, *call, &sites, *resume) {
                        Some(from) => outcomes.push((*call, from, *resume)),
                        None => measurable = false,
                    }
                }
                if !measurable {
                    *self
                        .tally
                        .unmeasurable
                        .entry("k jobs after X settles (X not a plain Promise)")
                        .or_default() += 1;
                    return;
                }
                self.check_texts(site, &at, *jobs, false);
                for (call, from, resume) in outcomes {
                    let entered = self.measured.calls[call].entered;
                    if entered.0 != resume.0 {
                        let kind = self.measured.phase_kinds[resume.0 as usize].clone();
                        *self.tally.later_phases.entry(kind).or_default() += 1;
                    }
                    self.tally.resumptions += 1;
                    if ticks_between(from, resume) != Some(u64::from(*jobs)) {
                        self.wrong(format!(
                            "await {site}: claims {jobs} jobs after `{operand}` settles; Node: \
                             counted from {from:?}, resumed at {resume:?}"
                        ));
                    }
                }
            }
            ResumeTick::Conditional { ticks, .. } => {
                for (resume, call) in resumes.iter().zip(&calls) {
                    self.tally.resumptions += 1;
                    let entered = self.measured.calls[*call].entered;
                    let measured = ticks_between(entered, *resume);
                    if !measured.is_some_and(|m| ticks.iter().any(|t| u64::from(*t) == m)) {
                        self.wrong(format!(
                            "await {site}: claims one of ticks {ticks:?}; Node: {measured:?}"
                        ));
                    }
                }
            }
            ResumeTick::Unknown { reason } => {
                let reason: String = reason
                    .split([':', '('])
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                *self.tally.unclaimed.entry(reason).or_default() += 1;
            }
        }
    }

    fn check_function(&mut self, id: usize) {
        let start = self.program.function_starts[id];
        let Some(function) = self
            .insights
            .functions
            .iter()
            .find(|f| f.range.start == start)
            .cloned()
        else {
            *self
                .tally
                .unmeasurable
                .entry("function without insight")
                .or_default() += 1;
            return;
        };
        if let Some(phase) = function.settles_in {
            self.check_settle_phase(id, &function, phase);
            return;
        }
        let ResumeTick::AfterEntry { jobs } = function.settles else {
            if matches!(function.settles, ResumeTick::AfterSettle { .. }) {
                *self
                    .tally
                    .unmeasurable
                    .entry("function settles k jobs after X")
                    .or_default() += 1;
            }
            return;
        };
        let hover = insights::function_hover(&self.program.plain, &function);
        let stated = paragraph(&hover, "Its promise settles").map(|p| first_number(p).unwrap_or(0));
        if stated != Some(u64::from(jobs)) {
            self.wrong(format!(
                "f{id}: hover states {stated:?}, the fact is {jobs}:\n{hover}"
            ));
        }
        self.count("hover: function settles on tick N");
        let lens = function.settle_title().unwrap_or_default();
        let stated = lens
            .split_once(": ")
            .map(|(_, t)| first_number(t).unwrap_or(0));
        if stated != Some(u64::from(jobs)) {
            self.wrong(format!("f{id}: lens `{lens}`, the fact is {jobs}"));
        }
        self.count("lens: settles N ticks after each call");
        let calls: Vec<usize> = (0..self.measured.calls.len())
            .filter(|&c| self.measured.calls[c].function == id)
            .collect();
        if calls.is_empty() {
            self.wrong(format!("f{id}: claims a settle tick, Node never called it"));
        }
        for call in calls {
            let entered = self.measured.calls[call].entered;
            let settled = self
                .measured
                .settles
                .iter()
                .find(|(c, _)| *c == call)
                .map(|s| s.1);
            let measured = settled.and_then(|s| ticks_between(entered, s));
            if measured != Some(u64::from(jobs)) {
                self.wrong(format!(
                    "f{id}: claims it settles {jobs} ticks after entry; Node: entered at \
                     {entered:?}, settled at {settled:?}"
                ));
            }
        }
    }
}

impl Checked<'_> {
    /// A function claimed to settle in a later phase than each call's entry: every call's
    /// promise settled in a later phase, started by what the claim names.
    fn check_settle_phase(&mut self, id: usize, function: &FunctionInsight, phase: LaterPhase) {
        let hover = insights::function_hover(&self.program.plain, function);
        let said = paragraph(&hover, "Its promise settles")
            .is_some_and(|p| p.contains(phase_words(phase)));
        if !said {
            self.wrong(format!(
                "f{id}: the fact is {phase:?}, the hover does not say so:\n{hover}"
            ));
        }
        self.count("hover: function settles in a named later phase");
        let lens = function.settle_title().unwrap_or_default();
        if !lens.ends_with(insights::short_phase(phase)) {
            self.wrong(format!("f{id}: lens `{lens}`, the fact is {phase:?}"));
        }
        self.count("lens: settles in a named later phase");
        let calls: Vec<usize> = (0..self.measured.calls.len())
            .filter(|&c| self.measured.calls[c].function == id)
            .collect();
        if calls.is_empty() {
            self.wrong(format!(
                "f{id}: claims a settle phase, Node never called it"
            ));
        }
        for call in calls {
            let entered = self.measured.calls[call].entered;
            let settled = self
                .measured
                .settles
                .iter()
                .find(|(c, _)| *c == call)
                .map(|s| s.1);
            let kind = settled.and_then(|s| self.measured.phase_kinds.get(s.0 as usize));
            let right = settled.is_some_and(|s| s.0 != entered.0)
                && kind.map(String::as_str) == Some(phase_name(phase));
            if !right {
                self.wrong(format!(
                    "f{id}: claims it settles {phase:?}; Node: entered at {entered:?}, settled \
                     at {settled:?} in a phase started by {kind:?}"
                ));
            }
        }
    }
}

fn check_program(node: &Path, dir: &Path, program: &Program) -> Result<Tally, String> {
    let insights = driver::insights_of(&program.plain, program.es_module);
    let name = format!("p{}", program.seed);
    let path = write_program(dir, &name, program.es_module, &program.instrumented);
    let measured = measure(node, &path)?;
    let mut checked = Checked {
        program,
        insights: &insights,
        measured: &measured,
        tally: Tally::default(),
    };
    for site in 0..program.awaits.len() {
        checked.check_await(site);
    }
    for id in 1..program.function_starts.len() {
        checked.check_function(id);
    }
    let mut tally = checked.tally;
    if !tally.wrong.is_empty() {
        tally
            .wrong
            .push(format!("program {}:\n{}", path.display(), program.plain));
    }
    Ok(tally)
}

#[test]
fn every_definite_tick_claim_is_what_node_24_measures() {
    let started = Instant::now();
    let programs: Vec<Program> = (0..PROGRAMS).map(generator::generate).collect();
    let (tallies, failures) = driver::run_all(&programs, calibrate, check_program);
    let mut total = Tally::default();
    for tally in tallies {
        total.merge(tally);
    }
    let claims: usize = total.checked.values().sum();
    let awaits: usize = programs.iter().map(|p| p.awaits.len()).sum();
    let unclaimed: usize = total.unclaimed.values().sum();
    let mut report = format!(
        "claim differential: {} programs ({} ES modules), {awaits} awaits, {claims} definite \
         claims checked over {} resumptions, {} wrong, in {:.1?}\n\nclaims by kind:\n",
        programs.len(),
        programs.iter().filter(|p| p.es_module).count(),
        total.resumptions,
        total.wrong.len(),
        started.elapsed(),
    );
    for (kind, n) in &total.checked {
        report.push_str(&format!("  {n:6}  {kind}\n"));
    }
    report.push_str("\nprograms by construct:\n");
    for (construct, marker) in [
        (
            "async method of a class (called as `new C().run()`)",
            "().run()",
        ),
        ("static async method", "static async run() {"),
        (
            "async method of a subclass awaiting super",
            "await super.base()",
        ),
        ("async method of an object literal", " = {\nasync run() {"),
        ("getters returning promises", "await new Box()."),
        ("Promise subclass", "class Later extends Promise"),
        ("sync generator driving awaits", "of steps("),
        ("generator's next() by hand", ".next().value"),
        ("await in a switch", "switch ("),
        ("await in for … in", "for (const k in"),
        ("await in a for await body", "for await ("),
        ("await in a labeled block", "break block"),
        ("await in an optional chain", ")?.toString()"),
        ("await in destructuring with a default", "= 1] = ["),
        ("promise kept in a Map or Set", "new Map(["),
    ] {
        let n = programs.iter().filter(|p| p.plain.contains(marker)).count();
        report.push_str(&format!("  {n:6}  {construct}\n"));
    }
    report.push_str(&format!("\nawaits with no definite claim: {unclaimed}\n"));
    let mut reasons: Vec<_> = total.unclaimed.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1));
    for (reason, n) in reasons {
        report.push_str(&format!("  {n:6}  {reason}\n"));
    }
    report.push_str(&driver::counts_section(
        "k-jobs-after-X resumptions in a later phase than the call's entry, by phase",
        &total.later_phases,
    ));
    report.push_str(&driver::counts_section(
        "claims the instrument cannot measure (not checked)",
        &total.unmeasurable,
    ));
    driver::write_report("claims-report.txt", &report);
    eprintln!("{report}");
    driver::assert_verdict(&failures, &total.wrong, claims, MIN_CLAIMS);
}
