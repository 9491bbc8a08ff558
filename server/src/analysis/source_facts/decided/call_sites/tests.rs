//! Parameters decided from the file's call sites, and the look-alikes
//! that stay open.

use crate::analysis::modules::ImportedNames;
use crate::analysis::source_facts::PromiseDeclarations;
use crate::syntax;

/// The decision for the operand of the last `await` in `source`.
fn last_await(source: &str) -> Option<String> {
    let tree = syntax::parse(source, None);
    let imports = ImportedNames::default();
    let declarations = PromiseDeclarations::new(source, &tree, &imports);
    let start = source.rfind("await ").expect("an await") + "await ".len();
    let end = source[start..].find(';').expect("a `;` after the await") + start;
    let node = tree
        .root_node()
        .descendant_for_byte_range(start, end)
        .expect("a node");
    assert_eq!(&source[node.byte_range()], &source[start..end], "{source}");
    declarations.decide(node).map(|d| d.why)
}

#[test]
fn a_parameter_every_call_passes_a_native_promise_is_decided() {
    let cases = [
        (
            "async function load() {}\nasync function wait(p) { await p; }\nwait(load());\nwait(Promise.resolve(1));",
            "`p` is a native promise at every call of `wait` (lines 3, 4): `load` is an async \
             function (line 1); `Promise.resolve(…)` is a native promise",
        ),
        (
            "const wait = async (p) => { await p; };\nwait(new Promise((r) => r()));",
            "`p` is a native promise at every call of `wait` (line 2): `new Promise(…)` is a \
             native promise",
        ),
        (
            "(async (a, p) => { await p; })(1, import('x'));",
            "`p` is a native promise where the function is called (line 1): \
             `import(…)` returns a native promise",
        ),
        (
            "async function retry(p, n) { if (n) retry(p, n - 1); await p; }\nretry(Promise.resolve(), 3);",
            "`p` is a native promise at every call of `retry` (lines 1, 2): `p` is a native \
             promise as every other call of its function gives it; `Promise.resolve(…)` is a \
             native promise",
        ),
        (
            "async function load() {}\nasync function each(cb) { await cb(); }\neach(load);\neach(async () => 1);",
            "`cb` is a function that returns a native promise at every call of `each` (lines \
             3, 4): `load` is an async function (line 1); the function passed is an async \
             function",
        ),
        (
            "async function inner(p) { await p; }\nfunction outer(q) { return inner(q); }\nouter(Promise.resolve());",
            "`p` is a native promise at every call of `inner` (line 2): `q` is a native \
             promise at every call of `outer` (line 3): `Promise.resolve(…)` is a native promise",
        ),
        (
            "class Db { async query() {} }\nasync function run(db) { await db.query(); }\nrun(new Db());",
            "`db.query` returns a native promise at every call of `run` (line 3): `Db.query` is an async method (line 1)",
        ),
        (
            "async function walk(read, n) { if (n) walk(read, n - 1); await read(); }\nwalk(() => Promise.resolve(), 2);",
            "`read` is a function that returns a native promise at every call of `walk` (lines 1, \
             2): `read` is a function that returns a native promise as every other call of its \
             function gives it; the function passed returns a native promise",
        ),
    ];
    for (source, expected) in cases {
        assert_eq!(last_await(source).as_deref(), Some(expected), "{source}");
    }
}

