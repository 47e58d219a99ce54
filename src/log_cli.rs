//! `concerto log export|import`: the stored envelopes as JSON Lines.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;

/// Log maintenance.
#[derive(Subcommand)]
pub enum LogCommand {
    /// Écrit tous les événements, tels que stockés, dans FILE (JSON Lines).
    Export {
        /// Fichier de sortie (créé ou remplacé).
        file: PathBuf,
    },
    /// Ajoute les événements d'un export ; rien n'est écrit si le fichier est invalide,
    /// et réimporter le même fichier n'ajoute rien.
    Import {
        /// Fichier JSON Lines produit par `concerto log export`.
        file: PathBuf,
    },
}

/// Runs a log command against the backend the settings name (JetStream when
/// `NATS_URL` is set, the file log in the data directory otherwise).
pub async fn run(command: LogCommand, data_dir: &Path) -> anyhow::Result<()> {
    let settings = crate::serve::settings(None, data_dir)?;
    match command {
        LogCommand::Export { file } => {
            let store = gateway::startup::open_store(&settings).await?;
            let backend = store.backend();
            let temporary = file.with_extension("partial");
            let mut out = BufWriter::new(
                File::create(&temporary)
                    .with_context(|| format!("création de {}", temporary.display()))?,
            );
            let count = eventstore::jsonl::export(backend.as_ref(), &mut out).await?;
            drop(out);
            std::fs::rename(&temporary, &file)?;
            println!("{count} événements exportés dans {}", file.display());
        }
        LogCommand::Import { file } => {
            let input = BufReader::new(
                File::open(&file).with_context(|| format!("lecture de {}", file.display()))?,
            );
            let commits = eventstore::jsonl::read_commits(input)
                .with_context(|| format!("fichier {}", file.display()))?;
            let store = gateway::startup::open_store(&settings).await?;
            let backend = store.backend();
            let report = eventstore::jsonl::import(backend.as_ref(), commits).await?;
            println!(
                "{} événements lus : {} commits ajoutés, {} déjà présents",
                report.events, report.commits_written, report.commits_already_present
            );
        }
    }
    Ok(())
}
