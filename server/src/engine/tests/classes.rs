//! Classes, Promise subclasses and thenable classes. Every expected output
//! below was produced by Node v24.11.1 running the same program.

use super::cjs;

#[test]
fn classes_with_fields_accessors_statics_and_super_run_as_node_runs_them() {
    let source = r#"
class Animal {
  static count = 0;
  legs = 4;
  constructor(name) { this.name = name; Animal.count++; }
  speak() { return this.name + " makes a sound"; }
  get label() { return "<" + this.name + ">"; }
  set label(v) { this.name = v; }
  static create(n) { return new this(n); }
  async later() { await null; return this.name + " later"; }
}
class Dog extends Animal {
  tricks = [];
  constructor(name) { super(name); this.kind = "dog"; }
  speak() { return super.speak() + " (woof)"; }
  handler = () => this.name;
}
const d = new Dog("Rex");
console.log(d.speak());
console.log(d.label);
d.label = "Max";
console.log(d.name, d.handler(), Animal.count, d instanceof Animal, d instanceof Dog);
console.log(Animal.create("Cat"));
console.log(Dog, Animal.create);
d.later().then((v) => console.log(v));
class T { then(ok) { ok(42); } }
(async () => { console.log("got", await new T()); })();
const o = { n: 1, get double() { return this.n * 2; } };
console.log(o.double);
function Point(x, y) { this.x = x; this.y = y; }
Point.prototype.sum = function () { return this.x + this.y; };
const pt = new Point(1, 2);
console.log(pt.sum(), pt instanceof Point, pt);
Promise.resolve().then(() => console.log("j1")).then(() => console.log("j2")).then(() => console.log("j3"));
"#;
    assert_eq!(
        cjs(source),
        [
            "Rex makes a sound (woof)",
            "<Rex>",
            "Max Max 1 true true",
            "Animal { legs: 4, name: 'Cat' }",
            "[class Dog extends Animal] [Function: create]",
            "2",
            "3 true Point { x: 1, y: 2 }",
            "j1",
            "Max later",
            "got 42",
            "j2",
            "j3"
        ]
    );
}

#[test]
fn await_on_a_promise_subclass_instance_resumes_after_three_jobs() {
    let source = r#"
class MyPromise extends Promise {}
async function f() {
  console.log("f start");
  await new MyPromise((r) => r(1));
  console.log("f resumed");
}
f();
let p = Promise.resolve();
for (let i = 1; i <= 5; i++) p = p.then(() => console.log("chain " + i));
"#;
    assert_eq!(
        cjs(source),
        [
            "f start",
            "chain 1",
            "chain 2",
            "f resumed",
            "chain 3",
            "chain 4",
            "chain 5"
        ]
    );
}

#[test]
fn then_on_a_subclass_instance_constructs_the_subclass_and_patched_constructors_take_the_slow_path()
{
    let source = r#"
class Loud extends Promise {
  constructor(executor) {
    console.log("Loud ctor");
    super(executor);
  }
}
const a = new Loud((r) => r(5));
console.log(a instanceof Loud, a instanceof Promise);
a.then((v) => console.log("then got", v)).then(() => console.log("second"));
Promise.resolve(a).then((v) => console.log("resolve got", v));
Loud.resolve(7).then((v) => console.log("Loud.resolve", v));
const native = Promise.resolve(3);
native.constructor = function Fake() {};
(async () => { await native; console.log("patched resumed"); })();
Promise.resolve().then(() => console.log("t1")).then(() => console.log("t2")).then(() => console.log("t3")).then(() => console.log("t4"));
"#;
    assert_eq!(
        cjs(source),
        [
            "Loud ctor",
            "true true",
            "Loud ctor",
            "Loud ctor",
            "Loud ctor",
            "Loud ctor",
            "then got 5",
            "Loud ctor",
            "Loud.resolve 7",
            "t1",
            "second",
            "t2",
            "resolve got 5",
            "patched resumed",
            "t3",
            "t4"
        ]
    );
}

#[test]
fn derived_constructor_runs_fields_after_super_returns() {
    let source = r#"
class Base {
  constructor() { console.log("base ctor", this.tag); this.setup(); }
  setup() { console.log("base setup"); }
}
class Child extends Base {
  tag = "child field";
  constructor() {
    console.log("before super");
    super();
    console.log("after super", this.tag);
  }
  setup() { console.log("child setup sees", this.tag); }
}
new Child();
class Plain extends Base {}
const p = new Plain();
console.log(p instanceof Base, p instanceof Plain, p instanceof Child, typeof Plain);
"#;
    assert_eq!(
        cjs(source),
        [
            "before super",
            "base ctor undefined",
            "child setup sees undefined",
            "after super child field",
            "base ctor undefined",
            "base setup",
            "true true false function"
        ]
    );
}

/// `node spread.js` (Node v24.11.1) printed the expected lines.
#[test]
fn new_and_super_with_spread_arguments_pass_each_element() {
    let source = r#"
class A { constructor(...xs) { console.log("A", xs.join(",")); } }
class B extends A { constructor(...ys) { super(...ys, 9); console.log("B", ys.length); } }
const args = [1, 2];
new B(...args);
function F(a, b) { this.s = a + b; }
console.log(new F(...[3, 4], 5).s);
async function main() { await null; const b = new B(...[7]); console.log(b instanceof A); }
main();
console.log("sync end");
"#;
    assert_eq!(
        cjs(source),
        ["A 1,2,9", "B 2", "7", "sync end", "A 7,9", "B 1", "true"]
    );
}

