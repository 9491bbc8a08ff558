//! The tests of `await-in-loop`: loops it passes, loops it flags, the fix.

use super::*;
use crate::rules::testing::first_fix_output;
use crate::findings::FixSafety;
use crate::rules::testing::{assert_invalid, assert_valid, first_message};

const RULE: AwaitInLoop = AwaitInLoop;

#[test]
fn dependent_ordered_or_deliberate_loops_pass() {
    assert_valid(
        &RULE,
        &[
            // Loop-carried accumulator.
            "async function f(xs) { let total = 0; for (const x of xs) { total += await g(x); } }",
            "async function f(xs) { let last; for (const x of xs) { last = await g(x, last); } }",
            "async function f(xs) { for (const x of xs) { this.n = await g(x); } }",
            // Early exits: a search, or a result that decides.
            "async function f(xs) { for (const x of xs) { if (await ok(x)) break; } }",
            "async function f(xs) { for (const x of xs) { const r = await g(x); if (r) return r; } }",
            "async function f(xs) { for (const x of xs) { const r = await g(x); if (!r) continue; use(r); } }",
            "async function f(xs) { for (const x of xs) { const r = await g(x); if (!r.ok) throw new Error(); } }",
            "async function f(xs) { outer: for (const x of xs) { for (const y of x) { await g(y); continue outer; } } }",
            // Retry and polling loops.
            "async function f() { for (let attempt = 0; attempt < 3; attempt++) { try { return await g(); } catch (e) {} } }",
            "async function f() { while (!(await ready())) {} }",
            "async function f() { let done = false; for (let i = 0; !done; i++) { done = await poll(); } }",
            // Batches and pauses are deliberate.
            "async function f(xs) { for (let i = 0; i < xs.length; i += 100) { await Promise.all(xs.slice(i, i + 100).map(g)); } }",
            "async function f(xs) { for (const x of xs) { await send(x); await sleep(1000); } }",
            "async function f(batches) { for (const batch of batches) { await Promise.all(batch.map(g)); } }",
            // Ordered work.
            "async function f(migrations) { for (const migration of migrations) { await runMigration(migration); } }",
            // for await consumes an async iterator in order.
            "async function f(stream) { for await (const chunk of stream) { await write(chunk); } }",
            // The await belongs to a callback, not the loop.
            "async function f(xs) { for (const x of xs) { later(async () => { await g(x); }); } }",
            // Not in an async function.
            "function f(xs) { for (const x of xs) { g(async () => await h(x)); } }",
            // Awaiting promises that already exist starts nothing new.
            "async function f(pairs) { const out = []; for (const p of pairs) { const k = await p.key; out.push(k); } }",
            // Each iteration sees what the earlier ones pushed.
            "async function f(hooks) { const results = []; for (const h of hooks) { const r = await h([...results]); results.push(r); } }",
            // An ordered protocol on one object.
            "async function f(dirs) { for (const d of dirs) { await this.cd(d); await this.clear(); await this.cdup(); } }",
            // var is shared across iterations.
            "async function f(xs) { for (const x of xs) { var y = await g(x); } }",
        ],
    );
}

/// Loops whose order is the point: hooks, ordered teardown, statements on
/// one connection or transaction, input steps on one page.
#[test]
fn hooks_and_ordered_protocols_pass() {
    assert_valid(
        &RULE,
        &[
            // The loop calls its element: hooks, middleware, plugins.
            "async function f(hooks, ctx) { for (const h of hooks) await h(ctx); }",
            "async function f(hooks, ctx) { for (const h of hooks) { await h.call(this, ctx); } }",
            "async function f(o) { for (const [name, fn] of Object.entries(o)) { await fn(name); } }",
            "async function f(hooks) { for (let i = 0; i < hooks.length; i++) { await hooks[i](); } }",
            "async function f(plugins, app) { for (const p of plugins) { await p.register(app); } }",
            // Ordered teardown.
            "async function f(servers) { for (const s of servers) await s.close(); }",
            // Statements on one connection or transaction, DDL.
            "async function f(conn, qs) { for (const q of qs) await conn.query(q); }",
            "async function f(trx, stmts) { for (const s of stmts) { await trx.raw(s); } }",
            "async function f(knex, names) { for (const n of names) { await knex.schema.dropTableIfExists(n); } }",
            "async function f(qs) { for (const q of qs) { await this.db.execute(q); } }",
            // One session or transaction passed to every statement; schema changes.
            "async function f(db, session, names) { for (const n of names) { const op = new CreateOp(db, n); await op.execute(session); } }",
            "async function f(model) { for (const s of model.indexes) { await this.createSearchIndex(s); } }",
            // Input steps on one page.
            "async function f(page, keys) { for (const k of keys) { await page.keyboard.press(k); } }",
        ],
    );
    assert_invalid(
        &RULE,
        &[
            // A method of the element that is neither a hook nor a teardown.
            ("async function f(docs) { for (const d of docs) { await d.save(); } }", "await"),
            // An object that names no connection and a call that sends no statement.
            ("async function f(api, users) { for (const u of users) { await api.notify(u); } }", "await"),
            // The loop variable is an argument, not the callee.
            ("async function f(ids) { for (const id of ids) { await handle(id); } }", "await"),
        ],
    );
}

