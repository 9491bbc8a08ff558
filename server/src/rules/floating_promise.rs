
use crate::analysis::insights::dropped_consequence;
use crate::analysis::source_facts::{DroppedPromise, PromiseKind};
use crate::findings::{Finding, Fix, FixSafety};
use crate::syntax::js::{in_async_function, unwrap_parens};

use super::report::one_edit_fix;
use super::{declare_rule, RuleContext};

declare_rule! {
    pub struct FloatingPromise { code: "floating-promise", docs: "floating_promise.md",
        summary: "a promise created and dropped: nobody handles its failure, which ends the process",
        severity: Warning, default: off, fixes: [ChangesBehaviour, MarksIntent],
        triggers: [
            Modifier("async"), Operand("Promise"), Property("then"), Operand("fetch"), Word("promises"),
        ],
        reads: [ImportedSummaries, DeclaredPromises],
        precision: { tuning: "95% (19 of 20 sampled, 2026-11-25; 85% with borderline findings counted as false)", held_out: 7 of 20, held_out_tests: 16 of 20, held_out_second: 14 of 20,
            typescript: "90% on the fifth corpus (18 of 20, 2026-12-07, every rule on); 43%, 71%, 90% and 70% on the fourth to the first, each measured before the rule changes its false positives led to" },
    }
}

/// `node:test` and friends return promises their runner tracks.
const TEST_RUNNER_CALLS: &[&str] = &["describe", "it", "test", "suite"];

fn check(ctx: &RuleContext) -> Vec<Finding> {
    META.report_each(detect(ctx), |dropped| {
        (
            dropped.highlight.clone(),
            message(ctx, &dropped),
            fixes(&dropped),
        )
    })
}

/// The promises dropped in the scope that nobody handles.
fn detect<'a>(ctx: &RuleContext<'a>) -> Vec<DroppedPromise<'a>> {
    let facts = ctx.facts();
    // The candidates: expression statements of a call, a `new` or a
    // parenthesized expression, read from the index and tested here:
    // starting a query cursor at each statement cost more than the test.
    ctx.nodes("expression_statement")
        .iter()
        .filter(|statement| {
            statement.named_child(0).is_some_and(|expression| {
                matches!(
                    expression.kind(),
                    "call_expression" | "new_expression" | "parenthesized_expression"
                )
            })
        })
        .filter_map(|&statement| facts.dropped_at(ctx.source, statement))
        .filter(|dropped| reportable(ctx, dropped))
        .collect()
}

fn reportable(ctx: &RuleContext, dropped: &DroppedPromise) -> bool {
    // A promise that cannot reject (`Promise.allSettled(ps)`, a promised
    // timer, a `new Promise` whose executor only resolves) has no failure to
    // handle. A chain's `.then(f)` was asked already, callback included.
    if !dropped.unhandled_then && ctx.facts().cannot_reject(ctx.source, dropped.expression) {
        return false;
    }
    if matches!(
        dropped.kind,
        PromiseKind::AsyncIife | PromiseKind::PromiseResolve
    ) && !dropped.unhandled_then
    {
        return false;
    }
    let callees = chain_callees(ctx.source, dropped.expression);
    let known_safe = callees.iter().any(|callee| {
        ctx.config
            .known_safe
            .iter()
            .any(|safe| equals_ignoring_whitespace(callee, safe))
            || is_test_runner_call(callee)
    });
    !known_safe
}

/// The callee text of every call in a chain: `jobs.start` and
/// `jobs.start().then` for `jobs.start().then(f)`. Each callee holds the links
/// before it, so the texts are borrowed and the tests below stop at the first
/// difference: copying them made a 50,000-link chain quadratic (gigabytes).
fn chain_callees<'s>(source: &'s str, mut expr: tree_sitter::Node) -> Vec<&'s str> {
    let mut callees = Vec::new();
    loop {
        expr = unwrap_parens(expr);
        let Some(callee) = (match expr.kind() {
            "call_expression" => expr.child_by_field_id(crate::field!("function")),
            "new_expression" => expr.child_by_field_id(crate::field!("constructor")),
            _ => None,
        }) else {
            break;
        };
        callees.push(&source[callee.byte_range()]);
        match callee.kind() {
            "member_expression" => match callee.child_by_field_id(crate::field!("object")) {
                Some(object) => expr = object,
                None => break,
            },
            _ => break,
        }
    }
    callees
}

