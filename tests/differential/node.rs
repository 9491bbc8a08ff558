//! Finding Node 24 and running a script under it with a time limit.
//!
//! Node 24 is the oracle for the ordering engine. The machine's own `node` may be another version,
//! so it is never used: the binary comes from `TICKLENS_NODE`, or else from
//! `scripts/install-node.sh`, and must report `v24.x`. When neither gives one, callers fail with the
//! message from [`node_24`]; a test that needs the oracle never passes without it.

#![allow(dead_code)] // Each test crate that includes this uses a different part of it.

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

/// What one run of `node FILE` did.
#[derive(Clone, Debug)]
pub struct NodeRun {
    pub stdout: String,
    pub stderr: String,
    /// The exit code; `None` when killed (by a signal or the time limit).
    pub code: Option<i32>,
    pub timed_out: bool,
    pub elapsed: Duration,
}

impl NodeRun {
    /// A one-line summary of how the run ended, for reports.
    pub fn ending(&self) -> String {
        match (self.timed_out, self.code) {
            (true, _) => format!("killed after {:?}", self.elapsed),
            (false, Some(code)) => format!("exit {code}"),
            (false, None) => "killed by a signal".to_owned(),
        }
    }
}

/// The repository root (the folder above the `server` crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the server crate sits inside the repository")
        .to_path_buf()
}

/// The Node 24 binary, found once per test process; `Err` says why there is none.
pub fn node_24() -> Result<PathBuf, String> {
    static NODE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    NODE.get_or_init(find_node_24).clone()
}

/// Like [`node_24`], but panics with the reason: for tests, which must fail without the oracle.
pub fn require_node_24() -> PathBuf {
    match node_24() {
        Ok(path) => path,
        Err(reason) => panic!(
            "Node 24 is required as the oracle and could not be had: {reason}\n\
             Set TICKLENS_NODE to a Node 24 binary, or make `scripts/install-node.sh` work \
             (it needs npm and the npm registry)."
        ),
    }
}

fn find_node_24() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("TICKLENS_NODE").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        check_version(&path).map_err(|e| format!("TICKLENS_NODE={}: {e}", path.display()))?;
        return Ok(path);
    }
    let script = repo_root().join("scripts/install-node.sh");
    let output = Command::new("bash")
        .arg(&script)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} failed ({}):\n{}",
            script.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout
        .lines()
        .last()
        .ok_or_else(|| format!("{} printed no path", script.display()))?;
    let path = PathBuf::from(last.trim());
    check_version(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

fn check_version(node: &Path) -> Result<(), String> {
    let output = Command::new(node)
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run it: {e}"))?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if version.starts_with("v24.") {
        Ok(())
    } else {
        Err(format!("it reports `{version}`, not v24.x"))
    }
}

/// Runs `node script` in the script's folder, killing it after `limit`.
///
/// The outputs are read on their own threads and handed back over a channel, so the wait ends as
/// soon as Node closes them (it exits) or the limit passes, without polling.
pub fn run_node(node: &Path, script: &Path, limit: Duration) -> NodeRun {
    run_node_with(node, &[], script, limit)
}

/// Like [`run_node`], with `options` (such as `--require PRELOAD`) before the script.
pub fn run_node_with(node: &Path, options: &[&OsStr], script: &Path, limit: Duration) -> NodeRun {
    let started = Instant::now();
    let mut command = Command::new(node);
    command
        .args(options)
        .arg(script)
        .env_remove("NODE_OPTIONS")
        .env_remove("NODE_PATH")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = script.parent() {
        command.current_dir(dir);
    }
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            return NodeRun {
                stdout: String::new(),
                stderr: format!("cannot start {}: {e}", node.display()),
                code: None,
                timed_out: false,
                elapsed: started.elapsed(),
            }
        }
    };
    let (tx, rx) = mpsc::channel();
    let pipes: [(bool, Box<dyn Read + Send>); 2] = [
        (
            true,
            Box::new(child.stdout.take().expect("stdout is piped")),
        ),
        (
            false,
            Box::new(child.stderr.take().expect("stderr is piped")),
        ),
    ];
    for (is_stdout, mut pipe) in pipes {
        let tx = tx.clone();
        thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            let _ = tx.send((is_stdout, bytes));
        });
    }
    drop(tx);
    let deadline = started + limit;
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let mut timed_out = false;
    for _ in 0..2 {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((true, bytes)) => stdout = bytes,
            Ok((false, bytes)) => stderr = bytes,
            Err(_) => {
                timed_out = true;
                break;
            }
        }
    }
    if timed_out {
        let _ = child.kill();
        // The pipes close once Node is dead; take what it printed before.
        while let Ok((is_stdout, bytes)) = rx.recv_timeout(Duration::from_secs(5)) {
            if is_stdout {
                stdout = bytes;
            } else {
                stderr = bytes;
            }
        }
    }
    let status = child.wait().ok();
    NodeRun {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        code: if timed_out {
            None
        } else {
            status.and_then(|s| s.code())
        },
        timed_out,
        elapsed: started.elapsed(),
    }
}