/// Loops whose order or isolation is the point: timed iterations, one
/// transaction or connection, module loading between hooks, subtests, one
/// file reused by every iteration.
#[test]
fn timed_transactional_and_shared_file_loops_pass() {
    assert_valid(
        &RULE,
        &[
            // A benchmark: one worker at a time, or each iteration timed.
            "async function f(files) { for (const f of files) { const w = new Worker(f); await once(w, 'exit'); } }",
            "async function f(xs) { for (const x of xs) { const t0 = performance.now(); await g(x); log(performance.now() - t0); } }",
            "async function f(xs) { for (const x of xs) { const t0 = process.hrtime.bigint(); await g(x); times.push(process.hrtime.bigint() - t0); } }",
            "async function f(xs) { for (const x of xs) { const start = Date.now(); await g(x); report(x, Date.now() - start); } }",
            // A transaction or connection called as a function; statements through one connection.
            "async function f(tr, table, xs) { for (const x of xs) await tr(table).insert(x); }",
            "async function f(knex, rows) { for (const row of rows) { await knex('users').insert(row); } }",
            "async function f(stmts) { for (const stmt of stmts) { await this.queryArray([stmt]); } }",
            // Module loading between ordered pre and post hooks; any module loading.
            "async function f(hooks, files) { for (const f of files) { await hooks.pre(f); await import(f); await hooks.post(f); } }",
            "async function f(files) { for (const f of files) { await pre(f); await import(f); await post(f); } }",
            // node:test subtests: the runner runs them one after another anyway.
            "async function f(t, cases) { for (const c of cases) await t.test(c.name, () => check(c)); }",
            "async function f(t, cases) { for (const c of cases) { await t.step(c.name, async () => check(c)); } }",
            // One intermediate file written then read in every iteration.
            "async function f(tmp, xs) { for (const x of xs) { await writeFile(tmp, x); await run(tmp); } }",
            "async function f(xs) { for (const x of xs) { await fs.promises.writeFile('tmp.json', x); await check('tmp.json'); } }",
            "async function f(xs) { for (const x of xs) { await fs.writeFile(this.out, x); await compile(this.out); } }",
            "async function f(xs) { for (const x of xs) { await writeFile(`tmp.json`, x); await check(`tmp.json`); } }",
        ],
    );
    assert_invalid(
        &RULE,
        &[
            // A file of its own in every iteration.
            ("async function f(xs) { for (const x of xs) { await writeFile(`${x.name}.json`, x.data); } }", "await"),
            ("async function f(dir, xs) { for (const x of xs) { const p = join(dir, x); await writeFile(p, x); await run(p); } }", "await"),
            // A loop variable called as a function is a hook; a call of an outer function is not a query builder.
            ("async function f(xs) { for (const x of xs) { await wrap(x).save(); } }", "await"),
        ],
    );
}

#[test]
fn independent_iterations_are_flagged_on_the_await_keyword() {
    assert_invalid(
        &RULE,
        &[
            ("async function f(users) {\n  for (const user of users) {\n    await sendEmail(user);\n  }\n}", "await"),
            ("async function f(xs) { for (const x of xs) { const r = await g(x); log(r); } }", "await"),
            ("async function f(xs) { for (let i = 0; i < xs.length; i++) { await g(xs[i]); } }", "await"),
            ("async function f(xs) { for (const x of xs) { if (x.skip) continue; await g(x); } }", "await"),
            ("async function f(xs) { const out = []; for (const x of xs) { out.push(await g(x)); } return out; }", "await"),
            ("async function f(o) { for (const k in o) { await save(k, o[k]); } }", "await"),
            ("async function f(xs) { for (const x of xs) { try { await g(x); } catch (e) { log(e); } } }", "await"),
            ("for (const file of files) await upload(file);", "await"),
        ],
    );
}

