//! Splitting the client's byte stream into messages, tolerant of misbehaving clients.
//!
//! tower-lsp-server (as tower-lsp 0.20 before it) reads stdin through a
//! tokio-util `FramedRead`, which ends the stream after the first message its
//! codec cannot decode: one malformed body, one bad `Content-Length`, one body
//! that is not UTF-8 and the server would stop reading and exit. So the server
//! reads stdin itself: [`Framer`] splits the bytes into messages, parses each
//! body once into the JSON-RPC [`Message`] the service takes, answers the
//! broken ones as JSON-RPC says (`-32700` Parse error or `-32600` Invalid
//! Request), and skips garbage up to the next header. [`super::transport`]
//! hands the parsed messages to the service.

use std::ops::Range;

use memchr::memmem;
use serde::Deserialize;

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Request, Response};

/// A header block longer than this is not a header block.
const MAX_HEADER_BYTES: usize = 8 * 1024;
/// A larger declared body is treated as a broken header, not awaited.
const MAX_BODY_BYTES: usize = 1 << 30;
/// Header names a header block can start with (LSP defines no others).
const HEADER_STARTS: [&[u8]; 2] = [b"content-length:", b"content-type:"];
/// Bytes kept while skipping garbage, in case they begin a header: the longest
/// `Content-Length:` line [`strong_header_at`] accepts, minus one.
const MAX_MARKER_BYTES: usize = 15 + 8 + 20 + 2;

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

/// A JSON-RPC message from the client, parsed once.
#[derive(Debug, PartialEq)]
pub enum Message {
    /// A request or a notification, for the service.
    Request(Request),
    /// The client's answer to a request of ours.
    Response(Response),
}

/// What the framer made of the next bytes of input.
#[derive(Debug, PartialEq)]
pub enum Incoming {
    /// A well-formed JSON-RPC message.
    Message(Message),
    /// A broken message, and the error response it gets.
    Rejected(Rejection),
    /// Bytes that were not part of any message, skipped without an answer.
    Skipped(usize),
}

#[derive(Debug, PartialEq)]
pub struct Rejection {
    /// The request's id when it could be read, else null (JSON-RPC 2.0 §5).
    pub id: Value,
    pub code: i64,
    pub message: String,
}

impl Rejection {
    fn parse_error(message: String) -> Self {
        Self {
            id: Value::Null,
            code: PARSE_ERROR,
            message,
        }
    }

    /// The response frame sent to the client.
    pub fn frame(&self) -> Vec<u8> {
        let body = serde_json::json!({
            "jsonrpc": "2.0",
            "id": self.id,
            "error": { "code": self.code, "message": self.message },
        });
        frame(body.to_string().as_bytes())
    }
}

/// `Content-Length: N\r\n\r\n` + body.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(body);
    frame
}

/// Splits a byte stream into LSP messages, recovering from broken framing.
///
/// A header block starts with `Content-Length:` or `Content-Type:` (any case)
/// and ends with an empty line; the body is `Content-Length` bytes. Anything
/// else between messages is skipped up to the next `Content-Length: <digits>\r\n`
/// line, a byte sequence that cannot occur inside a JSON text (a JSON string
/// holds no raw line break, and the letters are no JSON token outside one). The
/// same sequence inside a declared body means the body runs into the next
/// message: its `Content-Length` was too long, and the next message is kept.
#[derive(Default)]
pub struct Framer {
    buf: Vec<u8>,
    /// Bytes of `buf` already consumed.
    pos: usize,
    /// The header of the message being read, once complete.
    pending: Option<PendingBody>,
}

#[derive(Clone, Copy)]
struct PendingBody {
    header_len: usize,
    body_len: usize,
    /// Where the search for a next header inside the body resumes.
    scanned: usize,
}

