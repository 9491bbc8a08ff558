//! `ticklens check [PATHS...]`: analyse files and folders in parallel, print
//! findings in the chosen format, and exit with a status CI can act on.
//!
//! Exit status: 0 clean; 1 when a finding has error severity, or warnings with
//! `--deny-warnings` or over `--max-warnings`; 2 when a path could not be read or
//! decoded (a file without permission, a folder that cannot be read, a broken or
//! looping link, a FIFO, a binary file), or on a usage error. Each such path is
//! reported once, and the other files are still checked and printed. Also 2,
//! with nothing checked, when a `ticklens.toml` that applies is invalid.

mod cache;
mod configs;
mod fix;
mod imported;
mod shard;
pub mod walk;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use tree_sitter::Tree;

use crate::analysis::declared_types::DeclaredTypes;
use crate::analysis::modules::ImportedNames;
use crate::config::{Config, ConfigError};
use crate::driver::{analyze_guarded, syntax_error};
use crate::engine;
use crate::findings::{Finding, SYNTAX_ERROR};
use crate::rules::{self, Reads};
use crate::syntax;

use super::format::{self, Format, Summary};
use super::report::{FileReport, Outcome};

pub use fix::FixMode;
pub use shard::Shard;
pub use walk::EXTENSIONS;

/// Everything `check` was asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    // Which files.
    /// Files and folders to check.
    pub paths: Vec<PathBuf>,
    /// `--include`/`--exclude` globs and the config file's.
    pub filters: walk::Filters,
    /// Larger files are skipped, with a note.
    pub max_file_size: u64,
    pub include_minified: bool,
    // How to run.
    /// Where results are cached by content hash; `None` turns the cache off.
    pub cache_dir: Option<PathBuf>,
    /// Worker threads; `None` uses one per core.
    pub threads: Option<usize>,
    /// Check only this share of the walked files (`--shard K/N`).
    pub shard: Option<Shard>,
    // What to do with each file.
    /// Report, or apply safe (or all) fixes.
    pub fix: FixMode,
    /// Add each file's predicted output (`--order`).
    pub order: bool,
    // How to report.
    /// Exit 1 when there are more warnings than this (`--deny-warnings` is 0).
    pub max_warnings: Option<usize>,
    pub format: Format,
    pub color: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            paths: vec![PathBuf::from(".")],
            filters: walk::Filters::default(),
            max_file_size: 5 * 1024 * 1024,
            include_minified: false,
            cache_dir: None,
            threads: None,
            shard: None,
            fix: FixMode::Report,
            order: false,
            max_warnings: None,
            format: Format::Human,
            color: false,
        }
    }
}

