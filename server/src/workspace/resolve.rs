//! Which file a specifier names, as Node 24 decides: the CommonJS algorithm of
//! nodejs.org/api/modules.html ("All together") for `require`, the ESM resolver
//! of nodejs.org/api/esm.html for `import`. Never a guess: what Node would
//! throw on is `Unresolved`, with the reason. Not modelled: symbolic links
//! (Node returns the real path), the global folders (`$HOME/.node_modules`),
//! `NODE_PATH`, and user conditions (`--conditions`).

use std::path::{Path, PathBuf};

use super::builtins::builtin;
use super::exports::{is_url, Failure};
use super::fs::{join, FileSystem};
use super::json::{package_scope, PackageJson};

/// Whether a specifier is loaded by `require` (CommonJS) or by `import`
/// (static or dynamic, ESM).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum RequireOrImport {
    Require,
    Import,
}

/// What a specifier names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Resolution {
    /// A file, by its absolute path.
    File(PathBuf),
    /// A Node built-in module, by its name without the `node:` prefix.
    Builtin(String),
    /// Node would throw; `reason` says why.
    Unresolved { reason: String },
}

/// A module found (before the last check that it exists).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Found {
    File(PathBuf),
    Builtin(String),
}

/// Resolves `specifier` as it appears in the file `from` (an absolute path).
pub fn resolve(
    specifier: &str,
    from: &Path,
    kind: RequireOrImport,
    fs: &impl FileSystem,
) -> Resolution {
    let resolver = Resolver { fs, kind };
    let dir = from.parent().unwrap_or(Path::new("/"));
    let found = match kind {
        RequireOrImport::Require => resolver.require(specifier, dir),
        RequireOrImport::Import => resolver.import(specifier, dir),
    };
    match found {
        Ok(Found::File(path)) => Resolution::File(path),
        Ok(Found::Builtin(name)) => Resolution::Builtin(name),
        Err(failure) => Resolution::Unresolved {
            reason: failure.reason,
        },
    }
}

/// The file whose source `specifier` names, for reading what it exports:
/// [`resolve`], and where Node finds no file for a relative specifier of a
/// TypeScript file (`from` is `.ts`, `.mts`, `.cts` or `.tsx`), the file the
/// TypeScript compiler takes for it, which is what the compiled program
/// loads: `./x.js` is written for `./x.ts` (`.mjs` for `.mts`, `.cjs` for
/// `.cts`, `.jsx` for `.tsx`), and an extensionless `./x` names `./x.ts`,
/// `./x.tsx`, `./x.d.ts`, `./x.js` or the folder's `index` with one of those
/// extensions (the `bundler` and `node10` resolutions). `order` claims what
/// `node` does and never reads another file's source, so only the analysis
/// asks this.
pub fn resolve_source(
    specifier: &str,
    from: &Path,
    kind: RequireOrImport,
    fs: &impl FileSystem,
) -> Resolution {
    let resolution = resolve(specifier, from, kind, fs);
    if !matches!(resolution, Resolution::Unresolved { .. })
        || !is_relative(specifier)
        || crate::syntax::SourceLanguage::of_path(from).is_none_or(|l| l.dialect().is_none())
    {
        return resolution;
    }
    let dir = from.parent().unwrap_or(Path::new("/"));
    let Ok(path) = url_path(specifier) else {
        return resolution;
    };
    let named = join(dir, &path);
    typescript_candidates(&named)
        .into_iter()
        .find(|candidate| fs.is_file(candidate))
        .map_or(resolution, Resolution::File)
}

/// The files the TypeScript compiler tries for `named`, in its order.
fn typescript_candidates(named: &Path) -> Vec<PathBuf> {
    let text = named.to_string_lossy();
    let written = [
        (".js", &[".ts", ".tsx", ".d.ts"][..]),
        (".jsx", &[".tsx"][..]),
        (".mjs", &[".mts", ".d.mts"][..]),
        (".cjs", &[".cts", ".d.cts"][..]),
    ];
    for (extension, sources) in written {
        if let Some(stem) = text.strip_suffix(extension) {
            return sources
                .iter()
                .map(|source| PathBuf::from(format!("{stem}{source}")))
                .collect();
        }
    }
    let extensions = [".ts", ".tsx", ".d.ts", ".js", ".jsx"];
    let as_file = extensions
        .iter()
        .map(|extension| PathBuf::from(format!("{text}{extension}")));
    let as_folder = extensions
        .iter()
        .map(|extension| named.join(format!("index{extension}")));
    as_file.chain(as_folder).collect()
}

