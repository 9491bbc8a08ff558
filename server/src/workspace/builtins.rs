//! Node 24's built-in modules, as `require('module').builtinModules` lists them
//! (`tests/module_resolution.rs` checks the list against Node).

/// Built-ins reachable with or without the `node:` prefix.
pub const BUILTINS: &[&str] = &[
    "_http_agent",
    "_http_client",
    "_http_common",
    "_http_incoming",
    "_http_outgoing",
    "_http_server",
    "_stream_duplex",
    "_stream_passthrough",
    "_stream_readable",
    "_stream_transform",
    "_stream_wrap",
    "_stream_writable",
    "_tls_common",
    "_tls_wrap",
    "assert",
    "assert/strict",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "dns/promises",
    "domain",
    "events",
    "fs",
    "fs/promises",
    "http",
    "http2",
    "https",
    "inspector",
    "inspector/promises",
    "module",
    "net",
    "os",
    "path",
    "path/posix",
    "path/win32",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "readline/promises",
    "repl",
    "stream",
    "stream/consumers",
    "stream/promises",
    "stream/web",
    "string_decoder",
    "sys",
    "timers",
    "timers/promises",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "util/types",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

/// Built-ins reachable only as `node:<name>`: a bare `test` is a package.
pub const PREFIX_ONLY: &[&str] = &["sea", "sqlite", "test", "test/reporters"];

/// The built-in `specifier` names, without its `node:` prefix: `Ok(None)` when it
/// names none, `Err` for a `node:` name Node does not have (Node throws then).
pub fn builtin(specifier: &str) -> Result<Option<&str>, String> {
    if let Some(name) = specifier.strip_prefix("node:") {
        return if BUILTINS.contains(&name) || PREFIX_ONLY.contains(&name) {
            Ok(Some(name))
        } else {
            Err(format!("`{specifier}` is not a Node built-in module"))
        };
    }
    Ok(BUILTINS.contains(&specifier).then_some(specifier))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_only_builtins_need_the_prefix() {
        assert_eq!(builtin("node:test"), Ok(Some("test")));
        assert_eq!(builtin("test"), Ok(None));
        assert_eq!(builtin("fs/promises"), Ok(Some("fs/promises")));
        assert!(builtin("node:nope").is_err());
    }
}
