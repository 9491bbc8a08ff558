//! `ticklens.toml`: per-project rule levels, ignored paths and known-safe calls.
//!
//! ```toml
//! # Paths (globs, relative to this file) that `check` skips.
//! ignore = ["dist/**", "vendor/**"]
//! # Calls whose dropped promise is intended (floating-promise ignores them).
//! known-safe = ["logger.flush", "startBackgroundJob"]
//!
//! [rules]
//! sequential-awaits = "off"
//! floating-promise = "error"
//! # A rule that is off by default runs only when switched on: "on" (at its
//! # own severity) or a severity.
//! prefer-queue-microtask = "on"
//!
//! [runtime]
//! # The Node versions the code must run on, as an npm range. Without it, the
//! # `engines.node` range of the checked file's nearest `package.json` applies.
//! node = ">=8"
//! ```
//!
//! The file is found by walking up from the checked file; the nearest one wins.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::findings::Severity;

mod read;
mod runtime;

#[cfg(test)]
pub(crate) use read::SETTINGS;
pub use runtime::NodeRange;

pub const FILE_NAME: &str = "ticklens.toml";

/// What reading a config knows of the rules: their codes, and the page that
/// lists them (for a code that names none). Passed in as data, so that config
/// sits below the rules, which read it.
#[derive(Clone, Copy, Debug)]
pub struct KnownRules<'a> {
    pub codes: &'a [&'a str],
    pub index_url: &'a str,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    pub rules: BTreeMap<String, RuleLevel>,
    pub ignore: Vec<String>,
    pub known_safe: Vec<String>,
    /// The Node versions the code must run on: `[runtime] node`, else (filled
    /// in by whoever loads the config for a file, see
    /// [`Config::or_package_engines`]) the package's `engines.node`; `None`
    /// when neither says.
    pub node: Option<NodeRange>,
}

/// A rule's level: off, on (at the rule's own severity), or the severity it
/// reports at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Off,
    On,
    Hint,
    Info,
    Warning,
    Error,
}

impl RuleLevel {
    /// Every level with the name `ticklens.toml` gives it.
    pub const NAMED: [(&'static str, RuleLevel); 6] = [
        ("off", RuleLevel::Off),
        ("on", RuleLevel::On),
        ("hint", RuleLevel::Hint),
        ("info", RuleLevel::Info),
        ("warning", RuleLevel::Warning),
        ("error", RuleLevel::Error),
    ];

    /// The severity a rule whose own is `own` reports at, or `None` when off.
    pub fn severity(self, own: Severity) -> Option<Severity> {
        match self {
            RuleLevel::Off => None,
            RuleLevel::On => Some(own),
            RuleLevel::Hint => Some(Severity::Hint),
            RuleLevel::Info => Some(Severity::Info),
            RuleLevel::Warning => Some(Severity::Warning),
            RuleLevel::Error => Some(Severity::Error),
        }
    }
}

/// A `ticklens.toml` that cannot be used. Each problem carries its position, so
/// a user can go straight to it; all problems of a file are reported together.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{}: cannot read it: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", Problems(path, problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
}

/// One mistake in a config file, at a 1-based line and column (in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ConfigError {
    pub fn path(&self) -> &Path {
        match self {
            ConfigError::Read { path, .. } | ConfigError::Invalid { path, .. } => path,
        }
    }

    /// The same error naming the file relative to `base` when it lies under it,
    /// so that messages show `ticklens.toml`, not a long absolute path.
    pub fn relative_to(mut self, base: &Path) -> Self {
        let (ConfigError::Read { path, .. } | ConfigError::Invalid { path, .. }) = &mut self;
        if let Ok(relative) = path.strip_prefix(base) {
            *path = relative.to_owned();
        }
        self
    }

    /// One line per problem: `path:line:column: message`.
    pub fn lines(&self) -> Vec<String> {
        match self {
            ConfigError::Read { .. } => vec![self.to_string()],
            ConfigError::Invalid { path, problems } => problems
                .iter()
                .map(|p| format!("{}:{}:{}: {}", path.display(), p.line, p.column, p.message))
                .collect(),
        }
    }
}

struct Problems<'a>(&'a PathBuf, &'a [Problem]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.1.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(
                f,
                "{}:{}:{}: {}",
                self.0.display(),
                p.line,
                p.column,
                p.message
            )?;
        }
        Ok(())
    }
}

