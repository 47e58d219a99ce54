//! The main read model in PostgreSQL: typed, documented tables an analyst can query
//! from any SQL tool, written in bulk with the checkpoint in one transaction.
//!
//! The projection logic is [`ReadModel::apply`](crate::model::ReadModel::apply), run on
//! an in-memory mirror; each batch writes the rows the batch touched. At start the
//! mirror is refolded from the log up to the stored checkpoint (no writes), so the
//! tables and the mirror agree; a changed [`MainModel::VERSION`] empties the tables and
//! rebuilds them from position 0.

use std::borrow::Cow;

use std::collections::BTreeSet;

use async_trait::async_trait;
use eventstore::{EventStore, Position, ReadFrom, StreamFilter};
use serde::Serialize;
use tokio_postgres::types::Type;

use crate::bulk::{Cell, Column, Table, Upsert};
use crate::error::ProjectionError;
use crate::main_model::{DecodedBatch, MainModel, MemoryModel};
use crate::model::rows::ContributionStatusRow;
use crate::model::{ReadModel, Touched};
use crate::postgres::{save_checkpoint, PgProjectionDb};
use crate::runner::{Projection, Target, CATCH_UP_BATCH};

/// The DDL of the main model's tables, with their documentation.
const TABLES: &str = r#"
CREATE TABLE IF NOT EXISTS {s}.concertations (
  id uuid PRIMARY KEY, slug text NOT NULL UNIQUE, collectivite text NOT NULL, title text NOT NULL,
  description text NOT NULL, territories text[] NOT NULL, phase text NOT NULL, moderation text NOT NULL,
  opens_at timestamptz NOT NULL, closes_at timestamptz NOT NULL, contribution_count bigint NOT NULL,
  participant_count bigint NOT NULL, vote_count bigint NOT NULL, synthesis text);
COMMENT ON TABLE {s}.concertations IS 'Concertations : phase (draft, open, closed, synthesis_published, archived), périmètre (codes INSEE préfixés COM:, EPCI:, DEP:, REG:, FR) et compteurs.';
COMMENT ON COLUMN {s}.concertations.participant_count IS 'Participants distincts ayant contribué, voté ou soutenu.';
COMMENT ON COLUMN {s}.concertations.vote_count IS 'Votes en vigueur (le dernier par participant et déclaration).';
CREATE TABLE IF NOT EXISTS {s}.questions (
  id uuid PRIMARY KEY, concertation uuid NOT NULL, rank integer NOT NULL, kind jsonb NOT NULL, prompt text NOT NULL);
COMMENT ON TABLE {s}.questions IS 'Questions d''une concertation : ouverte (open), déclarations à voter (statements) ou amendements (amendments, avec la doctrine visée).';
CREATE TABLE IF NOT EXISTS {s}.themes (
  id uuid PRIMARY KEY, concertation uuid NOT NULL, rank integer NOT NULL, label text NOT NULL);
COMMENT ON TABLE {s}.themes IS 'Thèmes d''une concertation.';
CREATE TABLE IF NOT EXISTS {s}.participants (
  id uuid PRIMARY KEY, kind text NOT NULL, commune text, verification text NOT NULL, erased boolean NOT NULL);
COMMENT ON TABLE {s}.participants IS 'Participants pseudonymes, sans donnée personnelle : type (citoyen, entreprise, agent_public), commune déclarée, niveau de vérification.';
CREATE TABLE IF NOT EXISTS {s}.contributions (
  id uuid PRIMARY KEY, concertation uuid NOT NULL, question uuid NOT NULL, kind text NOT NULL,
  author uuid NOT NULL, author_kind text, author_verification text, parent uuid, themes uuid[] NOT NULL,
  language text NOT NULL, body text, status text NOT NULL, hidden_reason text, duplicate_of uuid,
  featured boolean NOT NULL, revisions integer NOT NULL, supports bigint NOT NULL, oppositions bigint NOT NULL,
  reports bigint NOT NULL, appeal_pending boolean NOT NULL, answer_outcome text, answer_justification text,
  recorded_in_session boolean NOT NULL, amendment jsonb, submitted_at timestamptz NOT NULL,
  commit_number bigint NOT NULL, commit_index integer NOT NULL);
