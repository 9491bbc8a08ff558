//! Tests of [`super::decided`]: what decides an awaited operand, and what
//! leaves it undecided.

use super::decided::PromiseDeclarations;
use crate::analysis::modules::ImportedNames;
use crate::syntax;

/// Why the last expression statement's expression is a native promise.
fn why(source: &str) -> Option<String> {
    let tree = syntax::parse(source, None);
    let imports = ImportedNames::default();
    let declarations = PromiseDeclarations::new(source, &tree, &imports);
    let root = tree.root_node();
    let last = root.named_child(root.named_child_count().checked_sub(1)?)?;
    assert_eq!(last.kind(), "expression_statement", "{source}");
    declarations.decide(last.named_child(0)?).map(|d| d.why)
}

/// Asserts that each source's last expression is decided, and why.
fn decides_as(cases: &[(&str, &str)]) {
    for (source, expected) in cases {
        assert_eq!(why(source).as_deref(), Some(*expected), "{source}");
    }
}

#[test]
fn declarations_that_return_native_promises_decide_their_calls() {
    decides_as(&[
        (
            "const x = 1;\nasync function helper() {}\nhelper();",
            "`helper` is an async function (line 2)",
        ),
        (
            "function load() { return new Promise((r) => r(1)); }\nload();",
            "`load` returns a native promise on every path (line 1)",
        ),
        (
            "const load = () => Promise.resolve(1);\nload();",
            "`load` returns a native promise (line 1)",
        ),
        (
            "async function a() {}\nfunction b() { if (x) { return a(); } return a().then(f); }\nb();",
            "`b` returns a native promise on every path (line 2)",
        ),
        (
            "async function a() {}\nconst p = a();\np;",
            "`p` holds a native promise (line 2): `a` is an async function (line 1)",
        ),
        (
            "const api = { async load() {} };\napi.load();",
            "`api.load` is an async function (line 1)",
        ),
        (
            "class Repo { put() { return Promise.all([]); } }\nconst r = new Repo();\nr.put();",
            "`Repo.put` returns a native promise on every path (line 1)",
        ),
        (
            "class A { async save() {} }\nclass B extends A {}\nnew B().save();",
            "`A.save` is an async method (line 1)",
        ),
        (
            "async function a() {}\n(0, a)();",
            "`a` is an async function (line 1)",
        ),
        (
            "class L { static async load() {} }\nL.load();",
            "`L.load` is an async method (line 1)",
        ),
        (
            "async function a() {}\na().finally(f);",
            "`.finally` of a native promise returns one: `a` is an async function (line 1)",
        ),
    ]);
}

#[test]
fn this_and_super_read_the_enclosing_class() {
    let source = "class A {\n  async get() {}\n  run() {\n    return this.get();\n  }\n}\nclass B extends A {\n  async run2() {\n    return super.get();\n  }\n}\n";
    let calls = calls(source);
    assert_eq!(calls.len(), 2);
    assert!(calls
        .iter()
        .all(|why| why.as_deref() == Some("`A.get` is an async method (line 2)")));
}

/// The decision for each call of `source`, in source order.
fn calls(source: &str) -> Vec<Option<String>> {
    let tree = syntax::parse(source, None);
    let imports = ImportedNames::default();
    let declarations = PromiseDeclarations::new(source, &tree, &imports);
    let mut found = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.kind() == "call_expression" {
            found.push((node.start_byte(), declarations.decide(node).map(|d| d.why)));
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, why)| why).collect()
}

#[test]
fn names_resolve_in_the_innermost_scope_that_binds_them() {
    let source = "async function a() {}\nfunction run(a) { return a(); }\nfunction other() { function load() { return 1; } return load(); }\nasync function outer() { async function load() {} await load(); }\nfor (const a of list) { a(); }\na();\n";
    assert_eq!(
        calls(source),
        [
            None,
            None,
            Some("`load` is an async function (line 4)".to_owned()),
            None,
            Some("`a` is an async function (line 1)".to_owned()),
        ]
    );
}

