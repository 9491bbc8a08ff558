use super::*;
use crate::syntax::typescript::Dialect;

/// The `why` of each awaited operand (by its text) the declarations decide.
fn decided(source: &str) -> Vec<(String, String)> {
    let tree = Dialect::TypeScript.parse(source, None);
    let declared = DeclaredTypes::of(source, &tree);
    let mut found: Vec<(usize, String, String)> = declared
        .promises
        .iter()
        .map(|(&(start, end), d)| (start, source[start..end].to_owned(), d.why()))
        .collect();
    found.sort();
    found
        .into_iter()
        .map(|(_, text, why)| (text, why))
        .collect()
}

fn decided_texts(source: &str) -> Vec<String> {
    decided(source).into_iter().map(|(text, _)| text).collect()
}

#[test]
fn a_typed_receivers_method_declared_to_return_a_promise_is_a_promise() {
    let source = "interface User { id: string }\ninterface UserRepo {\n  save(u: User): Promise<void>;\n  find(id: string): PromiseLike<User>;\n}\nasync function register(repo: UserRepo, u: User) {\n  await repo.save(u);\n  await repo.find(u.id);\n}\n";
    assert_eq!(
        decided(source),
        vec![(
            "repo.save(u)".to_owned(),
            "`repo.save` is declared to return `Promise<void>` by `UserRepo.save` at line 3"
                .to_owned()
        )]
    );
}

#[test]
fn declared_functions_overloads_and_arrows_are_promises_when_every_declaration_says_so() {
    let source = "declare function load(id: string): Promise<number>;\nfunction two(a: string): Promise<1>;\nfunction two(a: number): Promise<2>;\nfunction two(a: any): Promise<any> { return globalThis.impl(a); }\nfunction mixed(a: string): Promise<1>;\nfunction mixed(a: number): number;\nfunction mixed(a: any): any { return a; }\nconst arrow = (): Promise<string> => globalThis.impl();\nconst typed: () => Promise<string> = globalThis.impl;\nfunction generic<T>(): T { return globalThis.impl(); }\nfunction anyOf(): any { return 1; }\nasync function main() {\n  await load('a');\n  await two('a');\n  await mixed('a');\n  await arrow();\n  await typed();\n  await generic<Promise<1>>();\n  await anyOf();\n  await load('b').then((v) => v + 1);\n}\n";
    assert_eq!(
        decided_texts(source),
        vec![
            "load('a')",
            "two('a')",
            "arrow()",
            "typed()",
            "load('b').then((v) => v + 1)"
        ]
    );
}

#[test]
fn classes_fields_this_and_inheritance_resolve_in_the_file() {
    let source = "interface Base { get(): Promise<number> }\ninterface Store extends Base { put(v: number): Promise<void> }\nabstract class Service {\n  private store: Store;\n  abstract fetch(): Promise<string>;\n  async run() {\n    await this.fetch();\n    await this.store.get();\n    await this.store.put(1);\n    await this.other();\n  }\n  other(): number { return 1; }\n}\nclass Child extends Service {\n  fetch(): Promise<string> { return globalThis.impl(); }\n  async go() { await this.fetch(); }\n}\nclass Unknown extends Elsewhere {\n  async go() { await this.fetch(); }\n}\n";
    assert_eq!(
        decided_texts(source),
        vec![
            "this.fetch()",
            "this.store.get()",
            "this.store.put(1)",
            "this.fetch()"
        ]
    );
}

#[test]
fn names_with_an_undeclared_binding_and_a_shadowed_promise_decide_nothing() {
    // `repo` is also an unannotated parameter: names are resolved without scopes.
    let source = "interface R { save(): Promise<void> }\nasync function a(repo: R) { await repo.save(); }\nasync function b(repo) { await repo.save(); }\n";
    assert_eq!(decided_texts(source), Vec::<String>::new());
    let source = "import { Promise } from 'bluebird';\ndeclare function load(): Promise<number>;\nasync function a() { await load(); }\n";
    assert_eq!(decided_texts(source), Vec::<String>::new());
    // A union with a non-promise, an alias the file does not declare.
    let source = "declare function a(): Promise<1> | number;\ndeclare function b(): Later<1>;\nasync function c() { await a(); await b(); }\n";
    assert_eq!(decided_texts(source), Vec::<String>::new());
}

