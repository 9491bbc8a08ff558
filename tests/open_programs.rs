//! The open-program truth test: every definite claim ticklens makes on a library file that
//! exports async code nothing in it calls is checked against Node 24 running a harness that
//! imports the library and calls each export with concrete arguments, in several ways
//! (`open_programs/generator.rs`).
//!
//! ticklens reads the library alone (`ticklens::analysis::insights`, as the hovers, inlay hints
//! and code lenses read it). Node runs the instrumented library and the harness with
//! `claims/runtime.js`'s generation counter (/work/shared/measuring-claims.md); the instrument
//! is calibrated first. A claim "tick k after entry" must hold for every call the harness makes;
//! "k jobs after X settles" wherever X is a plain `Promise` (else its settling is not
//! observable); "k ticks after this await is reached" for every resumption; a named later phase
//! for every resumption; a function's settle tick for every call whose promise the harness
//! observes. The test asserts zero wrong claims and at least [`MIN_CLAIMS`] checked; the report
//! (claims by kind, coverage, why awaits got no claim) goes to `target/open-programs-report.txt`.
//!
//! `timers/promises` is routed through the instrumented `setTimeout`/`setImmediate` (which
//! start a counted phase), as Node's own implementation resolves its promise from a timer or an
//! immediate callback: the counts the claims speak of are the same.

#[path = "claims/driver.rs"]
mod driver;
#[path = "open_programs/generator.rs"]
mod generator;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ticklens::analysis::insights::{self, AwaitInsight, FunctionInsight, Insights};
use ticklens::engine::{job_counts, ResumeTick};

use driver::measure::{ticks_between, Measured, Moment, OperandRecord};
use driver::{first_number, measure, phase_name};
use generator::Program;

const RUNTIME: &str = include_str!("claims/runtime.js");
const PROGRAMS: u64 = 500;
/// Main at 02800a2 made 4,444 claims checkable (2026-12-05): only hedged "k jobs after X settles,
/// if X is a plain Promise" and plain-value claims. s28-symticks shows ticks from each function's
/// symbolic entry (a tick after entry, a timer or immediate phase, a count after an operand the
/// engine saw settle) and no settle tick for a function the file never calls (an argument that
/// throws early rejects it sooner); raise it as the engine learns more.
const MIN_CLAIMS: usize = 4_444;

/// The instrument, loaded by the library before anything else.
fn instrument() -> String {
    format!(
        "{RUNTIME}\nglobalThis.__T = __T;\n{{\n  const timers = require(\"node:timers/promises\");\n  \
         timers.setTimeout = (delay, value) => new Promise((resolve) => globalThis.setTimeout(() => resolve(value), delay));\n  \
         timers.setImmediate = (value) => new Promise((resolve) => globalThis.setImmediate(() => resolve(value)));\n  \
         require(\"node:module\").syncBuiltinESMExports();\n}}\n"
    )
}

/// Known answers on Node 24 (measuring-claims.md), measured through the same two-file set-up.
const CALIBRATION: &str = "class Sub extends Promise {}\nconst settled = Promise.resolve(1);\n\
export async function known() { const __c = __T.e(1);\n\
  __T.r(__c, 0, await null);\n  __T.r(__c, 1, await { then(r) { r(1); } });\n\
  __T.r(__c, 2, await new Sub((r) => r(1)));\n\
  __T.r(__c, 3, await (async () => { return settled; })());\n\
  __T.r(__c, 4, await (async () => { return await settled; })());\n}\n";

#[derive(Default)]
struct Tally {
    checked: BTreeMap<&'static str, usize>,
    /// Awaits (by site) with a definite claim, by kind; and without, by reason.
    claimed: BTreeMap<&'static str, usize>,
    unclaimed: BTreeMap<String, usize>,
    unmeasurable: BTreeMap<&'static str, usize>,
    resumptions: usize,
    wrong: Vec<String>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        for (map, from) in [
            (&mut self.checked, other.checked),
            (&mut self.claimed, other.claimed),
            (&mut self.unmeasurable, other.unmeasurable),
        ] {
            for (k, v) in from {
                *map.entry(k).or_default() += v;
            }
        }
        for (k, v) in other.unclaimed {
            *self.unclaimed.entry(k).or_default() += v;
        }
        self.resumptions += other.resumptions;
        self.wrong.extend(other.wrong);
    }
}