#[test]
fn a_let_is_decided_when_every_value_assigned_to_it_is() {
    decides_as(&[
        (
            "let lock = Promise.resolve();\nasync function f() { await lock; lock = lock.catch(() => null).then(async () => {}); }\nlock;",
            "`lock` holds a native promise (line 1): `Promise.resolve(…)` is a native promise; so does every value assigned to it (line 2)",
        ),
        (
            "async function a() {}\nlet p = a();\nif (x) p = a().then(f);\nelse p ??= Promise.all([]);\np;",
            "`p` holds a native promise (line 2): `a` is an async function (line 1); so does every value assigned to it (line 3, 4)",
        ),
        (
            "let p = Promise.resolve();\nfunction other() { let p = 1; p = 2; }\np;",
            "`p` holds a native promise (line 1): `Promise.resolve(…)` is a native promise",
        ),
        (
            "async function a() {}\nlet c;\n(c = a());",
            "the assignment's value is one: `a` is an async function (line 1)",
        ),
        // A same-named binding of another function, reassigned, is another binding.
        (
            "function a() { const p = Promise.resolve(); return p; }\nfunction b() { let p; p = 2; }\na();",
            "`a` returns a native promise on every path (line 1)",
        ),
    ]);
    for source in [
        "let p = Promise.resolve();\np = 1;\np;",
        "let p = Promise.resolve();\np += 1;\np;",
        "let p = Promise.resolve();\np ||= 1;\np;",
        "let p;\np = Promise.resolve();\np;",
        "var p = Promise.resolve();\np = Promise.resolve();\np;",
        "let p = Promise.resolve();\n[p] = [1];\np;",
        "let p = Promise.resolve();\nfunction f() { p = p.then ? 1 : p; }\np;",
    ] {
        assert_eq!(why(source), None, "{source}");
    }
}

#[test]
fn what_may_not_be_a_native_promise_stays_undecided() {
    for source in [
        // A thenable, a subclass, a promise on some paths only, a plain value.
        "function t() { return { then(r) { r(1); } }; }\nt();",
        "class P extends Promise {}\nfunction s() { return new P(() => {}); }\ns();",
        "function m() { if (x) return Promise.resolve(1); return 1; }\nm();",
        "function m() { if (x) { return Promise.resolve(1); } }\nm();",
        "async function* g() {}\ng();",
        // Bound twice, reassigned, a parameter.
        "async function a() {}\nvar a = 1;\na();",
        "async function a() {}\na = () => 1;\na();",
        // A method replaced by an assignment, or overridden by a subclass.
        "const api = { async load() {} };\napi.load = () => 1;\napi.load();",
        "class A { get x() { return Promise.resolve(); } }\nnew A().x();",
        // Static methods: not async, an instance method, replaced.
        "class L { static load() { return 1; } }\nL.load();",
        "class L { async load() {} }\nL.load();",
        "class L { static async load() {} }\nL.load = () => 1;\nL.load();",
        // `Promise` shadowed; `.then` of an unknown receiver.
        "const Promise = Other;\nPromise.resolve(1);",
        "p.then(f);",
        "f?.();",
    ] {
        assert_eq!(why(source), None, "{source}");
    }
    // `this.get()` in a class a same-file subclass overrides with a plain method.
    let source = "class A { async get() {} run() { return this.get(); } }\nclass B extends A { get() { return 1; } }\n";
    let tree = syntax::parse(source, None);
    let imports = ImportedNames::default();
    let declarations = PromiseDeclarations::new(source, &tree, &imports);
    let at = source.find("this.get()").unwrap();
    let call = tree
        .root_node()
        .descendant_for_byte_range(at, at + "this.get()".len())
        .unwrap();
    assert_eq!(call.kind(), "call_expression");
    assert_eq!(declarations.decide(call), None);
}

