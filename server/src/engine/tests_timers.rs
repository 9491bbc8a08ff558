//! Event-loop tests; expected outputs measured with Node v24.11.1.

use super::tests::{abstains, cjs};

#[test]
fn top_level_timeout_zero_vs_immediate_abstains() {
    let abstention = abstains(
        "setTimeout(() => console.log('timeout'), 0);\nsetImmediate(() => console.log('immediate'));",
    );
    assert!(abstention.reason.contains("real time"), "{abstention:?}");
}

#[test]
fn timeout_from_immediate_vs_immediate_abstains() {
    abstains(
        "setImmediate(() => {\n  setTimeout(() => console.log('t'), 0);\n  setImmediate(() => console.log('i'));\n});",
    );
}

#[test]
fn immediate_scheduled_in_timer_runs_before_new_timeout() {
    let source = r#"
setTimeout(() => {
  setTimeout(() => console.log("timeout"), 0);
  setImmediate(() => console.log("immediate"));
  process.nextTick(() => console.log("tick"));
}, 0);"#;
    assert_eq!(cjs(source), ["tick", "immediate", "timeout"]);
}

#[test]
fn timers_fire_by_delay_then_creation_order() {
    let source = r#"
for (let i = 0; i < 3; i++) setTimeout(() => console.log("i", i), 0);
setTimeout(() => console.log("t10"), 10);
setTimeout(() => {
  console.log("t5");
  process.nextTick(() => console.log("tick in timer"));
  Promise.resolve().then(() => console.log("micro in timer"));
}, 5);"#;
    assert_eq!(
        cjs(source),
        [
            "i 0",
            "i 1",
            "i 2",
            "t5",
            "tick in timer",
            "micro in timer",
            "t10"
        ]
    );
}

#[test]
fn interval_cleared_after_three_runs() {
    let source = r#"
let n = 0;
const id = setInterval(() => { n++; console.log("tick", n); if (n === 3) clearInterval(id); }, 10);
const t = setTimeout(() => console.log("never"), 20);
clearTimeout(t);"#;
    assert_eq!(cjs(source), ["tick 1", "tick 2", "tick 3"]);
}

#[test]
fn thenable_resolving_from_a_timer() {
    let source = r#"
const th = { then(res) { setTimeout(() => res("slow"), 5); } };
(async () => { console.log(await th); })();
new Promise(r => r(th)).then(v => console.log("np", v));
new Promise((_, rej) => rej(new Error("e1"))).catch(e => console.log(e.message));
new Promise(() => { throw new Error("e2"); }).then(null, e => console.log("then2", e.message));"#;
    assert_eq!(cjs(source), ["e1", "then2 e2", "slow", "np slow"]);
}