/// tree-sitter reads `await (x).y()` as a call of a function `await`
/// (tree-sitter-javascript #303); in an async function it is an await.
#[test]
fn misparsed_awaits_count_as_awaits_of_the_loop() {
    assert_invalid(
        &RULE,
        &[
            ("async function f(urls) { for (const u of urls) { const j = await (await fetch(u)).json(); log(j); } }", "await"),
            ("async function f(xs) { for (const x of xs) { await (x.load)(1); } }", "await"),
        ],
    );
    assert_valid(
        &RULE,
        &[
            // Outside async code `await` is a name: this calls it.
            "function f(xs) { for (const x of xs) { await (x).run(); } }",
            // A misparsed await of a pause is still deliberate.
            "async function f(xs) { for (const x of xs) { await send(x); await (this.clock).sleep(100); } }",
            // An early exit after a misparsed await.
            "async function f(xs) { for (const x of xs) { if (await (x).ok()) break; } }",
        ],
    );
    let source = "async function f(urls) { for (const u of urls) { log(await (await fetch(u)).json()); } }";
    let message = first_message(&RULE, source);
    assert!(message.contains("`(await fetch(u)).json(..)`"), "{message}");
}

#[test]
fn the_fix_keeps_a_misparsed_await_whole() {
    assert_eq!(
        first_fix_output(&RULE, FixSafety::ChangesBehaviour, "async function f() {\n  for (const u of [a, b]) await (await fetch(u)).json();\n}").as_deref(),
        Some("async function f() {\n  await Promise.all([a, b].map(async (u) => { await (await fetch(u)).json(); }));\n}")
    );
}

#[test]
fn the_fix_maps_the_body_into_promise_all() {
    let cases = [
        (
            "async function f() {\n  for (const user of Object.values(users)) {\n    await sendEmail(user);\n  }\n}",
            "async function f() {\n  await Promise.all(Object.values(users).map(async (user) => {\n    await sendEmail(user);\n  }));\n}",
        ),
        // Not known to be an array: `Array.from` accepts any iterable.
        (
            "async function f(users) {\n  for (const { id } of users) {\n    await sendEmail(id);\n  }\n}",
            "async function f(users) {\n  await Promise.all(Array.from(users, async ({ id }) => {\n    await sendEmail(id);\n  }));\n}",
        ),
        (
            "async function f() {\n  for (const file of [a, b]) await upload(file);\n}",
            "async function f() {\n  await Promise.all([a, b].map(async (file) => { await upload(file); }));\n}",
        ),
    ];
    crate::rules::testing::assert_first_fix(&RULE, FixSafety::ChangesBehaviour, &cases);
}

#[test]
fn no_fix_for_counters_continue_or_outer_pushes() {
    assert_eq!(
        first_fix_output(
            &RULE,
            FIX_SAFETY,
            "async function f(xs) { for (let i = 0; i < xs.length; i++) { await g(xs[i]); } }"
        ),
        None
    );
    assert_eq!(
        first_fix_output(&RULE, FixSafety::ChangesBehaviour, "async function f(xs) { for (const x of xs) { if (x.skip) continue; await g(x); } }"),
        None
    );
    assert_eq!(
        first_fix_output(&RULE, FixSafety::ChangesBehaviour, "async function f(xs) { const out = []; for (const x of xs) { out.push(await g(x)); } }"),
        None
    );
}

/// `await (0, lib_1.save)(x)` is what TypeScript and Babel emit for an
/// imported `save`: an awaited call of `lib_1.save`.
#[test]
fn compiled_calls_are_awaited_calls_of_their_target() {
    let source = "async function f(xs) { for (const x of xs) { await (0, lib_1.save)(x); } }";
    assert_invalid(&RULE, &[(source, "await")]);
    let message = first_message(&RULE, source);
    assert!(message.contains("`lib_1.save(..)`"), "{message}");
    // A pause is deliberate, compiled or not.
    assert_valid(
        &RULE,
        &["async function f(xs) { for (const x of xs) { await send(x); await (0, utils_1.sleep)(10); } }"],
    );
}
