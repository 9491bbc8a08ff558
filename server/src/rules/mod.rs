//! The rule registry. Each rule lives in its own file with its docs and tests.

mod async_array_callback;
mod async_promise_executor;
mod await_in_loop;
mod await_in_promise_all;
mod await_non_promise;
mod captures;
#[cfg(test)]
mod fix_outputs;
mod floating_promise;
mod large_retained_across_await;
mod needless_async;
mod prefer_queue_microtask;
mod promise_constructor_wrap;
mod report;
mod return_without_await_in_try;
mod sequential_awaits;
mod stale_read_across_await;
mod timeout_without_abort;
mod tree_walks;
mod unbounded_fan_out;

pub mod query_registry;

use std::borrow::Cow;
use std::sync::OnceLock;

use memchr::memmem::Finder;

use tree_sitter::{Node, QueryCapture, Tree};

use crate::analysis::source_facts::AsyncFacts;
use crate::config::Config;
use crate::findings::{Finding, Severity};
use crate::syntax::awaits::{self, AwaitExpr};
use crate::syntax::js;
use crate::syntax::{await_lookup, QueryFile, SyntaxIndex, Words};

pub use async_array_callback::AsyncArrayCallback;
pub use async_promise_executor::AsyncPromiseExecutor;
pub use await_in_loop::AwaitInLoop;
pub use await_in_promise_all::AwaitInPromiseAll;
pub use await_non_promise::AwaitNonPromise;
pub use floating_promise::FloatingPromise;
pub use large_retained_across_await::LargeRetainedAcrossAwait;
pub use needless_async::NeedlessAsync;
pub use prefer_queue_microtask::PreferQueueMicrotask;
pub use promise_constructor_wrap::PromiseConstructorWrap;
pub use return_without_await_in_try::ReturnWithoutAwaitInTry;
pub use sequential_awaits::SequentialAwaits;
pub use stale_read_across_await::StaleReadAcrossAwait;
pub use timeout_without_abort::TimeoutWithoutAbort;
pub use unbounded_fan_out::UnboundedFanOut;

/// Every rule ticklens runs.
pub const ALL: &[&dyn Rule] = &[
    &AsyncPromiseExecutor,
    &AsyncArrayCallback,
    &AwaitNonPromise,
    &FloatingPromise,
    &NeedlessAsync,
    &PreferQueueMicrotask,
    &PromiseConstructorWrap,
    &TimeoutWithoutAbort,
    &UnboundedFanOut,
    &ReturnWithoutAwaitInTry,
    &SequentialAwaits,
    &AwaitInLoop,
    &AwaitInPromiseAll,
    &StaleReadAcrossAwait,
    &LargeRetainedAcrossAwait,
];

/// A rule's identity and defaults.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable kebab-case code, also the name of `docs/rules/<code>.md`.
    pub code: &'static str,
    pub default_severity: Severity,
    /// One line for listings.
    pub summary: &'static str,
    /// Words without which the rule cannot report, each in the role the
    /// rule needs it in: a document where none of them appears so is not
    /// examined by this rule at all.
    pub triggers: &'static [Trigger],
    /// The rule's own query files (shared ones live in `syntax::queries`).
    pub queries: &'static [&'static QueryFile],
}

