//! `concerto import polis DIR` and `concerto export polis SLUG DIR`: Polis open data in
//! and out, through the event store the settings name (see `projections::polis_interop`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;
use domain::territory::TerritoryCode;
use domain::values::{Siren, Slug, TextHash};
use projections::opinion_groups::Parameters;
use projections::polis_interop::{self, ImportOptions};

/// `concerto import …`.
#[derive(Subcommand)]
pub enum ImportCommand {
    /// Importe un export Polis (comments.csv, votes.csv ou participants-votes.csv,
    /// summary.csv) comme une concertation à une question de propositions. Rien n'est
    /// écrit si un fichier est invalide ; réimporter le même dossier n'ajoute rien.
    Polis {
        /// Dossier de l'export Polis.
        dir: PathBuf,
        /// Adresse (slug) de la concertation ; par défaut `polis-` suivi du nom du dossier.
        #[arg(long)]
        concertation: Option<String>,
        /// SIREN de la collectivité organisatrice ; par défaut celle de la démonstration.
        #[arg(long)]
        collectivite: Option<String>,
        /// Territoires concernés (codes `COM:…`, `EPCI:…`, `DEP:…`, `REG:…`, `FR`).
        #[arg(long = "territoire", default_value = "FR")]
        territories: Vec<String>,
    },
}

/// The slug a directory gets by default: `polis-` and its name in lowercase ASCII
/// (`scoop-hivemind.biodiversity` → `polis-scoop-hivemind-biodiversity`).
fn default_slug(dir: &Path) -> String {
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let words: Vec<String> = name
        .to_ascii_lowercase()
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    let mut slug = format!("polis-{}", words.join("-"));
    slug.truncate(domain::limits::SLUG_MAX_CHARS);
    slug.trim_end_matches('-').to_owned()
}

fn parsed<T>(what: &str, value: Result<T, domain::Rejection>) -> anyhow::Result<T> {
    value.map_err(|r| anyhow::anyhow!("{what} : {}", r.message(domain::Lang::Fr)))
}

/// Runs an import command.
pub async fn import(command: ImportCommand, data_dir: &Path) -> anyhow::Result<()> {
    let ImportCommand::Polis {
        dir,
        concertation,
        collectivite,
        territories,
    } = command;
    let export = polis_interop::read_dir(&dir)?;
    let slug = concertation.unwrap_or_else(|| default_slug(&dir));
    let options = ImportOptions {
        slug: parsed("--concertation", Slug::parse(&slug))?,
        collectivite: match collectivite {
            Some(siren) => parsed("--collectivite", Siren::parse(&siren))?,
            None => domain::demo::demo_collectivite(),
        },
        territories: territories
            .iter()
            .map(|t| parsed("--territoire", TerritoryCode::parse(t)))
            .collect::<anyhow::Result<_>>()?,
    };
    // Imported participants never log in: their recovery codes are random and dropped.
    let plan = polis_interop::plan(&export, &options, &mut || {
        TextHash::of(&uuid::Uuid::new_v4().to_string())
    })?;
    let settings = crate::serve::settings(None, data_dir)?;
    let store = gateway::startup::open_store(&settings).await?;
    let report = polis_interop::append_plan(&store, &plan).await.context(
        "ajout des événements (réimporter le même dossier reprend là où l'import s'est arrêté)",
    )?;
    println!(
        "concertation « {} » : {} participants, {} propositions, {} votes ({} votes répétés à l'identique ignorés)",
        plan.slug, plan.participants, plan.statements, plan.votes, plan.repeated_votes
    );
    println!(
        "{} événements ajoutés en {} écritures, {} écritures déjà présentes",
        report.events_written, report.commits_written, report.commits_already_present
    );
    Ok(())
}

/// Runs an export command.
pub async fn export(slug: &str, dir: &Path, data_dir: &Path) -> anyhow::Result<()> {
    let slug = parsed("SLUG", Slug::parse(slug))?;
    let settings = crate::serve::settings(None, data_dir)?;
    let store = gateway::startup::open_store(&settings).await?;
    let conversation = polis_interop::export::collect(&store, &slug).await?;
    let groups = conversation.groups(&Parameters::default());
    polis_interop::export::write(&conversation, &groups, dir)?;
    println!(
        "{} propositions, {} votes, {} groupes d'opinion exportés dans {}",
        conversation.statements.len(),
        conversation.votes.len(),
        groups.groups.len(),
        dir.display()
    );
    Ok(())
}
