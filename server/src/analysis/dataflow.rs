//! Bindings, reads and writes: which names a piece of code reads or writes,
//! which locals stay live across an `await`, and which are captured by closures.
