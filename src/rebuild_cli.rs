//! `concerto rebuild [projection…]`: rebuilds PostgreSQL read models from position 0
//! into staging tables, then swaps them in (see `projections::rebuild`).

use std::path::Path;

use anyhow::Context;

/// Options of `concerto rebuild`.
#[derive(clap::Args, Debug)]
pub struct RebuildArgs {
    /// Projections à reconstruire (`main`, `audit`) ; toutes si aucune n'est nommée.
    projections: Vec<String>,
    /// Fichier de configuration TOML (puis variables CONCERTO_…, NATS_URL, DATABASE_URL).
    #[arg(long, env = "CONCERTO_CONFIG")]
    config: Option<std::path::PathBuf>,
}

/// Runs the rebuild.
pub async fn run(args: RebuildArgs, data_dir: &Path) -> anyhow::Result<()> {
    let settings = crate::serve::settings(args.config.as_deref(), data_dir)?;
    let Some(database) = settings.database.clone() else {
        anyhow::bail!(
            "sans DATABASE_URL, les modèles de lecture sont en mémoire et reconstruits à chaque démarrage du serveur : rien à reconstruire"
        );
    };
    let store = gateway::startup::open_store(&settings).await?;
    let rebuilt = projections::rebuild::rebuild(
        &store,
        database.url.expose(),
        &database.schema,
        &args.projections,
    )
    .await
    .context("reconstruction")?;
    for done in rebuilt {
        match done.up_to {
            Some(position) => println!(
                "projection « {} » reconstruite jusqu'à la position {position}",
                done.projection
            ),
            None => println!(
                "projection « {} » reconstruite (journal vide)",
                done.projection
            ),
        }
    }
    Ok(())
}
