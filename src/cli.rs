//! Command-line interface: parses arguments and dispatches to the subcommands.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Concerto, moteur de concertation territoriale.
#[derive(Parser)]
#[command(name = "concerto", version, about)]
struct Cli {
    /// Répertoire des données du mode embarqué (journal, clés).
    #[arg(long, global = true, env = "CONCERTO_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Export et import du journal d'événements (sauvegarde, migration vers JetStream).
    #[command(subcommand)]
    Log(crate::log_cli::LogCommand),
    /// Lance le serveur (API JSON, projections) ; `--demo` sème la démonstration.
    Serve(crate::serve::ServeArgs),
    /// Administration des comptes d'équipe.
    #[command(subcommand)]
    Admin(crate::admin::AdminCommand),
    /// Reconstruit les modèles de lecture PostgreSQL depuis le début du journal.
    Rebuild(crate::rebuild_cli::RebuildArgs),
    /// Import de données ouvertes (Polis).
    #[command(subcommand)]
    Import(crate::polis_cli::ImportCommand),
    /// Export de la synthèse pour la commission, ou vers Polis.
    #[command(subcommand)]
    Export(crate::export_cli::ExportCommand),
    /// Journal d'audit vérifiable : clé publique.
    #[command(subcommand)]
    Audit(crate::audit_cli::AuditCommand),
    /// Vérifications : le journal d'audit entier, ou un reçu.
    #[command(subcommand)]
    Verify(crate::audit_cli::VerifyCommand),
    /// Mesures de performance (voir BENCHMARKS.md).
    #[command(subcommand)]
    Bench(crate::bench::BenchCommand),
}

/// Parses the command line and runs the chosen subcommand.
pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new()?;
    match cli.command {
        Command::Log(command) => runtime.block_on(crate::log_cli::run(command, &cli.data_dir)),
        Command::Rebuild(args) => runtime.block_on(crate::rebuild_cli::run(args, &cli.data_dir)),
        Command::Import(command) => {
            runtime.block_on(crate::polis_cli::import(command, &cli.data_dir))
        }
        Command::Export(command) => {
            runtime.block_on(crate::export_cli::run(command, &cli.data_dir))
        }
        Command::Audit(command) => {
            runtime.block_on(crate::audit_cli::run_audit(command, &cli.data_dir))
        }
        Command::Verify(command) => {
            runtime.block_on(crate::audit_cli::run_verify(command, &cli.data_dir))
        }
        Command::Bench(command) => runtime.block_on(crate::bench::run(command)),
        Command::Serve(args) => {
            crate::telemetry::init();
            runtime.block_on(crate::serve::run(args, &cli.data_dir))
        }
        Command::Admin(command) => runtime.block_on(crate::admin::run(command, &cli.data_dir)),
    }
}
