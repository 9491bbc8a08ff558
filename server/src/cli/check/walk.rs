//! Which files `check` looks at: the given paths, walked with `.gitignore` and
//! `.ignore` rules, `--include`/`--exclude` globs and `ticklens.toml`'s `ignore`,
//! following symbolic links (with loop detection), and skipping `node_modules`
//! folders at any depth unless asked to enter them.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::overrides::{Override, OverrideBuilder};
use ignore::WalkBuilder;

use crate::syntax;

/// The extensions `check` looks at when walking folders: JavaScript's and
/// TypeScript's (analysed with their types erased, as Node 24 runs them).
pub const EXTENSIONS: &[&str] = &["js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx"];

/// Glob filters from the command line and the config file.
///
/// A glob matches relative to the path it is walked from (`**/*.js` under
/// `check x`), and a glob that starts with that path as the working folder
/// sees it matches relative to the working folder as well (`x/**/*.js` under
/// `check x`).
#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Walk into `node_modules` folders too (installed dependencies are not
    /// the project's code: skipped by default, at any depth).
    pub include_node_modules: bool,
}

/// What walking the given paths found.
#[derive(Debug, Default)]
pub struct Walked {
    /// The files to check, sorted and without duplicates.
    pub files: Vec<PathBuf>,
    /// The paths that could not be walked or followed, each once.
    pub problems: Vec<Problem>,
}

/// The files to check, sorted and without duplicates, and the problems met on the way
/// (`path: message`). See [`walk`].
pub fn collect_files(paths: &[PathBuf], filters: &Filters) -> (Vec<PathBuf>, Vec<String>) {
    let walked = walk(paths, filters);
    let errors = walked
        .problems
        .into_iter()
        .map(|problem| match problem.path {
            Some(path) => format!("{}: {}", path.display(), problem.message),
            None => problem.message,
        })
        .collect();
    (walked.files, errors)
}

/// Walks the given paths. A file named explicitly is checked whatever its
/// extension or ignore rules. Symbolic links are followed, so a linked file is
/// checked under the link's path; a broken link, a link loop, a folder that
/// cannot be read, or something under a JavaScript name that is not a regular
/// file (a FIFO, a socket) is a problem, reported once.
pub fn walk(paths: &[PathBuf], filters: &Filters) -> Walked {
    let mut walked = Walked::default();
    for path in paths {
        let path = &without_dot_prefix(path);
        if let Some(target) = loops_back(path) {
            walked.problems.push(loop_problem(path, &target));
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => match overrides(path, filters) {
                Ok(overrides) => {
                    let before = (walked.files.len(), walked.problems.len());
                    let declarations =
                        walk_folder(path, overrides, filters.include_node_modules, &mut walked);
                    // Like ESLint and Biome: a folder named explicitly that gives
                    // nothing to check is an error, not a silent success.
                    if (walked.files.len(), walked.problems.len()) == before {
                        walked.problems.push(Problem {
                            path: Some(path.clone()),
                            message: nothing_to_check(declarations),
                        });
                    }
                }
                Err(error) => walked.problems.push(Problem {
                    path: None,
                    message: format!("bad glob: {error}"),
                }),
            },
            Ok(_) if syntax::is_declaration_file(path) => walked.problems.push(Problem {
                path: Some(path.clone()),
                message: nothing_to_check(1),
            }),
            // Anything else named explicitly is read, and fails there if it is
            // no regular file.
            Ok(_) => walked.files.push(path.clone()),
            Err(error) => walked.problems.push(Problem {
                path: Some(path.clone()),
                message: io_problem(path, &error),
            }),
        }
    }
    for problem in &mut walked.problems {
        if let Some(path) = &mut problem.path {
            *path = without_dot_prefix(path);
        }
    }
    walked.files.sort();
    walked.files.dedup();
    walked
}