/// Whether `text` spells `name` once whitespace is taken out (`jobs .start`).
fn equals_ignoring_whitespace(text: &str, name: &str) -> bool {
    let mut chars = text.chars().filter(|c| !c.is_whitespace());
    name.chars().all(|expected| chars.next() == Some(expected)) && chars.next().is_none()
}

/// `describe(...)`, `it.only(...)`, `t.test(...)`: the first or the last
/// segment of the callee names a test runner.
fn is_test_runner_call(callee: &str) -> bool {
    let last = callee.rsplit('.').next().unwrap_or_default();
    TEST_RUNNER_CALLS.iter().any(|runner| {
        let mut chars = callee.chars().filter(|c| !c.is_whitespace());
        let first_is_runner = runner
            .chars()
            .all(|expected| chars.next() == Some(expected))
            && matches!(chars.next(), None | Some('.'));
        first_is_runner || equals_ignoring_whitespace(last, runner)
    })
}

/// The hover's sentence for the same dropped promise (so the editor and
/// `ticklens check` agree), and what Node 24 does when it rejects: an
/// unhandled rejection ends the process with exit code 1
/// (`--unhandled-rejections=throw` is the default; `tests/rule_claims.rs`).
fn message(ctx: &RuleContext, dropped: &DroppedPromise) -> String {
    // Whether a named callee has an `await` is decided elsewhere in the file,
    // and a unit's cached findings may depend on other code only through the
    // facts' recorded lookups (analysis/lookups.rs): no claim about it here.
    // The hover, computed for the whole file, makes it.
    let consequence = dropped_consequence(ctx.source, dropped, &|_, _| None);
    // The promise the chain starts from cannot reject (`Promise.allSettled`,
    // a promised timer): only a callback can.
    let consequence = if dropped.unhandled_then && ctx.facts().cannot_reject(ctx.source, dropped.origin) {
        format!(
            "`{}` cannot reject, but if a callback of its chain throws, nobody handles the \
             rejection.",
            dropped.label
        )
    } else {
        consequence
    };
    let declared = declared_callee(ctx, dropped.origin)
        .map(|why| format!(" It is a promise by its declared type: {why}."))
        .unwrap_or_default();
    format!(
        "{consequence}{declared} Under Node 24 an unhandled rejection ends the process (exit \
         code 1)."
    )
}

/// The declaration by which the file's TypeScript makes `call` (of `load`
/// or `repo.save`) a promise.
fn declared_callee<'f>(ctx: &'f RuleContext, call: tree_sitter::Node) -> Option<&'f str> {
    let callee = unwrap_parens(call.child_by_field_id(crate::field!("function"))?);
    let key = match callee.kind() {
        "identifier" => ctx.text(callee).to_owned(),
        "member_expression" => {
            let object = unwrap_parens(callee.child_by_field_id(crate::field!("object"))?);
            let property = callee.child_by_field_id(crate::field!("property"))?;
            if object.kind() != "identifier" {
                return None;
            }
            format!("{}.{}", ctx.text(object), ctx.text(property))
        }
        _ => return None,
    };
    ctx.facts().declared_promise(&key)
}

