//! Inlay hints: after each `await` the tick it resumes on, after each dropped
//! promise a marker. Read from the document's [`Insights`]; no tick arithmetic here.

use std::ops::Range;

use crate::analysis::insights::{self, Insights};

/// What an inlay hint marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InlayHintKind {
    /// When the code after an `await` resumes.
    Resume,
    /// A call whose promise nobody keeps.
    DroppedPromise,
}

/// One hint, shown right after the end of `target`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// The `await` expression or the dropped call the hint is about.
    pub target: Range<usize>,
    pub kind: InlayHintKind,
    pub label: String,
    /// The longer text shown when the pointer rests on the hint.
    pub tooltip: String,
}

/// The hints whose position (the end of their target) lies in `visible`, ends
/// included, in document order. An await whose resume tick is unknown has none.
pub fn inlay_hints(insights: &Insights, visible: Range<usize>) -> Vec<InlayHint> {
    let shown = |target: &Range<usize>| visible.start <= target.end && target.end <= visible.end;
    let awaits = insights
        .functions
        .iter()
        .flat_map(|function| {
            let label = function.call_label();
            function.awaits.iter().map(move |at| (at, label.clone()))
        })
        .chain(
            insights
                .module_awaits
                .iter()
                .map(|at| (at, insights::MODULE_BODY.to_owned())),
        );
    let mut hints = Vec::new();
    for (at, function) in awaits {
        let Some(label) = at.inlay_label() else {
            continue;
        };
        if shown(&at.range) {
            hints.push(InlayHint {
                target: at.range.clone(),
                kind: InlayHintKind::Resume,
                label,
                tooltip: at.resume_text(&function),
            });
        }
    }
    for dropped in &insights.dropped {
        if shown(&dropped.range) {
            hints.push(InlayHint {
                target: dropped.range.clone(),
                kind: InlayHintKind::DroppedPromise,
                label: "dropped promise".to_owned(),
                tooltip: insights::dropped_hover(dropped),
            });
        }
    }
    hints.sort_by_key(|hint| hint.target.end);
    hints
}
