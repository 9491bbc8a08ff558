//! Every `check --format` on the same fixtures: snapshots of the output, and the
//! SARIF output validated against the official SARIF 2.1.0 schema.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/formats");

fn check(format: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ticklens"))
        .current_dir(FIXTURES)
        .args(["check", ".", "--no-cache", "--format", format])
        .args(extra)
        .output()
        .expect("run ticklens check")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// The run time is the only part of the output that changes between runs.
fn without_timing(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        match (line.find(" in "), line.find("ms:")) {
            (Some(start), Some(end)) if line.starts_with("checked ") && start < end => {
                out.push_str(&line[..start]);
                out.push_str(" in [time]");
                out.push_str(&line[end + 2..]);
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

#[test]
fn human_format_shows_code_frames() {
    let output = check("human", &["--color", "never"]);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(without_timing(&stdout(&output)));
}

#[test]
fn compact_format_is_one_line_per_finding() {
    let output = check("compact", &[]);
    insta::assert_snapshot!(without_timing(&stdout(&output)));
}

#[test]
fn github_format_emits_workflow_commands() {
    let output = check("github", &[]);
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn json_format_follows_the_documented_schema() {
    let output = check("json", &[]);
    let value: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(value["version"], 1);
    insta::assert_json_snapshot!(value, { ".summary.elapsedMs" => "[ms]" });
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let output = check("sarif", &[]);
    let log: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/schemas/sarif-2.1.0.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).expect("vendored schema"))
            .expect("schema is JSON");
    let validator = jsonschema::draft4::new(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF output is invalid:\n{}",
        errors.join("\n")
    );
    assert!(!log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .is_empty());
    insta::assert_json_snapshot!(log);
}

#[test]
fn a_schema_violation_is_detected() {
    // The validator itself must be able to fail: a result without a message is invalid.
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/schemas/sarif-2.1.0.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let bad = serde_json::json!({ "version": "2.1.0", "runs": [{ "tool": { "driver": { "name": "x" } }, "results": [{ "ruleId": "r" }] }] });
    assert!(!validator.is_valid(&bad));
}
