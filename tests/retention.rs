//! Retention differential: what ticklens says a suspended async function
//! keeps alive, against Node 24.
//!
//! `retention/generator.rs` writes async functions with values in every
//! position (dead and live locals, consts of ended blocks and switch cases,
//! unused, shadowed and nulled parameters, finished loops, per-iteration
//! bindings, catch parameters, destructuring, closures dropped, held or
//! stored away, `arguments`, values only on the operand stack, helpers, values
//! not assigned on this path, values a closure reads after the await, the
//! iterable and element of a `for...of`/`for...in` loop running at the await,
//! also cleared inside it). One Node process runs them one at a time; at
//! each `await pending(k)` the driver forces collections and reports which
//! values were collected (`retention/driver.js`). Every claim the editor shows
//! (`Insights`, the data the hover renders) is compared: a certain "kept" must
//! be alive, a "no longer kept" must be collected, and a value the function
//! reads after the await (the generator knows) must not be "not needed any
//! more". Conditional claims ("may be
//! kept") and values with no claim are counted in the report,
//! `target/retention-report.md`.

#[path = "retention/generator.rs"]
mod generator;
#[path = "differential/node.rs"]
mod node;

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use ticklens::analysis::insights::{self, AwaitInsight};
use ticklens::analysis::retention::{Certainty, ReleaseReason, RetentionGroup};
use ticklens::engine::ModuleKind;
use ticklens::syntax;

/// At least this many functions (the acceptance asks for 150).
const FUNCTIONS: usize = 160;
const SEED: u64 = 17;

/// One Node report line: the tokens alive and collected at await `k` of `f`.
#[derive(Debug)]
struct Measured {
    alive: HashSet<String>,
    gone: HashSet<String>,
}

fn parse_line(line: &str) -> Option<(String, usize, Measured)> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    let f = value.get("f")?.as_str()?.to_owned();
    if let Some(error) = value.get("error") {
        panic!("{f} threw under Node: {error}");
    }
    let k = value.get("k")?.as_u64()? as usize;
    let set = |key: &str| -> HashSet<String> {
        value
            .get(key)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    Some((
        f,
        k,
        Measured {
            alive: set("alive"),
            gone: set("gone"),
        },
    ))
}

/// Counts for the report: (position, claim, outcome) -> n.
#[derive(Default)]
struct Tally {
    counts: BTreeMap<(String, String, String), usize>,
    wrong: Vec<String>,
}

impl Tally {
    fn add(&mut self, position: &str, claim: &str, outcome: &str) {
        *self
            .counts
            .entry((position.to_owned(), claim.to_owned(), outcome.to_owned()))
            .or_default() += 1;
    }
}

