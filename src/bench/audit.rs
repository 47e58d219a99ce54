//! `concerto bench audit`: the verifiable audit log's cost per leaf and its memory at
//! 10,000, 100,000 and 1,000,000 leaves.
//!
//! Every leaf is a realistic stored event (≈ 600-byte envelope with a sealed part).
//! Variants, each over the same leaves:
//! - `raw`: the ceiling, SHA-256 of each leaf's bytes (the one hash no Merkle log can
//!   avoid), leaves encoded beforehand;
//! - `compact`: leaf hash plus [`CompactTree::push`] (the O(log n) append state);
//! - `ledger`: the projection's whole path: leaf encoding from the record, leaf hash,
//!   append to the file ledger in batches of 1,024 (each batch synced), as `serve`
//!   does.
//!
//! Columns: mean ns per leaf, the worst single push in hashes (⌈log₂ n⌉ at most), the
//! ratio raw ÷ variant, the compact state's size in bytes, and peak RSS.

use std::time::Instant;

use clap::Args;
use eventstore::envelope::{EventDraft, SealedPart};
use eventstore::{EventRecord, KeyId, Metadata, Position, StreamName};
use projections::audit_log::ledger::Ledger;
use projections::audit_log::{leaf_bytes, LeafEntry};
use projections::merkle::{leaf_hash, CompactTree};
use serde_json::json;

use super::memory::{peak_rss_kib, reset_peak_rss};

/// Arguments of `concerto bench audit`.
#[derive(Args)]
pub struct AuditArgs {
    /// Tree sizes measured.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    pub sizes: Vec<u64>,
}

fn record(n: u64) -> anyhow::Result<EventRecord> {
    Ok(EventRecord {
        position: Position::new(n + 1, 0),
        stream: StreamName::parse(format!("contribution-{}", n % 5_000))?,
        revision: n / 5_000,
        recorded_at: time::OffsetDateTime::now_utc(),
        event: EventDraft {
            id: uuid::Uuid::now_v7(),
            event_type: "ContributionSubmitted".into(),
            schema_version: 1,
            data: json!({
                "concertation": "26920ceb-c9c6-55cf-be89-8505ea03526d",
                "question": "5ccb3165-67a4-504a-818a-f7bc821dded8",
                "kind": "proposal",
                "themes": ["ia-utile"],
                "participant": format!("p-{}", n % 20_000),
            }),
            metadata: Metadata {
                correlation_id: Some(uuid::Uuid::now_v7()),
                causation_id: None,
                actor: Some(format!("participant:{}", n % 20_000)),
                extra: Default::default(),
            },
            sealed: vec![SealedPart {
                part: "body".into(),
                key: KeyId::parse(format!("contribution-{n}"))?,
                nonce: "A".repeat(32),
                ciphertext: "B".repeat(240),
            }],
        },
    })
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Runs `concerto bench audit`.
pub async fn run(args: AuditArgs) -> anyhow::Result<()> {
    println!("concerto bench audit: sizes {:?}", args.sizes);
    println!(
        "{:>9} {:<8} {:>10} {:>11} {:>8} {:>13} {:>9}",
        "leaves", "variant", "ns/leaf", "worst push", "ratio", "state bytes", "peak MiB"
    );
    for &size in &args.sizes {
        let records: Vec<EventRecord> = (0..size).map(record).collect::<Result<_, _>>()?;
        let leaves: Vec<Vec<u8>> = records.iter().map(leaf_bytes).collect::<Result<_, _>>()?;
        let mean_leaf = leaves.iter().map(Vec::len).sum::<usize>() / leaves.len().max(1);

        reset_peak_rss();
        let start = Instant::now();
        let mut sink = 0u8;
        for leaf in &leaves {
            sink ^= leaf_hash(leaf)[0];
        }
        let raw = start.elapsed().as_nanos() as f64 / size as f64;
        std::hint::black_box(sink);
        println!(
            "{size:>9} {:<8} {raw:>10.0} {:>11} {:>7.1}% {:>13} {:>9.1}",
            "raw",
            1,
            100.0,
            0,
            mib(peak_rss_kib())
        );

        reset_peak_rss();
        let start = Instant::now();
        let mut tree = CompactTree::default();
        let mut worst = 0usize;
        for leaf in &leaves {
            // One hash for the leaf, one per merge.
            worst = worst.max(tree.push(leaf_hash(leaf)).len());
        }
        let compact = start.elapsed().as_nanos() as f64 / size as f64;
        std::hint::black_box(tree.root());
        let state = std::mem::size_of::<CompactTree>() + tree.frontier().len() * 32;
        println!(
            "{size:>9} {:<8} {compact:>10.0} {worst:>11} {:>7.1}% {state:>13} {:>9.1}",
            "compact",
            100.0 * raw / compact,
            mib(peak_rss_kib())
        );
        drop(leaves);

        let dir =
            std::env::temp_dir().join(format!("concerto-bench-audit-{}", uuid::Uuid::now_v7()));
        reset_peak_rss();
        let start = Instant::now();
        let mut ledger = Ledger::open(&dir, true)?;
        for batch in records.chunks(1024) {
            let entries = batch
                .iter()
                .map(LeafEntry::of)
                .collect::<Result<Vec<_>, _>>()?;
            let up_to = batch.last().expect("chunks are not empty").position;
            ledger.append(entries, up_to)?;
        }
        let full = start.elapsed().as_nanos() as f64 / size as f64;
        println!(
            "{size:>9} {:<8} {full:>10.0} {worst:>11} {:>7.1}% {state:>13} {:>9.1}   (leaf ≈ {mean_leaf} B)",
            "ledger",
            100.0 * raw / full,
            mib(peak_rss_kib())
        );
        let reopened = Instant::now();
        let again = Ledger::open(&dir, true)?;
        let same = again.root() == ledger.root();
        drop((again, ledger));
        std::fs::remove_dir_all(&dir)?;
        anyhow::ensure!(same, "reopened ledger differs");
        println!(
            "{size:>9} {:<8} reopened in {:.0} ms without rehashing a leaf",
            "restart",
            reopened.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(())
}
