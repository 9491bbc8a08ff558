//! Values that are probably large (request and response bodies, buffers,
//! parsed JSON, file contents, arrays built from them), judged from the shape
//! of the expression that produces them.

use std::collections::HashSet;
use std::fmt;

use tree_sitter::Node;

use super::Binding;

/// Why a value is probably large.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LargeValue {
    /// `await readBody(req)` and similar: a whole request body.
    RequestBody(String),
    /// `Buffer.from(..)`, `Buffer.concat(..)`, ...
    Buffer,
    /// `JSON.parse(..)`: a parsed payload.
    JsonParse,
    /// `fs.readFile(..)`, `readFileSync(..)`: file contents.
    FileContents,
    /// `await res.json()` / `.text()` / `.arrayBuffer()` / `.blob()`: a response body.
    ResponseBody(String),
    /// An array built from another large value (`rows.map(..)`, `[...chunks]`).
    BuiltFrom(String),
    /// The text of another large value (`Buffer.concat(chunks).toString()`).
    Text(String),
}

impl fmt::Display for LargeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LargeValue::RequestBody(callee) => write!(f, "a request body from `{callee}(…)`"),
            LargeValue::Buffer => f.write_str("a `Buffer`"),
            LargeValue::JsonParse => f.write_str("a parsed `JSON.parse(…)` payload"),
            LargeValue::FileContents => f.write_str("file contents"),
            LargeValue::ResponseBody(method) => write!(f, "a response body from `.{method}()`"),
            LargeValue::BuiltFrom(name) => write!(f, "a value built from `{name}`"),
            LargeValue::Text(of) => write!(f, "the text of {of}"),
        }
    }
}

/// Whether `expr` probably evaluates to a large value, judged from its shape.
/// `large_names` are bindings already known to hold one.
pub fn large_value(expr: Node, source: &str, large_names: &HashSet<String>) -> Option<LargeValue> {
    let mut node = expr;
    let mut awaited = false;
    loop {
        match node.kind() {
            "parenthesized_expression" => node = node.named_child(0)?,
            "await_expression" => {
                awaited = true;
                node = node.named_child(0)?;
            }
            // `await (await fetch(u)).json()`, which tree-sitter reads as a
            // call of a function `await` (see `syntax::awaits`). A chain has
            // no operand node: its top is the operand's last call, whose
            // callee ends with the same method.
            _ => match crate::syntax::awaits::await_shape(source, node) {
                Some(misparsed) => {
                    awaited = true;
                    match misparsed.operand {
                        Some(operand) => node = operand,
                        None => break,
                    }
                }
                None => break,
            },
        }
    }
    match node.kind() {
        "call_expression" => {
            let callee = node.child_by_field_id(crate::field!("function"))?;
            let callee_text = &source[callee.byte_range()];
            let last = callee_text.rsplit('.').next().unwrap_or(callee_text);
            let first_argument = node
                .child_by_field_id(crate::field!("arguments"))
                .and_then(|a| a.named_child(0));
            if callee_text == "JSON.parse" {
                // `JSON.parse('{"a":1}')`: as small as the text written out.
                return (!first_argument.is_some_and(is_literal)).then_some(LargeValue::JsonParse);
            }
            if is_buffer_call(source, callee) {
                return (!small_buffer(source, last, first_argument, large_names))
                    .then_some(LargeValue::Buffer);
            }
            // A string is no `Buffer`: `Buffer.from(h).toString()` is as large
            // as the buffer, and only a large buffer makes a large string.
            if last == "toString" && callee.kind() == "member_expression" {
                let object = callee.child_by_field_id(crate::field!("object"))?;
                return text_of(object, source, large_names);
            }
            if callee_text == "String" {
                return text_of(first_argument?, source, large_names);
            }
            if matches!(last, "readFile" | "readFileSync") {
                return Some(LargeValue::FileContents);
            }
            if awaited
                && callee.kind() == "identifier"
                && matches!(callee_text, "readBody" | "getRawBody" | "rawBody")
            {
                return Some(LargeValue::RequestBody(callee_text.to_owned()));
            }
            if awaited
                && callee.kind() == "member_expression"
                && matches!(last, "json" | "text" | "arrayBuffer" | "blob" | "formData")
            {
                return Some(LargeValue::ResponseBody(last.to_owned()));
            }
            if callee.kind() == "member_expression" {
                let object = callee.child_by_field_id(crate::field!("object"))?;
                let object_text = &source[object.byte_range()];
                if callee_text == "Array.from" {
                    let first = node
                        .child_by_field_id(crate::field!("arguments"))?
                        .named_child(0)?;
                    let first_text = &source[first.byte_range()];
                    return large_names
                        .contains(first_text)
                        .then(|| LargeValue::BuiltFrom(first_text.to_owned()));
                }
                if matches!(
                    last,
                    "map" | "filter" | "slice" | "concat" | "flat" | "flatMap" | "split"
                ) && large_names.contains(object_text)
                {
                    return Some(LargeValue::BuiltFrom(object_text.to_owned()));
                }
            }
            None
        }
        "array" => {
            let mut cursor = node.walk();
            let from = node.named_children(&mut cursor).find_map(|element| {
                let element = if element.kind() == "spread_element" {
                    element.named_child(0)?
                } else {
                    element
                };
                let text = &source[element.byte_range()];
                large_names.contains(text).then(|| text.to_owned())
            });
            from.map(LargeValue::BuiltFrom)
        }
        _ => None,
    }
}

