//! Things to await: values, promises, thenables, async calls, combinators, timers.

use rand::RngExt;

use super::super::timeline::{Phase, Rejects, Settle};
use super::{indent, Ctx, Gen, Tier, MAX_DEPTH};

impl Gen {
    /// An expression to await (or return, or start a chain from) in `ctx`, and when it settles.
    /// It rejects only if `reject_ok`; `nested` allows combinators.
    pub(super) fn awaitable(
        &mut self,
        ctx: &Ctx,
        reject_ok: bool,
        nested: bool,
    ) -> (String, Settle) {
        self.awaitable_of(ctx, reject_ok, nested, false)
    }

    /// A promise-valued expression, to call `.then` on.
    pub(super) fn promise(&mut self, ctx: &Ctx, reject_ok: bool) -> (String, Settle) {
        self.awaitable_of(ctx, reject_ok, true, true)
    }

    pub(super) fn awaitable_of(
        &mut self,
        ctx: &Ctx,
        reject_ok: bool,
        nested: bool,
        promise_only: bool,
    ) -> (String, Settle) {
        #[derive(Clone, Copy)]
        enum Kind {
            Resolved,
            Plain,
            Call,
            Executor,
            Thenable,
            Rejected,
            Then,
            Combinator,
            NextTick,
            Sleep,
            Immediate,
        }
        let t2 = self.tier >= Tier::Two;
        let t3 = self.tier == Tier::Three;
        let mut kinds = vec![(Kind::Resolved, 4)];
        let mut push = |ok: bool, kind: Kind, weight: u32| {
            if ok {
                kinds.push((kind, weight));
            }
        };
        push(!promise_only, Kind::Plain, 2);
        push(ctx.depth < MAX_DEPTH, Kind::Call, 4);
        push(t2, Kind::Executor, 1);
        push(t2 && !promise_only, Kind::Thenable, 2);
        push(t2 && reject_ok, Kind::Rejected, 1);
        push(t2, Kind::Then, 1);
        push(t2 && nested && ctx.depth < MAX_DEPTH, Kind::Combinator, 2);
        push(t2, Kind::NextTick, 1);
        push(t3 && self.timers_ok(ctx), Kind::Sleep, 3);
        push(t3 && self.immediate_ok(ctx), Kind::Immediate, 1);
        let now = |rejects| ctx.settle_now(rejects);
        match self.weighted(&kinds) {
            Kind::Resolved => (
                format!("Promise.resolve({})", self.value()),
                now(Rejects::No),
            ),
            Kind::Plain => (self.value(), now(Rejects::No)),
            Kind::Call => {
                let may_reject = reject_ok && t2 && self.chance(0.3);
                self.async_function(ctx, may_reject)
            }
            Kind::Executor => {
                let owner = self.fresh("p");
                let log = self.log(&owner);
                let value = self.value();
                (
                    format!("new Promise((resolve) => {{\n  {log}\n  resolve({value});\n}})"),
                    now(Rejects::No),
                )
            }
            Kind::Thenable => {
                let owner = self.fresh("th");
                let log = self.log(&owner);
                if reject_ok && self.chance(0.25) {
                    let error = self.error();
                    (
                        format!("{{\n  then(resolve, reject) {{\n    {log}\n    reject({error});\n  }},\n}}"),
                        now(Rejects::Yes),
                    )
                } else {
                    let value = self.value();
                    (
                        format!(
                            "{{\n  then(resolve) {{\n    {log}\n    resolve({value});\n  }},\n}}"
                        ),
                        now(Rejects::No),
                    )
                }
            }
            Kind::Rejected => (
                format!("Promise.reject({})", self.error()),
                now(Rejects::Yes),
            ),
            Kind::Then => {
                let value = self.value();
                let other = self.value();
                (
                    format!("Promise.resolve({value}).then((x) => [x, {other}])"),
                    now(Rejects::No),
                )
            }
            Kind::Combinator => self.combinator(ctx, reject_ok),
            Kind::NextTick => (
                format!(
                    "new Promise((resolve) => process.nextTick(() => resolve({})))",
                    self.value()
                ),
                now(Rejects::No),
            ),
            Kind::Sleep => {
                let Some(delay) = self.timer_delay(ctx, 1) else {
                    return (
                        format!("Promise.resolve({})", self.value()),
                        now(Rejects::No),
                    );
                };
                let at = ctx.time.map(|t| t + delay);
                let code = if self.chance(0.5) {
                    self.uses_sleep = true;
                    format!("sleep({delay})")
                } else {
                    format!(
                        "new Promise((resolve) => setTimeout(() => resolve({}), {delay}))",
                        self.value()
                    )
                };
                (code, Settle::now(at, Phase::Timer, Rejects::No))
            }
            Kind::Immediate => {
                self.note_immediate(ctx);
                (
                    format!(
                        "new Promise((resolve) => setImmediate(() => resolve({})))",
                        self.value()
                    ),
                    Settle::now(ctx.time, Phase::Immediate, Rejects::No),
                )
            }
        }
    }