#[test]
fn the_language_and_node_built_ins_decide_their_calls() {
    decides_as(&[
        ("import('./x.js');", "`import(…)` returns a native promise"),
        (
            "async function a() {}\na.call(null, 1);",
            "`.call` calls it: `a` is an async function (line 1)",
        ),
        (
            "const dns = require('node:dns');\ndns.promises.lookup('x');",
            "`dns.promises.lookup` is Node's `dns/promises` function `lookup`, which returns a native promise",
        ),
        (
            "import * as stream from 'stream';\nstream.promises.pipeline(a, b);",
            "`stream.promises.pipeline` is Node's `stream/promises` function `pipeline`, which returns a native promise",
        ),
        (
            "const util = require('util');\nconst read = util.promisify((cb) => cb(null, 1));\nread();",
            "`read` holds what `util.promisify(…)` returns (line 2): a function that returns a native promise",
        ),
        (
            "const { promisify } = require('node:util');\npromisify(f.bind(x))();",
            "`util.promisify(…)` (line 2) returns a function that returns a native promise",
        ),
        (
            "async function a() {}\nfunction b() { return x ? a() : Promise.resolve(); }\nb();",
            "`b` returns a native promise on every path (line 2)",
        ),
        (
            "const { promisify } = require('util');\nconst { stat } = require('fs');\nconst toStats = promisify(stat);\ntoStats('.');",
            "`toStats` holds what `util.promisify(…)` returns (line 3): a function that returns a native promise",
        ),
        (
            "import { promisify } from 'node:util';\nimport { exec } from 'node:child_process';\npromisify(exec)('true');",
            "`util.promisify(…)` (line 3) returns a function that returns a native promise",
        ),
        (
            "const util = require('util');\nconst fs = require('fs');\nutil.promisify(fs.exists)('.');",
            "`util.promisify(…)` (line 3) returns a function that returns a native promise",
        ),
        (
            "const util = require('util');\nutil.promisify(setTimeout)(1);",
            "`util.promisify(…)` (line 2) returns a function that returns a native promise",
        ),
    ]);
    let source =
        "class L { async parse() {} load() { const scope = this; return () => scope.parse(); } }";
    assert_eq!(
        calls(source).first().cloned().flatten().as_deref(),
        Some("`L.parse` is an async method (line 1)")
    );
    let source = "class A {\n  async #m() {}\n  run() { return this.#m.apply(this, []); }\n}\n";
    assert_eq!(
        calls(source).first().cloned().flatten().as_deref(),
        Some("`.apply` calls it: `A.#m` is an async method (line 2)")
    );
}

#[test]
fn look_alikes_of_built_ins_stay_undecided() {
    for source in [
        // `.call` of a function whose result may depend on `this`.
        "function b() { return Promise.resolve(); }\nb.call(o);",
        "function a() {}\na.call(null);",
        // A custom promisified form replaces Node's; not the `util` module.
        "const util = require('util');\nfunction f(cb) {}\nf[util.promisify.custom] = () => 1;\nutil.promisify(f)();",
        "const util = require('./util');\nutil.promisify(() => 1)();",
        "function promisify(f) { return f; }\npromisify(() => 1)();",
        "const { other: promisify } = require('util');\npromisify(() => 1)();",
        "const util = require('util');\nutil.promisify(data.getLength)();",
        // Not a built-in's function, or one the file may give a custom form.
        "const util = require('util');\nconst fs = require('./fs');\nutil.promisify(fs.stat)();",
        "const util = require('util');\nconst { stat } = require('./fs');\nutil.promisify(stat)();",
        "const util = require('util');\nconst fs = require('fs');\nfs.stat = x;\nutil.promisify(fs.stat)();",
        "const util = require('util');\nconst fs = require('fs');\nfs.stat[util.promisify.custom] = x;\nutil.promisify(fs.stat)();",
        "const util = require('util');\nsetTimeout = x;\nutil.promisify(setTimeout)();",
        // Not a built-in's `promises`; not a function it lists.
        "const dns = require('./dns');\ndns.promises.lookup('x');",
        "const fs = require('fs');\nfs.promises.watch('x');",
        "async function a() {}\nfunction b() { return x ? a() : 1; }\nb();",
    ] {
        assert_eq!(why(source), None, "{source}");
    }
}

/// Why the expression whose text starts at the first `at` in `source` is
/// not decided.
fn reason_at(source: &str, at: &str) -> String {
    let tree = syntax::parse(source, None);
    let imports = ImportedNames::default();
    let declarations = PromiseDeclarations::new(source, &tree, &imports);
    let start = source.find(at).expect("the expression");
    let node = tree
        .root_node()
        .descendant_for_byte_range(start, start + at.len())
        .expect("a node");
    assert_eq!(&source[node.byte_range()], at, "{source}");
    declarations.why_undecided(node).why
}

