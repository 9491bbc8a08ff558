//! Applying every safe fix in a document, as `check --fix` and the editor's
//! "fix all" action both do: the same function, so their outputs are identical.

use tree_sitter::Tree;

use crate::config::Config;
use crate::driver::analyze_configured;
use crate::findings::{apply_edits, Edit, FixSafety};
use crate::rules::{self, Rule};
use crate::syntax::{self, SourceLanguage};

/// A bound on the rounds of fixing, only there to stop fixes that would undo
/// each other for ever. A fix can enable or overlap another, and each round
/// applies those that do not overlap, so a file needs one round per level of
/// nested fixes (a wrapper of a wrapper) or per insertion at one point: a real
/// file reaches its fixpoint long before this, which keeps a second `--fix` a
/// no-op.
const MAX_ROUNDS: usize = 64;

/// The editor's "fix all": every safe fix of every rule, as the edits that
/// turn the document into the fixed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixAll {
    pub title: String,
    /// The changed regions only, in order and apart, so that the editor keeps
    /// the cursor, marks and undo history of the rest of the document.
    pub edits: Vec<Edit>,
}

/// Every safe fix of every rule under `config` applied to a fixpoint, as the
/// [`minimal_edits`] from the document `written` (in `language`) to the fixed
/// text; `tree` is the tree the analysis reads (for TypeScript, that of the
/// erased text), which the first round uses; `None` when no fix applies.
pub fn fix_all(
    written: &str,
    language: SourceLanguage,
    tree: &Tree,
    config: &Config,
) -> Option<FixAll> {
    let (text, applied) = fix_rounds(written, language, Some(tree), rules::ALL, config);
    (applied > 0).then(|| FixAll {
        title: format!("Apply all safe ticklens fixes ({applied})"),
        edits: minimal_edits(written, &text),
    })
}

/// The edits that turn `old` into `new`: each run of changed lines (a line
/// diff), narrowed to the characters that differ. No edit covers a line the
/// diff keeps, two edits never touch, and an edit never splits a `\r\n`.
///
/// Composing the fixes' own edits instead would need every round's edits
/// mapped through the later rounds; the diff gives the same text by
/// construction.
pub fn minimal_edits(old: &str, new: &str) -> Vec<Edit> {
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .diff_lines(old, new);
    let old_starts = line_starts(diff.old_slices());
    let new_starts = line_starts(diff.new_slices());
    // Changed runs of lines, adjacent deletions and insertions merged. Each
    // op's length is read, not its index on the other side: similar 2.7
    // gives a deletion's `new_index` (an insertion's `old_index`) wrong after
    // some reorderings.
    let mut hunks: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> = Vec::new();
    let (mut old_at, mut new_at) = (0, 0);
    for op in diff.ops() {
        let (old_len, new_len) = (op.old_range().len(), op.new_range().len());
        let (old_lines, new_lines) = (old_at..old_at + old_len, new_at..new_at + new_len);
        old_at += old_len;
        new_at += new_len;
        if op.tag() == similar::DiffTag::Equal {
            continue;
        }
        match hunks.last_mut() {
            Some((o, n)) if o.end == old_lines.start && n.end == new_lines.start => {
                o.end = old_lines.end;
                n.end = new_lines.end;
            }
            _ => hunks.push((old_lines, new_lines)),
        }
    }
    hunks
        .into_iter()
        .map(|(old_lines, new_lines)| {
            let old_range = old_starts[old_lines.start]..old_starts[old_lines.end];
            let new_range = new_starts[new_lines.start]..new_starts[new_lines.end];
            narrowed(old, old_range, &new[new_range])
        })
        .collect()
}

/// The byte offset where each line starts, and the text's length last.
fn line_starts(lines: &[&str]) -> Vec<usize> {
    let mut starts = Vec::with_capacity(lines.len() + 1);
    let mut at = 0;
    starts.push(at);
    for line in lines {
        at += line.len();
        starts.push(at);
    }
    starts
}

/// The edit replacing `old[range]` with `replacement`, without the prefix
/// and suffix the two share.
fn narrowed(old: &str, range: std::ops::Range<usize>, replacement: &str) -> Edit {
    let replaced = &old[range.clone()];
    let mut prefix = common_prefix(replaced, replacement);
    // A position between `\r` and `\n` is no position in the editor.
    let splits_crlf =
        |at: usize| replaced[..at].ends_with('\r') && replaced[at..].starts_with('\n');
    if splits_crlf(prefix) {
        prefix -= 1;
    }
    let mut suffix = common_suffix(&replaced[prefix..], &replacement[prefix..]);
    if splits_crlf(replaced.len() - suffix) {
        // The suffix starts with that `\n`, one byte in both texts.
        suffix -= 1;
    }
    Edit {
        range: range.start + prefix..range.end - suffix,
        text: replacement[prefix..replacement.len() - suffix].to_owned(),
    }
}

