//! Arbitrary bytes, or token sequences (a leading NUL byte), through the whole
//! analysis: diagnostics, fix-all, insights and hovers at every `await`, and
//! the predicted order. See `ticklens_fuzz::whole_analysis`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let source = ticklens_fuzz::source_of(data);
    ticklens_fuzz::whole_analysis(&source, ticklens_fuzz::module_of(data));
});
