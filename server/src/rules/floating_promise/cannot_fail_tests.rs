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
fn module_collections_and_the_console_cannot_throw() {
    assert_valid(
        &FloatingPromise,
        &[
            "const M = new WeakMap();\nconst f = async (d) => { try { await finished(d); } catch {} M.delete(d); };\nf(x);",
            "const seen = new Set();\nasync function f(d) { seen.delete(d); try { await finished(d); } catch {} console.log('done'); }\nf(x);",
        ],
    );
    assert_invalid(
        &FloatingPromise,
        &[
            // `set` on a WeakMap throws on a key that is not an object.
            (
                "const M = new WeakMap();\nconst f = async (d) => { try { await finished(d); } catch {} M.set(d, 1); };\nf(x);",
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
            // Reassigned: it may no longer be a Map.
            (
                "let M = new Map();\nconst f = async (d) => { try { await finished(d); } catch {} M.delete(d); };\nM = null;\nf(x);",
                "f",
            ),
            // Not a collection of the file's top level.
            (
                "const f = async (d, M) => { try { await finished(d); } catch {} M.delete(d); };\nf(x, m);",
                "f",
            ),
            // A user class named `Map`.
            (
                "class Map { delete() { throw 1; } }\nconst M = new Map();\nconst f = async (d) => { try { await finished(d); } catch {} M.delete(d); };\nf(x);",
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
