//! The format of the texts sent as markup: Markdown, as the core writes them,
//! or plain text for a client that declares it reads only that.
//!
//! A client lists the formats it reads, preferred first, in
//! `textDocument.hover.contentFormat` (Eglot without `markdown-mode` lists
//! only `plaintext`). LSP 3.17 gives inlay-hint tooltips no such list, so
//! they follow the hover's. Without a list, Markdown.

use tower_lsp_server::ls_types::{ClientCapabilities, MarkupContent, MarkupKind};

/// How the client reads markup.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Markdown,
    PlainText,
}

/// The client's preferred hover format (both are ones the server writes).
pub fn hover_format(client: &ClientCapabilities) -> Format {
    let declared = client
        .text_document
        .as_ref()
        .and_then(|text| text.hover.as_ref())
        .and_then(|hover| hover.content_format.as_ref());
    let Some(declared) = declared else {
        return Format::Markdown;
    };
    match declared.first() {
        Some(MarkupKind::PlainText) => Format::PlainText,
        Some(MarkupKind::Markdown) | None => Format::Markdown,
    }
}

/// The core's Markdown `text` as the client reads it.
pub fn content(markdown: String, format: Format) -> MarkupContent {
    match format {
        Format::Markdown => MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        },
        Format::PlainText => MarkupContent {
            kind: MarkupKind::PlainText,
            value: plain_text(&markdown),
        },
    }
}

/// `markdown` as plain text: what the syntax marks stays, the marks go.
///
/// Emphasis (`**`, `*`, `_`) and code-span backticks are dropped, a code span's
/// text kept as written; a heading loses its `#`s; a fenced code block loses
/// its fences and is indented by four spaces; a link `[text](url)` reads
/// `text (url)`; a backslash escape is the character it escapes. Lists and
/// paragraphs are plain text already.
pub fn plain_text(markdown: &str) -> String {
    let mut lines = Vec::new();
    let mut fence: Option<&str> = None;
    for line in markdown.split('\n') {
        let trimmed = line.trim_start_matches(' ');
        let indented = line.len() - trimmed.len() <= 3;
        if let Some(marker) = fence {
            let closing = trimmed.trim_end();
            let closes =
                closing.len() >= marker.len() && closing.chars().all(|c| marker.starts_with(c));
            if indented && closes {
                fence = None;
            } else if line.is_empty() {
                lines.push(String::new());
            } else {
                lines.push(format!("    {line}"));
            }
            continue;
        }
        if indented {
            if let Some(marker) = fence_marker(trimmed) {
                fence = Some(marker);
                continue;
            }
            if let Some(heading) = heading_text(trimmed) {
                lines.push(inline(heading));
                continue;
            }
        }
        lines.push(inline(line));
    }
    lines.join("\n")
}

/// The fence a line opens (three or more backticks or tildes), if it opens one.
fn fence_marker(line: &str) -> Option<&str> {
    for mark in ['`', '~'] {
        let run = line.len() - line.trim_start_matches(mark).len();
        if run >= 3 {
            let info = &line[run..];
            // A backtick fence's info string holds no backtick.
            if mark == '~' || !info.contains('`') {
                return Some(&line[..run]);
            }
        }
    }
    None
}