CREATE INDEX IF NOT EXISTS contributions_concertation ON {s}.contributions (concertation, commit_number, commit_index);
COMMENT ON TABLE {s}.contributions IS 'Contributions (opinion, proposal, statement, amendment, comment) avec leur statut de modération (pending, published, hidden, duplicate, withdrawn) ; body est NULL une fois effacé (clé détruite).';
COMMENT ON COLUMN {s}.contributions.author_kind IS 'Type du participant auteur (citoyen, entreprise, agent_public).';
COMMENT ON COLUMN {s}.contributions.supports IS 'Soutiens en vigueur.';
COMMENT ON COLUMN {s}.contributions.amendment IS 'Pour un amendement : doctrine, version lue, article, empreinte du texte de base, opération (replace, insert, delete).';
COMMENT ON COLUMN {s}.contributions.oppositions IS 'Oppositions en vigueur.';
CREATE TABLE IF NOT EXISTS {s}.votes (
  participant uuid NOT NULL, statement uuid NOT NULL, vote text NOT NULL, PRIMARY KEY (participant, statement));
COMMENT ON TABLE {s}.votes IS 'Le dernier vote (agree, disagree, pass) de chaque participant sur chaque déclaration.';
CREATE TABLE IF NOT EXISTS {s}.statement_tallies (
  statement uuid PRIMARY KEY, agree bigint NOT NULL, disagree bigint NOT NULL, pass bigint NOT NULL, by_kind jsonb NOT NULL, by_territory jsonb NOT NULL);
COMMENT ON TABLE {s}.statement_tallies IS 'Décompte des votes par déclaration, au total, par type de participant (by_kind) et par territoire des votants ayant indiqué leur commune (by_territory : COM:, EPCI:, DEP:, REG:).';
CREATE TABLE IF NOT EXISTS {s}.moderation_log (
  seq bigint PRIMARY KEY, contribution uuid NOT NULL, facilitator uuid NOT NULL, decision jsonb NOT NULL,
  note text NOT NULL, decided_at timestamptz NOT NULL);
COMMENT ON TABLE {s}.moderation_log IS 'Journal de modération : chaque décision, avec l''animateur, la décision, la note et l''heure.';
"#;

/// Every table the main model writes (emptied by a version change, swapped by a rebuild).
pub const TABLE_NAMES: &[&str] = &[
    "concertations",
    "questions",
    "themes",
    "participants",
    "contributions",
    "votes",
    "statement_tallies",
    "moderation_log",
];

/// A stored code for an enum: its serde name, or its JSON for richer values.
fn code<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn cell<T: tokio_postgres::types::ToSql + Sync + Send + 'static>(value: T) -> Cell {
    Box::new(value)
}

/// The main model's PostgreSQL target.
pub struct PostgresModel {
    db: PgProjectionDb,
    /// The upserts of [`tables`], in that order, prepared on first write (after a
    /// version change has recreated the tables).
    upserts: Option<Vec<Upsert>>,
    mirror: MemoryModel,
    store: EventStore,
    broken: bool,
}

impl PostgresModel {
    /// Connects, creates the tables, and takes the writer lock (waiting for it).
    /// `mirror` is the in-memory model this process's queries read.
    pub async fn connect(
        url: &str,
        schema: &str,
        store: EventStore,
        mirror: MemoryModel,
    ) -> Result<Self, ProjectionError> {
        let db = PgProjectionDb::connect(url, schema, MainModel::NAME).await?;
        crate::postgres::migrate(&db.client, &TABLES.replace("{s}", &db.schema)).await?;
        Ok(Self {
            db,
            upserts: None,
            mirror,
            store,
            broken: false,
        })
    }

    async fn warm_mirror(&self, up_to: Position) -> Result<(), ProjectionError> {
        let mut from = ReadFrom::Start;
        loop {
            let events = self.store.read_all(from, &StreamFilter::All, 4096).await?;
            let Some(last) = events.last().map(|e| e.position()) else {
                return Ok(());
            };
            let batch: DecodedBatch = MainModel
                .fold(events)
                .into_iter()
                .filter(|(e, _)| e.position() <= up_to)
                .collect();
            if let Some(end) = batch.last().map(|(e, _)| e.position()) {
                self.mirror.apply(&batch, end);
            }
            if last >= up_to {
                return Ok(());
            }
            from = ReadFrom::After(last);
        }
    }