#[test]
fn bindings_annotated_as_promises_are_promises() {
    let source = "type R = { save(): Promise<void> };\nasync function f(p: Promise<number>, r: R) {\n  await p;\n  const q = r.save();\n  await q;\n}\n";
    assert_eq!(decided_texts(source), vec!["p", "q"]);
}

#[test]
fn an_async_function_passed_where_a_void_callback_is_declared_is_found() {
    let source = "type Done = () => void;\ndeclare function onDone(cb: () => void): void;\ndeclare function later(cb: () => Promise<void>): void;\ninterface Bus { subscribe(topic: string, handler: Done): void }\ndeclare const bus: Bus;\nonDone(async () => { await 1; });\nlater(async () => { await 1; });\nbus.subscribe('t', async function () {});\n";
    let tree = Dialect::TypeScript.parse(source, None);
    let declared = DeclaredTypes::of(source, &tree);
    let found: Vec<(String, String, String, usize)> = declared
        .void_callbacks()
        .iter()
        .map(|v| {
            (
                v.callee.clone(),
                v.parameter.clone(),
                v.type_text.clone(),
                v.line,
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "onDone".to_owned(),
                "cb".to_owned(),
                "() => void".to_owned(),
                2
            ),
            (
                "bus.subscribe".to_owned(),
                "handler".to_owned(),
                "Done".to_owned(),
                4
            ),
        ]
    );
}

#[test]
fn void_callbacks_alone_are_read_only_where_an_async_function_is_passed() {
    use crate::workspace::MemoryFs;
    let done = "export declare function onDone(cb: () => void): void;\n";
    let path = std::path::Path::new("/w/main.ts");
    let fs = MemoryFs::with(&[("/w/done.ts", done)]);
    let callbacks = |main: &str, files: &DeclarationFiles| {
        let tree = Dialect::TypeScript.parse(main, None);
        DeclaredTypes::void_callbacks_of_file_with(path, main, &tree, &fs, files)
            .void_callbacks()
            .iter()
            .map(|v| v.callee.clone())
            .collect::<Vec<_>>()
    };
    let import = "import { onDone } from './done.ts';\n";
    // Passed (also on a line of its own, after a comment, which is not an
    // argument of its own): found as in full.
    for passed in [
        "onDone(async () => { await 1; });\n",
        "onDone(\n  /* later */ async function () {},\n);\n",
    ] {
        let main = format!("{import}{passed}");
        let tree = Dialect::TypeScript.parse(&main, None);
        let full = DeclaredTypes::of_file(path, &main, &tree, &fs);
        assert_eq!(full.void_callbacks().len(), 1, "{main}");
        assert_eq!(callbacks(&main, &DeclarationFiles::default()), ["onDone"]);
    }
    // Not passed (bound first, or `async` only in a name, a string, a
    // method): nothing, and the imported file is not read.
    let kept = DeclarationFiles::kept();
    for main in [
        "const f = async () => {};\nonDone(f);\n",
        "onDone(() => asyncWork('async'));\nclass A { async m() {} }\n",
    ] {
        assert!(
            callbacks(&format!("{import}{main}"), &kept).is_empty(),
            "{main}"
        );
    }
    assert!(kept.is_empty());
}

#[test]
fn callees_every_call_of_which_is_declared_are_listed_for_the_rules() {
    let source = "interface R { save(): Promise<void> }\ndeclare const repo: R;\ndeclare function load(): Promise<1>;\ndeclare function plain(): void;\nrepo.save();\nload();\nplain();\n";
    let tree = Dialect::TypeScript.parse(source, None);
    let declared = DeclaredTypes::of(source, &tree);
    let callees: Vec<&String> = declared.promise_callees().keys().collect();
    assert_eq!(callees, vec!["load", "repo.save"]);
}

#[test]
fn an_object_literals_this_and_a_namespaces_declarations_decide_nothing() {
    let source = "abstract class Job {\n  abstract run(): Promise<void>;\n  start() {\n    return { run() { return 1; }, async go() { await this.run(); } };\n  }\n}\ndeclare namespace Api { function load(): Promise<number>; }\ndeclare module 'db' { export function query(): Promise<number>; }\nasync function main() {\n  await load();\n  await query();\n}\n";
    assert_eq!(decided_texts(source), Vec::<String>::new());
}