impl Framer {
    pub fn push(&mut self, bytes: &[u8]) {
        if self.pos > 0 {
            // Once per read, not per message: keeps splitting linear.
            // Offsets in `pending` are relative to `pos`, so they stay valid.
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes received but not yet part of a whole message.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next message, rejection or skipped run; `None` until more bytes arrive.
    pub fn next_incoming(&mut self) -> Option<Incoming> {
        let data = &self.buf[self.pos..];
        if data.is_empty() {
            return None;
        }
        if let Some(pending) = self.pending {
            return self.next_body(pending);
        }
        if !starts_with_header(data) {
            if is_prefix_of_header_start(data) {
                return None;
            }
            // Skip to the next header; without one, keep a tail that may be its start.
            let skip = find_strong_header(data, 1)
                .unwrap_or_else(|| data.len().saturating_sub(MAX_MARKER_BYTES - 1));
            if skip == 0 {
                return None;
            }
            self.pos += skip;
            return Some(Incoming::Skipped(skip));
        }
        let Some(end) = memmem::find(data, b"\r\n\r\n") else {
            if data.len() <= MAX_HEADER_BYTES {
                return None;
            }
            let skip = find_strong_header(data, 1).unwrap_or(data.len());
            self.pos += skip;
            return Some(Incoming::Rejected(Rejection::parse_error(format!(
                "no end of the header block within {MAX_HEADER_BYTES} bytes"
            ))));
        };
        let header_len = end + 4;
        match content_length(&data[..end]) {
            Ok(body_len) => {
                self.pending = Some(PendingBody {
                    header_len,
                    body_len,
                    scanned: header_len,
                });
                self.next_body(self.pending.expect("just set"))
            }
            Err(reason) => {
                // The body that followed, if any, is skipped as garbage.
                self.pos += header_len;
                Some(Incoming::Rejected(Rejection::parse_error(reason)))
            }
        }
    }

    fn next_body(&mut self, mut pending: PendingBody) -> Option<Incoming> {
        let data = &self.buf[self.pos..];
        let body = pending.header_len..pending.header_len + pending.body_len;
        let available = &data[..data.len().min(body.end)];
        if let Some(at) = find_strong_header(available, pending.scanned) {
            self.pos += at;
            self.pending = None;
            return Some(Incoming::Rejected(Rejection::parse_error(format!(
                "Content-Length {} is longer than the message: the next header starts \
                 {} bytes into the body",
                pending.body_len,
                at - pending.header_len
            ))));
        }
        if data.len() < body.end {
            pending.scanned = data
                .len()
                .saturating_sub(MAX_MARKER_BYTES)
                .max(pending.header_len);
            self.pending = Some(pending);
            return None;
        }
        self.pending = None;
        let bytes = &data[body.clone()];
        let outcome = match classify(bytes) {
            Ok(message) => Incoming::Message(message),
            Err(rejection) => {
                if let Some(value_end) = overrun_into_header(bytes) {
                    // A slightly too long Content-Length took the start of the
                    // next header: give those bytes back.
                    self.pos += body.start + value_end;
                    return Some(Incoming::Rejected(Rejection::parse_error(format!(
                        "Content-Length {} is longer than the message ({value_end} bytes)",
                        pending.body_len
                    ))));
                }
                Incoming::Rejected(rejection)
            }
        };
        self.pos += body.end;
        Some(outcome)
    }
}

/// The message a body holds, or the error response it gets. The text is
/// parsed once, into a JSON value; the message is then taken from that value
/// (its strings moved, not copied), so a 3 MB `didOpen` is not parsed again.
fn classify(body: &[u8]) -> Result<Message, Rejection> {
    let text = std::str::from_utf8(body).map_err(|error| {
        Rejection::parse_error(format!(
            "the body is not UTF-8 (invalid byte at offset {})",
            error.valid_up_to()
        ))
    })?;
    // Syntax first: `[1, 2` must be a parse error, not "not a request".
    let value = serde_json::from_str::<Value>(text)
        .map_err(|error| Rejection::parse_error(format!("the body is not JSON: {error}")))?;
    let id = value
        .get("id")
        .filter(|id| id.is_i64() || id.is_u64() || id.is_string())
        .cloned()
        .unwrap_or(Value::Null);
    // tower-lsp-server reads a body as a response first, then as a request; a
    // response needs `result` or `error`, so only such a body is tried as one.
    if value.get("result").is_some() || value.get("error").is_some() {
        if let Ok(response) = Response::deserialize(&value) {
            return Ok(Message::Response(response));
        }
    }
    Request::deserialize(value)
        .map(Message::Request)
        .map_err(|_| Rejection {
            id,
            code: INVALID_REQUEST,
            message: "not a JSON-RPC 2.0 request, notification or response".to_owned(),
        })
}

/// When the body is one JSON value followed by the start of a header, where the
/// value ends.
fn overrun_into_header(body: &[u8]) -> Option<usize> {
    let mut values =
        serde_json::Deserializer::from_slice(body).into_iter::<serde::de::IgnoredAny>();
    values.next()?.ok()?;
    let end = values.byte_offset();
    let rest = body[end..].trim_ascii_start();
    let starts_header = !rest.is_empty()
        && HEADER_STARTS.iter().any(|start| {
            let n = rest.len().min(start.len());
            rest[..n].eq_ignore_ascii_case(&start[..n])
        });
    starts_header.then_some(end + (body.len() - end - rest.len()))
}

/// The `Content-Length` of a header block (without its final empty line).
fn content_length(block: &[u8]) -> Result<usize, String> {
    let block = std::str::from_utf8(block).map_err(|_| "a header is not UTF-8".to_owned())?;
    let mut length = None;
    for line in block.split("\r\n") {
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!("not a header line: {line:?}"));
        };
        if !name.eq_ignore_ascii_case("content-length") {
            continue;
        }
        let value = value.trim();
        let parsed = value
            .parse::<usize>()
            .ok()
            .filter(|_| value.bytes().all(|b| b.is_ascii_digit()))
            .filter(|&n| n <= MAX_BODY_BYTES)
            .ok_or_else(|| format!("Content-Length is not a byte count: {value:?}"))?;
        if length.is_some_and(|seen| seen != parsed) {
            return Err("two Content-Length headers disagree".to_owned());
        }
        length = Some(parsed);
    }
    length.ok_or_else(|| "the header block has no Content-Length".to_owned())
}

