//! Polis interoperability: importing a Polis open-data export as ordinary events, and
//! exporting a statements question back in Polis's four CSV files.
//!
//! - [`read`] parses the files (pure, errors name file, line and column);
//! - [`plan`] maps them to the domain's events (pure: same export, same events, same
//!   event ids), folding every aggregate with its own `evolve` and deciding the
//!   participants' registrations and the votes with the domain's `decide`;
//! - [`append_plan`] appends the planned commits, each at the stream revision the plan
//!   expects, so that a second import of the same directory appends nothing;
//! - [`export`] folds a concertation's events back into Polis's tables.

pub mod export;
pub mod plan;
pub mod read;

use std::path::PathBuf;

use domain::slug_reservation::SlugEvent;
use eventstore::{Direction, EventStore, ExpectedRevision, StoreError};

pub use plan::{plan, ImportOptions, ImportPlan, PlannedCommit};
pub use read::{read_dir, Moderated, PolisComment, PolisExport, PolisVote};

/// Why an import or an export failed. Nothing is appended for any of these, except
/// [`PolisImportError::Store`] during the append itself, which a new import resumes.
#[derive(Debug, thiserror::Error)]
pub enum PolisImportError {
    /// A required file is missing.
    #[error("fichier absent : {}", path.display())]
    Missing {
        /// The file looked for.
        path: PathBuf,
    },
    /// A file could not be read or written.
    #[error("{} : {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not what Polis writes.
    #[error("{file}, ligne {line}, colonne {column} : {message}")]
    Format {
        /// The file's name.
        file: String,
        /// 1-based line.
        line: u64,
        /// 1-based column (field number).
        column: usize,
        /// What is wrong, in French.
        message: String,
    },
    /// The data cannot become a concertation (bad slug, slug taken by another one, a
    /// vote the domain refuses).
    #[error("{0}")]
    Refused(String),
    /// The concertation to export does not exist or has no statements question.
    #[error("{0}")]
    NotFound(String),
    /// The event store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Commits appended by this run.
    pub commits_written: usize,
    /// Commits found already written (a re-import).
    pub commits_already_present: usize,
    /// Events appended by this run.
    pub events_written: usize,
}

/// Appends a plan, commit by commit in its order, each with the revision the plan
/// expects (`NoStream` or `Exact`): a commit already written (same event ids at the
/// same revisions) is acknowledged without writing, so importing twice appends nothing
/// and an interrupted import can be resumed by importing again.
pub async fn append_plan(
    store: &EventStore,
    plan: &ImportPlan,
) -> Result<ImportReport, PolisImportError> {
    check_slug(store, plan).await?;
    let mut report = ImportReport::default();
    for commit in &plan.commits {
        let stream = crate::codec::stream_name(&commit.stream)?;
        let expected = match commit.first_revision {
            0 => ExpectedRevision::NoStream,
            n => ExpectedRevision::Exact(n - 1),
        };
        let result = store
            .append(&stream, expected, commit.events.clone())
            .await?;
        if result.already_written {
            report.commits_already_present += 1;
        } else {
            report.commits_written += 1;
            report.events_written += commit.events.len();
        }
    }
    Ok(report)
}

/// Refuses, before anything is appended, a slug another concertation holds.
async fn check_slug(store: &EventStore, plan: &ImportPlan) -> Result<(), PolisImportError> {
    let stream = crate::codec::stream_name(&domain::slug_reservation::stream(&plan.slug))?;
    let reserved = store
        .read_stream(&stream, Direction::Forward, None, 1)
        .await?;
    for event in &reserved {
        let SlugEvent::SlugReserved { concertation, .. } =
            crate::codec::decode(event).map_err(|e| PolisImportError::Refused(e.to_string()))?;
        if concertation != plan.concertation {
            return Err(PolisImportError::Refused(format!(
                "l'adresse « {} » est déjà celle d'une autre concertation : choisissez-en une autre avec --concertation",
                plan.slug
            )));
        }
    }
    Ok(())
}