/// The text of an ATX heading (`# Title`, `## Title ##`).
fn heading_text(line: &str) -> Option<&str> {
    let level = line.len() - line.trim_start_matches('#').len();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &line[level..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let text = rest.trim();
    let closed = text.trim_end_matches('#');
    Some(if closed.is_empty() || closed.ends_with([' ', '\t']) {
        closed.trim_end()
    } else {
        text
    })
}

/// One line's inline marks removed.
fn inline(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if chars.get(i + 1).is_some_and(|n| n.is_ascii_punctuation()) => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '`' => {
                let run = run_length(&chars, i, '`');
                match closing_backticks(&chars, i + run, run) {
                    Some(close) => {
                        out.push_str(&code_span_text(&chars[i + run..close]));
                        i = close + run;
                    }
                    None => {
                        out.extend(&chars[i..i + run]);
                        i += run;
                    }
                }
            }
            '*' | '_' => {
                let run = run_length(&chars, i, c);
                let before = i.checked_sub(1).map(|b| chars[b]);
                let after = chars.get(i + run).copied();
                if !is_emphasis(c, run, before, after) {
                    out.extend(&chars[i..i + run]);
                }
                i += run;
            }
            '[' => match link(&chars, i) {
                Some((text, url, end)) => {
                    let text = inline(&text);
                    if text == url || url.is_empty() {
                        out.push_str(&text);
                    } else {
                        out.push_str(&format!("{text} ({url})"));
                    }
                    i = end;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            },
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn run_length(chars: &[char], start: usize, c: char) -> usize {
    chars[start..].iter().take_while(|&&x| x == c).count()
}

/// Where a run of exactly `run` backticks starts at or after `from`.
fn closing_backticks(chars: &[char], from: usize, run: usize) -> Option<usize> {
    let mut i = from;
    while i < chars.len() {
        if chars[i] == '`' {
            let length = run_length(chars, i, '`');
            if length == run {
                return Some(i);
            }
            i += length;
        } else {
            i += 1;
        }
    }
    None
}

/// A code span's text: one space on each side is padding (CommonMark).
fn code_span_text(inner: &[char]) -> String {
    let text: String = inner.iter().collect();
    let padded = text.len() >= 2 && text.starts_with(' ') && text.ends_with(' ');
    if padded && !text.trim().is_empty() {
        text[1..text.len() - 1].to_owned()
    } else {
        text
    }
}

/// Whether a run of `run` emphasis characters between `before` and `after`
/// opens or closes emphasis (CommonMark's flanking rules, simplified: a single
/// `*` inside a word, as in `2*3`, stays, and so does an `_` inside a word).
fn is_emphasis(mark: char, run: usize, before: Option<char>, after: Option<char>) -> bool {
    let space = |c: Option<char>| c.is_none_or(char::is_whitespace);
    let punctuation = |c: Option<char>| c.is_some_and(|c| c.is_ascii_punctuation());
    let left = !space(after) && (!punctuation(after) || space(before) || punctuation(before));
    let right = !space(before) && (!punctuation(before) || space(after) || punctuation(after));
    match mark {
        '_' => (left && !right) || (right && !left),
        _ => (left != right) || (left && right && run >= 2),
    }
}

/// A link `[text](url)` starting at `start`: its text, its url and where it ends.
fn link(chars: &[char], start: usize) -> Option<(String, String, usize)> {
    let mut depth = 0;
    let mut close = None;
    for (at, &c) in chars.iter().enumerate().skip(start) {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(at);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let end = chars[close + 2..].iter().position(|&c| c == ')')? + close + 2;
    let text: String = chars[start + 1..close].iter().collect();
    let target: String = chars[close + 2..end].iter().collect();
    // The url, without a title (`[t](url "title")`) or angle brackets.
    let url = target
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned();
    Some((text, url, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emphasis_and_code_spans_lose_their_marks() {
        assert_eq!(
            plain_text("**await** `null` in `inSwitch()`"),
            "await null in inSwitch()"
        );
        assert_eq!(
            plain_text("*Microtask tick N*: the N-th round"),
            "Microtask tick N: the N-th round"
        );
        assert_eq!(
            plain_text("**No rejection handler:** `p.then(…)`: if it fails"),
            "No rejection handler: p.then(…): if it fails"
        );
    }

    #[test]
    fn code_keeps_what_looks_like_markup() {
        assert_eq!(plain_text("`a ** b` and `x_y_z`"), "a ** b and x_y_z");
        assert_eq!(plain_text("`` `${x}` `` runs"), "`${x}` runs");
        // An unclosed backtick is a backtick.
        assert_eq!(plain_text("a ` b"), "a ` b");
    }

    #[test]
    fn prose_keeps_stars_and_underscores_that_mark_nothing() {
        assert_eq!(plain_text("2 * 3 and 2*3"), "2 * 3 and 2*3");
        assert_eq!(plain_text("snake_case_name"), "snake_case_name");
        assert_eq!(plain_text("_emphasis_ here"), "emphasis here");
        assert_eq!(plain_text(r"a \*literal\* star"), "a *literal* star");
    }

    #[test]
    fn headings_fences_links_and_lists() {
        assert_eq!(plain_text("# Title\n\nText"), "Title\n\nText");
        assert_eq!(plain_text("## Closed ##"), "Closed");
        assert_eq!(plain_text("#hashtag"), "#hashtag");
        assert_eq!(
            plain_text("Run:\n```js\nawait f();\n```\nthen"),
            "Run:\n    await f();\nthen"
        );
        assert_eq!(
            plain_text("see [the docs](https://example.com/x \"t\")"),
            "see the docs (https://example.com/x)"
        );
        assert_eq!(plain_text("[a] b"), "[a] b");
        assert_eq!(
            plain_text("Needed:\n- `parsed` (line 3)"),
            "Needed:\n- parsed (line 3)"
        );
    }

    #[test]
    fn the_preferred_declared_format_wins() {
        let client = |formats: serde_json::Value| -> ClientCapabilities {
            serde_json::from_value(serde_json::json!({
                "textDocument": { "hover": { "contentFormat": formats } }
            }))
            .unwrap()
        };
        assert_eq!(
            hover_format(&client(serde_json::json!(["plaintext"]))),
            Format::PlainText
        );
        assert_eq!(
            hover_format(&client(serde_json::json!(["plaintext", "markdown"]))),
            Format::PlainText
        );
        assert_eq!(
            hover_format(&client(serde_json::json!(["markdown", "plaintext"]))),
            Format::Markdown
        );
        assert_eq!(
            hover_format(&client(serde_json::json!([]))),
            Format::Markdown
        );
        assert_eq!(
            hover_format(&ClientCapabilities::default()),
            Format::Markdown
        );
    }
}