impl Config {
    /// Parses and validates a config text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path, known: KnownRules) -> Result<Config, ConfigError> {
        read::read(text, known).map_err(|problems| ConfigError::Invalid {
            path: path.to_owned(),
            problems,
        })
    }

    /// The nearest `ticklens.toml` at or above `start` (a file or a folder).
    pub fn find_file(start: &Path) -> Option<PathBuf> {
        let absolute = std::path::absolute(start).ok()?;
        absolute
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    /// Loads the config that applies to `start`, or the defaults when there is none.
    pub fn load_for(
        start: &Path,
        known: KnownRules,
    ) -> Result<(Option<PathBuf>, Config), ConfigError> {
        let Some(path) = Config::find_file(start) else {
            return Ok((None, Config::default()));
        };
        let config = Config::load(&path, known)?;
        Ok((Some(path), config))
    }

    /// Reads and validates the config file at `path`.
    pub fn load(path: &Path, known: KnownRules) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::parse(&text, path, known)
    }

    /// This config, with the Node range of the package's `engines.node`
    /// (`engines`, asked only when `[runtime] node` does not say) when it has
    /// none of its own. A range npm would not read says nothing.
    pub fn or_package_engines(mut self, engines: impl FnOnce() -> Option<String>) -> Config {
        if self.node.is_none() {
            self.node = engines().and_then(|range| NodeRange::parse(&range).ok());
        }
        self
    }

    /// The severity rule `code` reports at, or `None` when it is off: the
    /// level the config gives it, else its own severity `own` when it is
    /// `on_by_default`, else off (an opt-in rule the config does not name).
    pub fn severity_of(&self, code: &str, own: Severity, on_by_default: bool) -> Option<Severity> {
        match self.rules.get(code) {
            Some(level) => level.severity(own),
            None => on_by_default.then_some(own),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Some of the rules, for reading configs without the registry (which
    /// sits above config).
    pub(crate) const KNOWN: KnownRules = KnownRules {
        codes: &[
            "async-promise-executor",
            "await-in-loop",
            "floating-promise",
        ],
        index_url: "https://github.com/ticklens/ticklens/tree/main/docs/rules",
    };

    /// `text` read as a config named `t.toml`.
    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("t.toml"), KNOWN)
    }

    #[test]
    fn parses_levels_ignores_and_known_safe_calls() {
        let config = parse(
            "ignore = [\"dist/**\"]\nknown-safe = [\"jobs.start\"]\n[rules]\nasync-promise-executor = \"error\"\n",
        )
        .unwrap();
        assert_eq!(config.ignore, ["dist/**"]);
        assert_eq!(config.known_safe, ["jobs.start"]);
        assert_eq!(
            config.severity_of("async-promise-executor", Severity::Warning, true),
            Some(Severity::Error)
        );
    }

    #[test]
    fn unknown_rules_and_keys_are_clear_errors() {
        let err = parse("[rules]\nno-such-rule = \"off\"\n").unwrap_err();
        assert!(err.to_string().contains("no-such-rule"), "{err}");
        let err = parse("colour = true\n").unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
        let err = parse("[rules]\nasync-promise-executor = \"loud\"\n").unwrap_err();
        assert!(err.to_string().contains("t.toml"), "{err}");
    }

    #[test]
    fn off_turns_a_rule_off() {
        let config = parse("[rules]\nasync-promise-executor = \"off\"\n").unwrap();
        assert_eq!(
            config.severity_of("async-promise-executor", Severity::Warning, true),
            None
        );
    }

    #[test]
    fn a_rule_off_by_default_runs_only_when_switched_on() {
        let unnamed = parse("[rules]\nfloating-promise = \"error\"\n").unwrap();
        assert_eq!(
            unnamed.severity_of("await-in-loop", Severity::Hint, false),
            None
        );
        assert_eq!(
            unnamed.severity_of("await-in-loop", Severity::Hint, true),
            Some(Severity::Hint)
        );
        let on = parse("[rules]\nawait-in-loop = \"on\"\n").unwrap();
        assert_eq!(
            on.severity_of("await-in-loop", Severity::Hint, false),
            Some(Severity::Hint)
        );
        let warning = parse("[rules]\nawait-in-loop = \"warning\"\n").unwrap();
        assert_eq!(
            warning.severity_of("await-in-loop", Severity::Hint, false),
            Some(Severity::Warning)
        );
    }

    #[test]
    fn on_keeps_the_rules_own_severity() {
        let config = parse("[rules]\nfloating-promise = \"on\"\n").unwrap();
        assert_eq!(
            config.severity_of("floating-promise", Severity::Warning, true),
            Some(Severity::Warning)
        );
    }
}