#[test]
fn async_and_static_methods_schedule_like_async_functions() {
    let source = r#"
class Queue {
  static log(msg) { console.log("[" + this.name + "] " + msg); }
  constructor() { this.items = []; }
  async add(x) { await null; this.items.push(x); Queue.log("added " + x); return this.items.length; }
  static async make() { const q = new Queue(); await q.add(1); return q; }
}
Queue.make().then((q) => q.add(2)).then((n) => Queue.log("size " + n));
Promise.resolve().then(() => Queue.log("tick 1")).then(() => Queue.log("tick 2")).then(() => Queue.log("tick 3")).then(() => Queue.log("tick 4"));
"#;
    assert_eq!(
        cjs(source),
        [
            "[Queue] added 1",
            "[Queue] tick 1",
            "[Queue] tick 2",
            "[Queue] tick 3",
            "[Queue] added 2",
            "[Queue] tick 4",
            "[Queue] size 2"
        ]
    );
}

#[test]
fn thenable_class_instances_are_adopted_through_their_then() {
    let source = r#"
class Lazy {
  constructor(v) { this.v = v; }
  then(ok, fail) { console.log("then called"); ok(this.v); }
}
async function main() {
  const x = await new Lazy(5);
  console.log("x", x);
  return new Lazy(6);
}
main().then((y) => console.log("y", y));
Promise.resolve().then(() => console.log("a")).then(() => console.log("b")).then(() => console.log("c")).then(() => console.log("d")).then(() => console.log("e"));
"#;
    assert_eq!(
        cjs(source),
        [
            "then called",
            "a",
            "x 5",
            "b",
            "then called",
            "c",
            "y 6",
            "d",
            "e"
        ]
    );
}

#[test]
fn overridden_then_and_super_then_on_a_subclass() {
    let source = r#"
class Traced extends Promise {
  then(f, r) { console.log("Traced.then"); return super.then(f, r); }
}
const t = new Traced((resolve) => resolve("v"));
t.then((v) => console.log("got", v));
t.catch(() => {});
Promise.all([t]).then((vs) => console.log("all", vs[0]));
(async () => { console.log("awaited", await t); })();
"#;
    assert_eq!(
        cjs(source),
        [
            "Traced.then",
            "Traced.then",
            "got v",
            "Traced.then",
            "Traced.then",
            "awaited v",
            "all v"
        ]
    );
}

#[test]
fn maps_and_sets_keep_insertion_order_and_print_as_util_inspect_does() {
    let source = r#"
const m = new Map([["a", 1], ["b", 2]]);
m.set("c", 3).set(1, "one");
console.log(m.get("a"), m.has("b"), m.size, m.delete("b"), m.delete("zz"), m.size);
console.log(m);
const s = new Set([1, 2, 2, 3]);
s.add(4).add(1);
console.log(s.size, s.has(2), s);
m.forEach((v, k) => { console.log(k, v); if (k === "a") m.set("late", 9); });
console.log(new Map(), new Set(), new Map([[{x:1}, [1,2]]]));
const w = new WeakMap(); const key = {}; w.set(key, 5); console.log(w.get(key), w.has({}));
const ws = new WeakSet(); ws.add(key); console.log(ws.has(key));
console.log(w, ws);
s.clear(); console.log(s.size, s);
console.log(new Map([[NaN, 1]]).get(NaN), new Set([0]).has(-0), m instanceof Map, s instanceof Map);
"#;
    assert_eq!(
        cjs(source),
        [
            "1 true 4 true false 3",
            "Map(3) { 'a' => 1, 'c' => 3, 1 => 'one' }",
            "4 true Set(4) { 1, 2, 3, 4 }",
            "a 1",
            "c 3",
            "1 one",
            "late 9",
            "Map(0) {} Set(0) {} Map(1) { { x: 1 } => [ 1, 2 ] }",
            "5 false",
            "true",
            "WeakMap { <items unknown> } WeakSet { <items unknown> }",
            "0 Set(0) {}",
            "1 true true false",
        ]
    );
}

#[test]
fn error_subclasses_construct_errors_with_the_subclass_prototype() {
    let source = r#"
class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}
class NotFound extends HttpError {}
const e = new NotFound(404, "missing");
console.log(e.name, e.message, e.status, e instanceof NotFound, e instanceof HttpError, e instanceof Error);
console.log(String(e), `${new HttpError(500, "boom")}`);
async function main() {
  try { await Promise.reject(e); } catch (err) { console.log("caught", err instanceof NotFound, err.status); }
}
main();
"#;
    assert_eq!(
        cjs(source),
        [
            "Error missing 404 true true true",
            "Error: missing Error: boom",
            "caught true 404",
        ]
    );
}

#[test]
fn private_fields_and_methods_are_per_class_and_never_printed() {
    let source = r#"
class Counter {
  #count = 0;
  static #instances = 0;
  #log = [];
  constructor(start) { this.#count = start; Counter.#instances++; }
  #bump(by) { this.#count += by; this.#log.push(by); return this.#count; }
  get value() { return this.#count; }
  increment() { return this.#bump(1); }
  async later() { await null; this.#count++; return this.#count; }
  static get instances() { return Counter.#instances; }
  label = "counter";
}
class Sub extends Counter {
  #count = 100;
  peek() { return this.#count; }
}
const c = new Counter(5);
console.log(c.increment(), c.value, Counter.instances, c);
const s = new Sub(1);
console.log(s.increment(), s.value, s.peek(), Object.keys(s), s);
c.later().then((v) => console.log("later", v, c.value));
console.log(Counter.instances);
"#;
    assert_eq!(
        cjs(source),
        [
            "6 6 1 Counter { label: 'counter' }",
            "2 2 100 [ 'label' ] Sub { label: 'counter' }",
            "2",
            "later 7 7",
        ]
    );
}
