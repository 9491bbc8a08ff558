//! The facts a file's imports add: the functions, object members and class
//! methods of other workspace files whose calls certainly return a native
//! promise, for the names the file binds only by their import.

use std::hash::{Hash, Hasher};

use super::AsyncFacts;
use crate::analysis::modules::sole_bindings::ImportedPromises;

impl AsyncFacts {
    /// Adds what `imported` says to the file's (merged) facts. An imported
    /// function is taken to be able to reject: its body is in another file.
    pub fn add_imported(&mut self, imported: &ImportedPromises) {
        for name in &imported.functions {
            // Bound only by its import: the import is the one other binding.
            self.other_names.remove(name);
            self.async_names.insert(name.clone());
            self.rejecting_names.insert(name.clone());
        }
        for member in &imported.members {
            self.async_members.insert(member.clone());
            self.rejecting_members.insert(member.clone());
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
}
