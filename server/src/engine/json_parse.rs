//! `JSON.parse` (§25.5.1) into the engine's values. Text that is not JSON
//! (a SyntaxError whose message is V8's own), a reviver, integer-like keys
//! (which V8 orders first) and `__proto__` keys abstain.

use super::machine::{Completion, Machine, Run};
use super::value::{ObjKind, Value};

/// Nesting deeper than this abstains rather than recursing further.
const MAX_NESTING: usize = 64;

struct Parser<'t> {
    text: &'t [u8],
    at: usize,
}

impl Machine<'_> {
    pub(crate) fn json_parse(&mut self, args: &[Value]) -> Run<Completion> {
        if args.get(1).is_some_and(|reviver| self.is_callable(reviver)) {
            return self.abstain("JSON.parse with a reviver is not modelled");
        }
        let text = self.to_string(&args.first().cloned().unwrap_or(Value::Undefined))?;
        let mut parser = Parser {
            text: text.as_bytes(),
            at: 0,
        };
        let value = self.json_value(&mut parser, 0)?;
        parser.skip_space();
        if parser.at != parser.text.len() {
            return self.json_error();
        }
        Ok(Completion::Normal(value))
    }

    fn json_error<T>(&self) -> Run<T> {
        self.abstain("JSON.parse of text that is not JSON (a SyntaxError) is not modelled")
    }

    fn json_value(&mut self, parser: &mut Parser, depth: usize) -> Run<Value> {
        if depth > MAX_NESTING {
            return self.abstain("JSON nested too deeply to model");
        }
        parser.skip_space();
        match parser.peek() {
            Some(b'{') => {
                parser.at += 1;
                let object = self.alloc(ObjKind::Plain);
                parser.skip_space();
                if parser.eat(b'}') {
                    return Ok(Value::Object(object));
                }
                loop {
                    parser.skip_space();
                    let Some(key) = parser.string() else {
                        return self.json_error();
                    };
                    if super::compile_literal::is_array_index(&key) || key == "__proto__" {
                        return self.abstain(
                            "a JSON key that is integer-like or `__proto__` is not modelled",
                        );
                    }
                    parser.skip_space();
                    if !parser.eat(b':') {
                        return self.json_error();
                    }
                    let value = self.json_value(parser, depth + 1)?;
                    self.account_slots(2)?;
                    // A repeated key keeps its first place and takes the last value.
                    self.heap[object].set_own(&key, value);
                    parser.skip_space();
                    if parser.eat(b',') {
                        continue;
                    }
                    if parser.eat(b'}') {
                        return Ok(Value::Object(object));
                    }
                    return self.json_error();
                }
            }
            Some(b'[') => {
                parser.at += 1;
                let mut items = Vec::new();
                parser.skip_space();
                if !parser.eat(b']') {
                    loop {
                        items.push(self.json_value(parser, depth + 1)?);
                        self.account_slots(1)?;
                        parser.skip_space();
                        if parser.eat(b',') {
                            continue;
                        }
                        if parser.eat(b']') {
                            break;
                        }
                        return self.json_error();
                    }
                }
                Ok(Value::Object(self.alloc(ObjKind::Array(items))))
            }
            Some(b'"') => match parser.string() {
                Some(text) => self.new_string(&text),
                None => self.json_error(),
            },
            Some(b't') if parser.keyword("true") => Ok(Value::Bool(true)),
            Some(b'f') if parser.keyword("false") => Ok(Value::Bool(false)),
            Some(b'n') if parser.keyword("null") => Ok(Value::Null),
            Some(b'-' | b'0'..=b'9') => match parser.number() {
                Some(n) => Ok(Value::Number(n)),
                None => self.json_error(),
            },
            _ => self.json_error(),
        }
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    /// JSON's whitespace: tab, LF, CR and space only.
    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b'\t' | b'\n' | b'\r' | b' ')) {
            self.at += 1;
        }
    }

    fn keyword(&mut self, word: &str) -> bool {
        let found = self.text[self.at..].starts_with(word.as_bytes());
        if found {
            self.at += word.len();
        }
        found
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Option<f64> {
        let start = self.at;
        self.eat(b'-');
        if self.eat(b'0') {
            if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return None;
            }
        } else if self.digits() == 0 {
            return None;
        }
        if self.eat(b'.') && self.digits() == 0 {
            return None;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        std::str::from_utf8(&self.text[start..self.at])
            .ok()?
            .parse()
            .ok()
    }

    /// A JSON string; `None` if malformed or holding a lone surrogate.
    fn string(&mut self) -> Option<String> {
        if !self.eat(b'"') {
            return None;
        }
        let mut out: Vec<u16> = Vec::new();
        loop {
            let rest = std::str::from_utf8(&self.text[self.at..]).ok()?;
            let c = rest.chars().next()?;
            self.at += c.len_utf8();
            match c {
                '"' => break,
                '\\' => {
                    let escape = self.peek()?;
                    self.at += 1;
                    let unit = match escape {
                        b'"' => 0x22,
                        b'\\' => 0x5c,
                        b'/' => 0x2f,
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => 0x0a,
                        b'r' => 0x0d,
                        b't' => 0x09,
                        b'u' => {
                            let hex =
                                std::str::from_utf8(self.text.get(self.at..self.at + 4)?).ok()?;
                            self.at += 4;
                            u16::from_str_radix(hex, 16).ok()?
                        }
                        _ => return None,
                    };
                    out.push(unit);
                }
                c if (c as u32) < 0x20 => return None,
                c => {
                    let mut buffer = [0u16; 2];
                    out.extend_from_slice(c.encode_utf16(&mut buffer));
                }
            }
        }
        String::from_utf16(&out).ok()
    }
}