/// One resolution: the files it reads, and which loader asks.
pub(super) struct Resolver<'f, F> {
    fs: &'f F,
    kind: RequireOrImport,
}

/// `./x`, `../x`, `.` and `..`, which both loaders read relative to the importer.
fn is_relative(specifier: &str) -> bool {
    specifier == "."
        || specifier == ".."
        || specifier.starts_with("./")
        || specifier.starts_with("../")
}

impl<F: FileSystem> Resolver<'_, F> {
    /// The conditions `exports` and `imports` maps match (besides `default`).
    pub(super) fn conditions(&self) -> &'static [&'static str] {
        match self.kind {
            RequireOrImport::Require => &["require", "node", "module-sync"],
            RequireOrImport::Import => &["import", "node", "module-sync"],
        }
    }

    fn scope(&self, dir: &Path) -> Result<Option<PackageJson>, Failure> {
        package_scope(self.fs, dir)
            .transpose()
            .map_err(Failure::new)
    }

    fn package_at(&self, dir: &Path) -> Result<Option<PackageJson>, Failure> {
        PackageJson::read(self.fs, dir)
            .transpose()
            .map_err(Failure::new)
    }

    fn not_found(&self, specifier: &str, dir: &Path) -> Failure {
        Failure::new(format!(
            "no module `{specifier}` is found from {}",
            dir.display()
        ))
    }

    // ---- CommonJS ----

    /// `require(specifier)` from a file in `dir`.
    fn require(&self, specifier: &str, dir: &Path) -> Result<Found, Failure> {
        if let Some(name) = builtin(specifier).map_err(Failure::new)? {
            return Ok(Found::Builtin(name.to_owned()));
        }
        if is_relative(specifier) || specifier.starts_with('/') {
            return self
                .find_in(dir, specifier)?
                .ok_or_else(|| self.not_found(specifier, dir));
        }
        if specifier.starts_with('#') {
            if let Some(scope) = self.scope(dir)? {
                if scope.field("imports").is_some() {
                    // A built-in named through `imports` is a `node:` URL, which
                    // `require` cannot turn into a path (checked: Node 24 throws).
                    return match self.imports_resolve(&scope, specifier)? {
                        Found::Builtin(name) => Err(Failure::new(format!(
                            "`{specifier}` maps to the built-in `{name}`, which `require` cannot load through `imports`"
                        ))),
                        found => self.existing(found, specifier, dir),
                    };
                }
            }
        }
        if let Some(found) = self.require_self(specifier, dir)? {
            return Ok(found);
        }
        for folder in node_modules_paths(dir) {
            if !self.fs.is_dir(&folder) {
                continue;
            }
            if let Some(found) = self.require_exports(specifier, &folder)? {
                return Ok(found);
            }
            if let Some(found) = self.find_in(&folder, specifier)? {
                return Ok(found);
            }
        }
        Err(self.not_found(specifier, dir))
    }

    /// The file an `exports` match names must exist (`RESOLVE_ESM_MATCH`).
    fn existing(&self, found: Found, specifier: &str, dir: &Path) -> Result<Found, Failure> {
        match found {
            Found::File(path) if !self.fs.is_file(&path) => Err(Failure::new(format!(
                "`{specifier}` from {} names {}, which is not a file",
                dir.display(),
                path.display()
            ))),
            found => Ok(found),
        }
    }

    /// `LOAD_PACKAGE_SELF`: the package's own name, through its `exports`.
    fn require_self(&self, specifier: &str, dir: &Path) -> Result<Option<Found>, Failure> {
        let Some(scope) = self.scope(dir)? else {
            return Ok(None);
        };
        let (Some(name), Some(_)) = (scope.str_field("name"), scope.json.get("exports")) else {
            return Ok(None);
        };
        let subpath = if specifier == name {
            ".".to_owned()
        } else if let Some(rest) = specifier.strip_prefix(name).filter(|r| r.starts_with('/')) {
            format!(".{rest}")
        } else {
            return Ok(None);
        };
        let found = self.exports_resolve(&scope, &subpath)?;
        self.existing(found, specifier, dir).map(Some)
    }

    /// `LOAD_PACKAGE_EXPORTS`: `name/sub` in one `node_modules` folder, when
    /// the package there has `exports`.
    fn require_exports(&self, specifier: &str, folder: &Path) -> Result<Option<Found>, Failure> {
        let Some((name, subpath)) = split_package_name(specifier) else {
            return Ok(None);
        };
        let Some(package) = self.package_at(&folder.join(name))? else {
            return Ok(None);
        };
        if package.field("exports").is_none() {
            return Ok(None);
        }
        let found = self.exports_resolve(&package, &subpath)?;
        self.existing(found, specifier, folder).map(Some)
    }

    /// `LOAD_AS_FILE` then `LOAD_AS_DIRECTORY` for `base/request`.
    fn find_in(&self, base: &Path, request: &str) -> Result<Option<Found>, Failure> {
        let path = join(base, request);
        let trailing = request.ends_with('/')
            || request == "."
            || request == ".."
            || request.ends_with("/.")
            || request.ends_with("/..");
        if !trailing {
            if let Some(file) = self.load_as_file(&path) {
                return Ok(Some(Found::File(file)));
            }
        }
        if !self.fs.is_dir(&path) {
            return Ok(None);
        }
        self.load_as_directory(&path)
            .map(|file| file.map(Found::File))
    }

    /// `path` itself, or with `.js`, `.json` or `.node` added.
    fn load_as_file(&self, path: &Path) -> Option<PathBuf> {
        if self.fs.is_file(path) {
            return Some(path.to_path_buf());
        }
        [".js", ".json", ".node"].iter().find_map(|extension| {
            let mut probe = path.as_os_str().to_owned();
            probe.push(extension);
            let probe = PathBuf::from(probe);
            self.fs.is_file(&probe).then_some(probe)
        })
    }

    /// `index.js`, `index.json` or `index.node` in `dir`.
    fn load_index(&self, dir: &Path) -> Option<PathBuf> {
        self.load_as_file(&dir.join("index"))
            .filter(|file| file != &dir.join("index"))
    }

    /// `LOAD_AS_DIRECTORY`: the `main` of `dir/package.json`, else its index.
    fn load_as_directory(&self, dir: &Path) -> Result<Option<PathBuf>, Failure> {
        let main = self
            .package_at(dir)?
            .and_then(|package| package.str_field("main").map(str::to_owned))
            .filter(|main| !main.is_empty());
        let Some(main) = main else {
            return Ok(self.load_index(dir));
        };
        let target = join(dir, &main);
        let found = self
            .load_as_file(&target)
            .or_else(|| self.load_index(&target))
            .or_else(|| self.load_index(dir));
        match found {
            Some(file) => Ok(Some(file)),
            None => Err(Failure::new(format!(
                "the `main` of {}/package.json, `{main}`, names no file",
                dir.display()
            ))),
        }
    }

    // ---- ES modules ----

    /// `import(specifier)` from a file in `dir` (`ESM_RESOLVE`).
    fn import(&self, specifier: &str, dir: &Path) -> Result<Found, Failure> {
        let found = if is_relative(specifier) || specifier.starts_with('/') {
            Found::File(join(dir, &url_path(specifier)?))
        } else if let Some(path) = specifier.strip_prefix("file://") {
            Found::File(join(Path::new("/"), &url_path(path)?))
        } else if is_url(specifier) {
            match builtin(specifier).map_err(Failure::new)? {
                Some(name) if specifier.starts_with("node:") => Found::Builtin(name.to_owned()),
                _ => return Err(Failure::new(format!("`{specifier}` is not a file URL"))),
            }
        } else if specifier.starts_with('#') {
            let scope = self
                .scope(dir)?
                .ok_or_else(|| Failure::new(format!("no package.json defines `{specifier}`")))?;
            self.imports_resolve(&scope, specifier)?
        } else {
            self.package_resolve(specifier, dir)?
        };
        match found {
            Found::File(path) if self.fs.is_dir(&path) || specifier.ends_with('/') => {
                Err(Failure::new(format!(
                    "`{specifier}` names the folder {}; `import` does not load folders",
                    path.display()
                )))
            }
            found => self.existing(found, specifier, dir),
        }
    }

    /// `PACKAGE_RESOLVE`: a bare specifier, from a file in (or a package at) `dir`.
    pub(super) fn package_resolve(&self, specifier: &str, dir: &Path) -> Result<Found, Failure> {
        if let Some(name) = builtin(specifier).map_err(Failure::new)? {
            return Ok(Found::Builtin(name.to_owned()));
        }
        let (name, subpath) = split_package_name(specifier)
            .ok_or_else(|| Failure::new(format!("`{specifier}` is not a valid package name")))?;
        if let Some(scope) = self.scope(dir)? {
            if scope.field("exports").is_some() && scope.str_field("name") == Some(name) {
                return self.exports_resolve(&scope, &subpath);
            }
        }
        for ancestor in dir.ancestors() {
            let folder = ancestor.join("node_modules").join(name);
            if !self.fs.is_dir(&folder) {
                continue;
            }
            let package = self.package_at(&folder)?;
            if let Some(package) = package.as_ref().filter(|p| p.field("exports").is_some()) {
                return self.exports_resolve(package, &subpath);
            }
            if subpath == "." {
                return self.legacy_main(&folder, package.as_ref());
            }
            return Ok(Found::File(join(&folder, &subpath)));
        }
        Err(self.not_found(specifier, dir))
    }

    /// Node's `legacyMainResolve`: `main` with CommonJS-like probing, then `index.*`.
    fn legacy_main(&self, folder: &Path, package: Option<&PackageJson>) -> Result<Found, Failure> {
        let main = package.and_then(|p| p.str_field("main"));
        let mut probes = Vec::new();
        if let Some(main) = main {
            for suffix in [
                "",
                ".js",
                ".json",
                ".node",
                "/index.js",
                "/index.json",
                "/index.node",
            ] {
                probes.push(join(folder, &format!("{main}{suffix}")));
            }
        }
        for index in ["index.js", "index.json", "index.node"] {
            probes.push(folder.join(index));
        }
        probes
            .into_iter()
            .find(|probe| self.fs.is_file(probe))
            .map(Found::File)
            .ok_or_else(|| Failure::new(format!("{} has no main file", folder.display())))
    }
}

