//! Engine tests for the built-ins ordinary code uses (`builtins_array.rs`,
//! `builtins_object.rs`, `builtins_number.rs`, `builtins_string.rs`,
//! `json_parse.rs`, collection iterators). Every expected output was printed
//! by Node v24.11.1 running the same program as a CommonJS file.

use super::{abstains, cjs};

fn node_says(expected: &str) -> Vec<&str> {
    expected.lines().collect()
}

/// toFixed ties, radix strings, parseInt/parseFloat, Number statics.
#[test]
fn numbers_convert_and_print_as_node_does() {
    let source = r#"
console.log((0.5).toFixed(0), (2.5).toFixed(0), (1.005).toFixed(2), (1.45).toFixed(1), (0.000001).toFixed(7), (9.995).toFixed(2), (99.5).toFixed(0));
console.log((-0.0001).toFixed(2), (-0).toFixed(2), (1e21).toFixed(2), (123.456).toFixed(1), (0.1+0.2).toFixed(20));
console.log((255).toString(16), (-255).toString(2), (0).toString(36), String(0.1+0.2), String(1e21), String(-0), `${-0}`, 1e21 + "");
console.log(parseInt("  42px"), parseInt("0x1F"), parseInt("-0"), parseInt("12", 5), parseInt("z", 36), parseInt(""), parseInt("08"), parseInt("ff", 16), parseInt("0x10", 10));
console.log(parseFloat("3.14abc"), parseFloat(".5"), parseFloat("1e3x"), parseFloat("-Infinityx"), parseFloat("abc"));
console.log(Number.isInteger(5), Number.isInteger(5.5), Number.isInteger("5"), Number.isSafeInteger(2**53), isNaN("x"), isFinite("12"), Number.isNaN("x"));
console.log(Number("12"), Number(""), Number("0x10"), Number(" 1e3 "), Number(null), Number(undefined), Number("1_000"));
"#;
    let expected = r#"1 3 1.00 1.4 0.0000010 9.99 100
-0.00 0.00 1e+21 123.5 0.30000000000000004441
ff -11111111 0 0.30000000000000004 1e+21 0 0 1e+21
42 31 -0 7 35 NaN 8 255 0
3.14 0.5 1000 -Infinity NaN
true false false false true true false
12 0 16 1000 0 NaN NaN"#;
    assert_eq!(cjs(source), node_says(expected));
}

