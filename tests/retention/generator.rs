//! Generated async functions with values in every position V8's retention
//! depends on, and for each `await pending(k)`, which value each binding holds
//! there and which it held before.
//!
//! Every object value is `mk("token")` (the driver registers it with a
//! `FinalizationRegistry`), so Node reports, per await, which tokens were
//! collected while the function was suspended there.

use std::collections::BTreeMap;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Where a value sits, for the report.
pub type Position = &'static str;

/// One generated function.
pub struct GeneratedFn {
    pub name: String,
    /// Byte offset of each declaring identifier in the whole program -> binding id.
    pub decls: BTreeMap<usize, String>,
    /// Per `await pending(k)`: binding id -> what it holds there.
    pub states: Vec<BTreeMap<String, Holding>>,
    /// Every token the function creates, with its position.
    pub tokens: BTreeMap<String, Position>,
}

/// What a binding holds at an await.
#[derive(Clone, Debug, Default)]
pub struct Holding {
    /// The token it holds, if it holds a tracked value.
    pub current: Option<String>,
    /// Tokens it held earlier and no longer does.
    pub earlier: Vec<String>,
    /// It holds something untracked (a closure, a number).
    pub untracked: bool,
    /// The function reads it after the await, in its own code or in a
    /// closure (so clearing it would break the function).
    pub needed: bool,
}

/// The program: the driver's prelude, the functions, their launchers and the run.
pub struct Program {
    pub source: String,
    pub functions: Vec<GeneratedFn>,
}

/// What happens to a binding, in execution order.
enum Event {
    Assign(String, String),
    Clear(String),
    Untracked(String),
    /// Read after every later await (by the tail, or a closure it calls).
    Needed(String),
}

/// Builds one function's text, recording where each binding is declared.
struct Builder<'a> {
    text: &'a mut String,
    decls: BTreeMap<usize, String>,
}

impl Builder<'_> {
    /// Appends `piece`, where `«name»` declares `name` and `«name|id»`
    /// declares `name` as binding `id`.
    fn push(&mut self, piece: &str) {
        let mut rest = piece;
        while let Some(start) = rest.find('«') {
            self.text.push_str(&rest[..start]);
            let after = &rest[start + '«'.len_utf8()..];
            let end = after.find('»').expect("a closed marker");
            let marker = &after[..end];
            let (name, id) = marker.split_once('|').unwrap_or((marker, marker));
            self.decls.insert(self.text.len(), id.to_owned());
            self.text.push_str(name);
            rest = &after[end + '»'.len_utf8()..];
        }
        self.text.push_str(rest);
    }
}

/// A template placed before await `segment`: its code and its events.
struct Piece {
    code: String,
    events: Vec<Event>,
    /// Code for the function's tail (reads after the last await).
    tail: String,
    /// Parameters it adds: (marker, token passed by the launcher).
    params: Vec<(String, String)>,
    tokens: Vec<(String, Position)>,
    /// Code around the segment's `await` (a loop it runs in): before, after.
    around_await: Option<(String, String)>,
}

impl Piece {
    fn new(code: String) -> Piece {
        Piece {
            code,
            events: Vec::new(),
            tail: String::new(),
            params: Vec::new(),
            tokens: Vec::new(),
            around_await: None,
        }
    }
    fn needed(mut self, id: &str) -> Piece {
        self.events.push(Event::Needed(id.to_owned()));
        self
    }
    fn around_await(mut self, before: String, after: &str) -> Piece {
        self.around_await = Some((before, after.to_owned()));
        self
    }
    fn assign(mut self, id: &str, token: &str, position: Position) -> Piece {
        self.events
            .push(Event::Assign(id.to_owned(), token.to_owned()));
        self.tokens.push((token.to_owned(), position));
        self
    }
    fn token(mut self, token: &str, position: Position) -> Piece {
        self.tokens.push((token.to_owned(), position));
        self
    }
    fn clear(mut self, id: &str) -> Piece {
        self.events.push(Event::Clear(id.to_owned()));
        self
    }
    fn untracked(mut self, id: &str) -> Piece {
        self.events.push(Event::Untracked(id.to_owned()));
        self
    }
}

