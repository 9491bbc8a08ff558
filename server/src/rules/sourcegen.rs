//! Files generated from the rules' `declare_rule!` blocks, in the style of
//! rust-analyzer's sourcegen tests: each test renders its files, writes any
//! that differ on disk, and fails naming them, so a stale file fails CI and a
//! developer refreshes every file by running
//! `cargo test -p ticklens --lib rules::sourcegen` once and committing.

use std::path::{Path, PathBuf};

use super::{docs_url, Judged, RuleMeta, ALL};
use crate::findings::{FixSafety, Severity};

/// The repository's root, above the `server` package.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the server package lies in the repository")
        .to_path_buf()
}

/// Writes each `(path, contents)` whose file differs, then fails naming the
/// files it wrote.
fn ensure_files(files: &[(String, String)]) {
    let root = repo_root();
    let mut regenerated = Vec::new();
    for (relative, contents) in files {
        let path = root.join(relative);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(contents.as_str()) {
            std::fs::write(&path, contents).unwrap_or_else(|e| panic!("{relative}: {e}"));
            regenerated.push(relative.as_str());
        }
    }
    assert!(
        regenerated.is_empty(),
        "regenerated {}, commit it (the rules' `declare_rule!` blocks are the source)",
        regenerated.join(", ")
    );
}

/// The Markdown file beside the rule that holds the docs of `code`, the one
/// its `declare_rule!` block names (`docs: "<rule_file>.md"`).
fn rule_docs_file(code: &str) -> String {
    format!("server/src/rules/{}.md", code.replace('-', "_"))
}

/// `docs/rules/<code>.md`: the title, whether the rule runs by default and
/// at what severity, its measured precision, and the rule's docs.
fn docs_page(meta: &RuleMeta) -> String {
    format!(
        "# {code}\n\n{default}\n\n{precision}\n\n{docs}\n<!-- Generated from {file} and the \
         rule's `declare_rule!` block: edit them there, then run \
         `cargo test -p ticklens --lib rules::sourcegen`. -->\n",
        code = meta.code,
        default = default_paragraph(meta),
        precision = precision_paragraph(meta),
        docs = meta.docs,
        file = rule_docs_file(meta.code),
    )
}

/// Whether the rule runs by default, at what severity, and how to change it.
fn default_paragraph(meta: &RuleMeta) -> String {
    let code = meta.code;
    let severity = meta.default_severity.as_str();
    if meta.on_by_default {
        format!(
            "**On by default**, at severity {severity}. Change the severity, or switch the rule \
             off, under `[rules]` in `ticklens.toml` (`{code} = \"off\"`) or with the editor's \
             `ticklens.rules` setting."
        )
    } else {
        format!(
            "**Off by default (opt-in).** Switch it on under `[rules]` in `ticklens.toml` \
             (`{code} = \"on\"`, or a severity) or with the editor's `ticklens.rules` setting \
             (`{{ \"{code}\": \"on\" }}`); \"on\" reports at severity {severity}."
        )
    }
}

/// `92% (23 of 25 judged findings right)`, or that it is not measured yet.
fn judged(figure: Option<Judged>) -> String {
    match figure {
        Some(Judged { judged: 0, .. }) => "no finding to judge".to_owned(),
        Some(judged) => format!(
            "{}% ({} of {} judged findings right)",
            judged.percent(),
            judged.right,
            judged.judged
        ),
        None => "not yet measured".to_owned(),
    }
}

/// The rule's measured precision: held-out corpus first (the figure the
/// defaults follow), then the tuning corpus, named as such.
fn precision_paragraph(meta: &RuleMeta) -> String {
    let precision = &meta.precision;
    format!(
        "**Measured precision** (how often a finding is right, judged by reading the code; \
         [method](../precision.md)): on the second held-out corpus, library code the rules were \
         not tuned on, measured after the changes the first one led to, {second}; on the first \
         held-out corpus, {held_out}, and its test folders, {tests}. The default follows the \
         latest figure. Tuning-corpus figure (the code the rules were tuned on): {tuning}.{typescript}",
        second = judged(precision.held_out_second),
        held_out = judged(precision.held_out),
        tests = judged(precision.held_out_tests),
        tuning = precision.tuning,
        typescript = precision
            .typescript
            .map(|text| format!(" On TypeScript, held-out library code: {text}."))
            .unwrap_or_default(),
    )
}

