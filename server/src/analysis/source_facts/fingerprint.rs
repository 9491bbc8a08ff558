//! Hashes of the facts, for incremental analysis: whether a unit's facts
//! changed, and whether the file's facts answer every query as before.

use std::hash::{Hash, Hasher};

use super::{AsyncFacts, BOUND_GLOBALS};
use crate::analysis::lookups::Lookup;

impl AsyncFacts {
    /// A hash of every fact recorded, the same for equal facts whatever order
    /// they were recorded in: it tells whether a unit's facts changed.
    pub fn fingerprint(&self) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for set in [&self.other_names, &self.other_members] {
            sorted(set.iter()).hash(&mut hasher);
        }
        let mut instances: Vec<_> = self.instances.iter().collect();
        instances.sort_unstable();
        instances.hash(&mut hasher);
        self.answers_fingerprint().hash(&mut hasher);
        hasher.finish()
    }

    /// A hash of what these facts can answer, the same for facts that answer
    /// every query alike. Names bound to something other than an async
    /// function matter only where they shadow an async function, an
    /// `fs/promises` binding or one of the [`BOUND_GLOBALS`]; the rest (every
    /// local variable of the file) is left out, so an edit to a local does not
    /// change it. Meaningful for a whole file's merged facts only: a unit's
    /// local can shadow another unit's async function.
    pub fn answers_fingerprint(&self) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for set in [
            &self.async_names,
            &self.async_members,
            &self.async_method_names,
            &self.rejecting_names,
            &self.rejecting_without_options,
            &self.rejecting_members,
            &self.module_names,
            &self.fs_modules,
            &self.fs_promises_modules,
            &self.fs_promises_functions,
            &self.util_modules,
            &self.util_promisify,
        ] {
            sorted(set.iter()).hash(&mut hasher);
            0xffu8.hash(&mut hasher);
        }
        let shadowing = self.other_names.iter().filter(|name| {
            self.async_names.contains(*name)
                || self.fs_promises_functions.contains(*name)
                || self.fs_promises_modules.contains(*name)
                || self.util_modules.contains(*name)
                || self.util_promisify.contains(*name)
                || BOUND_GLOBALS.contains(&name.as_str())
        });
        sorted(shadowing).hash(&mut hasher);
        sorted(
            self.other_members
                .iter()
                .filter(|member| self.async_members.contains(*member)),
        )
        .hash(&mut hasher);
        let mut classes: Vec<_> = self
            .class_methods
            .iter()
            .map(|(class, (a, o))| (*class, sorted(a.iter()), sorted(o.iter())))
            .collect();
        classes.sort_unstable();
        classes.hash(&mut hasher);
        let mut rejecting: Vec<_> = self
            .rejecting_class_methods
            .iter()
            .map(|(class, methods)| (*class, sorted(methods.iter())))
            .collect();
        rejecting.sort_unstable();
        rejecting.hash(&mut hasher);
        let mut ids: Vec<_> = self.class_ids.iter().collect();
        ids.sort_unstable();
        ids.hash(&mut hasher);
        let mut instances: Vec<_> = self
            .instances
            .iter()
            .filter(|(_, class)| self.class_ids.contains_key(*class))
            .collect();
        instances.sort_unstable();
        instances.hash(&mut hasher);
        let mut timers: Vec<_> = self.imported_timers.iter().collect();
        timers.sort_unstable();
        timers.hash(&mut hasher);
        let mut declared: Vec<_> = self.declared_promises.iter().collect();
        declared.sort_unstable();
        declared.hash(&mut hasher);
        self.void_callbacks.hash(&mut hasher);
        hasher.finish()
    }

    /// A hash of every answer these facts give for `lookup`'s key, in every
    /// table keyed by it: equal before and after an edit when no query about
    /// the key can tell the two apart.
    pub fn answer(&self, lookup: &Lookup) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        match lookup {
            Lookup::Name(name) => {
                for set in [
                    &self.async_names,
                    &self.other_names,
                    &self.async_method_names,
                    &self.class_async_members,
                    &self.rejecting_names,
                    &self.rejecting_without_options,
                    &self.module_names,
                    &self.fs_modules,
                    &self.fs_promises_modules,
                    &self.fs_promises_functions,
                    &self.util_modules,
                    &self.util_promisify,
                ] {
                    set.contains(name).hash(&mut hasher);
                }
                self.instances.get(name).hash(&mut hasher);
                self.class_ids.get(name).hash(&mut hasher);
                self.imported_timers.get(name).hash(&mut hasher);
                self.declared_promises.get(name).hash(&mut hasher);
            }
            Lookup::Member(qualified) => {
                for set in [
                    &self.async_members,
                    &self.other_members,
                    &self.rejecting_members,
                ] {
                    set.contains(qualified).hash(&mut hasher);
                }
                self.imported_timers.get(qualified).hash(&mut hasher);
                self.declared_promises.get(qualified).hash(&mut hasher);
            }
            Lookup::Class(class) => {
                self.class_methods
                    .get(class)
                    .map(|(async_methods, other)| (sorted(async_methods), sorted(other)))
                    .hash(&mut hasher);
                self.rejecting_class_methods
                    .get(class)
                    .map(sorted)
                    .hash(&mut hasher);
            }
        }
        hasher.finish()
    }
}

/// `items` in order: a hash of a set must not depend on its iteration order.
fn sorted<'a>(items: impl IntoIterator<Item = &'a String>) -> Vec<&'a String> {
    let mut items: Vec<_> = items.into_iter().collect();
    items.sort_unstable();
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    #[test]
    fn renaming_a_plain_local_keeps_the_answers_and_shadowing_changes_them() {
        let answers = |source: &str| {
            let facts = AsyncFacts::collect(source, &syntax::parse(source, None));
            (facts.fingerprint(), facts.answers_fingerprint())
        };
        let base = "async function save() {}\nfunction run(a) { let count = 1; save(); }\n";
        let renamed = "async function save() {}\nfunction run(a) { let total = 1; save(); }\n";
        let shadowing = "async function save() {}\nfunction run(a) { let save = 1; save(); }\n";
        let (base_all, base_answers) = answers(base);
        let (renamed_all, renamed_answers) = answers(renamed);
        let (shadowing_all, shadowing_answers) = answers(shadowing);
        assert_ne!(base_all, renamed_all, "the recorded facts changed");
        assert_eq!(
            base_answers, renamed_answers,
            "no query answers differently"
        );
        assert_ne!(base_all, shadowing_all);
        assert_ne!(
            base_answers, shadowing_answers,
            "save() is no longer certainly async"
        );
        let global = "async function save() {}\nfunction run(Promise) { save(); }\n";
        assert_ne!(
            base_answers,
            answers(global).1,
            "a shadowed global changes answers"
        );
    }
}