#[test]
fn declarations_imported_from_workspace_typescript_files_decide_with_their_place() {
    use crate::workspace::MemoryFs;
    let repo = "export interface UserRepo {\n  save(): Promise<void>;\n  find(): PromiseLike<number>;\n}\nexport declare function load(): Promise<number>;\nexport type Done = () => void;\n";
    // `later` is bound only inside the other file's class: not here.
    let repo = format!("{repo}export class Box {{\n  m() {{ const later: Promise<number> = load(); return later; }}\n}}\n");
    let main = "import type { UserRepo } from './repo.ts';\nimport { Box } from './repo.ts';\nasync function g() { await later; }\nimport { load, type Done } from './repo.ts';\nimport { save as renamed } from './repo.ts';\ndeclare function onDone(cb: Done): void;\nasync function f(repo: UserRepo) {\n  await repo.save();\n  await repo.find();\n  await load();\n  onDone(async () => {});\n}\n";
    let fs = MemoryFs::with(&[("/w/repo.ts", repo.as_str()), ("/w/main.ts", main)]);
    let tree = Dialect::TypeScript.parse(main, None);
    let declared = DeclaredTypes::of_file(std::path::Path::new("/w/main.ts"), main, &tree, &fs);
    let mut found: Vec<(String, String)> = declared
        .promises
        .iter()
        .map(|(&(start, end), d)| (main[start..end].to_owned(), d.why()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                "load()".to_owned(),
                "`load` is declared to return `Promise<number>` at ./repo.ts:5".to_owned()
            ),
            (
                "repo.save()".to_owned(),
                "`repo.save` is declared to return `Promise<void>` by `UserRepo.save` at ./repo.ts:2"
                    .to_owned()
            ),
        ]
    );
    let callbacks: Vec<String> = declared
        .void_callbacks()
        .iter()
        .map(|v| v.place())
        .collect();
    assert_eq!(callbacks, vec!["line 6".to_owned()]);
}

#[test]
fn a_receiver_built_by_a_declared_call_or_new_has_the_declared_type() {
    let source = "interface Repo {\n  save(): Promise<void>;\n  where(): this;\n  promise: Promise<number>;\n  later?: Promise<number>;\n  sync(): number;\n}\ndeclare function make(): Repo;\nclass Store {\n  load(): Promise<number> { return globalThis.impl(); }\n  ready: Promise<number> = globalThis.impl();\n  static race(): Promise<number> { return globalThis.impl(); }\n  static plain(): number { return 1; }\n}\nasync function main() {\n  const s = make();\n  await s.save();\n  await make().save();\n  await make().where().save();\n  await s.promise;\n  await s.later;\n  await s.sync();\n  await new Store().load();\n  await new Store().ready;\n  const t = new Store();\n  await t.load();\n  await Store.race();\n  await Store.plain();\n  let r = make();\n  r = make();\n  await r.save();\n}\n";
    assert_eq!(
        decided_texts(source),
        vec![
            "s.save()",
            "make().save()",
            "make().where().save()",
            "s.promise",
            "new Store().load()",
            "new Store().ready",
            "t.load()",
            "Store.race()",
        ]
    );
    let why: Vec<String> = decided(source).into_iter().map(|(_, why)| why).collect();
    assert_eq!(
        why[3],
        "`s.promise` is declared `Promise<number>` by `Repo.promise` at line 4"
    );
    assert_eq!(
        why[7],
        "`Store.race` is declared to return `Promise<number>` by `Store.race` at line 12"
    );
}

#[test]
fn generics_unions_optional_calls_and_unknown_returns_keep_the_hedge() {
    let source = "interface Repo { save(): Promise<void> }\ninterface Box<T> { get(): T }\ndeclare function box<T>(): T;\ndeclare function boxed(): Box<Repo>;\ndeclare function either(): Repo | number;\ndeclare function maybe(): Repo | undefined;\ndeclare function loose(): any;\ndeclare function elsewhere(): Elsewhere;\ndeclare const opt: { make?(): Repo };\nclass Sub extends Unknown { static race(): number { return 1; } }\nasync function main() {\n  await box<Repo>().save();\n  await boxed().get().save();\n  await either().save();\n  await maybe()?.save();\n  await loose().save();\n  await elsewhere().save();\n  await opt.make?.().save();\n  await new Sub().load();\n  await Sub.other();\n  const b = new Unknown();\n  await b.save();\n}\n";
    assert_eq!(decided_texts(source), Vec::<String>::new());
}

