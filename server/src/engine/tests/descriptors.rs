//! Engine tests for property descriptors and prototypes
//! (`builtins_descriptors.rs`). Every expected output was printed by Node
//! v24.11.1 running the same program as a CommonJS file
//! (`$TICKLENS_NODE prog.js`).

use super::{abstains_mentioning, prints};

/// The `__esModule` prologue of compiled CommonJS, getters and setters,
/// `defineProperties`, descriptors read back, prototypes linked by
/// `setPrototypeOf` and `create`.
#[test]
fn descriptors_and_prototypes_match_node() {
    let source = r#"
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.run = void 0;
exports.run = 1;
console.log(exports.__esModule, exports.run);
const d = Object.getOwnPropertyDescriptor(exports, "__esModule");
console.log(d.value, d.writable, d.enumerable, d.configurable);
const o = { a: 1 };
Object.defineProperty(o, "b", { enumerable: true, get: function () { return this.a + 1; } });
console.log(o.b);
o.a = 5;
console.log(o.b);
let stored = 0;
Object.defineProperties(o, { c: { get() { return stored; }, set(v) { stored = v * 2; }, enumerable: true }, e: { value: 7, writable: true, enumerable: true, configurable: true } });
o.c = 4;
o.e = 8;
console.log(o.c, stored, o.e);
Object.defineProperty(o, "a", { value: 9 });
const da = Object.getOwnPropertyDescriptor(o, "a");
console.log(o.a, da.writable, da.enumerable, da.configurable, Object.getOwnPropertyDescriptor(o, "zz"));
function Base() {}
Base.prototype.hello = function () { return "base " + this.n; };
function Derived(n) { this.n = n; }
Object.setPrototypeOf(Derived.prototype, Base.prototype);
const x = new Derived(3);
console.log(x.hello(), x instanceof Base, x instanceof Derived, Object.getPrototypeOf(x) === Derived.prototype);
const proto = { greet() { return "hi " + this.who; } };
const y = Object.create(proto, { who: { value: "y", enumerable: true } });
console.log(y.greet(), Object.getPrototypeOf(y) === proto, y.who);
function F() { this.v = 1; }
Object.defineProperty(F, "version", { value: "1.0", enumerable: false });
console.log(F.version);
console.log(Object.defineProperty(o, "k", { value: 1 }) === o);
"#;
    prints(
        source,
        "
true 1
true false false false
2
6
8 8 8
9 true true true undefined
base 3 true true true
hi y true y
1.0
true
",
    );
}

/// What the descriptors leave undecided abstains: a write to a
/// non-writable property (ignored in sloppy code, a TypeError in strict
/// code; Node prints 1 here), redefining a non-configurable property,
/// listing an object with a hidden property, a `null` prototype.
#[test]
fn descriptor_cases_not_modelled_abstain() {
    abstains_mentioning(
        r#"const o = {}; Object.defineProperty(o, "x", { value: 1 }); o.x = 2; console.log(o.x);"#,
        "not writable",
    );
    abstains_mentioning(
        r#"const o = {}; Object.defineProperty(o, "x", { value: 1 }); Object.defineProperty(o, "x", { value: 1 });"#,
        "not configurable",
    );
    abstains_mentioning(
        r#"const o = {}; Object.defineProperty(o, "x", { value: 1 }); console.log(Object.keys(o));"#,
        "Object.keys",
    );
    abstains_mentioning(r#"console.log(Object.create(null));"#, "prototype");
    abstains_mentioning(
        r#"const o = {}; Object.defineProperty(o, "x", { value: 1, get() { return 2; } });"#,
        "TypeError",
    );
}
