//! The Node versions a project runs on: an npm version range, as
//! `engines.node` in `package.json` or `[runtime] node` in `ticklens.toml`
//! write it (`>=8`, `^12.20.0 || >=14`, `8 - 12`, `*`), read as npm reads it.

use std::fmt;

use nodejs_semver::Range;

/// An npm range of Node versions, with the text it was read from.
#[derive(Clone)]
pub struct NodeRange {
    text: String,
    range: Range,
}

impl NodeRange {
    /// Reads `text` as an npm range; the error says why it is not one.
    pub fn parse(text: &str) -> Result<NodeRange, String> {
        Range::parse(text)
            .map(|range| NodeRange {
                text: text.to_owned(),
                range,
            })
            .map_err(|error| error.to_string())
    }

    /// Whether the range admits a Node older than `major` (`>=8` admits one
    /// older than 11; `>=12` and `^14 || >=16` do not).
    pub fn admits_older_than(&self, major: u64) -> bool {
        let older = Range::parse(format!("<{major}.0.0")).expect("a range of one comparator");
        self.range.allows_any(&older)
    }

    /// The range as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialEq for NodeRange {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

/// Only the text: the config's debug form is part of the analysis cache key.
impl fmt::Debug for NodeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeRange({:?})", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_range_syntax_is_read_as_npm_reads_it() {
        for (text, older_than_11) in [
            (">=8", true),
            (">= 8.0.0", true),
            (">=8.0.0 || ^10", true),
            ("8 - 12", true),
            ("*", true),
            ("^8.10.0 || >=10", true),
            ("~10.24", true),
            (">=11", false),
            (">10", false),
            (">=18", false),
            ("^12.20.0 || ^14.13.1 || >=16.0.0", false),
            ("11.x", false),
        ] {
            let range = NodeRange::parse(text).unwrap();
            assert_eq!(range.admits_older_than(11), older_than_11, "{text}");
            assert_eq!(range.as_str(), text);
        }
        assert!(NodeRange::parse("latest").is_err());
    }
}
