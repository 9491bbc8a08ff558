//! The `Array` constructor and statics (§23.1.1-2), the array methods beyond
//! `stdlib.rs`'s common subset (§23.1.3), and arrays of holes.
//!
//! The engine's arrays have no holes, so `new Array(n)` makes an
//! `ObjKind::Holes(n)` on which only what keeps the holes out of sight is
//! modelled: `length`, a whole `fill()`, `join()`, spread and `Array.from`
//! (which read holes as `undefined`).

use super::builtins::arg;
use super::machine::{normal, Completion, Machine, Run};
use super::ops::strict_equals;
use super::value::{ArrayMethod, Builtin, ObjId, ObjKind, Value};

/// Arrays longer than this are not built (a guard, far above what programs print).
const MAX_BUILT_LENGTH: f64 = 100_000.0;
/// V8 sorts arrays shorter than 64 elements with one binary insertion sort
/// (ArrayTimSort's minimum run length is the whole array), so the order of
/// its comparator calls is known exactly; longer arrays merge runs.
const MAX_EXACT_SORT: usize = 63;

impl Machine<'_> {
    fn new_array(&mut self, items: Vec<Value>) -> Run<Value> {
        self.account_slots(items.len())?;
        Ok(Value::Object(self.alloc(ObjKind::Array(items))))
    }

    /// ToIntegerOrInfinity (§7.1.5).
    fn to_integer(&self, value: &Value) -> Run<f64> {
        let n = self.to_number(value)?;
        Ok(if n.is_nan() { 0.0 } else { n.trunc() })
    }

    /// `Array(...)` and `new Array(...)` (§23.1.1.1): one number is a length.
    pub(crate) fn array_constructor(&mut self, args: Vec<Value>) -> Run<Completion> {
        let value = match args.as_slice() {
            [Value::Number(n)] => {
                if *n < 0.0 || n.fract() != 0.0 || *n > 4_294_967_295.0 {
                    return self.abstain("`new Array` with an invalid length (a RangeError)");
                }
                if *n > MAX_BUILT_LENGTH {
                    return self.abstain("an array this long is not modelled");
                }
                if *n == 0.0 {
                    self.new_array(Vec::new())?
                } else {
                    Value::Object(self.alloc(ObjKind::Holes(*n as usize)))
                }
            }
            _ => self.new_array(args)?,
        };
        Ok(Completion::Normal(value))
    }

    /// The items `for...of` and spread see in a Map, a Set, one of their
    /// iterators, an array of holes (each `undefined`) or an ASCII string;
    /// `None` for other values.
    pub(crate) fn iterable_items(&mut self, value: &Value) -> Run<Option<Vec<Value>>> {
        if let Value::Str(text) = value {
            if !text.is_ascii() {
                return self.abstain("iterating a non-ASCII string is not modelled");
            }
            self.account_slots(text.len())?;
            return Ok(Some(
                text.chars().map(|c| Value::str(&c.to_string())).collect(),
            ));
        }
        let Some(id) = value.as_object() else {
            return Ok(None);
        };
        match self.heap[id].kind {
            ObjKind::Holes(len) => {
                self.account_slots(len)?;
                Ok(Some(vec![Value::Undefined; len]))
            }
            ObjKind::CollectionIter { .. } => Ok(Some(self.drain_collection_iter(id)?)),
            ObjKind::Collection(_) => match self.default_collection_iterator(value) {
                Some(iter) => match iter.as_object() {
                    Some(iter) => Ok(Some(self.drain_collection_iter(iter)?)),
                    None => Ok(None),
                },
                None => self.abstain("iterating a WeakMap or WeakSet (a TypeError)"),
            },
            _ => Ok(None),
        }
    }

    /// `Array.from(items, mapFn)` (§23.1.2.1) and `Array.of` (§23.1.2.3).
    pub(crate) fn array_static(
        &mut self,
        builtin: Builtin,
        this: Value,
        args: Vec<Value>,
    ) -> Run<Completion> {
        let is_array_ctor = this.as_object().is_some_and(|id| {
            matches!(
                self.heap[id].kind,
                ObjKind::Native(super::value::Native::Builtin(Builtin::ArrayCtor))
            )
        });
        if !is_array_ctor {
            return self.abstain("Array.from/Array.of called on something other than `Array`");
        }
        if builtin == Builtin::ArrayOf {
            return Ok(Completion::Normal(self.new_array(args)?));
        }
        let source = arg(&args, 0);
        let map = arg(&args, 1);
        if map != Value::Undefined && !self.is_callable(&map) {
            return self.abstain("Array.from with a map function that is not one (a TypeError)");
        }
        if args.len() > 2 {
            return self.abstain("Array.from with a `thisArg` is not modelled");
        }
        let items = self.array_from_items(&source)?;
        if map == Value::Undefined {
            return Ok(Completion::Normal(self.new_array(items)?));
        }
        let mut mapped = Vec::with_capacity(items.len());
        for (index, item) in items.into_iter().enumerate() {
            let call_args = vec![item, Value::Number(index as f64)];
            match self.call(&map, Value::Undefined, call_args)? {
                Completion::Normal(value) => mapped.push(value),
                thrown => return Ok(thrown),
            }
        }
        Ok(Completion::Normal(self.new_array(mapped)?))
    }

    /// The iterable's items, or an array-like's `length` elements.
    fn array_from_items(&mut self, source: &Value) -> Run<Vec<Value>> {
        if source.is_nullish() {
            return self.abstain("Array.from of null or undefined (a TypeError)");
        }
        if let Some(items) = self.iterable_items(source)? {
            return Ok(items);
        }
        let Some(id) = source.as_object() else {
            // Numbers and booleans are array-likes of length 0.
            return Ok(Vec::new());
        };
        let array_like = {
            let object = &self.heap[id];
            matches!(object.kind, ObjKind::Plain)
                && object.proto.is_none()
                && !object.hidden_props
                && !self.has_accessor(id)
        };
        if !array_like {
            return self.spread_items(source);
        }
        // The engine's plain objects have no index keys (literals refuse
        // them), so every element of an array-like reads `undefined`.
        let length = match self.heap[id].get_own("length").cloned() {
            Some(value) => self.to_integer(&value)?.max(0.0),
            None => 0.0,
        };
        if length > MAX_BUILT_LENGTH {
            return self.abstain("an array this long is not modelled");
        }
        self.account_slots(length as usize)?;
        Ok(vec![Value::Undefined; length as usize])
    }

    /// Methods of an array of holes: `fill` over all of it makes an ordinary
    /// array; `join` reads holes as empty strings, as it does `undefined`.
    pub(crate) fn holes_method(
        &mut self,
        id: ObjId,
        len: usize,
        method: ArrayMethod,
        this: Value,
        args: Vec<Value>,
    ) -> Run<Completion> {
        match method {
            ArrayMethod::Fill if args.len() <= 1 => {
                self.account_slots(len)?;
                self.heap[id].kind = ObjKind::Array(vec![arg(&args, 0); len]);
                Ok(Completion::Normal(this))
            }
            ArrayMethod::Join => {
                self.heap[id].kind = ObjKind::Array(vec![Value::Undefined; len]);
                let joined = self.array_method(method, this, args);
                self.heap[id].kind = ObjKind::Holes(len);
                joined
            }
            _ => {
                self.abstain("this method on an array with holes (`new Array(n)`) is not modelled")
            }
        }
    }

    fn array_items_of(&self, id: ObjId) -> Vec<Value> {
        match &self.heap[id].kind {
            ObjKind::Array(items) => items.clone(),
            _ => Vec::new(),
        }
    }

    fn set_array_items(&mut self, id: ObjId, items: Vec<Value>) {
        self.heap[id].kind = ObjKind::Array(items);
    }

    /// The methods of §23.1.3 that `stdlib.rs` leaves out.
    pub(crate) fn array_method_more(
        &mut self,
        method: ArrayMethod,
        id: ObjId,
        this: Value,
        args: Vec<Value>,
    ) -> Run<Completion> {
        let mut items = self.array_items_of(id);
        let len = items.len();
        match method {
            ArrayMethod::At => {
                let index = self.to_integer(&arg(&args, 0))?;
                let index = if index < 0.0 {
                    len as f64 + index
                } else {
                    index
                };
                let found =
                    (index >= 0.0 && index < len as f64).then(|| items[index as usize].clone());
                normal(found.unwrap_or(Value::Undefined))
            }
            ArrayMethod::LastIndexOf => {
                let needle = arg(&args, 0);
                let from = if args.len() > 1 {
                    self.to_integer(&arg(&args, 1))?
                } else {
                    len as f64 - 1.0
                };
                let from = if from < 0.0 {
                    len as f64 + from
                } else {
                    from.min(len as f64 - 1.0)
                };
                let found = (0..len)
                    .rev()
                    .filter(|i| (*i as f64) <= from)
                    .find(|i| strict_equals(&items[*i], &needle));
                normal(Value::Number(found.map_or(-1.0, |i| i as f64)))
            }
            ArrayMethod::Fill => {
                let value = arg(&args, 0);
                let start = self.relative(&arg(&args, 1), len, 0)?;
                let end = self.relative(&arg(&args, 2), len, len)?;
                for slot in items.iter_mut().take(end).skip(start) {
                    *slot = value.clone();
                }
                self.set_array_items(id, items);
                normal(this)
            }
            ArrayMethod::Splice => {
                let start = self.relative(&arg(&args, 0), len, 0)?;
                let delete = match args.len() {
                    0 => 0,
                    1 => len - start,
                    _ => (self.to_integer(&args[1])?.max(0.0) as usize).min(len - start),
                };
                let inserted = args.into_iter().skip(2);
                let removed: Vec<Value> = items.splice(start..start + delete, inserted).collect();
                self.account_slots(items.len())?;
                self.set_array_items(id, items);
                normal(self.new_array(removed)?)
            }
            ArrayMethod::Flat => {
                let depth = match arg(&args, 0) {
                    Value::Undefined => 1.0,
                    other => self.to_integer(&other)?,
                };
                let mut flat = Vec::new();
                self.flatten_into(&mut flat, items, depth)?;
                normal(self.new_array(flat)?)
            }
            ArrayMethod::FlatMap => {
                let callback = arg(&args, 0);
                if !self.is_callable(&callback) {
                    return self.abstain("flatMap without a function (a TypeError)");
                }
                let mut flat = Vec::new();
                for (index, item) in items.into_iter().enumerate() {
                    let call_args = vec![item, Value::Number(index as f64), this.clone()];
                    let value = match self.call(&callback, arg(&args, 1), call_args)? {
                        Completion::Normal(value) => value,
                        thrown => return Ok(thrown),
                    };
                    self.flatten_into(&mut flat, vec![value], 1.0)?;
                }
                normal(self.new_array(flat)?)
            }
            ArrayMethod::FindLast | ArrayMethod::FindLastIndex => {
                let callback = arg(&args, 0);
                if !self.is_callable(&callback) {
                    return self.abstain("findLast without a function (a TypeError)");
                }
                for index in (0..len).rev() {
                    // Each step reads the element again (§23.1.3.12 FindViaPredicate).
                    let item = self.get_index(&this, &Value::Number(index as f64))?;
                    let call_args = vec![item.clone(), Value::Number(index as f64), this.clone()];
                    let found = match self.call(&callback, arg(&args, 1), call_args)? {
                        Completion::Normal(value) => value.truthy(),
                        thrown => return Ok(thrown),
                    };
                    if found {
                        return normal(if method == ArrayMethod::FindLast {
                            item
                        } else {
                            Value::Number(index as f64)
                        });
                    }
                }
                normal(if method == ArrayMethod::FindLast {
                    Value::Undefined
                } else {
                    Value::Number(-1.0)
                })
            }
            ArrayMethod::Sort => self.array_sort(id, this, arg(&args, 0), items),
            _ => self.abstain("internal: an array method routed to the wrong place"),
        }
    }

    /// A relative index argument (slice, fill, splice), clamped to `0..=len`.
    fn relative(&self, value: &Value, len: usize, default: usize) -> Run<usize> {
        if *value == Value::Undefined {
            return Ok(default);
        }
        let n = self.to_integer(value)?;
        Ok(if n < 0.0 {
            (len as f64 + n).max(0.0) as usize
        } else {
            n.min(len as f64) as usize
        })
    }

    /// FlattenIntoArray (§23.1.3.13.1): arrays nested up to `depth` are
    /// opened; holes are skipped.
    fn flatten_into(&mut self, out: &mut Vec<Value>, items: Vec<Value>, depth: f64) -> Run<()> {
        for item in items {
            let inner = item.as_object().map(|id| match &self.heap[id].kind {
                ObjKind::Array(inner) => Some(inner.clone()),
                ObjKind::Holes(_) => Some(Vec::new()),
                _ => None,
            });
            match inner {
                Some(Some(inner)) if depth >= 1.0 => self.flatten_into(out, inner, depth - 1.0)?,
                _ => {
                    self.account_slots(1)?;
                    out.push(item);
                }
            }
        }
        Ok(())
    }

    /// Array.prototype.sort (§23.1.3.30) as V8 runs it: the values other
    /// than `undefined` are copied out, sorted, and written back followed by
    /// the `undefined`s. The default order compares ToString results by UTF-16
    /// code units; a comparator is called in V8's order (binary insertion).
    fn array_sort(
        &mut self,
        id: ObjId,
        this: Value,
        comparator: Value,
        items: Vec<Value>,
    ) -> Run<Completion> {
        if comparator != Value::Undefined && !self.is_callable(&comparator) {
            return self.abstain("sort with a comparator that is not a function (a TypeError)");
        }
        let undefined_count = items.iter().filter(|v| **v == Value::Undefined).count();
        let mut work: Vec<Value> = items
            .into_iter()
            .filter(|v| *v != Value::Undefined)
            .collect();
        if comparator == Value::Undefined {
            let mut keyed = Vec::with_capacity(work.len());
            for value in work {
                let key: Vec<u16> = self.to_string(&value)?.encode_utf16().collect();
                keyed.push((key, value));
            }
            // Any stable sort gives V8's result when comparisons have no effects.
            keyed.sort_by(|a, b| a.0.cmp(&b.0));
            work = keyed.into_iter().map(|(_, value)| value).collect();
        } else {
            if work.len() > MAX_EXACT_SORT {
                return self.abstain(
                    "sorting more than 63 elements with a comparator (V8's merge order) is not modelled",
                );
            }
            if let Some(thrown) = self.v8_small_sort(&mut work, &comparator)? {
                return Ok(thrown);
            }
        }
        work.extend(std::iter::repeat_n(Value::Undefined, undefined_count));
        self.set_array_items(id, work);
        Ok(Completion::Normal(this))
    }

    /// V8's ArrayTimSort for fewer than 64 elements (third_party/v8/builtins/
    /// array-sort.tq): CountAndMakeRun finds the leading run (reversing a
    /// strictly descending one), then BinaryInsertionSort inserts the rest.
    /// Returns the comparator's throw, if it threw.
    fn v8_small_sort(&mut self, work: &mut [Value], comparator: &Value) -> Run<Option<Completion>> {
        let len = work.len();
        if len < 2 {
            return Ok(None);
        }
        // SortCompareUserFn: ToNumber of the result, NaN counts as 0.
        macro_rules! compare {
            ($x:expr, $y:expr) => {{
                let args = vec![$x.clone(), $y.clone()];
                match self.call(comparator, Value::Undefined, args)? {
                    Completion::Normal(value) => {
                        let n = self.to_number(&value)?;
                        if n.is_nan() {
                            0.0
                        } else {
                            n
                        }
                    }
                    thrown => return Ok(Some(thrown)),
                }
            }};
        }
        // CountAndMakeRun(0, len).
        let mut run = 2;
        let descending = compare!(work[1], work[0]) < 0.0;
        let mut previous = work[1].clone();
        for current in work.iter().skip(2) {
            let current = current.clone();
            let order = compare!(current, previous);
            if (descending && order >= 0.0) || (!descending && order < 0.0) {
                break;
            }
            previous = current;
            run += 1;
        }
        if descending {
            work[..run].reverse();
        }
        // BinaryInsertionSort(0, run, len).
        for start in run..len {
            let pivot = work[start].clone();
            let (mut left, mut right) = (0, start);
            while left < right {
                let mid = left + ((right - left) >> 1);
                if compare!(pivot, work[mid]) < 0.0 {
                    right = mid;
                } else {
                    left = mid + 1;
                }
            }
            work[left..=start].rotate_right(1);
        }
        Ok(None)
    }
}
