//! Literals to bytecode: arrays, object literals (plain, or member by
//! member when they hold accessors or spreads), property keys, and the
//! decoding of string escapes and numbers.

use std::rc::Rc;

use tree_sitter::Node;

use super::bytecode::{DefineKind, Op};
use super::compile::{fields, has_token, Compiler, FnBuilder};
use super::compile_class::accessor_kind;
use super::ops::number_to_string;
use super::value::Value;
use crate::syntax::js::named_children_but_comments;
use crate::syntax::KindName;

impl Compiler<'_> {
    pub(crate) fn array_element(&mut self, b: &mut FnBuilder, element: Node) {
        if element.kind_name() == "spread_element" {
            match element.named_child(0) {
                Some(inner) => self.expression(b, inner),
                None => return b.abstain("an empty spread"),
            }
            b.emit(Op::ArraySpread);
        } else {
            self.expression(b, element);
            b.emit(Op::ArrayPush);
        }
    }

    pub(crate) fn array(&mut self, b: &mut FnBuilder, node: Node) {
        let elements = named_children_but_comments(node);
        // A hole (`[1, , 2]`) shows as two adjacent commas.
        let text = self.text(node);
        if text.replace(char::is_whitespace, "").contains(",,")
            || text.replace(char::is_whitespace, "").starts_with("[,")
        {
            return b.abstain("array holes are not modelled");
        }
        if elements.iter().any(|e| e.kind_name() == "spread_element") {
            b.emit(Op::Array(0));
            for element in elements {
                self.array_element(b, element);
            }
            return;
        }
        for element in &elements {
            self.expression(b, *element);
        }
        b.emit(Op::Array(elements.len()));
    }

    pub(crate) fn object(&mut self, b: &mut FnBuilder, node: Node) {
        // Accessors and spreads define members one at a time, in order.
        if named_children_but_comments(node).into_iter().any(|member| {
            member.kind_name() == "spread_element"
                || computed_pair(member).is_some()
                || self.index_pair(member).is_some()
                || (member.kind_name() == "method_definition"
                    && (has_token(member, crate::token!("get"))
                        || has_token(member, crate::token!("set"))))
        }) {
            return self.object_with_accessors(b, node);
        }
        let mut keys: Vec<Rc<str>> = Vec::new();
        for member in named_children_but_comments(node) {
            let Some((key, _)) = self.object_member(b, member) else {
                return;
            };
            keys.push(Rc::from(key.as_str()));
        }
        let mut seen = keys.clone();
        seen.sort_unstable();
        seen.dedup();
        if seen.len() != keys.len() {
            return b.abstain("duplicate keys in an object literal are not modelled");
        }
        b.emit(Op::Object(keys));
    }

    /// `{ a: 1, get b() {...}, set b(v) {...} }`: each member defined in
    /// order, so accessors and data properties keep their places.
    fn object_with_accessors(&mut self, b: &mut FnBuilder, node: Node) {
        b.emit(Op::Object(Vec::new()));
        for member in named_children_but_comments(node) {
            let span = b.at(member);
            if member.kind_name() == "spread_element" {
                let Some(source) = member.named_child(0) else {
                    return b.abstain("an empty spread");
                };
                self.expression(b, source);
                b.emit(Op::ObjectSpread);
            } else if let Some((key, value)) = self.index_pair(member) {
                // `{ 1: v }`: an index key, kept apart (`props.rs` `define_index_member`).
                b.emit(Op::Push(Value::str(&key)));
                self.expression_named(b, value, Some(&key));
                b.emit(Op::DefineComputed(DefineKind::Field));
            } else if let Some((key, value)) = computed_pair(member) {
                // `{ [k]: v }`: the key, then the value (§13.2.5.5).
                self.expression(b, key);
                self.expression(b, value);
                b.emit(Op::DefineComputed(DefineKind::Field));
            } else {
                let Some((key, kind)) = self.object_member(b, member) else {
                    return;
                };
                b.emit(Op::Define {
                    name: Rc::from(key.as_str()),
                    kind,
                });
            }
            b.restore(span);
        }
    }

    /// Pushes the value of one object literal member (a pair, a shorthand, a
    /// method or an accessor) and returns its key and how it is defined;
    /// `None` once it has abstained.
    fn object_member(&mut self, b: &mut FnBuilder, member: Node) -> Option<(String, DefineKind)> {
        match member.kind_name() {
            "pair" => {
                let Some([key, value]) =
                    fields(member, [crate::field!("key"), crate::field!("value")])
                else {
                    b.abstain("a malformed property");
                    return None;
                };
                let Some(key) = self.property_key(key) else {
                    b.abstain("computed or numeric keys are not modelled");
                    return None;
                };
                self.expression_named(b, value, Some(&key));
                Some((key, DefineKind::Field))
            }
            "shorthand_property_identifier" => {
                let name = self.text(member);
                b.emit(Op::Load(Rc::from(name)));
                Some((name.to_owned(), DefineKind::Field))
            }
            "method_definition" => {
                let Some(key) = member
                    .child_by_field_id(crate::field!("name"))
                    .and_then(|k| self.property_key(k))
                else {
                    b.abstain("computed method names are not modelled");
                    return None;
                };
                let id = self.compile_function(member, Some(&key));
                b.emit(Op::Closure(id));
                Some((key, accessor_kind(member).unwrap_or(DefineKind::Field)))
            }
            _ => {
                b.abstain("this object literal member is not modelled");
                None
            }
        }
    }

    pub(crate) fn property_key(&self, key: Node) -> Option<String> {
        match key.kind_name() {
            "property_identifier" | "identifier" => Some(self.text(key).to_owned()),
            "string" | "number" => self.literal_key(key).filter(|k| !is_array_index(k)),
            _ => None,
        }
    }

    /// The key a string or number literal names (`1.5` names "1.5", `1e3` "1000").
    fn literal_key(&self, key: Node) -> Option<String> {
        match key.kind_name() {
            "string" => decode_string(self, key),
            "number" => parse_number(self.text(key)).map(number_to_string),
            _ => None,
        }
    }

    /// The key and value of a `1: v` or `'1': v` pair: an index key, which V8
    /// orders before the others.
    fn index_pair<'t>(&self, member: Node<'t>) -> Option<(String, Node<'t>)> {
        if member.kind_name() != "pair" {
            return None;
        }
        let [key, value] = fields(member, [crate::field!("key"), crate::field!("value")])?;
        let key = self.literal_key(key).filter(|k| is_array_index(k))?;
        Some((key, value))
    }
}

