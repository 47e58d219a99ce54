//! `concerto admin create`: the first administrator, created from the command line
//! (the API only lets an administrator create accounts), in the account store the
//! server uses (PostgreSQL when `DATABASE_URL` or the settings name one, else the data
//! directory's file). Refused while a server holds the embedded log, as every command
//! that opens it.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use gateway::accounts::StaffRole;
use gateway::app::accounts::NewAccountInput;
use gateway::app::{App, Ctx};
use gateway::auth::{Caller, Tokens};
use gateway::startup::{open_accounts, open_store};

/// Account administration.
#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Crée un compte d'administration (ou d'équipe) ; le mot de passe est lu dans
    /// CONCERTO_ADMIN_PASSWORD, ou tiré au hasard et affiché une fois.
    Create {
        /// Identifiant de connexion.
        #[arg(long)]
        login: String,
        /// Nom affiché.
        #[arg(long, default_value = "Administrateur")]
        name: String,
        /// SIREN de la collectivité.
        #[arg(long)]
        collectivite: String,
        /// Rôle : administrator, commission ou facilitator.
        #[arg(long, default_value = "administrator")]
        role: String,
        /// Fichier de configuration TOML.
        #[arg(long, env = "CONCERTO_CONFIG")]
        config: Option<PathBuf>,
    },
}

fn random_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Runs an admin command.
pub async fn run(command: AdminCommand, data_dir: &Path) -> anyhow::Result<()> {
    let AdminCommand::Create {
        login,
        name,
        collectivite,
        role,
        config,
    } = command;
    let settings = crate::serve::settings(config.as_deref(), data_dir)?;
    let role = match role.as_str() {
        "administrator" | "administrateur" => StaffRole::Administrator,
        "commission" => StaffRole::Commission,
        "facilitator" | "animateur" => StaffRole::Facilitator,
        other => anyhow::bail!("rôle inconnu « {other} » (administrator, commission, facilitator)"),
    };
    // Opening the store takes the embedded log's lock: a running server makes this
    // fail with the store's own message, so two processes never write the same files.
    let store = open_store(&settings).await?;
    let accounts = open_accounts(&settings).await?;
    // Creating an account only writes: no read model is needed.
    let app = App::new(store, accounts, Tokens::new(&[0u8; 32]), None);
    let (password, generated) = match std::env::var("CONCERTO_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (random_password(), true),
    };
    let account = app
        .create_account(
            &Ctx::new(Caller::System),
            NewAccountInput {
                login,
                display_name: name,
                role,
                collectivite: Some(collectivite),
                password: password.clone(),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
    println!(
        "Compte créé : {} ({}), identifiant {}",
        account.login,
        account.role.label_fr(),
        account.id
    );
    if generated {
        println!("Mot de passe (affiché une seule fois) : {password}");
    }
    Ok(())
}

fn describe(error: &gateway::error::AppError) -> String {
    let problem = gateway::http::problem::body(error, gateway::Lang::Fr, "cli", "admin create");
    let mut text = problem["detail"].as_str().unwrap_or("refusé").to_owned();
    if let Some(errors) = problem["errors"].as_array() {
        for e in errors {
            text.push_str(&format!(
                "\n  {} : {}",
                e["pointer"].as_str().unwrap_or(""),
                e["detail"].as_str().unwrap_or("")
            ));
        }
    }
    text
}
