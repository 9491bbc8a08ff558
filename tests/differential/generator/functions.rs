//! Fresh async functions: their bodies, endings (`return v`, `return p`, `return await p`,
//! `throw`), and the one that rejects with nobody listening.

use rand::RngExt;

use super::super::timeline::{Rejects, Settle};
use super::{indent, Ctx, Gen, Tier, MAX_DEPTH};

impl Gen {
    /// Declares a fresh async function for one call site running in `ctx`; returns the call and
    /// when its promise settles.
    pub(super) fn async_function(&mut self, ctx: &Ctx, may_reject: bool) -> (String, Settle) {
        let name = self.fresh("f");
        let mut body_ctx = Ctx {
            in_async: true,
            may_throw: may_reject,
            depth: ctx.depth + 1,
            ..*ctx
        };
        let mut body = self.log(&name);
        let count = match self.tier {
            Tier::One => self.rng.random_range(1..=3),
            _ => self.rng.random_range(0..=2),
        };
        if count > 0 {
            body.push('\n');
            body.push_str(&self.block(&mut body_ctx, &name, count));
        }
        // Most functions await at least once, so calls interleave.
        if self.tier == Tier::One && !body.contains("await") {
            body.push('\n');
            body.push_str(&self.await_statement(&mut body_ctx, &name));
        }
        let (ending, mut settle) = self.function_ending(&mut body_ctx, &name, may_reject);
        if !ending.is_empty() {
            body.push('\n');
            body.push_str(&ending);
        }
        // An early rejection would settle the function before its end.
        if settle.rejects.any() && settle.time != ctx.time {
            settle.time = None;
        }
        let decl = if self.chance(0.75) {
            format!("async function {name}() {{\n{}\n}}", indent(&body))
        } else {
            format!("const {name} = async () => {{\n{}\n}};", indent(&body))
        };
        self.decls.push(decl);
        (format!("{name}()"), settle)
    }

    pub(super) fn function_ending(
        &mut self,
        ctx: &mut Ctx,
        owner: &str,
        may_reject: bool,
    ) -> (String, Settle) {
        let base = if may_reject {
            Rejects::Maybe
        } else {
            Rejects::No
        };
        if self.tier == Tier::One {
            return match self.rng.random_range(0..3) {
                0 => (String::new(), ctx.settle_now(base)),
                _ => (format!("return {};", self.value()), ctx.settle_now(base)),
            };
        }
        match self.rng.random_range(0..10) {
            0..=1 => (String::new(), ctx.settle_now(base)),
            2..=3 => (format!("return {};", self.value()), ctx.settle_now(base)),
            // `return p` forwards p's state to the function's promise.
            4..=5 if ctx.depth < MAX_DEPTH => {
                let (code, s) = self.awaitable(ctx, may_reject, true);
                (
                    format!("return {code};"),
                    Settle {
                        rejects: s.rejects.or(base),
                        ..s
                    },
                )
            }
            // `return await p` observes p inside the function first.
            6..=7 if ctx.depth < MAX_DEPTH => {
                let (code, s) = self.awaitable(ctx, may_reject, true);
                (
                    format!("return await {code};"),
                    Settle {
                        rejects: s.rejects.or(base),
                        ..s
                    },
                )
            }
            8 if may_reject => (
                format!("throw {};", self.error()),
                ctx.settle_now(Rejects::Yes),
            ),
            // `return await` keeps a rejection inside the try; `return p` lets it escape.
            _ => {
                let (rejection, s) = self.rejection(ctx);
                let label = self.labels.next(owner);
                let value = self.value();
                let escapes = may_reject && self.chance(0.4);
                let ret = if escapes { "return" } else { "return await" };
                let code = format!(
                    "try {{\n  {ret} {rejection};\n}} catch (e) {{\n  console.log(\"{label}\", e.message);\n  return {value};\n}}"
                );
                let rejects = if escapes { Rejects::Yes } else { base };
                (code, Settle { rejects, ..s })
            }
        }
    }

    /// A fire-and-forget call whose rejection nobody handles.
    pub(super) fn unhandled_call(&mut self, ctx: &Ctx) -> String {
        let name = self.fresh("f");
        let log = self.log(&name);
        let error = self.error();
        let _ = ctx;
        self.decls.push(format!(
            "async function {name}() {{\n  {log}\n  await null;\n  throw {error};\n}}"
        ));
        format!("{name}();")
    }
}