/// The number of templates [`piece`] knows.
const TEMPLATES: usize = 29;

/// Template `which` with unique suffix `n` (`f` is the function's name, for tokens).
fn piece(which: usize, f: &str, n: usize) -> Piece {
    let t = |part: &str| format!("{f}.{part}{n}");
    match which {
        0 => {
            let (id, tok) = (format!("dead{n}"), t("dead"));
            Piece::new(format!("const «{id}» = mk(\"{tok}\"); {id}.t;")).assign(
                &id,
                &tok,
                "dead local",
            )
        }
        1 => {
            let (id, tok) = (format!("live{n}"), t("live"));
            let mut p = Piece::new(format!("const «{id}» = mk(\"{tok}\");")).assign(
                &id,
                &tok,
                "live local",
            );
            p.tail = format!("{id}.t;");
            p
        }
        2 => {
            let (id, tok) = (format!("blk{n}"), t("blk"));
            Piece::new(format!("{{ const «{id}» = mk(\"{tok}\"); {id}.t; }}")).assign(
                &id,
                &tok,
                "const of an ended block",
            )
        }
        3 => {
            let (id, tok) = (format!("sw{n}"), t("sw"));
            Piece::new(format!(
                "switch (yes) {{ case true: {{ const «{id}» = mk(\"{tok}\"); {id}.t; }} }}"
            ))
            .assign(&id, &tok, "const of an ended switch case")
        }
        4 => {
            let (id, tok) = (format!("p{n}"), t("param"));
            let mut p = Piece::new(String::new()).assign(&id, &tok, "unused parameter");
            p.params.push((format!("«{id}»"), tok));
            p
        }
        5 => {
            let (id, tok, inner) = (format!("sh{n}"), t("shParam"), t("shInner"));
            let inner_id = format!("sh{n}#inner");
            let mut p = Piece::new(format!(
                "{{ const «{id}|{inner_id}» = mk(\"{inner}\"); {id}.t; }}"
            ))
            .assign(&id, &tok, "shadowed parameter")
            .assign(&inner_id, &inner, "const shadowing a parameter");
            p.params.push((format!("«{id}»"), tok));
            p
        }
        6 => {
            let (id, a, b) = (format!("lx{n}"), t("lxFirst"), t("lxLast"));
            Piece::new(format!(
                "for (const «{id}» of [mk(\"{a}\"), mk(\"{b}\")]) {{ {id}.t; }}"
            ))
            .assign(&id, &a, "loop variable, earlier iteration")
            .assign(&id, &b, "loop variable of a finished loop")
        }
        7 => {
            let (i, id, tok) = (format!("i{n}"), format!("lo{n}"), t("forLet"));
            Piece::new(format!(
                "for (let «{i}» = 0, «{id}» = mk(\"{tok}\"); {i} < 2; {i}++) {{ {id}.t; }}"
            ))
            .assign(&id, &tok, "per-iteration let of a finished loop")
            .untracked(&i)
        }
        8 => {
            let (j, id) = (format!("j{n}"), format!("lb{n}"));
            let (first, last) = (t("lbIter") + "_0", t("lbIter") + "_1");
            Piece::new(format!(
                "for (let «{j}» = 0; {j} < 2; {j}++) {{ const «{id}» = mk(\"{}_\" + {j}); {id}.t; }}",
                t("lbIter")
            ))
            .assign(&id, &first, "loop body const, earlier iteration")
            .assign(&id, &last, "loop body const of a finished loop")
            .untracked(&j)
        }
        9 => {
            let (id, tok) = (format!("ce{n}"), t("catch"));
            Piece::new(format!(
                "try {{ throw mk(\"{tok}\"); }} catch («{id}») {{ {id}.t; }}"
            ))
            .assign(&id, &tok, "catch parameter of an ended catch")
        }
        10 => {
            let (id, tok) = (format!("cv{n}"), t("catchDestr"));
            Piece::new(format!(
                "try {{ throw {{ v: mk(\"{tok}\") }}; }} catch ({{ v: «{id}» }}) {{ {id}.t; }}"
            ))
            .assign(&id, &tok, "destructured catch parameter")
        }
        11 => {
            let (a, b, ta, tb) = (format!("da{n}"), format!("db{n}"), t("destrA"), t("destrB"));
            Piece::new(format!(
                "const {{ a: «{a}», b: «{b}» }} = {{ a: mk(\"{ta}\"), b: mk(\"{tb}\") }}; {a}.t;"
            ))
            .assign(&a, &ta, "destructured binding")
            .assign(&b, &tb, "destructured binding")
        }
        12 => {
            let (id, tok) = (format!("cd{n}"), t("capDropped"));
            Piece::new(format!("const «{id}» = mk(\"{tok}\"); (() => {id}.t)();")).assign(
                &id,
                &tok,
                "captured, closure dropped (function scope)",
            )
        }
        13 => {
            let (id, tok) = (format!("cb{n}"), t("capBlockDropped"));
            Piece::new(format!(
                "{{ const «{id}» = mk(\"{tok}\"); (() => {id}.t)(); }}"
            ))
            .assign(&id, &tok, "captured in an ended block, closure dropped")
        }
        14 => {
            let (h, id, tok) = (format!("h{n}"), format!("ck{n}"), t("capKept"));
            Piece::new(format!(
                "let «{h}»; {{ const «{id}» = mk(\"{tok}\"); {h} = () => {id}.t; }}"
            ))
            .assign(&id, &tok, "captured in an ended block, closure in a local")
            .untracked(&h)
        }
        15 => {
            let (id, tok) = (format!("cg{n}"), t("capGlobal"));
            Piece::new(format!(
                "{{ const «{id}» = mk(\"{tok}\"); globalThis.keep_{f}_{n} = () => {id}.t; }}"
            ))
            .assign(
                &id,
                &tok,
                "captured in an ended block, closure stored globally",
            )
        }
        16 => {
            let (h, id, tok) = (format!("hn{n}"), format!("cn{n}"), t("capNulled"));
            Piece::new(format!(
                "let «{h}»; {{ const «{id}» = mk(\"{tok}\"); {h} = () => {id}.t; }} {h} = null;"
            ))
            .assign(&id, &tok, "captured in an ended block, closure set to null")
            .untracked(&h)
            .clear(&h)
        }
        17 => {
            let (id, tok) = (format!("nl{n}"), t("nulled"));
            Piece::new(format!("let «{id}» = mk(\"{tok}\"); {id}.t; {id} = null;"))
                .assign(&id, &tok, "set to null")
                .clear(&id)
        }
        18 => {
            let (id, a, b) = (format!("ow{n}"), t("owFirst"), t("owSecond"));
            Piece::new(format!(
                "let «{id}» = mk(\"{a}\"); {id}.t; {id} = mk(\"{b}\");"
            ))
            .assign(&id, &a, "overwritten")
            .assign(&id, &b, "overwriting value")
        }
        19 => {
            let (id, tok) = (format!("na{n}"), t("notAssigned"));
            Piece::new(format!("let «{id}»; if (no) {id} = mk(\"{tok}\");"))
                .token(&tok, "not assigned on this path")
        }
        20 => {
            let (id, tok) = (format!("sa{n}"), t("someAssigned"));
            Piece::new(format!("let «{id}»; if (yes) {{ {id} = mk(\"{tok}\"); }}")).assign(
                &id,
                &tok,
                "assigned on some paths",
            )
        }
        21 => {
            let (id, tok) = (format!("hv{n}"), t("helper"));
            Piece::new(format!("const «{id}» = helper(\"{tok}\");"))
                .token(&tok, "local of a helper that returned")
                .untracked(&id)
        }
        22 => {
            let (id, tok) = (format!("vb{n}"), t("varBlock"));
            Piece::new(format!("{{ var «{id}» = mk(\"{tok}\"); {id}.t; }}")).assign(
                &id,
                &tok,
                "var in an ended block",
            )
        }
        23 => {
            let (id, tok) = (format!("lab{n}"), t("labeled"));
            Piece::new(format!(
                "lab{n}: {{ const «{id}» = mk(\"{tok}\"); {id}.t; break lab{n}; }}"
            ))
            .assign(&id, &tok, "const of a labeled block left by break")
        }
        24 => {
            // A closure created after the await reads it: clearing the
            // binding before the await would make the closure throw.
            let (id, tok) = (format!("ca{n}"), t("capAfter"));
            let mut p = Piece::new(format!("const «{id}» = mk(\"{tok}\");"))
                .assign(&id, &tok, "read by a closure created after the await")
                .needed(&id);
            p.tail = format!("(() => {id}.t)();");
            p
        }
        25 => {
            let (id, f, tok) = (format!("cw{n}"), format!("fw{n}"), t("capCalledLater"));
            let mut p = Piece::new(format!(
                "const «{id}» = mk(\"{tok}\"); const «{f}» = () => {id}.t;"
            ))
            .assign(
                &id,
                &tok,
                "read by a closure held in a local, called after the await",
            )
            .needed(&id)
            .untracked(&f);
            p.tail = format!("{f}();");
            p
        }
        26 => {
            let (it, el, ti, te) = (
                format!("it{n}"),
                format!("el{n}"),
                t("iterable"),
                t("element"),
            );
            Piece::new(format!("let «{it}» = mkList(\"{ti}\", mk(\"{te}\"));"))
                .assign(&it, &ti, "iterable of a for...of loop running at the await")
                .assign(&el, &te, "for...of element at an await in the loop body")
                .around_await(format!("for (const «{el}» of {it}) {{"), "break; }")
        }
        27 => {
            let (it, el, ti, te) = (
                format!("ic{n}"),
                format!("ec{n}"),
                t("iterCleared"),
                t("elemC"),
            );
            Piece::new(format!("let «{it}» = mkList(\"{ti}\", mk(\"{te}\"));"))
                .assign(
                    &it,
                    &ti,
                    "iterable set to null inside its running for...of loop",
                )
                .clear(&it)
                .assign(&el, &te, "for...of element at an await in the loop body")
                .around_await(
                    format!("for (const «{el}» of {it}) {{ {it} = null;"),
                    "break; }",
                )
        }
        28 => {
            let (ob, key, tok) = (format!("ob{n}"), format!("ky{n}"), t("enumerated"));
            Piece::new(format!("let «{ob}» = mk(\"{tok}\");"))
                .assign(
                    &ob,
                    &tok,
                    "object set to null inside its running for...in loop",
                )
                .clear(&ob)
                .untracked(&key)
                .around_await(
                    format!("for (const «{key}» in {ob}) {{ {ob} = null;"),
                    "break; }",
                )
        }
        _ => unreachable!("{which} < TEMPLATES"),
    }
}

