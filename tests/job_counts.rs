//! The engine's job counts (`engine::job_counts`), which every message that
//! states a count is formatted from, checked against Node 24 on the same
//! probe programs.
//!
//! Each probe is instrumented as /work/shared/measuring-claims.md describes:
//! a generation counter, queued first with the raw `queueMicrotask`, re-queues
//! itself, so while a job of generation k runs it reads k; the probe stores
//! the counter at its entry and right after its only `await` (property
//! stores, nothing that queues a job), and a timer prints the difference once
//! the microtask queue is empty. Node comes from `TICKLENS_NODE` or
//! `scripts/install-node.sh`; without it the test fails.

#[path = "differential/node.rs"]
mod node;

use std::thread;
use std::time::Duration;

use ticklens::engine::{probe_resume_jobs, PROBES};

const PRELUDE: &str = "const __gen = { n: 0 };\nconst __mark = {};\n\
     queueMicrotask(function next() { __gen.n++; if (__gen.n < 40) queueMicrotask(next); });\n";
const EPILOGUE: &str = "\nsetTimeout(() => console.log(__mark.resume - __mark.entry));\n";

/// The probe with the entry and resume marks, or `None` if its shape changed.
fn instrument(program: &str) -> Option<String> {
    const HEAD: &str = "async function probe() {";
    const TAIL: &str = " }\nprobe();";
    let tail = program.rfind(TAIL)?;
    program.find(HEAD)?;
    let marked = format!(
        "{} __mark.resume = __gen.n;{}",
        &program[..tail],
        &program[tail..]
    )
    .replacen(HEAD, &format!("{HEAD} __mark.entry = __gen.n;"), 1);
    Some(format!("{PRELUDE}{marked}{EPILOGUE}"))
}

#[test]
fn every_engine_job_count_matches_node_24() {
    let node = node::require_node_24();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let runs: Vec<_> = PROBES
        .iter()
        .map(|&(name, program)| {
            let source = instrument(program)
                .unwrap_or_else(|| panic!("{name}: the probe lost its `probe` shape:\n{program}"));
            let path = dir.path().join(format!("{name}.js"));
            std::fs::write(&path, &source).expect("write the probe");
            let node = node.clone();
            let run = thread::spawn(move || node::run_node(&node, &path, Duration::from_secs(10)));
            (name, program, source, run)
        })
        .collect();
    for (name, program, source, run) in runs {
        let run = run.join().expect("the Node thread");
        assert_eq!(
            run.code,
            Some(0),
            "{name}: {}\n{}\n{source}",
            run.ending(),
            run.stderr
        );
        let measured: u32 = run
            .stdout
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}: Node printed {:?}\n{source}", run.stdout));
        assert_eq!(
            probe_resume_jobs(program),
            Some(measured),
            "{name}: the engine's count differs from Node 24's\n{program}"
        );
    }
}
