//! Tallies and the markdown report of a differential run.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use super::generator::Tier;
use super::harness::{Case, Config, EngineAnswer, Verdict};

#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub programs: usize,
    pub exact: usize,
    pub wrong: usize,
    /// Abstentions on programs Node orders one way.
    pub abstained: usize,
    pub racy: usize,
    pub racy_abstained: usize,
    pub unjudged: usize,
    pub load_sensitive: usize,
    pub generator_faults: usize,
    pub node_ms: Vec<u128>,
}

impl Tally {
    fn add(&mut self, case: &Case) {
        self.programs += 1;
        if case.program.racy.is_some() {
            self.racy += 1;
        }
        match case.verdict() {
            Verdict::Exact => self.exact += 1,
            Verdict::Wrong(_) => self.wrong += 1,
            Verdict::Abstained(_) => self.abstained += 1,
            Verdict::RacyAbstained => self.racy_abstained += 1,
            Verdict::Unjudged => self.unjudged += 1,
        }
        if case.load_sensitive() {
            self.load_sensitive += 1;
        }
        if case.generator_fault().is_some() {
            self.generator_faults += 1;
        }
        self.node_ms.push(case.runs[0].elapsed.as_millis());
    }

    /// Programs the engine is expected to answer: all but the racy and the unjudged ones.
    pub fn answerable(&self) -> usize {
        self.programs - self.racy - self.unjudged
    }

    pub fn abstain_rate(&self) -> f64 {
        if self.answerable() == 0 {
            0.0
        } else {
            self.abstained as f64 / self.answerable() as f64
        }
    }

    fn median_node_ms(&self) -> u128 {
        let mut ms = self.node_ms.clone();
        ms.sort_unstable();
        ms.get(ms.len() / 2).copied().unwrap_or(0)
    }
}

/// Per tier, and the total under `None`.
pub fn tally(cases: &[Case]) -> BTreeMap<Option<Tier>, Tally> {
    let mut tallies: BTreeMap<Option<Tier>, Tally> = BTreeMap::new();
    for case in cases {
        tallies
            .entry(Some(case.program.tier))
            .or_default()
            .add(case);
        tallies.entry(None).or_default().add(case);
    }
    tallies
}

/// The table printed by the test and put at the top of the report.
pub fn table(tallies: &BTreeMap<Option<Tier>, Tally>) -> String {
    let mut out = String::from(
        "| tier | programs | exact | wrong | abstained | abstain % | racy (abstained) | load-sensitive | generator faults | node ms (median) |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    // The total comes last.
    let rows = tallies
        .iter()
        .filter(|(k, _)| k.is_some())
        .chain(tallies.iter().filter(|(k, _)| k.is_none()));
    for (tier, t) in rows {
        let name = tier.map_or("all".to_owned(), |t| t.number().to_string());
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {:.1} | {} ({}) | {} | {} | {} |",
            t.programs,
            t.exact,
            t.wrong,
            t.abstained,
            100.0 * t.abstain_rate(),
            t.racy,
            t.racy_abstained,
            t.load_sensitive,
            t.generator_faults,
            t.median_node_ms()
        );
    }
    out
}

/// The abstention reasons, most frequent first, with one example each. Reasons that differ only
/// in numbers (line numbers, mostly) count as one.
pub fn abstention_reasons(cases: &[Case]) -> Vec<(String, usize, String)> {
    let mut reasons: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for case in cases {
        if let Verdict::Abstained(reason) = case.verdict() {
            let entry = reasons
                .entry(without_numbers(&reason))
                .or_insert((0, case.program.file_name()));
            entry.0 += 1;
        }
    }
    let mut list: Vec<_> = reasons
        .into_iter()
        .map(|(reason, (count, example))| (reason, count, example))
        .collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    list
}

