//! TypeScript's declared types against Node 24: where a hover says an awaited
//! operand is a `Promise` by its declared type (no thenable hedge, the
//! subclass case kept), Node must resume the await the stated number of jobs
//! after the operand settles when the implementation returns a native
//! promise, and that many plus what a subclass costs when it returns an
//! instance of a `Promise` subclass; where the declared type proves nothing
//! (`PromiseLike<T>`, `any`, a union, an unresolved name), the hedge stays.
//!
//! The program is a `.mts` file Node 24 runs by type stripping. Its
//! functions and receivers are `declare`d (or declared in a workspace `.mts`
//! file it imports types, functions and a class from, by name, as a
//! namespace and through a re-export; receivers built by declared calls,
//! `new` and chained calls), and implemented by a plain
//! `.js` file the analysis does not read (imported first by the driver), once
//! with native promises and once with instances of `class extends Promise`.

#[path = "differential/node.rs"]
mod node;

use std::collections::BTreeMap;
use std::time::Duration;

use ticklens::analysis::declared_types::DeclaredTypes;
use ticklens::analysis::insights::{self, AwaitKind};
use ticklens::analysis::modules::ImportedNames;
use ticklens::engine::{job_counts, ModuleKind, ResumeTick};
use ticklens::syntax::{self, SourceLanguage};
use ticklens::workspace::DiskFs;

/// The declarations, and the classes the file implements itself.
const DECLARATIONS: &str = r#"import type { Far } from './types.mts';
import { far, connect, Pool } from './types.mts';
import * as api from './types.mts';
import { fetchIt } from './index.mts';
declare const farObj: Far;
declare function pool(): Pool;
declare function loose(): any;
const conn = connect();
class FastPool extends Pool {
  query(): Promise<number> { return (globalThis as any).impl.fast(); }
}
const fast: Pool = new FastPool();
class Local {
  async work() { return (globalThis as any).impl.work(); }
}
class Override extends Local {
  work(): Promise<number> { return (globalThis as any).impl.work(); }
}
const overridden: Local = new Override();
type Both = UserRepo & { extra(): Promise<number> };
declare const both: Both;
interface User { id: number }
interface UserRepo {
  save(u: User): Promise<void>;
  find(id: number): PromiseLike<User>;
  count: () => Promise<number>;
}
interface AuditRepo extends UserRepo { audit(): Promise<number> }
type Cache = { get(key: string): Promise<string>; peek(key: string): string | Promise<string> };
declare function load(id: number): Promise<number>;
declare function loadLike(id: number): PromiseLike<number>;
declare function loadAny(id: number): any;
declare function loadUnion(id: number): Promise<number> | number;
declare function loadLater(id: number): Later<number>;
declare function overloaded(id: number): Promise<number>;
declare function overloaded(id: string): Promise<string>;
declare const repo: UserRepo;
declare const audit: AuditRepo;
declare const cache: Cache;
abstract class Service {
  private store: UserRepo;
  constructor(store: UserRepo) { this.store = store; }
  abstract fetch(): Promise<number>;
  async run(): Promise<void> {
    await this.fetch();
    await this.store.save({ id: 1 });
  }
}
class Remote extends Service {
  fetch(): Promise<number> { return (globalThis as any).impl.fetch(); }
}
async function typedParameter(p: Promise<number>) {
  await p;
}
"#;

/// A workspace file the program imports types, functions and a class from
/// (by name, as a namespace, and through `index.mts`'s `export *`): its
/// declarations decide, its own `Conn` read there; its functions' bodies
/// (an unknown global's call) do not.
const TYPES: &str = r#"export interface Far {
  get(): Promise<number>;
  peek(): PromiseLike<number>;
}
export function far(): Promise<number> {
  return (globalThis as any).impl.far();
}
interface Conn {
  query(): Promise<number>;
  ready: Promise<number>;
  where(): this;
}
export function connect(): Conn {
  return (globalThis as any).impl.connect();
}
export const fetchIt = (): Promise<number> => (globalThis as any).impl.fetchIt();
export class Pool {
  static open(): Promise<number> { return (globalThis as any).impl.open(); }
  query(): Promise<number> { return (globalThis as any).impl.poolQuery(); }
}
"#;

/// A file that re-exports the other.
const INDEX: &str = "export * from './types.mts';\n";

/// Each awaited expression, whether its declared type decides it is a
/// promise, and whether the implementation returns a thenable (not measured).
const CASES: &[(&str, bool)] = &[
    ("load(1)", true),
    ("repo.save({ id: 1 })", true),
    ("repo.count()", true),
    ("audit.audit()", true),
    ("audit.save({ id: 2 })", true),
    ("cache.get('k')", true),
    ("overloaded(3)", true),
    ("load(4).then((v) => v + 1)", true),
    ("new Remote(repo).fetch()", true),
    ("connect().query()", true),
    ("connect().where().query()", true),
    ("connect().ready", true),
    ("conn.query()", true),
    ("api.connect().query()", true),
    ("api.fetchIt()", true),
    ("fetchIt()", true),
    ("Pool.open()", true),
    ("new Pool().query()", true),
    ("pool().query()", true),
    ("fast.query()", true),
    ("overridden.work()", true),
    ("both.extra()", true),
    ("both.save({ id: 3 })", true),
    ("loose().query()", false),
    ("far()", true),
    ("farObj.get()", true),
    ("farObj.peek()", false),
    ("loadLike(5)", false),
    ("repo.find(6)", false),
    ("loadAny(7)", false),
    ("loadUnion(8)", false),
    ("loadLater(9)", false),
    ("cache.peek('k')", false),
];

