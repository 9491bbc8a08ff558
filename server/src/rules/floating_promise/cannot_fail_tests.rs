//! Async functions whose body cannot throw outside a catch-all, in the shapes
//! library code writes them: each dropped call of one passes, and a close
//! variant that may reject is still flagged.

use super::FloatingPromise;
use crate::rules::testing::{assert_invalid, assert_valid};

#[test]
fn a_catch_all_inside_an_endless_loop_never_rejects() {
    assert_valid(
        &FloatingPromise,
        &[
            "async function loop(p, q) {\n  while (true) {\n    try { await Promise.all([q]); } catch (err) { console.log(p, err); }\n  }\n}\nloop('a', q);",
            "async function loop(q) {\n  for (;;) {\n    try { await q(); } catch {}\n  }\n}\nloop(q);",
        ],
    );
    assert_invalid(
        &FloatingPromise,
        &[
            // The loop's condition is a call: it may throw.
            (
                "async function loop(q) {\n  while (more()) {\n    try { await q(); } catch {}\n  }\n}\nloop(q);",
                "loop",
            ),
            // A statement of the loop outside the try.
            (
                "async function loop(q) {\n  for (;;) {\n    q.next();\n    try { await q(); } catch {}\n  }\n}\nloop(q);",
                "loop",
            ),
        ],
    );
}

#[test]
fn an_early_return_on_a_parameter_cannot_throw() {
    assert_valid(
        &FloatingPromise,
        &[
            "const safeG = async (x) => { if (x === undefined) return; try { await g(x); } catch {} };\nsafeG(y);",
            "const safeG = async (x) => { if (x === undefined) return; try { await g(x); } catch {} };\nconst f = async ({ a }) => { try { await g(a); } catch (e) { await safeG(a); } };\nf({ a });",
        ],
    );
    assert_invalid(
        &FloatingPromise,
        &[
            // Reading a property of a parameter throws on `null`.
            (
                "const safeG = async (x) => { if (x.done) return; try { await g(x); } catch {} };\nsafeG(y);",
                "safeG",
            ),
            // `==` may call `valueOf`.
            (
                "const safeG = async (x) => { if (x == 1) return; try { await g(x); } catch {} };\nsafeG(y);",
                "safeG",
            ),
        ],
    );
}

#[test]
fn calls_outside_the_try_may_throw_even_of_module_collections_and_the_console() {
    assert_invalid(
        &FloatingPromise,
        &[
            // Whether `M` still holds the `WeakMap` is decided by another
            // top-level unit (`M = null`, `let M`), which the unit's cached
            // facts do not see: a call of it counts as possibly throwing.
            (
                "const M = new WeakMap();\nconst f = async (d) => { try { await finished(d); } catch {} M.delete(d); };\nf(x);",
                "f",
            ),
            // `console` may be bound by another unit (`let console = …`).
            (
                "const seen = new Set();\nasync function f(d) { try { await finished(d); } catch {} console.log('done'); }\nf(x);",
                "f",
            ),
            // Logging an object runs its `util.inspect.custom`, which may throw.
            (
                "async function f(d) { try { await finished(d); } catch {} console.log(d); }\nf(x);",
                "f",
            ),
            // `add` on a full `Set` throws a `RangeError`.
            (
                "const seen = new Set();\nconst f = async (d) => { seen.add(d); try { await finished(d); } catch {} };\nf(x);",
                "f",
            ),
            // A guarded call of an unknown method: `d.end` may be anything.
            (
                "async function f(d) { if (d) d.end(); try { await finished(d); } catch {} }\nf(x);",
                "f",
            ),
        ],
    );
}

#[test]
fn a_method_may_read_and_set_its_own_fields_before_the_try() {
    assert_valid(
        &FloatingPromise,
        &[
            "class C {\n  async m() {\n    if (this.done) return;\n    this.done = true;\n    try { f(await this.agent.request()); } catch (e) { this.destroy(e); }\n  }\n  close() { this.m(); }\n}",
        ],
    );
    assert_invalid(
        &FloatingPromise,
        &[
            // A getter of the class may throw.
            (
                "class C {\n  get done() { return check(); }\n  async m() {\n    if (this.done) return;\n    try { await this.io(); } catch (e) {}\n  }\n  close() { this.m(); }\n}",
                "this.m",
            ),
            // A setter of the class may throw.
            (
                "class C {\n  set done(v) { check(v); }\n  async m() {\n    this.done = true;\n    try { await this.io(); } catch (e) {}\n  }\n  close() { this.m(); }\n}",
                "this.m",
            ),
            // A field read past `this`: `this.agent` may be null.
            (
                "class C {\n  async m() {\n    if (this.agent.done) return;\n    try { await this.io(); } catch (e) {}\n  }\n  close() { this.m(); }\n}",
                "this.m",
            ),
            // An unknown superclass may define an accessor.
            (
                "class C extends Base {\n  async m() {\n    this.done = true;\n    try { await this.io(); } catch (e) {}\n  }\n  close() { this.m(); }\n}",
                "this.m",
            ),
        ],
    );
}