    async fn write(
        &mut self,
        touched: Vec<Touched>,
        up_to: Position,
    ) -> Result<(), ProjectionError> {
        let mut concertations = BTreeSet::new();
        let mut contributions = BTreeSet::new();
        let mut participants = BTreeSet::new();
        let mut votes = BTreeSet::new();
        let mut tallies = BTreeSet::new();
        let mut new_entries = 0;
        for t in touched {
            concertations.extend(t.concertations);
            contributions.extend(t.contributions);
            participants.extend(t.participants);
            votes.extend(t.votes);
            tallies.extend(t.tallies);
            new_entries += t.moderation_entries;
        }
        let rows = {
            let model = self.mirror.read();
            Rows::collect(
                &model,
                &concertations,
                &contributions,
                &participants,
                &votes,
                &tallies,
                new_entries,
            )
        };
        if self.upserts.is_none() {
            let mut upserts = Vec::new();
            for table in tables() {
                upserts.push(Upsert::prepare(&self.db.client, &self.db.schema, &table).await?);
            }
            self.upserts = Some(upserts);
        }
        let upserts = self.upserts.as_ref().expect("prepared above");
        let PgProjectionDb {
            client,
            checkpoint_statement,
            ..
        } = &mut self.db;
        let tables = rows.into_tables();
        let parameters: Vec<_> = upserts
            .iter()
            .zip(&tables)
            .filter_map(|(upsert, rows)| upsert.parameters(rows).map(|p| (upsert, p)))
            .collect();
        let transaction = client.transaction().await?;
        // Every table's upsert and the checkpoint go out together (pipelined): one round
        // trip, then the commit makes all of them durable or none.
        let writes = futures::future::try_join_all(
            parameters
                .iter()
                .map(|(upsert, p)| upsert.execute(&transaction, p)),
        );
        let checkpoint = save_checkpoint(
            &transaction,
            checkpoint_statement,
            MainModel::NAME,
            MainModel::VERSION,
            up_to,
        );
        futures::future::try_join(writes, checkpoint).await?;
        transaction.commit().await?;
        Ok(())
    }
}

/// The rows one batch writes, collected under the mirror's read lock.
struct Rows {
    concertations: Vec<Vec<Cell>>,
    questions: Vec<Vec<Cell>>,
    themes: Vec<Vec<Cell>>,
    participants: Vec<Vec<Cell>>,
    contributions: Vec<Vec<Cell>>,
    votes: Vec<Vec<Cell>>,
    tallies: Vec<Vec<Cell>>,
    moderation: Vec<Vec<Cell>>,
}

