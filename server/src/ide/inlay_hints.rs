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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::insights;
    use crate::engine::ModuleKind;
    use crate::syntax;

    const PROGRAM: &str = "async function run() {\n  await 1;\n  await 2;\n}\nrun();\n";

    fn hints(visible: Range<usize>) -> Vec<InlayHint> {
        let tree = syntax::parse(PROGRAM, None);
        inlay_hints(
            &insights::insights(PROGRAM, &tree, ModuleKind::CommonJs),
            visible,
        )
    }

    #[test]
    fn each_await_and_each_dropped_promise_gets_a_hint_after_it_in_document_order() {
        let all = hints(0..PROGRAM.len());
        let found: Vec<(usize, InlayHintKind)> = all
            .iter()
            .map(|hint| (hint.target.end, hint.kind))
            .collect();
        let end_of = |code: &str| PROGRAM.rfind(code).unwrap() + code.len();
        assert_eq!(
            found,
            [
                (end_of("await 1"), InlayHintKind::Resume),
                (end_of("await 2"), InlayHintKind::Resume),
                (end_of("run()"), InlayHintKind::DroppedPromise),
            ],
            "{all:#?}"
        );
        assert!(all[0].tooltip.contains("run()"), "{}", all[0].tooltip);
        assert_eq!(all[2].label, "dropped promise");
    }

    #[test]
    fn only_hints_in_the_visible_range_ends_included() {
        let first = PROGRAM.find("await 1").unwrap() + "await 1".len();
        assert_eq!(hints(0..first).len(), 1);
        assert_eq!(hints(first + 1..PROGRAM.len()).len(), 2);
        assert_eq!(hints(first + 1..first + 2).len(), 0);
    }
}
