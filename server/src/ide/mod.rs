//! The editor features as plain data: hover, inlay hints, code lenses,
//! quick-fixes and fix-all, each a function of the document's text, tree,
//! analysis or insights that returns byte ranges, labels and Markdown.
//!
//! This is ticklens's `ide` layer in rust-analyzer's sense: it knows no
//! protocol. `lsp/` only converts positions and wraps these values in protocol
//! types (`lsp/convert.rs`, `lsp/code_actions.rs`); `check --fix` calls the
//! same [`fix_all::apply_safe_fixes`] as the editor's fix-all; the hover
//! snapshot tests call these functions, so they show what an editor shows.

mod code_actions;
mod code_lens;
pub mod fix_all;
mod hover;
mod inlay_hints;
mod timeline;

pub use code_actions::{quick_fixes, QuickFix};
pub use code_lens::{code_lenses, CodeLens, CodeLensKind};
pub use fix_all::{fix_all, FixAll};
pub use hover::{hover, hover_ahead, HoverOrigin, HoverResult};
pub use inlay_hints::{inlay_hints, InlayHint, InlayHintKind};
pub use timeline::{timeline_json, TIMELINE_VERSION};