/// How a fix of `safety` is described in listings.
fn safety_label(safety: FixSafety) -> &'static str {
    match safety {
        FixSafety::Safe => "safe",
        FixSafety::ChangesBehaviour => "changes behaviour",
        FixSafety::MarksIntent => "marks intent",
    }
}

/// How a rule's default reads in listings: its severity, or that it is off
/// and the severity switching it on gives.
fn default_label(meta: &RuleMeta) -> String {
    let severity = meta.default_severity.as_str();
    if meta.on_by_default {
        severity.to_owned()
    } else {
        format!("off (opt-in; {severity} when on)")
    }
}

/// `docs/rules/README.md`: every rule with its default, its fixes and its
/// summary.
fn docs_index() -> String {
    let mut index = String::from(
        "# Rules\n\n\
         Every rule ticklens has, with its default severity and the kinds of fix it offers. Change \
         a rule's level in `ticklens.toml` or the editor's settings: `\"off\"`, `\"on\"` (its own \
         severity) or a severity. A rule that is off by default (opt-in) runs only where it is \
         switched on; each rule's page gives its measured precision, which decides its default. \
         `check --fix` applies only safe fixes.\n\n\
         | Rule | Default severity | Fixes | Summary |\n\
         | --- | --- | --- | --- |\n",
    );
    for rule in ALL {
        let meta = rule.meta();
        let fixes: Vec<&str> = meta.fixes.iter().map(|&s| safety_label(s)).collect();
        let fixes = if fixes.is_empty() {
            "none".to_owned()
        } else {
            fixes.join(", ")
        };
        index.push_str(&format!(
            "| [{code}]({code}.md) | {severity} | {fixes} | {summary} |\n",
            code = meta.code,
            severity = default_label(meta),
            summary = capitalised(meta.summary).replace('|', "\\|"),
        ));
    }
    index.push_str(
        "\nNot rules, but reported the same way: [syntax-error](syntax-error.md) and \
         [unknown-rule](unknown-rule.md).\n\n\
         <!-- Generated from the rules' declare_rule! blocks: run \
         `cargo test -p ticklens --lib rules::sourcegen`. -->\n",
    );
    index
}

/// `text` with its first letter in upper case.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A JSON string literal.
fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

/// The `properties` of the VS Code `ticklens.rules` setting, one per rule,
/// indented as they stand in editors/vscode/package.json (keys in the order
/// the file keeps them, which `serde_json` without `preserve_order` would not).
fn vscode_rule_properties() -> String {
    let levels = ["off", "on"]
        .into_iter()
        .chain(
            [
                Severity::Hint,
                Severity::Info,
                Severity::Warning,
                Severity::Error,
            ]
            .map(Severity::as_str),
        )
        .map(|level| format!("                {}", json_string(level)))
        .collect::<Vec<_>>()
        .join(",\n");
    let properties: Vec<String> = ALL
        .iter()
        .map(|rule| {
            let meta = rule.meta();
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
                "{}. {stated} [Docs]({})",
                capitalised(meta.summary),
                docs_url(meta.code)
            );
            format!(
                "            {code}: {{\n              \"type\": \"string\",\n              \
                 \"enum\": [\n{levels}\n              ],\n              \"default\": {default},\n\
                 \x20             \"markdownDescription\": {description}\n            }}",
                code = json_string(meta.code),
                default = json_string(default),
                description = json_string(&description),
            )
        })
        .collect();
    format!("{{\n{}\n          }}", properties.join(",\n"))
}

/// editors/vscode/package.json with the `ticklens.rules` properties replaced.
fn vscode_package(current: &str) -> String {
    const SETTING: &str = "\"ticklens.rules\": {";
    const START: &str = "\"properties\": ";
    const END: &str = ",\n          \"additionalProperties\"";
    let setting = current
        .find(SETTING)
        .expect("package.json has ticklens.rules");
    let start = setting
        + current[setting..]
            .find(START)
            .expect("ticklens.rules has properties")
        + START.len();
    let end = start
        + current[start..]
            .find(END)
            .expect("additionalProperties follow the properties");
    format!(
        "{}{}{}",
        &current[..start],
        vscode_rule_properties(),
        &current[end..]
    )
}