#[test]
fn an_undecided_operand_says_what_it_is() {
    for (source, at, expected) in [
        (
            "async function f(conn) { await conn.command(); }",
            "conn.command()",
            "`conn.command` is a property of `conn`, and `conn` is a parameter",
        ),
        (
            "class Mesh { render(r) { return r.render(this); } }\nclass Quad extends Mesh {}\nconst quad = new Quad();\nasync function f(r) { await quad.render(r); }",
            "quad.render(r)",
            "`quad.render` is `Mesh.render` (`quad` holds `new Quad()`, line 3), and `Mesh.render` (line 1) returns `r.render(this)` (line 1), and `r.render` is a property of `r`, and `r` is a parameter",
        ),
        (
            "const prettier = require('prettier');\nprettier.format(x);",
            "prettier.format(x)",
            "`prettier.format` is a property of `prettier`, and `prettier` comes from the package `prettier`, outside the workspace",
        ),
        (
            "navigator.gpu;",
            "navigator.gpu",
            "`navigator.gpu` is a property of `navigator`, and `navigator` is a global this file does not declare",
        ),
        (
            "function pre(q) {\n  if (!q) return;\n  return new Promise(() => {});\n}\npre(1);",
            "pre(1)",
            "`pre` (line 1) returns no promise on one path (line 2)",
        ),
        (
            "let p = a();\np = b();\np;",
            "p;",
            "`p` holds the result of `a()` (line 1), and `a` is a global this file does not declare",
        ),
        (
            "let p = Promise.resolve();\np = 1;\np;",
            "p;",
            "`p` is assigned `1` (line 2), and `1` is not a promise",
        ),
        (
            "let p = Promise.resolve();\np++;\np;",
            "p;",
            "`p` is reassigned in this file",
        ),
        (
            "let p;\np = Promise.resolve();\np;",
            "p;",
            "`p` is declared without a value (line 1)",
        ),
        (
            "let f;\ntry { f = await load(); } catch {}\nf.format();",
            "f.format()",
            "`f.format` is a property of `f`, and `f` is assigned what `await load()` settled with (line 2): the value a promise settled with",
        ),
        (
            "async function f(ctx) { const { conn } = ctx; await conn.command(); }",
            "conn.command()",
            "`conn.command` is a property of `conn`, and `conn` is destructured from `ctx` (line 1), and `ctx` is a parameter",
        ),
        (
            "const { promisify } = require('util');\nclass M { async close() { await promisify(this[k])(); } }",
            "promisify(this[k])()",
            "`promisify(this[k])` returns the custom promisified form of `this[k]` if it has one, and `this[k]` is a computed property of `this`, which may hold any function",
        ),
        (
            "function F() { const self = this; self.run(); }",
            "self.run()",
            "`self.run` is a property of `self`, and `self` holds `this` (line 1), and `this` is whatever the caller binds it to",
        ),
        (
            "class C { async run() { await this.lock; } constructor() { this.lock = null; } go() { this.lock = Promise.resolve(); } }",
            "this.lock",
            "`this.lock` is a field set in 2 places, one from `null` (line 1), and `null` is not a promise",
        ),
        (
            "function run(xs) { for (let item of xs) { item = item(); item; } }",
            "item;",
            "`item` is a loop variable",
        ),
        (
            "async function run(coll) { const cursor = coll.find();\n await cursor.toArray(); }",
            "cursor.toArray()",
            "`cursor.toArray` is a property of `cursor`, and `cursor` holds the result of `coll.find()` (line 1), and `coll.find` is a property of `coll`, and `coll` is a parameter",
        ),
        (
            "class H {\n  #fsp;\n  constructor(fsp) { this.#fsp = fsp; }\n  async mk() { await this.#fsp.mkdir(); }\n}",
            "this.#fsp.mkdir()",
            "`this.#fsp.mkdir` is a property of an unknown value: `this.#fsp` is a field set from `fsp` (line 3), and `fsp` is a parameter",
        ),
        (
            "const t = x && ((s) => s);\nt(1);",
            "t(1)",
            "`t` holds `x && ((s) => s)` (line 1), and `x && ((s) => s)` is a conditional: either side may be awaited",
        ),
        (
            "class C { #impl; #call(m) { return this.#impl[m](); } async run() { await this.#call('a'); } }",
            "this.#call('a')",
            "`this.#call` (line 1) returns `this.#impl[m]()` (line 1), and `this.#impl[m]` is a computed property of `this.#impl`, which may hold any function",
        ),
    ] {
        let got = reason_at(source, at.trim_end_matches(';'));
        assert_eq!(got, expected, "{source}");
    }
}

