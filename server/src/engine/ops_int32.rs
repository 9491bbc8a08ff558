//! The bitwise and shift operators (§13.12, §13.9, §13.5.6): exact on
//! ToInt32 / ToUint32 of the operands, as V8 computes them.

use super::bytecode::BinOp;

/// ToUint32 (§7.1.7): the integer part modulo 2^32.
pub(crate) fn to_uint32(n: f64) -> u32 {
    if !n.is_finite() {
        return 0;
    }
    let m = n.trunc() % 4_294_967_296.0;
    let m = if m < 0.0 { m + 4_294_967_296.0 } else { m };
    m as u64 as u32
}

/// ToInt32 (§7.1.6).
pub(crate) fn to_int32(n: f64) -> i32 {
    to_uint32(n) as i32
}

/// `a OP b` for a bitwise or shift operator, on numbers already converted
/// by ToNumber; `None` for any other operator.
pub(crate) fn int32_binary(op: BinOp, a: f64, b: f64) -> Option<f64> {
    let shift = to_uint32(b) & 31;
    Some(match op {
        BinOp::BitAnd => f64::from(to_int32(a) & to_int32(b)),
        BinOp::BitOr => f64::from(to_int32(a) | to_int32(b)),
        BinOp::BitXor => f64::from(to_int32(a) ^ to_int32(b)),
        BinOp::Shl => f64::from(to_int32(a).wrapping_shl(shift)),
        BinOp::Shr => f64::from(to_int32(a) >> shift),
        BinOp::UShr => f64::from(to_uint32(a) >> shift),
        _ => return None,
    })
}

/// `~a` (§13.5.6).
pub(crate) fn bit_not(a: f64) -> f64 {
    f64::from(!to_int32(a))
}
