//! A unit's facts as the analysis cache keeps them between runs: every name
//! in one string and one small record per fact, instead of the eighteen hash
//! sets and maps of an [`AsyncFacts`] (808 bytes before its first name, and
//! a table per non-empty set). On the 10,000-line benchmark file the cached
//! facts of its 1,035 units took 1.73 MB as `AsyncFacts` (docs/performance.md,
//! "Memory for one open document").
//!
//! The cache only ever merges these into a file's facts
//! ([`AsyncFacts::merge_compact`]) or copies them; the result is the facts
//! [`AsyncFacts::merge`] gives from the full ones.

use std::collections::HashSet;

use super::AsyncFacts;

/// The facts of one unit, packed: see the module's documentation.
#[derive(Clone, Debug)]
pub struct CompactFacts {
    /// Every name and value, one after the other.
    text: Box<str>,
    facts: Box<[Fact]>,
}

/// One recorded fact. Its name is the text from the end of the previous
/// fact's value to `name_end`, its value the text from there to `value_end`
/// (empty but for [`Field::Instances`]).
#[derive(Clone, Copy, Debug)]
struct Fact {
    /// The class key, for the class fields (and a class id's value).
    class: u64,
    name_end: u32,
    value_end: u32,
    field: Field,
}

/// Which set or map of [`AsyncFacts`] a fact belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    AsyncNames,
    OtherNames,
    AsyncMembers,
    OtherMembers,
    /// A class of `class_methods`, even one without methods (no name).
    Class,
    ClassAsyncMethod,
    ClassOtherMethod,
    /// Class name -> class key.
    ClassId,
    ClassAsyncMembers,
    AsyncMethodNames,
    RejectingNames,
    RejectingWithoutOptions,
    RejectingMembers,
    /// A class of `rejecting_class_methods`, even one without methods (no name).
    RejectingClass,
    RejectingClassMethod,
    ModuleNames,
    /// Variable -> class name.
    Instances,
    FsModules,
    FsPromisesModules,
    FsPromisesFunctions,
    UtilModules,
    UtilPromisify,
}

/// Builds a [`CompactFacts`] fact by fact.
#[derive(Default)]
struct Packer {
    text: String,
    facts: Vec<Fact>,
}

impl Packer {
    fn push(&mut self, field: Field, class: u64, name: &str, value: &str) {
        self.text.push_str(name);
        let name_end = offset(&self.text);
        self.text.push_str(value);
        self.facts.push(Fact {
            class,
            name_end,
            value_end: offset(&self.text),
            field,
        });
    }

    fn names<'a>(&mut self, field: Field, class: u64, names: impl IntoIterator<Item = &'a String>) {
        for name in names {
            self.push(field, class, name, "");
        }
    }
}

/// The packed text's length as a fact's bound. A unit's names are a part of
/// its source, and documents are far below 4 GiB.
fn offset(text: &str) -> u32 {
    u32::try_from(text.len()).expect("a unit's names fit in 4 GiB")
}

