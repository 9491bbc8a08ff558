//! The rule registry: the [`Rule`] trait and the `rules!` macro that turns
//! the one list in `rules/mod.rs` into the rule modules, their re-exports
//! and [`ALL`](super::ALL).

use super::RuleContext;
use crate::findings::Finding;

/// A check over one document. Implemented by `declare_rule!`, which hands
/// out the rule's metadata and calls its struct's inherent `check`.
pub trait Rule: Sync {
    fn meta(&self) -> &'static super::RuleMeta;
    fn check(&self, ctx: &RuleContext) -> Vec<Finding>;
}

/// Declares each rule module, re-exports its rule and lists it in `ALL`, in
/// the order given: each rule is named once. Invoked in `rules/mod.rs`, so
/// that the modules' files are found beside it.
macro_rules! rules {
    ($($module:ident::$rule:ident),* $(,)?) => {
        $(
            mod $module;
            pub use $module::$rule;
        )*

        /// Every rule ticklens runs.
        pub const ALL: &[&dyn Rule] = &[$(&$rule),*];
    };
}
pub(crate) use rules;

#[cfg(test)]
mod tests {
    use super::super::ALL;

    #[test]
    fn rule_codes_are_unique_and_kebab_case() {
        let mut codes: Vec<&str> = ALL.iter().map(|r| r.meta().code).collect();
        assert!(codes
            .iter()
            .all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-')));
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ALL.len());
    }
}