#[test]
fn a_polling_loop_whose_catch_logs_the_error_never_rejects() {
    // What a `catch` does is trusted as the handler of `.catch(h)` is: the
    // error has been handled, by code the author wrote for it.
    assert_valid(
        &FloatingPromise,
        &["async function poll() { while (true) { try { await step() } catch (e) { console.log(e) } } }\npoll();"],
    );
}

#[test]
fn a_catch_may_await_a_helper_and_destroy_the_stream() {
    assert_valid(
        &FloatingPromise,
        &["const cleanup = async (x) => { if (x === undefined) return; try { await g(x); } catch {} };\n\
           async function pump(stream) {\n  if (!stream) return;\n  try { await pipe(stream); } catch (e) { await cleanup(stream); stream.destroy(e); }\n}\npump(s);"],
    );
    assert_invalid(
        &FloatingPromise,
        &[
            // The destroy runs outside the `catch`.
            (
                "async function pump(stream) {\n  try { await pipe(stream); } catch (e) {}\n  stream.destroy();\n}\npump(s);",
                "pump",
            ),
        ],
    );
}

#[test]
fn an_early_return_before_the_try_cannot_throw() {
    assert_valid(
        &FloatingPromise,
        &[
            "async function f(d) { if (!d) return; try { await finished(d); } catch {} }\nf(x);",
            "async function f(d, e) { if (d === null || typeof e !== 'object') { return; } else { } try { await finished(d); } catch {} return; }\nf(x);",
        ],
    );
}

#[test]
fn a_guard_and_field_writes_before_a_catch_all_in_a_plain_class() {
    assert_valid(
        &FloatingPromise,
        &["class Job {\n  async start(opts) {\n    if (opts === undefined) return;\n    this.started = true;\n    this.tries = 0;\n    try { await this.run(opts); } catch (e) { this.failed = e; }\n  }\n  kick(o) { this.start(o); }\n}"],
    );
    assert_invalid(
        &FloatingPromise,
        &[
            // The unit freezes its instances: a write to a field may throw.
            (
                "class Job {\n  constructor() { Object.freeze(this); }\n  async start(opts) {\n    this.started = true;\n    try { await this.run(opts); } catch (e) {}\n  }\n  kick(o) { this.start(o); }\n}",
                "this.start",
            ),
        ],
    );
}

#[test]
fn a_then_callback_that_calls_a_method_may_throw() {
    // `emitter.off` may be anything: the callback may throw, the promise reject.
    assert_invalid(
        &FloatingPromise,
        &[(
            "Promise.resolve().then(() => { emitter.off('error', fn) });",
            "then",
        )],
    );
}

#[test]
fn statements_nested_past_the_depth_bound_may_throw() {
    let nested = |depth: usize| {
        format!(
            "async function f(d) {{ {}try {{ await g(d); }} catch {{}}{} }}\nf(x);",
            "if (d) { ".repeat(depth),
            " }".repeat(depth)
        )
    };
    assert_valid(&FloatingPromise, &[nested(10).as_str()]);
    assert_invalid(&FloatingPromise, &[(nested(200).as_str(), "f")]);
}

