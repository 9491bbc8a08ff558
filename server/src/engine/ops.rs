//! Operators and conversions (ECMA-262 §7.1, §13), for the values the engine
//! models. Anything whose result depends on unmodelled behaviour abstains.

use super::bytecode::{BinOp, UnOp};
use super::machine::{Machine, Run};
use super::value::{Builtin, ErrorKind, ObjId, ObjKind, Value};

/// JavaScript's Number::toString (§6.1.6.1.20), via ryu-js's exact algorithm.
pub(crate) fn number_to_string(n: f64) -> String {
    if n == 0.0 {
        return "0".to_owned();
    }
    let mut buffer = ryu_js::Buffer::new();
    buffer.format(n).to_owned()
}

/// StringToNumber (§7.1.4.1.1) for decimal and hex literals.
pub(crate) fn string_to_number(text: &str) -> f64 {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return 0.0;
    }
    let lower = trimmed.to_ascii_lowercase();
    if let Some(hex) = lower.strip_prefix("0x") {
        return u64::from_str_radix(hex, 16).map_or(f64::NAN, |n| n as f64);
    }
    match trimmed {
        "Infinity" | "+Infinity" => return f64::INFINITY,
        "-Infinity" => return f64::NEG_INFINITY,
        _ => {}
    }
    let allowed = trimmed
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !allowed {
        return f64::NAN;
    }
    trimmed.parse::<f64>().unwrap_or(f64::NAN)
}