fn fixes(dropped: &DroppedPromise) -> Vec<Fix> {
    let Some(written) = dropped.statement.named_child(0) else {
        return Vec::new();
    };
    let start = written.start_byte();
    let end = written.end_byte();
    let label = &dropped.label;
    let catch = one_edit_fix(
        format!("Handle a rejection of `{label}` with `.catch(...)`"),
        FixSafety::ChangesBehaviour,
        end..end,
        ".catch((err) => { console.error(err); })",
    );
    let void = one_edit_fix(
        format!("Mark `{label}` as intentionally not awaited with `void`"),
        FixSafety::MarksIntent,
        start..start,
        "void ",
    );
    if in_async_function(dropped.statement) {
        let await_fix = one_edit_fix(
            format!("Await `{label}`"),
            FixSafety::ChangesBehaviour,
            start..start,
            "await ",
        );
        vec![await_fix, catch, void]
    } else {
        vec![catch, void]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::driver::analyze_configured;
    use crate::rules::testing::{assert_invalid, assert_valid, findings_in, first_message};
    use crate::syntax;

    #[test]
    fn typescript_calls_declared_to_return_a_promise_are_flagged_naming_the_declaration() {
        use crate::rules::testing::typescript_findings_in;
        let source = "interface Repo {\n  save(): Promise<void>;\n  flush(): void;\n  send(): PromiseLike<void>;\n}\nabstract class Job {\n  abstract run(): Promise<void>;\n  start() { this.run(); }\n}\ndeclare function load(): Promise<number>;\ndeclare function plain(): void;\ndeclare function anything(): any;\nfunction go(repo: Repo) {\n  repo.save();\n  repo.flush();\n  repo.send();\n  load();\n  plain();\n  anything();\n}\n";
        let findings = typescript_findings_in(&FloatingPromise, source);
        let flagged: Vec<&str> = findings.iter().map(|f| &source[f.range.clone()]).collect();
        assert_eq!(flagged, vec!["repo.save", "load"]);
        assert!(
            findings[1]
                .message
                .contains("`load` is declared to return `Promise<number>` at line 10"),
            "{}",
            findings[1].message
        );
    }

    #[test]
    fn an_async_function_declared_to_return_a_promise_is_judged_by_its_body() {
        use crate::rules::testing::typescript_findings_in;
        let source = "async function settle<T>(p: Promise<T>): Promise<void> {\n  try {\n    await p;\n  } catch {}\n}\n\
                      async function save(p: Promise<number>): Promise<void> {\n  await p;\n}\n\
                      const handled = { async drop(p: Promise<number>): Promise<void> { try { await p; } catch {} } };\n\
                      const open = { async drop(p: Promise<number>): Promise<void> { await p; } };\n\
                      function go(p: Promise<number>) {\n  settle(p);\n  save(p);\n  handled.drop(p);\n  open.drop(p);\n}\n";
        let findings = typescript_findings_in(&FloatingPromise, source);
        let flagged: Vec<&str> = findings.iter().map(|f| &source[f.range.clone()]).collect();
        assert_eq!(flagged, vec!["save", "open.drop"]);
    }

    fn fix_output(source: &str, index: usize) -> (String, FixSafety) {
        let findings = findings_in(&FloatingPromise, source);
        let fix = &findings[0].fixes[index];
        let fixed = fix.apply(source);
        assert!(
            !syntax::parse(&fixed, None).root_node().has_error(),
            "fix output does not parse:\n{fixed}"
        );
        (fixed, fix.safety)
    }

    #[test]
    fn observed_or_unknown_promises_pass() {
        assert_valid(
            &FloatingPromise,
            &[
                // Awaited, returned, assigned, passed on, voided.
                "async function save() { await db(); }\nasync function f() { await save(); }",
                "async function save() { await db(); }\nfunction f() { return save(); }",
                "async function save() { await db(); }\nconst p = save();",
                "async function save() { await db(); }\nlater(save());",
                "async function save() { await db(); }\nvoid save();",
                "async function save() { await db(); }\npending.push(save());",
                // Handled chains.
                "async function save() { await db(); }\nsave().catch(console.error);",
                "async function save() { await db(); }\nsave().then(ok, bad);",
                "async function save() { await db(); }\nsave().then(ok).catch(bad);",
                "async function save() { await db(); }\nsave().catch(bad).finally(done);",
                "fetch(url).then((r) => r.json()).then(show, report);",
                // Unknown calls: nothing says they return a promise.
                "save();",
                "db.save(record);",
                "emitter.emit('x');",
                "p.catch(f);",
                // Bound to something else somewhere in the file.
                "async function save() { await db(); }\nfunction run(save) { save(); }",
                "function fetch() {}\nfetch(url);",
                "import fs from 'fs-extra';\nfs.promises.readFile('a');",
                // Script entry points and no-op promises.
                "(async () => { await main(); })();",
                "Promise.resolve(1);",
                // Test runners track their own promises.
                "import { describe, it } from 'node:test';\ndescribe('x', async () => { it('y', async () => {}); });",
                "async function test() {}\ntest('x', async (t) => { t.test('y', async () => {}); });",
                // Optional calls may not call at all.
                "async function save() { await db(); }\nsave?.();",
                // Sequences and conditionals are left alone.
                "async function save() { await db(); }\nready && save();",
            ],
        );
    }

    #[test]
    fn a_handler_earlier_in_the_chain_observes_the_rejection() {
        assert_valid(
            &FloatingPromise,
            &[
                // three's loaders: `.catch().then()` in place of `.finally()`.
                "geometryPending.catch(() => true).then(() => { release(); });",
                "async function decode() {}\ndecode().catch(report).then(cleanup);",
                "load().then(show, report).then(next);",
                "load().catch(report).finally(done).then(next);",
            ],
        );
    }

    #[test]
    fn promises_that_cannot_reject_pass() {
        assert_valid(
            &FloatingPromise,
            &[
                // undici's body writers: every failure goes to `abort`.
                "async function write(body) {\n  try {\n    await sink(body);\n  } catch (err) {\n    abort(err);\n  }\n}\nwrite(b);",
                "async function write(body) {\n  let n = 0;\n  function step() {}\n  try {\n    for await (const c of body) n += c.length;\n    return await done(n);\n  } catch {\n    return null;\n  } finally {\n    close();\n  }\n}\nwrite(b);",
                "const write = async (body) => {\n  try { await sink(body); } catch (e) { log(e); }\n};\nwrite(b);",
                "const api = { async ping() { try { await net(); } catch (e) {} } };\napi.ping();",
                "class Pool {\n  async drain() { try { await this.io(); } catch (e) { this.fail(e); } }\n  close() { this.drain(); }\n}",
                "class Pool {\n  async drain() { try { await io(); } catch (e) {} }\n}\nconst pool = new Pool();\npool.drain();",
                "async function noop() {}\nnoop();",
                // A thenable of the file's own class: `then` is its method, not a promise's.
                "class Reply {\n  then(ok) { setImmediate(ok); }\n}\nconst reply = new Reply();\nreply.then(() => {});",
                "class Reply { then(ok) { setImmediate(ok); } }\nnew Reply().then(send).then(log);",
                // Every failure is routed to the emitter's 'error' event.
                "async function run(em) {\n  try { await work(); } catch (err) { em.emit('error', err); }\n}\nrun(em);",
                // Nothing can reject: the receiver settles, the callback cannot throw.
                "Promise.resolve().then(() => { try { work(); } catch (e) { report(e); } });",
                "Promise.resolve(1).then(function () {}).finally(() => {});",
            ],
        );
    }

    #[test]
    fn settled_combinators_promised_timers_and_resolving_executors_cannot_reject() {
        assert_valid(
            &FloatingPromise,
            &[
                "Promise.allSettled(ps);",
                "Promise.allSettled([a(), b()]).then(() => {});",
                "Promise.allSettled(ps).then(function () { try { done(); } catch {} });",
                "const { promisify } = require('util');\npromisify(setTimeout)(500).then(() => {});",
                "const util = require('util');\nutil.promisify(setImmediate)().then(() => {});",
                "require('node:timers/promises').setTimeout(10, 'v').then(() => {});",
                "new Promise((r) => setTimeout(r, 10));",
                "new Promise((res) => { setTimeout(res, 10, 'v'); }).then(() => {});",
                "new Promise((resolve, reject) => { setImmediate(resolve); });",
                "new Promise(res => process.nextTick(res));",
                "new Promise((res) => { res(1); }).then(() => {});",
            ],
        );
        assert_invalid(
            &FloatingPromise,
            &[
                // The callback may throw; the argument is not iterable.
                ("Promise.allSettled(ps).then(done);", "then"),
                ("Promise.allSettled(null);", "Promise.allSettled"),
                // A signal aborts the timer with a rejection; a timer of the file's own.
                (
                    "require('timers/promises').setTimeout(10, 'v', { signal }).then(() => {});",
                    "then",
                ),
                (
                    "const { promisify } = require('util');\nfunction setTimeout() {}\npromisify(setTimeout)(5).then(() => {});",
                    "then",
                ),
                // A delay that may not be a number; a value that may be a thenable.
                (
                    "const { promisify } = require('util');\npromisify(setTimeout)(ms).then(() => {});",
                    "then",
                ),
                (
                    "const { promisify } = require('util');\npromisify(setImmediate)(p).then(() => {});",
                    "then",
                ),
                // The executor may reject, throw, or resolve with a thenable.
                ("new Promise((res, rej) => { setTimeout(rej, 10); });", "new Promise"),
                ("new Promise((res) => { em.once('x', res); });", "new Promise"),
                ("new Promise((res) => res(p)).then(() => {});", "then"),
                ("new Promise((res) => setTimeout(res, 10)).finally(() => log());", "new Promise"),
            ],
        );
    }

    #[test]
    fn only_the_promisify_of_node_util_makes_a_timer_that_cannot_reject() {
        assert_valid(
            &FloatingPromise,
            &[
                "const { promisify } = require('util');\npromisify(setTimeout)(5).then(() => {});",
                "import { promisify } from 'node:util';\npromisify(setTimeout)(5).then(() => {});",
                "const promisify = require('util').promisify;\npromisify(setTimeout)(5).then(() => {});",
                "const { promisify: p } = require('node:util');\np(setImmediate)().then(() => {});",
                "import * as util from 'node:util';\nutil.promisify(setTimeout)(5).then(() => {});",
                "import util from 'util';\nutil.promisify(setImmediate)().then(() => {});",
                "const u = require('node:util');\nu.promisify(setTimeout)(5).then(() => {});",
                "require('util').promisify(setTimeout)(5).then(() => {});",
            ],
        );
        assert_invalid(
            &FloatingPromise,
            &[
                // Another library's promisify may return anything.
                (
                    "const { promisify } = require('bluebird');\npromisify(setTimeout)(5).then(() => {});",
                    "then",
                ),
                (
                    "const Promise = require('bluebird');\nPromise.promisify(setTimeout)(5).then(() => {});",
                    "then",
                ),
                (
                    "import { promisify } from 'es6-promisify';\npromisify(setTimeout)(5).then(() => {});",
                    "then",
                ),
                // Unbound, a parameter, an object that only looks like util.
                ("promisify(setTimeout)(5).then(() => {});", "then"),
                ("util.promisify(setImmediate)().then(() => {});", "then"),
                (
                    "function wait(promisify) {\n  promisify(setTimeout)(5).then(() => {});\n}",
                    "then",
                ),
                (
                    "const util = require('./util');\nutil.promisify(setTimeout)(5).then(() => {});",
                    "then",
                ),
                // Bound to util here and to something else there.
                (
                    "const { promisify } = require('util');\nfunction f(promisify) {}\npromisify(setTimeout)(5).then(() => {});",
                    "then",
                ),
            ],
        );
    }

    #[test]
    fn an_options_parameter_rejects_only_when_the_call_passes_no_object() {
        let wait = "const wait = async ({ signal }) => {\n  try { await once(em, 'x', { signal }); } catch {}\n};\n";
        assert_valid(
            &FloatingPromise,
            &[
                &format!("{wait}wait({{ signal: ac.signal }});"),
                &format!("{wait}wait({{ signal, ...rest }});"),
                "async function stop({ a, b: c }, d) { try { await a(c, d); } catch {} }\nstop({ a }, 1);",
            ],
        );
        assert_invalid(
            &FloatingPromise,
            &[
                // Destructuring `undefined`, or a value that may be `null`, throws.
                (&format!("{wait}wait();"), "wait"),
                (&format!("{wait}wait(options);"), "wait"),
                // A getter may throw; a nested pattern may read `undefined`.
                (&format!("{wait}wait({{ get signal() {{ return s(); }} }});"), "wait"),
                (
                    "const wait = async ({ signal: { aborted } }) => { try { await x(aborted); } catch {} };\nwait({ signal });",
                    "wait",
                ),
                // The body may fail anyway.
                (
                    "const wait = async ({ signal }) => { await once(em, 'x', { signal }); };\nwait({ signal });",
                    "wait",
                ),
            ],
        );
    }

    #[test]
    fn promises_that_may_reject_are_still_flagged() {
        assert_invalid(
            &FloatingPromise,
            &[
                // An async `then` returns a promise; a class of the file that is not the receiver's.
                (
                    "class Reply { async then(ok) { ok(); } }\nconst reply = new Reply();\nreply.then(() => {});",
                    "then",
                ),
                (
                    "class Reply { then(ok) { ok(); } }\nconst reply = load();\nreply.then(() => {});",
                    "then",
                ),
                // The catch rethrows.
                (
                    "async function write(b) {\n  try { await sink(b); } catch (err) { log(err); throw err; }\n}\nwrite(b);",
                    "write",
                ),
                // A statement outside the try may throw, so the promise may reject.
                (
                    "async function write(b) {\n  assert(b);\n  try { await sink(b); } catch (err) { abort(err); }\n}\nwrite(b);",
                    "write",
                ),
                // `return p` inside the try: `p`'s rejection skips the catch.
                (
                    "async function write(b) {\n  try { return sink(b); } catch (err) {}\n}\nwrite(b);",
                    "write",
                ),
                // No catch at all, a default that may throw, a destructured error.
                (
                    "async function write(b) {\n  try { await sink(b); } finally { close(); }\n}\nwrite(b);",
                    "write",
                ),
                (
                    "async function write(b = make()) {\n  try { await sink(b); } catch {}\n}\nwrite();",
                    "write",
                ),
                (
                    "async function write(b) {\n  try { await sink(b); } catch ({ code }) {}\n}\nwrite(b);",
                    "write",
                ),
                // One of two declarations of the method may reject.
                (
                    "class A { async go() { try { await x(); } catch {} } }\nclass B { async go() { await y(); } }\nconst b = new B();\nb.go();",
                    "b.go",
                ),
                // The receiver may be a rejected thenable; the callback may throw.
                ("Promise.resolve(p).then(() => {});", "then"),
                ("Promise.resolve().then(() => work());", "then"),
                // One-callback `then`s upstream handle nothing.
                ("load().then(show).finally(done).then(next);", "then"),
            ],
        );
    }

    #[test]
    fn dropped_promises_are_flagged_on_their_callee() {
        assert_invalid(
            &FloatingPromise,
            &[
                ("async function save() { await db(); }\nsave();", "save"),
                (
                    "const save = async () => { await db(); };\nfunction f() { save(1); }",
                    "save",
                ),
                (
                    "const api = { async save() { await db(); } };\napi.save();",
                    "api.save",
                ),
                (
                    "class Repo {\n  async save() { await db(); }\n  run() { this.save(); }\n}",
                    "this.save",
                ),
                ("fetch(url);", "fetch"),
                ("new Promise((r, j) => setTimeout(j, 10));", "new Promise"),
                ("Promise.all([a(), b()]);", "Promise.all"),
                ("Promise.reject(new Error('x'));", "Promise.reject"),
                ("fs.promises.writeFile('a', 'b');", "fs.promises.writeFile"),
                (
                    "const fsp = require('node:fs/promises');\nfsp.rm('a');",
                    "fsp.rm",
                ),
                (
                    "import { writeFile } from 'fs/promises';\nwriteFile('a', 'b');",
                    "writeFile",
                ),
                ("async function save() { await db(); }\n(save());", "save"),
                // `.then` without a rejection handler, whatever the receiver.
                ("load().then((x) => show(x));", "then"),
                ("load().then(show).finally(done);", "then"),
                (
                    "async function save() { await db(); }\nsave().finally(done);",
                    "save",
                ),
                ("Promise.resolve().then(work);", "then"),
            ],
        );
    }

    #[test]
    fn known_safe_names_from_the_config_are_not_flagged() {
        let source =
            "const jobs = { async start() { await db(); } };\njobs.start();\nfetch(u).then(f);\n";
        let tree = syntax::parse(source, None);
        let config = Config {
            known_safe: vec!["jobs.start".to_owned(), "fetch".to_owned()],
            ..Config::default()
        };
        let findings = analyze_configured(source, &tree, &[&FloatingPromise], &config).findings;
        assert!(findings.is_empty(), "{findings:#?}");
    }

    #[test]
    fn the_message_says_what_happens() {
        let source = "async function save() { await db(); }\nsave();";
        assert_eq!(
            first_message(&FloatingPromise, source),
            "`save()` starts now; nobody observes its completion or its failure. Under Node 24 \
             an unhandled rejection ends the process (exit code 1)."
        );
    }

    /// `(0, save)()` is TypeScript's and Babel's call of an imported `save`.
    #[test]
    fn a_compiled_call_is_named_by_its_target() {
        let message = first_message(
            &FloatingPromise,
            "async function save() { await db(); }\n(0, save)();",
        );
        assert!(message.starts_with("`save()`"), "{message}");
    }

    /// A callee that is itself a call is named by its text, not "this call".
    #[test]
    fn a_call_of_a_call_is_named_by_its_text() {
        let message = first_message(
            &FloatingPromise,
            "const { promisify } = require('bluebird');\npromisify(setTimeout)(500).then(() => {});",
        );
        assert!(
            message.starts_with(
                "`promisify(setTimeout)(500).then(…)`: if `promisify(setTimeout)(500)` or the callback fails"
            ),
            "{message}"
        );
        assert!(!message.contains("this call"), "{message}");
    }

    /// A receiver that is not a call is named by its own text, shortened.
    #[test]
    fn a_receiver_is_named_by_its_text() {
        let first = |source: &str| first_message(&FloatingPromise, source);
        let message = first("const chain = fetch(url);\nchain.then((r) => use(r));");
        assert!(message.starts_with("`chain.then(…)`: if `chain` or"), "{message}");
        let message = first(
            "class A { go() { this.pending.request.then((r) => use(r)); } }\nnew A().go();",
        );
        assert!(
            message.starts_with("`this.pending.request.then(…)`"),
            "{message}"
        );
    }

    #[test]
    fn the_message_is_the_hovers_sentence_for_each_kind() {
        let first = |source: &str| first_message(&FloatingPromise, source);
        // A named callee's body is not read (it lies outside the unit): no
        // claim about its first await either way.
        let named = first("async function processJob() { work(); }\nprocessJob();");
        assert!(named.starts_with("`processJob()` starts now;"), "{named}");
        // The executor has already run; the label keeps its arguments.
        assert!(first("new Promise((r) => r(p));")
            .starts_with("`new Promise(…)`: its executor has already run;"));
        assert!(first("Promise.all([a(), b()]);")
            .starts_with("`Promise.all(…)`: if any input rejects, nobody handles it."));
        // Only the callback can reject a chain on `Promise.allSettled`.
        assert_eq!(
            first("Promise.allSettled(ps).then(done);"),
            "`Promise.allSettled(…)` cannot reject, but if a callback of its chain throws, \
             nobody handles the rejection. Under Node 24 an unhandled rejection ends the process \
             (exit code 1)."
        );
    }

    #[test]
    fn fixes_prefer_await_inside_async_functions_and_catch_elsewhere() {
        let cases: &[(&str, usize, &str, FixSafety)] = &[
            (
                "async function save() { await db(); }\nasync function f() {\n  save();\n}",
                0,
                "async function save() { await db(); }\nasync function f() {\n  await save();\n}",
                FixSafety::ChangesBehaviour,
            ),
            (
                "async function save() { await db(); }\nasync function f() {\n  save();\n}",
                1,
                "async function save() { await db(); }\nasync function f() {\n  save().catch((err) => { console.error(err); });\n}",
                FixSafety::ChangesBehaviour,
            ),
            (
                "async function save() { await db(); }\nasync function f() {\n  save();\n}",
                2,
                "async function save() { await db(); }\nasync function f() {\n  void save();\n}",
                FixSafety::MarksIntent,
            ),
            (
                "fetch(url);",
                0,
                "fetch(url).catch((err) => { console.error(err); });",
                FixSafety::ChangesBehaviour,
            ),
            ("fetch(url);", 1, "void fetch(url);", FixSafety::MarksIntent),
            (
                "new Promise((r) => r(1)).then(f)",
                0,
                "new Promise((r) => r(1)).then(f).catch((err) => { console.error(err); })",
                FixSafety::ChangesBehaviour,
            ),
        ];
        for (before, index, after, safety) in cases {
            assert_eq!(fix_output(before, *index), ((*after).to_owned(), *safety));
        }
    }

    #[test]
    fn no_await_fix_outside_async_functions() {
        let source = "async function save() { await db(); }\nfunction f() { save(); }";
        let findings = findings_in(&FloatingPromise, source);
        let titles: Vec<&str> = findings[0].fixes.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Handle a rejection of `save()` with `.catch(...)`",
                "Mark `save()` as intentionally not awaited with `void`"
            ]
        );
    }
}

#[cfg(test)]
mod cannot_fail_tests;
