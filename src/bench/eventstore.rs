//! `concerto bench eventstore` (being written).

/// Options of the event store benchmark.
#[derive(clap::Args)]
pub struct EventstoreArgs {}

/// Runs the benchmark.
pub async fn run(_args: EventstoreArgs) -> anyhow::Result<()> {
    anyhow::bail!("concerto bench eventstore : pas encore disponible")
}
