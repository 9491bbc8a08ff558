//! `editors/ticklens.schema.json`, the JSON Schema editors validate and
//! complete `ticklens.toml` with, accepts exactly the files `check` accepts:
//! every config the repository holds (fixtures, and the `toml` blocks of the
//! README and docs), every rule at every level, and mistakes of each kind
//! made to them. (The one thing the schema cannot judge is whether
//! `[runtime] node` is a valid npm range; `check` reads it with npm's rules.)

use std::path::{Path, PathBuf};

use serde_json::Value;
use ticklens::config::Config;
use ticklens::driver::known_rules;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn schema() -> Value {
    let path = repo().join("editors/ticklens.schema.json");
    let text = std::fs::read_to_string(&path).expect("the schema is generated");
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// Every `ticklens.toml` under `dir`.
fn config_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            config_files(&path, found);
        } else if path.file_name().is_some_and(|name| name == "ticklens.toml") {
            found.push(path);
        }
    }
}

/// The fenced `toml` blocks of a Markdown text that configure ticklens.
fn toml_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "```toml" {
            let block: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
            let block = block.join("\n") + "\n";
            if block.contains("[rules]") || block.contains("ignore") {
                blocks.push(block);
            }
        }
    }
    blocks
}

/// The repository's configs: fixtures, and the README's and docs' examples.
fn repository_configs() -> Vec<(String, String)> {
    let mut files = Vec::new();
    config_files(&repo().join("tests"), &mut files);
    config_files(&repo().join("editors/fixtures"), &mut files);
    let mut configs: Vec<(String, String)> = files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).expect("a readable config");
            (path.display().to_string(), text)
        })
        .collect();
    let mut pages = vec![repo().join("README.md")];
    for dir in ["docs", "docs/rules"] {
        for entry in std::fs::read_dir(repo().join(dir)).expect("docs").flatten() {
            if entry.path().extension().is_some_and(|ext| ext == "md") {
                pages.push(entry.path());
            }
        }
    }
    for page in pages {
        let text = std::fs::read_to_string(&page).expect("a readable page");
        for (i, block) in toml_blocks(&text).into_iter().enumerate() {
            configs.push((format!("{} block {}", page.display(), i + 1), block));
        }
    }
    configs
}

/// Whether `check` accepts `text`, and whether the schema does.
fn verdicts(validator: &jsonschema::Validator, text: &str) -> (bool, bool) {
    let by_check = Config::parse(text, Path::new("ticklens.toml"), known_rules()).is_ok();
    let value: toml::Value = toml::from_str(text).expect("the cases are valid TOML");
    let json = serde_json::to_value(value).expect("TOML converts to JSON");
    (by_check, validator.is_valid(&json))
}

#[test]
fn the_schema_accepts_exactly_what_check_accepts() {
    let validator = jsonschema::draft7::new(&schema()).expect("the schema compiles");
    let mut cases = repository_configs();
    assert!(cases.len() >= 5, "too few configs found: {cases:?}");
    assert!(
        cases.iter().any(|(_, text)| text.contains("[runtime]")),
        "no config with every setting"
    );
    let rules: Vec<&str> = known_rules().codes.to_vec();
    for rule in &rules {
        for level in ["off", "on", "hint", "info", "warning", "error"] {
            cases.push((
                format!("{rule} {level}"),
                format!("[rules]\n{rule} = \"{level}\"\n"),
            ));
        }
    }
    let mistakes = [
        "ignores = [\"dist/**\"]\n",
        "ignore = \"dist/**\"\n",
        "ignore = [\"dist/**\", 3]\n",
        "known-safe = \"logger.flush\"\n",
        "known-safe = [true]\n",
        "rules = \"off\"\n",
        "[rules]\nfloating-promises = \"on\"\n",
        "[rules]\nfloating-promise = \"eror\"\n",
        "[rules]\nfloating-promise = 2\n",
        "[rules]\nfloating-promise = true\n",
        "[rules]\nfloating-promise = \"Warning\"\n",
        "runtime = \">=18\"\n",
        "[runtime]\nbun = \"1\"\n",
        "[runtime]\nnode = 18\n",
        "[rules]\n[rules.floating-promise]\nlevel = \"on\"\n",
    ];
    for mistake in mistakes {
        cases.push((format!("mistake {mistake:?}"), mistake.to_owned()));
    }
    // Each repository config with one mistake added.
    let repository = repository_configs();
    for (name, text) in &repository {
        cases.push((
            format!("{name} + unknown setting"),
            format!("colour = 1\n{text}"),
        ));
        if text.contains("[rules]") {
            let broken = text.replacen("[rules]\n", "[rules]\nno-such-rule = \"on\"\n", 1);
            cases.push((format!("{name} + unknown rule"), broken));
        }
    }
    let mut accepted = 0;
    let mut disagreements = Vec::new();
    for (name, text) in &cases {
        let (by_check, by_schema) = verdicts(&validator, text);
        accepted += usize::from(by_check);
        if by_check != by_schema {
            disagreements.push(format!(
                "{name}: check {by_check}, schema {by_schema}\n{text}"
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    // Both kinds were tried.
    assert!(accepted > rules.len() * 6, "{accepted} of {}", cases.len());
    assert!(
        cases.len() - accepted > mistakes.len(),
        "{accepted} of {}",
        cases.len()
    );
}

#[test]
fn every_rule_is_described_with_its_default_and_docs() {
    let schema = schema();
    let rules = schema["properties"]["rules"]["properties"]
        .as_object()
        .expect("the rules' properties");
    let codes: Vec<&str> = rules.keys().map(String::as_str).collect();
    let mut known = known_rules().codes.to_vec();
    known.sort_unstable();
    assert_eq!(codes, known);
    for (code, rule) in rules {
        let description = rule["description"].as_str().expect("a description");
        assert!(
            description.contains(&format!("docs/rules/{code}.md")),
            "{code}"
        );
        assert!(
            matches!(rule["default"].as_str(), Some("on" | "off")),
            "{code}"
        );
    }
}
