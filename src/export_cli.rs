//! `concerto export synthesis SLUG DIR` (and `export polis`), and `concerto verify
//! export DIR`: the commission's bundle from the command line (see
//! `projections::export`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;
use eventstore::Position;
use indicatif::{ProgressBar, ProgressStyle};
use projections::audit_log::heads::LogSigner;
use projections::export::csv::CsvFlavour;
use projections::export::{self, ExportOptions, ExportProgress, ExportRequest};

/// `concerto export …`.
#[derive(Subcommand)]
pub enum ExportCommand {
    /// Écrit la synthèse d'une concertation : données ouvertes (CSV, JSON, ODS), rapport
    /// (HTML, ODT), révision de la doctrine (ODT, Markdown) et manifest.json, calculés
    /// à une position du journal (la plus récente par défaut).
    Synthesis {
        /// Adresse (slug) de la concertation.
        slug: String,
        /// Dossier de sortie : absent ou vide.
        dir: PathBuf,
        /// Position du journal (`commit:index`) ; par défaut le dernier événement.
        #[arg(long)]
        at: Option<Position>,
        /// CSV pour Excel en français : BOM et séparateur `;`.
        #[arg(long)]
        excel: bool,
        /// Fichier de configuration TOML (puis variables CONCERTO_…, NATS_URL).
        #[arg(long, env = "CONCERTO_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Écrit la question de propositions d'une concertation au format Polis
    /// (comments.csv, votes.csv, participants-votes.csv avec les groupes d'opinion,
    /// summary.csv).
    Polis {
        /// Adresse (slug) de la concertation.
        slug: String,
        /// Dossier de sortie (créé si besoin ; les fichiers sont remplacés).
        dir: PathBuf,
    },
}

/// Runs `concerto export …`.
pub async fn run(command: ExportCommand, data_dir: &Path) -> anyhow::Result<()> {
    match command {
        ExportCommand::Polis { slug, dir } => crate::polis_cli::export(&slug, &dir, data_dir).await,
        ExportCommand::Synthesis {
            slug,
            dir,
            at,
            excel,
            config,
        } => {
            let settings = crate::serve::settings(config.as_deref(), data_dir)?;
            let store = gateway::startup::open_store_for_replay(&settings).await?;
            let signer = existing_signer(&settings)?;
            let request = ExportRequest {
                slug,
                at,
                dir: dir.clone(),
                options: ExportOptions {
                    csv: if excel {
                        CsvFlavour::Excel
                    } else {
                        CsvFlavour::Standard
                    },
                    ..ExportOptions::default()
                },
            };
            let bar = progress_bar();
            let manifest = export::export_synthesis(&store, &request, signer.as_ref(), &mut |p| {
                match p {
                    ExportProgress::Replayed(n) => bar.set_message(format!("{n} événements relus")),
                    ExportProgress::Writing(file) => bar.set_message(format!("écriture : {file}")),
                    ExportProgress::Done => {}
                }
                bar.tick();
            })
            .await;
            bar.finish_and_clear();
            let manifest = manifest?;
            println!(
                "Synthèse de « {} » exportée dans {} : {} fichiers, position {} ({} événements).",
                manifest.concertation.title,
                dir.display(),
                manifest.files.len(),
                manifest.position,
                manifest.audit.tree_size
            );
            match &manifest.audit.signed_tree_head {
                Some(_) => println!(
                    "Tête d'arbre signée jointe (racine {}).",
                    manifest.audit.root_hash
                ),
                None => println!(
                    "Sans clé du journal d'audit ici : aucune tête signée jointe (racine {}).",
                    manifest.audit.root_hash
                ),
            }
            Ok(())
        }
    }
}

/// Runs `concerto verify export DIR`.
pub async fn verify(dir: &Path, config: Option<&Path>, data_dir: &Path) -> anyhow::Result<()> {
    let settings = crate::serve::settings(config, data_dir)?;
    let store = gateway::startup::open_store_for_replay(&settings).await?;
    let scratch = std::env::temp_dir().join(format!("concerto-verify-{}", uuid::Uuid::new_v4()));
    let report = export::verify_export(&store, dir, &scratch).await?;
    println!("{} fichiers comparés au manifeste.", report.files_checked);
    if report.head_verified {
        println!("Tête d'arbre signée valide.");
    }
    for problem in &report.problems {
        println!("ÉCHEC : {problem}");
    }
    anyhow::ensure!(
        report.is_ok(),
        "l'export ne se vérifie pas ({} problème(s))",
        report.problems.len()
    );
    println!("Export vérifié : recalculé depuis le journal, chaque fichier est identique.");
    Ok(())
}

/// The audit log's signing key, if this machine holds it (an export never creates one).
fn existing_signer(settings: &gateway::settings::Settings) -> anyhow::Result<Option<LogSigner>> {
    let audit = settings.audit_log_config();
    let Some(path) = audit
        .signing_key
        .or_else(|| audit.dir.map(|d| d.join("signing.key")))
    else {
        return Ok(None);
    };
    if !path.exists() {
        return Ok(None);
    }
    LogSigner::load(&path)
        .map(Some)
        .with_context(|| format!("clé {}", path.display()))
}

/// A spinner on standard error (hidden when it is not a terminal).
fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}