/// The length in bytes of the longest common prefix, at a char boundary.
fn common_prefix(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or_else(|| a.len().min(b.len()), |((at, _), _)| at)
}

/// The length in bytes of the longest common suffix, at a char boundary.
fn common_suffix(a: &str, b: &str) -> usize {
    a.chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum()
}

/// The text after applying every safe fix, and how many fixes were applied.
/// TypeScript is parsed erased and the rules read the text as written (an
/// offset is the same in both), so a fix copies the types it moves.
pub fn apply_safe_fixes(
    source: &str,
    language: SourceLanguage,
    rules: &[&dyn Rule],
    config: &Config,
) -> (String, usize) {
    fix_rounds(source, language, None, rules, config)
}

/// [`apply_safe_fixes`], the first round on `first` (the analysed tree of
/// `source`) when given.
fn fix_rounds(
    source: &str,
    language: SourceLanguage,
    mut first: Option<&Tree>,
    rules: &[&dyn Rule],
    config: &Config,
) -> (String, usize) {
    let mut text = source.to_owned();
    let mut applied = 0;
    for _ in 0..MAX_ROUNDS {
        let edits = match first.take() {
            Some(tree) => non_overlapping_safe_edits(&text, tree, rules, config),
            None => {
                // A fixed text whose parse is given up keeps the fixes made so far.
                let budget = syntax::parse_budget(text.len());
                let Some(prepared) = syntax::prepare_within(&text, language, budget) else {
                    break;
                };
                non_overlapping_safe_edits(&text, &prepared.tree, rules, config)
            }
        };
        if edits.is_empty() {
            break;
        }
        let fixed = apply_edits(&text, edits.iter().flatten());
        if fixed == text {
            break;
        }
        applied += edits.len();
        text = fixed;
    }
    (text, applied)
}

/// One group of edits per finding whose first safe fix does not overlap an earlier one.
fn non_overlapping_safe_edits(
    source: &str,
    tree: &Tree,
    rules: &[&dyn Rule],
    config: &Config,
) -> Vec<Vec<Edit>> {
    let analysis = analyze_configured(source, tree, rules, config);
    let mut taken: Vec<std::ops::Range<usize>> = Vec::new();
    let mut groups = Vec::new();
    for finding in analysis.findings {
        let Some(fix) = finding
            .fixes
            .into_iter()
            .find(|f| f.safety == FixSafety::Safe)
        else {
            continue;
        };
        let overlaps = fix.edits.iter().any(|edit| {
            taken.iter().any(|t| {
                edit.range.start < t.end && t.start < edit.range.end
                    // Two insertions at the same point also conflict.
                    || edit.range.start == t.start
            })
        });
        if overlaps || fix.edits.is_empty() {
            continue;
        }
        taken.extend(fix.edits.iter().map(|edit| edit.range.clone()));
        groups.push(
            fix.edits
                .iter()
                .map(|edit| in_line_endings_of(source, edit))
                .collect(),
        );
    }
    groups
}