/// The rule table of Neovim's `:help ticklens-rules`: one rule a line, sorted
/// by code, `code  severity  summary` with the summary (backticks dropped)
/// wrapped at 78 columns under itself; an opt-in rule's severity column
/// says `off` and its summary ends with the severity "on" gives.
fn nvim_rule_table() -> String {
    const SUMMARY_COLUMN: usize = 40;
    const WIDTH: usize = 78;
    let mut metas: Vec<&RuleMeta> = ALL.iter().map(|rule| rule.meta()).collect();
    metas.sort_by_key(|meta| meta.code);
    let mut table = String::new();
    for meta in metas {
        let severity = meta.default_severity.as_str();
        let (column, summary) = if meta.on_by_default {
            (severity, meta.summary.replace('`', ""))
        } else {
            (
                "off",
                format!(
                    "{} (opt-in: \"on\" reports at {severity})",
                    meta.summary.replace('`', "")
                ),
            )
        };
        let mut line = format!("  {:<29}{:<9}", meta.code, column);
        let mut line_is_empty = true;
        for word in summary.split_whitespace() {
            if !line_is_empty && line.len() + 1 + word.len() > WIDTH {
                table.push_str(&line);
                table.push('\n');
                line = " ".repeat(SUMMARY_COLUMN);
                line_is_empty = true;
            }
            if !line_is_empty {
                line.push(' ');
            }
            line.push_str(word);
            line_is_empty = false;
        }
        table.push_str(&line);
        table.push('\n');
    }
    table
}

/// editors/nvim/doc/ticklens.txt with the rule table of `*ticklens-rules*`
/// replaced: the indented lines after the section's first paragraph.
fn nvim_help(current: &str) -> String {
    let section = current
        .find("*ticklens-rules*")
        .expect("the help has a *ticklens-rules* section");
    let start = section
        + current[section..]
            .find("\n  ")
            .expect("the section has a table")
        + 1;
    let end = start
        + current[start..]
            .find("\n\n")
            .expect("a blank line ends the table")
        + 1;
    format!(
        "{}{}{}",
        &current[..start],
        nvim_rule_table(),
        &current[end..]
    )
}

#[test]
fn nvim_help_rule_table_is_generated_from_the_rules() {
    let relative = "editors/nvim/doc/ticklens.txt";
    let current = std::fs::read_to_string(repo_root().join(relative)).expect(relative);
    ensure_files(&[(relative.to_owned(), nvim_help(&current))]);
}

#[test]
fn every_rule_names_the_docs_file_named_after_it() {
    // The footer of each generated page names this file; a block that named
    // another would send the reader to the wrong one.
    for rule in ALL {
        let meta = rule.meta();
        let relative = rule_docs_file(meta.code);
        let on_disk = std::fs::read_to_string(repo_root().join(&relative)).expect(&relative);
        assert_eq!(
            on_disk, meta.docs,
            "{}: `docs` must name {relative}",
            meta.code
        );
    }
}

#[test]
fn rule_docs_pages_and_index_are_generated_from_the_rules() {
    let mut files: Vec<(String, String)> = ALL
        .iter()
        .map(|rule| {
            let meta = rule.meta();
            (format!("docs/rules/{}.md", meta.code), docs_page(meta))
        })
        .collect();
    files.push(("docs/rules/README.md".to_owned(), docs_index()));
    ensure_files(&files);
}

#[test]
fn vscode_rules_setting_is_generated_from_the_rules() {
    let relative = "editors/vscode/package.json";
    let current = std::fs::read_to_string(repo_root().join(relative)).expect(relative);
    let generated = vscode_package(&current);
    serde_json::from_str::<serde_json::Value>(&generated).expect("generated package.json parses");
    ensure_files(&[(relative.to_owned(), generated)]);
}

