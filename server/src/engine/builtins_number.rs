//! `parseInt`, `parseFloat`, the `Number` statics (§21.1.2) and the number
//! methods `toFixed` and `toString(radix)` (§21.1.3), exact or abstaining.

use super::builtins::arg;
use super::machine::{Completion, Machine, Run};
use super::ops::number_to_string;
use super::value::{NumberMethod, NumberStatic, Value};

/// The value properties of `Math` (§21.3.1): exact doubles, the same bits Node holds.
pub(crate) const MATH_CONSTANTS: [(&str, f64); 8] = [
    ("E", std::f64::consts::E),
    ("LN10", std::f64::consts::LN_10),
    ("LN2", std::f64::consts::LN_2),
    ("LOG10E", std::f64::consts::LOG10_E),
    ("LOG2E", std::f64::consts::LOG2_E),
    ("PI", std::f64::consts::PI),
    ("SQRT1_2", std::f64::consts::FRAC_1_SQRT_2),
    ("SQRT2", std::f64::consts::SQRT_2),
];

/// 2^53: integers up to here are exact in a double.
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// StrWhiteSpaceChar (§7.1.4.1) within ASCII: tab, LF, VT, FF, CR, space.
fn is_js_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// ToInt32 (§7.1.6).
fn to_int32(n: f64) -> i32 {
    if !n.is_finite() {
        return 0;
    }
    let wrapped = n.trunc().rem_euclid(4_294_967_296.0);
    if wrapped >= 2_147_483_648.0 {
        (wrapped - 4_294_967_296.0) as i32
    } else {
        wrapped as i32
    }
}

/// The longest prefix of `text` that is a StrDecimalLiteral (§21.1.2.12
/// parseFloat), as a number; NaN when there is none.
fn parse_float_prefix(text: &str) -> f64 {
    let bytes = text.as_bytes();
    let mut end = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        end = 1;
    }
    let negative = bytes.first() == Some(&b'-');
    if text[end..].starts_with("Infinity") {
        return if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    let digits = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let whole = digits(end);
    end += whole;
    let mut fraction = 0;
    if bytes.get(end) == Some(&b'.') {
        fraction = digits(end + 1);
        if whole + fraction > 0 {
            end += 1 + fraction;
        }
    }
    if whole + fraction == 0 {
        return f64::NAN;
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let mut exp = end + 1;
        if matches!(bytes.get(exp), Some(b'+' | b'-')) {
            exp += 1;
        }
        let exp_digits = digits(exp);
        if exp_digits > 0 {
            end = exp + exp_digits;
        }
    }
    // Rust's parser rounds correctly, as §7.1.4.1.1 asks.
    text[..end].parse::<f64>().unwrap_or(f64::NAN)
}

/// Rounds the decimal digits `digits` (no point) up by one unit in the last place.
fn increment_decimal(digits: &mut Vec<u8>) {
    for digit in digits.iter_mut().rev() {
        if *digit == b'9' {
            *digit = b'0';
        } else {
            *digit += 1;
            return;
        }
    }
    digits.insert(0, b'1');
}

/// Number.prototype.toFixed for 0 <= x < 1e21 (§21.1.3.3 steps 10-11): the
/// integer n nearest to x * 10^f, the larger one on a tie. The double's
/// exact decimal expansion (at most 1074 fraction digits) decides.
fn fixed_digits(x: f64, fraction_digits: usize) -> String {
    let exact = format!("{x:.1100}");
    let (whole, fraction) = exact.split_once('.').unwrap_or((&exact, ""));
    let mut digits: Vec<u8> = whole.bytes().collect();
    digits.extend(fraction.bytes().take(fraction_digits));
    if fraction
        .as_bytes()
        .get(fraction_digits)
        .is_some_and(|d| *d >= b'5')
    {
        increment_decimal(&mut digits);
    }
    let text = String::from_utf8(digits).unwrap_or_default();
    if fraction_digits == 0 {
        return text;
    }
    let point = text.len() - fraction_digits;
    let (int_part, frac_part) = text.split_at(point);
    let int_part = if int_part.is_empty() { "0" } else { int_part };
    format!("{int_part}.{frac_part}")
}