/// `edit` with the line breaks it inserts written as `source` writes them.
///
/// Rules build fix text with `\n`; in a CRLF file that would leave lines with
/// mixed endings. A line break the edit copies from the source stays as it is.
/// Turning `\n` into `\r\n` never changes what JavaScript code means: a line
/// terminator is one in either form, and template literals read `\r\n` as `\n`.
pub fn in_line_endings_of(source: &str, edit: &Edit) -> Edit {
    let text = if source.contains("\r\n") && edit.text.contains('\n') {
        let mut crlf = String::with_capacity(edit.text.len() + 8);
        let mut previous = None;
        for c in edit.text.chars() {
            if c == '\n' && previous != Some('\r') {
                crlf.push('\r');
            }
            crlf.push(c);
            previous = Some(c);
        }
        crlf
    } else {
        edit.text.clone()
    };
    Edit {
        range: edit.range.clone(),
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn apply(old: &str, edits: &[Edit]) -> String {
        apply_edits(old, edits.iter())
    }

    #[test]
    fn only_the_changed_characters_are_replaced() {
        let old = "a;\nreturn new Promise(async (resolve) => {\nb;\n";
        let new = "a;\nreturn new Promise((resolve) => {\nb;\n";
        let edits = minimal_edits(old, new);
        assert_eq!(
            edits,
            vec![Edit {
                range: 22..28,
                text: String::new()
            }]
        );
        assert_eq!(apply(old, &edits), new);
        assert_eq!(minimal_edits(old, old), vec![]);
    }

    #[test]
    fn an_edit_never_splits_a_crlf_or_a_char() {
        for (old, new) in [
            ("a\r\nb\r\n", "a\nb\r\n"),
            ("\n\r😀\n\n\r \n\r😀", "é😀"),
            // similar 2.7 gives this deletion a wrong `new_index`.
            ("é\r😀\n😀\né\n\ré\n", "\r\ra\n\n\n\r\r\r😀\n😀\ré\n\n"),
        ] {
            let edits = minimal_edits(old, new);
            assert_eq!(apply(old, &edits), new);
            for edit in &edits {
                for at in [edit.range.start, edit.range.end] {
                    assert!(
                        !(old[..at].ends_with('\r') && old[at..].starts_with('\n')),
                        "{edits:?}"
                    );
                }
            }
        }
    }

    /// Every JavaScript and TypeScript file of the examples and test fixtures.
    fn sources() -> Vec<(std::path::PathBuf, SourceLanguage)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        let mut folders: Vec<_> = ["examples", "tests/fixtures", "editors/fixtures"]
            .iter()
            .map(|f| root.join(f))
            .collect();
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).expect("a readable folder") {
                let path = entry.expect("a readable entry").path();
                if path.is_dir() {
                    folders.push(path);
                } else if let Some(language) = SourceLanguage::of_path(&path) {
                    files.push((path, language));
                }
            }
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        assert!(files.len() > 50, "{files:?}");
        files
    }

    /// Fix-all's edits give exactly the text `check --fix` writes, in LF and
    /// CRLF, and leave alone every line the line diff keeps.
    #[test]
    fn fix_all_edits_give_the_fixed_text_and_only_touch_changed_lines() {
        let config = Config {
            rules: rules::ALL
                .iter()
                .map(|rule| (rule.meta().code.to_owned(), crate::config::RuleLevel::On))
                .collect(),
            ..Config::default()
        };
        let mut fixed_files = 0;
        for (path, language) in sources() {
            let Ok(lf) = std::fs::read_to_string(&path) else {
                continue;
            };
            for text in [lf.clone(), lf.replace('\n', "\r\n")] {
                let Some(prepared) =
                    syntax::prepare_within(&text, language, syntax::parse_budget(text.len()))
                else {
                    continue;
                };
                let (expected, applied) = apply_safe_fixes(&text, language, rules::ALL, &config);
                let Some(fix) = fix_all(&text, language, &prepared.tree, &config) else {
                    assert_eq!(applied, 0, "{}", path.display());
                    continue;
                };
                fixed_files += 1;
                assert_eq!(apply(&text, &fix.edits), expected, "{}", path.display());
                let diff = similar::TextDiff::from_lines(&text, &expected);
                let mut at = 0;
                for change in diff.iter_all_changes() {
                    let len = change.value().len();
                    if change.tag() == similar::ChangeTag::Delete
                        || change.tag() == similar::ChangeTag::Equal
                    {
                        if change.tag() == similar::ChangeTag::Equal {
                            let kept = at..at + len;
                            for edit in &fix.edits {
                                let overlap =
                                    edit.range.start < kept.end && kept.start < edit.range.end;
                                assert!(
                                    !overlap,
                                    "{}: {edit:?} covers the unchanged {kept:?}",
                                    path.display()
                                );
                            }
                        }
                        at += len;
                    }
                }
            }
        }
        assert!(fixed_files >= 10, "{fixed_files}");
    }

    proptest! {
        #[test]
        fn applying_the_edits_gives_the_new_text(
            old in "(a|b|\r|\n|é|😀| ){0,40}",
            new in "(a|b|\r|\n|é|😀| ){0,40}",
        ) {
            let edits = minimal_edits(&old, &new);
            prop_assert_eq!(apply(&old, &edits), new);
            for pair in edits.windows(2) {
                prop_assert!(pair[0].range.end < pair[1].range.start, "{:?}", edits);
            }
        }
    }

    fn edit(text: &str) -> Edit {
        Edit {
            range: 3..3,
            text: text.to_owned(),
        }
    }

    #[test]
    fn inserted_line_breaks_follow_a_crlf_source() {
        let crlf = "a;\r\nb;\r\n";
        assert_eq!(
            in_line_endings_of(crlf, &edit("\n  x = null;")).text,
            "\r\n  x = null;"
        );
        // Line breaks copied from the source are already CRLF.
        assert_eq!(
            in_line_endings_of(crlf, &edit("{\r\n  f();\n}")).text,
            "{\r\n  f();\r\n}"
        );
        assert_eq!(
            in_line_endings_of("a;\nb;\n", &edit("\n  x = null;")).text,
            "\n  x = null;"
        );
    }
}