/// The implementation, with `make` building each promise.
fn implementation(make: &str) -> String {
    format!(
        r#"class Sub extends Promise {{}}
const make = {make};
const thenable = (v) => ({{ then(resolve) {{ resolve(v); }} }});
globalThis.load = (id) => make(id);
globalThis.loadLike = (id) => thenable(id);
globalThis.loadAny = (id) => make(id);
globalThis.loadUnion = (id) => make(id);
globalThis.loadLater = (id) => make(id);
globalThis.overloaded = (id) => make(id);
const store = {{ save: () => make(undefined), find: (id) => thenable({{ id }}), count: () => make(1) }};
globalThis.repo = store;
globalThis.audit = {{ ...store, audit: () => make(2) }};
globalThis.cache = {{ get: (k) => make(k), peek: (k) => make(k) }};
globalThis.impl = {{ fetch: () => make(3), far: () => make(4) }};
globalThis.farObj = {{ get: () => make(5), peek: () => make(6) }};
const conn = {{ query: () => make(7), ready: make(8), where() {{ return conn; }} }};
Object.assign(globalThis.impl, {{
  connect: () => conn,
  fetchIt: () => make(9),
  open: () => make(10),
  poolQuery: () => make(11),
  fast: () => make(14),
  work: () => make(15),
}});
globalThis.pool = () => ({{ query: () => make(12) }});
globalThis.loose = () => ({{ query: () => make(13) }});
globalThis.both = {{ ...store, extra: () => make(16) }};
"#
    )
}

/// A microtask generation counter, and the probes the rewritten awaits call:
/// `__probe` registers a reaction on the operand (run one job after it
/// settles), `__resumed` notes the generation the await resumed in.
const RECORDER: &str = r#"let gen = 0;
let counting = 0;
function tick() { gen++; if (--counting > 0) queueMicrotask(tick); }
globalThis.__begin = () => { gen = 0; counting = 30; queueMicrotask(tick); };
const seen = {};
globalThis.__probe = (i, v) => {
  seen[i] = { awaited: gen, reaction: null, resumed: null };
  if (v && typeof v.then === 'function' && v instanceof Promise) {
    Promise.prototype.then.call(v, () => { seen[i].reaction = gen; }, () => { seen[i].reaction = gen; });
  }
  return v;
};
globalThis.__resumed = (i) => { seen[i].resumed = gen; };
process.on('exit', () => console.log(JSON.stringify(seen)));
"#;

/// The program, and the await expressions' texts in order.
fn program() -> String {
    let mut source = String::from(DECLARATIONS);
    for (i, (call, _)) in CASES.iter().enumerate() {
        source.push_str(&format!(
            "async function case{i}() {{\n  await {call};\n}}\n"
        ));
    }
    let cases: Vec<String> = (0..CASES.len()).map(|i| format!("case{i}")).collect();
    source.push_str(&format!(
        "const run = new Remote(repo).run.bind(new Remote(repo));\nconst typed = () => typedParameter(load(10));\nexport {{ {}, run, typed }};\n",
        cases.join(", ")
    ));
    source
}

struct Claim {
    text: String,
    hover: String,
    jobs: Option<u32>,
    declared: bool,
}

/// Each await's claim, and the program rewritten so that Node records it.
fn claims(source: &str) -> (Vec<Claim>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.mts");
    std::fs::write(&path, source).unwrap();
    std::fs::write(dir.path().join("types.mts"), TYPES).unwrap();
    std::fs::write(dir.path().join("index.mts"), INDEX).unwrap();
    let language = SourceLanguage::of_path(&path).unwrap();
    let prepared = syntax::prepare(source, language);
    let erased = prepared.text(source);
    let imports = ImportedNames {
        declared: DeclaredTypes::of_file(
            &path,
            source,
            prepared.typescript.as_ref().unwrap(),
            &DiskFs,
        ),
        ..ImportedNames::default()
    };
    let found =
        insights::insights_with_imports(erased, &prepared.tree, ModuleKind::EsModule, &imports);
    let mut awaits: Vec<_> = found
        .functions
        .iter()
        .flat_map(|f| f.awaits.iter())
        .filter(|a| matches!(a.kind, AwaitKind::Await))
        .collect();
    awaits.sort_by_key(|a| a.range.start);
    let mut rewritten = String::new();
    let mut last = 0;
    let mut claims = Vec::new();
    for (i, at) in awaits.iter().enumerate() {
        let text = &source[at.range.clone()];
        let operand = text.strip_prefix("await").unwrap().trim();
        rewritten.push_str(&source[last..at.range.start]);
        rewritten.push_str(&format!(
            "(globalThis as any).__resumed({i}, await (globalThis as any).__probe({i}, ({operand})))"
        ));
        last = at.range.end;
        let jobs = match &at.resume {
            ResumeTick::AfterSettle { jobs, .. } => Some(*jobs),
            _ => None,
        };
        claims.push(Claim {
            text: operand.to_owned(),
            hover: at.resume_text("f"),
            jobs,
            declared: at.declared_promise.is_some(),
        });
    }
    rewritten.push_str(&source[last..]);
    (claims, rewritten)
}