impl AsyncFacts {
    /// These facts, packed for keeping (see [`CompactFacts`]).
    pub fn compact(&self) -> CompactFacts {
        // Destructured whole, so that a new field cannot be forgotten here.
        let AsyncFacts {
            async_names,
            other_names,
            async_members,
            other_members,
            class_methods,
            class_ids,
            class_async_members,
            async_method_names,
            rejecting_names,
            rejecting_without_options,
            rejecting_members,
            rejecting_class_methods,
            module_names,
            instances,
            fs_modules,
            fs_promises_modules,
            fs_promises_functions,
            util_modules,
            util_promisify,
            // Imported facts are added to merged facts, never kept per unit.
            imported_timers: _,
            declared_promises: _,
            void_callbacks: _,
            log: _,
        } = self;
        let mut packer = Packer::default();
        packer.names(Field::AsyncNames, 0, async_names);
        packer.names(Field::OtherNames, 0, other_names);
        packer.names(Field::AsyncMembers, 0, async_members);
        packer.names(Field::OtherMembers, 0, other_members);
        for (&class, (async_methods, other_methods)) in class_methods {
            packer.push(Field::Class, class, "", "");
            packer.names(Field::ClassAsyncMethod, class, async_methods);
            packer.names(Field::ClassOtherMethod, class, other_methods);
        }
        for (name, &class) in class_ids {
            packer.push(Field::ClassId, class, name, "");
        }
        packer.names(Field::ClassAsyncMembers, 0, class_async_members);
        packer.names(Field::AsyncMethodNames, 0, async_method_names);
        packer.names(Field::RejectingNames, 0, rejecting_names);
        packer.names(Field::RejectingWithoutOptions, 0, rejecting_without_options);
        packer.names(Field::RejectingMembers, 0, rejecting_members);
        for (&class, methods) in rejecting_class_methods {
            packer.push(Field::RejectingClass, class, "", "");
            packer.names(Field::RejectingClassMethod, class, methods);
        }
        packer.names(Field::ModuleNames, 0, module_names);
        for (variable, class) in instances {
            packer.push(Field::Instances, 0, variable, class);
        }
        packer.names(Field::FsModules, 0, fs_modules);
        packer.names(Field::FsPromisesModules, 0, fs_promises_modules);
        packer.names(Field::FsPromisesFunctions, 0, fs_promises_functions);
        packer.names(Field::UtilModules, 0, util_modules);
        packer.names(Field::UtilPromisify, 0, util_promisify);
        CompactFacts {
            text: packer.text.into_boxed_str(),
            facts: packer.facts.into_boxed_slice(),
        }
    }