/// The decision for the call whose text is `at` in `source`.
fn call_at(source: &str, at: &str) -> Option<String> {
    let tree = syntax::parse(source, None);
    let imports = ImportedNames::default();
    let declarations = PromiseDeclarations::new(source, &tree, &imports);
    let start = source.find(at).expect("the call");
    let node = tree
        .root_node()
        .descendant_for_byte_range(start, start + at.len())
        .expect("a node");
    assert_eq!(&source[node.byte_range()], at, "{source}");
    declarations.decide(node).map(|d| d.why)
}

#[test]
fn a_method_of_an_object_held_in_a_field_or_reassigned_name_is_decided() {
    let client = "class Client { async connect() {} }\n";
    for (source, at, expected) in [
        (
            "class E {\n  start() { this.c = new Client(); }\n  stop() { this.c = null; }\n  async go() { await this.c.connect(); }\n}",
            "this.c.connect()",
            "every value this file gives `this.c` is `new Client(…)` (line 3), `null` or `undefined`: `Client.connect` is an async method (line 1)",
        ),
        (
            "class E {\n  c = undefined;\n  constructor() { this.c ??= new Client(); }\n  async go() { const c = this.c; await c.connect(); }\n}",
            "c.connect()",
            "every value this file gives `this.c` is `new Client(…)` (line 4), `null` or `undefined`: `Client.connect` is an async method (line 1)",
        ),
        (
            "let c = null;\nfunction open() { c = new Client(); }\nasync function go() { await c.connect(); }",
            "c.connect()",
            "every value `c` is given is `new Client(…)` (line 3), `null` or `undefined`: `Client.connect` is an async method (line 1)",
        ),
    ] {
        let source = format!("{client}{source}");
        assert_eq!(call_at(&source, at).as_deref(), Some(expected), "{source}");
    }
    for (source, at) in [
        // Written outside the class, by a subclass, or to another object.
        ("class E { constructor() { this.c = new Client(); } async go() { await this.c.connect(); } }\nconst e = new E();\ne.c = other;", "this.c.connect()"),
        ("class E { constructor() { this.c = new Client(); } async go() { await this.c.connect(); } }\nclass F extends E { constructor() { super(); this.c = other; } }", "this.c.connect()"),
        ("class E { constructor() { this.c = new Client(); } async go() { await this.c.connect(); } }\nclass F extends E { c = other; }", "this.c.connect()"),
        // Another value, another class, an accessor, a hidden writer.
        ("class E { constructor(o) { this.c = new Client(); this.c = o; } async go() { await this.c.connect(); } }", "this.c.connect()"),
        ("class Other { connect() { return 1; } }\nclass E { a() { this.c = new Client(); } b() { this.c = new Other(); } async go() { await this.c.connect(); } }", "this.c.connect()"),
        ("class E { set c(v) {} get c() { return x; } constructor() { this.c = new Client(); } async go() { await this.c.connect(); } }", "this.c.connect()"),
        ("class E { constructor(o) { Object.assign(this, o); this.c = new Client(); } async go() { await this.c.connect(); } }", "this.c.connect()"),
        ("class E { constructor(o, k) { this[k] = o; this.c = new Client(); } async go() { await this.c.connect(); } }", "this.c.connect()"),
        ("class E { constructor() { this.c = new Client(); } async go() { await this.c.close(); } }", "this.c.close()"),
        // Only nullish values; a value that is no `new`; a parameter.
        ("class E { constructor() { this.c = null; } async go() { await this.c.connect(); } }", "this.c.connect()"),
        ("let c = null;\nc = make();\nc.connect();", "c.connect()"),
        ("function f(c) { c = c || new Client(); return c.connect(); }", "c.connect()"),
    ] {
        let source = format!("{client}{source}");
        assert_eq!(call_at(&source, at), None, "{source}");
    }
}

