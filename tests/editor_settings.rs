//! The editors' descriptions of the rules agree with the rule registry: VS Code autocompletes every
//! rule of `ticklens.rules` with its default severity and summary (editors/vscode/package.json), and
//! Neovim's `:help ticklens-rules` lists every rule with its default severity, `off` for a rule that
//! is off by default (editors/nvim/doc/ticklens.txt). A rule added, renamed or re-levelled in `server/src/rules/`
//! fails here until both editors say so too.

use std::path::PathBuf;

use serde_json::{json, Map, Value};
use ticklens::findings::Severity;
use ticklens::rules::{docs_url, ALL};

const SEVERITIES: [Severity; 4] = [
    Severity::Hint,
    Severity::Info,
    Severity::Warning,
    Severity::Error,
];

fn repo_file(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What a `ticklens.rules` value may be: `off`, `on` (the rule's own severity), or one of the
/// severities the server reports at.
fn levels() -> Value {
    let mut levels = vec![json!("off"), json!("on")];
    levels.extend(SEVERITIES.iter().map(|s| json!(s.as_str())));
    Value::Array(levels)
}

/// The schema of `ticklens.rules`' properties, one per rule of the registry.
fn expected_rule_properties() -> Map<String, Value> {
    ALL.iter()
        .map(|rule| {
            let meta = rule.meta();
            let mut summary = meta.summary.chars();
            let first = summary.next().expect("a rule has a summary");
            let severity = meta.default_severity.as_str();
            let (default, stated) = if meta.on_by_default {
                (severity, format!("Default: `{severity}`."))
            } else {
                (
                    "off",
                    format!("Off by default (opt-in): `on` reports at `{severity}`."),
                )
            };
            let description = format!(
                "{}{}. {stated} [Docs]({})",
                first.to_uppercase(),
                summary.as_str(),
                docs_url(meta.code)
            );
            let schema = json!({
                "type": "string",
                "enum": levels(),
                "default": default,
                "markdownDescription": description,
            });
            (meta.code.to_owned(), schema)
        })
        .collect()
}

#[test]
fn vscode_rules_setting_lists_every_rule_with_its_default_severity() {
    let package: Value =
        serde_json::from_str(&repo_file("editors/vscode/package.json")).expect("package.json");
    let rules = &package["contributes"]["configuration"]["properties"]["ticklens.rules"];
    let expected = Value::Object(expected_rule_properties());
    assert!(
        rules["properties"] == expected,
        "`ticklens.rules.properties` in editors/vscode/package.json disagrees with the rule \
         registry; it should be:\n{}",
        serde_json::to_string_pretty(&expected).expect("JSON")
    );
    assert_eq!(rules["additionalProperties"]["enum"], levels());
}

#[test]
fn neovim_help_lists_every_rule_with_its_default_severity() {
    let help = repo_file("editors/nvim/doc/ticklens.txt");
    let section = help
        .split_once("*ticklens-rules*")
        .map(|(_, rest)| rest)
        .expect("doc/ticklens.txt has a *ticklens-rules* section");
    // The section's table: one line per rule, `  code  severity  summary`, the summary wrapped onto
    // lines indented further.
    let mut listed: Vec<(&str, &str)> = section
        .lines()
        .skip_while(|line| !line.starts_with("  "))
        .take_while(|line| line.starts_with("  "))
        .filter(|line| !line.starts_with("   "))
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some((words.next()?, words.next()?))
        })
        .collect();
    listed.sort_unstable();
    let mut expected: Vec<(&str, &str)> = ALL
        .iter()
        .map(|rule| {
            let meta = rule.meta();
            let column = match meta.on_by_default {
                true => meta.default_severity.as_str(),
                false => "off",
            };
            (meta.code, column)
        })
        .collect();
    expected.sort_unstable();
    assert_eq!(listed, expected, "the rule table of :help ticklens-rules");
}