/// sort (and its comparator calls), splice, flat, holes, Map/Set iteration with deletion, spread, JSON.parse, string methods.
#[test]
fn arrays_objects_collections_json_and_strings_match_node() {
    let source = r#"
const a = [5, 1, 10, 2];
console.log(a.slice().sort(), a.slice().sort((x, y) => x - y), [3, undefined, 1].sort());
const calls = [];
[3, 1, 2, 5, 4].sort((x, y) => { calls.push(`${x}${y}`); return x - y; });
console.log(calls.join(" "));
const calls2 = [];
[5, 4, 3, 6, 1, 2].sort((x, y) => { calls2.push(`${x}${y}`); return y - x; });
console.log(calls2.join(" "));
const s = [1, 2, 3, 4, 5];
console.log(s.splice(1, 2, "a", "b", "c"), s, s.splice(-2), s, s.splice(1), s);
console.log([1, [2, [3, [4]]]].flat(), [1, [2, [3, [4]]]].flat(Infinity), [1, 2].flatMap((x) => [x, x * 2]));
console.log(new Array(3).fill(0), [1, 2, 3, 4].fill(9, 1, -1), [1, 2, 3].at(-1), [1, 2, 3].at(5));
console.log([1, 2, 3, 4].findLast((x) => x % 2), [1, 2, 3, 4].findLastIndex((x) => x > 5), [1, 2, 1].lastIndexOf(1), [1, 2, 1].lastIndexOf(1, -2));
console.log(Array.from("abc"), Array.from({ length: 3 }, (_, i) => i * i), Array.of(7, 8), Array(3).length, new Array(2, 3), Array.from(new Array(2)));
console.log(new Array(4).join("-"), [null, undefined, 1].join(), Array.isArray(new Array(3)));
const m = new Map([["a", 1], ["b", 2]]);
const st = new Set([3, 1, 3, 2]);
console.log([...m], [...st], Array.from(m.keys()), [...m.values()], Array.from(st, (x) => x * 10), m.size, st.size);
for (const [k, v] of m) { console.log(k, v); if (k === "a") { m.delete("b"); m.set("c", 3); } }
for (const x of st.entries()) console.log(x);
console.log(Object.assign({ a: 1 }, { b: 2 }, null, { a: 3 }), { ...{ x: 1, y: 2 }, y: 3, ...null });
const f = Object.freeze({ k: 1 });
console.log(Object.isFrozen(f), Object.isFrozen({}), Object.isFrozen(1), Object.fromEntries([["a", 1], ["b", [2]]]), Object.fromEntries(new Map([["z", 0]])));
console.log(JSON.parse('{"a":[1,2,{"b":null}],"c":"x\\ny","d":-0.5e2,"a2":true}'), JSON.parse("3"), JSON.parse('"\\u0041"'));
console.log("a,b,,c".split(","), "abc".split(""), "a b c".split(" ", 2), "abc".split(), "x-y-z".replace("-", "+"), "x-y-z".replaceAll("-", "+"), "ab".replaceAll("", "."));
console.log("  hi  ".trimStart() + "|", "|" + "  hi  ".trimEnd(), "hello".substring(3, 1), "hello".substring(-2), "hello".at(-1), "hello".charAt(9) === "", "hello".lastIndexOf("l"));
console.log("a-b".replace("-", (m, i, s) => `[${m}${i}${s}]`), "abc".padStart(5, "*"), "abc".padEnd(6, "12"), "ab".repeat(3));
console.log("hello".substr(1, 3), "hello".substr(-3), "hello".substr(-9, 2), "hello".substr(2), "hello".substr(4, 9) + "|", "hello".substr(1, -1) + "|", "hello".substr(NaN, 2), "hello".substr(9) + "|");
"#;
    let expected = r#"[ 1, 10, 2, 5 ] [ 1, 2, 5, 10 ] [ 1, 3, undefined ]
13 21 23 21 52 53 43 45
45 34 63 64 65 14 13 24 21 23
[ 2, 3 ] [ 1 ] [ 4, 5 ] [ 1 ] [ 'a', 'b', 'c' ] [ 1 ]
[ 1, 2, [ 3, [ 4 ] ] ] [ 1, 2, 3, 4 ] [ 1, 2, 2, 4 ]
[ 0, 0, 0 ] [ 1, 9, 9, 4 ] 3 undefined
3 -1 2 0
[ 'a', 'b', 'c' ] [ 0, 1, 4 ] [ 7, 8 ] 3 [ 2, 3 ] [ undefined, undefined ]
--- ,,1 true
[ [ 'a', 1 ], [ 'b', 2 ] ] [ 3, 1, 2 ] [ 'a', 'b' ] [ 1, 2 ] [ 30, 10, 20 ] 2 3
a 1
c 3
[ 3, 3 ]
[ 1, 1 ]
[ 2, 2 ]
{ a: 3, b: 2 } { x: 1, y: 3 }
true false true { a: 1, b: [ 2 ] } { z: 0 }
{ a: [ 1, 2, { b: null } ], c: 'x\ny', d: -50, a2: true } 3 A
[ 'a', 'b', '', 'c' ] [ 'a', 'b', 'c' ] [ 'a', 'b' ] [ 'abc' ] x+y-z x+y+z .a.b.
hi  | |  hi el hello o true 3
a[-1a-b]b **abc abc121 ababab
ell llo he llo o| | he |"#;
    assert_eq!(cjs(source), node_says(expected));
}