pub fn markdown(cases: &[Case], config: &Config, node: &str, wall: Duration) -> String {
    let tallies = tally(cases);
    let mut out = String::new();
    let _ = writeln!(out, "# Differential test: ordering engine vs Node 24\n");
    let _ = writeln!(
        out,
        "{} programs per tier (half as many in the syntax tiers) from seed {} \
         (`TICKLENS_DIFF_COUNT`, `TICKLENS_DIFF_SEED`); oracle `{node}`; each program run twice; \
         {:.1} s on {} threads.\n",
        config.per_tier,
        config.base_seed,
        wall.as_secs_f64(),
        config.threads
    );
    let _ = writeln!(
        out,
        "A failing program is also written to `target/differential-cases/` so that \
         `ticklens order --explain FILE` can be run on it. `TICKLENS_DIFF_SEED=S TICKLENS_DIFF_COUNT=1` \
         regenerates seed S of every tier.\n"
    );
    out.push_str(&table(&tallies));

    let wrong: Vec<&Case> = cases
        .iter()
        .filter(|c| matches!(c.verdict(), Verdict::Wrong(_)))
        .collect();
    let _ = writeln!(out, "\n## Wrong answers ({})\n", wrong.len());
    for case in &wrong {
        let Verdict::Wrong(why) = case.verdict() else {
            continue;
        };
        case_section(&mut out, case, &why);
    }

    let faults: Vec<(&Case, String)> = cases
        .iter()
        .filter_map(|c| c.generator_fault().map(|f| (c, f)))
        .collect();
    let _ = writeln!(
        out,
        "\n## Generator faults ({}): programs Node itself rejects or orders two ways\n",
        faults.len()
    );
    for (case, fault) in &faults {
        case_section(&mut out, case, fault);
        let _ = writeln!(out, "Node stderr:\n\n```\n{}```\n", case.runs[0].stderr);
        for (i, run) in case.runs.iter().enumerate().skip(1) {
            if run.stdout != case.runs[0].stdout {
                let _ = writeln!(out, "Node, run {}:\n\n```\n{}```\n", i + 1, run.stdout);
            }
        }
    }

    let sensitive: Vec<String> = cases
        .iter()
        .filter(|c| c.load_sensitive())
        .map(|c| format!("`{}`", c.program.file_name()))
        .collect();
    let _ = writeln!(
        out,
        "\n## Load-sensitive programs ({})\n\nTheir first two runs disagreed (a timer ran late on a busy \
         machine) and {} quiet reruns agreed; the engine is judged against the reruns. {}\n",
        sensitive.len(),
        super::harness::RERUNS,
        sensitive.join(", ")
    );

    let reasons = abstention_reasons(cases);
    let _ = writeln!(out, "\n## Abstention reasons\n");
    if reasons.is_empty() {
        out.push_str("None.\n");
    } else {
        out.push_str("| programs | reason | example |\n|---:|---|---|\n");
        for (reason, count, example) in &reasons {
            let _ = writeln!(
                out,
                "| {count} | {} | `{example}` |",
                reason.replace('|', "\\|")
            );
        }
    }
    out
}

fn case_section(out: &mut String, case: &Case, why: &str) {
    let p = &case.program;
    let _ = writeln!(out, "### `{}`: {why}\n", p.file_name());
    if let Some(racy) = &p.racy {
        let _ = writeln!(out, "Marked racy: {racy}.\n");
    }
    let _ = writeln!(out, "```js\n{}```\n", p.source);
    let _ = writeln!(
        out,
        "Node ({}):\n\n```\n{}```\n",
        case.runs[0].ending(),
        case.expected().unwrap_or(case.first_output())
    );
    let engine = match &case.engine {
        EngineAnswer::Lines(lines) => lines.iter().map(|l| format!("{l}\n")).collect(),
        EngineAnswer::Abstained(reason) => format!("(abstained: {reason})\n"),
        EngineAnswer::Panicked(message) => format!("(panicked: {message})\n"),
        EngineAnswer::TimedOut => "(no answer in time)\n".to_owned(),
    };
    let _ = writeln!(out, "Engine:\n\n```\n{engine}```\n");
}

/// `reason` with each run of digits replaced by `N`.
fn without_numbers(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut in_number = false;
    for c in reason.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('N');
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}
