//! `check --shard K/N`: one of N machines checks its share of the walked
//! files, and the N shares together are every file once, so the N reports
//! together hold exactly the findings of one unsharded run.
//!
//! The split is by path, as Jest's `--shard` splits tests: every file is
//! keyed by its path as the working folder sees it (so two checkouts in
//! different folders agree), the keys are ordered by a hash of the key, and
//! shard K takes the K-th of N runs of equal length of that order. Hashing
//! first spreads a large folder over all shards instead of handing it to one;
//! equal runs keep the shards' file counts within one of each other. Every
//! machine walks the same files (the same checkout and command), so each
//! computes the same order and takes a disjoint share.
//!
//! A file's findings never depend on which shard checks it: the files a
//! file imports are read whether or not they are in the shard.

use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;

use super::walk::Walked;

/// Shard `index` (from 1) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    index: usize,
    count: usize,
}

impl Shard {
    /// Shard `index` (from 1) of `count`; `None` unless `1 <= index <= count`.
    pub fn new(index: usize, count: usize) -> Option<Shard> {
        (1..=count)
            .contains(&index)
            .then_some(Shard { index, count })
    }

    /// What of `walked` this shard checks: its share of the files, and of the
    /// paths that could not be walked (each reported by one shard); a problem
    /// of no path (a bad glob) stops every shard.
    pub fn split(self, walked: Walked) -> Walked {
        let paths: Vec<&Path> = walked
            .files
            .iter()
            .map(PathBuf::as_path)
            .chain(walked.problems.iter().filter_map(|p| p.path.as_deref()))
            .collect();
        let mut mine = self.share(&paths).into_iter();
        let files = walked
            .files
            .into_iter()
            .filter(|_| mine.next() == Some(true))
            .collect();
        let problems = walked
            .problems
            .into_iter()
            .filter(|problem| problem.path.is_none() || mine.next() == Some(true))
            .collect();
        Walked { files, problems }
    }

    /// Which of `paths` this shard takes.
    fn share(self, paths: &[&Path]) -> Vec<bool> {
        let cwd = std::env::current_dir().ok();
        let mut keyed: Vec<(blake3::Hash, String, usize)> = paths
            .iter()
            .enumerate()
            .map(|(at, path)| {
                let key = key_of(path, cwd.as_deref());
                (blake3::hash(key.as_bytes()), key, at)
            })
            .collect();
        keyed.sort_by(|a, b| (a.0.as_bytes(), &a.1).cmp(&(b.0.as_bytes(), &b.1)));
        let (from, to) = self.run_of(keyed.len());
        let mut taken = vec![false; paths.len()];
        for &(_, _, at) in &keyed[from..to] {
            taken[at] = true;
        }
        taken
    }

    /// The positions `from..to` of this shard's run in an order of `len` keys.
    fn run_of(self, len: usize) -> (usize, usize) {
        let bound = |k: usize| k * len / self.count;
        (bound(self.index - 1), bound(self.index))
    }
}

