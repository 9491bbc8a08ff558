//! Writes the seed corpus of the `analysis` target into a folder: the repo's
//! JavaScript fixtures and examples, the code blocks of `docs/rules/*.md`, the
//! seed text's programs of `tests/seed_examples.rs`, programs of the
//! differential generator (all tiers, both module flavours), and a few
//! token-mode inputs. The committed seeds (`fuzz/seeds/analysis.tar`) are the
//! minimized result of fuzzing from these; rerun this to start afresh:
//!
//! ```sh
//! cargo run --manifest-path fuzz/Cargo.toml --example seeds -- /tmp/seeds
//! ```

#[path = "../../tests/differential/mod.rs"]
mod differential;

use std::path::{Path, PathBuf};

use differential::generator::{self, Tier};
use ticklens_fuzz::tokens::TOKENS;

/// Token-mode seeds, written as tokens.
const TOKEN_SEEDS: &[&[&str]] = &[
    &[
        "async",
        "function",
        "f",
        "(",
        ")",
        "{",
        "console.log",
        "(",
        "'A'",
        ")",
        ";",
        "await",
        "Promise.resolve",
        "(",
        "\"B\"",
        ")",
        ";",
        "}",
        "\n",
        "f",
        "(",
        ")",
        ";",
        "console.log",
        "(",
        "`C`",
        ")",
    ],
    &[
        "async function main() {",
        "\n",
        "for (const x of xs) { await f(x); }",
        "\n",
        "const [a, b] = await Promise.all([f(), g()]);",
        "\n",
        "return await p;",
        "}",
    ],
    &[
        "new Promise(async (resolve) => {",
        "await",
        "fetch",
        "(",
        "'é'",
        ")",
        ";",
        "resolve",
        "(",
        ")",
        "}",
        ")",
    ],
    &[
        "queueMicrotask(() => console.log('m'));",
        "\n",
        "process.nextTick(() => console.log('t'));",
        "\n",
        "setTimeout(() => console.log('T'), 0);",
        "\n",
        "setImmediate(() => console.log('I'));",
        "\n",
        "Promise.resolve",
        "(",
        ")",
        ".then",
        "(",
        "(",
        ")",
        "=>",
        "console.log",
        "(",
        "1",
        ")",
        ")",
    ],
    &[
        "// ticklens-ignore-next-line",
        "\n",
        "for",
        "(",
        "const",
        "x",
        "of",
        "a",
        ")",
        "{",
        "await",
        "f",
        "(",
        "x",
        ")",
        "}",
    ],
];

/// Generated programs per tier.
const PROGRAMS_PER_TIER: u64 = 40;

fn main() {
    let out = PathBuf::from(std::env::args().nth(1).expect("usage: seeds OUT_DIR"));
    std::fs::create_dir_all(&out).expect("the output folder can be created");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut count = 0;
    let mut write = |name: String, text: &[u8]| {
        std::fs::write(out.join(name), text).expect("a seed can be written");
        count += 1;
    };

    for dir in ["examples", "tests/fixtures", "editors/fixtures"] {
        for file in js_files(&repo.join(dir)) {
            let text = std::fs::read(&file).expect("a fixture can be read");
            let name = file
                .strip_prefix(&repo)
                .unwrap_or(&file)
                .display()
                .to_string();
            write(format!("file-{}", name.replace('/', "_")), &text);
        }
    }

    for entry in std::fs::read_dir(repo.join("docs/rules")).expect("docs/rules exists") {
        let path = entry.expect("a docs entry").path();
        let text = std::fs::read_to_string(&path).expect("a rule page can be read");
        let stem = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        for (i, block) in fenced_js_blocks(&text).into_iter().enumerate() {
            write(format!("doc-{stem}-{i}.js"), block.as_bytes());
        }
    }

    let seed_text = std::fs::read_to_string(repo.join("tests/seed_examples.rs"))
        .expect("tests/seed_examples.rs can be read");
    for (i, program) in raw_strings(&seed_text).into_iter().enumerate() {
        write(format!("seed-text-{i}.js"), program.as_bytes());
    }

    for tier in Tier::ALL {
        for seed in 1..=PROGRAMS_PER_TIER {
            let program = generator::generate(tier, seed);
            write(
                format!("gen-{}", program.file_name()),
                program.source.as_bytes(),
            );
        }
    }

    // Token mode: a leading NUL, then one token index per byte (see fuzz/src/tokens.rs).
    for (i, tokens) in TOKEN_SEEDS.iter().enumerate() {
        let mut input = vec![0u8];
        input.extend(tokens.iter().map(|token| {
            TOKENS
                .iter()
                .position(|t| t == token)
                .unwrap_or_else(|| panic!("{token:?} is not in TOKENS")) as u8
        }));
        write(format!("tokens-{i}"), &input);
    }

    println!("{count} seeds in {}", out.display());
}

fn js_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_js = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "js" | "mjs" | "cjs" | "jsx"));
            if path.is_dir() {
                pending.push(path);
            } else if is_js {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The bodies of the ```js blocks of a Markdown page.
fn fenced_js_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.starts_with("```js") => current = Some(String::new()),
            Some(block) if line.starts_with("```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

/// The contents of the `r#"..."#` literals of a Rust file.
fn raw_strings(rust: &str) -> Vec<String> {
    rust.split("r#\"")
        .skip(1)
        .filter_map(|rest| rest.split_once("\"#").map(|(body, _)| body.to_owned()))
        .collect()
}
