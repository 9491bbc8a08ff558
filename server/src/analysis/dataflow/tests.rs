//! Snippet tests of bindings, references, liveness and large values.

use super::*;
use crate::syntax;

/// The flow of the first function in `source`, in document order.
fn flow_of(source: &str) -> FunctionFlow {
    let tree = syntax::parse(source, None);
    let function = first_function(tree.root_node()).expect("a function in the snippet");
    FunctionFlow::new(source, function)
}

/// At each await of the first function in `source`, the bindings in scope
/// there that are live after it or captured, as `name:live` /
/// `name:captured` strings (retention itself is `analysis::retention`).
fn retained(source: &str) -> Vec<Vec<String>> {
    let flow = flow_of(source);
    (0..flow.awaits.len())
        .map(|at| {
            flow.in_scope_at(at)
                .into_iter()
                .filter_map(|index| {
                    let binding = &flow.bindings[index];
                    let reason = if binding.captured {
                        "captured"
                    } else if flow.is_live_after(index, at) {
                        "live"
                    } else {
                        return None;
                    };
                    Some(format!("{}:{reason}", binding.name))
                })
                .collect()
        })
        .collect()
}

/// Per function: at each of its awaits, what is retained there.
#[test]
fn what_each_await_retains() {
    let cases: &[(&str, &[&[&str]])] = &[
        // Nulling a body before the await drops it.
        (
            "async function handle(req) {\n  let body = await readBody(req);\n  const parsed = parseRequest(body);\n  body = null;\n  await db.save(parsed);\n  return parsed.id;\n}\n",
            &[&[], &["parsed:live"]],
        ),
        // A read after the await keeps a variable; a closure captures one.
        (
            "async function f(a) {\n  const b = g(a);\n  const log = () => console.log(a);\n  await h();\n  use(b);\n}\n",
            &[&["a:captured", "b:live"]],
        ),
        // A read earlier in a loop is live around the back edge.
        (
            "async function f(xs) {\n  let total = 0;\n  for (const x of xs) {\n    use(total);\n    await g(x);\n  }\n}\n",
            &[&["total:live"]],
        ),
        // A loop variable and a reset in the loop are not live around the back edge.
        (
            "async function f(xs) {\n  for (const x of xs) {\n    let y = x;\n    use(y);\n    await g();\n  }\n}\n",
            &[&[]],
        ),
        // An overwrite after the await kills the old value.
        (
            "async function f() {\n  let data = load();\n  use(data);\n  await g();\n  data = other();\n  use(data);\n}\n",
            &[&[]],
        ),
        // A branch that overwrites does not kill.
        (
            "async function f(c) {\n  let data = load();\n  await g();\n  if (c) { data = other(); }\n  use(data);\n}\n",
            &[&["c:live", "data:live"]],
        ),
    ];
    for (source, expected) in cases {
        assert_eq!(retained(source), *expected, "{source}");
    }
}

#[test]
fn an_overwrite_on_every_path_before_the_await_is_found() {
    let overwrite = |source: &str| {
        let flow = flow_of(source);
        let big = flow.bindings.iter().position(|b| b.name == "big");
        flow.overwritten_before(big.expect("big"), 1)
            .map(|at| source[at].to_owned())
    };
    assert_eq!(
        overwrite("async function f(p) {\n  let big = JSON.parse(await p);\n  const peek = () => big;\n  big = null;\n  await g();\n  return peek;\n}\n").as_deref(),
        Some("big = null;")
    );
    // Cleared in a branch only: not on every path.
    assert_eq!(
        overwrite("async function f(p, c) {\n  let big = JSON.parse(await p);\n  const peek = () => big;\n  if (c) { big = null; }\n  await g();\n  return peek;\n}\n"),
        None
    );
}

#[test]
fn shadowed_names_resolve_to_the_inner_binding() {
    let source =
        "async function f() {\n  const x = big();\n  { const x = 1; await g(); use(x); }\n}\n";
    assert_eq!(retained(source), vec![vec!["x:live"]] as Vec<Vec<&str>>);
    let flow = flow_of(source);
    let at = source.find("x =").expect("outer x");
    let outer = flow.binding_declared_at(&(at..at + 1)).expect("outer x");
    assert!(flow.bindings[outer].reads.is_empty());
}

#[test]
fn likely_large_values_are_recognised() {
    let source = "async function f(res, req) {\n  const a = await res.json();\n  const b = JSON.parse(s);\n  const c = await fs.promises.readFile(p);\n  const d = Buffer.concat(chunks);\n  const e = a.map(String);\n  const g = await readBody(req);\n  const h = res.json(1);\n  await x();\n  use(a, b, c, d, e, g, h);\n}\n";
    let flow = flow_of(source);
    let large: Vec<(&str, bool)> = flow
        .bindings
        .iter()
        .map(|b| (b.name.as_str(), b.likely_large.is_some()))
        .collect();
    assert_eq!(
        large,
        [
            ("res", false),
            ("req", false),
            ("a", true),
            ("b", true),
            ("c", true),
            ("d", true),
            ("e", true),
            ("g", true),
            ("h", false)
        ]
    );
}

#[test]
fn references_resolve_locally_nested_or_outer() {
    let source = "let shared = 0;\nasync function f(p) {\n  shared += p;\n  const inner = () => { let q = 1; return q + p; };\n}\n";
    let flow = flow_of(source);
    let kinds: Vec<(&str, Resolution, bool)> = flow
        .references
        .iter()
        .map(|r| (&source[r.range.clone()], r.resolution, r.in_closure))
        .collect();
    assert_eq!(
        kinds,
        [
            ("shared", Resolution::Outer, false),
            ("p", Resolution::Local(0), false),
            ("q", Resolution::Nested, true),
            ("p", Resolution::Local(0), true)
        ]
    );
    assert_eq!(access_of(source, "shared"), Access::ReadWrite);
}

fn access_of(source: &str, name: &str) -> Access {
    let tree = syntax::parse(source, None);
    let mut found = None;
    preorder(tree.root_node(), |node| {
        if node.kind() == "identifier" && &source[node.byte_range()] == name {
            found = Some(access(node));
        }
        Walk::Enter
    });
    found.expect("the name")
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let depth = 20_000;
    let source = format!(
        "async function f(x) {{ const y = {}x{}; await g(); use(y); }}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let flow = flow_of(&source);
    assert_eq!(flow.awaits.len(), 1);
    assert!(flow.is_live_after(1, 0));
}

#[test]
fn for_await_heads_declare_their_binding() {
    let source = "async function f(xs) { for await (const x of xs) { await g(x); } }";
    let flow = flow_of(source);
    let names: Vec<&str> = flow.bindings.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["xs", "x"]);
}
