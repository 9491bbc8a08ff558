//! Reads `ticklens.toml` from its TOML tree, keeping each key's and value's
//! position, so that every mistake is reported where it is, in ticklens's own
//! words, with a "did you mean" for a misspelt setting, rule or level. All the
//! mistakes of a file are collected, not only the first.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::{Config, KnownRules, NodeRange, Problem, RuleLevel};
use crate::suggest;

/// The top-level settings, as a user would write them.
pub(crate) const SETTINGS: [&str; 4] = ["ignore", "known-safe", "rules", "runtime"];

pub(super) fn read(text: &str, known: KnownRules) -> Result<Config, Vec<Problem>> {
    let mut reader = Reader {
        text,
        known,
        problems: Vec::new(),
    };
    let table = match DeTable::parse(text) {
        Ok(table) => table.into_inner(),
        Err(error) => {
            let at = error.span().unwrap_or(0..0);
            reader.problem(
                at,
                format!("this is not valid TOML: {}", error.message().trim_end()),
            );
            return Err(reader.problems);
        }
    };
    let mut config = Config::default();
    for (key, value) in &table {
        let name: &str = key.get_ref();
        match name {
            "rules" => reader.rules(value, &mut config),
            "runtime" => reader.runtime(value, &mut config),
            "ignore" => {
                config.ignore =
                    reader.strings(key, value, "a list of globs, like `ignore = [\"dist/**\"]`")
            }
            "known-safe" => {
                config.known_safe = reader.strings(
                    key,
                    value,
                    "a list of call names, like `known-safe = [\"logger.flush\"]`",
                )
            }
            unknown => {
                let message = match suggest::closest(unknown, SETTINGS) {
                    Some(near) => format!("unknown setting `{unknown}`: did you mean `{near}`?"),
                    None => format!(
                        "unknown setting `{unknown}`: the settings are `ignore`, `known-safe`, `[rules]` and `[runtime]`"
                    ),
                };
                reader.problem(key.span(), message);
            }
        }
    }
    if reader.problems.is_empty() {
        Ok(config)
    } else {
        // The table is keyed in name order; the user reads the file top down.
        reader.problems.sort_by_key(|p| (p.line, p.column));
        Err(reader.problems)
    }
}

struct Reader<'t> {
    text: &'t str,
    known: KnownRules<'t>,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn problem(&mut self, at: Range<usize>, message: String) {
        let start = at.start.min(self.text.len());
        let before = self.text.get(..start).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        self.problems.push(Problem {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
            message,
        });
    }

    /// `[rules]`: each key a rule code, each value a level.
    fn rules(&mut self, value: &Spanned<DeValue>, config: &mut Config) {
        let DeValue::Table(table) = value.get_ref() else {
            self.problem(
                value.span(),
                "`rules` must be a table: a `[rules]` line, then `rule-name = \"level\"` lines"
                    .to_owned(),
            );
            return;
        };
        let known = self.known;
        let codes = || known.codes.iter().copied();
        for (key, level) in table {
            let code: &str = key.get_ref();
            if !codes().any(|known| known == code) {
                let message = match suggest::closest(code, codes()) {
                    Some(near) => format!("unknown rule `{code}`: did you mean `{near}`?"),
                    None => format!(
                        "unknown rule `{code}`: the rules are listed at {}",
                        known.index_url
                    ),
                };
                self.problem(key.span(), message);
                continue;
            }
            if let Some(level) = self.level(code, level) {
                config.rules.insert(code.to_owned(), level);
            }
        }
    }

    /// `[runtime]`: `node`, an npm range of the Node versions the code runs on.
    fn runtime(&mut self, value: &Spanned<DeValue>, config: &mut Config) {
        let DeValue::Table(table) = value.get_ref() else {
            self.problem(
                value.span(),
                "`runtime` must be a table: a `[runtime]` line, then `node = \">=18\"`".to_owned(),
            );
            return;
        };
        for (key, range) in table {
            let name: &str = key.get_ref();
            if name != "node" {
                self.problem(
                    key.span(),
                    format!("unknown runtime setting `{name}`: the only one is `node`"),
                );
                continue;
            }
            let DeValue::String(text) = range.get_ref() else {
                self.problem(
                    range.span(),
                    "`node` must be an npm version range in quotes, like `node = \">=18\"`"
                        .to_owned(),
                );
                continue;
            };
            match NodeRange::parse(text) {
                Ok(node) => config.node = Some(node),
                Err(error) => self.problem(
                    range.span(),
                    format!("`{text}` is not an npm version range ({error}), like `>=18`"),
                ),
            }
        }
    }

    fn level(&mut self, code: &str, value: &Spanned<DeValue>) -> Option<RuleLevel> {
        let names = || RuleLevel::NAMED.iter().map(|(name, _)| *name);
        let choices = "use off, on, hint, info, warning or error";
        let DeValue::String(typed) = value.get_ref() else {
            self.problem(
                value.span(),
                format!("the level of `{code}` must be a string: {choices}, in quotes"),
            );
            return None;
        };
        let typed: &str = typed;
        if let Some((_, level)) = RuleLevel::NAMED.iter().find(|(name, _)| *name == typed) {
            return Some(*level);
        }
        let message = match suggest::closest(typed, names()) {
            Some(near) => format!("unknown level `{typed}` for `{code}`: did you mean `{near}`?"),
            None => format!("unknown level `{typed}` for `{code}`: {choices}"),
        };
        self.problem(value.span(), message);
        None
    }

    /// A list of strings; `shape` says what the setting holds, for the message.
    fn strings(
        &mut self,
        key: &Spanned<std::borrow::Cow<str>>,
        value: &Spanned<DeValue>,
        shape: &str,
    ) -> Vec<String> {
        let name = key.get_ref();
        let DeValue::Array(items) = value.get_ref() else {
            self.problem(value.span(), format!("`{name}` must be {shape}"));
            return Vec::new();
        };
        let mut strings = Vec::new();
        for item in items {
            match item.get_ref() {
                DeValue::String(text) => strings.push(text.to_string()),
                _ => self.problem(
                    item.span(),
                    format!("every entry of `{name}` must be a string, in quotes"),
                ),
            }
        }
        strings
    }
}

