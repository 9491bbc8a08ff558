//! A minimal LSP client for end-to-end tests: spawns the real `ticklens lsp`
//! binary and speaks JSON-RPC to it over stdio, as an editor does.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long any single wait may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct LspClient {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Messages received while waiting for something else.
    backlog: VecDeque<Value>,
    next_id: i64,
}

impl LspClient {
    pub fn spawn() -> Self {
        Self::spawn_with_env(&[])
    }

    pub fn spawn_with_env(env: &[(&str, &str)]) -> Self {
        Self::spawn_with(env, Stdio::null())
    }

    /// Like [`LspClient::spawn_with_env`], with the server's log (stderr) in `log`.
    #[allow(dead_code)]
    pub fn spawn_logging_to(env: &[(&str, &str)], log: &std::path::Path) -> Self {
        let file = std::fs::File::create(log).expect("create the server log");
        Self::spawn_with(env, Stdio::from(file))
    }

    fn spawn_with(env: &[(&str, &str)], stderr: Stdio) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ticklens"));
        command
            .args(["lsp", "--stdio"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr);
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("spawn ticklens lsp");
        let stdout = child.stdout.take().expect("stdout");
        let stdin = child.stdin.take();
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            stdin,
            incoming,
            backlog: VecDeque::new(),
            next_id: 1,
        }
    }

    /// The server's process id (benches read its memory from `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Writes raw bytes to the server, for protocol-abuse tests.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write to server");
        stdin.flush().expect("flush");
    }

    /// Frames `body` with its true `Content-Length` and sends it as is: for bodies
    /// that are not JSON, not UTF-8, or not a JSON-RPC message.
    pub fn send_frame(&mut self, body: &[u8]) {
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(body);
        self.send_raw(&frame);
    }

    /// Takes the messages received so far but not yet waited for.
    pub fn take_backlog(&mut self) -> Vec<Value> {
        while let Ok(message) = self.incoming.try_recv() {
            self.backlog.push_back(message);
        }
        self.backlog.drain(..).collect()
    }

    /// Waits for the response with this `id` (a number, a string or null).
    pub fn response(&mut self, id: &Value) -> Value {
        self.wait_for(|m| m.get("id") == Some(id) && m.get("method").is_none())
    }

    /// Hands the server's stdin to the caller (e.g. a writer thread); write
    /// complete frames ([`frame`]) to it. [`LspClient::restore_stdin`] gives it back.
    pub fn take_stdin(&mut self) -> ChildStdin {
        self.stdin.take().expect("stdin open")
    }

    pub fn restore_stdin(&mut self, stdin: ChildStdin) {
        self.stdin = Some(stdin);
    }

    /// The next message from the server (the backlog first), or `None` when
    /// nothing arrives within `timeout`.
    pub fn next_message(&mut self, timeout: Duration) -> Option<Value> {
        if let Some(message) = self.backlog.pop_front() {
            return Some(message);
        }
        match self.incoming.recv_timeout(timeout) {
            Ok(message) => Some(message),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => panic!("server closed its output"),
        }
    }

    /// Closes the server's stdin, as an editor that dies does.
    pub fn close_stdin(&mut self) {
        self.stdin.take();
    }

    pub fn send(&mut self, message: &Value) {
        self.send_raw(&frame(message));
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        let mut message = json!({ "jsonrpc": "2.0", "method": method });
        if !params.is_null() {
            message["params"] = params;
        }
        self.send(&message);
    }

    /// Sends a request and returns its id without waiting.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({ "jsonrpc": "2.0", "id": id, "method": method });
        if !params.is_null() {
            message["params"] = params;
        }
        self.send(&message);
        id
    }

    /// Sends a request and waits for its response (the whole response object).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
    }

    /// Sends a request and returns its `result`, failing the test on an error.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    /// Waits for the first message satisfying `predicate`; earlier ones are kept.
    pub fn wait_for(&mut self, predicate: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&predicate) {
            return self.backlog.remove(i).expect("index in range");
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(message) if predicate(&message) => return message,
                Ok(message) if message.get("id").is_some() && message.get("method").is_some() => {
                    // A request from the server (e.g. client/registerCapability): answer it.
                    let reply = json!({ "jsonrpc": "2.0", "id": message["id"], "result": null });
                    self.send(&reply);
                    self.backlog.push_back(message);
                }
                Ok(message) => self.backlog.push_back(message),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("timed out; received meanwhile: {:#?}", self.backlog)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("server closed its output; received: {:#?}", self.backlog)
                }
            }
        }
    }

    /// Waits for `publishDiagnostics` for `uri` at `version`; returns the diagnostics.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let message = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn initialize(&mut self, capabilities: Value) -> Value {
        self.initialize_with_options(capabilities, Value::Null)
    }

    /// Like [`LspClient::initialize`], with every rule switched on in the
    /// editor's settings (those off by default too, at their own severity).
    pub fn initialize_with_every_rule_on(&mut self, capabilities: Value) -> Value {
        let every_rule_on: serde_json::Map<String, Value> = ticklens::rules::ALL
            .iter()
            .map(|rule| (rule.meta().code.to_owned(), json!("on")))
            .collect();
        self.initialize_with_options(capabilities, json!({ "rules": every_rule_on }))
    }

    /// Like [`LspClient::initialize`], with the editor's settings as
    /// `initializationOptions`.
    pub fn initialize_with_options(&mut self, capabilities: Value, options: Value) -> Value {
        let result = self.call(
            "initialize",
            json!({
                "processId": null, "rootUri": null, "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": uri, "languageId": "javascript", "version": 1, "text": text
            }}),
        );
    }

    pub fn change(&mut self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        );
    }

    pub fn hover(&mut self, uri: &str, line: u32, character: u32) -> Value {
        self.call(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
        )
    }

    /// `shutdown` then `exit`; returns the process's exit status. Stdin stays
    /// open: the server must exit on `exit` alone, as the protocol says.
    pub fn shutdown_and_exit(mut self) -> ExitStatus {
        self.call("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    /// Waits for the process to exit (stdin stays open).
    pub fn wait_exit(mut self) -> ExitStatus {
        let _stdin = self.stdin.take();
        let mut child = std::mem::replace(
            &mut self.child,
            Command::new("true")
                .spawn()
                .expect("spawn a placeholder process"),
        );
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait());
        });
        rx.recv_timeout(TIMEOUT)
            .expect("server did not exit in time")
            .expect("wait for server")
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A message as it goes on the wire: `Content-Length` header and JSON body.
pub fn frame(message: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(message).expect("serialize");
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(&body);
    frame
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some(value) = header.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// Applies LSP text edits (from a `WorkspaceEdit`'s `documentChanges`) to `text`.
/// Positions are UTF-16; the tests that use this keep their text ASCII-only
/// where edits land, so character and byte columns agree there.
pub fn apply_workspace_edit(text: &str, edit: &Value) -> String {
    let mut edits: Vec<(usize, usize, String)> = edit["documentChanges"][0]["edits"]
        .as_array()
        .expect("documentChanges edits")
        .iter()
        .map(|e| {
            let offset = |pos: &Value| {
                let line = pos["line"].as_u64().unwrap() as usize;
                let character = pos["character"].as_u64().unwrap() as usize;
                let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
                line_start + character
            };
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    edits.sort_by_key(|(start, _, _)| std::cmp::Reverse(*start));
    let mut out = text.to_owned();
    for (start, end, new_text) in edits {
        out.replace_range(start..end, &new_text);
    }
    out
}