/// The key expression and value of a `[key]: value` pair.
fn computed_pair(member: Node) -> Option<(Node, Node)> {
    if member.kind_name() != "pair" {
        return None;
    }
    let [key, value] = fields(member, [crate::field!("key"), crate::field!("value")])?;
    Some((key, value))
        .filter(|(key, _)| key.kind_name() == "computed_property_name")
        .and_then(|(key, value)| Some((key.named_child(0)?, value)))
}

/// Integer-like keys are ordered first by V8; the engine keeps insertion order,
/// so it refuses them.
pub(crate) fn is_array_index(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|c| c.is_ascii_digit())
}

/// A string literal used as a property key, unless it is an array index
/// (which V8 orders before the other keys).
pub(crate) fn string_key(compiler: &Compiler, node: Node) -> Option<String> {
    decode_string(compiler, node).filter(|key| !is_array_index(key))
}

pub(crate) fn decode_string(compiler: &Compiler, node: Node) -> Option<String> {
    let mut out = String::new();
    for child in named_children_but_comments(node) {
        match child.kind_name() {
            "string_fragment" => out.push_str(compiler.text(child)),
            "escape_sequence" => out.push_str(&decode_escape(compiler.text(child))?),
            _ => return None,
        }
    }
    Some(out)
}

/// Decodes one escape sequence (`\n`, `\x41`, `\u0041`, `\u{1F600}`).
pub(crate) fn decode_escape(text: &str) -> Option<String> {
    let body = text.strip_prefix('\\')?;
    let mut chars = body.chars();
    let first = chars.next()?;
    let simple = match first {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'v' => Some('\u{b}'),
        '0' if body.len() == 1 => Some('\0'),
        '\\' | '\'' | '"' | '`' | '$' => Some(first),
        _ => None,
    };
    if let Some(c) = simple {
        return Some(c.to_string());
    }
    match first {
        'x' => {
            let code = u32::from_str_radix(&body[1..], 16).ok()?;
            Some(char::from_u32(code)?.to_string())
        }
        'u' => {
            let hex = body[1..].trim_start_matches('{').trim_end_matches('}');
            let code = u32::from_str_radix(hex, 16).ok()?;
            // Lone surrogates cannot be represented in a Rust string.
            Some(char::from_u32(code)?.to_string())
        }
        '\n' | '\r' => Some(String::new()),
        c if c.is_ascii_digit() => None,
        c => Some(c.to_string()),
    }
}

pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    if clean.ends_with('n') {
        return None;
    }
    let lower = clean.to_ascii_lowercase();
    let radix =
        |digits: &str, radix: u32| u64::from_str_radix(digits, radix).ok().map(|n| n as f64);
    if let Some(hex) = lower.strip_prefix("0x") {
        return radix(hex, 16);
    }
    if let Some(oct) = lower.strip_prefix("0o") {
        return radix(oct, 8);
    }
    if let Some(bin) = lower.strip_prefix("0b") {
        return radix(bin, 2);
    }
    if lower.len() > 1 && lower.starts_with('0') && lower.bytes().all(|c| c.is_ascii_digit()) {
        return None; // legacy octal
    }
    lower.parse::<f64>().ok()
}