/// `--include` globs whitelist, `--exclude` globs (and config ignores) blacklist,
/// each read relative to `root` and, when it starts with `root` as the working
/// folder sees it, relative to the working folder too.
fn overrides(root: &Path, filters: &Filters) -> Result<Override, ignore::Error> {
    let prefix = prefix_from_working_folder(root);
    let mut builder = OverrideBuilder::new(root);
    for glob in &filters.include {
        for glob in from_root(glob, prefix.as_deref()) {
            builder.add(glob)?;
        }
    }
    for glob in &filters.exclude {
        for glob in from_root(glob, prefix.as_deref()) {
            builder.add(&format!("!{glob}"))?;
        }
    }
    builder.build()
}

/// `glob`, and, when it starts with `prefix/` (the walked folder as the
/// working folder sees it), the rest of it: `x/**/*.js` under `check x` is
/// also `**/*.js` from `x`.
fn from_root<'g>(glob: &'g str, prefix: Option<&str>) -> Vec<&'g str> {
    let mut globs = vec![glob];
    let rest = prefix
        .and_then(|prefix| glob.strip_prefix("./").unwrap_or(glob).strip_prefix(prefix))
        .and_then(|rest| rest.strip_prefix('/'))
        .filter(|rest| !rest.is_empty());
    globs.extend(rest);
    globs
}

/// `root` relative to the working folder, `/`-separated, without `.`
/// components; `None` for the working folder itself or a folder outside it.
fn prefix_from_working_folder(root: &Path) -> Option<String> {
    let relative = if root.is_absolute() {
        let cwd = std::env::current_dir().ok()?;
        root.strip_prefix(&cwd).ok()?.to_owned()
    } else {
        root.to_owned()
    };
    let mut parts = Vec::new();
    for component in relative.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::Normal(part) => parts.push(part.to_str()?.to_owned()),
            // `..` or a root: the glob cannot start with it in a useful way.
            _ => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Why a path named on the command line gave no file to check, and what to do.
fn nothing_to_check(declaration_files: usize) -> String {
    let extensions = ".js, .mjs, .cjs, .jsx, .ts, .mts, .cts or .tsx";
    match declaration_files {
        0 => format!(
            "nothing to check: no {extensions} file here (after .gitignore, \
             --include/--exclude and ticklens.toml's `ignore`); name a file or folder that holds JavaScript or TypeScript"
        ),
        n => format!(
            "nothing to check: declaration files hold types only, nothing Node runs \
             ({n} .d.ts {} skipped)",
            if n == 1 { "file" } else { "files" }
        ),
    }
}

/// `src/a.js` for `./src/a.js`: paths as users and GitHub's annotations expect
/// them (a workflow command's `file=./src/a.js` matches no file of the diff).
fn without_dot_prefix(path: &Path) -> PathBuf {
    let mut components = path.components();
    match components.next() {
        Some(std::path::Component::CurDir) if components.clone().next().is_some() => {
            components.as_path().to_owned()
        }
        _ => path.to_owned(),
    }
}

/// Walks one folder; returns how many TypeScript files it met (not checked).
fn walk_folder(
    root: &Path,
    overrides: Override,
    include_node_modules: bool,
    walked: &mut Walked,
) -> usize {
    let mut declarations = 0;
    // A link to a folder above it would walk that folder again under a longer
    // name (the walker only notices once the link is met a second time, and
    // never when the folder is above the walk's root): reported, not entered.
    let loops = Arc::new(Mutex::new(Vec::new()));
    let found = Arc::clone(&loops);
    // Honour ignore files even outside a git repository, as users expect from linters.
    let walker = WalkBuilder::new(root)
        .require_git(false)
        .follow_links(true)
        .overrides(overrides)
        .filter_entry(move |entry| {
            // Installed dependencies, at any depth below the folder named.
            if !include_node_modules && entry.depth() > 0 && entry.file_name() == "node_modules" {
                return false;
            }
            let Some(target) = entry
                .path_is_symlink()
                .then(|| loops_back(entry.path()))
                .flatten()
            else {
                return true;
            };
            found
                .lock()
                .unwrap_or_else(|poison| poison.into_inner())
                .push(loop_problem(entry.path(), &target));
            false
        })
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let Some(file_type) = entry.file_type() else {
                    continue;
                };
                if file_type.is_dir() {
                    continue;
                }
                if syntax::is_declaration_file(entry.path()) {
                    declarations += 1;
                    continue;
                }
                if !has_js_extension(entry.path()) {
                    continue;
                }
                if file_type.is_file() {
                    walked.files.push(without_dot_prefix(entry.path()));
                } else {
                    walked.problems.push(Problem {
                        path: Some(entry.into_path()),
                        message: "not a regular file (a FIFO, socket or device)".to_owned(),
                    });
                }
            }
            Err(error) => walk_problems(&error, &mut walked.problems),
        }
    }
    walked.problems.extend(
        loops
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .drain(..),
    );
    declarations
}

