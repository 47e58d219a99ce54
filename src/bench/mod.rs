//! `concerto bench …`: benchmarks that report speed as a ratio to a raw ceiling measured
//! in the same run, with peak memory.

pub mod audit;
pub mod cpu;
pub mod eventstore;
pub mod export;
pub mod groups;
pub mod ingest;
pub mod memory;
pub mod projections;

use clap::Subcommand;

/// The benchmarks.
#[derive(Subcommand)]
pub enum BenchCommand {
    /// The audit log's Merkle tree: time per leaf and memory at 10k, 100k and 1M leaves.
    Audit(audit::AuditArgs),
    /// Appends and catch-up reads through the event store, against the raw ceiling.
    Eventstore(eventstore::EventstoreArgs),
    /// The commission's export bundle of a Decidim-sized concertation and of a million
    /// contributions: time against plain CSV of the same rows, and peak RSS.
    Export(export::ExportArgs),
    /// The measured side of `bench export`: one export in this process, its figures as
    /// JSON on standard output.
    #[command(hide = true)]
    ExportChild(export::child::ChildArgs),
    /// Every read model rebuilt from a realistic workload, against the raw ceilings, and
    /// the projections' lag under a steady load.
    Projections(projections::ProjectionsArgs),
    /// The HTTP server on JetStream and PostgreSQL under concurrent participants' votes
    /// and contributions, against the raw JetStream publish ceiling.
    Ingest(ingest::IngestArgs),
    /// Opinion groups on synthetic Polis-shaped conversations: time and peak memory.
    Groups(groups::GroupsArgs),
    /// Opinion groups compared with Polis's on real conversations, with invariance checks.
    GroupsCompare(groups::GroupsCompareArgs),
}

/// Runs one benchmark.
pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Audit(args) => audit::run(args).await,
        BenchCommand::Eventstore(args) => eventstore::run(args).await,
        BenchCommand::Export(args) => export::run(args).await,
        BenchCommand::ExportChild(args) => export::child::run(args).await,
        BenchCommand::Projections(args) => projections::run(args).await,
        BenchCommand::Ingest(args) => ingest::run(args).await,
        BenchCommand::Groups(args) => groups::run_speed(args),
        BenchCommand::GroupsCompare(args) => groups::run_compare(args),
    }
}
