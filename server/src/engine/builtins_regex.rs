//! Regular expression literals as values (§13.2.7.3): each evaluation makes
//! a new object that `typeof` calls "object". The engine has no regex
//! engine: the object is opaque, so reading or calling its members gives an
//! unknown in a facts run and abstains in an order run, and printing it
//! abstains.

use std::rc::Rc;

use super::machine::{normal, Completion, Machine, Run};
use super::value::{ObjKind, Value};

/// The internal binding the compiled literal calls; no program can name it.
pub(crate) const REGEX_LITERAL_BINDING: &str = "%RegExpLiteral%";

impl Machine<'_> {
    /// A new regex object for the literal whose source text is `args[0]`.
    pub(crate) fn regex_literal(&mut self, args: &[Value]) -> Run<Completion> {
        let source: Rc<str> = match args.first() {
            Some(Value::Str(text)) => text.clone(),
            _ => return self.abstain("internal: a regex literal without its text"),
        };
        let id = self.alloc(ObjKind::Opaque {
            name: source,
            type_of: "object",
        });
        normal(Value::Object(id))
    }
}
