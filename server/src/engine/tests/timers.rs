//! Event-loop tests; expected outputs measured with Node v24.11.1.

use super::{abstains, abstains_mentioning, cjs};

#[test]
fn top_level_timeout_zero_vs_immediate_abstains() {
    abstains_mentioning("setTimeout(() => console.log('timeout'), 0);\nsetImmediate(() => console.log('immediate'));", "real time");
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
setTimeout(() => {
  console.log("t5");
  process.nextTick(() => console.log("tick in timer"));
  Promise.resolve().then(() => console.log("micro in timer"));
}, 5);
setTimeout(() => console.log("t10"), 10);"#;
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
fn later_created_timer_with_close_earlier_expiry_abstains() {
    // Node reads the clock at every setTimeout, so `b` can expire after `a`
    // if 5 ms pass between the two calls (measured under load).
    abstains_mentioning(
        "setTimeout(() => console.log('a'), 10);\nsetTimeout(() => console.log('b'), 5);",
        "real time",
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

mod facts {
    use crate::engine::{function_facts, AsyncFunctionFacts, ModuleKind, ResumeTick};
    use crate::syntax;

    fn facts(source: &str) -> Vec<AsyncFunctionFacts> {
        let tree = syntax::parse(source, None);
        function_facts(source, &tree, ModuleKind::CommonJs)
    }

    fn after_entry(jobs: u32) -> ResumeTick {
        ResumeTick::AfterEntry { jobs }
    }

    #[test]
    fn second_await_of_seed_x_resumes_at_tick_two() {
        let source = "async function x() { console.log('x1'); await Promise.resolve(); console.log('x2'); await Promise.resolve(); console.log('x3'); }\nx();";
        let facts = facts(source);
        assert_eq!(facts.len(), 1);
        let resumes: Vec<_> = facts[0].awaits.iter().map(|a| a.resume.clone()).collect();
        assert_eq!(resumes, [after_entry(1), after_entry(2)]);
        assert_eq!(facts[0].settles, after_entry(2));
        assert_eq!(
            &source[facts[0].awaits[1].range.clone()],
            "await Promise.resolve()"
        );
    }

    #[test]
    fn return_promise_settles_later_than_return_await() {
        let source = "const p = Promise.resolve();\nasync function a() { return p }\nasync function b() { return await p }\na(); b();";
        let facts = facts(source);
        assert_eq!(facts[0].settles, after_entry(2));
        assert_eq!(facts[1].settles, after_entry(1));
    }

    #[test]
    fn thenable_await_resumes_two_jobs_after_reaching_it() {
        let source = "const t = { then(r) { r(1) } };\nasync function f() { await t; }\nf();";
        assert_eq!(facts(source)[0].awaits[0].resume, after_entry(2));
    }

    #[test]
    fn the_facts_run_predicts_the_same_order_as_predict_order() {
        let programs = [
            "async function f() { console.log(1); await null; console.log(3); }\nf();\nconsole.log(2);",
            "setTimeout(() => console.log('t'));\nprocess.nextTick(() => console.log('n'));\nPromise.resolve().then(() => console.log('p'));",
            "async function f() { throw new Error('x'); }\nf();\nconsole.log('crash first');",
            "console.log(1);\nclass A {}\nconsole.log(2);",
            "const broken = ;",
        ];
        for source in programs {
            let tree = syntax::parse(source, None);
            for module in [ModuleKind::CommonJs, ModuleKind::EsModule] {
                assert_eq!(
                    crate::engine::facts_and_order(source, &tree, module).1,
                    crate::engine::predict_order(source, &tree, module),
                    "{source}"
                );
            }
        }
    }

    #[test]
    fn async_class_members_run_when_the_program_calls_them() {
        // `this.ready` is undefined on a new Worker, so `start` awaits
        // `undefined`: one job (Node 24 agrees). `tick` is never called.
        let source = "class Worker {\n  async start() { await this.ready; }\n  tick = async () => { await job(); };\n  sync() {}\n}\nnew Worker().start();";
        let facts = facts(source);
        let names: Vec<&str> = facts.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["start", "tick"]);
        assert!(facts[0].called_by_program && !facts[1].called_by_program);
        assert_eq!(
            facts[0].awaits[0].resume,
            ResumeTick::AfterEntry { jobs: 1 }
        );
        assert_eq!(facts[0].settles, ResumeTick::AfterEntry { jobs: 1 });
        assert_eq!(
            facts[1].awaits[0].resume,
            ResumeTick::AfterSettle {
                jobs: 1,
                operand: "job()".to_owned(),
                if_native_promise: true
            }
        );
    }

    #[test]
    fn unknown_operand_resumes_after_it_settles() {
        let source =
            "async function loadUser(id) { const user = await fetchUser(id); return user; }";
        let facts = facts(source);
        assert_eq!(
            facts[0].awaits[0].resume,
            ResumeTick::AfterSettle {
                jobs: 1,
                operand: "fetchUser(id)".to_owned(),
                if_native_promise: true
            }
        );
    }

    #[test]
    fn uncalled_function_runs_in_isolation() {
        let source = "async function never() { await null; await null; }";
        let resumes: Vec<_> = facts(source)[0]
            .awaits
            .iter()
            .map(|a| a.resume.clone())
            .collect();
        assert_eq!(resumes, [after_entry(1), after_entry(2)]);
    }

    #[test]
    fn different_activations_report_varying() {
        let source = "async function f(p) { await p; }\nf(1);\nf({ then(r) { r(1) } });";
        assert!(matches!(
            facts(source)[0].awaits[0].resume,
            ResumeTick::Unknown { .. }
        ));
    }
}

#[test]
fn a_later_timer_racing_an_immediate_from_an_earlier_timer_abstains() {
    // Node 24 printed `t1 t2 i1` 26 times and `t1 i1 t2` 4 times in 30 runs.
    abstains_mentioning("setTimeout(() => { console.log('t1'); setImmediate(() => console.log('i1')); }, 0);\nPromise.resolve().then(() => setTimeout(() => console.log('t2'), 0));", "this timers phase");
}

#[test]
fn a_timer_created_earlier_and_due_sooner_still_runs_in_the_same_phase() {
    // `b` was created before `a` and expires no later, so it has expired whenever `a` has.
    let source = "setTimeout(() => console.log('b'), 1);\nsetTimeout(() => { console.log('a'); setImmediate(() => console.log('i')); }, 1);";
    assert_eq!(cjs(source), ["b", "a", "i"]);
}
