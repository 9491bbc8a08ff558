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
//! ```
//!
//! The file is found by walking up from the checked file; the nearest one wins.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::analysis::Severity;
use crate::rules;

pub const FILE_NAME: &str = "ticklens.toml";

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    #[serde(default)]
    pub rules: BTreeMap<String, RuleLevel>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub known_safe: Vec<String>,
}

/// A rule's level: off, or the severity it reports at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Off,
    Hint,
    Info,
    Warning,
    Error,
}

impl RuleLevel {
    pub fn severity(self) -> Option<Severity> {
        match self {
            RuleLevel::Off => None,
            RuleLevel::Hint => Some(Severity::Hint),
            RuleLevel::Info => Some(Severity::Info),
            RuleLevel::Warning => Some(Severity::Warning),
            RuleLevel::Error => Some(Severity::Error),
        }
    }
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Config {
    /// Parses and validates a config text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|err| ConfigError::Invalid {
            path: path.to_owned(),
            message: err.message().to_owned(),
        })?;
        if let Some(unknown) = config.rules.keys().find(|code| {
            !rules::ALL
                .iter()
                .any(|rule| rule.meta().code == code.as_str())
        }) {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                message: format!("[rules] names `{unknown}`, which is not a ticklens rule"),
            });
        }
        Ok(config)
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
    pub fn load_for(start: &Path) -> Result<(Option<PathBuf>, Config), ConfigError> {
        let Some(path) = Config::find_file(start) else {
            return Ok((None, Config::default()));
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let config = Config::parse(&text, &path)?;
        Ok((Some(path), config))
    }

    /// The severity rule `code` reports at, or `None` when it is off.
    pub fn severity_of(&self, code: &str, default: Severity) -> Option<Severity> {
        match self.rules.get(code) {
            Some(level) => level.severity(),
            None => Some(default),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_levels_ignores_and_known_safe_calls() {
        let config = Config::parse(
            "ignore = [\"dist/**\"]\nknown-safe = [\"jobs.start\"]\n[rules]\nasync-promise-executor = \"error\"\n",
            Path::new("ticklens.toml"),
        )
        .unwrap();
        assert_eq!(config.ignore, ["dist/**"]);
        assert_eq!(config.known_safe, ["jobs.start"]);
        assert_eq!(
            config.severity_of("async-promise-executor", Severity::Warning),
            Some(Severity::Error)
        );
    }

    #[test]
    fn unknown_rules_and_keys_are_clear_errors() {
        let err =
            Config::parse("[rules]\nno-such-rule = \"off\"\n", Path::new("t.toml")).unwrap_err();
        assert!(err.to_string().contains("no-such-rule"), "{err}");
        let err = Config::parse("colour = true\n", Path::new("t.toml")).unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
        let err = Config::parse(
            "[rules]\nasync-promise-executor = \"loud\"\n",
            Path::new("t.toml"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("t.toml"), "{err}");
    }

    #[test]
    fn off_turns_a_rule_off() {
        let config = Config::parse(
            "[rules]\nasync-promise-executor = \"off\"\n",
            Path::new("t"),
        )
        .unwrap();
        assert_eq!(
            config.severity_of("async-promise-executor", Severity::Warning),
            None
        );
    }
}
