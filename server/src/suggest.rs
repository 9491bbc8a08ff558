//! "Did you mean …?": the known name closest to a misspelt one.

/// The candidate nearest to `typed` by edit distance, when it is close enough
/// to be a likely typo: one edit per three characters, at least one (so `eror`
/// finds `error`, `floating-promises` finds `floating-promise`, and `colour`
/// finds nothing among unrelated names). Failing that, the only candidate that
/// `typed` abbreviates (`warn`, ESLint's spelling, finds `warning`).
pub fn closest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let limit = (typed.chars().count() / 3).max(1);
    let by_distance = candidates
        .iter()
        .map(|&candidate| (strsim::levenshtein(typed, candidate), candidate))
        .filter(|&(distance, _)| distance <= limit)
        .min();
    if let Some((_, candidate)) = by_distance {
        return Some(candidate);
    }
    let mut abbreviated = candidates
        .iter()
        .filter(|candidate| typed.len() >= 3 && candidate.starts_with(typed));
    match (abbreviated.next(), abbreviated.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::closest;

    const LEVELS: [&str; 5] = ["off", "hint", "info", "warning", "error"];

    #[test]
    fn finds_typos_and_abbreviations() {
        assert_eq!(closest("eror", LEVELS), Some("error"));
        assert_eq!(closest("warn", LEVELS), Some("warning"));
        assert_eq!(
            closest("floating-promises", ["await-in-loop", "floating-promise"]),
            Some("floating-promise")
        );
    }

    #[test]
    fn finds_nothing_for_unrelated_or_ambiguous_names() {
        assert_eq!(closest("loud", LEVELS), None);
        assert_eq!(closest("colour", ["ignore", "known-safe", "rules"]), None);
        assert_eq!(
            closest("await", ["await-in-loop", "await-non-promise"]),
            None
        );
    }
}