/// Sorted Map entries pick timer delays, parsed JSON picks the queue.
#[test]
fn values_from_builtins_decide_the_order_of_timers_and_jobs() {
    let source = r#"
const queue = new Map([["b", 20], ["a", 5]]);
const delays = [...queue.entries()].sort((x, y) => x[1] - y[1]);
for (const [name, ms] of delays) setTimeout(() => console.log("timer", name), ms);
const tasks = Array.from({ length: 3 }, (_, i) => i);
const config = { retries: 1, ...JSON.parse('{"mode":"fast","retries":2}') };
const pick = config.mode === "fast" ? queueMicrotask : process.nextTick;
pick(() => console.log("picked", config.retries));
process.nextTick(() => console.log("tick"));
const seen = new Set();
async function worker(id) {
  await null;
  seen.add(id % 2);
  return `w${id}`.padStart(4, "_");
}
Promise.all(tasks.map(worker)).then((names) => console.log(names.join("|"), [...seen].length));
const total = "1,2,3".split(",").map(Number).reduce((s, n) => s + n, 0);
console.log("total", total.toFixed(2), parseInt("08"), (total / 7).toFixed(3));
"#;
    let expected = r#"total 6.00 8 0.857
tick
picked 2
__w0|__w1|__w2 2
timer a
timer b"#;
    assert_eq!(cjs(source), node_says(expected));
}

#[test]
fn builtins_abstain_where_the_result_is_not_modelled() {
    let cases = [
        ("const a = Object.freeze([1]);\na.push(2);", "frozen"),
        ("const o = Object.freeze({ k: 1 });\no.k = 2;", "frozen"),
        (
            "console.log(\"x\".replace(\"x\", \"$&$&\"));",
            "`$` patterns",
        ),
        ("console.log(JSON.parse(\"{bad}\"));", "SyntaxError"),
        ("console.log(JSON.parse('{\"1\": 2}'));", "integer-like"),
        (
            "const a = new Array(3);\nconsole.log(a.map((x) => 1));",
            "holes",
        ),
        ("console.log((0.5).toString(2));", "fraction"),
        (
            "console.log(parseInt(\"123456789012345678901\", 16));",
            "2^53",
        ),
        (
            "const big = Array.from({ length: 70 }, (_, i) => 70 - i);\nbig.sort((x, y) => x - y);",
            "63 elements",
        ),
        (
            "console.log(Object.create(null));",
            "`null` or built-in prototype",
        ),
    ];
    for (source, reason) in cases {
        let abstention = abstains(source);
        assert!(
            abstention.reason.contains(reason),
            "{source}: {}",
            abstention.reason
        );
    }
}

/// The `Math` value properties (three.js reads them in 72 functions). Expected output from
/// `$TICKLENS_NODE math-constants.cjs` (Node v24.11.1) on the same source.
#[test]
fn math_constants_are_the_doubles_node_holds() {
    let source = r#"
console.log(Math.PI, Math.E, Math.LN2, Math.LN10, Math.LOG2E, Math.LOG10E, Math.SQRT2, Math.SQRT1_2);
const r = 2;
console.log(2 * Math.PI * r, Math.floor(Math.PI * 100), Math.E > 2.7, typeof Math.PI);
"#;
    let expected = r#"3.141592653589793 2.718281828459045 0.6931471805599453 2.302585092994046 1.4426950408889634 0.4342944819032518 1.4142135623730951 0.7071067811865476
12.566370614359172 314 true number"#;
    assert_eq!(cjs(source), node_says(expected));
}

/// `node prim.js` (Node v24.11.1): a name neither a string's nor a number's
/// prototype has reads `undefined`.
#[test]
fn names_absent_from_string_and_number_prototypes_read_undefined() {
    let source = "const s = \"abc\"; const n = 5;\n\
        console.log(s.isNode, s.foo === undefined, n.bar, typeof \"x\".nope, s.length);\n";
    assert_eq!(cjs(source), ["undefined true undefined undefined 3"]);
}
