//! `concerto audit key` and `concerto verify log|receipt`: the verifiable audit log from
//! the command line (see docs/audit.md).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;
use projections::audit_log::heads::{public_key_from_hex, LogSigner, SignedTreeHead};
use projections::audit_log::service::{ConsistencyAnswer, Receipt};
use projections::audit_log::verify::{
    stored_public_key, verify_heads_consistent, verify_log, verify_receipt,
};

/// The audit log's key.
#[derive(Subcommand)]
pub enum AuditCommand {
    /// Affiche la clé publique Ed25519 du journal d'audit (créée au premier démarrage).
    Key {
        /// Fichier de configuration TOML (puis variables CONCERTO_…).
        #[arg(long, env = "CONCERTO_CONFIG")]
        config: Option<PathBuf>,
    },
}

/// What `concerto verify` checks.
#[derive(Subcommand)]
pub enum VerifyCommand {
    /// Recalcule chaque feuille depuis le journal d'événements et vérifie chaque tête
    /// signée et la cohérence entre têtes successives (serveur arrêté).
    Log {
        /// Clé publique attendue (hexadécimal) ; sinon celle du répertoire des données.
        #[arg(long)]
        public_key: Option<String>,
        /// Fichier de configuration TOML (puis variables CONCERTO_…, NATS_URL).
        #[arg(long, env = "CONCERTO_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Vérifie un reçu (promesse, tête, preuve d'inclusion) ; avec --server, aussi la
    /// clé du serveur et la cohérence avec sa dernière tête.
    Receipt {
        /// Le reçu téléchargé (JSON).
        file: PathBuf,
        /// Adresse du serveur Concerto, par exemple http://127.0.0.1:8080.
        #[arg(long)]
        server: Option<String>,
    },
    /// Vérifie un export de synthèse : empreintes du manifeste, tête signée, puis
    /// recalcul depuis le journal à la même position et comparaison fichier par fichier.
    Export {
        /// Le dossier de l'export (avec son manifest.json).
        dir: PathBuf,
        /// Fichier de configuration TOML (puis variables CONCERTO_…, NATS_URL).
        #[arg(long, env = "CONCERTO_CONFIG")]
        config: Option<PathBuf>,
    },
}

/// Runs `concerto audit …`.
pub async fn run_audit(command: AuditCommand, data_dir: &Path) -> anyhow::Result<()> {
    match command {
        AuditCommand::Key { config } => {
            let settings = crate::serve::settings(config.as_deref(), data_dir)?;
            let audit = settings.audit_log_config();
            let path = audit
                .signing_key
                .or_else(|| audit.dir.map(|d| d.join("signing.key")))
                .context("aucun emplacement de clé")?;
            let signer = LogSigner::load_or_create(&path)
                .with_context(|| format!("clé {}", path.display()))?;
            println!(
                "Clé publique Ed25519 du journal d'audit : {}",
                projections::merkle::to_hex(signer.public_key().as_bytes())
            );
            println!(
                "Identifiant de clé (SHA-256) : {}",
                projections::merkle::to_hex(&signer.key_id())
            );
        }
    }
    Ok(())
}

/// Runs `concerto verify …`; an error (non-zero exit) when anything fails to verify.
pub async fn run_verify(command: VerifyCommand, data_dir: &Path) -> anyhow::Result<()> {
    match command {
        VerifyCommand::Export { dir, config } => {
            return crate::export_cli::verify(&dir, config.as_deref(), data_dir).await;
        }
        VerifyCommand::Log { public_key, config } => {
            let settings = crate::serve::settings(config.as_deref(), data_dir)?;
            let dir = settings
                .audit_log_config()
                .dir
                .context("aucun répertoire du journal d'audit")?;
            let key = match public_key {
                Some(hex) => public_key_from_hex(&hex)?,
                None => stored_public_key(&dir)?,
            };
            let store = gateway::startup::open_store(&settings).await?;
            let report = verify_log(store.backend().as_ref(), &dir, &key).await?;
            println!(
                "{} événements, {} feuilles, {} têtes signées vérifiées",
                report.events, report.leaves, report.heads
            );
            for problem in &report.problems {
                println!("ÉCHEC : {problem}");
            }
            anyhow::ensure!(
                report.problems.is_empty(),
                "le journal ne se vérifie pas ({} problème(s))",
                report.problems.len()
            );
            println!("Journal vérifié : chaque feuille, chaque tête et leur cohérence.");
        }
        VerifyCommand::Receipt { file, server } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("lecture de {}", file.display()))?;
            let receipt: Receipt = serde_json::from_str(&text)
                .with_context(|| format!("{} n'est pas un reçu Concerto", file.display()))?;
            let served_key = match &server {
                Some(url) => Some(fetch_key(url).await?),
                None => None,
            };
            let report = verify_receipt(&receipt, served_key.as_ref())?;
            println!(
                "Promesse signée valide : événement {}, feuille {}",
                report.event_id, report.leaf_hash
            );
            match (report.included, &receipt.tree_head) {
                (Some((index, size)), Some(head)) => {
                    println!("Inclus : feuille {index} de l'arbre de {size} feuilles (tête signée valide)");
                    if let Some(url) = &server {
                        let latest = check_consistency(url, head).await?;
                        println!(
                            "Cohérent avec la dernière tête du serveur ({} feuilles) : le journal n'a fait que grandir",
                            latest
                        );
                    }
                }
                _ => println!(
                    "Pas encore de tête signée dans ce reçu : téléchargez-le de nouveau après la prochaine tête"
                ),
            }
            if server.is_none() {
                println!("Sans --server, la clé est celle que le reçu annonce : comparez-la à la clé publiée.");
            }
        }
    }
    Ok(())
}

fn api(url: &str, path: &str) -> String {
    format!("{}/api/v1{path}", url.trim_end_matches('/'))
}

async fn get_json<T: serde::de::DeserializeOwned>(url: String) -> anyhow::Result<T> {
    let response = reqwest::get(&url)
        .await
        .with_context(|| format!("requête {url}"))?;
    anyhow::ensure!(
        response.status().is_success(),
        "{url} : statut {}",
        response.status()
    );
    response
        .json()
        .await
        .with_context(|| format!("réponse de {url}"))
}

async fn fetch_key(url: &str) -> anyhow::Result<projections::audit_log::heads::VerifyingKey> {
    let key: serde_json::Value = get_json(api(url, "/audit/key")).await?;
    let hex = key["public_key"]
        .as_str()
        .context("le serveur ne donne pas de clé publique")?;
    Ok(public_key_from_hex(hex)?)
}

/// Checks the receipt's head against the server's latest; returns the latest size.
async fn check_consistency(url: &str, head: &SignedTreeHead) -> anyhow::Result<u64> {
    let latest: SignedTreeHead = get_json(api(url, "/audit/heads/latest")).await?;
    let key = fetch_key(url).await?;
    latest.verify(&key)?;
    anyhow::ensure!(
        latest.tree_size >= head.tree_size,
        "la dernière tête du serveur ({}) est plus petite que celle du reçu ({})",
        latest.tree_size,
        head.tree_size
    );
    let proof: ConsistencyAnswer = get_json(api(
        url,
        &format!(
            "/audit/proofs/consistency?first={}&second={}",
            head.tree_size, latest.tree_size
        ),
    ))
    .await?;
    verify_heads_consistent(head, &latest, &proof)
        .context("la dernière tête du serveur ne prolonge pas celle du reçu")?;
    Ok(latest.tree_size)
}
