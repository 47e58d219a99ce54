//! One typed settings tree: defaults, then an optional TOML file, then the environment
//! (`CONCERTO_…`, plus the conventional `NATS_URL`, `DATABASE_URL`, `LOG_FORMAT`).
//!
//! Secrets ([`Secret`]) never appear in `Debug` output, so the tree can be logged whole.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

/// A value that must never be printed (a URL with a password, a signing key).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Everything `concerto serve` can be told.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Where the HTTP server listens.
    pub listen: SocketAddr,
    /// The embedded default's directory: event log, keys, accounts, server secret.
    pub data_dir: PathBuf,
    /// NATS JetStream, when set (production).
    pub nats: Option<NatsSettings>,
    /// PostgreSQL (key store, accounts and sessions, idempotency records, read models),
    /// when set (production).
    pub database: Option<DatabaseSettings>,
    /// HTTP limits.
    pub http: HttpSettings,
    /// Rate limits.
    pub rate_limit: RateLimitSettings,
    /// Seed the demonstration concertation (once).
    pub demo: bool,
    /// Signing key for session and participant tokens; generated under `data_dir` when
    /// unset (and kept, so tokens survive a restart).
    pub token_secret: Option<Secret>,
    /// Whether the server is reached over TLS (a reverse proxy): cookies get `Secure`.
    pub behind_tls: bool,
    /// How long `/ready` tolerates projections behind the log, in commits.
    pub ready_max_lag: u64,
    /// How often the system opens and closes concertations that are due, in seconds.
    pub schedule_interval_secs: u64,
    /// What the public pages say about the deployment (publisher, host, contacts).
    pub site: crate::site::SiteSettings,
    /// The verifiable audit log.
    pub audit: AuditSettings,
}

/// The verifiable audit log's settings (its files live in `data_dir/audit-log`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditSettings {
    /// The Ed25519 signing key file; `data_dir/audit-log/signing.key` (created 0600 at
    /// first start) when unset.
    pub signing_key: Option<PathBuf>,
    /// A new tree head is signed this often while events arrive, in seconds (≤ 60).
    pub head_interval_secs: u64,
    /// Heads cover only events recorded at least this long ago, in seconds. Unset: 0 on
    /// the file log (fsync before acknowledging) and 120 on NATS (nats-server's default
    /// `sync_interval`, since it acknowledges before fsync); set 0 with
    /// `sync_interval: always`.
    pub durability_delay_secs: Option<u64>,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            signing_key: None,
            head_interval_secs: 60,
            durability_delay_secs: None,
        }
    }
}

impl Settings {
    /// The audit log's configuration under these settings.
    pub fn audit_log_config(&self) -> projections::audit_log::service::AuditLogConfig {
        let delay = self
            .audit
            .durability_delay_secs
            .unwrap_or(if self.nats.is_some() { 120 } else { 0 });
        projections::audit_log::service::AuditLogConfig {
            dir: Some(self.data_dir.join("audit-log")),
            signing_key: self.audit.signing_key.clone(),
            head_interval: std::time::Duration::from_secs(
                self.audit.head_interval_secs.clamp(1, 60),
            ),
            durability_delay: std::time::Duration::from_secs(delay),
        }
    }
}

/// NATS JetStream settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatsSettings {
    /// Server URL (may hold credentials).
    pub url: Secret,
    /// JetStream stream name.
    #[serde(default = "default_stream")]
    pub stream: String,
    /// Replicas (3 in production).
    #[serde(default = "one")]
    pub replicas: usize,
}

fn default_stream() -> String {
    "CONCERTO".into()
}

fn one() -> usize {
    1
}

/// PostgreSQL settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// Connection URL (holds the password).
    pub url: Secret,
    /// Schema for Concerto's tables: the key store's, the accounts', the idempotency
    /// records' and the read models'.
    #[serde(default = "default_schema")]
    pub schema: String,
}

fn default_schema() -> String {
    "concerto".into()
}

/// HTTP limits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// Longest a request may take, in seconds.
    pub request_timeout_secs: u64,
    /// Longest the server waits for in-flight requests at shutdown, in seconds.
    pub shutdown_grace_secs: u64,
    /// Most `Idempotency-Key` records kept in memory (embedded default; the oldest
    /// answered ones go first). PostgreSQL, when configured, keeps every record 24 h.
    pub idempotency_records: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            // Largest legitimate body: a 20 000-character article in UTF-8 with JSON
            // escaping, with room to spare.
            body_limit: 256 * 1024,
            request_timeout_secs: 30,
            shutdown_grace_secs: 20,
            idempotency_records: crate::http::idempotency::memory::DEFAULT_CAPACITY,
        }
    }
}