pub fn run(options: &Options) -> ExitCode {
    let started = Instant::now();
    keep_freed_memory();
    if let Some(threads) = options.threads {
        if let Err(error) = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
        {
            eprintln!("error: cannot set up {threads} threads: {error}");
            return ExitCode::from(2);
        }
    }
    // The configs above the named paths give the walk its `ignore` lists;
    // then every config governing a walked file must be valid before any
    // file is checked (see `configs`).
    let top_configs = match load_configs(&options.paths) {
        Ok(configs) => configs,
        Err(errors) => {
            configs::report(errors);
            return ExitCode::from(2);
        }
    };
    let mut filters = options.filters.clone();
    for config in &top_configs {
        filters.exclude.extend(config.ignore.iter().cloned());
    }
    let mut walked = walk::walk(&options.paths, &filters);
    if let Some(shard) = options.shard {
        let all = walked.files.len();
        walked = shard.split(walked);
        eprintln!(
            "ticklens: shard {shard}: {} of {all} files",
            walked.files.len()
        );
    }
    let configs = match configs::ConfigCache::load(&walked.files) {
        Ok(configs) => configs,
        Err(errors) => {
            configs::report(errors);
            return ExitCode::from(2);
        }
    };
    let mut walk_errors = Vec::new();

    let checker = Checker::new(options, configs, &walked.files);
    let progress = progress_bar(walked.files.len());
    // Largest first, handed out one at a time in that order: a big file met
    // last would leave the other threads idle while one finishes it.
    let mut by_size: Vec<(u64, &PathBuf)> = walked
        .files
        .iter()
        .map(|path| (std::fs::metadata(path).map_or(0, |m| m.len()), path))
        .collect();
    by_size.sort_by_key(|&(size, _)| std::cmp::Reverse(size));
    let mut reports: Vec<FileReport> = by_size
        .into_iter()
        .map(|(_, path)| path)
        .par_bridge()
        .flat_map_iter(|path| {
            let reports = checker.visit(path);
            progress.inc(reports.len() as u64);
            reports
        })
        .collect();
    progress.finish_and_clear();
    if std::env::var_os("TICKLENS_CHECK_STATS").is_some() {
        eprintln!("check: {}", checker.workspace.stats());
    }
    // A path the walk could not look into is reported like a file that could
    // not be read: once, in every format, in path order.
    for problem in walked.problems {
        match problem.path {
            Some(path) => reports.push(FileReport::failed(path, problem.message)),
            None => walk_errors.push(problem.message),
        }
    }
    reports.sort_by(|a, b| a.path.cmp(&b.path));
    // A path named and also met in a walked folder is reported once.
    reports.dedup_by(|a, b| a.path == b.path);

    let summary = Summary::new(&reports, walk_errors.len(), started.elapsed());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for message in &walk_errors {
        eprintln!("error: {message}");
    }
    for report in &reports {
        if let Outcome::Failed(error) = &report.outcome {
            eprintln!("error: {}: {error}", report.path.display());
        }
    }
    // The diff is the product of a dry run: it goes where the user reads it,
    // stdout, unless stdout carries a machine-read document (JSON, SARIF,
    // workflow commands) that the diff would corrupt.
    let diffs_to_stdout = matches!(options.format, Format::Human | Format::Compact);
    for diff in reports.iter().filter_map(|r| r.diff.as_deref()) {
        if diffs_to_stdout {
            let _ = out.write_all(diff.as_bytes());
        } else {
            eprint!("{diff}");
        }
    }
    if options.fix == FixMode::DryRun && reports.iter().all(|r| r.diff.is_none()) {
        let line = fix::nothing_to_fix(&reports);
        if diffs_to_stdout {
            let _ = writeln!(out, "{line}");
        } else {
            eprintln!("{line}");
        }
    }
    if let Err(error) = format::write(&mut out, options.format, options.color, &reports, &summary) {
        eprintln!("error: cannot write the report: {error}");
        return ExitCode::from(2);
    }
    exit_code(&summary, options)
}

