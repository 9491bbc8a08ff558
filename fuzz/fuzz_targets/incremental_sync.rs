//! Arbitrary sequences of editor changes through `Document::apply_change`,
//! checked against a model, a reference parse, a fresh parse and a fresh
//! analysis. See `ticklens_fuzz::incremental`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ticklens_fuzz::incremental::{run, Script};

fuzz_target!(|script: Script| run(&script));