/// A word a rule needs, and the role it must play in the text. Every test
/// is a whole-word search (`isAsync` holds no `async`) plus, but for
/// [`Trigger::Word`], a glance at the neighbouring bytes. The glance errs only one way: where a
/// comment could sit between the word and its neighbour, it lets the
/// document through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Trigger {
    /// Anywhere: a keyword or a name (`async`, `await`, `'fs/promises'`).
    Word(&'static str),
    /// A property read: after `.` or `?.` (`p.then`, `process.nextTick`).
    /// The word in a comment or in prose is not one.
    Property(&'static str),
    /// A name whose member is read or that is called or constructed:
    /// followed by `.`, `?.` or `(` (`Promise.all`, `new Promise(`,
    /// `fetch(`). `@returns {Promise}` in a comment is not one.
    Operand(&'static str),
    /// A modifier of a function (`async`): followed by `function`, by a
    /// parameter list, by one parameter and `=>`, or by a method's name and
    /// `(` (also `*`, `[`, `#` or a quote that starts one). `async chunks`
    /// in prose is not one, nor `neo-async` in a string.
    Modifier(&'static str),
}

impl Trigger {
    pub fn word(self) -> &'static str {
        match self {
            Trigger::Word(word)
            | Trigger::Property(word)
            | Trigger::Operand(word)
            | Trigger::Modifier(word) => word,
        }
    }

    /// Whether the word occurs in `source` in this role. `finder` searches
    /// for the word.
    fn occurs_in(self, source: &[u8], finder: &Finder) -> bool {
        let len = self.word().len();
        finder.find_iter(source).any(|start| {
            let word = start..start + len;
            is_whole_word(source, word.clone())
                && match self {
                    Trigger::Word(_) => true,
                    Trigger::Property(_) => follows_a_dot(source, word.start),
                    Trigger::Operand(_) => precedes_a_member_or_call(source, word.end),
                    Trigger::Modifier(_) => precedes_a_function(source, word.end),
                }
        })
    }
}

/// The rules of `rules` that may report in `source`: those with one of their
/// triggers in it. Each trigger is tested at most once, and only while some
/// rule it could trigger is still undecided; a test stops at the first
/// occurrence in the trigger's role.
pub fn triggered<'r>(source: &str, rules: &[&'r dyn Rule]) -> Vec<&'r dyn Rule> {
    static FINDERS: OnceLock<Vec<(Trigger, Finder<'static>)>> = OnceLock::new();
    let finders = FINDERS.get_or_init(|| {
        let mut triggers: Vec<Trigger> = ALL
            .iter()
            .flat_map(|rule| rule.meta().triggers.iter().copied())
            .collect();
        triggers.sort_unstable();
        triggers.dedup();
        triggers
            .into_iter()
            .map(|trigger| (trigger, Finder::new(trigger.word())))
            .collect()
    });
    let source = source.as_bytes();
    let mut present: Vec<Option<bool>> = vec![None; finders.len()];
    let mut is_present =
        |trigger: Trigger| match finders.binary_search_by_key(&trigger, |(t, _)| *t) {
            Ok(at) => *present[at].get_or_insert_with(|| trigger.occurs_in(source, &finders[at].1)),
            Err(_) => trigger.occurs_in(source, &Finder::new(trigger.word())),
        };
    rules
        .iter()
        .copied()
        .filter(|rule| {
            rule.meta()
                .triggers
                .iter()
                .any(|&trigger| is_present(trigger))
        })
        .collect()
}

/// Whether the bytes at `word` are not part of a longer identifier: no ASCII
/// identifier character touches them. (A non-ASCII letter next to them
/// counts as a boundary, so such a word is still found: the test may only
/// ever let a document through.)
fn is_whole_word(source: &[u8], word: std::ops::Range<usize>) -> bool {
    let before = word.start.checked_sub(1).and_then(|at| source.get(at));
    !before.is_some_and(is_identifier_byte) && !source.get(word.end).is_some_and(is_identifier_byte)
}

/// An ASCII byte that can be part of an identifier.
fn is_identifier_byte(byte: &u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'$')
}

/// Whether a `.` (of `.` or `?.`) comes before `start`, whitespace aside; or
/// a comment could sit between them: the last byte before is the `/` of a
/// `*/`, or the word starts a line and the line before holds `//`.
fn follows_a_dot(source: &[u8], start: usize) -> bool {
    let before = &source[..start];
    let Some(at) = before.iter().rposition(|b| !b.is_ascii_whitespace()) else {
        return false;
    };
    match before[at] {
        b'.' => true,
        b'/' => at > 0 && before[at - 1] == b'*',
        // Some other space (a no-break space, a line separator) may precede.
        byte if !byte.is_ascii() => true,
        _ => {
            let line_start = before[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |n| n + 1);
            before[at..].contains(&b'\n')
                && memchr::memmem::find(&before[line_start..at], b"//").is_some()
        }
    }
}

