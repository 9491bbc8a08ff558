//! What the source says, below the rules: the file's async facts, the data
//! flow of each function, what stays alive across an await, and the insights
//! shown in the editor. The rules read these; the driver ([`crate::driver`])
//! runs the rules.
//!
//! Nothing here knows about the Language Server Protocol or the command line.

pub mod dataflow;
pub mod declared_types;
pub mod insights;
pub(crate) mod lookups;
pub mod modules;
pub mod retention;
pub mod source_facts;
