//! The gateway's own PostgreSQL tables (staff accounts, revoked sessions, idempotency
//! records), created by versioned migrations applied at connect.
//!
//! Migrations are numbered and never edited once released: a new column or table is a
//! new entry at the end of [`MIGRATIONS`]. They run in one transaction under an
//! advisory lock, and table `gateway_migrations` records the versions applied, so two
//! servers starting together apply each migration once.

use tokio_postgres::{Client, NoTls};

use crate::error::{AppError, AppResult};

/// A migration: version, what it does (recorded), and its SQL, `{s}` standing for the
/// quoted schema.
type Migration = (i32, &'static str, &'static str);

/// Every migration, in order.
const MIGRATIONS: &[Migration] = &[
    (
        1,
        "comptes d'équipe et sessions révoquées",
        r#"
CREATE TABLE {s}.staff_accounts (
  id uuid PRIMARY KEY,
  login text NOT NULL,
  login_key text NOT NULL UNIQUE CHECK (login_key = lower(btrim(login))),
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('facilitator', 'commission', 'administrator')),
  collectivite text CHECK (collectivite ~ '^[0-9]{9}$'),
  password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  created_at timestamptz NOT NULL);
COMMENT ON TABLE {s}.staff_accounts IS 'Comptes de l''équipe (animateurs, commission, administrateurs) ; hors du journal d''événements.';
COMMENT ON COLUMN {s}.staff_accounts.id IS 'Identifiant du compte, celui des métadonnées des événements.';
COMMENT ON COLUMN {s}.staff_accounts.login IS 'Identifiant de connexion tel que saisi à la création.';
COMMENT ON COLUMN {s}.staff_accounts.login_key IS 'Identifiant de connexion normalisé (minuscules, sans espaces autour) : unique.';
COMMENT ON COLUMN {s}.staff_accounts.display_name IS 'Nom montré aux collègues.';
COMMENT ON COLUMN {s}.staff_accounts.role IS 'Rôle : facilitator (animateur), commission, administrator.';
COMMENT ON COLUMN {s}.staff_accounts.collectivite IS 'SIREN de la collectivité (commission et administration).';
COMMENT ON COLUMN {s}.staff_accounts.password_hash IS 'Empreinte argon2id du mot de passe (chaîne PHC) ; jamais le mot de passe.';
COMMENT ON COLUMN {s}.staff_accounts.created_at IS 'Date de création du compte.';
CREATE TABLE {s}.staff_session_revocations (
  session_id text PRIMARY KEY,
  revoked_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL);
CREATE INDEX staff_session_revocations_expires_at ON {s}.staff_session_revocations (expires_at);
COMMENT ON TABLE {s}.staff_session_revocations IS 'Sessions de l''équipe fermées avant leur échéance (déconnexion) ; une ligne sert jusqu''à l''échéance du jeton.';
COMMENT ON COLUMN {s}.staff_session_revocations.session_id IS 'Identifiant aléatoire de la session (champ sid du jeton).';
COMMENT ON COLUMN {s}.staff_session_revocations.revoked_at IS 'Date de la déconnexion.';
COMMENT ON COLUMN {s}.staff_session_revocations.expires_at IS 'Échéance du jeton : passé cette date, la ligne peut être effacée.';
"#,
    ),
    (
        2,
        "enregistrements d'idempotence",
        r#"
CREATE TABLE {s}.idempotency_records (
  scope bytea PRIMARY KEY CHECK (octet_length(scope) = 32),
  request_hash bytea NOT NULL CHECK (octet_length(request_hash) = 32),
  status smallint CHECK (status BETWEEN 100 AND 599),
  headers jsonb,
  body bytea,
  started_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  CHECK ((status IS NULL) = (body IS NULL) AND (status IS NULL) = (headers IS NULL)));
CREATE INDEX idempotency_records_expires_at ON {s}.idempotency_records (expires_at);
COMMENT ON TABLE {s}.idempotency_records IS 'Requêtes POST munies d''un en-tête Idempotency-Key : la première réponse, rejouée pendant 24 h.';
COMMENT ON COLUMN {s}.idempotency_records.scope IS 'SHA-256 de l''authentification de l''appelant et de la clé : deux appelants ne partagent jamais une clé.';
COMMENT ON COLUMN {s}.idempotency_records.request_hash IS 'SHA-256 de la méthode, du chemin et du corps de la requête.';
COMMENT ON COLUMN {s}.idempotency_records.status IS 'Statut HTTP de la réponse ; NULL tant que la requête est en cours.';
COMMENT ON COLUMN {s}.idempotency_records.headers IS 'En-têtes rejoués ([nom, valeur], par exemple content-type et location).';
COMMENT ON COLUMN {s}.idempotency_records.body IS 'Corps de la réponse.';
COMMENT ON COLUMN {s}.idempotency_records.started_at IS 'Arrivée de la première requête.';
COMMENT ON COLUMN {s}.idempotency_records.expires_at IS 'Fin de validité : 24 h après la réponse, ou peu après l''arrivée si la requête n''a jamais fini.';
"#,
    ),
];