#[test]
fn an_awaited_chain_ending_in_a_catch_that_cannot_fail_never_rejects() {
    let class = |connect: &str| {
        format!(
            "class Source {{\n  async open() {{ return g(this.url); }}\n  async connect() {{\n    {connect}\n  }}\n  \
             start() {{ this.connect(); }}\n}}"
        )
    };
    assert_valid(
        &FloatingPromise,
        &[
            class("await this.open().then((r) => { this.process(r); }).catch(() => { this.fail(); });").as_str(),
            class("await this.open().finally(() => done()).catch(function (e) { report(e); return null; });").as_str(),
            class("await this.open().catch((e) => void report(e));").as_str(),
        ],
    );
    assert_invalid(
        &FloatingPromise,
        &[
            // The handler throws, or hands back what may be a rejected promise.
            (class("await this.open().catch((e) => { throw e; });").as_str(), "this.connect"),
            (class("await this.open().catch((e) => report(e));").as_str(), "this.connect"),
            (class("await this.open().catch(async (e) => { await report(e); });").as_str(), "this.connect"),
            // A `then` after the `catch`: its callback is not covered.
            (class("await this.open().catch(() => {}).then((r) => r.body);").as_str(), "this.connect"),
            // The start may throw before a promise exists: `fetch` may be
            // any function here, the argument a getter, the method not async.
            (class("await fetch(this.url).catch(() => {});").as_str(), "this.connect"),
            (class("await this.open(this.url.href).catch(() => {});").as_str(), "this.connect"),
            (
                "class Source {\n  open() { return g(); }\n  async connect() {\n    await this.open().catch(() => {});\n  }\n  start() { this.connect(); }\n}",
                "this.connect",
            ),
            // An own property may hide the async method.
            (
                "class Source {\n  constructor(open) { this.open = open; }\n  async open() {}\n  async connect() {\n    await this.open().catch(() => {});\n  }\n  start() { this.connect(); }\n}",
                "this.connect",
            ),
            // A class that extends another: `this.open` may be its.
            (
                "class Source extends Base {\n  async open() {}\n  async connect() {\n    await this.open().catch(() => {});\n  }\n  start() { this.connect(); }\n}",
                "this.connect",
            ),
        ],
    );
}

#[test]
fn a_promise_of_resolvers_whose_reject_is_never_used_only_resolves() {
    assert_valid(
        &FloatingPromise,
        &[
            "function wait(em) {\n  const ready = Promise.withResolvers();\n  ready.promise.then(() => {});\n  em.once('ready', () => ready.resolve());\n  return ready.promise;\n}",
            "async function f(em) {\n  const d = Promise.withResolvers();\n  d.promise.finally(() => {});\n  d.resolve(1);\n}",
        ],
    );
    assert_invalid(
        &FloatingPromise,
        &[
            // `reject` is used, handed on, or `resolve` may adopt a rejected thenable.
            (
                "function wait(em) {\n  const ready = Promise.withResolvers();\n  ready.promise.then(() => {});\n  em.once('error', (e) => ready.reject(e));\n}",
                "then",
            ),
            (
                "function wait(em) {\n  const ready = Promise.withResolvers();\n  ready.promise.then(() => {});\n  listen(ready);\n}",
                "then",
            ),
            (
                "function wait(em, p) {\n  const ready = Promise.withResolvers();\n  ready.promise.then(() => {});\n  ready.resolve(p);\n}",
                "then",
            ),
            (
                "function wait(em) {\n  const { promise, reject } = Promise.withResolvers();\n  promise.then(() => {});\n  em.once('error', reject);\n}",
                "then",
            ),
            // A module-level `d`: other parts of the file may reject it.
            (
                "const ready = Promise.withResolvers();\nfunction wait() { ready.promise.then(() => {}); }",
                "then",
            ),
        ],
    );
}

/// A class that batches work behind a microtask: the callback resets a flag
/// and calls a `#` method that only touches the class's timer and the `Map`
/// it owns (held-out TypeScript corpus 3, `@tanstack/db`'s cleanup queue).
const BATCHER: &str = "class Batcher {\n  #tasks = new Map();\n  #timer = null;\n  #scheduled = false;\n  \
    schedule(key, at) {\n    this.#tasks.set(key, at);\n    if (!this.#scheduled) {\n      this.#scheduled = true;\n      \
    Promise.resolve().then(() => {\n        this.#scheduled = false;\n        this.#update();\n      });\n    }\n  }\n  \
    #update() {\n    if (this.#timer !== null) {\n      clearTimeout(this.#timer);\n      this.#timer = null;\n    }\n    \
    if (this.#tasks.size === 0) return;\n    const now = performance.now();\n    \
    for (const [key, at] of this.#tasks) {\n      if (at === now) this.#tasks.delete(key);\n    }\n    \
    this.#timer = setTimeout(() => this.#run(), 100);\n  }\n  #run() {}\n}\n";