#[test]
fn a_function_code_outside_the_file_may_call_keeps_its_parameters_open() {
    let cases = [
        // Exported, or reachable by other code.
        "export async function wait(p) { await p; }\nwait(Promise.resolve());",
        "async function wait(p) { await p; }\nwait(Promise.resolve());\nexport { wait };",
        "async function wait(p) { await p; }\nwait(Promise.resolve());\nmodule.exports = wait;",
        "async function wait(p) { await p; }\nwait(Promise.resolve());\nmodule.exports = { wait };",
        "export const wait = async (p) => { await p; };\nwait(Promise.resolve());",
        "async function wait(p) { await p; }\nwait(Promise.resolve());\nsetTimeout(wait, 1);",
        "async function wait(p) { await p; }\nwait(Promise.resolve());\nwait.call(null, 1);",
        "async function wait(p) { await p; }\nwait(Promise.resolve());\nconst w = wait.bind(null);",
        "async function wait(p) { await p; }\nwait(Promise.resolve());\nwait?.(1);",
        "async function wait(p) { await p; }\nwait(Promise.resolve());\nnew wait(1);",
        "async function wait(p) { await p; }\nwait(Promise.resolve());\nwait`x`;",
        "async function wait(p) { await p; }\nwait(Promise.resolve());\nfunction get() { return wait; }",
        "let wait = async (p) => { await p; };\nwait(Promise.resolve());\nwait = (x) => x;",
        "[1].forEach(async (p) => { await p; });",
        "const o = { async wait(p) { await p; } };\no.wait(Promise.resolve());",
        "async function wait(p) { await p; }\nwait(Promise.resolve());\neval('wait(1)');",
        "async function wait(p) { await p; }",
        // The parameter is given something else, or may be.
        "async function wait(p) { await p; }\nwait(Promise.resolve());\nwait(1);",
        "async function wait(p) { await p; }\nwait(Promise.resolve());\nwait();",
        "async function wait(p) { await p; }\nwait(...[Promise.resolve()]);",
        "async function wait(p) { p = p.then(); await p; }\nwait(Promise.resolve());",
        "async function wait(p) { arguments[0] = 1; await p; }\nwait(Promise.resolve());",
        "async function wait(p = Promise.resolve()) { await p; }\nwait();",
        "async function wait({ p }) { await p; }\nwait({ p: Promise.resolve() });",
        "async function retry(p) { retry(1); await p; }\nretry(Promise.resolve());",
        "function thenable() { return { then(r) { r(); } }; }\nasync function wait(p) { await p; }\nwait(thenable());",
        "async function each(cb) { await cb(); }\neach(() => 1);",
        "class Db { query() { return 1; } }\nasync function run(db) { await db.query(); }\nrun(new Db());",
        "class Db { async query() {} }\nasync function run(db) { await db.query(); }\nrun(new Db());\nrun({ query: () => 1 });",
        "class Db { async query() {} }\nasync function run(db) { db.query = () => 1; await db.query(); }\nrun(new Db());",
        "async function each(cb) { await cb(); }\nasync function* gen() {}\neach(gen);",
    ];
    for source in cases {
        assert_eq!(last_await(source), None, "{source}");
    }
}

#[test]
fn looking_up_each_eval_and_with_finds_what_a_walk_of_every_node_finds() {
    let sources = [
        "eval('x');",
        "const evaluate = 1; // with care\nf(evaluate);",
        "with (o) { f(); }",
        "function f() { with (o) { g(); } }",
        "/* eval */ 'with' + `eval ${x}`; o.eval(1); ({ eval: 1 }); ({ with: 2 }).with;",
        "label: with (o) x;",
        "if (a) with (o) x; else eval(y);",
        "const x = { with(a) { return a; } }; x.with(1); eval",
        "async function f() { await (eval)(1); }",
        "with (",
        "eval(",
        "class A { eval() {} with() {} }",
        "import { eval as e } from './x.js';",
        "var e = eval; with (o) { with (p) {} }",
        "const width = 1; w.width; // without with",
        "with /* a comment */ (o) {}",
        "with\n(o) x;",
    ];
    for source in sources {
        let tree = syntax::parse(source, None);
        let root = tree.root_node();
        // From the root and from a leaf deep inside.
        let leaf = root
            .descendant_for_byte_range(source.len() - 1, source.len())
            .unwrap_or(root);
        let walked = super::names_unseen_by_walk(source, root);
        assert_eq!(super::names_unseen_in(source, root), walked, "{source}");
        assert_eq!(super::names_unseen_in(source, leaf), walked, "{source}");
    }
    // Past the limit of occurrences looked at one by one, the walk decides.
    let many = "x.with (1);\n".repeat(70) + "with (o) {}";
    let tree = syntax::parse(&many, None);
    assert!(super::names_unseen_in(&many, tree.root_node()));
    let many = "x.with (1);\n".repeat(70);
    let tree = syntax::parse(&many, None);
    assert!(!super::names_unseen_in(&many, tree.root_node()));
}