#[test]
fn a_computed_write_through_this_reaches_only_related_classes() {
    decides_as(&[(
        "class Store { async get() {} }\nclass Bag { set(k, v) { this[k] = v; } }\nnew Store().get();",
        "`Store.get` is an async method (line 1)",
    )]);
    for source in [
        "class Store { async get() {} }\nclass Sub extends Store { set(k, v) { this[k] = v; } }\nnew Store().get();",
        "class Base { set(k, v) { this[k] = v; } }\nclass Store extends Base { async get() {} }\nnew Store().get();",
        "class Store { async get() {} set(k, v) { this[k] = v; } }\nnew Store().get();",
        "class Store { async get() {} }\nfunction set(k, v) { this[k] = v; }\nnew Store().get();",
        // A key that only looks like a symbol: reassigned, a `var`, not the global.
        "let k = Symbol('k');\nk = 'get';\nclass Store { async get() {} set(v) { this[k] = v; } }\nnew Store().get();",
        "var k = Symbol('k');\nclass Store { async get() {} set(v) { this[k] = v; } }\nnew Store().get();",
        "const Symbol = String;\nconst k = Symbol('get');\nclass Store { async get() {} set(v) { this[k] = v; } }\nnew Store().get();",
    ] {
        assert_eq!(why(source), None, "{source}");
    }
}

#[test]
fn a_symbol_key_or_a_member_of_this_replaces_no_method() {
    for (source, line) in [
        ("const kState = Symbol('state');\nclass Store { async get() {} set(v) { this[kState] = v; } }\nnew Store().get();", 2),
        ("const kState = Symbol.for('state');\nclass Store { async get() {} set(v) { this[kState] = v; } }\nnew Store().get();", 2),
        ("class Store { async get() {} set(v) { this[Symbol.iterator] = v; } }\nnew Store().get();", 1),
    ] {
        let expected = format!("`Store.get` is an async method (line {line})");
        assert_eq!(why(source), Some(expected), "{source}");
    }
    // `Object.defineProperty(this.s, …)` writes `this.s`'s properties, not the field.
    let source = "class Client { async connect() {} }\nclass E { constructor() { this.s = {}; Object.defineProperty(this.s, 'x', {}); this.c = new Client(); } async go() { await this.c.connect(); } }";
    assert!(call_at(source, "this.c.connect()").is_some(), "{source}");
}

#[test]
fn an_object_of_a_class_the_workspace_cannot_show_says_where_the_class_is() {
    for (source, at, expected) in [
        (
            "const { Bench } = require('tinybench');\nconst b = new Bench();\nb.run();",
            "b.run()",
            "`b.run` is a property of `b`, and `b` holds `new Bench()` (line 2), and `new Bench()` is an object of `Bench`, and `Bench` comes from the package `tinybench`, outside the workspace",
        ),
        (
            "const w = new Worker('x');\nw.end();",
            "w.end()",
            "`w.end` is a property of `w`, and `w` holds `new Worker('x')` (line 1), and `new Worker('x')` is an object of `Worker`, and `Worker` is a global this file does not declare",
        ),
        (
            "class Local { run() { return 1; } }\nconst l = new Local();\nl.run();",
            "l.run()",
            "`l.run` is `Local.run` (`l` holds `new Local()`, line 2), and `Local.run` (line 1) returns no promise on one path (line 1)",
        ),
        // A receiver first `null`: the value a call can reach.
        (
            "let session = null;\nfunction set(value) { session = value; }\nsession.request();",
            "session.request()",
            "`session.request` is a property of `session`, and `session` is assigned `value` (line 2), and `value` is a parameter",
        ),
    ] {
        assert_eq!(reason_at(source, at), expected, "{source}");
    }
}