impl Rows {
    fn collect(
        model: &ReadModel,
        concertations: &BTreeSet<domain::values::ConcertationId>,
        contributions: &BTreeSet<domain::values::ContributionId>,
        participants: &BTreeSet<domain::values::ParticipantId>,
        votes: &BTreeSet<(
            domain::values::ParticipantId,
            domain::values::ContributionId,
        )>,
        tallies: &BTreeSet<domain::values::ContributionId>,
        new_entries: usize,
    ) -> Self {
        let mut rows = Self {
            concertations: Vec::new(),
            questions: Vec::new(),
            themes: Vec::new(),
            participants: Vec::new(),
            contributions: Vec::new(),
            votes: Vec::new(),
            tallies: Vec::new(),
            moderation: Vec::new(),
        };
        for c in concertations
            .iter()
            .filter_map(|id| model.concertations.get(id))
        {
            rows.concertations.push(vec![
                cell(c.id.as_uuid()),
                cell(c.slug.clone()),
                cell(c.collectivite.clone()),
                cell(c.title.clone()),
                cell(c.description.clone()),
                cell(json(&c.territories)),
                cell(code(&c.phase)),
                cell(code(&c.moderation)),
                cell(c.opens_at),
                cell(c.closes_at),
                cell(c.contribution_count as i64),
                cell(c.participants.len() as i64),
                cell(c.vote_count as i64),
                cell(c.synthesis.clone()),
            ]);
            for (rank, q) in c.questions.iter().enumerate() {
                rows.questions.push(vec![
                    cell(q.id.as_uuid()),
                    cell(c.id.as_uuid()),
                    cell(rank as i32),
                    cell(json(&q.kind)),
                    cell(q.prompt.clone()),
                ]);
            }
            for (rank, t) in c.themes.iter().enumerate() {
                rows.themes.push(vec![
                    cell(t.id.as_uuid()),
                    cell(c.id.as_uuid()),
                    cell(rank as i32),
                    cell(t.label.clone()),
                ]);
            }
        }
        for p in participants
            .iter()
            .filter_map(|id| model.participants.get(id))
        {
            rows.participants.push(vec![
                cell(p.id.as_uuid()),
                cell(code(&p.kind)),
                cell(p.commune.clone()),
                cell(code(&p.verification)),
                cell(p.erased),
            ]);
        }
        for c in contributions
            .iter()
            .filter_map(|id| model.contributions.get(id))
        {
            let author = model.participants.get(&c.author);
            let (status, hidden_reason, duplicate_of) = match &c.status {
                ContributionStatusRow::Pending => ("pending", None, None),
                ContributionStatusRow::Published => ("published", None, None),
                ContributionStatusRow::Hidden { reason } => ("hidden", Some(code(reason)), None),
                ContributionStatusRow::Duplicate { of } => ("duplicate", None, Some(of.as_uuid())),
                ContributionStatusRow::Withdrawn => ("withdrawn", None, None),
            };
            rows.contributions.push(vec![
                cell(c.id.as_uuid()),
                cell(c.concertation.as_uuid()),
                cell(c.question.as_uuid()),
                cell(code(&c.kind)),
                cell(c.author.as_uuid()),
                cell(author.map(|a| code(&a.kind))),
                cell(author.map(|a| code(&a.verification))),
                cell(c.parent.map(|p| p.as_uuid())),
                cell(json(
                    &c.themes
                        .iter()
                        .map(|t| t.as_uuid().to_string())
                        .collect::<Vec<_>>(),
                )),
                cell(c.language.clone()),
                cell(model.body_text(c).map(Cow::into_owned)),
                cell(status.to_owned()),
                cell(hidden_reason),
                cell(duplicate_of),
                cell(c.featured),
                cell(c.revisions as i32),
                cell(c.supports as i64),
                cell(c.oppositions as i64),
                cell(c.reports as i64),
                cell(c.appeal_pending),
                cell(c.answer.as_ref().map(|a| code(&a.outcome))),
                cell(c.answer.as_ref().map(|a| a.justification.clone())),
                cell(c.recorded_in_session),
                cell(c.amendment.as_ref().map(json)),
                cell(c.submitted_at),
                cell(c.position.commit() as i64),
                cell(c.position.index() as i32),
            ]);
        }
        for key in votes {
            if let Some(vote) = model.votes.get(key) {
                rows.votes.push(vec![
                    cell(key.0.as_uuid()),
                    cell(key.1.as_uuid()),
                    cell(code(vote)),
                ]);
            }
        }
        for statement in tallies {
            if let Some(t) = model.tallies.get(statement) {
                rows.tallies.push(vec![
                    cell(statement.as_uuid()),
                    cell(t.overall.agree as i64),
                    cell(t.overall.disagree as i64),
                    cell(t.overall.pass as i64),
                    cell(json(&t.by_kind)),
                    cell(json(&t.by_territory)),
                ]);
            }
        }
        let log = &model.moderation_log;
        for (seq, entry) in log
            .iter()
            .enumerate()
            .skip(log.len().saturating_sub(new_entries))
        {
            rows.moderation.push(vec![
                cell(seq as i64),
                cell(entry.contribution.as_uuid()),
                cell(entry.facilitator.as_uuid()),
                cell(json(&entry.decision)),
                cell(entry.note.clone()),
                cell(entry.at),
            ]);
        }
        rows
    }

    /// The rows of each table, in the order of [`tables`].
    fn into_tables(self) -> [Vec<Vec<Cell>>; 8] {
        [
            self.concertations,
            self.questions,
            self.themes,
            self.participants,
            self.contributions,
            self.votes,
            self.tallies,
            self.moderation,
        ]
    }
}

