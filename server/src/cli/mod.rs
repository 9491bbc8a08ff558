//! The command line: walks files, calls the analysis core, formats results.

pub mod check;
pub mod format;
pub mod order;
pub mod report;
pub mod timeline;