impl Machine<'_> {
    pub fn to_number(&self, value: &Value) -> Run<f64> {
        Ok(match value {
            Value::Undefined => f64::NAN,
            Value::Null => 0.0,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Number(n) => *n,
            Value::Str(s) => string_to_number(s),
            Value::Object(_) => {
                let text = self.to_string(value)?;
                string_to_number(&text)
            }
        })
    }

    /// ToString (§7.1.17); objects go through their default `toString`.
    pub fn to_string(&self, value: &Value) -> Run<String> {
        Ok(match value {
            Value::Undefined => "undefined".to_owned(),
            Value::Null => "null".to_owned(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => number_to_string(*n),
            Value::Str(s) => s.to_string(),
            Value::Object(id) => match &self.heap[*id].kind {
                // Array.prototype.join: nullish elements become empty.
                ObjKind::Array(_) => self.join_array(*id, &mut Vec::new())?,
                ObjKind::Plain => {
                    self.default_conversion(*id)?;
                    "[object Object]".to_owned()
                }
                ObjKind::Promise(_) => "[object Promise]".to_owned(),
                ObjKind::Error => {
                    self.default_conversion(*id)?;
                    // Error.prototype.toString (§20.5.3.4).
                    let name = match self.heap[*id].get_own("name") {
                        Some(name) => self.to_string(name)?,
                        None => "Error".to_owned(),
                    };
                    let message = match self.heap[*id].get_own("message") {
                        Some(message) => self.to_string(message)?,
                        None => String::new(),
                    };
                    match (name.is_empty(), message.is_empty()) {
                        (_, true) => name,
                        (true, false) => message,
                        (false, false) => format!("{name}: {message}"),
                    }
                }
                _ => return self.abstain("converting a function or host object to text"),
            },
        })
    }

    pub fn binary(&self, op: BinOp, left: &Value, right: &Value) -> Run<Value> {
        let number = |n: f64| Ok(Value::Number(n));
        match op {
            BinOp::Add => {
                let left = self.to_primitive(left)?;
                let right = self.to_primitive(right)?;
                if matches!(left, Value::Str(_)) || matches!(right, Value::Str(_)) {
                    let mut text = self.to_string(&left)?;
                    let right = self.to_string(&right)?;
                    self.check_length(text.len() + right.len())?;
                    text.push_str(&right);
                    self.new_string(&text)
                } else {
                    number(self.to_number(&left)? + self.to_number(&right)?)
                }
            }
            BinOp::Sub => number(self.to_number(left)? - self.to_number(right)?),
            BinOp::Mul => number(self.to_number(left)? * self.to_number(right)?),
            BinOp::Div => number(self.to_number(left)? / self.to_number(right)?),
            BinOp::Rem => {
                let (a, b) = (self.to_number(left)?, self.to_number(right)?);
                // Rust's `%` on f64 is fmod, which matches §6.1.6.1.6.
                number(a % b)
            }
            BinOp::Exp => {
                let (a, b) = (self.to_number(left)?, self.to_number(right)?);
                if b.is_nan() || (a.abs() == 1.0 && b.is_infinite()) {
                    return number(f64::NAN);
                }
                number(a.powf(b))
            }
            BinOp::StrictEq => Ok(Value::Bool(strict_equals(left, right))),
            BinOp::StrictNe => Ok(Value::Bool(!strict_equals(left, right))),
            BinOp::LooseEq => Ok(Value::Bool(self.loose_equals(left, right)?)),
            BinOp::LooseNe => Ok(Value::Bool(!self.loose_equals(left, right)?)),
            BinOp::Lt => self.compare(left, right, |o| o == std::cmp::Ordering::Less),
            BinOp::Gt => self.compare(left, right, |o| o == std::cmp::Ordering::Greater),
            BinOp::Le => self.compare(left, right, |o| o != std::cmp::Ordering::Greater),
            BinOp::Ge => self.compare(left, right, |o| o != std::cmp::Ordering::Less),
            BinOp::InstanceOf => self.instance_of(left, right),
            BinOp::In => match self.has_property(right, left)? {
                Some(found) => Ok(Value::Bool(found)),
                None => self.abstain("`in` on this kind of object is not modelled"),
            },
            BinOp::BitAnd
            | BinOp::BitOr
            | BinOp::BitXor
            | BinOp::Shl
            | BinOp::Shr
            | BinOp::UShr => {
                let (a, b) = (self.to_number(left)?, self.to_number(right)?);
                match super::ops_int32::int32_binary(op, a, b) {
                    Some(n) => number(n),
                    None => self.abstain("internal: not a bitwise operator"),
                }
            }
        }
    }

    /// OrdinaryToPrimitive (§7.1.1.1) calls `valueOf` and `toString` from
    /// anywhere on the chain: a program's own (an object literal's method, a
    /// class's, an assigned `Proto.prototype.toString`) is not modelled, and
    /// an object changed by code the engine cannot see may hold one.
    fn default_conversion(&self, id: ObjId) -> Run<()> {
        let mut current = Some(id);
        while let Some(object) = current.map(|id| &self.heap[id]) {
            if object.blurred {
                return self.abstain(
                    "converting an object changed by code the engine cannot see is not modelled",
                );
            }
            if object.get_own("toString").is_some() || object.get_own("valueOf").is_some() {
                return self.abstain("a custom `toString` or `valueOf` is not modelled");
            }
            current = object.proto;
        }
        Ok(())
    }

    fn to_primitive(&self, value: &Value) -> Run<Value> {
        match value {
            Value::Object(_) => self.new_string(&self.to_string(value)?),
            other => Ok(other.clone()),
        }
    }

    /// Abstract relational comparison (§7.2.13): strings compare by UTF-16
    /// code units, everything else numerically; NaN compares false.
    fn compare(
        &self,
        left: &Value,
        right: &Value,
        accept: impl Fn(std::cmp::Ordering) -> bool,
    ) -> Run<Value> {
        let left = self.to_primitive(left)?;
        let right = self.to_primitive(right)?;
        if let (Value::Str(a), Value::Str(b)) = (&left, &right) {
            return Ok(Value::Bool(accept(a.encode_utf16().cmp(b.encode_utf16()))));
        }
        let (a, b) = (self.to_number(&left)?, self.to_number(&right)?);
        Ok(Value::Bool(a.partial_cmp(&b).is_some_and(accept)))
    }

    fn loose_equals(&self, left: &Value, right: &Value) -> Run<bool> {
        Ok(match (left, right) {
            (a, b) if a.is_nullish() && b.is_nullish() => true,
            (a, b) if a.is_nullish() || b.is_nullish() => false,
            (Value::Object(_), Value::Object(_)) => left == right,
            (Value::Object(_), _) | (_, Value::Object(_)) => {
                return self.abstain("`==` between an object and a primitive is not modelled")
            }
            (Value::Str(_), Value::Str(_)) => left == right,
            _ => self.to_number(left)? == self.to_number(right)?,
        })
    }

    fn instance_of(&self, left: &Value, right: &Value) -> Run<Value> {
        if let Some(result) = self.has_instance(left, right) {
            return Ok(Value::Bool(result));
        }
        let builtin = right.as_object().and_then(|id| match &self.heap[id].kind {
            ObjKind::Native(super::value::Native::Builtin(Builtin::ArrayCtor)) => {
                Some(Builtin::ArrayIsArray)
            }
            ObjKind::Native(super::value::Native::Builtin(b)) => Some(*b),
            ObjKind::Namespace("Promise") => Some(Builtin::PromiseCtor),
            ObjKind::Namespace("Array") => Some(Builtin::ArrayIsArray),
            _ => None,
        });
        let kind = left.as_object().map(|id| &self.heap[id]);
        let result = match (builtin, kind) {
            (Some(_), None) => false,
            (Some(Builtin::PromiseCtor), Some(object)) => {
                matches!(object.kind, ObjKind::Promise(_))
            }
            (Some(Builtin::ArrayIsArray), Some(object)) => {
                matches!(object.kind, ObjKind::Array(_) | ObjKind::Holes(_))
            }
            (Some(Builtin::CollectionCtor(kind)), Some(object)) => {
                matches!(&object.kind, ObjKind::Collection(c) if c.kind == kind)
            }
            (Some(Builtin::ErrorCtor(ErrorKind::Error)), Some(object)) => {
                matches!(object.kind, ObjKind::Error)
            }
            (Some(Builtin::ErrorCtor(kind)), Some(object)) => {
                matches!(object.kind, ObjKind::Error)
                    && object.get_own("name") == Some(&Value::str(kind.name()))
            }
            _ => return self.abstain("`instanceof` with this right-hand side is not modelled"),
        };
        Ok(Value::Bool(result))
    }

    pub fn unary(&self, op: UnOp, value: &Value) -> Run<Value> {
        Ok(match op {
            UnOp::Not => Value::Bool(!value.truthy()),
            UnOp::Neg => Value::Number(-self.to_number(value)?),
            UnOp::Plus => Value::Number(self.to_number(value)?),
            UnOp::Typeof => Value::str(self.type_of(value)),
            UnOp::Void => Value::Undefined,
            UnOp::BitNot => Value::Number(super::ops_int32::bit_not(self.to_number(value)?)),
        })
    }
}

/// IsStrictlyEqual (§7.2.15).
pub(crate) fn strict_equals(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => a == b,
        _ => left == right,
    }
}