#[test]
fn every_kept_and_released_claim_matches_node_24() {
    let node = node::require_node_24();
    let started = Instant::now();
    let program = generator::generate(FUNCTIONS, SEED);
    let dir = tempfile::Builder::new()
        .prefix("ticklens-retention-")
        .tempdir()
        .expect("a temp folder");
    let script = dir.path().join("retention.js");
    std::fs::write(&script, &program.source).expect("write the program");
    let run = node::run_node(&node, &script, Duration::from_secs(120));
    assert_eq!(
        run.code,
        Some(0),
        "Node failed ({}):\n{}",
        run.ending(),
        run.stderr
    );
    let mut measured: BTreeMap<(String, usize), Measured> = BTreeMap::new();
    for line in run.stdout.lines() {
        if let Some((f, k, m)) = parse_line(line) {
            measured.insert((f, k), m);
        }
    }
    // Calibration: a value read after the await is kept, a helper's local is
    // collected. Without both, the measurement means nothing.
    let calibration = measured
        .get(&("calibrate".to_owned(), 0))
        .expect("the calibration function reported");
    assert!(
        calibration.alive.contains("calibrate.kept")
            && calibration.gone.contains("calibrate.freed"),
        "calibration failed: {calibration:?}\n{}",
        run.stderr
    );

    let tree = syntax::parse(&program.source, None);
    let insights = insights::insights(&program.source, &tree, ModuleKind::CommonJs);
    let mut tally = Tally::default();
    let mut claims = 0usize;
    for generated in &program.functions {
        let function = insights
            .functions
            .iter()
            .find(|f| f.name == generated.name)
            .unwrap_or_else(|| panic!("no insights for {}", generated.name));
        let pending: Vec<&AwaitInsight> = function
            .awaits
            .iter()
            .filter(|a| a.operand.starts_with("pending("))
            .collect();
        assert_eq!(pending.len(), generated.states.len(), "{}", generated.name);
        for (k, at) in pending.iter().enumerate() {
            let m = measured
                .get(&(generated.name.clone(), k))
                .unwrap_or_else(|| panic!("Node did not report {} at await {k}", generated.name));
            let retention = at
                .retention
                .as_ref()
                .expect("a function's await has retention");
            let state = &generated.states[k];
            let mut claimed: HashSet<String> = HashSet::new();
            let where_ = |id: &str| format!("{} await {k}: `{id}`", generated.name);
            for var in &retention.retained {
                let id = generated
                    .decls
                    .get(&var.decl_range.start)
                    .unwrap_or_else(|| panic!("{}: unknown binding {}", generated.name, var.name));
                let holding = state.get(id).cloned().unwrap_or_default();
                // "Not needed any more" invites `x = null`: wrong for a value
                // the function (or a closure it runs) still reads.
                if holding.needed {
                    claims += 1;
                    if var.group == RetentionGroup::Idle {
                        tally.add("read after the await", "not needed any more", "WRONG");
                        tally.wrong.push(format!(
                            "{}: claimed not needed any more, but it is read after the await",
                            where_(id)
                        ));
                    } else {
                        tally.add("read after the await", "needed", "right");
                    }
                }
                // A parameter is kept through `arguments` even when set to null.
                let token = holding.current.clone().or_else(|| {
                    retention
                        .keeps_arguments
                        .then(|| holding.earlier.first().cloned())
                        .flatten()
                });
                let group = match var.group {
                    RetentionGroup::Live => "kept (needed)",
                    RetentionGroup::Idle => "kept (no longer needed)",
                    RetentionGroup::Closure => "kept by a closure",
                };
                let Some(token) = token else {
                    if holding.untracked {
                        continue;
                    }
                    if var.certainty == Certainty::Certain {
                        tally.wrong.push(format!(
                            "{}: claimed {group}, but it holds no value",
                            where_(id)
                        ));
                        tally.add("(no value)", group, "WRONG");
                        claims += 1;
                    }
                    continue;
                };
                claimed.insert(token.clone());
                let position = generated.tokens.get(&token).copied().unwrap_or("?");
                let alive = m.alive.contains(&token);
                match var.certainty {
                    Certainty::Certain => {
                        claims += 1;
                        if alive {
                            tally.add(position, group, "right");
                        } else {
                            tally.add(position, group, "WRONG");
                            tally.wrong.push(format!(
                                "{}: claimed {group}, but Node collected {token}",
                                where_(id)
                            ));
                        }
                    }
                    Certainty::May(_) => {
                        let outcome = if alive { "kept" } else { "collected" };
                        tally.add(position, &format!("may be {group}"), outcome);
                    }
                }
            }
            for var in retention.released.iter().filter(|var| !var.shared) {
                let id = generated
                    .decls
                    .get(&var.decl_range.start)
                    .unwrap_or_else(|| panic!("{}: unknown binding {}", generated.name, var.name));
                let holding = state.get(id).cloned().unwrap_or_default();
                let tokens: Vec<String> = match var.reason {
                    ReleaseReason::Overwritten { .. } => holding.earlier.clone(),
                    ReleaseReason::ClosuresGone | ReleaseReason::CatchEnded => {
                        holding.current.iter().cloned().collect()
                    }
                };
                for token in tokens {
                    claims += 1;
                    claimed.insert(token.clone());
                    let position = generated.tokens.get(&token).copied().unwrap_or("?");
                    if m.gone.contains(&token) {
                        tally.add(position, "no longer kept", "right");
                    } else {
                        tally.add(position, "no longer kept", "WRONG");
                        tally.wrong.push(format!(
                            "{}: claimed no longer kept, but Node kept {token}",
                            where_(id)
                        ));
                    }
                }
            }
            // Values of this function that exist here but got no claim.
            let prefix = format!("{}.", generated.name);
            for token in m.alive.iter().chain(&m.gone) {
                if token.starts_with(&prefix) && !claimed.contains(token) {
                    let position = generated.tokens.get(token).copied().unwrap_or("?");
                    let outcome = if m.alive.contains(token) {
                        "kept"
                    } else {
                        "collected"
                    };
                    tally.add(position, "no claim", outcome);
                }
            }
        }
    }

    let mut report = format!(
        "# Retention differential\n\n{} functions (seed {SEED}), {} awaits measured, {claims} \
         definite claims, {} wrong; Node ran {:?}, whole test {:?}.\n\n\
         | position | claim | outcome | count |\n| --- | --- | --- | --- |\n",
        program.functions.len(),
        measured.len() - 1,
        tally.wrong.len(),
        run.elapsed,
        started.elapsed()
    );
    for ((position, claim, outcome), n) in &tally.counts {
        let _ = writeln!(report, "| {position} | {claim} | {outcome} | {n} |");
    }
    if !tally.wrong.is_empty() {
        report.push_str("\n## Wrong claims\n\n");
        for wrong in &tally.wrong {
            let _ = writeln!(report, "- {wrong}");
        }
    }
    let path = node::repo_root().join("target/retention-report.md");
    std::fs::create_dir_all(path.parent().expect("target")).expect("target folder");
    std::fs::write(&path, &report).expect("write the report");
    assert!(
        tally.wrong.is_empty(),
        "{} wrong retention claims (report: {}):\n{}",
        tally.wrong.len(),
        path.display(),
        tally.wrong.join("\n")
    );
    // The generator must exercise the claims it is there to check.
    for claim in [
        "kept (no longer needed)",
        "kept (needed)",
        "no longer kept",
        "needed",
    ] {
        assert!(
            tally
                .counts
                .iter()
                .any(|((_, c, outcome), n)| c == claim && outcome == "right" && *n > 0),
            "no `{claim}` claim was checked:\n{report}"
        );
    }
    assert!(claims >= 500, "only {claims} definite claims:\n{report}");
}