    /// Something that certainly rejects, for a `try` to catch.
    pub(super) fn rejection(&mut self, ctx: &Ctx) -> (String, Settle) {
        let now = ctx.settle_now(Rejects::Yes);
        match self.rng.random_range(0..4) {
            0 => (format!("Promise.reject({})", self.error()), now),
            1 => {
                let owner = self.fresh("th");
                let log = self.log(&owner);
                let error = self.error();
                (
                    format!("{{\n  then(resolve, reject) {{\n    {log}\n    reject({error});\n  }},\n}}"),
                    now,
                )
            }
            2 if ctx.depth < MAX_DEPTH => {
                // An async function that throws after its body.
                let name = self.fresh("f");
                let mut body_ctx = Ctx {
                    in_async: true,
                    may_throw: false,
                    depth: ctx.depth + 1,
                    ..*ctx
                };
                let mut body = self.log(&name);
                if self.chance(0.7) {
                    body.push('\n');
                    body.push_str(&self.await_statement(&mut body_ctx, &name));
                }
                body.push_str(&format!("\nthrow {};", self.error()));
                self.decls
                    .push(format!("async function {name}() {{\n{}\n}}", indent(&body)));
                (
                    format!("{name}()"),
                    Settle::now(body_ctx.time, body_ctx.phase, Rejects::Yes),
                )
            }
            _ => (
                format!("new Promise((resolve, reject) => reject({}))", self.error()),
                now,
            ),
        }
    }

    pub(super) fn combinator(&mut self, ctx: &Ctx, reject_ok: bool) -> (String, Settle) {
        let which = self.pick(&["all", "allSettled", "race", "any"]);
        let len = self.rng.random_range(2..=3);
        // allSettled and any absorb rejections; all and race pass them on.
        let parts_may_reject = match which {
            "allSettled" => true,
            "any" => true,
            _ => reject_ok,
        };
        let mut codes = Vec::new();
        let mut settles = Vec::new();
        for _ in 0..len {
            let part_may_reject = parts_may_reject && self.chance(0.4);
            let (code, settle) = self.awaitable(ctx, part_may_reject, false);
            codes.push(code);
            settles.push(settle);
        }
        let any_rejects = settles.iter().any(|s| s.rejects.any());
        let all_reject = settles.iter().all(|s| s.rejects == Rejects::Yes);
        let list = format!("[{}]", codes.join(", "));
        match which {
            "all" => {
                let rejects = settles.iter().fold(Rejects::No, |r, s| r.or(s.rejects));
                let settle = if any_rejects {
                    Settle {
                        time: None,
                        phase: ctx.phase,
                        rejects,
                    }
                } else {
                    Settle::latest(&settles, Rejects::No)
                };
                (format!("Promise.all({list})"), settle)
            }
            // The statuses, not the records: `{ status, value }` objects can break across lines.
            "allSettled" => (
                format!("Promise.allSettled({list}).then((rs) => rs.map((r) => r.status))"),
                Settle::latest(&settles, Rejects::No),
            ),
            "race" => {
                let rejects = if any_rejects {
                    Rejects::Maybe
                } else {
                    Rejects::No
                };
                (
                    format!("Promise.race({list})"),
                    Settle::earliest(&settles, rejects),
                )
            }
            _ => {
                if all_reject && !reject_ok {
                    // Keep one part that fulfils so that `any` cannot reject.
                    codes[0] = self.value();
                    settles[0] = ctx.settle_now(Rejects::No);
                }
                let list = format!("[{}]", codes.join(", "));
                let all_reject = settles.iter().all(|s| s.rejects == Rejects::Yes);
                let settle = if any_rejects {
                    let rejects = if all_reject {
                        Rejects::Yes
                    } else {
                        Rejects::No
                    };
                    Settle {
                        time: None,
                        phase: ctx.phase,
                        rejects,
                    }
                } else {
                    Settle::earliest(&settles, Rejects::No)
                };
                (format!("Promise.any({list})"), settle)
            }
        }
    }
}
