//! The npm packages (`npm/`) and the VS Code extension carry the crate's version, the one
//! `ticklens --version` prints: `ticklens` depends on exactly that version of each platform
//! package, and the launcher, the packages under `npm/` and `scripts/package.sh` name the same
//! platforms.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the repo above server/")
        .to_path_buf()
}

fn manifest(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// The platform folders `npm/cli-<platform>`, by platform.
fn platform_dirs(npm: &Path) -> BTreeSet<String> {
    std::fs::read_dir(npm)
        .expect("read npm/")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter_map(|name| name.strip_prefix("cli-").map(str::to_owned))
        .collect()
}

/// The quoted strings of `text` that start with `prefix`, without the quotes.
fn quoted_with_prefix<'t>(text: &'t str, prefix: &str) -> BTreeSet<&'t str> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with(prefix))
        .collect()
}

#[test]
fn the_npm_packages_and_the_extension_carry_the_crate_version() {
    let version = env!("CARGO_PKG_VERSION");
    let repo = repo();
    let npm = repo.join("npm");
    let platforms = platform_dirs(&npm);
    assert!(
        platforms.contains("linux-x64"),
        "npm/cli-linux-x64 is missing"
    );

    let mut files = vec![
        repo.join("npm/ticklens/package.json"),
        repo.join("editors/vscode/package.json"),
    ];
    files.extend(
        platforms
            .iter()
            .map(|p| npm.join(format!("cli-{p}/package.json"))),
    );
    for file in &files {
        assert_eq!(
            manifest(file)["version"].as_str(),
            Some(version),
            "{} must carry the version of server/Cargo.toml",
            file.display()
        );
    }

    for platform in &platforms {
        let package = manifest(&npm.join(format!("cli-{platform}/package.json")));
        assert_eq!(
            package["name"].as_str(),
            Some(format!("@ticklens/cli-{platform}").as_str())
        );
        for field in ["os", "cpu"] {
            assert!(
                package[field].as_array().is_some_and(|v| v.len() == 1),
                "npm/cli-{platform}/package.json needs one `{field}`"
            );
        }
        let libc = package["libc"].as_array().is_some();
        assert_eq!(
            libc,
            platform.starts_with("linux-"),
            "npm/cli-{platform}/package.json: `libc` on every Linux package and only there"
        );
    }

    let launcher = manifest(&npm.join("ticklens/package.json"));
    let optional = launcher["optionalDependencies"]
        .as_object()
        .expect("npm/ticklens/package.json lists the platform packages as optionalDependencies");
    for (name, spec) in optional {
        assert_eq!(
            spec.as_str(),
            Some(version),
            "`ticklens` must depend on exactly {name}@{version}"
        );
    }
    let expected: BTreeSet<String> = platforms
        .iter()
        .map(|p| format!("@ticklens/cli-{p}"))
        .collect();
    let listed: BTreeSet<String> = optional.keys().cloned().collect();
    assert_eq!(
        listed, expected,
        "optionalDependencies of npm/ticklens and the npm/cli-* folders"
    );

    let bin = std::fs::read_to_string(npm.join("ticklens/bin/ticklens")).expect("the launcher");
    let named: BTreeSet<String> = quoted_with_prefix(&bin, "@ticklens/cli-")
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        named, expected,
        "the launcher's PLATFORMS and the npm/cli-* folders"
    );

    let script = std::fs::read_to_string(repo.join("scripts/package.sh")).expect("package.sh");
    let built: BTreeSet<String> = quoted_with_prefix(&script, "")
        .into_iter()
        .filter_map(|entry| {
            let words: Vec<&str> = entry.split(' ').collect();
            // "<npm platform> <Rust target triple> <vsce target>"
            (words.len() == 3 && words[1].matches('-').count() >= 2)
                .then(|| format!("@ticklens/cli-{}", words[0]))
        })
        .collect();
    assert_eq!(
        built, expected,
        "the PLATFORMS of scripts/package.sh and the npm/cli-* folders"
    );
}