#[test]
fn this_in_a_prototype_method_reads_the_constructors_prototype() {
    let decided = |source: &str| call_at(source, "this.load()");
    // `X.prototype.m = function`, `X.prototype = {…}`, `Object.assign`.
    assert_eq!(
        decided(
            "function Conn() {}\nConn.prototype.load = async function load() {};\n\
             Conn.prototype.open = async function () { await this.load(); };\n"
        )
        .as_deref(),
        Some("`Conn.prototype.load` is an async method (line 2)")
    );
    assert_eq!(
        decided(
            "function Conn() {}\nConn.prototype = {\n  load() { return Promise.resolve(1); },\n  \
             async open() { await this.load(); },\n};\n"
        )
        .as_deref(),
        Some("`Conn.prototype.load` returns a native promise on every path (line 3)")
    );
    assert_eq!(
        call_at(
            "const Conn = function () {};\nObject.assign(Conn.prototype, { async load() {} });\n\
             Object.assign(Conn.prototype, { open: function () { const self = this; return self.load(); } });\n",
            "self.load()"
        )
        .as_deref(),
        Some("`Conn.prototype.load` is an async method (line 2)")
    );
    // A prototype made of another object, with symbol-keyed members.
    assert_eq!(
        decided(
            "function Conn() {}\nConn.prototype = new Base();\nConn.prototype[Symbol.iterator] = f;\n\
             Conn.prototype.load = async function () {};\n\
             Conn.prototype.open = function () { return this.load(); };\n"
        )
        .as_deref(),
        Some("`Conn.prototype.load` is an async method (line 4)")
    );
    // Inherited: `util.inherits`, `Object.setPrototypeOf`, `Object.create`.
    for link in [
        "util.inherits(Child, Base);",
        "Object.setPrototypeOf(Child.prototype, Base.prototype);",
        "Child.prototype = Object.create(Base.prototype);",
    ] {
        let source = format!(
            "function Base() {{}}\nBase.prototype.load = async function () {{}};\n\
             function Child() {{}}\n{link}\n\
             Child.prototype.open = function () {{ return this.load(); }};\n"
        );
        assert_eq!(
            decided(&source).as_deref(),
            Some("`Base.prototype.load` is an async method (line 2)"),
            "{source}"
        );
    }
}

#[test]
fn a_prototype_method_stays_undecided_when_anything_else_may_define_the_name() {
    let undecided = [
        // An instance property of the same name.
        "function C() { this.load = () => 1; }\nC.prototype.load = async function () {};\n\
         C.prototype.open = function () { return this.load(); };\n",
        // A subclass overriding it with a plain function.
        "function C() {}\nC.prototype.load = async function () {};\nfunction D() {}\n\
         util.inherits(D, C);\nD.prototype.load = function () { return 1; };\n\
         C.prototype.open = function () { return this.load(); };\n",
        "function C() {}\nC.prototype.load = async function () {};\n\
         class D extends C { load() { return 1; } }\n\
         C.prototype.open = function () { return this.load(); };\n",
        // Computed writes, `defineProperty`, a prototype object not a literal.
        "function C() {}\nC.prototype.load = async function () {};\n\
         for (const k of ks) C.prototype[k] = f;\n\
         C.prototype.open = function () { return this.load(); };\n",
        "function C() {}\nC.prototype.load = async function () {};\n\
         Object.defineProperty(C.prototype, 'load', { value: f });\n\
         C.prototype.open = function () { return this.load(); };\n",
        "function C() {}\nC.prototype.load = async function () {};\nObject.assign(C.prototype, mixin);\n\
         C.prototype.open = function () { return this.load(); };\n",
        "function C() { Object.assign(this, options); }\nC.prototype.load = async function () {};\n\
         C.prototype.open = function () { return this.load(); };\n",
        // A name the other object may hold.
        "function C() {}\nC.prototype = new Base();\n\
         C.prototype.open = function () { return this.load(); };\n",
        // The prototype replaced after the method was set.
        "function C() {}\nC.prototype.load = async function () {};\nC.prototype = { other() {} };\n\
         C.prototype.open = function () { return this.load(); };\n",
        // Defined inside a function (may not have run), or not on a prototype.
        "function C() {}\nfunction setup() { C.prototype.load = async function () {}; }\n\
         C.prototype.open = function () { return this.load(); };\n",
        "const api = {};\napi.load = async function () {};\n\
         api.open = function () { return this.load(); };\n",
        // Not a constructor function of the file.
        "const C = require('./c');\nC.prototype.load = async function () {};\n\
         C.prototype.open = function () { return this.load(); };\n",
        // A plain function that is no prototype's method.
        "function C() {}\nC.prototype.load = async function () {};\n\
         function open() { return this.load(); }\n",
    ];
    for source in undecided {
        assert_eq!(call_at(source, "this.load()"), None, "{source}");
    }
}
