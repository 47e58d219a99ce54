//! `concerto bench audit`: the verifiable audit log's cost per leaf and its memory at
//! 10,000, 100,000 and 1,000,000 leaves.
//!
//! Every leaf is a realistic stored event (≈ 600-byte envelope with a sealed part, with
//! its stored bytes as a backend hands them out), generated on the fly from a pool of
//! 1,024 events given each leaf's own position, so the process holds no leaves and its
//! peak RSS is the ledger's. Variants, each over the same leaves:
//! - `raw`: the ceiling, the leaf's bytes and their SHA-256 (what no Merkle log can
//!   avoid);
//! - `compact`: that plus [`CompactTree::push`] (the O(log n) append state);
//! - `ledger`: the projection's whole path: [`LeafEntry::of`], then append to the file
//!   ledger in batches of 1,024 (each batch synced), as `serve` does.
//!
//! Columns: mean ns per leaf, the worst single push in hashes (⌈log₂ n⌉ at most), the
//! ratio raw ÷ variant, the bytes of tree state held in memory, and peak RSS.

use std::time::Instant;

use clap::Args;
use eventstore::commit::CommitBody;
use eventstore::envelope::EventDraft;
use eventstore::{EventRecord, Position, StreamName};
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

/// Leaf `n`: one event written as the store writes it (its commit body encoded, so the
/// record carries its stored bytes, as every record read from a backend does).
fn record(n: u64) -> anyhow::Result<EventRecord> {
    let draft: EventDraft = serde_json::from_value(json!({
        "id": uuid::Uuid::now_v7(),
        "type": "ContributionSubmitted",
        "schema_version": 1,
        "data": {
            "concertation": "26920ceb-c9c6-55cf-be89-8505ea03526d",
            "question": "5ccb3165-67a4-504a-818a-f7bc821dded8",
            "kind": "proposal",
            "themes": ["ia-utile"],
            "participant": format!("p-{}", n % 20_000),
        },
        "metadata": {
            "$correlationId": uuid::Uuid::now_v7(),
            "actor": format!("participant:{}", n % 20_000),
        },
        "sealed": [{
            "part": "body",
            "key": format!("contribution-{n}"),
            "nonce": "A".repeat(32),
            "ciphertext": "B".repeat(240),
        }],
    }))?;
    let mut body = CommitBody {
        stream: StreamName::parse(format!("contribution-{}", n % 5_000))?,
        first_revision: n / 5_000,
        recorded_at: time::OffsetDateTime::now_utc(),
        events: vec![draft],
    };
    body.encode()?;
    body.into_records(n + 1)
        .next()
        .ok_or_else(|| anyhow::anyhow!("commit sans événement"))
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Distinct events the leaves cycle through: each leaf takes one and its own position,
/// so every leaf differs while the benchmark holds only these (its peak RSS is the
/// ledger's, not the benchmark's).
const POOL: u64 = 1024;

/// Leaf `n` of the run: event `n mod POOL` moved to commit `n + 1`.
fn leaf_record(pool: &mut [EventRecord], n: u64) -> &EventRecord {
    let record = &mut pool[(n % POOL) as usize];
    record.position = Position::new(n + 1, 0);
    record
}

/// Runs `concerto bench audit`.
pub async fn run(args: AuditArgs) -> anyhow::Result<()> {
    println!("concerto bench audit: sizes {:?}", args.sizes);
    println!(
        "{:>9} {:<8} {:>10} {:>11} {:>8} {:>13} {:>9}",
        "leaves", "variant", "ns/leaf", "worst push", "ratio", "state bytes", "peak MiB"
    );
    let mut pool: Vec<EventRecord> = (0..POOL).map(record).collect::<Result<_, _>>()?;
    for &size in &args.sizes {
        let mean_leaf = pool
            .iter()
            .map(|r| leaf_bytes(r).map(|b| b.len()))
            .sum::<Result<usize, _>>()?
            / pool.len();

        reset_peak_rss();
        let start = Instant::now();
        let mut sink = 0u8;
        for n in 0..size {
            sink ^= leaf_hash(&leaf_bytes(leaf_record(&mut pool, n))?)[0];
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
        for n in 0..size {
            let leaf = leaf_hash(&leaf_bytes(leaf_record(&mut pool, n))?);
            // One hash for the leaf, one per merge.
            worst = worst.max(tree.push(leaf).len());
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

        let dir =
            std::env::temp_dir().join(format!("concerto-bench-audit-{}", uuid::Uuid::now_v7()));
        reset_peak_rss();
        let start = Instant::now();
        let mut ledger = Ledger::open(&dir, true)?;
        let mut n = 0;
        while n < size {
            let end = (n + 1024).min(size);
            let entries = (n..end)
                .map(|i| LeafEntry::of(leaf_record(&mut pool, i)))
                .collect::<Result<Vec<_>, _>>()?;
            ledger.append(entries, Position::new(end, 0))?;
            n = end;
        }
        let full = start.elapsed().as_nanos() as f64 / size as f64;
        let held = std::mem::size_of::<CompactTree>() + ledger.compact().frontier().len() * 32;
        println!(
            "{size:>9} {:<8} {full:>10.0} {worst:>11} {:>7.1}% {held:>13} {:>9.1}   (leaf ≈ {mean_leaf} B)",
            "ledger",
            100.0 * raw / full,
            mib(peak_rss_kib())
        );
        let reopened = Instant::now();
        let again = Ledger::open(&dir, true)?;
        let same = again.root() == ledger.root();
        let reopen_ms = reopened.elapsed().as_secs_f64() * 1000.0;
        // A proof read from the files, to show what it costs at this size.
        let proving = Instant::now();
        let path = again.inclusion(size / 3, size)?;
        let proof_us = proving.elapsed().as_secs_f64() * 1e6;
        drop((again, ledger));
        std::fs::remove_dir_all(&dir)?;
        anyhow::ensure!(same, "reopened ledger differs");
        println!(
            "{size:>9} {:<8} reopened in {reopen_ms:.1} ms without rehashing a leaf; \
             inclusion proof of {} hashes read in {proof_us:.0} µs",
            "restart",
            path.len()
        );
    }
    Ok(())
}