fn exit_code(summary: &Summary, options: &Options) -> ExitCode {
    let too_many_warnings = options
        .max_warnings
        .is_some_and(|max| summary.warnings > max);
    if summary.failed > 0 {
        ExitCode::from(2)
    } else if summary.errors > 0 || too_many_warnings {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A bar on stderr for long runs on a terminal; hidden otherwise.
fn progress_bar(len: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if len < 200 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// The configs found above the given paths (for their `ignore` lists), or
/// the errors of those that are broken, once per file.
fn load_configs(paths: &[PathBuf]) -> Result<Vec<Config>, Vec<ConfigError>> {
    let mut configs = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for path in paths {
        if let Some(file) = Config::find_file(path) {
            if !seen.insert(file.clone()) {
                continue;
            }
            match Config::load(&file, crate::driver::known_rules()) {
                Ok(config) => configs.push(config),
                Err(error) => errors.push(error),
            }
        }
    }
    match errors.is_empty() {
        true => Ok(configs),
        false => Err(errors),
    }
}

/// Checks single files; shared by all worker threads.
struct Checker {
    options: Options,
    cache: Option<Arc<cache::Cache>>,
    configs: Arc<configs::ConfigCache>,
    workspace: imported::Workspace,
}

impl Checker {
    fn new(options: &Options, configs: configs::ConfigCache, walked: &[PathBuf]) -> Self {
        let cache = options
            .cache_dir
            .clone()
            .map(|dir| Arc::new(cache::Cache::new(dir, &format!("order={}", options.order))));
        let configs = Arc::new(configs);
        Self {
            options: options.clone(),
            workspace: imported::Workspace::new(
                walked,
                cache.clone(),
                options,
                Arc::clone(&configs),
            ),
            cache,
            configs,
        }
    }

    /// Checks the walked file `path`, unless another file's imports claimed
    /// it, and then the checked files its imports claim (each read and
    /// parsed once, by its owner: see [`imported`]).
    fn visit(&self, path: &Path) -> Vec<FileReport> {
        let Some(first) = self.workspace.claim(path) else {
            return Vec::new();
        };
        let importer = self.workspace.importer();
        let mut todo = vec![first];
        let mut reports = Vec::new();
        while let Some(loaded) = todo.pop() {
            reports.push(self.check(loaded, &importer));
            todo.extend(importer.take_claimed());
        }
        reports
    }

    fn check(&self, loaded: imported::Loaded, importer: &imported::Importer) -> FileReport {
        let imported::Loaded {
            path,
            read,
            written,
            mut parsed,
        } = loaded;
        let mut report = FileReport {
            path,
            source: String::new(),
            outcome: Outcome::Checked(Vec::new()),
            order: None,
            diff: None,
        };
        report.source = match read {
            imported::Read::Text(source) => source,
            imported::Read::Skipped(skip) => {
                report.outcome = Outcome::Skipped(skip);
                return report;
            }
            imported::Read::Failed(error) => {
                report.outcome = Outcome::Failed(error);
                return report;
            }
        };
        if !self.options.include_minified && looks_minified(&report.source) {
            report.outcome = Outcome::Skipped(
                "looks minified (very long lines); pass --include-minified to check it".to_owned(),
            );
            return report;
        }
        let path = report.path.clone();
        let config = match self.configs.for_file(&path) {
            Ok(config) => config,
            Err(error) => {
                report.outcome = Outcome::Failed(format!("{error:#}"));
                return report;
            }
        };
        let as_written = written
            .as_ref()
            .map_or(&report.source, |written| &written.text);
        report.outcome = self.analyse(
            &path,
            (&report.source, as_written),
            written.as_ref(),
            &config,
            &mut parsed,
            importer,
        );
        if self.options.order {
            let tree = parsed.unwrap_or_else(|| self.workspace.parse(&path, &report.source));
            if let Some(tree) = tree {
                let module = engine::detect_module_kind(&path, &report.source, &tree);
                report.order = crate::driver::contain_panic(|| {
                    engine::predict_order(&report.source, &tree, module)
                })
                .ok();
            }
        }
        // TypeScript was analysed erased; the report shows the file as written
        // (every position the same), with the first reason Node would not run it.
        let language = written.as_ref().map(|written| written.language);
        if let Some(written) = written {
            report.source = written.text;
        }
        if self.options.fix != FixMode::Report {
            let language = language.unwrap_or_default();
            report = fix::fix_file(report, &config, self.options.fix, language, |source| {
                match imported::erased(&path, source.to_owned(), &self.workspace.declarations) {
                    (imported::Read::Text(text), written) => self.analyse(
                        &path,
                        (&text, source),
                        written.as_ref(),
                        &config,
                        &mut None,
                        importer,
                    ),
                    (imported::Read::Failed(error) | imported::Read::Skipped(error), _) => {
                        Outcome::Failed(error)
                    }
                }
            });
        }
        report
    }

    /// The findings in `source`, the text of the file at `path` (for
    /// TypeScript, erased; `written` is the text as written, which the rules
    /// read: every offset is the same; `typescript` the file as written, whose
    /// declared types are read only when needed); `parsed` is the parse of
    /// `source` when there is one, and keeps the one made here.
    fn analyse(
        &self,
        path: &Path,
        (source, written): (&str, &str),
        typescript: Option<&imported::Written>,
        config: &Config,
        parsed: &mut Option<Option<Tree>>,
        importer: &imported::Importer,
    ) -> Outcome {
        // No trigger word of a rule the config turns on in the text: no such
        // rule can report anything, and the file is not parsed at all (over
        // half of a typical dependency tree; docs/performance.md). Its syntax
        // errors are left to the JavaScript tools that run it: ticklens
        // reports a syntax error where it stops it from analysing async code
        // (docs/rules/syntax-error.md). A suppression comment is read even
        // then: one naming no rule gets an `unknown-rule` warning.
        // A file without those trigger words is analysed still when it may
        // call a promise function of another workspace file, or one its
        // declared types make a promise, and a rule that reports such a call
        // there is on.
        // What the rules that may run here read beyond the file: the rest
        // (other files' summaries, declared types) is not gathered.
        let reads = crate::driver::reads_beyond(source, config);
        let declared = |erased: Option<(&str, &Tree)>| {
            typescript.map(|w| w.declared(path, &self.workspace.declarations, &reads, erased))
        };
        if !imported::is_triggered(source, config) {
            let declares_promises =
                || declared(None).is_some_and(|d| !d.promise_callees().is_empty());
            if !crate::driver::imports_may_report_untriggered(config)
                || !(importer.may_bind_promises(path, source) || declares_promises())
            {
                return Outcome::Checked(Vec::new());
            }
            self.workspace.untriggered_analysed(source.len());
        }
        // A file whose rules may read other files' summaries or declared
        // promises is analysed without them first, and again with them only
        // when some rule read a fact they may decide
        // (`Analysis::read_beyond_file`): most such files' rules never do
        // (`new Promise(` whose executor forwards no call), and gathering
        // them costs parses of other files. A rule that reports imported
        // calls in files without trigger words needs them to know what runs.
        // The cache keeps the first analysis's findings by what it read (the
        // file, its config, its void callbacks), or that it was not enough.
        let first_without = (reads.contains(&Reads::ImportedSummaries)
            || reads.contains(&Reads::DeclaredPromises))
            && !crate::driver::imports_may_report_untriggered(config);
        // A TypeScript file's first reason Node would not run it takes the
        // place of the erased text's own syntax error.
        let typescript_error = typescript.and_then(|written| written.error.clone());
        let config_fingerprint = format!("{config:?}");
        if first_without {
            let void_callbacks = |written: &imported::Written| {
                // Read from the erased text's parse, which the check needs anyway.
                match parsed.get_or_insert_with(|| self.workspace.parse(path, source)) {
                    Some(tree) => {
                        written.void_callbacks(path, &self.workspace.declarations, (source, tree))
                    }
                    None => DeclaredTypes::default(),
                }
            };
            let without = ImportedNames {
                declared: typescript
                    .filter(|_| reads.contains(&Reads::DeclaredVoidCallbacks))
                    .map(void_callbacks)
                    .unwrap_or_default(),
                ..ImportedNames::default()
            };
            let first = format!("{config_fingerprint}\0analysed without other files first");
            let key = self
                .cache
                .as_ref()
                .map(|cache| (cache, cache.key(written.as_bytes(), &first, &without)));
            if let Some((cache, key)) = &key {
                if let Some(findings) = cache.get(key) {
                    return with_typescript_error(findings, typescript_error);
                }
            }
            if !key
                .as_ref()
                .is_some_and(|(cache, key)| cache.needs_imports(key))
            {
                match self.findings(path, (source, written), config, parsed, &without) {
                    Ok((findings, false)) => {
                        if let Some((cache, key)) = &key {
                            cache.put(key, &findings);
                        }
                        return with_typescript_error(findings, typescript_error);
                    }
                    Ok((_, true)) => {
                        if let Some((cache, key)) = &key {
                            cache.mark_needs_imports(key);
                        }
                    }
                    Err(outcome) => return outcome,
                }
            }
        }
        let mut imports = if reads.contains(&Reads::ImportedSummaries) {
            importer.imports(path, source, parsed)
        } else {
            ImportedNames::default()
        };
        if typescript.is_some() {
            // The erased text's parse, which the check needs anyway, may tell
            // that no declaration matters (`Written::declared`).
            let tree = parsed.get_or_insert_with(|| self.workspace.parse(path, source));
            if let Some(declared) = declared(tree.as_ref().map(|tree| (source, tree))) {
                imports.declared = declared.clone();
            }
        }
        let key = self
            .cache
            .as_ref()
            .map(|cache| cache.key(written.as_bytes(), &config_fingerprint, &imports));
        if let (Some(cache), Some(key)) = (&self.cache, &key) {
            if let Some(findings) = cache.get(key) {
                return with_typescript_error(findings, typescript_error);
            }
        }
        match self.findings(path, (source, written), config, parsed, &imports) {
            Ok((findings, _)) => {
                if let (Some(cache), Some(key)) = (&self.cache, &key) {
                    cache.put(key, &findings);
                }
                with_typescript_error(findings, typescript_error)
            }
            Err(outcome) => outcome,
        }
    }

    /// The findings of the file at `path` (its analysed text `source`, as
    /// written `written`) with `imports`, parsed into `parsed` unless it holds
    /// a parse; and whether a rule read a fact that what other files hold may
    /// decide (`Analysis::read_beyond_file`). Its parse given up, or a rule
    /// panicking, is the file's outcome.
    fn findings(
        &self,
        path: &Path,
        (source, written): (&str, &str),
        config: &Config,
        parsed: &mut Option<Option<Tree>>,
        imports: &ImportedNames,
    ) -> std::result::Result<(Vec<Finding>, bool), Outcome> {
        let tree = parsed.get_or_insert_with(|| self.workspace.parse(path, source));
        let Some(tree) = tree.as_ref() else {
            return Err(Outcome::Failed(format!(
                "parsing took over {} s and was given up",
                syntax::parse_budget(source.len()).as_secs()
            )));
        };
        self.workspace.parsed(path, source, tree);
        let mut findings: Vec<Finding> = syntax_error(source, tree).into_iter().collect();
        let analysis = analyze_guarded(written, tree, rules::ALL, config, imports)
            .map_err(|panic| Outcome::Failed(panic.to_string()))?;
        findings.extend(analysis.findings);
        findings.sort_by_key(|finding| finding.range.start);
        Ok((findings, analysis.read_beyond_file))
    }
}

/// mimalloc's `mi_option_purge_delay`, the option just before
/// `mi_option_use_numa_nodes` in `mimalloc.h` (v2 and v3), which the
/// libmimalloc-sys bindings do not name.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t =
    libmimalloc_sys::mi_option_use_numa_nodes - 1;

/// Keeps the memory a run frees for the run. A check allocates and frees
/// parse trees file after file, and mimalloc (v3) hands freed memory back to
/// the system a second later by default, so later files' trees fault their
/// pages in again: twice the page faults and 5 to 10% of a cold run's time on
/// the TypeScript corpus (docs/performance.md). A run is short, and its peak is
/// what it holds anyway.
fn keep_freed_memory() {
    // SAFETY: sets one of mimalloc's options, which it reads atomically.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

/// The findings of a checked file, with the first reason Node would not run
/// it when it is TypeScript (`error`) in place of the erased text's own syntax
/// error: the file's one syntax-error finding is `driver::first_reason`'s, as
/// `order` and the editor report it. Only a file its check parses reports
/// one, as for JavaScript (docs/rules/syntax-error.md).
fn with_typescript_error(mut findings: Vec<Finding>, error: Option<Finding>) -> Outcome {
    if let Some(error) = error {
        findings.retain(|finding| finding.rule != SYNTAX_ERROR);
        findings.push(error);
        findings.sort_by_key(|finding| finding.range.start);
    }
    Outcome::Checked(findings)
}

/// The file's bytes, or why it is skipped (over the size limit).
fn read_limited(path: &Path, max_size: u64) -> Result<std::result::Result<Vec<u8>, String>> {
    let meta = std::fs::metadata(path).context("cannot read file")?;
    if meta.is_dir() {
        bail!("is a folder, not a file");
    }
    if !meta.is_file() {
        // Reading a FIFO would wait for a writer that may never come.
        bail!("not a regular file (a FIFO, socket or device)");
    }
    if meta.len() > max_size {
        return Ok(Err(format!(
            "{} bytes, over the {max_size}-byte limit (--max-file-size)",
            meta.len()
        )));
    }
    Ok(Ok(std::fs::read(path).context("cannot read file")?))
}

/// The text of a file `check` reads: UTF-8 without a NUL byte.
fn decode_source(bytes: Vec<u8>) -> Result<String> {
    if let Some(at) = memchr::memchr(0, &bytes) {
        // No JavaScript source holds a NUL byte; a file that does is binary.
        bail!("a binary file, not JavaScript (NUL byte at offset {at})");
    }
    decode(bytes)
}

fn decode(bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|error| {
        let at = error.utf8_error().valid_up_to();
        anyhow::anyhow!("not valid UTF-8 (first invalid byte at offset {at})")
    })
}

/// The file's text; a file that is not UTF-8 is an error naming the first bad byte.
pub fn read_source(path: &Path) -> Result<String> {
    decode(std::fs::read(path).context("cannot read file")?)
}

/// A bundle or minified file: long, with an average line over 500 bytes.
fn looks_minified(source: &str) -> bool {
    source.len() > 20_000 && source.len() / line_count(source).max(1) > 500
}

/// `source.lines().count()`, by counting the `\n` bytes: a line ends at
/// each, and a last line without one counts too.
fn line_count(source: &str) -> usize {
    let breaks = memchr::memchr_iter(b'\n', source.as_bytes()).count();
    breaks + usize::from(!source.is_empty() && !source.ends_with('\n'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines_are_counted_as_str_lines_counts_them() {
        for text in [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\r\n",
            "a\rb",
            "\r",
            "a\n\nb\n\n",
            "é\nü",
        ] {
            assert_eq!(super::line_count(text), text.lines().count(), "{text:?}");
        }
    }

    #[test]
    fn the_purge_delay_option_is_the_one_whose_default_is_a_second() {
        // Only `main` runs a check, so nothing in this process set it; no
        // option near it defaults to 1000 (`use_numa_nodes` and the
        // deprecated options before it default to 0 or 1).
        // SAFETY: reads one of mimalloc's options.
        let delay = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, 1000);
    }
}
