//! Names the engine does not model, `this`, and `require` of built-ins. Every expected output
//! was produced by Node v24.11.1 running the same program (`node FILE.cjs` / `FILE.mjs`).

use super::{abstains, cjs, lines, run};
use super::{ModuleKind, OrderOutcome};

fn esm(source: &str) -> Vec<String> {
    lines(source, ModuleKind::EsModule)
}

#[test]
fn typeof_of_a_node_global_chooses_the_branch_node_takes() {
    let source = r#"
const defer = typeof globalThis === "object" ? queueMicrotask : (f) => setTimeout(f, 0);
setTimeout(() => console.log("timeout"), 0);
defer(() => console.log("deferred"));"#;
    assert_eq!(cjs(source), ["deferred", "timeout"]);
}

#[test]
fn typeof_gives_node_answers_for_unmodelled_and_partly_modelled_globals() {
    let source = "console.log(typeof fetch, typeof Buffer, typeof structuredClone, \
                  typeof globalThis, typeof global, typeof Array, typeof Object, typeof Math, \
                  typeof nothingHere);";
    let expected = "function function function object object function function object undefined";
    assert_eq!(cjs(source), [expected]);
    assert_eq!(esm(source), [expected]);
}

#[test]
fn commonjs_wrapper_names_exist_only_in_commonjs() {
    let source = "console.log(typeof require, typeof module, typeof exports, \
                  typeof __filename, typeof __dirname);";
    assert_eq!(cjs(source), ["function object object string string"]);
    assert_eq!(
        esm(source),
        ["undefined undefined undefined undefined undefined"]
    );
    assert_eq!(
        cjs("console.log(this === exports, module.exports === exports);"),
        ["true true"]
    );
}

#[test]
fn sloppy_plain_call_sees_the_global_object() {
    let source = r#"
function f() { return typeof this; }
function g() { return this === globalThis; }
console.log(f(), g());"#;
    assert_eq!(cjs(source), ["object true"]);
}

#[test]
fn strict_code_plain_call_sees_undefined() {
    let file_level = "'use strict';\nfunction f() { return typeof this; }\nconsole.log(f());";
    assert_eq!(cjs(file_level), ["undefined"]);
    let function_level = r#"
function f() { "use strict"; return typeof this; }
function g() { return typeof this; }
console.log(f(), g());"#;
    assert_eq!(cjs(function_level), ["undefined object"]);
    let inherited = r#"
function outer() { "use strict"; return function inner() { return typeof this; }; }
console.log(outer()());"#;
    assert_eq!(cjs(inherited), ["undefined"]);
    assert_eq!(
        esm("function f() { return typeof this; }\nconsole.log(f());"),
        ["undefined"]
    );
}

/// Every part of a class is strict in a sloppy script, functions nested in
/// its methods, fields and `extends` too; code after the class is sloppy
/// again. Expected as Node 24 prints it.
#[test]
fn every_part_of_a_class_is_strict_and_the_code_after_it_is_not() {
    let source = r#"
class Base {}
class Other {}
class A extends (function () { return typeof this === "undefined" ? Base : Other; })() {
  m() { return function inner() { return typeof this; }; }
  static s() { return (function () { return typeof this; })(); }
  f = (function () { return typeof this; })();
}
function sloppy() { return typeof this; }
const a = new A();
console.log(a.m()(), A.s(), a.f, sloppy(), Object.getPrototypeOf(A) === Base);"#;
    assert_eq!(cjs(source), ["undefined undefined undefined object true"]);
}

#[test]
fn a_directive_after_other_statements_is_not_a_directive() {
    let source = r#"
function f() { let x = 1; "use strict"; return typeof this; }
console.log(f());"#;
    assert_eq!(cjs(source), ["object"]);
}

#[test]
fn bindings_named_undefined_nan_and_infinity_are_respected() {
    let source = r#"
{ let undefined = "shadowed"; console.log(undefined); }
function f(NaN, Infinity) { return NaN + Infinity; }
console.log(f(1, 2), undefined, NaN, Infinity);"#;
    assert_eq!(cjs(source), ["shadowed", "3 undefined NaN Infinity"]);
}

#[test]
fn named_function_expression_refers_to_itself() {
    let source = r#"
let n = 0;
queueMicrotask(function tick() {
  n++;
  console.log("tick", n);
  if (n < 3) queueMicrotask(tick);
});
Promise.resolve().then(() => console.log("then"));
const fact = function f(k) { return k <= 1 ? 1 : k * f(k - 1); };
console.log(fact(5), typeof f);"#;
    assert_eq!(
        cjs(source),
        ["120 undefined", "tick 1", "then", "tick 2", "tick 3"]
    );
}

#[test]
fn a_parameter_shadows_the_function_expressions_own_name() {
    let source = "const g = function f(f) { return f; };\nconsole.log(g(7));";
    assert_eq!(cjs(source), ["7"]);
}