impl HttpSettings {
    /// The request timeout.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs.max(1))
    }
}

/// Rate limits, per participant (or staff account) and per client address (IPv6 /64).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSettings {
    /// Writes per minute one participant may make, sustained.
    pub per_participant_per_minute: u32,
    /// Burst allowed above that.
    pub per_participant_burst: u32,
    /// Requests per minute from one address: generous, because a whole town hall's
    /// attendees may share one public address.
    pub per_address_per_minute: u32,
    /// Burst allowed above that.
    pub per_address_burst: u32,
    /// Turns limits off (benchmarks, tests).
    pub disabled: bool,
    /// Reverse proxies (addresses or CIDR blocks, e.g. `["10.0.0.0/8"]`) whose
    /// `X-Forwarded-For` names the client for the per-address limit. Empty (the
    /// default): the header is ignored and the peer's address counts.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            per_participant_per_minute: 120,
            per_participant_burst: 60,
            per_address_per_minute: 6_000,
            per_address_burst: 2_000,
            disabled: false,
            trusted_proxies: Vec::new(),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            nats: None,
            database: None,
            http: HttpSettings::default(),
            rate_limit: RateLimitSettings::default(),
            demo: false,
            token_secret: None,
            behind_tls: false,
            ready_max_lag: 1_000,
            schedule_interval_secs: 30,
            site: crate::site::SiteSettings::default(),
            audit: AuditSettings::default(),
        }
    }
}

/// Why the settings could not be read.
#[derive(Debug, thiserror::Error)]
#[error("configuration invalide : {0}")]
pub struct SettingsError(String);

impl Settings {
    /// Defaults, then `file` (TOML) if given, then `CONCERTO_*` variables (nested keys
    /// with `__`, e.g. `CONCERTO_HTTP__BODY_LIMIT`), then `NATS_URL`, `DATABASE_URL`.
    pub fn load(file: Option<&std::path::Path>) -> Result<Self, SettingsError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(SettingsError(format!(
                    "fichier de configuration {} introuvable",
                    file.display()
                )));
            }
            figment = figment.merge(Toml::file(file));
        }
        figment = figment.merge(
            Env::prefixed("CONCERTO_")
                .split("__")
                // Read by the binary's other commands, not part of this tree.
                .ignore(&["nats_stream", "nats_replicas", "require_services", "config"]),
        );
        let mut settings: Settings = figment
            .extract()
            .map_err(|e| SettingsError(e.to_string()))?;
        settings.apply_service_urls(|name| std::env::var(name).ok());
        Ok(settings)
    }

    /// `NATS_URL` and `DATABASE_URL` (the names every operator knows) override the file.
    pub fn apply_service_urls(&mut self, var: impl Fn(&str) -> Option<String>) {
        let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        if let Some(url) = set("NATS_URL") {
            let stream = set("CONCERTO_NATS_STREAM").unwrap_or_else(default_stream);
            let replicas = set("CONCERTO_NATS_REPLICAS")
                .and_then(|r| r.parse().ok())
                .unwrap_or(1);
            self.nats = Some(NatsSettings {
                url: Secret::new(url),
                stream,
                replicas,
            });
        }
        if let Some(url) = set("DATABASE_URL") {
            let schema = self
                .database
                .as_ref()
                .map(|d| d.schema.clone())
                .unwrap_or_else(default_schema);
            self.database = Some(DatabaseSettings {
                url: Secret::new(url),
                schema,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_not_printed_by_debug() {
        let mut settings = Settings::default();
        settings.apply_service_urls(|name| match name {
            "DATABASE_URL" => Some("postgresql://app:hunter2@db/concerto".into()),
            "NATS_URL" => Some("nats://user:s3cret@nats:4222".into()),
            _ => None,
        });
        settings.token_secret = Some(Secret::new("signing-key"));
        let shown = format!("{settings:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(!shown.contains("signing-key"), "{shown}");
        assert_eq!(
            settings.database.unwrap().url.expose(),
            "postgresql://app:hunter2@db/concerto"
        );
    }

    #[test]
    fn the_default_is_the_embedded_server_on_localhost_8080() {
        let settings = Settings::default();
        assert_eq!(settings.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.data_dir, PathBuf::from("data"));
        assert!(settings.nats.is_none() && settings.database.is_none());
    }
}
