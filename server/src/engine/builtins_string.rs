//! String methods beyond `stdlib.rs`'s common subset (§22.1.3): `split`,
//! `replace`/`replaceAll` with a string pattern, `substring`, `substr`, `trimStart`,
//! `trimEnd`, `at`, `charAt`, `lastIndexOf`. The receiver is ASCII
//! (`string_method` checks), so byte offsets are UTF-16 offsets, except for
//! the `split`s that [`splits_as_utf16`] allows.

use super::builtins::arg;
use super::machine::{Completion, Machine, Run};
use super::value::{ObjKind, StringMethod, Value};

/// Whether `text.split(...args)` gives the same parts on UTF-8 text as on
/// UTF-16 code units: a non-empty string separator matches whole characters
/// either way, and `""` splits into code units, which are characters when
/// none is outside the Basic Multilingual Plane (terser's `characters`).
pub(crate) fn splits_as_utf16(text: &str, args: &[Value]) -> bool {
    match arg(args, 0) {
        Value::Str(separator) if separator.is_empty() => {
            text.chars().all(|c| (c as u32) < 0x1_0000)
        }
        Value::Str(_) => true,
        _ => false,
    }
}

impl Machine<'_> {
    pub(crate) fn string_method_more(
        &mut self,
        method: StringMethod,
        text: &str,
        args: Vec<Value>,
    ) -> Run<Completion> {
        let len = text.len();
        let result = match method {
            StringMethod::TrimStart => self.new_string(text.trim_start())?,
            StringMethod::TrimEnd => self.new_string(text.trim_end())?,
            StringMethod::Substring => {
                let clamp = |machine: &Self, value: &Value, default: usize| -> Run<usize> {
                    if *value == Value::Undefined {
                        return Ok(default);
                    }
                    let n = machine.to_number(value)?;
                    Ok(if n.is_nan() {
                        0
                    } else {
                        n.trunc().clamp(0.0, len as f64) as usize
                    })
                };
                let start = clamp(self, &arg(&args, 0), 0)?;
                let end = clamp(self, &arg(&args, 1), len)?;
                self.new_string(&text[start.min(end)..start.max(end)])?
            }
            // Annex B's `substr(start, length)` (§B.2.2.1): a negative start
            // counts from the end; the length is clamped to what is left.
            StringMethod::Substr => {
                let integer = |machine: &Self, value: &Value, default: f64| -> Run<f64> {
                    if *value == Value::Undefined {
                        return Ok(default);
                    }
                    let n = machine.to_number(value)?;
                    Ok(if n.is_nan() { 0.0 } else { n.trunc() })
                };
                let size = len as f64;
                let start = integer(self, &arg(&args, 0), 0.0)?;
                let start = if start < 0.0 {
                    (size + start).max(0.0)
                } else {
                    start.min(size)
                };
                let length = integer(self, &arg(&args, 1), size)?.clamp(0.0, size);
                let end = (start + length).min(size);
                let (start, end) = (start as usize, end as usize);
                self.new_string(text.get(start..end.max(start)).unwrap_or_default())?
            }
            StringMethod::At | StringMethod::CharAt => {
                let n = self.to_number(&arg(&args, 0))?;
                let n = if n.is_nan() { 0.0 } else { n.trunc() };
                let index = if method == StringMethod::At && n < 0.0 {
                    len as f64 + n
                } else {
                    n
                };
                if index >= 0.0 && index < len as f64 {
                    let at = index as usize;
                    self.new_string(&text[at..at + 1])?
                } else if method == StringMethod::At {
                    Value::Undefined
                } else {
                    Value::str("")
                }
            }
            StringMethod::LastIndexOf => {
                if args.len() > 1 {
                    return self.abstain("lastIndexOf with a position is not modelled");
                }
                let needle = self.to_string(&arg(&args, 0))?;
                Value::Number(text.rfind(&needle).map_or(-1.0, |i| i as f64))
            }
            StringMethod::Split => return self.split(text, &args),
            StringMethod::Replace | StringMethod::ReplaceAll => {
                return self.replace(text, method == StringMethod::ReplaceAll, &args)
            }
            _ => return self.abstain("internal: a string method routed to the wrong place"),
        };
        Ok(Completion::Normal(result))
    }

    /// String.prototype.split (§22.1.3.23) with a string separator. The
    /// engine has no regex engine: with a regular expression (or another
    /// value the engine cannot see into, which runs no code of the
    /// program) a facts run gets an unknown array; with an object of the
    /// program's, whose `Symbol.split` could run its code, it stops.
    fn split(&mut self, text: &str, args: &[Value]) -> Run<Completion> {
        let separator = arg(args, 0);
        if let Some(id) = separator.as_object() {
            let reason = "split with a regular expression or object is not modelled";
            if matches!(
                self.heap[id].kind,
                ObjKind::Opaque { .. } | ObjKind::Unknown(_)
            ) {
                let origin = self.span_text();
                return Ok(Completion::Normal(
                    self.unknown_or_abstain(&origin, reason)?,
                ));
            }
            return self.abstain(reason);
        }
        let limit = match arg(args, 1) {
            Value::Undefined => u32::MAX as usize,
            other => {
                let n = self.to_number(&other)?;
                if !n.is_finite() {
                    0
                } else {
                    n.trunc().rem_euclid(4_294_967_296.0) as usize
                }
            }
        };
        let parts: Vec<String> = if limit == 0 {
            Vec::new()
        } else if separator == Value::Undefined {
            vec![text.to_owned()]
        } else {
            let separator = self.to_string(&separator)?;
            if separator.is_empty() {
                text.chars().map(|c| c.to_string()).collect()
            } else {
                text.split(separator.as_str()).map(str::to_owned).collect()
            }
        };
        let mut items = Vec::new();
        for part in parts.into_iter().take(limit) {
            items.push(self.new_string(&part)?);
        }
        self.account_slots(items.len())?;
        let array = self.alloc(ObjKind::Array(items));
        Ok(Completion::Normal(Value::Object(array)))
    }

    /// replace / replaceAll (§22.1.3.19-20) with a string pattern: each match
    /// is replaced by the replacement text, or by what the function returns
    /// for (matched, position, string). `$` patterns in a replacement text abstain.
    fn replace(&mut self, text: &str, all: bool, args: &[Value]) -> Run<Completion> {
        let pattern = arg(args, 0);
        if pattern.as_object().is_some() {
            return self.abstain("replace with a regular expression or object is not modelled");
        }
        let pattern = self.to_string(&pattern)?;
        let replacement = arg(args, 1);
        let function = self.is_callable(&replacement);
        let replacement_text = if function {
            String::new()
        } else {
            self.to_string(&replacement)?
        };
        if replacement_text.contains('$') {
            return self.abstain("`$` patterns in a replacement are not modelled");
        }
        // StringIndexOf positions; an empty pattern matches before every character and at the end.
        let mut positions = Vec::new();
        let mut from = 0;
        while from <= text.len() {
            let Some(found) = text[from..].find(&pattern).map(|i| i + from) else {
                break;
            };
            positions.push(found);
            if !all {
                break;
            }
            from = found + pattern.len().max(1);
        }
        let mut out = String::new();
        let mut last = 0;
        for position in positions {
            out.push_str(&text[last..position]);
            if function {
                let call_args = vec![
                    Value::str(&pattern),
                    Value::Number(position as f64),
                    Value::str(text),
                ];
                match self.call(&replacement, Value::Undefined, call_args)? {
                    Completion::Normal(value) => out.push_str(&self.to_string(&value)?),
                    thrown => return Ok(thrown),
                }
            } else {
                out.push_str(&replacement_text);
            }
            self.check_length(out.len())?;
            last = position + pattern.len();
        }
        out.push_str(&text[last..]);
        Ok(Completion::Normal(self.new_string(&out)?))
    }
}