#[test]
fn namespace_imports_and_an_imported_files_own_types_are_read_in_that_file() {
    use crate::workspace::MemoryFs;
    // `Repo` is `api.ts`'s own (not exported): read there, not as this file's `Repo`.
    let api = "interface Repo {\n  save(): Promise<void>;\n}\nexport function make(): Repo {\n  return globalThis.impl();\n}\nexport const load = (id: number): Promise<number> => globalThis.impl(id);\nexport let changing = (): Promise<number> => globalThis.impl();\nexport const typed: () => Promise<string> = globalThis.impl;\nexport class Pool {\n  static open(): Promise<Pool> { return globalThis.impl(); }\n}\n";
    let main = "import * as api from './api.ts';\nimport { make, load, Pool } from './api.ts';\ninterface Repo { save(): number }\ndeclare const mine: Repo;\nasync function f() {\n  await api.make().save();\n  await api.load(1);\n  await api.changing();\n  await api.typed();\n  await make().save();\n  await load(2);\n  await Pool.open();\n  await mine.save();\n  await api.missing();\n}\n";
    let fs = MemoryFs::with(&[("/w/api.ts", api), ("/w/main.ts", main)]);
    let tree = Dialect::TypeScript.parse(main, None);
    let declared = DeclaredTypes::of_file(std::path::Path::new("/w/main.ts"), main, &tree, &fs);
    let mut found: Vec<(String, String)> = declared
        .promises
        .iter()
        .map(|(&(start, end), d)| (main[start..end].to_owned(), d.why()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                "Pool.open()".to_owned(),
                "`Pool.open` is declared to return `Promise<Pool>` by `Pool.open` at ./api.ts:11"
                    .to_owned()
            ),
            (
                "api.load(1)".to_owned(),
                "`api.load` is declared to return `Promise<number>` at ./api.ts:7".to_owned()
            ),
            (
                "api.make().save()".to_owned(),
                "`api.make().save` is declared to return `Promise<void>` by `Repo.save` at ./api.ts:2"
                    .to_owned()
            ),
            (
                "api.typed()".to_owned(),
                "`api.typed` is declared to return `Promise<string>` at ./api.ts:9".to_owned()
            ),
            (
                "load(2)".to_owned(),
                "`load` is declared to return `Promise<number>` at ./api.ts:7".to_owned()
            ),
            (
                "make().save()".to_owned(),
                "`make().save` is declared to return `Promise<void>` by `Repo.save` at ./api.ts:2"
                    .to_owned()
            ),
        ]
    );
}

#[test]
fn imported_bodies_and_comments_are_not_read_and_keep_every_line_in_place() {
    use crate::workspace::MemoryFs;
    // A body mentioning `Promise` and `async`, and comments that say `Promise`, decide nothing;
    // the declarations after them keep their lines.
    let api = "export class Pool {\n  /**\n   * Opens it.\n   * @returns Promise<Pool>\n   */\n  static open(): Promise<Pool> {\n    const p: Promise<number> = Promise.resolve(1);\n    return (async () => { await p; return new Pool(); })();\n  }\n  /* a\n     Promise */ close(): number { return 1; }\n}\nexport function plain(): number {\n  const inner = async (): Promise<void> => {};\n  return 1;\n}\nexport const map: {\n  /** Promise<A> in a comment */\n  <A>(a: A): Box<A>;\n} = (a) => ({ a });\ninterface Box<A> { a: A }\n";
    let main = "import { Pool, plain, map } from './api.ts';\nasync function f() {\n  await Pool.open();\n  await new Pool().close();\n  await plain();\n  await map(1);\n}\n";
    let fs = MemoryFs::with(&[("/w/api.ts", api), ("/w/main.ts", main)]);
    let tree = Dialect::TypeScript.parse(main, None);
    let declared = DeclaredTypes::of_file(std::path::Path::new("/w/main.ts"), main, &tree, &fs);
    let found: Vec<(String, String)> = declared
        .promises
        .iter()
        .map(|(&(start, end), d)| (main[start..end].to_owned(), d.why()))
        .collect();
    assert_eq!(
        found,
        vec![(
            "Pool.open()".to_owned(),
            "`Pool.open` is declared to return `Promise<Pool>` by `Pool.open` at ./api.ts:6"
                .to_owned()
        )]
    );
    // Declarations that mention no promise, `async` or `void` decide as no imports would.
    let api = "/** Promise-free. */\nexport function count(): number { return 1; }\n";
    let main = "import { count } from './api.ts';\nasync function f() { await count(); }\n";
    let fs = MemoryFs::with(&[("/w/api.ts", api), ("/w/main.ts", main)]);
    let tree = Dialect::TypeScript.parse(main, None);
    let path = std::path::Path::new("/w/main.ts");
    assert!(DeclaredTypes::of_file(path, main, &tree, &fs).is_empty());
}