/// Arbitrary, fixed: serialises the gateway's migrations across servers.
const MIGRATION_LOCK: i64 = 0x636f_6e63_6777_0001;

pub(crate) fn pg(e: tokio_postgres::Error) -> AppError {
    AppError::Internal(format!("PostgreSQL : {e}"))
}

/// Connects to `url`, applies the migrations not yet applied in `schema` (created if
/// missing), and returns the client with the quoted schema name. The connection runs
/// on its own task and logs its loss; statements then fail with an internal error.
pub async fn connect(url: &str, schema: &str) -> AppResult<(Client, String)> {
    let quoted = projections::postgres::quoted_schema(schema)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let (mut client, connection) = tokio_postgres::connect(url, NoTls).await.map_err(pg)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::error!(error = %e, "connexion PostgreSQL du serveur perdue");
        }
    });
    // One transaction under the lock: two servers starting together neither race on
    // `CREATE SCHEMA` nor apply a migration twice; a failed migration leaves nothing.
    let tx = client.transaction().await.map_err(pg)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(pg)?;
    tx.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {quoted};
         CREATE TABLE IF NOT EXISTS {quoted}.gateway_migrations (
           version integer PRIMARY KEY,
           description text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now());
         COMMENT ON TABLE {quoted}.gateway_migrations IS 'Versions appliquées du schéma du serveur (comptes, idempotence).';"
    ))
    .await
    .map_err(pg)?;
    let applied: Vec<i32> = tx
        .query(
            &format!("SELECT version FROM {quoted}.gateway_migrations"),
            &[],
        )
        .await
        .map_err(pg)?
        .iter()
        .map(|row| row.get(0))
        .collect();
    for (version, description, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        tx.batch_execute(&sql.replace("{s}", &quoted))
            .await
            .map_err(pg)?;
        tx.execute(
            &format!(
                "INSERT INTO {quoted}.gateway_migrations (version, description) VALUES ($1, $2)"
            ),
            &[version, description],
        )
        .await
        .map_err(pg)?;
        tracing::info!(version, description, "migration du schéma appliquée");
    }
    tx.commit().await.map_err(pg)?;
    Ok((client, quoted))
}

/// What the PostgreSQL tests of the gateway's stores share.
#[cfg(test)]
pub(crate) mod testing {
    /// `DATABASE_URL`, or `None` (and a "SKIPPED" line) when unset; panics when unset
    /// under `CONCERTO_REQUIRE_SERVICES=1`.
    pub fn database_url(test: &str) -> Option<String> {
        match std::env::var("DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => Some(url),
            _ if std::env::var("CONCERTO_REQUIRE_SERVICES").as_deref() == Ok("1") => {
                panic!("{test}: DATABASE_URL is required (CONCERTO_REQUIRE_SERVICES=1)")
            }
            _ => {
                println!("SKIPPED: {test}: DATABASE_URL not set");
                None
            }
        }
    }

    /// A schema name no other test uses.
    pub fn fresh_schema(prefix: &str) -> String {
        format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
    }

    /// Drops `schema` and everything in it.
    pub async fn drop_schema(url: &str, schema: &str) {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
            .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
            .await
            .unwrap();
    }
}