/// Writes the instrument, the library and the harness of `name` into `dir`; returns the harness.
fn write_files(dir: &Path, name: &str, es_module: bool, library: &str, harness: &str) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).expect("a program folder");
    let ext = if es_module { "mjs" } else { "cjs" };
    std::fs::write(folder.join("rt.cjs"), instrument()).expect("write the instrument");
    std::fs::write(folder.join(format!("lib.{ext}")), library).expect("write the library");
    let main = folder.join(format!("main.{ext}"));
    std::fs::write(&main, harness).expect("write the harness");
    main
}

fn calibrate(node: &Path, dir: &Path) {
    let library = format!("import \"./rt.cjs\";\n{CALIBRATION}");
    let harness = "import { known } from \"./lib.mjs\";\n__T.s(1, known());\n";
    let main = write_files(dir, "calibration", true, &library, harness);
    let measured = measure(node, &main).unwrap_or_else(|e| panic!("calibration: {e}"));
    driver::assert_calibrated(&measured, "two files, ES modules");
}

/// One program's claims (`insights`, of its library alone) against one run of it.
struct Run<'a> {
    program: &'a Program,
    measured: &'a Measured,
    insights: Insights,
    tally: Tally,
}

impl<'a> Run<'a> {
    fn new(program: &'a Program, measured: &'a Measured) -> Self {
        let insights = driver::insights_of(&program.library.plain, program.es_module);
        let tally = Tally::default();
        Run {
            program,
            measured,
            insights,
            tally,
        }
    }

    fn wrong(&mut self, what: String) {
        let seed = self.program.seed;
        self.tally.wrong.push(format!("seed {seed}: {what}"));
    }

    fn checked(&mut self, kind: &'static str) {
        *self.tally.checked.entry(kind).or_default() += 1;
    }

    fn insight(&self, site: usize) -> Option<(&FunctionInsight, &AwaitInsight)> {
        let start = self.program.library.site_starts[site];
        self.insights.functions.iter().find_map(|f| {
            f.awaits
                .iter()
                .find(|a| a.range.start == start)
                .map(|a| (f, a))
        })
    }

    /// (call, started, resumed) for each resumption of `site`: the k-th start of a call's
    /// suspension pairs with its k-th resumption.
    fn resumptions(&self, site: usize) -> Vec<(usize, Moment, Moment)> {
        let mut starts: BTreeMap<usize, Vec<&OperandRecord>> = BTreeMap::new();
        for record in self.measured.operands.iter().filter(|o| o.site == site) {
            starts.entry(record.call).or_default().push(record);
        }
        let mut seen: BTreeMap<usize, usize> = BTreeMap::new();
        let mut out = Vec::new();
        for resume in self.measured.resumes.iter().filter(|r| r.site == site) {
            let k = seen.entry(resume.call).or_default();
            // A `for await` resumes once per element after one start; keep its first start.
            let started = starts
                .get(&resume.call)
                .and_then(|s| s.get(*k).or(s.last()))
                .map_or(resume.at, |s| s.started);
            *k += 1;
            out.push((resume.call, started, resume.at));
        }
        out
    }