fn starts_with_header(data: &[u8]) -> bool {
    HEADER_STARTS
        .iter()
        .any(|start| data.len() >= start.len() && data[..start.len()].eq_ignore_ascii_case(start))
}

fn is_prefix_of_header_start(data: &[u8]) -> bool {
    HEADER_STARTS
        .iter()
        .any(|start| data.len() < start.len() && start[..data.len()].eq_ignore_ascii_case(data))
}

/// The first `Content-Length:[ \t]*<digits>\r\n` at or after `from`.
fn find_strong_header(data: &[u8], from: usize) -> Option<usize> {
    let marker = HEADER_STARTS[0];
    let mut at = from;
    while at + marker.len() <= data.len() {
        let candidate = find_ignore_case(data, marker, at)?;
        if strong_header_at(data, candidate).is_some() {
            return Some(candidate);
        }
        at = candidate + 1;
    }
    None
}

/// The line's extent when a `Content-Length` line with digits starts at `at`.
fn strong_header_at(data: &[u8], at: usize) -> Option<Range<usize>> {
    let mut i = at + HEADER_STARTS[0].len();
    let spaces = data[i..]
        .iter()
        .take(8)
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    i += spaces;
    let digits = data[i..]
        .iter()
        .take(20)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 {
        return None;
    }
    i += digits;
    data[i..].starts_with(b"\r\n").then_some(at..i + 2)
}

