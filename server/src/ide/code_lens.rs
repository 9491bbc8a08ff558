//! Code lenses: the predicted output above the file, and above each async
//! function when its promise settles. Read from the document's [`Insights`].

use std::ops::Range;

use crate::analysis::insights::Insights;

/// What a code lens tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeLensKind {
    /// What the file prints, in order, or why that is unknown.
    Order,
    /// When an async function's promise settles.
    Settle,
}

/// One lens, shown above the start of `target`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeLens {
    /// The whole file's start (`0..0`) for the order, the function for a settle tick.
    pub target: Range<usize>,
    pub kind: CodeLensKind,
    pub title: String,
}

/// The order lens first, then one lens per async function whose settle tick is
/// known, in the insights' order.
pub fn code_lenses(insights: &Insights) -> Vec<CodeLens> {
    let order = CodeLens {
        target: 0..0,
        kind: CodeLensKind::Order,
        title: insights.order_title(),
    };
    let settles = insights.functions.iter().filter_map(|function| {
        Some(CodeLens {
            target: function.range.clone(),
            kind: CodeLensKind::Settle,
            title: function.settle_title()?,
        })
    });
    std::iter::once(order).chain(settles).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::insights;
    use crate::engine::ModuleKind;
    use crate::syntax;

    #[test]
    fn the_order_comes_first_then_each_async_function_at_its_start() {
        let program = "console.log('A');\nasync function run() { await 1; }\nrun();\n";
        let lenses = code_lenses(&insights::insights(
            program,
            &syntax::parse(program, None),
            ModuleKind::CommonJs,
        ));
        let [order, settle] = &lenses[..] else {
            panic!("{lenses:#?}")
        };
        assert_eq!(
            (order.kind, order.target.clone(), order.title.as_str()),
            (CodeLensKind::Order, 0..0, "prints: A")
        );
        assert_eq!(
            (settle.kind, Some(settle.target.start)),
            (CodeLensKind::Settle, program.find("async"))
        );
        assert!(settle.title.starts_with("run(): settles"), "{settle:?}");
    }
}
