//! Command-line interface: parses arguments and dispatches to the subcommands.

use clap::{Parser, Subcommand};

/// Concerto, moteur de concertation territoriale.
#[derive(Parser)]
#[command(name = "concerto", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Mesures de performance (voir BENCHMARKS.md).
    #[command(subcommand)]
    Bench(crate::bench::BenchCommand),
}

/// Parses the command line and runs the chosen subcommand.
pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new()?;
    match cli.command {
        Command::Bench(command) => runtime.block_on(crate::bench::run(command)),
    }
}
