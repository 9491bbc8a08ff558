//! The `[[test]]` and `[[bench]]` entries of `server/Cargo.toml`, generated
//! from the files in `tests/` and `tests/benches/` (rust-analyzer's
//! "sourcegen" style): each top-level `tests/*.rs` is a test target, each
//! `tests/benches/*.rs` a bench without the default harness. When the list in
//! the manifest differs, the test writes the new one and fails, so a new test
//! file nobody listed cannot go unrun: rerun the test and commit the manifest.
//!
//! Lines an entry holds besides `name`, `path` and `harness` (such as
//! `required-features`) are kept.

use std::collections::BTreeMap;
use std::path::Path;

const BEGIN: &str = "# BEGIN generated test targets: `cargo test -p ticklens --lib tidy::` rewrites this list from tests/*.rs and tests/benches/*.rs.";
const END: &str = "# END generated test targets.";

/// The names of the `.rs` files directly in `dir`, sorted.
fn targets_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()))
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|e| e == "rs"))
        .map(|path| {
            path.file_stem()
                .expect("a name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// The extra lines of each entry of `list`, by kind and name.
fn extra_lines(list: &str) -> BTreeMap<(String, String), Vec<String>> {
    let mut extras = BTreeMap::new();
    let mut kind = String::new();
    let mut name = String::new();
    for line in list.lines().map(str::trim) {
        if line.starts_with("[[") {
            kind = line.to_owned();
        } else if let Some(value) = line.strip_prefix("name = ") {
            name = value.trim_matches('"').to_owned();
        } else if !line.is_empty()
            && !line.starts_with('#')
            && !line.starts_with("path = ")
            && !line.starts_with("harness = ")
        {
            extras
                .entry((kind.clone(), name.clone()))
                .or_insert_with(Vec::new)
                .push(line.to_owned());
        }
    }
    extras
}

/// The generated list: one entry per file, keeping `old`'s extra lines.
fn render(tests: &[String], benches: &[String], old: &str) -> String {
    let extras = extra_lines(old);
    let mut out = String::new();
    let mut entry = |kind: &str, name: &str, path: String, harness: bool| {
        out.push_str(&format!("\n{kind}\nname = \"{name}\"\npath = \"{path}\"\n"));
        if !harness {
            out.push_str("harness = false\n");
        }
        for line in extras
            .get(&(kind.to_owned(), name.to_owned()))
            .into_iter()
            .flatten()
        {
            out.push_str(line);
            out.push('\n');
        }
    };
    for name in tests {
        entry("[[test]]", name, format!("../tests/{name}.rs"), true);
    }
    for name in benches {
        entry(
            "[[bench]]",
            name,
            format!("../tests/benches/{name}.rs"),
            false,
        );
    }
    out.push('\n');
    out
}

/// `manifest` with the text between its markers replaced by the list for
/// `tests` and `benches`.
fn regenerate(manifest: &str, tests: &[String], benches: &[String]) -> String {
    let start = manifest
        .find(BEGIN)
        .map(|at| at + BEGIN.len())
        .expect("server/Cargo.toml lacks the BEGIN marker of the generated test targets");
    let end = manifest[start..]
        .find(END)
        .map(|at| start + at)
        .expect("server/Cargo.toml lacks the END marker of the generated test targets");
    let old = &manifest[start..end];
    format!(
        "{}\n{}{}",
        &manifest[..start],
        render(tests, benches, old).trim_start_matches('\n'),
        &manifest[end..]
    )
}

#[test]
fn every_file_in_tests_is_a_target_in_the_manifest() {
    let server = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tests_dir = server.join("../tests");
    let tests = targets_in(&tests_dir);
    let benches = targets_in(&tests_dir.join("benches"));
    assert!(tests.len() > 10 && !benches.is_empty(), "tests not found");
    let path = server.join("Cargo.toml");
    let manifest = std::fs::read_to_string(&path).expect("read server/Cargo.toml");
    let fresh = regenerate(&manifest, &tests, &benches);
    if fresh != manifest {
        std::fs::write(&path, &fresh).expect("write server/Cargo.toml");
        panic!(
            "server/Cargo.toml listed other test targets than tests/ holds: regenerated it, \
             review and commit it (git diff server/Cargo.toml)"
        );
    }
}

#[test]
fn a_new_file_gets_an_entry_and_extra_lines_stay() {
    let manifest = format!(
        "[package]\n\n{BEGIN}\n\n[[test]]\nname = \"a\"\npath = \"../tests/a.rs\"\nrequired-features = [\"x\"]\n\n{END}\n[features]\n"
    );
    let tests = ["a".to_owned(), "b".to_owned()];
    let fresh = regenerate(&manifest, &tests, &["speed".to_owned()]);
    assert_eq!(
        fresh,
        format!(
            "[package]\n\n{BEGIN}\n[[test]]\nname = \"a\"\npath = \"../tests/a.rs\"\nrequired-features = [\"x\"]\n\n\
             [[test]]\nname = \"b\"\npath = \"../tests/b.rs\"\n\n\
             [[bench]]\nname = \"speed\"\npath = \"../tests/benches/speed.rs\"\nharness = false\n\n{END}\n[features]\n"
        )
    );
    assert_eq!(regenerate(&fresh, &tests, &["speed".to_owned()]), fresh);
}
