//! The differential test's parts: a seeded program generator, Node 24 as the oracle, and the
//! comparison with the ordering engine.

#![allow(dead_code)] // Each test crate that includes this uses a different part of it.

pub mod generator;
pub mod harness;
pub mod instrument;
pub mod node;
pub mod report;
pub mod timeline;
