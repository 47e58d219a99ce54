//! `concerto bench export-child` (hidden): the measured side of `concerto bench export`.
//!
//! It does what `concerto export synthesis` does, in a process of its own so that its
//! peak RSS is the export's alone: open the store as `concerto serve` does by default
//! (file log and file key store in the data directory), then
//! [`projections::export::export_synthesis`]. It prints one JSON line with the time and
//! the peak RSS (`VmHWM`) after each phase, read from `/proc/self/status` before exit.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use projections::export::{export_synthesis, ExportOptions, ExportProgress, ExportRequest};
use serde_json::json;

use super::generate::SLUG;
use crate::bench::memory::peak_rss_kib;

/// Options of the measured export.
#[derive(clap::Args)]
pub struct ChildArgs {
    /// The data directory holding `events.log` and `keys/`.
    #[arg(long)]
    pub data_dir: PathBuf,
    /// The bundle's folder (absent or empty).
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs the export and prints its figures.
pub async fn run(args: ChildArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut settings = crate::serve::settings(None, &args.data_dir)?;
    // The embedded backends whatever the environment says (NATS_URL, DATABASE_URL).
    settings.nats = None;
    settings.database = None;
    let store = gateway::startup::open_store_for_replay(&settings).await?;
    let opened = started.elapsed();
    let hwm_opened = peak_rss_kib();
    let request = ExportRequest {
        slug: SLUG.to_owned(),
        at: None,
        dir: args.out,
        options: ExportOptions::default(),
    };
    let mut replayed = opened;
    let mut grouped: Option<(Duration, u64)> = None;
    let mut hwm_replayed = hwm_opened;
    let manifest = export_synthesis(&store, &request, None, &mut |progress| match progress {
        ExportProgress::Replayed(_) => {
            replayed = started.elapsed();
            hwm_replayed = peak_rss_kib();
        }
        ExportProgress::Writing(_) if grouped.is_none() => {
            grouped = Some((started.elapsed(), peak_rss_kib()));
        }
        _ => {}
    })
    .await?;
    let total = started.elapsed();
    let (grouped, hwm_grouped) = grouped.unwrap_or((replayed, hwm_replayed));
    println!(
        "{}",
        json!({
            "open_s": opened.as_secs_f64(),
            "replay_s": (replayed - opened).as_secs_f64(),
            "groups_s": (grouped - replayed).as_secs_f64(),
            "write_s": (total - grouped).as_secs_f64(),
            "total_s": total.as_secs_f64(),
            "hwm_open_kib": hwm_opened,
            "hwm_replay_kib": hwm_replayed,
            "hwm_groups_kib": hwm_grouped,
            "hwm_kib": peak_rss_kib(),
            "events": manifest.audit.tree_size,
            "files": manifest.files.len() + 1,
        })
    );
    Ok(())
}
