//! Array and string methods (ECMA-262 §23.1.3, §22.1.3), the common subset.

use super::builtins::arg;
use super::machine::{normal, Completion, Machine, Run};
use super::ops::strict_equals;
use super::value::{ArrayMethod, ObjId, ObjKind, StringMethod, Value};

impl Machine<'_> {
    fn array_of(&self, this: &Value) -> Run<ObjId> {
        match this.as_object() {
            Some(id) if matches!(self.heap[id].kind, ObjKind::Array(_)) => Ok(id),
            _ => self.abstain("an array method called on a non-array"),
        }
    }

    fn items(&mut self, id: ObjId) -> &mut Vec<Value> {
        match &mut self.heap[id].kind {
            ObjKind::Array(items) => items,
            // `array_of` checked the kind; keep the type checker content.
            _ => unreachable_items(),
        }
    }

    fn element(&self, id: ObjId, index: usize) -> Option<Value> {
        match &self.heap[id].kind {
            ObjKind::Array(items) => items.get(index).cloned(),
            _ => None,
        }
    }

    fn relative_index(&self, value: &Value, len: usize, default: usize) -> Run<usize> {
        if *value == Value::Undefined {
            return Ok(default);
        }
        let n = self.to_number(value)?.trunc();
        let n = if n.is_nan() { 0.0 } else { n };
        let len_f = len as f64;
        Ok(if n < 0.0 {
            (len_f + n).max(0.0) as usize
        } else {
            n.min(len_f) as usize
        })
    }

    pub(crate) fn array_method(
        &mut self,
        method: ArrayMethod,
        this: Value,
        args: Vec<Value>,
    ) -> Run<Completion> {
        if let Some((id, len)) = this.as_object().and_then(|id| match self.heap[id].kind {
            ObjKind::Holes(len) => Some((id, len)),
            _ => None,
        }) {
            return self.holes_method(id, len, method, this, args);
        }
        let id = self.array_of(&this)?;
        let mutates = matches!(
            method,
            ArrayMethod::Push
                | ArrayMethod::Pop
                | ArrayMethod::Shift
                | ArrayMethod::Unshift
                | ArrayMethod::Reverse
                | ArrayMethod::Splice
                | ArrayMethod::Sort
                | ArrayMethod::Fill
        );
        if mutates && self.heap[id].frozen {
            return self.abstain("changing a frozen array (a TypeError)");
        }
        let len = self.items(id).len();
        match method {
            ArrayMethod::Splice
            | ArrayMethod::Sort
            | ArrayMethod::Flat
            | ArrayMethod::FlatMap
            | ArrayMethod::Fill
            | ArrayMethod::At
            | ArrayMethod::FindLast
            | ArrayMethod::FindLastIndex
            | ArrayMethod::LastIndexOf => self.array_method_more(method, id, this, args),
            ArrayMethod::Push => {
                let items = self.items(id);
                items.extend(args);
                normal(Value::Number(items.len() as f64))
            }
            ArrayMethod::Pop => normal(self.items(id).pop().unwrap_or(Value::Undefined)),
            ArrayMethod::Shift => {
                let items = self.items(id);
                normal(if items.is_empty() {
                    Value::Undefined
                } else {
                    items.remove(0)
                })
            }
            ArrayMethod::Unshift => {
                let items = self.items(id);
                for (i, value) in args.into_iter().enumerate() {
                    items.insert(i, value);
                }
                normal(Value::Number(items.len() as f64))
            }
            ArrayMethod::Join => {
                let separator = match arg(&args, 0) {
                    Value::Undefined => ",".to_owned(),
                    other => self.to_string(&other)?,
                };
                let items = self.items(id).clone();
                let mut text = String::new();
                for (index, item) in items.iter().enumerate() {
                    let part = if item.is_nullish() {
                        String::new()
                    } else {
                        self.to_string(item)?
                    };
                    let separator = if index > 0 { separator.as_str() } else { "" };
                    self.check_length(text.len() + separator.len() + part.len())?;
                    text.push_str(separator);
                    text.push_str(&part);
                }
                normal(self.new_string(&text)?)
            }
            ArrayMethod::Includes | ArrayMethod::IndexOf => {
                let needle = arg(&args, 0);
                let items = self.items(id).clone();
                let found = items.iter().position(|item| match method {
                    // includes uses SameValueZero: NaN finds NaN.
                    ArrayMethod::Includes => {
                        strict_equals(item, &needle)
                            || matches!((item, &needle), (Value::Number(a), Value::Number(b)) if a.is_nan() && b.is_nan())
                    }
                    _ => strict_equals(item, &needle),
                });
                normal(match method {
                    ArrayMethod::Includes => Value::Bool(found.is_some()),
                    _ => Value::Number(found.map_or(-1.0, |i| i as f64)),
                })
            }
            ArrayMethod::Slice => {
                let start = self.relative_index(&arg(&args, 0), len, 0)?;
                let end = self.relative_index(&arg(&args, 1), len, len)?;
                self.account_slots(end.saturating_sub(start))?;
                let items = self.items(id);
                let slice = items
                    .get(start..end.max(start))
                    .map(<[Value]>::to_vec)
                    .unwrap_or_default();
                normal(Value::Object(self.alloc(ObjKind::Array(slice))))
            }
            ArrayMethod::Concat => {
                let added: usize = args
                    .iter()
                    .map(
                        |value| match value.as_object().map(|v| &self.heap[v].kind) {
                            Some(ObjKind::Array(more)) => more.len(),
                            _ => 1,
                        },
                    )
                    .sum();
                self.account_slots(len + added)?;
                let mut result = self.items(id).clone();
                for value in args {
                    match value.as_object().map(|v| &self.heap[v].kind) {
                        Some(ObjKind::Array(more)) => result.extend(more.clone()),
                        _ => result.push(value),
                    }
                }
                normal(Value::Object(self.alloc(ObjKind::Array(result))))
            }
            ArrayMethod::Reverse => {
                self.items(id).reverse();
                normal(this)
            }
            ArrayMethod::Reduce => {
                let (callback, initial) = (arg(&args, 0), args.get(1).cloned());
                self.array_reduce(id, len, this, callback, initial)
            }
            ArrayMethod::Map
            | ArrayMethod::Filter
            | ArrayMethod::ForEach
            | ArrayMethod::Some
            | ArrayMethod::Every
            | ArrayMethod::Find
            | ArrayMethod::FindIndex => self.array_callback_method(method, id, len, this, &args),
        }
    }

    /// `reduce` (§23.1.3.24): the callback folds the elements from the
    /// initial value (one passed, even `undefined`), or from the first.
    fn array_reduce(
        &mut self,
        id: ObjId,
        len: usize,
        this: Value,
        callback: Value,
        initial: Option<Value>,
    ) -> Run<Completion> {
        let mut index = 0;
        let mut accumulator = match initial {
            Some(initial) => initial,
            None => match self.element(id, 0) {
                Some(first) => {
                    index = 1;
                    first
                }
                None => return self.abstain("reduce of an empty array (a TypeError)"),
            },
        };
        while index < len {
            let Some(item) = self.element(id, index) else {
                break;
            };
            let call_args = vec![accumulator, item, Value::Number(index as f64), this.clone()];
            match self.call(&callback, Value::Undefined, call_args)? {
                Completion::Normal(value) => accumulator = value,
                thrown => return Ok(thrown),
            }
            index += 1;
        }
        normal(accumulator)
    }

    /// `map`, `filter`, `forEach`, `some`, `every`, `find` and `findIndex`:
    /// the callback runs on each element until the method has its answer.
    fn array_callback_method(
        &mut self,
        method: ArrayMethod,
        id: ObjId,
        len: usize,
        this: Value,
        args: &[Value],
    ) -> Run<Completion> {
        let callback = arg(args, 0);
        if !self.is_callable(&callback) {
            return self.abstain("an array callback that is not a function (a TypeError)");
        }
        let mut results = Vec::new();
        for index in 0..len {
            // Elements removed during iteration are skipped (HasProperty).
            let Some(item) = self.element(id, index) else {
                break;
            };
            let call_args = vec![item.clone(), Value::Number(index as f64), this.clone()];
            let value = match self.call(&callback, Value::Undefined, call_args)? {
                Completion::Normal(value) => value,
                thrown => return Ok(thrown),
            };
            match method {
                ArrayMethod::Map => results.push(value),
                ArrayMethod::Filter if value.truthy() => results.push(item),
                ArrayMethod::Some if value.truthy() => return normal(Value::Bool(true)),
                ArrayMethod::Every if !value.truthy() => return normal(Value::Bool(false)),
                ArrayMethod::Find if value.truthy() => return normal(item),
                ArrayMethod::FindIndex if value.truthy() => {
                    return normal(Value::Number(index as f64))
                }
                _ => {}
            }
        }
        normal(match method {
            ArrayMethod::Map | ArrayMethod::Filter => {
                Value::Object(self.alloc(ObjKind::Array(results)))
            }
            ArrayMethod::Some => Value::Bool(false),
            ArrayMethod::Every => Value::Bool(true),
            ArrayMethod::FindIndex => Value::Number(-1.0),
            _ => Value::Undefined,
        })
    }

    pub(crate) fn string_method(
        &mut self,
        method: StringMethod,
        this: Value,
        args: Vec<Value>,
    ) -> Run<Completion> {
        let Value::Str(text) = &this else {
            return self.abstain("a string method called on a non-string");
        };
        let utf16_split =
            method == StringMethod::Split && super::builtins_string::splits_as_utf16(text, &args);
        if !text.is_ascii() && !utf16_split {
            return self.abstain("string methods on non-ASCII text are not modelled");
        }
        let text = text.to_string();
        let string_arg =
            |machine: &Self, index: usize| -> Run<String> { machine.to_string(&arg(&args, index)) };
        let result = match method {
            StringMethod::Split
            | StringMethod::Replace
            | StringMethod::ReplaceAll
            | StringMethod::TrimStart
            | StringMethod::TrimEnd
            | StringMethod::Substring
            | StringMethod::Substr
            | StringMethod::At
            | StringMethod::CharAt
            | StringMethod::LastIndexOf => return self.string_method_more(method, &text, args),
            StringMethod::ToUpperCase => self.new_string(&text.to_uppercase())?,
            StringMethod::ToLowerCase => self.new_string(&text.to_lowercase())?,
            StringMethod::Trim => self.new_string(text.trim())?,
            StringMethod::Includes => Value::Bool(text.contains(&string_arg(self, 0)?)),
            StringMethod::StartsWith => Value::Bool(text.starts_with(&string_arg(self, 0)?)),
            StringMethod::EndsWith => Value::Bool(text.ends_with(&string_arg(self, 0)?)),
            StringMethod::IndexOf => {
                let needle = string_arg(self, 0)?;
                Value::Number(text.find(&needle).map_or(-1.0, |i| i as f64))
            }
            StringMethod::Repeat => {
                let count = self.to_number(&arg(&args, 0))?;
                if !(0.0..=10_000.0).contains(&count) {
                    return self.abstain("this `repeat` count is not modelled");
                }
                self.check_length(text.len().saturating_mul(count as usize))?;
                self.new_string(&text.repeat(count as usize))?
            }
            StringMethod::PadStart | StringMethod::PadEnd => {
                let width = self.to_number(&arg(&args, 0))?;
                let fill = match arg(&args, 1) {
                    Value::Undefined => " ".to_owned(),
                    other => self.to_string(&other)?,
                };
                if !(0.0..=10_000.0).contains(&width) || !fill.is_ascii() {
                    return self.abstain("this padding is not modelled");
                }
                let missing = (width as usize).saturating_sub(text.len());
                let pad: String = fill
                    .chars()
                    .cycle()
                    .take(if fill.is_empty() { 0 } else { missing })
                    .collect();
                if method == StringMethod::PadStart {
                    self.new_string(&format!("{pad}{text}"))?
                } else {
                    self.new_string(&format!("{text}{pad}"))?
                }
            }
            StringMethod::Slice => {
                let len = text.len();
                let start = self.relative_index(&arg(&args, 0), len, 0)?;
                let end = self.relative_index(&arg(&args, 1), len, len)?;
                self.new_string(text.get(start..end.max(start)).unwrap_or(""))?
            }
        };
        Ok(Completion::Normal(result))
    }
}

fn unreachable_items() -> &'static mut Vec<Value> {
    // Only reachable if `array_of` was bypassed; a leaked empty vector keeps
    // this panic-free.
    Box::leak(Box::default())
}
