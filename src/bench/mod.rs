//! `concerto bench …`: benchmarks that report speed as a ratio to a raw ceiling measured
//! in the same run, with peak memory.

pub mod eventstore;

use clap::Subcommand;

/// The benchmarks.
#[derive(Subcommand)]
pub enum BenchCommand {
    /// Appends and catch-up reads through the event store, against the raw ceiling.
    Eventstore(eventstore::EventstoreArgs),
}

/// Runs one benchmark.
pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Eventstore(args) => eventstore::run(args).await,
    }
}
