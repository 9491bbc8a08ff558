//! Index keys (`{ 1: a }`, `{ [i]: a }`, `o[1] = a`) on plain objects. V8
//! keeps them apart and lists them first, in ascending order; the engine's
//! objects keep one insertion order, so an object holding one has hidden keys
//! (`hidden_props`: listing, copying or printing it abstains), while reading,
//! writing and `in` on the key itself are exact.

use super::machine::{Machine, Run};
use super::ops::number_to_string;
use super::value::{ObjId, ObjKind, Value};

impl Machine<'_> {
    /// `{ 1: v }`, `{ [i]: v }` and `o[1] = v` with an index key on a plain
    /// object: V8 lists index keys before the others, which the engine's
    /// objects do not, so the object's keys become hidden (listing, copying
    /// or printing it abstains) while reads of the key find it.
    pub(crate) fn define_index_member(
        &mut self,
        object: &Value,
        key: &Value,
        value: Value,
    ) -> Run<()> {
        let plain = object
            .as_object()
            .filter(|id| matches!(self.heap[*id].kind, ObjKind::Plain));
        let (Some(id), Some(name)) = (plain, index_key(key)) else {
            return self.abstain("computed or numeric member names are not modelled");
        };
        if self.non_writable_on_chain(id, &name) {
            return self.abstain("writing an index key that is not writable");
        }
        self.heap[id].set_own(&name, value);
        self.heap[id].hidden_props = true;
        Ok(())
    }

    /// The value of an own index-keyed member of a plain object.
    pub(crate) fn own_index_member(&self, object: &Value, key: &Value) -> Option<Value> {
        let id = object.as_object()?;
        let target = &self.heap[id];
        if !matches!(target.kind, ObjKind::Plain) {
            return None;
        }
        target.get_own(&index_key(key)?).cloned()
    }

    /// HasProperty with an index key on a chain of plain objects, which hold
    /// one only where `define_index_member` put it.
    pub(crate) fn has_index_member(&self, id: ObjId, key: &Value) -> Run<Option<bool>> {
        let name = index_key(key).unwrap_or_default();
        let mut current = Some(id);
        while let Some(object) = current.map(|id| &self.heap[id]) {
            if matches!(object.kind, ObjKind::Unknown(_) | ObjKind::Opaque { .. }) || object.blurred
            {
                return Ok(None);
            }
            if !matches!(object.kind, ObjKind::Plain) {
                return self.abstain("`in` on this kind of object is not modelled");
            }
            if object.get_own(&name).is_some() {
                return Ok(Some(true));
            }
            current = object.proto;
        }
        Ok(Some(false))
    }
}

/// The canonical key of an array index (`1`, `"1"`), if `key` is one.
pub(crate) fn index_key(key: &Value) -> Option<String> {
    match key {
        Value::Str(name) if super::compile_literal::is_array_index(name) => Some(name.to_string()),
        Value::Number(n) if *n >= 0.0 && n.fract() == 0.0 && *n < 4_294_967_295.0 => {
            Some(number_to_string(*n))
        }
        _ => None,
    }
}