/// Whether `.`, `?.` or `(` comes after `end`, whitespace aside; or a
/// comment could sit between them (the next byte is a `/`).
fn precedes_a_member_or_call(source: &[u8], end: usize) -> bool {
    source[end..]
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&byte| matches!(byte, b'.' | b'?' | b'(' | b'/') || !byte.is_ascii())
}

/// Whether what follows `end` can be the rest of a function after a
/// modifier: `function`, `(`, `*`, `[`, `#` or a digit (a method's key), a
/// quoted name followed by `(`, or a name followed by `=>` or `(`.
/// Whitespace aside; a `/` (a comment may start there) or a non-ASCII byte
/// lets the document through.
fn precedes_a_function(source: &[u8], end: usize) -> bool {
    let next_solid = |from: usize| {
        source[from..]
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map(|n| from + n)
    };
    let Some(at) = next_solid(end) else {
        return false;
    };
    match source[at] {
        b'(' | b'*' | b'[' | b'#' | b'/' | b'0'..=b'9' => true,
        // A quoted method name, `async 'load'() {}`: the quote closes on
        // the same line and `(` follows. (`'neo-async'` is not one.)
        quote @ (b'\'' | b'"') => {
            let line_end = memchr::memchr(b'\n', &source[at..]).map_or(source.len(), |n| at + n);
            memchr::memchr(quote, &source[at + 1..line_end])
                .and_then(|n| next_solid(at + 1 + n + 1))
                .is_some_and(|after| matches!(source[after], b'(' | b'/'))
        }
        byte if !byte.is_ascii() => true,
        byte if is_identifier_byte(&byte) => {
            let name_end = source[at..]
                .iter()
                .position(|b| !is_identifier_byte(b))
                .map_or(source.len(), |n| at + n);
            if &source[at..name_end] == b"function" {
                return true;
            }
            next_solid(name_end).is_some_and(|after| {
                let rest = &source[after..];
                rest.starts_with(b"=>") || matches!(rest[0], b'(' | b'/') || !rest[0].is_ascii()
            })
        }
        _ => false,
    }
}

/// A check over one document.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, ctx: &RuleContext) -> Vec<Finding>;
}

/// What a rule sees: the text, its tree, the settings, and what every rule
/// shares — one index of the part of the tree being examined (its *scope*: the
/// whole document, or one top-level unit of it) and the file's async facts.
///
/// A rule reports only on what lies in its scope, and looks outside it only
/// through the facts: that is what lets the analysis re-examine one edited unit
/// and keep the findings of the others.
pub struct RuleContext<'a> {
    pub source: &'a str,
    pub tree: &'a Tree,
    pub config: &'a Config,
    index: SyntaxIndex<'a>,
    /// Where the words the queries require occur in the whole document.
    words: Cow<'a, Words<'a>>,
    facts: Facts<'a>,
    /// Whether the file reads as an ES module by its syntax, on first use.
    module_syntax: OnceLock<bool>,
}

enum Facts<'a> {
    /// Computed from the index on first use (the scope is the whole document).
    Lazy(Box<OnceLock<AsyncFacts>>),
    /// The whole document's facts, given by the caller.
    Given(&'a AsyncFacts),
}

impl<'a> RuleContext<'a> {
    /// A context whose scope is the whole document.
    pub fn new(source: &'a str, tree: &'a Tree, config: &'a Config) -> Self {
        Self {
            source,
            tree,
            config,
            index: SyntaxIndex::new(tree.root_node(), query_registry::query_set()),
            words: Cow::Owned(Words::new(
                source,
                query_registry::query_set().required_words(),
            )),
            facts: Facts::Lazy(Box::default()),
            module_syntax: OnceLock::new(),
        }
    }

