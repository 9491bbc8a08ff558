//! Facts about async code that several rules share: which functions are
//! async, which expressions certainly produce a promise, and where a promise
//! is dropped.