/// The key a path is split by: relative to the working folder when inside it,
/// `/`-separated, without `.` components; otherwise the path as given.
fn key_of(path: &Path, cwd: Option<&Path>) -> String {
    let relative = match cwd {
        Some(cwd) if path.is_absolute() => path.strip_prefix(cwd).unwrap_or(path),
        _ => path,
    };
    let parts: Vec<String> = relative
        .components()
        .filter(|component| !matches!(component, Component::CurDir))
        .map(|component| component.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

impl FromStr for Shard {
    type Err = String;

    /// `K/N`, as Jest and Playwright write it.
    fn from_str(text: &str) -> Result<Shard, String> {
        let usage = "write the shard as K/N with 1 <= K <= N, like `--shard 2/4`";
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not K/N: {usage}"))?;
        let number = |part: &str| {
            part.trim()
                .parse::<usize>()
                .map_err(|_| format!("`{part}` in `{text}` is not a whole number: {usage}"))
        };
        let (index, count) = (number(index)?, number(count)?);
        Shard::new(index, count).ok_or_else(|| format!("there is no shard {text}: {usage}"))
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::super::walk::Problem;
    use super::*;

    /// `n` files in 7 folders, sorted as the walk gives them.
    fn files(n: usize) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = (0..n)
            .map(|i| PathBuf::from(format!("src/dir{}/file{i}.js", i % 7)))
            .collect();
        files.sort();
        files
    }

    /// The files of `paths` this shard checks.
    fn select(shard: Shard, paths: Vec<PathBuf>) -> Vec<PathBuf> {
        let walked = Walked {
            files: paths,
            problems: Vec::new(),
        };
        shard.split(walked).files
    }

    #[test]
    fn the_shards_take_every_file_once_in_runs_within_one_of_each_other() {
        for len in [0, 1, 2, 5, 12, 100] {
            for count in 1..=6 {
                let mut all = Vec::new();
                let mut sizes = Vec::new();
                for index in 1..=count {
                    let shard = Shard::new(index, count).unwrap();
                    let mine = select(shard, files(len));
                    let mut sorted = mine.clone();
                    sorted.sort();
                    assert_eq!(mine, sorted, "a shard keeps the walk's order");
                    sizes.push(mine.len());
                    all.extend(mine);
                }
                all.sort();
                let mut expected = files(len);
                expected.sort();
                assert_eq!(all, expected, "{len} files, {count} shards");
                let (min, max) = (sizes.iter().min(), sizes.iter().max());
                assert!(max.unwrap() - min.unwrap() <= 1, "{sizes:?}");
            }
        }
    }

    #[test]
    fn the_split_depends_on_the_path_not_on_how_it_was_named() {
        let cwd = std::env::current_dir().unwrap();
        let relative = vec![PathBuf::from("a/x.js"), PathBuf::from("b/y.js")];
        let named = vec![cwd.join("a/x.js"), PathBuf::from("./b/y.js")];
        for index in 1..=2 {
            let shard = Shard::new(index, 2).unwrap();
            let keys = |paths: Vec<PathBuf>| -> Vec<String> {
                select(shard, paths)
                    .iter()
                    .map(|path| key_of(path, Some(&cwd)))
                    .collect()
            };
            assert_eq!(keys(relative.clone()), keys(named.clone()));
        }
        assert_eq!(key_of(Path::new("./src/./a.js"), None), "src/a.js");
    }

    #[test]
    fn a_large_folder_is_spread_over_the_shards() {
        let big: Vec<PathBuf> = (0..40)
            .map(|i| PathBuf::from(format!("big/{i:02}.js")))
            .chain((0..40).map(|i| PathBuf::from(format!("small{i:02}.js"))))
            .collect();
        for index in 1..=2 {
            let mine = select(Shard::new(index, 2).unwrap(), big.clone());
            let in_big = mine.iter().filter(|p| p.starts_with("big")).count();
            assert!((10..=30).contains(&in_big), "shard {index}: {in_big} of 40");
        }
    }

    #[test]
    fn each_unwalkable_path_is_reported_by_one_shard_and_a_bad_glob_by_all() {
        let problem = |path: Option<&str>| Problem {
            path: path.map(PathBuf::from),
            message: "x".to_owned(),
        };
        let mut reported = Vec::new();
        for index in 1..=3 {
            let walked = Walked {
                files: files(4),
                problems: vec![problem(Some("gone")), problem(None), problem(Some("loop"))],
            };
            let mine = Shard::new(index, 3).unwrap().split(walked);
            assert!(mine.problems.iter().any(|p| p.path.is_none()));
            reported.extend(mine.problems.into_iter().filter_map(|p| p.path));
        }
        reported.sort();
        assert_eq!(reported, [PathBuf::from("gone"), PathBuf::from("loop")]);
    }

    #[test]
    fn k_of_n_is_read_and_every_mistake_says_how_to_write_it() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        assert_eq!("1/1".parse::<Shard>().unwrap().to_string(), "1/1");
        for bad in ["0/4", "5/4", "2", "a/4", "2/", "1/0", "-1/2"] {
            let error = bad.parse::<Shard>().unwrap_err();
            assert!(error.contains("like `--shard 2/4`"), "{bad}: {error}");
        }
    }
}
