//! The timeline as the editors and `order --timeline --format json` read it: the engine's
//! [`Timeline`] with lines and columns in place of byte ranges.
//!
//! The shape, version 1 (schema: tests/schemas/timeline-v1.json):
//! ```json
//! { "version": 1, "complete": true,
//!   "lanes": [{ "name": "main", "title": "synchronous" }, ...],
//!   "steps": [{ "lane": "microtask", "tick": 1, "cause": "tick 1: ...",
//!               "range": { "start": { "line": 8, "column": 1 }, "end": { ... } },
//!               "printed": [{ "text": "B", "line": 11, "column": 3 }] }],
//!   "waits": [], "stopped": null, "assumptions": [] }
//! ```
//! Lines and columns are 1-based, columns in UTF-16 code units (as editors count), like
//! `check --format json`. `range` is `null` for a job that runs none of the file's code.
//! `complete` is false when the run stopped: then `stopped` holds the reason and where, and
//! `steps` the part every run of Node takes first (up to the operation the engine does not
//! model, and before the first module it cannot see was loaded), `waits` what it waits on at
//! an I/O race, in no fixed order.

use serde_json::{json, Value};

use crate::engine::{Lane, Timeline};
use crate::line_index::{Encoding, LineIndex};

/// The version of the shape; a change that removes or renames a field bumps it.
pub const TIMELINE_VERSION: u32 = 1;

/// `timeline` as JSON, positions read from `text` (the text the engine ran).
pub fn timeline_json(timeline: &Timeline, text: &str) -> Value {
    let index = LineIndex::new(text);
    let position = |offset: usize| {
        let pos = index.position(text, offset, Encoding::Utf16);
        json!({ "line": pos.line + 1, "column": pos.col + 1 })
    };
    let steps: Vec<Value> = timeline
        .steps
        .iter()
        .map(|step| {
            let printed: Vec<Value> = step
                .printed
                .iter()
                .map(|print| {
                    let pos = index.position(text, print.range.start, Encoding::Utf16);
                    json!({ "text": print.text, "line": pos.line + 1, "column": pos.col + 1 })
                })
                .collect();
            json!({
                "lane": step.lane.name(),
                "tick": step.tick,
                "cause": step.cause,
                "range": step.range.as_ref().map(|range| json!({
                    "start": position(range.start),
                    "end": position(range.end),
                })),
                "printed": printed,
            })
        })
        .collect();
    let lanes: Vec<Value> = Lane::ALL
        .iter()
        .map(|lane| json!({ "name": lane.name(), "title": lane.title() }))
        .collect();
    json!({
        "version": TIMELINE_VERSION,
        "complete": timeline.stopped.is_none(),
        "lanes": lanes,
        "steps": steps,
        "waits": timeline.waits,
        "stopped": timeline.stopped.as_ref().map(|stopped| json!({
            "reason": stopped.reason,
            "at": stopped.range.as_ref().map(|range| position(range.start)),
        })),
        "assumptions": timeline.assumptions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{self, ModuleKind};

    fn json_of(source: &str) -> Value {
        let tree = crate::syntax::parse(source, None);
        timeline_json(
            &engine::timeline(source, &tree, ModuleKind::CommonJs),
            source,
        )
    }

    #[test]
    fn an_await_resumes_in_a_microtask_step_at_its_function() {
        let value = json_of(
            "async function f() {\n  console.log('A');\n  await null;\n  console.log('B');\n}\nf();\nconsole.log('C');\n",
        );
        assert_eq!(value["version"], 1);
        assert_eq!(value["complete"], true);
        let steps = value["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 2, "{value:#}");
        assert_eq!(steps[0]["lane"], "main");
        assert_eq!(steps[0]["printed"][0]["text"], "A");
        assert_eq!(steps[0]["printed"][0]["line"], 2);
        assert_eq!(steps[0]["printed"][1]["text"], "C");
        assert_eq!(steps[1]["lane"], "microtask");
        assert_eq!(steps[1]["tick"], 1);
        assert_eq!(steps[1]["range"]["start"]["line"], 1);
        assert_eq!(steps[1]["printed"][0]["text"], "B");
        assert_eq!(steps[1]["printed"][0]["column"], 3);
    }

    #[test]
    fn an_abstention_away_from_io_gives_what_ran_before_it_and_the_reason() {
        let value = json_of("console.log('A');\nsomeUnknown().then(() => console.log('B'));\n");
        assert_eq!(value["complete"], false);
        let steps = value["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 1, "{value}");
        assert_eq!(steps[0]["lane"], "main");
        assert_eq!(steps[0]["printed"].as_array().unwrap().len(), 1, "{value}");
        assert_eq!(steps[0]["printed"][0]["text"], "A");
        assert!(value["stopped"]["reason"].as_str().is_some());
    }
}