#[derive(serde::Deserialize)]
struct Seen {
    awaited: u64,
    reaction: Option<u64>,
    resumed: Option<u64>,
}

#[test]
fn declared_promise_types_claim_what_node_24_does_for_native_and_subclass_promises() {
    let node = node::require_node_24();
    let source = program();
    let (claims, rewritten) = claims(&source);
    // What each await's hover decides, by its operand's text.
    let decided: BTreeMap<&str, bool> = claims
        .iter()
        .map(|c| (c.text.as_str(), c.declared))
        .collect();
    for (call, expected) in CASES {
        assert_eq!(
            decided.get(call),
            Some(expected),
            "`await {call}`: declared decision"
        );
    }
    for (operand, expected) in [
        ("this.fetch()", true),
        ("this.store.save({ id: 1 })", true),
        ("p", true),
    ] {
        assert_eq!(decided.get(operand), Some(&expected), "`await {operand}`");
    }
    let undecided: Vec<&str> = CASES.iter().filter(|c| !c.1).map(|c| c.0).collect();
    for claim in &claims {
        let hedged = claim.hover.contains("if it is a native `Promise`");
        if claim.declared {
            assert!(
                !hedged && claim.hover.contains("by its declared type"),
                "`await {}`: {}",
                claim.text,
                claim.hover
            );
        } else if undecided.contains(&claim.text.as_str()) && claim.jobs.is_some() {
            assert!(
                hedged,
                "`await {}` keeps the hedge: {}",
                claim.text, claim.hover
            );
        }
    }
    let counts = job_counts();
    let subclass_extra = counts.await_promise_subclass - counts.await_native_promise;
    let mut measured = 0;
    let mut wrong = Vec::new();
    for (variant, make, extra) in [
        ("native", "(v) => Promise.resolve(v)", 0),
        ("subclass", "(v) => Sub.resolve(v)", subclass_extra),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.mts"), &rewritten).unwrap();
        std::fs::write(dir.path().join("types.mts"), TYPES).unwrap();
        std::fs::write(dir.path().join("index.mts"), INDEX).unwrap();
        std::fs::write(
            dir.path().join("impl.cjs"),
            format!("{RECORDER}{}", implementation(make)),
        )
        .unwrap();
        let driver = "import './impl.cjs';\nimport * as main from './main.mts';\nfor (const name of Object.keys(main).sort()) {\n  await new Promise((done) => setImmediate(() => { globalThis.__begin(); main[name]().then(done, done); }));\n}\n";
        let driver_path = dir.path().join("run.mjs");
        std::fs::write(&driver_path, driver).unwrap();
        let run = node::run_node(&node, &driver_path, Duration::from_secs(20));
        assert_eq!(run.code, Some(0), "{variant}: {}\n{rewritten}", run.stderr);
        let seen: BTreeMap<String, Seen> = serde_json::from_str(run.stdout.trim()).unwrap();
        for (i, claim) in claims.iter().enumerate() {
            let (Some(jobs), true) = (claim.jobs, claim.declared) else {
                continue;
            };
            let Some(Seen {
                awaited,
                reaction: Some(reaction),
                resumed: Some(resumed),
            }) = seen.get(&i.to_string())
            else {
                wrong.push(format!(
                    "{variant}: `await {}` was not measured",
                    claim.text
                ));
                continue;
            };
            measured += 1;
            // The probe's reaction runs one job after the operand settles,
            // in the generation a native promise's await resumes in.
            let after_settle = resumed - reaction + 1;
            // The subclass's extra jobs are stated for an instance settled
            // before the `await` (its reaction runs in the next generation);
            // for one settling later the hover says only "later".
            let settled_before = *reaction == awaited + 1;
            let holds = match (extra, settled_before) {
                (0, _) | (_, true) => after_settle == u64::from(jobs + extra),
                (_, false) => {
                    after_settle > u64::from(jobs) && after_settle <= u64::from(jobs + extra)
                }
            };
            if !holds {
                wrong.push(format!(
                    "{variant}: `await {}` resumed {after_settle} jobs after it settled; the hover \
                     says {jobs} for a native promise, {subclass_extra} more for a subclass: {}",
                    claim.text, claim.hover
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "wrong claims:\n{}", wrong.join("\n"));
    assert!(measured >= 20, "only {measured} declared claims measured");
}