/// The path a relative URL specifier names: its query and fragment dropped,
/// percent-escapes decoded (an escaped `/` or `\` is refused, as Node does).
fn url_path(specifier: &str) -> Result<String, Failure> {
    let end = specifier.find(['?', '#']).unwrap_or(specifier.len());
    let text = &specifier[..end];
    let lower = text.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") {
        return Err(Failure::new(format!(
            "`{specifier}` escapes a path separator"
        )));
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| Failure::new(format!("`{specifier}` is not UTF-8")))
}

/// `name` and `./sub` of a bare specifier `name/sub` (`@scope/name/sub`), or
/// `None` when it is not a valid package name.
fn split_package_name(specifier: &str) -> Option<(&str, String)> {
    let name_end = if specifier.starts_with('@') {
        let slash = specifier.find('/')?;
        specifier[slash + 1..]
            .find('/')
            .map_or(specifier.len(), |i| slash + 1 + i)
    } else {
        specifier.find('/').unwrap_or(specifier.len())
    };
    let name = &specifier[..name_end];
    if name.is_empty() || name.starts_with('.') || name.contains(['\\', '%']) {
        return None;
    }
    Some((name, format!(".{}", &specifier[name_end..])))
}

/// The `node_modules` folders `require` searches from `dir`, nearest first.
fn node_modules_paths(dir: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    dir.ancestors()
        .filter(|folder| folder.file_name().is_none_or(|name| name != "node_modules"))
        .map(|folder| folder.join("node_modules"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::MemoryFs;
    use RequireOrImport::{Import, Require};

    fn layout() -> MemoryFs {
        MemoryFs::with(&[
            ("/w/src/a.js", ""),
            ("/w/src/data.json", "{}"),
            ("/w/src/esm.mjs", ""),
            ("/w/src/dir/package.json", r#"{"main": "lib"}"#),
            ("/w/src/dir/lib/index.js", ""),
            (
                "/w/node_modules/pkg/package.json",
                r#"{"exports": {"./feature/*": "./f/*.js", ".": {"require": "./c.cjs", "import": "./e.mjs"}}}"#,
            ),
            ("/w/node_modules/pkg/c.cjs", ""),
            ("/w/node_modules/pkg/e.mjs", ""),
            ("/w/node_modules/pkg/f/one.js", ""),
            ("/w/node_modules/old/package.json", r#"{"main": "main"}"#),
            ("/w/node_modules/old/main.js", ""),
            (
                "/w/package.json",
                r##"{"name": "me", "exports": "./src/a.js", "imports": {"#d": "./src/data.json"}}"##,
            ),
        ])
    }

    fn answer(specifier: &str, kind: RequireOrImport) -> Resolution {
        resolve(specifier, Path::new("/w/src/main.js"), kind, &layout())
    }

    /// Each `(specifier, loader, answer)`, where an answer is a path, `builtin:name`
    /// or `unresolved`.
    fn check(cases: &[(&str, RequireOrImport, &str)]) {
        for &(specifier, kind, expected) in cases {
            let got = match answer(specifier, kind) {
                Resolution::File(path) => path.display().to_string(),
                Resolution::Builtin(name) => format!("builtin:{name}"),
                Resolution::Unresolved { .. } => "unresolved".to_owned(),
            };
            assert_eq!(got, expected, "{kind:?} `{specifier}`");
        }
    }

    #[test]
    fn a_typescript_file_reads_the_sources_its_compiler_would() {
        let fs = MemoryFs::with(&[
            ("/w/src/lib.ts", ""),
            ("/w/src/view.tsx", ""),
            ("/w/src/esm.mts", ""),
            ("/w/src/types.d.ts", ""),
            ("/w/src/dir/index.ts", ""),
            ("/w/src/plain.js", ""),
        ]);
        let from_ts = Path::new("/w/src/main.ts");
        let cases = [
            ("./lib.ts", "/w/src/lib.ts"),
            ("./lib.js", "/w/src/lib.ts"),
            ("./lib", "/w/src/lib.ts"),
            ("./view.js", "/w/src/view.tsx"),
            ("./view.jsx", "/w/src/view.tsx"),
            ("./esm.mjs", "/w/src/esm.mts"),
            ("./types", "/w/src/types.d.ts"),
            ("./types.js", "/w/src/types.d.ts"),
            ("./dir", "/w/src/dir/index.ts"),
            ("./plain", "/w/src/plain.js"),
            ("./plain.js", "/w/src/plain.js"),
            ("./nothing", "unresolved"),
        ];
        for (specifier, expected) in cases {
            let got = match resolve_source(specifier, from_ts, Import, &fs) {
                Resolution::File(path) => path.display().to_string(),
                Resolution::Builtin(name) => format!("builtin:{name}"),
                Resolution::Unresolved { .. } => "unresolved".to_owned(),
            };
            assert_eq!(got, expected, "`{specifier}`");
        }
        // A JavaScript file's imports resolve as Node resolves them, nothing more.
        let from_js = Path::new("/w/src/main.js");
        assert!(matches!(
            resolve_source("./lib", from_js, Import, &fs),
            Resolution::Unresolved { .. }
        ));
    }

    #[test]
    fn each_loader_resolves_by_its_own_rules() {
        check(&[
            // `require` probes extensions and folders; `import` takes exact paths.
            ("./a", Require, "/w/src/a.js"),
            ("./data", Require, "/w/src/data.json"),
            ("./dir", Require, "/w/src/dir/lib/index.js"),
            ("./esm", Require, "unresolved"),
            ("./a", Import, "unresolved"),
            ("./dir", Import, "unresolved"),
            ("./esm.mjs", Import, "/w/src/esm.mjs"),
            // `exports` conditions follow the loader, and hide what they do not list.
            ("pkg", Require, "/w/node_modules/pkg/c.cjs"),
            ("pkg", Import, "/w/node_modules/pkg/e.mjs"),
            ("pkg/feature/one", Import, "/w/node_modules/pkg/f/one.js"),
            ("pkg/c.cjs", Require, "unresolved"),
            ("old", Import, "/w/node_modules/old/main.js"),
            // Built-ins, self-reference by name, and `imports`.
            ("node:events", Import, "builtin:events"),
            ("events", Require, "builtin:events"),
            ("node:nope", Require, "unresolved"),
            ("me", Require, "/w/src/a.js"),
            ("#d", Import, "/w/src/data.json"),
            ("#e", Require, "unresolved"),
        ]);
    }
}