#[test]
fn re_exports_are_followed_to_the_file_that_declares() {
    use crate::workspace::MemoryFs;
    let repo = "export interface Repo {\n  save(): Promise<void>;\n}\nfunction open(): Promise<number> { return globalThis.impl(); }\nexport { open };\nexport { open as start };\n";
    // A renamed export is not followed; a cycle ends.
    let index = "export * from './repo.ts';\nexport { open as begin } from './repo.ts';\nexport * from './index.ts';\n";
    // Two `export *` giving `twice`: ambiguous.
    let a = "export declare function twice(): Promise<1>;\n";
    let b = "export declare function twice(): Promise<2>;\n";
    let both = "export * from './a.ts';\nexport * from './b.ts';\n";
    let main = "import type { Repo } from './lib/index.ts';\nimport { begin, start, open } from './lib/index.ts';\nimport { twice } from './both.ts';\nasync function f(r: Repo) {\n  await r.save();\n  await begin();\n  await start();\n  await open();\n  await twice();\n}\n";
    let fs = MemoryFs::with(&[
        ("/w/lib/repo.ts", repo),
        ("/w/lib/index.ts", index),
        ("/w/a.ts", a),
        ("/w/b.ts", b),
        ("/w/both.ts", both),
        ("/w/main.ts", main),
    ]);
    let tree = Dialect::TypeScript.parse(main, None);
    let declared = DeclaredTypes::of_file(std::path::Path::new("/w/main.ts"), main, &tree, &fs);
    let mut found: Vec<(String, String)> = declared
        .promises
        .iter()
        .map(|(&(start, end), d)| (main[start..end].to_owned(), d.why()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                "open()".to_owned(),
                "`open` is declared to return `Promise<number>` at ./lib/repo.ts:4".to_owned()
            ),
            (
                "r.save()".to_owned(),
                "`r.save` is declared to return `Promise<void>` by `Repo.save` at ./lib/repo.ts:2"
                    .to_owned()
            ),
        ]
    );
}

#[test]
fn async_methods_without_a_return_type_and_intersections_decide() {
    let source = "interface A { save(): Promise<void> }\ninterface B { peek(): number }\ntype Both = A & B;\ntype Half = A & Elsewhere;\ndeclare const both: Both;\ndeclare const half: Half;\nclass Store {\n  async load() { return 1; }\n  async *rows() { yield 1; }\n  plain() { return 1; }\n  run = async () => 1;\n}\nasync function main() {\n  await both.save();\n  await both.peek();\n  await half.save();\n  await new Store().load();\n  await new Store().plain();\n  await new Store().run();\n}\n";
    assert_eq!(
        decided(source),
        vec![
            (
                "both.save()".to_owned(),
                "`both.save` is declared to return `Promise<void>` by `Both.save` at line 1"
                    .to_owned()
            ),
            (
                "new Store().load()".to_owned(),
                "`new Store().load` is declared `async` by `Store.load` at line 8".to_owned()
            ),
            (
                "new Store().run()".to_owned(),
                "`new Store().run` is declared `async` by `Store.run` at line 11".to_owned()
            ),
        ]
    );
}

#[test]
fn declaration_files_kept_read_each_imported_file_once_and_decide_the_same() {
    use crate::workspace::{FileSystem, MemoryFs};
    use std::cell::RefCell;
    use std::path::Path;
    /// Counts the reads of each file.
    struct Counted(MemoryFs, RefCell<Vec<String>>);
    impl FileSystem for Counted {
        fn read(&self, path: &Path) -> Option<String> {
            self.1.borrow_mut().push(path.display().to_string());
            self.0.read(path)
        }
        fn is_file(&self, path: &Path) -> bool {
            self.0.is_file(path)
        }
        fn is_dir(&self, path: &Path) -> bool {
            self.0.is_dir(path)
        }
    }
    let repo = "export interface Repo {\n  save(): Promise<void>;\n}\nexport declare function load(): Promise<number>;\nexport declare function load(n: number): Promise<number>;\nexport type Done = () => void;\n";
    let mains = [
        "import type { Repo } from './repo.ts';\nasync function f(repo: Repo) {\n  await repo.save();\n}\n",
        "import { load, type Done } from './repo.ts';\ndeclare function onDone(cb: Done): void;\nasync function f() {\n  await load();\n  onDone(async () => {});\n}\n",
        "import { load } from './repo.ts';\nimport { Repo } from './repo.ts';\nexport function g(r: Repo) {\n  load();\n  r.save();\n}\n",
    ];
    let fs = Counted(MemoryFs::with(&[("/w/repo.ts", repo)]), RefCell::default());
    let kept = DeclarationFiles::kept();
    for main in mains {
        let tree = Dialect::TypeScript.parse(main, None);
        let path = Path::new("/w/main.ts");
        let alone = DeclaredTypes::of_file(path, main, &tree, &fs);
        assert!(!alone.is_empty(), "{main}");
        assert_eq!(
            DeclaredTypes::of_file_with(path, main, &tree, &fs, &kept),
            alone,
            "{main}"
        );
    }
    // Each `of_file` read it once, the kept files once for all three.
    let reads = fs.1.borrow().iter().filter(|p| *p == "/w/repo.ts").count();
    assert_eq!(reads, 3 + 1);
}

