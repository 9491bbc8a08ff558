//! Each workspace file's export summary, built once per text. The server
//! keeps a summary until its file changes ([`Summaries`]); `check` builds
//! each from the parse of its own check, once per run, and keeps it in its
//! content-hash cache (cli/check/imported.rs). Both bind imports through a
//! [`SummarySource`].

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};
use tree_sitter::Tree;

use super::exports::export_summary;
use super::ExportSummary;
use crate::syntax;
use crate::syntax::await_lookup::has_module_syntax;
use crate::syntax::roles::{whole_word_ends, Trigger};
use crate::workspace::{module_kind_from, FileSystem, ModuleKind};

/// Where binding a file's imports reads the summaries of the files they name.
pub trait SummarySource {
    /// The summary of the file at `path`; `None` when it cannot be read.
    fn summary_of(&self, path: &Path) -> Option<Arc<FileSummary>>;
}

/// Export summaries by file, each with the hash of the text it was built
/// from: an open buffer's or the disk copy's, read again on every request.
#[derive(Default)]
pub struct Summaries {
    by_path: Mutex<HashMap<PathBuf, (u64, Arc<FileSummary>)>>,
}

/// A file's summary and module kind.
#[derive(Debug)]
pub struct FileSummary {
    pub summary: ExportSummary,
    pub kind: ModuleKind,
}

impl FileSummary {
    /// The summary of the file at `path`, from what its text decides.
    pub fn new(path: &Path, stored: StoredSummary, fs: &impl FileSystem) -> Self {
        Self {
            kind: module_kind_from(path, || stored.module_syntax, fs),
            summary: stored.summary,
        }
    }
}

/// What is kept of a file's text across runs: its summary, and whether it
/// uses ES-module syntax (its kind also depends on its path and package).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSummary {
    pub summary: ExportSummary,
    pub module_syntax: bool,
}

impl StoredSummary {
    /// The summary of `text`, whose parse is `tree`. A text that
    /// [cannot export promises](needs_parse) needs none: pass `None`.
    pub fn of(text: &str, tree: Option<&Tree>) -> Self {
        match tree {
            Some(tree) if needs_parse(text) => Self {
                summary: export_summary(text, tree),
                module_syntax: has_module_syntax(tree),
            },
            // `module_syntax` is read only for a default import, which binds
            // nothing known from an empty summary either way.
            _ => Self::default(),
        }
    }
}

impl Summaries {
    /// The summary of `path` as `fs` holds it now; `None` when unreadable.
    pub fn of(&self, path: &Path, fs: &impl FileSystem) -> Option<Arc<FileSummary>> {
        let text = fs.read(path)?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut hasher);
        let hash = hasher.finish();
        if let Some((known, summary)) = self.lock().get(path) {
            if *known == hash {
                return Some(Arc::clone(summary));
            }
        }
        // A TypeScript file exports what its erased text does, as Node runs it
        // (`check` reads it erased too: cli/check/imported.rs).
        let text = match syntax::SourceLanguage::of_path(path).and_then(|l| l.dialect()) {
            Some(dialect) if needs_parse(&text) => syntax::typescript::strip(&text, dialect)
                .unwrap_or_else(|| {
                    let tree = dialect.parse(&text, None);
                    syntax::typescript::erase(&text, &tree).text
                }),
            _ => text,
        };
        let tree = needs_parse(&text).then(|| syntax::parse(&text, None));
        let stored = StoredSummary::of(&text, tree.as_ref());
        let summary = Arc::new(FileSummary::new(path, stored, fs));
        self.lock()
            .insert(path.to_path_buf(), (hash, Arc::clone(&summary)));
        Some(summary)
    }

    /// These summaries, read through `fs`.
    pub fn reading<'a, F: FileSystem>(&'a self, fs: &'a F) -> impl SummarySource + 'a {
        Reading {
            summaries: self,
            fs,
        }
    }

    /// Forgets `path`'s summary (the file changed or went away).
    pub fn forget(&self, path: &Path) {
        self.lock().remove(path);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<PathBuf, (u64, Arc<FileSummary>)>> {
        self.by_path.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Reading<'a, F> {
    summaries: &'a Summaries,
    fs: &'a F,
}

impl<F: FileSystem> SummarySource for Reading<'_, F> {
    fn summary_of(&self, path: &Path) -> Option<Arc<FileSummary>> {
        self.summaries.of(path, self.fs)
    }
}

/// Whether a file's text can export a function whose calls return a native
/// promise, or re-export one: its summary is read from async functions, the
/// `Promise` global, promised timers (`promisify`, `timers/promises`),
/// classes that inherit methods (`extends`), `export ... from`, and
/// optional packages (a `require` inside a `try`, for
/// `ExportedValue::PackageFunction`). A file without them is not parsed.
/// Each is looked for as a whole word in its role (`isPromise`, `asyncLoad`,
/// `fromArray` beside an `export` are none), erring only towards a parse.
pub fn needs_parse(text: &str) -> bool {
    let word = |word| Trigger::Word(word).occurs(text);
    Trigger::Modifier("async").occurs(text)
        || word("Promise")
        || word("extends")
        || word("promisify")
        || text.contains("timers/promises")
        || (word("try") && text.contains("require("))
        || has_reexport(text)
}

/// Whether `text` may hold an `export * from` or `export { ... } from`: an
/// `export` followed by `*`, or by a `{ ... }` and `from`, whitespace aside
/// (a `/` after it may start a comment, and a comment or a quoted name
/// inside the braces may hold a `}`: either lets the text through).
fn has_reexport(text: &str) -> bool {
    let bytes = text.as_bytes();
    let next_solid = |from: usize| {
        bytes[from..]
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map(|n| from + n)
    };
    whole_word_ends(bytes, "export").any(|end| {
        let Some(at) = next_solid(end) else {
            return false;
        };
        match bytes[at] {
            b'*' | b'/' => true,
            // A comment or a quoted name inside may hold a `}`: let it through.
            b'{' => memchr::memchr(b'}', &bytes[at..]).is_some_and(|close| {
                bytes[at..at + close]
                    .iter()
                    .any(|b| matches!(b, b'/' | b'\'' | b'"'))
                    || next_solid(at + close + 1)
                        .is_some_and(|after| bytes[after..].starts_with(b"from"))
            }),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::needs_parse;

    #[test]
    fn a_text_needs_a_parse_only_for_the_words_a_summary_reads() {
        for text in [
            "export async function f() {}",
            "export const f = async <T>(x: T): T => x",
            "class A { async load<T>(x: T) { return x } }",
            "module.exports = async () => {}",
            "exports.f = () => Promise.resolve(1)",
            "class A extends B {}",
            "const sleep = util.promisify(setTimeout)",
            "const { setTimeout } = require('timers/promises')",
            "function load() { try { return require('x') } catch {} }",
            "export * from './a.js'",
            "export * as ns from './a.js'",
            "export { a, b as c } from './a.js'",
            "export {\n  a,\n} from './a.js'",
            "export /* a comment */ { a } from './a.js'",
            "export {\n  a, // b }\n} from './a.js'",
            "export { 'a}b' as c } from './a.js'",
        ] {
            assert!(needs_parse(text), "{text}");
        }
        for text in [
            "export const isPromise = (v) => typeof v?.then === 'function'",
            "export function fromArray(a) { return a.asyncIterator }",
            "import { x } from './x.js'; export { x };",
            "export default function extendsThat() {}",
            "const tryRequire = require('x')",
            "// async chunks are loaded on demand",
        ] {
            assert!(!needs_parse(text), "{text}");
        }
    }
}