/// The JSON Schema of `ticklens.toml` (draft-07, which Taplo, Even Better
/// TOML and VS Code's JSON support read): its settings, every rule with its
/// default and docs, and the levels; anything else is an error, as it is to
/// `check`. tests/config_schema.rs checks that it accepts exactly the files
/// `check` accepts.
fn ticklens_toml_schema() -> String {
    use serde_json::{json, Map, Value};
    // Each rule's property carries the levels itself: draft-07 ignores a
    // description beside a `$ref`.
    const LEVEL_DESCRIPTIONS: [&str; 6] = [
        "Not run.",
        "Run at the rule's own severity.",
        "Reported as a hint.",
        "Reported as information.",
        "Reported as a warning.",
        "Reported as an error: check exits with status 1.",
    ];
    let levels: Vec<&str> = crate::config::RuleLevel::NAMED
        .iter()
        .map(|(name, _)| *name)
        .collect();
    let rules: Map<String, Value> = ALL
        .iter()
        .map(|rule| {
            let meta = rule.meta();
            let severity = meta.default_severity.as_str();
            let stated = if meta.on_by_default {
                format!("Default: `{severity}`.")
            } else {
                format!("Off by default (opt-in): `on` reports at `{severity}`.")
            };
            let summary = capitalised(meta.summary);
            let url = docs_url(meta.code);
            let default = if meta.on_by_default { "on" } else { "off" };
            let property = json!({
                "type": "string",
                "enum": levels,
                "enumDescriptions": LEVEL_DESCRIPTIONS,
                "default": default,
                "description": format!("{summary}. {}\n{url}", stated.replace('`', "")),
                "markdownDescription": format!("{summary}. {stated} [Docs]({url})"),
            });
            (meta.code.to_owned(), property)
        })
        .collect();
    let globs = "Paths that `check` skips: globs relative to this file, like `dist/**`.";
    let known_safe = "Calls whose dropped promise is intended: floating-promise does not \
                      report them (`logger.flush`, `startBackgroundJob`).";
    let node = "The Node versions the code runs on, as an npm range (`>=18`); without it, the \
                `engines.node` of the nearest package.json applies.";
    let schema = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://github.com/ticklens/ticklens/raw/main/editors/ticklens.schema.json",
        "title": "ticklens.toml",
        "description": "ticklens's configuration: rule levels, ignored paths, known-safe calls \
                        and the Node versions the code runs on. The nearest ticklens.toml above \
                        a file applies to it.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "ignore": {
                "type": "array",
                "items": { "type": "string" },
                "description": globs.replace('`', ""),
                "markdownDescription": globs,
            },
            "known-safe": {
                "type": "array",
                "items": { "type": "string" },
                "description": known_safe.replace('`', ""),
                "markdownDescription": known_safe,
            },
            "rules": {
                "type": "object",
                "description": "Each rule's level. A rule not named keeps its default.",
                "additionalProperties": false,
                "properties": rules,
            },
            "runtime": {
                "type": "object",
                "description": "The runtime the code runs on.",
                "additionalProperties": false,
                "properties": {
                    "node": {
                        "type": "string",
                        "description": node.replace('`', ""),
                        "markdownDescription": node,
                    },
                },
            },
        },
    });
    let mut text = serde_json::to_string_pretty(&schema).expect("a JSON value serializes");
    text.push('\n');
    text
}

#[test]
fn ticklens_toml_schema_is_generated_from_the_rules_and_settings() {
    let schema = ticklens_toml_schema();
    let parsed: serde_json::Value = serde_json::from_str(&schema).expect("the schema parses");
    let settings: Vec<&str> = parsed["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        settings,
        crate::config::SETTINGS,
        "one schema property per setting"
    );
    let rules = parsed["properties"]["rules"]["properties"].as_object();
    for (code, rule) in rules.expect("rules") {
        assert_eq!(rule["enum"].as_array().map(Vec::len), Some(6), "{code}");
        assert_eq!(
            rule["enumDescriptions"].as_array().map(Vec::len),
            Some(6),
            "{code}"
        );
    }
    ensure_files(&[("editors/ticklens.schema.json".to_owned(), schema)]);
}