/// A nulled parameter: released, unless the function reads `arguments`.
fn nulled_param(f: &str, n: usize) -> Piece {
    let (id, tok) = (format!("np{n}"), format!("{f}.nulledParam{n}"));
    let mut p = Piece::new(format!("{id} = null;"))
        .assign(&id, &tok, "parameter set to null")
        .clear(&id);
    p.params.push((format!("«{id}»"), tok));
    p
}

/// `count` functions from `seed`, each template used about equally often.
pub fn generate(count: usize, seed: u64) -> Program {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut source = include_str!("driver.js").to_owned();
    let mut functions = Vec::new();
    let mut launchers = String::new();
    let mut runs = String::new();
    // Calibration: a value read after the await (known kept) and a helper's
    // local (known freed).
    source.push_str(
        "\nasync function calibrate() { const kept = mk(\"calibrate.kept\"); \
         helper(\"calibrate.freed\"); await pending(0); kept.t; }\n",
    );
    runs.push_str("  await drive(\"calibrate\", () => calibrate());\n");
    let mut next_template = 0;
    for index in 0..count {
        let name = format!("f{index}");
        let awaits = rng.random_range(1..=2usize);
        let reads_arguments = rng.random_bool(0.25);
        let operand_value = rng.random_bool(0.3);
        // Pieces per segment (before await 0, before await 1, ...).
        let mut segments: Vec<Vec<Piece>> = (0..awaits).map(|_| Vec::new()).collect();
        for (segment, pieces) in segments.iter_mut().enumerate() {
            let n = rng.random_range(2..=4usize);
            for k in 0..n {
                let which = next_template % TEMPLATES;
                next_template += 1;
                pieces.push(piece(which, &name, segment * 10 + k));
            }
            if rng.random_bool(0.3) {
                pieces.push(nulled_param(&name, segment * 10 + 9));
            }
        }
        let mut params = Vec::new();
        for pieces in &segments {
            for p in pieces {
                params.extend(p.params.iter().cloned());
            }
        }
        let mut text = std::mem::take(&mut source);
        let mut builder = Builder {
            text: &mut text,
            decls: BTreeMap::new(),
        };
        builder.push(&format!("\nasync function {name}("));
        for (i, (marker, _)) in params.iter().enumerate() {
            if i > 0 {
                builder.push(", ");
            }
            builder.push(marker);
        }
        builder.push(") {\n");
        if reads_arguments {
            builder.push("  use(arguments.length);\n");
        }
        let mut tokens = BTreeMap::new();
        let mut states = Vec::new();
        let mut holdings: BTreeMap<String, Holding> = BTreeMap::new();
        // Parameters hold their argument from the start.
        for pieces in &segments {
            for p in pieces {
                for (marker, token) in &p.params {
                    let id = marker.trim_matches(['«', '»']).to_owned();
                    holdings.entry(id).or_default().current = Some(token.clone());
                }
            }
        }
        let mut tail = String::new();
        for (k, pieces) in segments.iter().enumerate() {
            for p in pieces {
                if !p.code.is_empty() {
                    builder.push(&format!("  {}\n", p.code));
                }
                tail.push_str(&p.tail);
                for (token, position) in &p.tokens {
                    tokens.insert(token.clone(), *position);
                }
                for event in &p.events {
                    match event {
                        Event::Assign(id, token) => {
                            let h = holdings.entry(id.clone()).or_default();
                            if p.params.iter().any(|(m, _)| m.contains(&format!("«{id}»"))) {
                                continue; // the argument, already held
                            }
                            if let Some(old) = h.current.replace(token.clone()) {
                                h.earlier.push(old);
                            }
                            h.untracked = false;
                        }
                        Event::Clear(id) => {
                            let h = holdings.entry(id.clone()).or_default();
                            if let Some(old) = h.current.take() {
                                h.earlier.push(old);
                            }
                            h.untracked = false;
                        }
                        Event::Untracked(id) => {
                            holdings.entry(id.clone()).or_default().untracked = true;
                        }
                        Event::Needed(id) => {
                            holdings.entry(id.clone()).or_default().needed = true;
                        }
                    }
                }
            }
            // Loops some pieces run the await in, innermost last.
            let loops: Vec<&(String, String)> = pieces
                .iter()
                .filter_map(|p| p.around_await.as_ref())
                .collect();
            for (before, _) in &loops {
                builder.push(&format!("  {before}\n"));
            }
            if operand_value && k == 0 {
                let tok = format!("{name}.operand");
                tokens.insert(tok.clone(), "value only on the operand stack");
                builder.push(&format!("  use(mk(\"{tok}\"), await pending({k}));\n"));
            } else {
                builder.push(&format!("  await pending({k});\n"));
            }
            for (_, after) in loops.iter().rev() {
                builder.push(&format!("  {after}\n"));
            }
            states.push(holdings.clone());
        }
        builder.push(&format!("  {tail}\n}}\n"));
        let decls = builder.decls;
        source = text;
        let args: Vec<String> = params
            .iter()
            .map(|(_, token)| format!("mk(\"{token}\")"))
            .collect();
        launchers.push_str(&format!(
            "function start_{name}() {{ return {name}({}); }}\n",
            args.join(", ")
        ));
        runs.push_str(&format!("  await drive(\"{name}\", start_{name});\n"));
        functions.push(GeneratedFn {
            name,
            decls,
            states,
            tokens,
        });
    }
    source.push('\n');
    source.push_str(&launchers);
    source.push_str("(async () => {\n");
    source.push_str(&runs);
    source.push_str("})();\n");
    Program { source, functions }
}
