//! `console.log` formatting as Node's `util.formatWithOptions` does it, for
//! values short enough to stay on one line. Longer output (util.inspect
//! breaks lines near 80 columns, groups arrays over 6 items) abstains.

use super::machine::{Machine, Run};
use super::ops::number_to_string;
use super::promise::PromiseState;
use super::value::{ObjKind, Value};

/// util.inspect's default `depth`.
const MAX_DEPTH: usize = 2;
/// util.inspect's `breakLength`.
const BREAK_LENGTH: usize = 80;

impl Machine<'_> {
    pub(crate) fn format_log(&self, args: &[Value]) -> Run<String> {
        if let Some(Value::Str(first)) = args.first() {
            if args.len() > 1 && first.contains('%') {
                return self.abstain("console.log format specifiers are not modelled");
            }
        }
        let mut parts = Vec::with_capacity(args.len());
        for value in args {
            parts.push(match value {
                Value::Str(text) => text.to_string(),
                other => self.inspect(other, 0)?,
            });
        }
        Ok(parts.join(" "))
    }

    fn inspect(&self, value: &Value, depth: usize) -> Run<String> {
        Ok(match value {
            Value::Undefined => "undefined".to_owned(),
            Value::Null => "null".to_owned(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) if *n == 0.0 && n.is_sign_negative() => "-0".to_owned(),
            Value::Number(n) => number_to_string(*n),
            Value::Str(text) => self.quote(text)?,
            Value::Object(id) => {
                let object = &self.heap[*id];
                match &object.kind {
                    ObjKind::Array(items) => {
                        if items.is_empty() {
                            return Ok("[]".to_owned());
                        }
                        if depth > MAX_DEPTH {
                            return Ok("[Array]".to_owned());
                        }
                        if items.len() > 6 {
                            return self.abstain(
                                "printing an array of more than 6 items (util.inspect groups them)",
                            );
                        }
                        let mut entries = Vec::with_capacity(items.len());
                        for item in items {
                            entries.push(self.inspect(item, depth + 1)?);
                        }
                        self.single_line("[", "]", &entries, depth)?
                    }
                    ObjKind::Plain => {
                        if object.hidden_props || self.has_accessor(*id) {
                            return self.abstain(
                                "printing a prototype or an object with getters is not modelled",
                            );
                        }
                        // A class instance prints as `Point { x: 1 }`.
                        let prefix = match self.instance_prefix(*id)? {
                            Some(name) => format!("{name} "),
                            None => String::new(),
                        };
                        // Private fields (`#x`) are not shown.
                        let props: Vec<&(std::rc::Rc<str>, Value)> = object
                            .props
                            .iter()
                            .filter(|(key, _)| !super::classes::is_private(key))
                            .collect();
                        if props.is_empty() {
                            return Ok(format!("{prefix}{{}}"));
                        }
                        if depth > MAX_DEPTH {
                            return Ok(if prefix.is_empty() {
                                "[Object]".to_owned()
                            } else {
                                format!("[{}]", prefix.trim_end())
                            });
                        }
                        let mut entries = Vec::with_capacity(props.len());
                        for (key, value) in props {
                            let key = if is_identifier(key) {
                                key.to_string()
                            } else {
                                self.quote(key)?
                            };
                            entries.push(format!("{key}: {}", self.inspect(value, depth + 1)?));
                        }
                        self.single_line(&format!("{prefix}{{"), "}", &entries, depth)?
                    }
                    ObjKind::Promise(_) if !self.is_plain_native_promise(*id) => {
                        return self.abstain("printing a Promise subclass instance is not modelled")
                    }
                    ObjKind::Class(_) => self.inspect_class(*id)?,
                    ObjKind::Collection(_) => self.inspect_collection(
                        *id,
                        depth,
                        |value, depth| self.inspect(value, depth),
                        |open, parts| self.single_line(open, "}", parts, depth),
                    )?,
                    ObjKind::Promise(data) => {
                        let inner = match &data.state {
                            PromiseState::Pending => "<pending>".to_owned(),
                            PromiseState::Fulfilled(v) => self.inspect(v, depth + 1)?,
                            PromiseState::Rejected(v) => {
                                format!("<rejected> {}", self.inspect(v, depth + 1)?)
                            }
                        };
                        self.single_line("Promise {", "}", &[inner], depth)?
                    }
                    ObjKind::Closure { func, .. } => {
                        let code = &self.funcs[*func];
                        let kind = if code.is_generator && code.is_async {
                            "AsyncGeneratorFunction"
                        } else if code.is_generator {
                            "GeneratorFunction"
                        } else if code.is_async {
                            "AsyncFunction"
                        } else {
                            "Function"
                        };
                        if code.name.is_empty() {
                            format!("[{kind} (anonymous)]")
                        } else {
                            format!("[{kind}: {}]", code.name)
                        }
                    }
                    ObjKind::Error => {
                        return self.abstain("printing an Error (its stack trace) is not modelled")
                    }
                    ObjKind::Opaque { name, .. } => {
                        return self
                            .abstain(format!("printing `{name}` is not modelled by ticklens"))
                    }
                    _ => return self.abstain("printing a built-in or host object is not modelled"),
                }
            }
        })
    }

    /// util.inspect's `reduceToSingleString`: one line only while the entries
    /// fit `breakLength` (the `start` term mirrors Node's own arithmetic).
    fn single_line(
        &self,
        open: &str,
        close: &str,
        entries: &[String],
        depth: usize,
    ) -> Run<String> {
        let total: usize = entries.iter().map(|e| e.chars().count()).sum::<usize>() + entries.len();
        let start = entries.len() + 2 * depth + open.len() + 10;
        if total + start > BREAK_LENGTH || entries.iter().any(|e| e.contains('\n')) {
            return self.abstain("this value would print over several lines");
        }
        Ok(format!("{open} {} {close}", entries.join(", ")))
    }

    /// util.inspect's string quoting: single quotes unless the text has them.
    fn quote(&self, text: &str) -> Run<String> {
        let quote = if !text.contains('\'') {
            '\''
        } else if !text.contains('"') {
            '"'
        } else if !text.contains('`') && !text.contains("${") {
            '`'
        } else {
            '\''
        };
        let mut out = String::with_capacity(text.len() + 2);
        out.push(quote);
        for c in text.chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\\' => out.push_str("\\\\"),
                c if c == quote => {
                    out.push('\\');
                    out.push(c);
                }
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    return self.abstain("printing control characters is not modelled")
                }
                c => out.push(c),
            }
        }
        out.push(quote);
        Ok(out)
    }
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}
