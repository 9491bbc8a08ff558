//! Engine tests for the int32 operators (`ops_int32.rs`), `in`
//! (`props.rs`), regex literals as values (`builtins_regex.rs`) and the
//! hash-bang line. Every expected output was printed by Node v24.11.1
//! running the same program as a CommonJS file (`$TICKLENS_NODE prog.js`).

use super::{abstains_mentioning, cjs};

#[test]
fn bitwise_in_and_regex_values_match_node() {
    let source = r#"#!/usr/bin/env node
const VERSION_WHERE = 1, VERSION_INC = 2;
console.log(VERSION_WHERE | VERSION_INC, 5 & 3, 5 ^ 3, ~5, ~-1, ~~3.7, ~~-3.7, 1 << 31, 1 << 32, -1 >>> 0, -1 >> 28, -16 >>> 28, 2 ** 32 + 5 | 0);
console.log(NaN | 0, Infinity | 0, "12" | 0, 3000000000 | 0, -3000000000 >>> 0, 1.9e10 & 0xffff, 5 << -1, null ^ undefined);
let flags = 0; flags |= 4; flags <<= 2; flags ^= 1; flags >>>= 1;
console.log(flags);
const e = { default: 1 };
console.log("default" in e, "toString" in e, "missing" in e, 0 in [1], 1 in [1], "length" in [], "x" in Object.create(e) , "default" in Object.create(e));
const re = /\.[cm]?js(\?.*)?$/i;
console.log(typeof re, re === re, /a/ === /a/);
function isRe(x) { return typeof x === "object"; }
console.log(isRe(/b/g));
"#;
    let expected = [
        "3 1 6 -6 0 3 -3 -2147483648 1 4294967295 -1 15 5",
        "0 0 12 -1294967296 1294967296 65024 -2147483648 0",
        "8",
        "true true false true false true false true",
        "object true false",
        "true",
    ];
    assert_eq!(cjs(source), expected);
}

/// A regex's methods and printing need a regex engine: they abstain.
#[test]
fn regex_methods_abstain() {
    abstains_mentioning(r#"console.log(/a+/.test("caa"));"#, "/a+/");
    abstains_mentioning(r#"console.log(/a+/);"#, "print");
}

/// Object literal members under computed keys the engine knows: defined in
/// order, the key evaluated before the value, a repeated key keeping its
/// first place. Node v24.11.1 printed the expected lines.
#[test]
fn computed_object_keys_match_node() {
    let source = r#"
const SRGB = "srgb", LINEAR = "srgb-linear";
let calls = [];
const key = (k) => { calls.push(k); return k; };
const COLOR_SPACES = { [SRGB]: { g: 2 }, plain: 1, [LINEAR]: 0, [key("late")]: calls.length };
console.log(COLOR_SPACES, COLOR_SPACES[SRGB].g, calls);
const o = { a: 1, ["a"]: 2, b: 3 };
console.log(o, Object.keys(o));
const named = { [SRGB]: function foo() { return 1; } };
console.log(named.srgb());
"#;
    let expected = [
        "{ srgb: { g: 2 }, plain: 1, 'srgb-linear': 0, late: 1 } 2 [ 'late' ]",
        "{ a: 2, b: 3 } [ 'a', 'b' ]",
        "1",
    ];
    assert_eq!(cjs(source), expected);
    // A function named by its computed key abstains; an index key reads
    // back, but V8 prints it first, so printing its object abstains.
    abstains_mentioning(
        r#"const k = "f"; const o = { [k]: () => 1 }; console.log(o.f);"#,
        "computed",
    );
    assert_eq!(cjs(r#"const o = { [1]: "x" }; console.log(o[1]);"#), ["x"]);
    abstains_mentioning(r#"const o = { [1]: "x" }; console.log(o);"#, "printing");
}

/// A name that neither `Array.prototype` nor `Object.prototype` has reads
/// `undefined` on an array (three.js reads `el.value` of Map entries);
/// Node v24.11.1 printed the expected line.
#[test]
fn names_arrays_lack_read_undefined() {
    let source = r#"
const m = new Map([["a", 1]]);
console.log([...m].map((el) => el.value), [].foo);
"#;
    assert_eq!(cjs(source), ["[ undefined ] undefined"]);
    abstains_mentioning(
        "console.log([1, 2].reduceRight === undefined);",
        "reduceRight",
    );
}

/// Objects with more keys than the engine searches one by one (their keys
/// are then indexed): writes replace in place, new keys go last, rest
/// patterns copy them. Node v24.11.1 printed the expected lines.
#[test]
fn objects_with_many_keys_match_node() {
    let source = r#"
const table = {};
for (let i = 0; i < 40; i++) table[i] = i * 2;
table[3] = "three"; table[39] = "last"; table[40] = "new";
const named = {};
for (let i = 0; i < 40; i++) named["k" + i] = i;
named.k0 = "first"; named.k35 = "again";
console.log(table[3], table[38], table[39], table[40], 41 in table, 40 in table);
console.log(Object.keys(named).length, Object.keys(named)[0], Object.keys(named)[39], named.k0, named.k35, named.k39, named.k40);
const rest = (({ k1, ...others }) => others)(named);
console.log(Object.keys(rest).length, rest.k0, rest.k1, rest.k39);
"#;
    let expected = [
        "three 76 last new false true",
        "40 k0 k39 first again 39 undefined",
        "39 first undefined 39",
    ];
    assert_eq!(cjs(source), expected);
}