#[test]
fn undeclared_names_abstain_as_not_modelled_never_not_defined() {
    let abstention = abstains("fetchUser(1).then(() => console.log('x'));");
    assert!(
        abstention
            .reason
            .contains("`fetchUser` is not declared in this file, and ticklens does not model"),
        "{abstention:?}"
    );
    assert!(!abstention.reason.contains("not defined"), "{abstention:?}");
}

#[test]
fn unmodelled_globals_abstain_when_their_value_is_needed() {
    for source in [
        "performance.now();",
        "console.log(Buffer.from('x'));",
        "console.log(globalThis);",
        "(async () => { await globalThis; console.log('after'); })();",
        "Promise.resolve().then(atob).then(() => console.log('x'));",
        "console.log(__filename);",
    ] {
        let abstention = abstains(source);
        assert!(
            abstention.reason.contains("not modelled by ticklens"),
            "{source}: {abstention:?}"
        );
    }
}

#[test]
fn an_opaque_global_is_the_same_object_on_every_read() {
    assert_eq!(
        cjs("console.log(globalThis === global, fetch === fetch, fetch === Buffer);"),
        ["true true false"]
    );
}

#[test]
fn require_of_timers_promises_orders_like_timers() {
    let source = r#"
const { setTimeout: sleep, setImmediate: nextTurn } = require("node:timers/promises");
sleep(100, "slept").then((v) => console.log(v));
setTimeout(() => {
  nextTurn("immediate").then((v) => console.log(v));
  setTimeout(() => console.log("timeout"), 0);
  Promise.resolve().then(() => console.log("micro"));
}, 5);"#;
    assert_eq!(cjs(source), ["micro", "immediate", "timeout", "slept"]);
}

#[test]
fn util_promisify_of_timers_is_the_timers_promises_function() {
    let source = r#"
const util = require("util");
const sleep = util.promisify(setTimeout);
console.log(sleep === require("timers/promises").setTimeout);
sleep(50).then((v) => console.log("slept", v));
async function main() { await sleep(1); console.log("main"); }
main();"#;
    assert_eq!(cjs(source), ["true", "main", "slept undefined"]);
}

#[test]
fn required_process_and_timers_are_the_globals() {
    let source = r#"
const proc = require("node:process");
const timers = require("timers");
console.log(proc === process, timers.setTimeout === setTimeout, require("timers") === timers);
proc.nextTick(() => console.log("tick"));
Promise.resolve().then(() => console.log("micro"));"#;
    assert_eq!(cjs(source), ["true true true", "tick", "micro"]);
}

#[test]
fn require_of_other_modules_and_unmodelled_members_abstains() {
    assert!(abstains("const lib = require('./lib');")
        .reason
        .contains("another module"));
    assert!(
        abstains("const { lookup } = require('node:dns');\nconsole.log('x');")
            .reason
            .contains("not modelled by ticklens")
    );
    assert!(abstains("require('util').inspect({});")
        .reason
        .contains("not modelled by ticklens"));
    assert!(matches!(
        run(
            "const fs = require('fs');\nconsole.log(typeof fs);",
            ModuleKind::CommonJs
        ),
        OrderOutcome::Determined(_)
    ));
}

#[test]
fn same_run_timers_with_delays_beyond_the_measured_margin_are_ordered() {
    let source = r#"
setTimeout(() => console.log("late"), 25);
setTimeout(() => console.log("early"), 0);"#;
    assert_eq!(cjs(source), ["early", "late"]);
}

#[test]
fn same_run_timers_within_the_measured_margin_abstain() {
    // Two adjacent `setTimeout` calls were measured up to 11.9 ms apart on a loaded machine.
    abstains("setTimeout(() => console.log('a'), 10);\nsetTimeout(() => console.log('b'), 1);");
    // With a long loop between the creations, the 50 ms margin applies again.
    abstains(
        "setTimeout(() => console.log('a'), 40);\nlet s = 0;\nfor (let i = 0; i < 5000; i++) s += i;\n\
         setTimeout(() => console.log('b'), 1);",
    );
}

/// The statics named by their enum variants (`js_named_builtins!`) carry Node's names.
#[test]
fn statics_named_by_their_variants_are_the_functions_node_has() {
    let source = "console.log(typeof Promise.allSettled, typeof Promise.withResolvers, \
                  typeof Object.isFrozen, typeof Object.fromEntries, typeof Math.sqrt);";
    assert_eq!(
        cjs(source),
        ["function function function function function"]
    );
}

/// `node exp.js` (Node v24.11.1): the CommonJS wrapper's names are parameters,
/// so the module may assign them.
#[test]
fn the_commonjs_wrapper_names_can_be_assigned() {
    let source = "function F() {}\n\
        module.exports = exports = F;\n\
        console.log(module.exports === F, exports === F);\n\
        exports = 1; require = null; module = 2;\n\
        console.log(typeof exports, require, module);\n";
    assert_eq!(cjs(source), ["true true", "number null 2"]);
}
