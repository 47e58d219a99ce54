//! `concerto bench export`: the commission's bundle (`concerto export synthesis`) of a
//! concertation the size of Decidim Barcelona's open-data export, and of one with a
//! million contributions, against the ceiling measured in the same run: the same rows
//! written as plain CSV with no other work.
//!
//! Steps, for each size: the concertation's events are generated (seeded) into a
//! data directory as `concerto serve` keeps it by default (file log, file key store),
//! bodies sealed by the event store under their keys; the export runs in a child
//! process (`concerto bench export-child`), so that its peak RSS is its own; then the
//! bundle's CSV tables are read back into memory and written again with a bare
//! `csv::Writer`, which is all that time measures. Printed: the export's time by phase,
//! the ratio to the ceiling (target ≤ 5×) and the export's peak RSS (targets: 100 MB
//! for the first size, 200 MB for the second).

pub mod child;
mod generate;
mod keys;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use eventstore::file::FileBackend;
use eventstore::{EventStore, ExpectedRevision};
use futures::StreamExt;
use projections::export::bundle::DATA_DIR;
use projections::export::tables::TABLES;

use generate::{Mix, Phase, Workload};
use keys::BulkKeys;

/// Options of the export benchmark.
#[derive(clap::Args)]
pub struct ExportArgs {
    /// Which concertation: Decidim Barcelona's size, a million contributions, or both.
    #[arg(long, value_enum, default_value_t = Size::Both)]
    pub size: Size,
    /// Where the generated data and the bundles go (kept, and reused by a later run
    /// when it already holds a complete generation). A temporary folder, removed at the
    /// end, by default.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

/// The sizes measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Size {
    /// 12,000 proposals, 17,000 comments, 4,400 sessions.
    Decidim,
    /// 1,000,000 contributions.
    Million,
    /// Both, one after the other.
    Both,
}

/// One size: its name, mix and peak RSS target.
struct Case {
    name: &'static str,
    mix: Mix,
    rss_target_mb: u64,
}

/// What a case measured.
struct Outcome {
    name: &'static str,
    events: u64,
    rows: u64,
    export_s: f64,
    ceiling_s: f64,
    hwm_mib: f64,
    rss_target_mb: u64,
}

/// The ratio target: the whole bundle within 5× the plain CSV of the same rows.
const RATIO_TARGET: f64 = 5.0;
/// Commits generated and appended per batch (bounds the generator's memory).
const BATCH: u64 = 20_000;
/// Tasks building and appending commits, and appends in flight in each.
const WRITERS: u64 = 4;
const IN_FLIGHT: usize = 32;

/// Runs the benchmark.
pub async fn run(args: ExportArgs) -> anyhow::Result<()> {
    let cases: Vec<Case> = [
        (Size::Decidim, "decidim", Mix::decidim(), 100),
        (Size::Million, "million", Mix::million(), 200),
    ]
    .into_iter()
    .filter(|(size, ..)| args.size == Size::Both || args.size == *size)
    .map(|(_, name, mix, rss_target_mb)| Case {
        name,
        mix,
        rss_target_mb,
    })
    .collect();
    let (base, temporary) = match &args.data_dir {
        Some(dir) => (dir.clone(), false),
        None => (
            std::env::temp_dir().join(format!("concerto-bench-export-{}", uuid::Uuid::new_v4())),
            true,
        ),
    };
    let mut outcomes = Vec::new();
    let result = async {
        for case in &cases {
            outcomes.push(measure(case, &base.join(case.name)).await?);
        }
        anyhow::Ok(())
    }
    .await;
    if temporary {
        let _ = std::fs::remove_dir_all(&base);
    }
    result?;
    println!();
    println!("# résumé");
    println!(
        "{:<8} {:>10} {:>10} {:>10} {:>10} {:>8} {:>11} {:>9}",
        "taille",
        "événements",
        "lignes",
        "export s",
        "plafond s",
        "rapport",
        "RSS max Mio",
        "cible Mo"
    );
    for o in &outcomes {
        println!(
            "{:<8} {:>10} {:>10} {:>10.2} {:>10.2} {:>7.1}× {:>11.0} {:>9}",
            o.name,
            o.events,
            o.rows,
            o.export_s,
            o.ceiling_s,
            o.export_s / o.ceiling_s,
            o.hwm_mib,
            o.rss_target_mb
        );
    }
    Ok(())
}