/// The folder a link leads to, when that folder holds the link itself.
fn loops_back(link: &Path) -> Option<PathBuf> {
    if !std::fs::symlink_metadata(link)
        .ok()?
        .file_type()
        .is_symlink()
    {
        return None;
    }
    let target = std::fs::canonicalize(link).ok()?;
    if !target.is_dir() {
        return None;
    }
    let parent = match link.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let parent = std::fs::canonicalize(parent).ok()?;
    parent.starts_with(&target).then_some(target)
}

/// A path the walk could not look into, or a problem with no path (a bad glob).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: Option<PathBuf>,
    pub message: String,
}

fn loop_problem(link: &Path, target: &Path) -> Problem {
    Problem {
        path: Some(link.to_owned()),
        message: format!(
            "symbolic link loop: it leads back to {}, which holds it",
            target.display()
        ),
    }
}

/// The problems in one error of the walker, with the path each concerns.
fn walk_problems(error: &ignore::Error, problems: &mut Vec<Problem>) {
    match error {
        ignore::Error::Partial(errors) => {
            for error in errors {
                walk_problems(error, problems);
            }
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_problems(err, problems)
        }
        ignore::Error::WithPath { path, err } => match err.io_error() {
            // A broken link under a name `check` would not read is no concern of ours.
            Some(_) if is_broken_link(path) && !has_js_extension(path) => {}
            Some(io) => problems.push(Problem {
                path: Some(path.clone()),
                message: io_problem(path, io),
            }),
            None => problems.push(Problem {
                path: Some(path.clone()),
                message: err.to_string(),
            }),
        },
        ignore::Error::Loop { ancestor, child } => problems.push(Problem {
            path: Some(child.clone()),
            message: format!(
                "symbolic link loop: it leads back to {}",
                ancestor.display()
            ),
        }),
        other => problems.push(Problem {
            path: None,
            message: other.to_string(),
        }),
    }
}

/// Why `path` could not be looked at, in words that name what it is.
fn io_problem(path: &Path, error: &std::io::Error) -> String {
    // The walker's errors repeat the path in their text; the OS error alone does not.
    let os_code = error.raw_os_error().or_else(|| {
        error
            .get_ref()
            .and_then(std::error::Error::source)
            .and_then(|source| source.downcast_ref::<std::io::Error>())
            .and_then(std::io::Error::raw_os_error)
    });
    let error = match os_code {
        Some(code) => std::io::Error::from_raw_os_error(code),
        None => std::io::Error::new(error.kind(), error.to_string()),
    };
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        let target = std::fs::read_link(path)
            .map(|target| target.display().to_string())
            .unwrap_or_default();
        format!("cannot follow the symbolic link to {target}: {error}")
    } else if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        format!("cannot read folder: {error}")
    } else {
        error.to_string()
    }
}

/// A link whose target is missing (or that loops).
fn is_broken_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::metadata(path).is_err()
}

pub fn has_js_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
}