#[test]
fn kept_files_followed_through_re_exports_and_namespaces_decide_as_read_alone() {
    use crate::workspace::MemoryFs;
    use std::path::Path;
    // Two files in two folders reach `lib/repo.ts` through `lib/index.ts`:
    // the kept index is shared, each names the file its own way.
    let fs = MemoryFs::with(&[
        (
            "/w/lib/index.ts",
            "export * from './repo.ts';\nexport { open } from './open.ts';\n",
        ),
        (
            "/w/lib/repo.ts",
            "interface Row {\n  next(): Promise<Row>;\n}\nexport interface Repo {\n  row(): Row;\n  save(): Promise<void>;\n}\nexport const make = (): Repo => globalThis.impl();\n",
        ),
        (
            "/w/lib/open.ts",
            "declare function open(): Promise<number>;\nexport { open };\n",
        ),
    ]);
    let mains = [
        (
            "/w/main.ts",
            "import { make, type Repo } from './lib/index.ts';\nasync function f(r: Repo) {\n  await r.row().next();\n  await make().save();\n}\n",
        ),
        (
            "/w/sub/main.ts",
            "import * as lib from '../lib/index.ts';\nimport { open } from '../lib/index.ts';\nasync function f() {\n  await lib.make().row().next();\n  await open();\n}\n",
        ),
    ];
    let kept = DeclarationFiles::kept();
    for _ in 0..2 {
        for (path, main) in mains {
            let tree = Dialect::TypeScript.parse(main, None);
            let alone = DeclaredTypes::of_file(Path::new(path), main, &tree, &fs);
            assert!(alone.promises.len() >= 2, "{main}: {alone:?}");
            assert_eq!(
                DeclaredTypes::of_file_with(Path::new(path), main, &tree, &fs, &kept),
                alone,
                "{main}"
            );
        }
    }
}

#[test]
fn the_appended_declarations_parse_as_a_fresh_parse_of_the_whole_text_would() {
    let appended =
        "\ninterface R {\n  save(): Promise<void>;\n}\ndeclare function load(): Promise<number>;";
    for (dialect, own) in [
        (
            Dialect::TypeScript,
            "import type { R } from './r.ts';\nawait load();\n",
        ),
        (Dialect::TypeScript, "let a = b"),
        (Dialect::TypeScript, "let a = b // trailing"),
        (Dialect::TypeScript, "const f = (x: number) =>"),
        (Dialect::TypeScript, "class A { m() {"),
        (Dialect::TypeScript, "/* open comment"),
        (Dialect::TypeScript, "let s = `open template ${"),
        (
            Dialect::TypeScript,
            "type T<in out K> = K\n  <A>(x: A) => A",
        ),
        (Dialect::TypeScript, "let é = '😀'\r\n"),
        (Dialect::Tsx, "const e = <div>{x}</div>;\n"),
        (Dialect::Tsx, "const e = <div>"),
    ] {
        let tree = dialect.parse(own, None);
        let combined = format!("{own}{appended}");
        let fresh = dialect.parse(&combined, None);
        let reused = super::parse_appended(dialect, own, &tree, &combined);
        assert_eq!(nodes(&reused), nodes(&fresh), "{own:?}");
    }
}

/// Every node of `tree` in document order: its kind and byte range.
fn nodes(tree: &tree_sitter::Tree) -> Vec<(&'static str, std::ops::Range<usize>)> {
    let mut found = Vec::new();
    let mut cursor = tree.walk();
    'walk: loop {
        found.push((cursor.node().kind(), cursor.node().byte_range()));
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    found
}
