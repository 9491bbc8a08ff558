//! The facts a file's imports add: the functions, object members and class
//! methods of other workspace files whose calls certainly return a native
//! promise, for the names the file binds only by their import, and which of
//! them cannot reject, as the exporting file decided it
//! (`modules::Rejects`).

use std::hash::{Hash, Hasher};

use tree_sitter::Node;

use super::never_rejects::timer_call_cannot_reject;
use super::{text_of, AsyncFacts};
use crate::analysis::modules::sole_bindings::ImportedPromises;
use crate::engine::PromisedTimer;
use crate::syntax::js::unwrap_parens;

impl AsyncFacts {
    /// Adds what `imported` says to the file's (merged) facts. An imported
    /// function or member may reject unless its summary says it cannot:
    /// its body is in another file, whose own facts decided it.
    pub fn add_imported(&mut self, imported: &ImportedPromises) {
        for name in &imported.functions {
            // A function of the file whose TypeScript declares it to return
            // a promise (`async function f(): Promise<void>`) is the file's
            // own: its body decided whether it may reject.
            if imported.declared.contains_key(name)
                && self.async_names.contains(name)
                && !self.other_names.contains(name)
            {
                continue;
            }
            // Bound only by its import: the import is the one other binding.
            self.other_names.remove(name);
            self.async_names.insert(name.clone());
            if !imported.never_reject.contains(name) {
                self.rejecting_names.insert(name.clone());
            }
            if imported.without_options.contains(name) {
                self.rejecting_without_options.insert(name.clone());
            }
        }
        for member in &imported.members {
            if imported.declared.contains_key(member)
                && self.async_members.contains(member)
                && !self.other_members.contains(member)
            {
                continue;
            }
            self.async_members.insert(member.clone());
            if !imported.never_reject.contains(member) {
                self.rejecting_members.insert(member.clone());
            }
        }
        for (callee, why) in &imported.declared {
            self.declared_promises.insert(callee.clone(), why.clone());
        }
        self.void_callbacks = imported.void_callbacks.clone();
        for (key, timer) in &imported.timers {
            self.imported_timers.insert(key.clone(), timer.clone());
        }
        for (class, methods) in &imported.classes {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            ("imported class", class).hash(&mut hasher);
            let key = hasher.finish();
            let methods: std::collections::HashSet<String> = methods.iter().cloned().collect();
            self.class_ids.insert(class.clone(), key);
            self.rejecting_class_methods.insert(key, methods.clone());
            self.class_methods
                .insert(key, (methods, Default::default()));
        }
    }

    /// True when `call` calls an imported promised timer (`sleep(500)`,
    /// `utils.sleep(500)` of `const sleep = promisify(setTimeout)` exported
    /// by another file) with arguments on which it cannot reject, read as a
    /// direct call of the timer is ([`timer_call_cannot_reject`]).
    pub(super) fn imported_timer_cannot_reject(&self, source: &str, call: Node) -> bool {
        if self.imported_timers.is_empty() {
            return false;
        }
        let Some(callee) = call
            .child_by_field_id(crate::field!("function"))
            .map(unwrap_parens)
        else {
            return false;
        };
        let key = match callee.kind() {
            "identifier" => {
                let name = text_of(source, callee);
                self.note_name(name);
                name.to_owned()
            }
            "member_expression" => {
                let (Some(object), Some(property)) = (
                    callee
                        .child_by_field_id(crate::field!("object"))
                        .map(unwrap_parens)
                        .filter(|o| o.kind() == "identifier"),
                    callee.child_by_field_id(crate::field!("property")),
                ) else {
                    return false;
                };
                let qualified =
                    format!("{}.{}", text_of(source, object), text_of(source, property));
                self.note_member(&qualified);
                qualified
            }
            _ => return false,
        };
        self.imported_timers
            .get(&key)
            .and_then(|timer| PromisedTimer::named(timer))
            .is_some_and(|timer| timer_call_cannot_reject(source, timer, call))
    }
}