impl Machine<'_> {
    pub(crate) fn number_static(
        &mut self,
        method: NumberStatic,
        args: &[Value],
    ) -> Run<Completion> {
        let value = arg(args, 0);
        let number = match value {
            Value::Number(n) => Some(n),
            _ => None,
        };
        let result = match method {
            NumberStatic::IsInteger => {
                Value::Bool(number.is_some_and(|n| n.is_finite() && n.trunc() == n))
            }
            NumberStatic::IsSafeInteger => Value::Bool(
                number.is_some_and(|n| n.is_finite() && n.trunc() == n && n.abs() < EXACT_INTEGERS),
            ),
            NumberStatic::IsFinite => Value::Bool(number.is_some_and(f64::is_finite)),
            NumberStatic::IsNaN => Value::Bool(number.is_some_and(f64::is_nan)),
            NumberStatic::GlobalIsNaN => Value::Bool(self.to_number(&value)?.is_nan()),
            NumberStatic::GlobalIsFinite => Value::Bool(self.to_number(&value)?.is_finite()),
            NumberStatic::ParseFloat => {
                let text = self.to_string(&value)?;
                if !text.is_ascii() {
                    return self.abstain("parseFloat of non-ASCII text is not modelled");
                }
                Value::Number(parse_float_prefix(text.trim_start_matches(is_js_space)))
            }
            NumberStatic::ParseInt => {
                let text = self.to_string(&value)?;
                let radix = to_int32(self.to_number(&arg(args, 1))?);
                Value::Number(self.parse_int(&text, radix)?)
            }
        };
        Ok(Completion::Normal(result))
    }

    /// parseInt (§19.2.5): exact integers, and decimal digits rounded as a literal would be.
    fn parse_int(&self, text: &str, radix: i32) -> Run<f64> {
        if !text.is_ascii() {
            return self.abstain("parseInt of non-ASCII text is not modelled");
        }
        let mut rest = text.trim_start_matches(is_js_space);
        let negative = rest.starts_with('-');
        if let Some(unsigned) = rest.strip_prefix(['-', '+']) {
            rest = unsigned;
        }
        let mut radix = radix;
        let mut strip_prefix = true;
        if radix != 0 {
            if !(2..=36).contains(&radix) {
                return Ok(f64::NAN);
            }
            strip_prefix = radix == 16;
        } else {
            radix = 10;
        }
        if strip_prefix {
            if let Some(hex) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
                rest = hex;
                radix = 16;
            }
        }
        let digits: Vec<u32> = rest
            .chars()
            .map_while(|c| c.to_digit(radix as u32))
            .collect();
        if digits.is_empty() {
            return Ok(f64::NAN);
        }
        if radix == 10 && digits.len() > 15 {
            // V8 reads a long decimal prefix with its correctly rounding strtod; so does Rust.
            let text: String = digits
                .iter()
                .filter_map(|d| char::from_digit(*d, 10))
                .collect();
            let magnitude = text.parse::<f64>().unwrap_or(f64::NAN);
            return Ok(if negative { -magnitude } else { magnitude });
        }
        let mut value: u128 = 0;
        for digit in digits {
            value = value * radix as u128 + u128::from(digit);
            if value as f64 > EXACT_INTEGERS {
                return self.abstain("parseInt of a number beyond 2^53 is not modelled");
            }
        }
        let magnitude = value as f64;
        Ok(if negative { -magnitude } else { magnitude })
    }

    pub(crate) fn number_method(
        &mut self,
        method: NumberMethod,
        this: Value,
        args: &[Value],
    ) -> Run<Completion> {
        let Value::Number(x) = this else {
            return self.abstain("a number method called on something other than a number");
        };
        let text = match method {
            NumberMethod::ToString => match arg(args, 0) {
                Value::Undefined => number_to_string(x),
                radix => {
                    let radix = self.to_number(&radix)?.trunc();
                    if !(2.0..=36.0).contains(&radix) {
                        return self.abstain("toString with a radix outside 2..36 (a RangeError)");
                    }
                    self.to_radix_string(x, radix as u32)?
                }
            },
            NumberMethod::ToFixed => {
                let digits = match arg(args, 0) {
                    Value::Undefined => 0.0,
                    other => {
                        let n = self.to_number(&other)?;
                        if n.is_nan() {
                            0.0
                        } else {
                            n.trunc()
                        }
                    }
                };
                if !(0.0..=100.0).contains(&digits) {
                    return self.abstain("toFixed with more than 100 digits (a RangeError)");
                }
                // NaN, infinities and |x| >= 1e21 print as ToString does (steps 5, 10).
                if !x.is_finite() || x.abs() >= 1e21 {
                    number_to_string(x)
                } else {
                    let sign = if x < 0.0 { "-" } else { "" };
                    format!("{sign}{}", fixed_digits(x.abs(), digits as usize))
                }
            }
        };
        Ok(Completion::Normal(self.new_string(&text)?))
    }

    /// Number::toString(x, radix) (§6.1.6.1.20) for integers; V8's digits for
    /// fractions in other radices are its own, so those abstain.
    fn to_radix_string(&self, x: f64, radix: u32) -> Run<String> {
        if radix == 10 || !x.is_finite() {
            return Ok(number_to_string(x));
        }
        if x.trunc() != x || x.abs() > EXACT_INTEGERS {
            return self.abstain("toString(radix) of a fraction or a huge number is not modelled");
        }
        let mut magnitude = x.abs() as u64;
        if magnitude == 0 {
            return Ok("0".to_owned());
        }
        let mut digits = Vec::new();
        while magnitude > 0 {
            let digit = (magnitude % u64::from(radix)) as u32;
            digits.push(std::char::from_digit(digit, radix).unwrap_or('?'));
            magnitude /= u64::from(radix);
        }
        if x < 0.0 {
            digits.push('-');
        }
        Ok(digits.iter().rev().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::{fixed_digits, parse_float_prefix, to_int32};

    #[test]
    fn to_fixed_rounds_ties_of_the_exact_value_up() {
        // Node 24: (0.5).toFixed(0) "1", (2.5).toFixed(0) "3", (1.005).toFixed(2) "1.00"
        // (1.005 is below the tie), (1.45).toFixed(1) "1.4", (0.000001).toFixed(7) "0.0000010".
        assert_eq!(fixed_digits(0.5, 0), "1");
        assert_eq!(fixed_digits(2.5, 0), "3");
        assert_eq!(fixed_digits(1.005, 2), "1.00");
        assert_eq!(fixed_digits(1.45, 1), "1.4");
        assert_eq!(fixed_digits(0.000001, 7), "0.0000010");
        assert_eq!(fixed_digits(9.995, 2), "9.99");
        assert_eq!(fixed_digits(99.5, 0), "100");
    }

    #[test]
    fn parse_float_takes_the_longest_decimal_prefix() {
        assert_eq!(parse_float_prefix("2.75abc"), 2.75);
        assert_eq!(parse_float_prefix(".5"), 0.5);
        assert_eq!(parse_float_prefix("1e3x"), 1000.0);
        assert_eq!(parse_float_prefix("1e"), 1.0);
        assert_eq!(parse_float_prefix("-Infinityx"), f64::NEG_INFINITY);
        assert!(parse_float_prefix("abc").is_nan());
        assert!(parse_float_prefix(".").is_nan());
        assert!(parse_float_prefix("-0").is_sign_negative());
    }

    #[test]
    fn to_int32_wraps() {
        assert_eq!(to_int32(4_294_967_312.0), 16);
        assert_eq!(to_int32(-1.5), -1);
        assert_eq!(to_int32(f64::NAN), 0);
    }
}