#[cfg(test)]
mod tests {
    use super::read;
    use crate::config::tests::KNOWN;

    /// `line:column: message` of each problem.
    fn problems(text: &str) -> Vec<String> {
        read(text, KNOWN)
            .unwrap_err()
            .into_iter()
            .map(|p| format!("{}:{}: {}", p.line, p.column, p.message))
            .collect()
    }

    #[test]
    fn a_misspelt_rule_is_placed_on_its_key_with_a_suggestion() {
        assert_eq!(
            problems("[rules]\nfloating-promises = \"off\"\n"),
            ["2:1: unknown rule `floating-promises`: did you mean `floating-promise`?"]
        );
    }

    #[test]
    fn a_misspelt_level_is_placed_on_its_value() {
        assert_eq!(
            problems("[rules]\nfloating-promise = \"eror\"\n"),
            ["2:20: unknown level `eror` for `floating-promise`: did you mean `error`?"]
        );
    }

    #[test]
    fn every_problem_of_a_file_is_reported() {
        assert_eq!(
            problems("ignores = [\"dist/**\"]\nknown-safe = \"x\"\n[rules]\nawait-in-loop = 2\n"),
            [
                "1:1: unknown setting `ignores`: did you mean `ignore`?",
                "2:14: `known-safe` must be a list of call names, like `known-safe = [\"logger.flush\"]`",
                "4:17: the level of `await-in-loop` must be a string: use off, on, hint, info, warning or error, in quotes",
            ]
        );
    }

    #[test]
    fn the_runtime_node_range_is_read_and_checked() {
        let config = read("[runtime]\nnode = \">=8 || ^10\"\n", KNOWN).unwrap();
        assert_eq!(config.node.as_ref().map(|n| n.as_str()), Some(">=8 || ^10"));
        assert_eq!(
            problems("[runtime]\nnode = \"latest\"\nbun = \"1\"\n"),
            [
                "2:8: `latest` is not an npm version range (Invalid semantic version or range), like `>=18`",
                "3:1: unknown runtime setting `bun`: the only one is `node`",
            ]
        );
        assert_eq!(
            problems("runtime = \">=8\"\n"),
            ["1:11: `runtime` must be a table: a `[runtime]` line, then `node = \">=18\"`"]
        );
    }

    #[test]
    fn invalid_toml_is_placed_where_the_parser_stopped() {
        let found = problems("[rules]\nfloating-promise = error\n");
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with("2:20: this is not valid TOML: "),
            "{found:?}"
        );
    }
}