#[test]
fn a_then_callback_calling_a_private_method_that_only_touches_timers_and_owned_maps_never_rejects() {
    assert_valid(
        &FloatingPromise,
        &[
            BATCHER,
            // Public fields, `Date.now()`, a `Map` made first thing in the
            // constructor, `keys()`, a `#` method calling another.
            "class Batcher {\n  tasks;\n  timer;\n  constructor() {\n    this.tasks = new Map();\n    this.timer = undefined;\n  }\n  \
             kick() { Promise.resolve().then(() => { this.#update(Date.now()); }); }\n  \
             #update(now) {\n    clearInterval(this.timer);\n    for (const key of this.tasks.keys()) {\n      if (this.tasks.get(key) === now) this.#drop(key);\n    }\n  }\n  \
             #drop(key) { this.tasks.delete(key); }\n}",
        ],
    );
    let near = |from: &str, to: &str| BATCHER.replacen(from, to, 1);
    assert_invalid(
        &FloatingPromise,
        &[
            // A method without `#` may be a subclass's; TypeScript's
            // `private` is erased before Node runs the file.
            (near("this.#update();", "this.update();").replace("  #update() {", "  update() {").as_str(), "then"),
            // A class that extends another: a field may be its accessor.
            (near("class Batcher {", "class Batcher extends Base {").as_str(), "then"),
            // An accessor of the class: the setter may throw.
            (near("  #run() {}", "  #run() {}\n  set scheduled(v) { check(v); }").replace("#scheduled", "scheduled").as_str(), "then"),
            // The field is written elsewhere: `this.#tasks` may be `null`.
            (near("  #run() {}", "  #run() { this.#tasks = null; }").as_str(), "then"),
            // The timer field holds what the caller gave: `clearTimeout` reads its properties.
            (near("  #run() {}", "  #run() {}\n  adopt(handle) { this.#timer = handle; }").as_str(), "then"),
            // A call of anything else: a callback, a method of a task.
            (near("this.#tasks.delete(key);", "at.cancel();").as_str(), "then"),
            (near("this.#tasks.delete(key);", "this.#tasks.forEach(notify);").as_str(), "then"),
            // `Map` is bound by the file: `new Map()` may make anything.
            (format!("{BATCHER}class Map {{}}").as_str(), "then"),
            // A delay Node warns about (a warning runs listeners), or one that is not a literal.
            (near("100);", "1e12);").as_str(), "then"),
            (near("100);", "this.delay);").as_str(), "then"),
            // A `#` method that calls itself may overflow the stack.
            (near("  #run() {}", "  #run() { this.#run(); }").replace("this.#timer = setTimeout(() => this.#run(), 100);", "this.#run();").as_str(), "then"),
        ],
    );
}

#[test]
fn a_then_callback_clearing_a_set_the_class_creates_never_rejects() {
    let state = |then: &str, more: &str| {
        format!(
            "class State {{\n  recent = new Set();\n  generation = 0;\n  commit(key) {{\n    const generation = this.generation;\n    \
             Promise.resolve().then(() => {{\n      {then}\n    }});\n  }}\n{more}}}"
        )
    };
    assert_valid(
        &FloatingPromise,
        &[
            state("if (this.generation === generation) this.recent.clear();", "").as_str(),
            state("if (this.recent.has(key)) this.recent.delete(key);", "").as_str(),
            state("const known = this.recent.has(key);\n      if (!known) this.generation = generation;", "").as_str(),
        ],
    );
    assert_invalid(
        &FloatingPromise,
        &[
            // Reassigned elsewhere in the class, or on another instance.
            (state("this.recent.clear();", "  reset() { this.recent = null; }\n").as_str(), "then"),
            (state("this.recent.clear();", "  copy(other) { other.recent = this.recent; }\n").as_str(), "then"),
            // A getter of the class may throw.
            (state("if (this.generation === generation) this.recent.clear();", "  get generation() { return read(); }\n").replace("  generation = 0;\n", "").as_str(), "then"),
            // `add` on a full `Set` throws a `RangeError`.
            (state("this.recent.add(key);", "").as_str(), "then"),
            // Any other method of it, or of something else.
            (state("this.recent.forEach(notify);", "").as_str(), "then"),
            (state("this.pending.clear();", "").as_str(), "then"),
            // A local declared after the callback, or bound twice: which
            // binding is read, and whether it is initialised, is not shown.
            (
                "class State {\n  recent = new Set();\n  commit() {\n    Promise.resolve().then(() => { if (late === 1) this.recent.clear(); });\n    let late = 1;\n  }\n}",
                "then",
            ),
            (state("if (generation) this.recent.clear();", "").replace("commit(key) {", "commit(key) {\n    try {} catch (generation) {}").as_str(), "then"),
        ],
    );
}