/// `needle` (ASCII) in any case, at or after `from`: candidates are found by
/// their first letter in either case (`memchr2`), then compared whole.
fn find_ignore_case(data: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = needle[0];
    let mut i = from;
    while i + needle.len() <= data.len() {
        let offset = memchr::memchr2(
            first.to_ascii_lowercase(),
            first.to_ascii_uppercase(),
            &data[i..=data.len() - needle.len()],
        )?;
        i += offset;
        if data[i..i + needle.len()].eq_ignore_ascii_case(needle) {
            return Some(i);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(framer: &mut Framer) -> Vec<Incoming> {
        std::iter::from_fn(|| framer.next_incoming()).collect()
    }

    fn framed(body: &str) -> Vec<u8> {
        frame(body.as_bytes())
    }

    const NOTE: &str = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;

    fn message() -> Incoming {
        Incoming::Message(classify(NOTE.as_bytes()).expect("a notification"))
    }

    fn is_parse_error(incoming: &Incoming) -> bool {
        matches!(incoming, Incoming::Rejected(r) if r.code == PARSE_ERROR && r.id.is_null())
    }

    /// Feeds `bytes` in two reads split at `split`; what came out, and the framer.
    fn split_read(bytes: &[u8], split: usize) -> (Vec<Incoming>, Framer) {
        let mut framer = Framer::default();
        framer.push(&bytes[..split]);
        let mut got = all(&mut framer);
        framer.push(&bytes[split..]);
        got.extend(all(&mut framer));
        (got, framer)
    }

    #[test]
    fn messages_split_across_reads_come_out_whole() {
        let mut bytes = framed(NOTE);
        bytes.extend(framed(NOTE));
        for split in 0..bytes.len() {
            let (got, framer) = split_read(&bytes, split);
            assert_eq!(got, [message(), message()], "split at {split}");
            assert_eq!(framer.buffered(), 0);
        }
    }

    #[test]
    fn a_too_long_content_length_gives_the_next_message_back() {
        for extra in [1, 5, 14, 15, 30, 500] {
            let mut bytes =
                format!("Content-Length: {}\r\n\r\n{NOTE}", NOTE.len() + extra).into_bytes();
            bytes.extend(framed(NOTE));
            bytes.extend(vec![b' '; 600]);
            let mut framer = Framer::default();
            framer.push(&bytes);
            let got = all(&mut framer);
            assert!(is_parse_error(&got[0]), "{extra}: {got:?}");
            assert_eq!(got[1], message(), "{extra}: {got:?}");
        }
    }

    #[test]
    fn garbage_is_skipped_up_to_the_next_header() {
        let mut framer = Framer::default();
        let mut bytes = b"xx}\r\nContent-Length: nope".to_vec();
        bytes.extend(framed(NOTE));
        framer.push(&bytes);
        let got = all(&mut framer);
        assert!(matches!(got[0], Incoming::Skipped(_)), "{got:?}");
        assert_eq!(got.last(), Some(&message()), "{got:?}");
        assert!(got.iter().all(|g| !matches!(g, Incoming::Rejected(_))));
    }

    #[test]
    fn a_header_split_inside_garbage_is_still_found() {
        let mut bytes = b"garbage garbage ".to_vec();
        bytes.extend(framed(NOTE));
        for split in 0..bytes.len() {
            let (got, _) = split_read(&bytes, split);
            assert_eq!(got.last(), Some(&message()), "split at {split}: {got:?}");
        }
    }

    #[test]
    fn bodies_that_are_not_messages_are_rejected_with_the_id_when_readable() {
        let mut framer = Framer::default();
        framer.push(&framed(r#"{"jsonrpc":"2.0","id":7,"method":5}"#));
        framer.push(&framed("{\"a\":\"\u{e9}\"")); // unterminated
        framer.push(&frame(b"{\"x\":\"\xe9\"}"));
        let got = all(&mut framer);
        assert!(matches!(&got[0], Incoming::Rejected(r) if r.code == INVALID_REQUEST && r.id == 7));
        assert!(is_parse_error(&got[1]));
        assert!(matches!(&got[2], Incoming::Rejected(r) if r.message.contains("UTF-8")));
    }

    #[test]
    fn bodies_are_parsed_into_the_message_they_hold() {
        let mut framer = Framer::default();
        framer.push(&framed(r#"{"jsonrpc":"2.0","id":3,"result":null}"#));
        framer.push(&framed(
            r#"{"jsonrpc":"2.0","id":4,"method":"shutdown","params":null}"#,
        ));
        framer.push(&framed(
            r#"{"jsonrpc":"2.0","id":5,"error":{"code":-1,"message":"no"}}"#,
        ));
        let got = all(&mut framer);
        assert!(
            matches!(&got[0], Incoming::Message(Message::Response(r)) if r.is_ok()),
            "{got:?}"
        );
        assert!(
            matches!(&got[1], Incoming::Message(Message::Request(r))
                if r.method() == "shutdown" && r.params() == Some(&Value::Null)),
            "{got:?}"
        );
        assert!(
            matches!(&got[2], Incoming::Message(Message::Response(r)) if r.is_error()),
            "{got:?}"
        );
    }

    #[test]
    fn the_marker_never_matches_inside_a_json_document() {
        // Document text that talks about headers, in a message body.
        let body = serde_json::json!({
            "jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": { "text": "res.write('Content-Length: 12\\r\\n\\r\\n');\r\nContent-Length: 5\r\n" }
        })
        .to_string();
        let mut framer = Framer::default();
        framer.push(&framed(&body));
        let got = all(&mut framer);
        assert!(
            matches!(&got[..], [Incoming::Message(Message::Request(r))]
                if r.method() == "textDocument/didOpen"),
            "{got:?}"
        );
    }
}