/// The main model's tables as the bulk writer sees them, in the order of
/// [`Rows::into_tables`] (and of [`TABLE_NAMES`]).
fn tables() -> [Table; 8] {
    use Type as T;
    let col = Column::new;
    [
        Table {
            name: "concertations",
            columns: vec![
                col("id", T::UUID),
                col("slug", T::TEXT),
                col("collectivite", T::TEXT),
                col("title", T::TEXT),
                col("description", T::TEXT),
                col("territories", T::TEXT_ARRAY),
                col("phase", T::TEXT),
                col("moderation", T::TEXT),
                col("opens_at", T::TIMESTAMPTZ),
                col("closes_at", T::TIMESTAMPTZ),
                col("contribution_count", T::INT8),
                col("participant_count", T::INT8),
                col("vote_count", T::INT8),
                col("synthesis", T::TEXT),
            ],
            key: &["id"],
        },
        Table {
            name: "questions",
            columns: vec![
                col("id", T::UUID),
                col("concertation", T::UUID),
                col("rank", T::INT4),
                col("kind", T::JSONB),
                col("prompt", T::TEXT),
            ],
            key: &["id"],
        },
        Table {
            name: "themes",
            columns: vec![
                col("id", T::UUID),
                col("concertation", T::UUID),
                col("rank", T::INT4),
                col("label", T::TEXT),
            ],
            key: &["id"],
        },
        Table {
            name: "participants",
            columns: vec![
                col("id", T::UUID),
                col("kind", T::TEXT),
                col("commune", T::TEXT),
                col("verification", T::TEXT),
                col("erased", T::BOOL),
            ],
            key: &["id"],
        },
        Table {
            name: "contributions",
            columns: vec![
                col("id", T::UUID),
                col("concertation", T::UUID),
                col("question", T::UUID),
                col("kind", T::TEXT),
                col("author", T::UUID),
                col("author_kind", T::TEXT),
                col("author_verification", T::TEXT),
                col("parent", T::UUID),
                col("themes", T::UUID_ARRAY),
                col("language", T::TEXT),
                col("body", T::TEXT),
                col("status", T::TEXT),
                col("hidden_reason", T::TEXT),
                col("duplicate_of", T::UUID),
                col("featured", T::BOOL),
                col("revisions", T::INT4),
                col("supports", T::INT8),
                col("oppositions", T::INT8),
                col("reports", T::INT8),
                col("appeal_pending", T::BOOL),
                col("answer_outcome", T::TEXT),
                col("answer_justification", T::TEXT),
                col("recorded_in_session", T::BOOL),
                col("amendment", T::JSONB),
                col("submitted_at", T::TIMESTAMPTZ),
                col("commit_number", T::INT8),
                col("commit_index", T::INT4),
            ],
            key: &["id"],
        },
        Table {
            name: "votes",
            columns: vec![
                col("participant", T::UUID),
                col("statement", T::UUID),
                col("vote", T::TEXT),
            ],
            key: &["participant", "statement"],
        },
        Table {
            name: "statement_tallies",
            columns: vec![
                col("statement", T::UUID),
                col("agree", T::INT8),
                col("disagree", T::INT8),
                col("pass", T::INT8),
                col("by_kind", T::JSONB),
                col("by_territory", T::JSONB),
            ],
            key: &["statement"],
        },
        Table {
            name: "moderation_log",
            columns: vec![
                col("seq", T::INT8),
                col("contribution", T::UUID),
                col("facilitator", T::UUID),
                col("decision", T::JSONB),
                col("note", T::TEXT),
                col("decided_at", T::TIMESTAMPTZ),
            ],
            key: &["seq"],
        },
    ]
}

#[async_trait]
impl Target<MainModel> for PostgresModel {
    fn batch_size(&self) -> usize {
        CATCH_UP_BATCH
    }

    async fn checkpoint(&mut self) -> Result<Option<Position>, ProjectionError> {
        let checkpoint = self
            .db
            .checkpoint(MainModel::NAME, MainModel::VERSION)
            .await?;
        // The mirror may be ahead of the tables (a batch applied, its transaction
        // failed): start it again from what the tables hold.
        self.mirror.reset();
        self.upserts = None;
        match checkpoint {
            Some(position) => self.warm_mirror(position).await?,
            None => {
                // No checkpoint at this version: the tables may have an older shape, so
                // they are dropped and created anew (they are derived data), and the
                // projection starts again from position 0.
                let schema = &self.db.schema;
                let drops: Vec<String> = TABLE_NAMES
                    .iter()
                    .map(|t| format!("DROP TABLE IF EXISTS {schema}.{t} CASCADE"))
                    .collect();
                crate::postgres::migrate(
                    &self.db.client,
                    &format!("{}; {}", drops.join("; "), TABLES.replace("{s}", schema)),
                )
                .await?;
            }
        }
        Ok(checkpoint)
    }

    async fn commit(
        &mut self,
        change: DecodedBatch,
        up_to: Position,
    ) -> Result<(), ProjectionError> {
        if self.broken {
            return Err(ProjectionError::Config(
                "la projection doit être redémarrée après une erreur d'écriture".into(),
            ));
        }
        let touched = self.mirror.apply(&change, up_to);
        // Once the mirror is ahead of the tables, only a restart (refold up to the
        // stored checkpoint) brings them back in step.
        self.broken = true;
        self.write(touched, up_to).await?;
        self.broken = false;
        Ok(())
    }
}