    /// Adds `other`'s facts to these, as [`AsyncFacts::merge`] adds the
    /// facts `other` was packed from.
    pub fn merge_compact(&mut self, other: &CompactFacts) {
        let mut start = 0;
        for fact in other.facts.iter() {
            let (name_end, value_end) = (fact.name_end as usize, fact.value_end as usize);
            let name = &other.text[start..name_end];
            let value = &other.text[name_end..value_end];
            start = value_end;
            let set: &mut HashSet<String> = match fact.field {
                Field::AsyncNames => &mut self.async_names,
                Field::OtherNames => &mut self.other_names,
                Field::AsyncMembers => &mut self.async_members,
                Field::OtherMembers => &mut self.other_members,
                Field::Class => {
                    self.class_methods.entry(fact.class).or_default();
                    continue;
                }
                Field::ClassAsyncMethod => &mut self.class_methods.entry(fact.class).or_default().0,
                Field::ClassOtherMethod => &mut self.class_methods.entry(fact.class).or_default().1,
                Field::ClassId => {
                    self.class_ids.insert(name.to_owned(), fact.class);
                    continue;
                }
                Field::ClassAsyncMembers => &mut self.class_async_members,
                Field::AsyncMethodNames => &mut self.async_method_names,
                Field::RejectingNames => &mut self.rejecting_names,
                Field::RejectingWithoutOptions => &mut self.rejecting_without_options,
                Field::RejectingMembers => &mut self.rejecting_members,
                Field::RejectingClass => {
                    self.rejecting_class_methods.entry(fact.class).or_default();
                    continue;
                }
                Field::RejectingClassMethod => {
                    self.rejecting_class_methods.entry(fact.class).or_default()
                }
                Field::ModuleNames => &mut self.module_names,
                Field::Instances => {
                    self.instances.insert(name.to_owned(), value.to_owned());
                    continue;
                }
                Field::FsModules => &mut self.fs_modules,
                Field::FsPromisesModules => &mut self.fs_promises_modules,
                Field::FsPromisesFunctions => &mut self.fs_promises_functions,
                Field::UtilModules => &mut self.util_modules,
                Field::UtilPromisify => &mut self.util_promisify,
            };
            if !set.contains(name) {
                set.insert(name.to_owned());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::units::units;
    use crate::rules::query_registry::query_set;
    use crate::syntax::{self, SyntaxIndex};

    /// Every kind of fact: async and other functions, object-literal
    /// methods, classes (with and without methods, rejecting or not), class
    /// instances, `fs`, `fs/promises` and `util` bindings, a name bound twice.
    const SOURCE: &str = r#"
import fs from "fs";
import { readFile } from "fs/promises";
const fsp = require("fs").promises;
const util = require("node:util");
const { promisify } = require("util");
async function load(id) { return db.get(id); }
function plain() { return 1; }
const wait = async ({ signal }) => { try { await once(em, "x", { signal }); } catch {} };
const store = { async save(x) { await x; }, size() { return 0; } };
class Repo {
  async find(id) { throw new Error(id); }
  count() { return 0; }
  handler = async () => { await null; };
}
class Empty {}
const repo = new Repo();
let load2 = async () => 1;
var plain = 2;
export async function run() { await repo.find(1); await store.save(2); }
"#;

    /// Every unit's facts merged, once from the facts and once from their packed form.
    fn merged_both_ways(source: &str) -> (AsyncFacts, AsyncFacts) {
        let tree = syntax::parse(source, None);
        let (mut full, mut packed) = (AsyncFacts::default(), AsyncFacts::default());
        for unit in units(source, &tree) {
            let index = SyntaxIndex::spanning(&unit.nodes, query_set());
            let facts = AsyncFacts::from_index(source, &index);
            full.merge(&facts);
            packed.merge_compact(&facts.compact());
        }
        (full, packed)
    }

    #[test]
    fn merging_the_packed_facts_gives_the_facts() {
        let (full, packed) = merged_both_ways(SOURCE);
        // Field by field (hash sets compare whatever their order), destructured
        // whole so that a new field must be compared too.
        let AsyncFacts {
            async_names,
            other_names,
            async_members,
            other_members,
            class_methods,
            class_ids,
            class_async_members,
            async_method_names,
            rejecting_names,
            rejecting_without_options,
            rejecting_members,
            rejecting_class_methods,
            module_names,
            instances,
            fs_modules,
            fs_promises_modules,
            fs_promises_functions,
            util_modules,
            util_promisify,
            imported_timers,
            declared_promises: _,
            void_callbacks: _,
            log: _,
        } = &full;
        assert_eq!(imported_timers, &packed.imported_timers);
        assert_eq!(async_names, &packed.async_names);
        assert_eq!(other_names, &packed.other_names);
        assert_eq!(async_members, &packed.async_members);
        assert_eq!(other_members, &packed.other_members);
        assert_eq!(class_methods, &packed.class_methods);
        assert_eq!(class_ids, &packed.class_ids);
        assert_eq!(class_async_members, &packed.class_async_members);
        assert_eq!(async_method_names, &packed.async_method_names);
        assert_eq!(rejecting_names, &packed.rejecting_names);
        assert_eq!(rejecting_without_options, &packed.rejecting_without_options);
        assert!(!rejecting_without_options.is_empty());
        assert_eq!(rejecting_members, &packed.rejecting_members);
        assert_eq!(rejecting_class_methods, &packed.rejecting_class_methods);
        assert_eq!(module_names, &packed.module_names);
        assert_eq!(instances, &packed.instances);
        assert_eq!(fs_modules, &packed.fs_modules);
        assert_eq!(fs_promises_modules, &packed.fs_promises_modules);
        assert_eq!(fs_promises_functions, &packed.fs_promises_functions);
        assert_eq!(util_modules, &packed.util_modules);
        assert_eq!(util_promisify, &packed.util_promisify);
        assert_eq!(full.fingerprint(), packed.fingerprint());
        // The source exercises every kind of fact, so a field the packing
        // dropped would show above.
        assert!(!class_methods.is_empty() && !class_ids.is_empty() && !instances.is_empty());
        assert!(!async_members.is_empty() && !rejecting_class_methods.is_empty());
        assert!(!fs_modules.is_empty() || !fs_promises_modules.is_empty());
        assert!(!fs_promises_functions.is_empty() && !class_async_members.is_empty());
        assert!(!util_modules.is_empty() && !util_promisify.is_empty());
    }
}