    fn check_site(&mut self, site: usize) {
        let Some((function, at)) = self.insight(site) else {
            *self.tally.unclaimed.entry("no insight".into()).or_default() += 1;
            return;
        };
        let (function, at) = (function.clone(), at.clone());
        let hover = insights::await_hover(&self.program.library.plain, &function, &at);
        let resumptions = self.resumptions(site);
        let kind = if at.plain_value {
            let jobs = job_counts().await_plain_value;
            for &(call, started, resumed) in &resumptions {
                self.expect(
                    ticks_between(started, resumed),
                    jobs,
                    site,
                    call,
                    "after reached",
                );
            }
            "resumes k ticks after it is reached"
        } else if let Some(phase) = at.later_phase {
            for &(call, _, resumed) in &resumptions {
                let entered = self.measured.calls[call].entered;
                let started_by = self.measured.phase_kinds.get(resumed.0 as usize);
                if resumed.0 == entered.0
                    || started_by.map(String::as_str) != Some(phase_name(phase))
                {
                    self.wrong(format!(
                        "site {site}: claims {phase:?}; entered {entered:?}, resumed {resumed:?} \
                         in a phase started by {started_by:?}"
                    ));
                }
            }
            "resumes in a named later phase"
        } else {
            match &at.resume {
                ResumeTick::AfterEntry { jobs } => {
                    for &(call, _, resumed) in &resumptions {
                        let entered = self.measured.calls[call].entered;
                        self.expect(
                            ticks_between(entered, resumed),
                            *jobs,
                            site,
                            call,
                            "after entry",
                        );
                    }
                    "resumes on tick k after entry"
                }
                ResumeTick::Conditional { ticks, .. } => {
                    for &(call, _, resumed) in &resumptions {
                        let entered = self.measured.calls[call].entered;
                        let measured = ticks_between(entered, resumed);
                        self.expect_one_of(measured, ticks, site, call, "after entry");
                    }
                    "resumes on one of ticks k after entry, by branch"
                }
                ResumeTick::AfterSettle {
                    jobs,
                    if_native_promise,
                    ..
                } => {
                    self.after_settle(site, *jobs, &resumptions);
                    if *if_native_promise {
                        "k jobs after X settles, if X is a plain Promise"
                    } else {
                        "k jobs after X settles"
                    }
                }
                ResumeTick::Unknown { reason } => {
                    let reason = reason.split([':', '(']).next().unwrap_or_default().trim();
                    *self.tally.unclaimed.entry(reason.to_owned()).or_default() += 1;
                    return;
                }
            }
        };
        let jobs = match (&at.resume, at.plain_value) {
            (_, true) => Some(job_counts().await_plain_value),
            (ResumeTick::AfterEntry { jobs } | ResumeTick::AfterSettle { jobs, .. }, _) => {
                Some(*jobs)
            }
            // The hover lists the ticks, smallest first.
            (ResumeTick::Conditional { ticks, .. }, _) => ticks.first().copied(),
            (ResumeTick::Unknown { .. }, _) => None,
        };
        if let (Some(jobs), None) = (jobs, at.later_phase) {
            let sentence = hover.split("\n\n").find(|p| p.starts_with("Resumes"));
            let stated = sentence.and_then(first_number);
            if stated != Some(u64::from(jobs)) {
                let hover = hover.clone();
                self.wrong(format!(
                    "site {site}: the hover states {stated:?}, not {jobs}:\n{hover}"
                ));
            }
        }
        *self.tally.claimed.entry(kind).or_default() += 1;
        if resumptions.is_empty() {
            // A helper no export calls, or an arm no argument takes.
            *self
                .tally
                .unmeasurable
                .entry("claim on a suspension no call reached")
                .or_default() += 1;
            return;
        }
        self.tally.resumptions += resumptions.len();
        self.checked(kind);
    }

    fn expect(&mut self, measured: Option<u64>, jobs: u32, site: usize, call: usize, what: &str) {
        if measured != Some(u64::from(jobs)) {
            self.wrong(format!(
                "site {site}, call {call}: claims {jobs} ticks {what}; Node measured {measured:?}"
            ));
        }
    }

    fn expect_one_of(
        &mut self,
        measured: Option<u64>,
        ticks: &[u32],
        site: usize,
        call: usize,
        what: &str,
    ) {
        if !measured.is_some_and(|m| ticks.iter().any(|&t| u64::from(t) == m)) {
            self.wrong(format!(
                "site {site}, call {call}: claims one of ticks {ticks:?} {what}; Node measured \
                 {measured:?}"
            ));
        }
    }

    /// "k jobs after X settles": from the later of X's settling and the await's start, where
    /// X is a plain `Promise` (its settling observed); otherwise not measurable.
    fn after_settle(&mut self, site: usize, jobs: u32, resumptions: &[(usize, Moment, Moment)]) {
        for &(call, started, resumed) in resumptions {
            let settled = self
                .measured
                .operands
                .iter()
                .rfind(|o| o.call == call && o.site == site && o.started == started)
                .and_then(|o| o.settled);
            match settled {
                Some(settled) => {
                    let from = settled.max(started);
                    self.expect(
                        ticks_between(from, resumed),
                        jobs,
                        site,
                        call,
                        "after X settles",
                    );
                }
                None => {
                    *self
                        .tally
                        .unmeasurable
                        .entry("X is not a plain Promise")
                        .or_default() += 1
                }
            }
        }
    }

