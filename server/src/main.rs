use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use ticklens::cli;
use ticklens::cli::format::Format;
use ticklens::engine::ModuleKind;

/// Shows when asynchronous JavaScript runs: a language server and a checker.
#[derive(Parser)]
#[command(name = "ticklens", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the language server, speaking JSON-RPC on stdin and stdout.
    Lsp {
        /// Accepted for editors that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Check JavaScript files and folders and print the findings.
    #[command(after_help = CHECK_AFTER_HELP)]
    Check(CheckArgs),
    /// Print what `node FILE` would print to stdout, as the ordering engine predicts it.
    #[command(after_help = ORDER_AFTER_HELP)]
    Order {
        /// The JavaScript file `node` would run (.js, .mjs, .cjs); ES module or
        /// CommonJS is decided as Node decides it, unless --module says otherwise.
        file: PathBuf,
        /// Module system to assume instead of Node's detection.
        #[arg(long, value_enum)]
        module: Option<ModuleArg>,
        /// Print each line with the job or phase that printed it.
        #[arg(long)]
        explain: bool,
        /// Draw the run as lanes, each step with its source line and what it printed.
        #[arg(long, conflicts_with = "explain")]
        timeline: bool,
        /// The timeline's format (json: the versioned shape of docs/timeline-json.md).
        #[arg(long, value_enum, default_value_t = cli::order::TimelineFormat::Text, requires = "timeline")]
        format: cli::order::TimelineFormat,
    },
}

const CHECK_AFTER_HELP: &str = "\
Exit status:
  0  no finding of error severity (and warnings within --deny-warnings or --max-warnings)
  1  a finding of error severity (a syntax error, or a rule set to \"error\"),
     or warnings over the limit of --deny-warnings or --max-warnings
  2  a path could not be checked (unreadable, not UTF-8, binary), a path gave nothing
     to check (an empty or TypeScript-only folder), a bad ticklens.toml, or a usage error

Configuration:
  ticklens.toml, in the checked folder or the nearest folder above it, sets rule levels
  ([rules] floating-promise = \"error\"), `ignore` globs and `known-safe` calls.
  Rules and their levels: https://github.com/ticklens/ticklens/tree/main/docs/rules";

const ORDER_AFTER_HELP: &str = "\
Exit status:
  0  the predicted lines are on stdout
  2  the file cannot be read, or a usage error
  3  the order cannot be predicted (a syntax error, or code the engine does not model):
     nothing on stdout (with --timeline: the steps every run takes first, if any, and what
     the run waits on), and the reason with its line and column on stderr";

#[derive(clap::Args)]
struct CheckArgs {
    /// Files and folders to check (.js, .mjs, .cjs, .jsx, and TypeScript: .ts, .mts, .cts, .tsx,
    /// read with its types erased as Node 24 does); the current folder by default.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Colour the human format: auto (when stdout is a terminal), always or never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, num_args = 0..=1, default_missing_value = "always")]
    color: ColorArg,
    /// Apply every safe fix in place (atomically), then report what remains.
    #[arg(long, conflicts_with = "fix_dry_run")]
    fix: bool,
    /// Print the safe fixes as a unified diff without changing any file.
    #[arg(long)]
    fix_dry_run: bool,
    /// Exit with status 1 when there is any warning.
    #[arg(long)]
    deny_warnings: bool,
    /// Exit with status 1 when there are more than N warnings.
    #[arg(long, value_name = "N")]
    max_warnings: Option<usize>,
    /// Only check files matching this glob (repeatable), relative to each PATH;
    /// a glob that starts with a PATH also matches from the working folder
    /// (`check src --include 'src/**/*.js'` and `--include '**/*.js'` agree).
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Skip files matching this glob (repeatable), read as --include's globs
    /// (`check . --exclude 'test/fixtures/**'`).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Also check files inside `node_modules` folders (skipped at any depth by default).
    #[arg(long)]
    include_node_modules: bool,
    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 5 * 1024 * 1024)]
    max_file_size: u64,
    /// Also check files that look minified.
    #[arg(long)]
    include_minified: bool,
    /// Also report, for each file, the output the ordering engine predicts.
    #[arg(long)]
    order: bool,
    /// Do not read or write the result cache.
    #[arg(long)]
    no_cache: bool,
    /// Where the result cache lives.
    #[arg(long, value_name = "DIR", default_value = ".ticklens-cache")]
    cache_dir: PathBuf,
    /// Worker threads (all cores by default).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Check only shard K of N (`--shard 2/4`): the walked files split by path, the same
    /// way on every machine, so that N jobs together check every file once.
    #[arg(long, value_name = "K/N")]
    shard: Option<cli::check::Shard>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

impl CheckArgs {
    fn into_options(self) -> cli::check::Options {
        use std::io::IsTerminal;
        cli::check::Options {
            paths: self.paths,
            format: self.format,
            color: match self.color {
                ColorArg::Always => true,
                ColorArg::Never => false,
                ColorArg::Auto => std::io::stdout().is_terminal(),
            },
            fix: match (self.fix, self.fix_dry_run) {
                (true, _) => cli::check::FixMode::Write,
                (_, true) => cli::check::FixMode::DryRun,
                _ => cli::check::FixMode::Report,
            },
            // Both flags bound the warnings; the stricter one wins.
            max_warnings: match (self.deny_warnings, self.max_warnings) {
                (true, _) => Some(0),
                (false, max) => max,
            },
            filters: cli::check::walk::Filters {
                include: self.include,
                exclude: self.exclude,
                include_node_modules: self.include_node_modules,
            },
            max_file_size: self.max_file_size,
            include_minified: self.include_minified,
            order: self.order,
            cache_dir: (!self.no_cache).then_some(self.cache_dir),
            threads: self.threads,
            shard: self.shard,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ModuleArg {
    Cjs,
    Esm,
}

impl From<ModuleArg> for ModuleKind {
    fn from(arg: ModuleArg) -> Self {
        match arg {
            ModuleArg::Cjs => ModuleKind::CommonJs,
            ModuleArg::Esm => ModuleKind::EsModule,
        }
    }
}

/// mimalloc for Rust's allocations and tree-sitter's: a tree is thousands of
/// small allocations made and freed together, which glibc's malloc serves
/// slowly (freeing one file's tree made the next file's read consolidate heaps).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // SAFETY: nothing has allocated through tree-sitter yet.
    unsafe { ticklens::syntax::allocate_with_mimalloc() };
    let cli = Cli::parse();
    match cli.command {
        Command::Lsp { stdio: _ } => ticklens::lsp::run_stdio(),
        Command::Check(args) => cli::check::run(&args.into_options()),
        Command::Order {
            file,
            module,
            explain,
            timeline,
            format,
        } => cli::order::run(
            &file,
            module.map(Into::into),
            explain,
            timeline.then_some(format),
        ),
    }
}
