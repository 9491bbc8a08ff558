use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use ticklens::cli;
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
    Check {
        /// Files and folders to check (.js, .mjs, .cjs, .jsx).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Apply every safe fix in place (atomically), then report what remains.
        #[arg(long, conflicts_with = "fix_dry_run")]
        fix: bool,
        /// Print the safe fixes as a unified diff without changing any file.
        #[arg(long)]
        fix_dry_run: bool,
    },
    /// Print what `node FILE` would print to stdout, as the ordering engine predicts it.
    Order {
        file: PathBuf,
        /// Module system to assume instead of Node's detection.
        #[arg(long, value_enum)]
        module: Option<ModuleArg>,
        /// Print each line with the job or phase that printed it.
        #[arg(long)]
        explain: bool,
    },
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Lsp { stdio: _ } => ticklens::lsp::run_stdio(),
        Command::Check {
            paths,
            fix,
            fix_dry_run,
        } => {
            let mode = match (fix, fix_dry_run) {
                (true, _) => cli::check::FixMode::Write,
                (_, true) => cli::check::FixMode::DryRun,
                _ => cli::check::FixMode::Report,
            };
            cli::check::run(&paths, mode)
        }
        Command::Order {
            file,
            module,
            explain,
        } => cli::order::run(&file, module.map(Into::into), explain),
    }
}