    /// A context whose scope is `unit`, a part of the document, with whether
    /// the document has ES-module syntax (`await_lookup::has_module_syntax`,
    /// computed once per document); `words` and `facts` are the whole
    /// document's.
    pub fn for_unit(
        source: &'a str,
        tree: &'a Tree,
        config: &'a Config,
        unit: SyntaxIndex<'a>,
        module_syntax: bool,
        words: &'a Words<'a>,
        facts: &'a AsyncFacts,
    ) -> Self {
        Self {
            source,
            tree,
            config,
            index: unit,
            words: Cow::Borrowed(words),
            facts: Facts::Given(facts),
            module_syntax: OnceLock::from(module_syntax),
        }
    }

    /// The nodes the rules examine: the document's root, or the top-level
    /// nodes of one unit.
    pub fn scope(&self) -> &[Node<'a>] {
        self.index.roots()
    }

    pub fn text(&self, node: Node) -> &'a str {
        &self.source[node.byte_range()]
    }

    /// The file's declarations as far as promises go, computed on first use.
    pub fn facts(&self) -> &AsyncFacts {
        match &self.facts {
            Facts::Lazy(facts) => {
                facts.get_or_init(|| AsyncFacts::from_index(self.source, &self.index))
            }
            Facts::Given(facts) => facts,
        }
    }

    /// Every node of `kind` in the scope, in document order (only kinds the
    /// index keeps: query roots and the kinds the async facts read).
    pub fn nodes(&self, kind: &str) -> &[Node<'a>] {
        self.index.nodes(kind)
    }

    /// Whether `node` contains a node of `kind` (a kind [`RuleContext::nodes`] answers for).
    pub fn contains(&self, node: Node, kind: &str) -> bool {
        self.index.contains(node, kind)
    }

    /// Whether `await` is an operator at the file's top level. A rule does
    /// not see the file's path or `package.json`, so this is Node's
    /// detection by syntax: an `import`, `export` or unambiguous top-level
    /// `await` makes an ES module.
    pub fn top_level_awaits(&self) -> bool {
        *self
            .module_syntax
            .get_or_init(|| await_lookup::has_module_syntax(self.tree))
    }

    /// `node` read as an `await` as Node reads it (see [`crate::syntax::awaits`]):
    /// a tree-sitter `await_expression`, or the top of a chain tree-sitter
    /// misparsed as a call of `await` (`await (x).y()`), where `await` is an
    /// operator (in async code; elsewhere `await (x)` calls a function named
    /// `await`). Rules ask this rather than matching `await_expression` nodes.
    pub fn await_at<'t>(&self, node: Node<'t>) -> Option<AwaitExpr<'t>> {
        // Either form starts with its keyword: most nodes stop here.
        if !self.source[node.byte_range()].starts_with("await") {
            return None;
        }
        // The owner is found from the root down: climbing with `Node::parent`
        // costs a descent from the root per step (quadratic in nesting depth).
        let root = self.tree.root_node();
        awaits::await_shape(self.source, node).filter(|awaited| {
            js::in_async_context_under(root, awaited.node, self.top_level_awaits())
        })
    }

    /// Whether `node` may hold an `await` of either form: a cheap test before
    /// a walk that asks [`RuleContext::await_at`] (a tree-sitter
    /// `await_expression` counts here even where it is a call).
    pub fn contains_await(&self, node: Node) -> bool {
        self.contains(node, "await_expression")
            || !await_lookup::misparsed_awaits_in(self.source, node, self.top_level_awaits())
                .is_empty()
    }

    /// Every `await` of either form in the scope, in source order.
    pub fn awaits(&self) -> Vec<AwaitExpr<'a>> {
        let mut found: Vec<AwaitExpr<'a>> = self
            .nodes("await_expression")
            .iter()
            .filter_map(|&node| self.await_at(node))
            .collect();
        for &root in self.scope() {
            found.extend(await_lookup::misparsed_awaits_in(
                self.source,
                root,
                self.top_level_awaits(),
            ));
        }
        found.sort_by_key(|awaited| awaited.node.start_byte());
        found
    }

    /// Runs a query file and calls `each` with every match's captures.
    pub fn for_each_match(&self, file: &QueryFile, each: impl FnMut(&[QueryCapture<'a>])) {
        self.index
            .for_each_match(file, self.source, &self.words, &[], each);
    }

    /// Like [`RuleContext::for_each_match`], for a rule that can only report
    /// on a match whose text holds each of `words` (an `await` in a loop):
    /// other candidates are skipped before the query runs at them.
    pub fn for_each_match_holding(
        &self,
        file: &QueryFile,
        words: &[&str],
        each: impl FnMut(&[QueryCapture<'a>]),
    ) {
        self.index
            .for_each_match(file, self.source, &self.words, words, each);
    }
}

/// The link to a rule's documentation.
pub fn docs_url(code: &str) -> String {
    format!("https://github.com/ticklens/ticklens/blob/main/docs/rules/{code}.md")
}

/// The page listing every rule, for messages about a rule name that is not one.
pub fn docs_index_url() -> &'static str {
    "https://github.com/ticklens/ticklens/tree/main/docs/rules"
}

#[cfg(test)]
pub(crate) mod testing {
    //! Table-driven helpers the rule files use for their tests.

    use super::Rule;
    use crate::driver::analyze_with;
    use crate::syntax;

    /// Asserts `rule` reports nothing on each snippet.
    pub fn assert_valid(rule: &dyn Rule, snippets: &[&str]) {
        for snippet in snippets {
            let tree = syntax::parse(snippet, None);
            let findings = analyze_with(snippet, &tree, &[rule]).findings;
            assert!(
                findings.is_empty(),
                "expected no finding in:\n{snippet}\ngot {findings:#?}"
            );
        }
    }

    /// The output of the first fix of the one finding in `before`, or `None` when
    /// that finding has no fix. Asserts the fix has `safety`, parses cleanly, and
    /// leaves nothing for the rule to report.
    pub fn first_fix_output(
        rule: &dyn Rule,
        safety: crate::findings::FixSafety,
        before: &str,
    ) -> Option<String> {
        let tree = syntax::parse(before, None);
        let findings = analyze_with(before, &tree, &[rule]).findings;
        assert_eq!(findings.len(), 1, "expected one finding in:\n{before}");
        let fix = findings[0].fixes.first()?;
        assert_eq!(fix.safety, safety, "in:\n{before}");
        let fixed = fix.apply(before);
        let again = syntax::parse(&fixed, None);
        assert!(
            !again.root_node().has_error(),
            "fix output does not parse:\n{fixed}"
        );
        assert!(
            analyze_with(&fixed, &again, &[rule]).findings.is_empty(),
            "still flagged:\n{fixed}"
        );
        Some(fixed)
    }

    /// Asserts that the first fix in each `before` has `safety` and turns it into `after`.
    pub fn assert_first_fix(
        rule: &dyn Rule,
        safety: crate::findings::FixSafety,
        cases: &[(&str, &str)],
    ) {
        for (before, after) in cases {
            let fixed = first_fix_output(rule, safety, before)
                .unwrap_or_else(|| panic!("no fix offered in:\n{before}"));
            assert_eq!(fixed, *after);
        }
    }

    /// Asserts `rule` reports on each snippet, with the highlighted text given.
    pub fn assert_invalid(rule: &dyn Rule, cases: &[(&str, &str)]) {
        for (snippet, highlighted) in cases {
            let tree = syntax::parse(snippet, None);
            let findings = analyze_with(snippet, &tree, &[rule]).findings;
            assert_eq!(
                findings.len(),
                1,
                "expected one finding in:\n{snippet}\ngot {findings:#?}"
            );
            assert_eq!(
                &snippet[findings[0].range.clone()],
                *highlighted,
                "in:\n{snippet}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::analyze_with;
    use crate::syntax;

    /// Code blocks in a rule's docs page, tagged `js expect_diagnostic` or `js valid`.
    fn doc_examples(markdown: &str) -> Vec<(bool, String)> {
        let mut examples = Vec::new();
        let mut current: Option<(bool, String)> = None;
        for line in markdown.lines() {
            match (&mut current, line.trim_end()) {
                (None, "```js expect_diagnostic") => current = Some((true, String::new())),
                (None, "```js valid") => current = Some((false, String::new())),
                (Some(_), "```") => examples.extend(current.take()),
                (Some((_, code)), text) => {
                    code.push_str(text);
                    code.push('\n');
                }
                (None, _) => {}
            }
        }
        examples
    }

    #[test]
    fn every_rule_has_a_docs_page_whose_examples_hold() {
        for rule in ALL {
            let code = rule.meta().code;
            let path = format!("{}/../docs/rules/{code}.md", env!("CARGO_MANIFEST_DIR"));
            let markdown =
                std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
            assert!(
                markdown.starts_with(&format!("# {code}\n")),
                "{path} must start with its code"
            );
            let examples = doc_examples(&markdown);
            assert!(
                examples.iter().any(|(flagged, _)| *flagged),
                "{path}: no flagged example"
            );
            assert!(
                examples.iter().any(|(flagged, _)| !*flagged),
                "{path}: no valid example"
            );
            for (flagged, snippet) in examples {
                let tree = syntax::parse(&snippet, None);
                let findings = analyze_with(&snippet, &tree, &[*rule]).findings;
                assert_eq!(!findings.is_empty(), flagged, "{path}: example\n{snippet}");
            }
        }
    }

    /// The codes of the rules `source` triggers.
    fn codes(source: &str) -> Vec<&'static str> {
        triggered(source, ALL)
            .into_iter()
            .map(|rule| rule.meta().code)
            .collect()
    }

    #[test]
    fn trigger_words_count_only_as_whole_words() {
        assert!(codes("const isAsync = asyncIterator; // awaited, Promises, thenable").is_empty());
        assert!(codes("x.then(f)").contains(&"floating-promise"));
        assert!(codes("async function f() {}").contains(&"needless-async"));
        assert!(codes("await(x)").contains(&"await-in-loop"));
        assert!(codes("require('fs/promises')").contains(&"floating-promise"));
        assert!(codes("éasync function f() {}").contains(&"needless-async"));
    }

    #[test]
    fn triggers_count_only_in_their_role() {
        let prose = "// then we race to nextTick: fetch the data\n/** @returns {Promise} */";
        assert!(codes(prose).is_empty(), "{:?}", codes(prose));
        for property in [
            "p.then(f)",
            "p\n  .then(f)",
            "p?.then(f)",
            "p./* a comment */then(f)",
            "p. // a comment\n  then(f)",
        ] {
            assert!(codes(property).contains(&"floating-promise"), "{property}");
        }
        assert!(codes("Promise\n  .race([a, b])").contains(&"timeout-without-abort"));
        assert!(codes("process.nextTick(f)").contains(&"prefer-queue-microtask"));
        assert!(codes("return then(x)").is_empty());
        for operand in [
            "Promise.all(xs.map(f))",
            "Promise?.all(xs)",
            "new Promise((resolve) => resolve())",
            "Promise /* a comment */ .all(xs)",
        ] {
            assert!(codes(operand).contains(&"unbounded-fan-out"), "{operand}");
        }
        assert!(codes("fetch (url)").contains(&"floating-promise"));
        let prose = "// create async chunks\nconst asyncLib = require('neo-async'); async\n";
        assert!(codes(prose).is_empty(), "{:?}", codes(prose));
        for function in [
            "async function f() {}",
            "const f = async () => {};",
            "const f = async(x) => x;",
            "const f = async x => x;",
            "({ async load() {} })",
            "class A { async #load() {} async *[Symbol.asyncIterator]() {} }",
            "({ async 'load'() {} })",
            "async /* a comment */ function f() {}",
        ] {
            assert!(codes(function).contains(&"needless-async"), "{function}");
        }
        assert!(codes("const fetch = 1").is_empty());
    }

    #[test]
    fn rule_codes_are_unique_and_kebab_case() {
        let mut codes: Vec<&str> = ALL.iter().map(|r| r.meta().code).collect();
        assert!(codes
            .iter()
            .all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-')));
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ALL.len());
    }
}
