//! `structuredClone` of plain data (HTML's StructuredSerializeInternal and
//! StructuredDeserialize): primitives, arrays and objects whose own
//! properties are all enumerable data properties are copied, shared and
//! circular references kept; a class instance becomes a plain object (its
//! own properties only, private ones dropped). What the engine does not model
//! the clone of (functions, which throw a DataCloneError, maps, errors, dates,
//! host objects, accessors) abstains; an unknown or a blurred object clones
//! to an unknown in a facts run.

use super::builtins::arg;
use super::classes::is_private;
use super::machine::{normal, Completion, Machine, Run};
use super::value::{ObjId, ObjKind, Value};

/// The clones made so far, by original: a shared or circular reference
/// clones to the same copy.
type Copies = Vec<(ObjId, ObjId)>;

impl Machine<'_> {
    /// `structuredClone(value)`; options (`transfer`) abstain.
    pub(crate) fn structured_clone(&mut self, args: &[Value]) -> Run<Completion> {
        if !matches!(arg(args, 1), Value::Undefined) {
            return self.abstain("`structuredClone` options are not modelled");
        }
        let mut copies = Copies::new();
        normal(self.clone_value(&arg(args, 0), &mut copies)?)
    }

    fn clone_value(&mut self, value: &Value, copies: &mut Copies) -> Run<Value> {
        let Value::Object(id) = value else {
            return Ok(value.clone());
        };
        let id = *id;
        if let Some(&(_, copy)) = copies.iter().find(|(original, _)| *original == id) {
            return Ok(Value::Object(copy));
        }
        if self.heap[id].blurred || matches!(self.heap[id].kind, ObjKind::Unknown(_)) {
            let origin = format!("structuredClone({})", self.span_text());
            return self.unknown_or_abstain(
                &origin,
                "`structuredClone` of a value the engine cannot see",
            );
        }
        match &self.heap[id].kind {
            ObjKind::Array(items) => {
                let items = items.clone();
                let copy = self.alloc(ObjKind::Array(Vec::new()));
                copies.push((id, copy));
                let mut cloned = Vec::with_capacity(items.len());
                for item in &items {
                    cloned.push(self.clone_value(item, copies)?);
                }
                self.account_slots(cloned.len())?;
                self.heap[copy].kind = ObjKind::Array(cloned);
                Ok(Value::Object(copy))
            }
            ObjKind::Plain if !self.heap[id].hidden_props && !self.has_accessor(id) => {
                let props: Vec<_> = self.heap[id]
                    .props
                    .iter()
                    .filter(|(key, _)| !is_private(key))
                    .cloned()
                    .collect();
                let copy = self.alloc(ObjKind::Plain);
                copies.push((id, copy));
                for (key, item) in props {
                    let item = self.clone_value(&item, copies)?;
                    self.heap[copy].set_own(&key, item);
                }
                Ok(Value::Object(copy))
            }
            _ => self.abstain("`structuredClone` of this kind of value is not modelled"),
        }
    }
}