/// `Buffer.from`, `Buffer.concat`, ...: a call on the global `Buffer`, not a
/// method of something built from it (`Buffer.from(h).toString()`).
fn is_buffer_call(source: &str, callee: Node) -> bool {
    callee.kind() == "member_expression"
        && callee
            .child_by_field_id(crate::field!("object"))
            .is_some_and(|o| o.kind() == "identifier" && &source[o.byte_range()] == "Buffer")
}

/// The largest buffer, in bytes, that a literal size keeps small: a salt, a
/// hash, a header.
const SMALL_BUFFER_BYTES: u64 = 4096;

/// A buffer small by construction: `Buffer.alloc(16)`, `Buffer.from('abc')`,
/// `Buffer.from([1, 2])`, or a copy of a value not known to be large
/// (`Buffer.from(header)`). `Buffer.concat(chunks)` gathers a stream's
/// chunks: large.
fn small_buffer(
    source: &str,
    method: &str,
    first_argument: Option<Node>,
    large_names: &HashSet<String>,
) -> bool {
    let Some(argument) = first_argument else {
        return true;
    };
    match method {
        "alloc" | "allocUnsafe" | "allocUnsafeSlow" => small_size(source, argument),
        "from" => {
            is_literal(argument)
                || (argument.kind() == "array" && argument.named_child_count() <= 64)
                || (large_value(argument, source, large_names).is_none()
                    && !large_names.contains(&source[argument.byte_range()]))
        }
        _ => false,
    }
}

/// A number literal of at most [`SMALL_BUFFER_BYTES`].
fn small_size(source: &str, size: Node) -> bool {
    size.kind() == "number"
        && source[size.byte_range()]
            .replace('_', "")
            .parse::<u64>()
            .is_ok_and(|n| n <= SMALL_BUFFER_BYTES)
}

/// A string or template literal with nothing interpolated.
fn is_literal(node: Node) -> bool {
    node.kind() == "string"
        || (node.kind() == "template_string"
            && (0..node.named_child_count())
                .filter_map(|i| node.named_child(i))
                .all(|child| child.kind() != "template_substitution"))
}

/// The text of `object` (`object.toString()`, `String(object)`): large when
/// `object` is.
fn text_of(object: Node, source: &str, large_names: &HashSet<String>) -> Option<LargeValue> {
    let text = &source[object.byte_range()];
    if large_names.contains(text) {
        return Some(LargeValue::BuiltFrom(text.to_owned()));
    }
    match large_value(object, source, large_names)? {
        LargeValue::Buffer => Some(LargeValue::Text("a `Buffer`".to_owned())),
        LargeValue::FileContents => Some(LargeValue::FileContents),
        other => Some(LargeValue::Text(other.to_string())),
    }
}

/// Step 3 of [`super::FunctionFlow::new`]: marks the bindings whose
/// initializer or an assigned value is probably large: direct sources first,
/// then arrays built from them.
pub(super) fn mark_likely_large<'t>(
    source: &str,
    root: Node<'t>,
    bindings: &mut [Binding],
    assigned_values: Vec<(usize, Node<'t>)>,
) {
    let values: Vec<(usize, Node)> = bindings
        .iter()
        .enumerate()
        .filter_map(|(index, binding)| {
            let init = binding.init.as_ref()?;
            let node = root.descendant_for_byte_range(init.start, init.end)?;
            Some((index, node))
        })
        .chain(assigned_values)
        .collect();
    let none = HashSet::new();
    for (index, value) in &values {
        if bindings[*index].likely_large.is_none() {
            bindings[*index].likely_large = large_value(*value, source, &none);
        }
    }
    let large_names: HashSet<String> = bindings
        .iter()
        .filter(|b| b.likely_large.is_some())
        .map(|b| b.name.clone())
        .collect();
    for (index, value) in &values {
        if bindings[*index].likely_large.is_none() {
            bindings[*index].likely_large = large_value(*value, source, &large_names);
        }
    }
}
