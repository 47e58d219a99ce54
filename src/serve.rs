//! `concerto serve`: settings, build, print what an operator needs (address, demo
//! credentials created now, when it answers every route), serve until SIGINT/SIGTERM.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::Args;
use gateway::settings::Settings;
use gateway::startup::{shutdown_signal, Application};

/// Options of `concerto serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Adresse d'écoute (par défaut 127.0.0.1:8080).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Sème la concertation de démonstration (une seule fois).
    #[arg(long)]
    demo: bool,
    /// Fichier de configuration TOML (puis variables CONCERTO_…, NATS_URL, DATABASE_URL).
    #[arg(long, env = "CONCERTO_CONFIG")]
    config: Option<PathBuf>,
}

/// Reads the settings for a command: file, environment, then the command line.
pub fn settings(config: Option<&Path>, data_dir: &Path) -> anyhow::Result<Settings> {
    let mut settings = Settings::load(config)?;
    settings.data_dir = data_dir.to_owned();
    Ok(settings)
}

/// Runs the server.
pub async fn run(args: ServeArgs, data_dir: &Path) -> anyhow::Result<()> {
    let mut settings = settings(args.config.as_deref(), data_dir)?;
    if let Some(listen) = args.listen {
        settings.listen = listen;
    }
    settings.demo |= args.demo;
    let application = Application::build_with_pages(settings, Some(web::pages)).await?;
    for account in application.seeded_accounts() {
        println!(
            "Compte de démonstration créé — identifiant : {}  rôle : {}  mot de passe : {}",
            account.login,
            account.role.label_fr(),
            account.password
        );
    }
    // The address is printed once the server answers every route: while it catches up
    // with the log, only `/health`, `/ready` and `/metrics` do.
    let address = application.local_addr();
    println!("Concerto démarre sur http://{address} : chargement du journal");
    let caught_up = application.caught_up_signal();
    tokio::spawn(async move {
        if gateway::http::starting::opened(caught_up).await {
            println!("Concerto écoute sur http://{address}");
        }
    });
    application.run_until(shutdown_signal()).await
}
