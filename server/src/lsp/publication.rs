//! What one `publishDiagnostics` of a document holds: its findings, bounded
//! the way editors bound them, and the notices about what is missing.
//!
//! A generated 3 MB file gives tens of thousands of findings, a notification
//! of many megabytes: the server spends time serialising it, the client
//! parsing it, and every answer queued behind it on the one output stream
//! waits (docs/performance.md, "A hover while a 3 MB document is analysed").
//! VS Code shows at most 1,000 diagnostics per file anyway, the most severe
//! first, with a line saying how many it left out
//! (`ExtHostDiagnostics._maxDiagnosticsPerFile` in its extension host), so
//! sending more only costs time. The server keeps the same 1,000 and says
//! how many it left out; `ticklens check` lists them all.

use tower_lsp_server::ls_types::Diagnostic;

use crate::document::Document;
use crate::driver::{self, Analysis};
use crate::findings::Finding;
use crate::line_index::Encoding;

use super::convert;

/// The most diagnostics one publication carries (VS Code's per-file limit).
pub const MAX_PUBLISHED: usize = 1000;

/// The diagnostics of `analysis` (and of the text's syntax error), at most
/// [`MAX_PUBLISHED`] of them, with notices for what is left out or not yet examined.
pub fn diagnostics(doc: &Document, analysis: &Analysis, encoding: Encoding) -> Vec<Diagnostic> {
    // The syntax error is no rule's finding: it comes from the tree itself.
    let syntax_error = doc
        .typescript()
        .and_then(|(written, tree, refusal)| driver::refused(written, tree, refusal))
        .or_else(|| driver::syntax_error(doc.text(), doc.tree()));
    let findings: Vec<&Finding> = syntax_error.iter().chain(&analysis.findings).collect();
    let (shown, left_out) = most_severe(findings, MAX_PUBLISHED);
    let mut diagnostics: Vec<_> = shown
        .into_iter()
        .map(|finding| convert::diagnostic(doc, finding, encoding))
        .collect();
    if left_out > 0 {
        diagnostics.push(left_out_notice(left_out));
    }
    if analysis.is_partial() {
        diagnostics.push(convert::partial_notice(analysis.skipped_units));
    }
    diagnostics
}

/// At most `limit` findings, the most severe first (as VS Code picks them),
/// kept in their order in the text; and how many were left out.
fn most_severe(findings: Vec<&Finding>, limit: usize) -> (Vec<&Finding>, usize) {
    if findings.len() <= limit {
        return (findings, 0);
    }
    let mut order: Vec<usize> = (0..findings.len()).collect();
    // Stable: among equally severe findings the earlier ones stay.
    order.sort_by_key(|&i| std::cmp::Reverse(findings[i].severity));
    let mut kept = order[..limit].to_vec();
    kept.sort_unstable();
    let left_out = findings.len() - limit;
    (kept.into_iter().map(|i| findings[i]).collect(), left_out)
}

fn left_out_notice(left_out: usize) -> Diagnostic {
    convert::notice(
        "findings-left-out",
        format!(
            "ticklens shows {MAX_PUBLISHED} findings of this file, the most severe first, and \
             leaves out {left_out} more; `ticklens check` lists them all"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Severity;

    fn finding(at: usize, severity: Severity) -> Finding {
        Finding {
            rule: "test-rule",
            severity,
            message: String::new(),
            range: at..at + 1,
            fixes: Vec::new(),
        }
    }

    #[test]
    fn the_most_severe_findings_are_kept_in_text_order() {
        let findings = [
            finding(0, Severity::Hint),
            finding(1, Severity::Error),
            finding(2, Severity::Warning),
            finding(3, Severity::Error),
            finding(4, Severity::Warning),
        ];
        let (kept, left_out) = most_severe(findings.iter().collect(), 3);
        let kept: Vec<usize> = kept.iter().map(|f| f.range.start).collect();
        assert_eq!(kept, [1, 2, 3]);
        assert_eq!(left_out, 2);
    }

    #[test]
    fn findings_within_the_limit_are_all_kept() {
        let findings = [finding(0, Severity::Hint), finding(1, Severity::Error)];
        let (kept, left_out) = most_severe(findings.iter().collect(), 2);
        assert_eq!(kept.len(), 2);
        assert_eq!(left_out, 0);
    }
}
