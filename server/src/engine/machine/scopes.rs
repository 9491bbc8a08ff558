//! Scopes: creating them, and reading, assigning and declaring bindings.

use std::rc::Rc;

use super::{Machine, Run};
use crate::engine::value::{Binding, Scope, ScopeId, Value};

impl Machine<'_> {
    pub fn new_scope(&mut self, parent: ScopeId) -> ScopeId {
        self.scopes.push(Scope {
            vars: Vec::new(),
            parent: Some(parent),
        });
        self.scopes.len() - 1
    }

    pub(crate) fn lookup(&self, start: ScopeId, name: &str) -> Option<(ScopeId, usize)> {
        let mut scope = Some(start);
        while let Some(id) = scope {
            if let Some(index) = self.scopes[id].find(name) {
                return Some((id, index));
            }
            scope = self.scopes[id].parent;
        }
        None
    }

    pub(crate) fn load(&mut self, scope: ScopeId, name: &str) -> Run<Value> {
        match self.lookup(scope, name) {
            Some((id, index)) => match &self.scopes[id].vars[index].value {
                Some(value) => Ok(value.clone()),
                None => self.abstain(format!(
                    "`{name}` is read before its declaration runs (a ReferenceError)"
                )),
            },
            None => self.undeclared_name(name),
        }
    }

    /// A global binding's value (the program's own top-level bindings come first).
    pub fn load_global(&mut self, name: &str) -> Run<Value> {
        self.load(self.global, name)
    }

    pub(super) fn store(&mut self, scope: ScopeId, name: &str, value: Value) -> Run<()> {
        match self.lookup(scope, name) {
            Some((id, index)) => {
                let binding = &mut self.scopes[id].vars[index];
                if binding.value.is_none() {
                    return self.abstain(format!("`{name}` is assigned before its declaration"));
                }
                if !binding.mutable {
                    return self.abstain(format!("assignment to the constant `{name}`"));
                }
                binding.value = Some(value);
                Ok(())
            }
            None => self.abstain(format!(
                "assignment to `{name}`, which this file does not declare (an implicit global), \
                 is not modelled by ticklens"
            )),
        }
    }

    pub(crate) fn declare(
        &mut self,
        scope: ScopeId,
        name: &Rc<str>,
        value: Option<Value>,
        mutable: bool,
    ) {
        let vars = &mut self.scopes[scope].vars;
        match vars.iter_mut().find(|b| b.name == *name) {
            Some(binding) => {
                binding.value = value;
                binding.mutable = mutable;
            }
            None => vars.push(Binding {
                name: name.clone(),
                value,
                mutable,
            }),
        }
    }
}
