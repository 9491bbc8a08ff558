//! `JSON.stringify` (§25.5.2) for the values the engine models. A replacer,
//! `toJSON` methods, errors, accessors and cycles abstain; `JSON.parse` is
//! not modelled.

use super::machine::{Machine, Run};
use super::ops::number_to_string;
use super::value::{ObjId, ObjKind, Value};

impl Machine<'_> {
    /// JSON.stringify(value, replacer, space): `undefined` when the value
    /// has no JSON form (a function, `undefined`).
    pub(crate) fn json_stringify(&mut self, args: &[Value]) -> Run<Value> {
        let value = args.first().cloned().unwrap_or(Value::Undefined);
        if args.get(1).is_some_and(|replacer| !replacer.is_nullish()) {
            return self.abstain("JSON.stringify with a replacer is not modelled");
        }
        // The gap: up to 10 spaces, or the first 10 characters of a string (§25.5.2.1 steps 6-8).
        let gap = match args.get(2) {
            None | Some(Value::Undefined) => String::new(),
            Some(Value::Number(n)) => " ".repeat(n.clamp(0.0, 10.0) as usize),
            Some(Value::Str(text)) => text.chars().take(10).collect(),
            Some(_) => return self.abstain("this JSON.stringify indentation is not modelled"),
        };
        let mut stack = Vec::new();
        match self.serialize(&value, &gap, &mut stack)? {
            Some(text) => self.new_string(&text),
            None => Ok(Value::Undefined),
        }
    }

    /// SerializeJSONProperty: `None` for values JSON leaves out.
    fn serialize(
        &mut self,
        value: &Value,
        gap: &str,
        stack: &mut Vec<ObjId>,
    ) -> Run<Option<String>> {
        Ok(Some(match value {
            Value::Undefined => return Ok(None),
            Value::Null => "null".to_owned(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) if n.is_finite() => number_to_string(*n),
            Value::Number(_) => "null".to_owned(),
            Value::Str(text) => quote(text),
            Value::Object(id) => {
                let id = *id;
                if self.is_callable(value) {
                    return Ok(None);
                }
                if stack.contains(&id) {
                    return self.abstain("JSON.stringify of a cyclic value (a TypeError)");
                }
                if stack.len() > 64 {
                    return self.abstain("JSON.stringify of a value nested too deeply");
                }
                let object = &self.heap[id];
                let plain = matches!(object.kind, ObjKind::Plain);
                if (plain && (object.hidden_props || self.has_accessor(id)))
                    || !matches!(object.kind, ObjKind::Plain | ObjKind::Array(_))
                {
                    return self.abstain("JSON.stringify of this object is not modelled");
                }
                // A class could define `toJSON` (§25.5.2.2 step 2); arrays have none.
                if plain && self.get_property(value, "toJSON")? != Value::Undefined {
                    return self.abstain("JSON.stringify with a `toJSON` method is not modelled");
                }
                stack.push(id);
                let text = match &self.heap[id].kind {
                    ObjKind::Array(items) => {
                        let items = items.clone();
                        let mut parts = Vec::with_capacity(items.len());
                        for item in &items {
                            let part = self.serialize(item, gap, stack)?;
                            parts.push(part.unwrap_or_else(|| "null".to_owned()));
                        }
                        wrap('[', ']', &parts, gap, stack.len())
                    }
                    _ => {
                        let props = self.heap[id].props.clone();
                        let mut parts = Vec::with_capacity(props.len());
                        for (key, item) in &props {
                            if super::classes::is_private(key) {
                                continue;
                            }
                            if let Some(part) = self.serialize(item, gap, stack)? {
                                let colon = if gap.is_empty() { ":" } else { ": " };
                                parts.push(format!("{}{colon}{part}", quote(key)));
                            }
                        }
                        wrap('{', '}', &parts, gap, stack.len())
                    }
                };
                stack.pop();
                self.check_length(text.len())?;
                text
            }
        }))
    }
}

/// SerializeJSONObject / SerializeJSONArray's layout (§25.5.2.5-6).
fn wrap(open: char, close: char, parts: &[String], gap: &str, depth: usize) -> String {
    if parts.is_empty() {
        return format!("{open}{close}");
    }
    if gap.is_empty() {
        return format!("{open}{}{close}", parts.join(","));
    }
    let inner = format!(",\n{}", gap.repeat(depth));
    format!(
        "{open}\n{}{}\n{}{close}",
        gap.repeat(depth),
        parts.join(&inner),
        gap.repeat(depth - 1)
    )
}

/// QuoteJSONString (§25.5.2.3).
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::cjs;

    /// Expected lines printed by Node v24.11.1 for the same program.
    #[test]
    fn stringify_matches_node_for_objects_arrays_instances_and_indentation() {
        let source = r#"
class User { constructor(name) { this.name = name; this.tags = ["a", "b"]; this.skip = undefined; this.fn = () => 1; } }
console.log(JSON.stringify({ a: 1, b: "two\n\"q\"", c: [1, null, undefined, () => 2], d: { e: true, f: -0, g: NaN } }));
console.log(JSON.stringify(new User("ann")));
console.log(JSON.stringify([new User("bo")], null, 2));
console.log(JSON.stringify({ x: [], y: {}, z: [1, { w: 2 }] }, null, "--"));
console.log(JSON.stringify("s\u0001"), JSON.stringify(undefined), JSON.stringify(() => 1), JSON.stringify(3.5), JSON.stringify(null));
"#;
        let expected = r#"{"a":1,"b":"two\n\"q\"","c":[1,null,null,null],"d":{"e":true,"f":0,"g":null}}
{"name":"ann","tags":["a","b"]}
[
  {
    "name": "bo",
    "tags": [
      "a",
      "b"
    ]
  }
]
{
--"x": [],
--"y": {},
--"z": [
----1,
----{
------"w": 2
----}
--]
}
"s\u0001" undefined undefined 3.5 null"#;
        assert_eq!(cjs(source), expected.lines().collect::<Vec<_>>());
    }
}