/// Generates (unless already there), exports and measures one case.
async fn measure(case: &Case, dir: &Path) -> anyhow::Result<Outcome> {
    let mix = case.mix;
    println!(
        "# concerto bench export — {} : {} contributions ({} propositions, {} commentaires, {} avis, {} énoncés), {} participants, {} soutiens, {} votes, {} séances",
        case.name,
        mix.contributions(),
        mix.proposals,
        mix.comments,
        mix.opinions,
        mix.statements,
        mix.participants,
        mix.supports,
        mix.votes,
        mix.sessions
    );
    let data = dir.join("data");
    let marker = data.join("generated.txt");
    let signature = format!("{mix:?}\n");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(signature.as_str()) {
        println!("génération : reprise de {}", data.display());
    } else {
        if dir.exists() {
            std::fs::remove_dir_all(dir)
                .with_context(|| format!("nettoyage de {}", dir.display()))?;
        }
        generate(mix, &data).await?;
        std::fs::write(&marker, signature)?;
    }

    // The export, in a child process.
    let out = dir.join("bundle");
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    let started = Instant::now();
    let output = std::process::Command::new(std::env::current_exe()?)
        .args(["bench", "export-child", "--data-dir"])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("lancement de l'export (processus fils)")?;
    let process_s = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        output.status.success(),
        "l'export a échoué ({})",
        output.status
    );
    let figures: serde_json::Value = serde_json::from_slice(&output.stdout).with_context(|| {
        format!(
            "sortie du fils : {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })?;
    let f = |key: &str| figures[key].as_f64().unwrap_or(0.0);
    let mib = |key: &str| f(key) / 1024.0;
    let export_s = f("total_s");
    let hwm_mib = mib("hwm_kib");
    let (bundle_files, bundle_bytes) = folder_size(&out)?;
    println!(
        "export (processus fils, comme `concerto export synthesis`) : {:.2} s = ouverture du journal et des clés {:.2} s + relecture {:.2} s + groupes d'opinion {:.2} s + écriture des fichiers {:.2} s ; processus entier {process_s:.2} s",
        export_s,
        f("open_s"),
        f("replay_s"),
        f("groups_s"),
        f("write_s")
    );
    println!(
        "paquet : {} événements relus, {bundle_files} fichiers, {:.1} Mio",
        figures["events"],
        bundle_bytes as f64 / 1048576.0
    );
    println!(
        "RSS max de l'export : {hwm_mib:.0} Mio (après ouverture {:.0} Mio, après relecture {:.0} Mio, après groupes {:.0} Mio)",
        mib("hwm_open_kib"),
        mib("hwm_replay_kib"),
        mib("hwm_groups_kib")
    );

    // The ceiling: the same rows, read back from the bundle, written as plain CSV.
    let (rows, csv_bytes, ceiling_s) = ceiling(&out.join(DATA_DIR), &dir.join("ceiling"))?;
    println!(
        "plafond (les mêmes {rows} lignes des {} tables en CSV brut, csv::Writer seul) : {ceiling_s:.3} s, {:.1} Mio, octets identiques aux CSV du paquet",
        TABLES.len(),
        csv_bytes as f64 / 1048576.0
    );
    let ratio = export_s / ceiling_s;
    println!(
        "rapport export / plafond : {ratio:.1}× (cible ≤ {RATIO_TARGET:.0}×) — {} ; écriture seule : {:.1}×",
        verdict(ratio <= RATIO_TARGET),
        f("write_s") / ceiling_s
    );
    println!(
        "RSS max : {hwm_mib:.0} Mio = {:.0} Mo (cible < {} Mo) — {}",
        f("hwm_kib") * 1024.0 / 1e6,
        case.rss_target_mb,
        verdict(f("hwm_kib") * 1024.0 / 1e6 < case.rss_target_mb as f64)
    );
    println!();
    Ok(Outcome {
        name: case.name,
        events: figures["events"].as_u64().unwrap_or(0),
        rows,
        export_s,
        ceiling_s,
        hwm_mib,
        rss_target_mb: case.rss_target_mb,
    })
}

fn verdict(met: bool) -> &'static str {
    if met {
        "atteint"
    } else {
        "MANQUÉ"
    }
}

/// Appends the workload into a fresh data directory: the file log `events.log` and
/// the keys under `keys/`, as `concerto serve` lays them out.
async fn generate(mix: Mix, data: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    std::fs::create_dir_all(data)?;
    let backend = Arc::new(FileBackend::open(data.join("events.log"))?);
    let keys = Arc::new(BulkKeys::new(&data.join("keys")));
    let store = EventStore::new(backend, keys.clone());
    let workload = Arc::new(Workload::new(mix));
    let mut events = 0u64;
    for phase in Phase::ALL {
        let len = workload.len(phase);
        let mut start = 0;
        while start < len {
            let end = (start + BATCH).min(len);
            let mut tasks = Vec::new();
            for lane in 0..WRITERS {
                let (store, workload) = (store.clone(), workload.clone());
                tasks.push(tokio::spawn(async move {
                    let appended =
                        futures::stream::iter((start + lane..end).step_by(WRITERS as usize))
                            .map(|n| {
                                let commit = workload.commit(phase, n);
                                let store = store.clone();
                                async move {
                                    let count = commit.events.len() as u64;
                                    store
                                        .append(
                                            &commit.stream,
                                            ExpectedRevision::Any,
                                            commit.events,
                                        )
                                        .await
                                        .map(|_| count)
                                }
                            })
                            .buffer_unordered(IN_FLIGHT)
                            .collect::<Vec<_>>()
                            .await;
                    appended.into_iter().sum::<Result<u64, _>>()
                }));
            }
            for task in tasks {
                events += task.await??;
            }
            start = end;
        }
    }
    let head = store.head().await?.context("journal vide")?;
    drop(store);
    let checked = keys.check(97).await?;
    let log_bytes = std::fs::metadata(data.join("events.log"))?.len();
    println!(
        "génération : {events} événements en {:.1} s (journal fichier {:.0} Mio, tête {head} ; {} clés, {checked} relues par FileKeyStore)",
        started.elapsed().as_secs_f64(),
        log_bytes as f64 / 1048576.0,
        keys.count()
    );
    Ok(())
}

/// Reads every table's CSV of the bundle into memory (header and rows), then times
/// writing them again with a bare `csv::Writer` in the bundle's dialect (`,`, CRLF).
/// Returns the rows (headers excluded), the bytes written and the seconds.
fn ceiling(bundle_data: &Path, into: &Path) -> anyhow::Result<(u64, u64, f64)> {
    let mut tables = Vec::new();
    let mut rows = 0u64;
    for table in TABLES {
        let path = bundle_data.join(format!("{}.csv", table.name));
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(&path)
            .with_context(|| format!("lecture de {}", path.display()))?;
        let records = reader.records().collect::<Result<Vec<_>, _>>()?;
        rows += records.len().saturating_sub(1) as u64;
        tables.push((table.name, records));
    }
    if into.exists() {
        std::fs::remove_dir_all(into)?;
    }
    std::fs::create_dir_all(into)?;
    let started = Instant::now();
    for (name, records) in &tables {
        let file =
            BufWriter::with_capacity(1 << 16, File::create(into.join(format!("{name}.csv")))?);
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(file);
        for record in records {
            writer.write_record(record)?;
        }
        writer.into_inner().map_err(|e| e.into_error())?.flush()?;
    }
    let seconds = started.elapsed().as_secs_f64();
    drop(tables);
    let mut bytes = 0;
    for table in TABLES {
        let name = format!("{}.csv", table.name);
        let (ours, theirs) = (
            std::fs::read(into.join(&name))?,
            std::fs::read(bundle_data.join(&name))?,
        );
        anyhow::ensure!(
            ours == theirs,
            "{name} : le plafond n'a pas écrit les mêmes octets"
        );
        bytes += ours.len() as u64;
    }
    Ok((rows, bytes, seconds))
}

/// Files and bytes under a folder.
fn folder_size(dir: &Path) -> std::io::Result<(u64, u64)> {
    let (mut files, mut bytes) = (0, 0);
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            let (f, b) = folder_size(&entry.path())?;
            files += f;
            bytes += b;
        } else {
            files += 1;
            bytes += entry.metadata()?.len();
        }
    }
    Ok((files, bytes))
}