    /// A function's settle claim, for every call whose promise the harness observed.
    fn check_function(&mut self, id: usize) {
        let start = self.program.library.function_starts[id];
        let function = self.insights.function_at(start);
        let Some(function) = function.filter(|f| f.range.start == start) else {
            *self
                .tally
                .unmeasurable
                .entry("function without insight")
                .or_default() += 1;
            return;
        };
        let (settles, settles_in) = (function.settles.clone(), function.settles_in);
        let kind = match (&settles, settles_in) {
            (_, Some(_)) => "function settles in a named later phase",
            (ResumeTick::AfterEntry { .. }, None) => "function settles on tick k after entry",
            (ResumeTick::Conditional { .. }, None) => {
                "function settles on one of ticks k after entry, by branch"
            }
            _ => return,
        };
        let calls: Vec<usize> = (0..self.measured.calls.len())
            .filter(|&c| self.measured.calls[c].function == id)
            .collect();
        for call in calls {
            let entered = self.measured.calls[call].entered;
            let Some(&(_, settled)) = self.measured.settles.iter().find(|(c, _)| *c == call) else {
                continue;
            };
            self.tally.resumptions += 1;
            match (&settles, settles_in) {
                (_, Some(phase)) => {
                    let started_by = self.measured.phase_kinds.get(settled.0 as usize);
                    if settled.0 == entered.0
                        || started_by.map(String::as_str) != Some(phase_name(phase))
                    {
                        self.wrong(format!(
                            "function {id}: claims it settles {phase:?}; entered {entered:?}, \
                             settled {settled:?} in a phase started by {started_by:?}"
                        ));
                    }
                }
                (ResumeTick::Conditional { ticks, .. }, _) => {
                    let measured = ticks_between(entered, settled);
                    if !measured.is_some_and(|m| ticks.iter().any(|&t| u64::from(t) == m)) {
                        self.wrong(format!(
                            "function {id}: claims it settles on one of ticks {ticks:?} after \
                             entry; entered {entered:?}, settled {settled:?}"
                        ));
                    }
                }
                (ResumeTick::AfterEntry { jobs }, _) => {
                    let jobs = *jobs;
                    if ticks_between(entered, settled) != Some(u64::from(jobs)) {
                        self.wrong(format!(
                            "function {id}: claims it settles {jobs} ticks after entry; entered \
                             {entered:?}, settled {settled:?}"
                        ));
                    }
                }
                _ => {}
            }
        }
        self.checked(kind);
    }
}

fn check_program(node: &Path, dir: &Path, program: &Program) -> Result<Tally, String> {
    let folder = format!("p{}", program.seed);
    let (library, harness) = (&program.library.instrumented, &program.harness);
    let main = write_files(dir, &folder, program.es_module, library, harness);
    let measured = measure(node, &main)?;
    let mut run = Run::new(program, &measured);
    (0..program.library.site_starts.len()).for_each(|site| run.check_site(site));
    (1..program.library.function_starts.len()).for_each(|id| run.check_function(id));
    if !run.tally.wrong.is_empty() {
        let plain = &program.library.plain;
        let context = format!(
            "library ({}):\n{plain}\nharness:\n{harness}",
            main.display()
        );
        run.tally.wrong.push(context);
    }
    Ok(run.tally)
}

fn report(programs: &[Program], total: &Tally, elapsed: Duration) -> String {
    let sites: usize = programs.iter().map(|p| p.library.site_starts.len()).sum();
    let claimed: usize = total.claimed.values().sum();
    let claims: usize = total.checked.values().sum();
    let mut text = format!(
        "open programs: {} programs ({} ES modules), {sites} suspensions, {claimed} with a \
         definite claim ({:.1}%), {claims} claims checked over {} resumptions and settlements, \
         {} wrong, in {elapsed:.1?}\n",
        programs.len(),
        programs.iter().filter(|p| p.es_module).count(),
        100.0 * claimed as f64 / sites.max(1) as f64,
        total.resumptions,
        total.wrong.len(),
    );
    for (title, counts) in [
        ("suspensions with a definite claim, by kind", &total.claimed),
        ("claims checked, by kind", &total.checked),
        ("not measurable (not checked)", &total.unmeasurable),
    ] {
        text.push_str(&driver::counts_section(title, counts));
    }
    text.push_str(&driver::counts_section(
        "suspensions without a definite claim, by reason",
        &total.unclaimed,
    ));
    for wrong in total.wrong.iter().take(200) {
        text.push_str(&format!("\nwrong: {wrong}\n"));
    }
    text
}

#[test]
fn every_claim_on_exported_async_code_holds_for_every_call_a_harness_makes() {
    let started = Instant::now();
    let programs: Vec<Program> = (0..PROGRAMS).map(generator::generate).collect();
    let (tallies, failures) = driver::run_all(&programs, calibrate, check_program);
    let total = tallies
        .into_iter()
        .fold(Tally::default(), |mut total, tally| {
            total.merge(tally);
            total
        });
    let text = report(&programs, &total, started.elapsed());
    driver::write_report("open-programs-report.txt", &text);
    eprintln!("{text}");
    let claims: usize = total.checked.values().sum();
    driver::assert_verdict(&failures, &total.wrong, claims, MIN_CLAIMS);
}
