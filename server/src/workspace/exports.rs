//! `package.json` `exports` and `imports` maps, as Node's ESM resolver reads
//! them (nodejs.org/api/esm.html, `PACKAGE_EXPORTS_RESOLVE`,
//! `PACKAGE_IMPORTS_RESOLVE`, `PACKAGE_TARGET_RESOLVE`). CommonJS `require`
//! uses the same functions with its own conditions.

use std::cmp::Ordering;

use super::fs::{join, FileSystem};
use super::json::{Json, PackageJson};
use super::resolve::{Found, Resolver};

/// Why a map lookup failed. `invalid_target` marks Node's
/// `ERR_INVALID_PACKAGE_TARGET`, the one error an array of fallbacks skips.
#[derive(Debug)]
pub struct Failure {
    pub reason: String,
    pub invalid_target: bool,
}

impl Failure {
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            invalid_target: false,
        }
    }
}

/// What a target resolves to: JavaScript's `undefined` (no condition matched),
/// `null` (excluded on purpose), or a module.
#[derive(Debug)]
enum Target {
    Undefined,
    Null,
    Found(Found),
}

/// The map entry being resolved: whose it is, what its `*` matched, and
/// whether it is an `imports` entry (which may name other packages).
#[derive(Clone, Copy)]
struct Lookup<'p> {
    package: &'p PackageJson,
    pattern: Option<&'p str>,
    is_imports: bool,
}

impl<F: FileSystem> Resolver<'_, F> {
    /// `PACKAGE_EXPORTS_RESOLVE`: `subpath` (`.` or `./x`) through `package`'s `exports`.
    pub(super) fn exports_resolve(
        &self,
        package: &PackageJson,
        subpath: &str,
    ) -> Result<Found, Failure> {
        let exports = package.field("exports").unwrap_or(&Json::Null);
        let sugar = is_main_sugar(exports)?;
        let not_exported = || {
            Failure::new(format!(
                "`{subpath}` is not exported by {}/package.json",
                package.dir.display()
            ))
        };
        let entry = if sugar {
            (subpath == ".").then_some((exports, None))
        } else {
            map_lookup(exports, subpath, false)
        };
        self.entry_resolve(package, entry, false, not_exported)
    }

    /// The module a map entry names, or `missing()` when there is no entry or
    /// it resolves to nothing (`null`, or no matching condition).
    fn entry_resolve(
        &self,
        package: &PackageJson,
        entry: Option<(&Json, Option<String>)>,
        is_imports: bool,
        missing: impl Fn() -> Failure,
    ) -> Result<Found, Failure> {
        let Some((target, pattern)) = entry else {
            return Err(missing());
        };
        let lookup = Lookup {
            package,
            pattern: pattern.as_deref(),
            is_imports,
        };
        match self.target_resolve(&lookup, target)? {
            Target::Found(found) => Ok(found),
            Target::Undefined | Target::Null => Err(missing()),
        }
    }

    /// `PACKAGE_IMPORTS_RESOLVE`: a `#name` through the `imports` of `package`.
    pub(super) fn imports_resolve(
        &self,
        package: &PackageJson,
        name: &str,
    ) -> Result<Found, Failure> {
        if name == "#" || name.starts_with("#/") || name.ends_with('/') {
            return Err(Failure::new(format!("`{name}` is not a valid import name")));
        }
        let not_defined = || {
            Failure::new(format!(
                "`{name}` is not defined by the `imports` of {}/package.json",
                package.dir.display()
            ))
        };
        let imports = package.field("imports").unwrap_or(&Json::Null);
        self.entry_resolve(package, map_lookup(imports, name, true), true, not_defined)
    }

    /// `PACKAGE_TARGET_RESOLVE`.
    fn target_resolve(&self, lookup: &Lookup, target: &Json) -> Result<Target, Failure> {
        let package = lookup.package;
        match target {
            Json::String(text) => self.string_target(lookup, text),
            Json::Object(entries) => {
                if entries.iter().any(|(key, _)| key.parse::<u32>().is_ok()) {
                    return Err(Failure::new(format!(
                        "{}/package.json has a numeric condition key",
                        package.dir.display()
                    )));
                }
                for (condition, value) in entries {
                    if condition == "default" || self.conditions().contains(&condition.as_str()) {
                        match self.target_resolve(lookup, value)? {
                            Target::Undefined => continue,
                            resolved => return Ok(resolved),
                        }
                    }
                }
                Ok(Target::Undefined)
            }
            Json::Array(items) => {
                if items.is_empty() {
                    return Ok(Target::Null);
                }
                let mut last: Result<Target, Failure> = Ok(Target::Undefined);
                for item in items {
                    match self.target_resolve(lookup, item) {
                        Ok(Target::Found(found)) => return Ok(Target::Found(found)),
                        Ok(Target::Undefined) => {}
                        Ok(Target::Null) => last = Ok(Target::Null),
                        Err(failure) if failure.invalid_target => last = Err(failure),
                        Err(failure) => return Err(failure),
                    }
                }
                last
            }
            Json::Null => Ok(Target::Null),
            _ => Err(invalid_target(
                package,
                "is neither a string, an object nor an array",
            )),
        }
    }

    /// A string target: `./path` inside the package, or (in `imports` only) a package name.
    fn string_target(&self, lookup: &Lookup, target: &str) -> Result<Target, Failure> {
        let Lookup {
            package,
            pattern,
            is_imports,
        } = *lookup;
        let substituted = |text: &str| match pattern {
            Some(matched) => text.replace('*', matched),
            None => text.to_owned(),
        };
        if !target.starts_with("./") {
            if is_imports
                && !target.starts_with("../")
                && !target.starts_with('/')
                && !is_url(target)
            {
                return self
                    .package_resolve(&substituted(target), &package.dir)
                    .map(Target::Found);
            }
            return Err(invalid_target(
                package,
                &format!("`{target}` does not start with `./`"),
            ));
        }
        if has_forbidden_segment(&target[2..]) {
            return Err(invalid_target(
                package,
                &format!("`{target}` leaves the package"),
            ));
        }
        if let Some(matched) = pattern {
            if has_forbidden_segment(matched) {
                return Err(Failure::new(format!(
                    "`{matched}` is not a valid subpath of the package"
                )));
            }
        }
        Ok(Target::Found(Found::File(join(
            &package.dir,
            &substituted(target),
        ))))
    }
}

