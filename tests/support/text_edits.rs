//! Applies LSP text edits to a text the way an editor does, in the position
//! encoding the server negotiated. Written from the protocol, independently of
//! the server's own `line_index`, so a conversion bug on either side shows.

#![allow(dead_code)] // Each test crate that includes this uses a different part of it.

use serde_json::Value;

/// What a position's `character` counts (LSP 3.17 `PositionEncodingKind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PositionEncoding {
    Utf8,
    Utf16,
}

impl PositionEncoding {
    /// The encoding the server chose in its `initialize` result (UTF-16 when it names none).
    pub fn negotiated(initialize_result: &Value) -> Self {
        match initialize_result["capabilities"]["positionEncoding"].as_str() {
            None | Some("utf-16") => PositionEncoding::Utf16,
            Some("utf-8") => PositionEncoding::Utf8,
            Some(other) => panic!("the tests do not speak position encoding {other:?}"),
        }
    }

    fn units(self, c: char) -> usize {
        match self {
            PositionEncoding::Utf8 => c.len_utf8(),
            PositionEncoding::Utf16 => c.len_utf16(),
        }
    }
}

/// The byte offset of an LSP `Position`. Lines end at `\n`, `\r\n` or `\r`.
/// Panics on a line past the end, a column past the line's end, or a column
/// inside a character: the server must never send those.
pub fn offset(text: &str, position: &Value, encoding: PositionEncoding) -> usize {
    let line = position["line"].as_u64().expect("position.line") as usize;
    let character = position["character"].as_u64().expect("position.character") as usize;
    let starts = line_starts(text);
    let start = *starts
        .get(line)
        .unwrap_or_else(|| panic!("line {line} is past the end ({} lines)", starts.len()));
    let content = line_content(&text[start..]);
    let mut units = 0;
    for (i, c) in content.char_indices() {
        if units == character {
            return start + i;
        }
        units += encoding.units(c);
        if units > character {
            panic!("column {character} of line {line} falls inside {c:?} ({encoding:?})");
        }
    }
    assert_eq!(
        units, character,
        "column {character} is past the end of line {line} ({units} units, {encoding:?})"
    );
    start + content.len()
}

/// Byte offsets where each line starts.
fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => starts.push(i + 1),
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                starts.push(i + 2);
                i += 1;
            }
            b'\r' => starts.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    starts
}

/// A line's text up to (not including) its line ending.
fn line_content(rest: &str) -> &str {
    let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
    &rest[..end]
}

/// Applies `TextEdit`s, all addressed to the original text as the protocol says.
/// Inserts at the same position keep their order in the array; overlapping
/// edits are a server bug and fail the test.
pub fn apply_text_edits(text: &str, edits: &[Value], encoding: PositionEncoding) -> String {
    let mut resolved: Vec<(usize, usize, usize, &str)> = edits
        .iter()
        .enumerate()
        .map(|(i, edit)| {
            let start = offset(text, &edit["range"]["start"], encoding);
            let end = offset(text, &edit["range"]["end"], encoding);
            assert!(start <= end, "an edit ends before it starts: {edit}");
            let new_text = edit["newText"].as_str().expect("TextEdit.newText");
            (start, end, i, new_text)
        })
        .collect();
    resolved.sort_by_key(|&(start, end, i, _)| (start, end, i));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, _, new_text) in resolved {
        assert!(
            start >= at,
            "overlapping edits at byte {start} (the previous edit ends at {at}): {edits:#?}"
        );
        out.push_str(&text[at..start]);
        out.push_str(new_text);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Applies a `WorkspaceEdit` meant for the one document `uri` at `version`.
/// Accepts `documentChanges` (whose version must match) or `changes`.
pub fn apply_workspace_edit(
    text: &str,
    uri: &str,
    version: i64,
    edit: &Value,
    encoding: PositionEncoding,
) -> String {
    if let Some(changes) = edit["documentChanges"].as_array() {
        assert_eq!(changes.len(), 1, "one document changes: {edit:#}");
        let change = &changes[0];
        assert_eq!(change["textDocument"]["uri"], uri, "{edit:#}");
        assert_eq!(
            change["textDocument"]["version"], version,
            "the edit is for another version of the document: {edit:#}"
        );
        let edits = change["edits"].as_array().expect("TextDocumentEdit.edits");
        apply_text_edits(text, edits, encoding)
    } else {
        let changes = edit["changes"]
            .as_object()
            .unwrap_or_else(|| panic!("neither documentChanges nor changes: {edit:#}"));
        assert_eq!(changes.len(), 1, "one document changes: {edit:#}");
        let edits = changes[uri]
            .as_array()
            .unwrap_or_else(|| panic!("no edits for {uri}: {edit:#}"));
        apply_text_edits(text, edits, encoding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pos(line: u64, character: u64) -> Value {
        json!({ "line": line, "character": character })
    }

    #[test]
    fn columns_count_the_negotiated_units() {
        let text = "a😀b\r\nc\rd";
        assert_eq!(offset(text, &pos(0, 3), PositionEncoding::Utf16), 5);
        assert_eq!(offset(text, &pos(0, 5), PositionEncoding::Utf8), 5);
        assert_eq!(offset(text, &pos(0, 4), PositionEncoding::Utf16), 6);
        assert_eq!(offset(text, &pos(1, 1), PositionEncoding::Utf16), 9);
        assert_eq!(offset(text, &pos(2, 1), PositionEncoding::Utf8), 11);
    }

    #[test]
    #[should_panic(expected = "inside")]
    fn a_column_inside_a_surrogate_pair_fails() {
        offset("a😀b", &pos(0, 2), PositionEncoding::Utf16);
    }

    #[test]
    fn inserts_at_one_position_keep_their_order() {
        let edits = [
            json!({ "range": { "start": pos(0, 1), "end": pos(0, 1) }, "newText": "x" }),
            json!({ "range": { "start": pos(0, 1), "end": pos(0, 1) }, "newText": "y" }),
            json!({ "range": { "start": pos(0, 0), "end": pos(0, 1) }, "newText": "" }),
        ];
        assert_eq!(
            apply_text_edits("ab", &edits, PositionEncoding::Utf16),
            "xyb"
        );
    }
}