fn invalid_target(package: &PackageJson, why: &str) -> Failure {
    Failure {
        reason: format!("a target in {}/package.json {why}", package.dir.display()),
        invalid_target: true,
    }
}

/// Whether `exports` is the main export itself (a string, an array, or an
/// object of conditions), not a map of subpaths. Mixing the two is an error.
fn is_main_sugar(exports: &Json) -> Result<bool, Failure> {
    let Json::Object(entries) = exports else {
        return Ok(matches!(exports, Json::String(_) | Json::Array(_)));
    };
    let mut sugar = None;
    for (key, _) in entries {
        let is_condition = !key.starts_with('.');
        match sugar {
            None => sugar = Some(is_condition),
            Some(previous) if previous != is_condition => {
                return Err(Failure::new(
                    "`exports` mixes subpaths (`./x`) and conditions".to_owned(),
                ))
            }
            Some(_) => {}
        }
    }
    Ok(sugar.unwrap_or(false))
}

/// The entry of an `exports` or `imports` map that `key` selects, and the text
/// the `*` of a pattern entry matched (`PACKAGE_IMPORTS_EXPORTS_RESOLVE`).
fn map_lookup<'j>(
    map: &'j Json,
    key: &str,
    is_imports: bool,
) -> Option<(&'j Json, Option<String>)> {
    let Json::Object(entries) = map else {
        return None;
    };
    let exact_allowed = !key.contains('*') && (is_imports || !key.ends_with('/'));
    if exact_allowed {
        if let Some(value) = map.get(key) {
            return Some((value, None));
        }
    }
    let mut best: Option<(&str, String)> = None;
    for (candidate, _) in entries {
        let Some(star) = candidate.find('*') else {
            continue;
        };
        if candidate.rfind('*') != Some(star) || !key.starts_with(&candidate[..star]) {
            continue;
        }
        let trailer = &candidate[star + 1..];
        let better = best.as_ref().is_none_or(|(current, _)| {
            pattern_key_compare(current, candidate) == Ordering::Greater
        });
        if key.len() >= candidate.len() && key.ends_with(trailer) && better {
            best = Some((candidate, key[star..key.len() - trailer.len()].to_owned()));
        }
    }
    let (candidate, matched) = best?;
    Some((map.get(candidate)?, Some(matched)))
}

/// Node's `patternKeyCompare`: `Greater` when `b` is more specific than `a`.
fn pattern_key_compare(a: &str, b: &str) -> Ordering {
    let star_a = a.find('*');
    let star_b = b.find('*');
    let base_a = star_a.map_or(a.len(), |i| i + 1);
    let base_b = star_b.map_or(b.len(), |i| i + 1);
    if base_a != base_b {
        return base_b.cmp(&base_a);
    }
    match (star_a, star_b) {
        (None, _) => Ordering::Greater,
        (_, None) => Ordering::Less,
        _ => b.len().cmp(&a.len()),
    }
}

/// Whether a `/`-separated path holds a `.`, `..` or `node_modules` segment,
/// which Node refuses in targets and pattern matches.
fn has_forbidden_segment(path: &str) -> bool {
    path.split(['/', '\\']).any(|segment| {
        segment == "." || segment == ".." || segment.eq_ignore_ascii_case("node_modules")
    })
}

/// Whether `text` parses as an absolute URL (`scheme:`).
pub(super) fn is_url(text: &str) -> bool {
    let Some(colon) = text.find(':') else {
        return false;
    };
    let scheme = &text[..colon];
    scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}
