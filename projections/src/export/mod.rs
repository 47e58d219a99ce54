//! Exports for the commission: a concertation's synthesis computed at a position of the
//! event log, as open data (CSV, JSON, ODS), a report (HTML, ODT), the doctrine revision
//! (ODT, Markdown) and a manifest that makes the bundle verifiable.
//!
//! The pipeline: [`snapshot::replay`] folds the log up to the position into a private
//! read model; [`bundle::write_bundle`] writes every file from it, streaming each table
//! row by row into its CSV, JSON and ODS forms at once; [`manifest`] names every file
//! with its hash; [`verify::verify_export`] replays to the manifest's position, writes
//! the bundle again elsewhere and compares. Nothing in a file comes from the clock, so
//! the same position gives the same bytes.

pub mod archive;
pub mod bundle;
pub mod cell;
pub mod csv;
pub mod doctrine;
pub mod json;
pub mod licence;
pub mod manifest;
pub mod opendocument;
pub mod report;
pub mod snapshot;
pub mod tables;
pub mod verify;

use eventstore::Position;
use serde::{Deserialize, Serialize};

pub use bundle::{export_synthesis, write_bundle, ExportProgress, ExportRequest};
pub use cell::Cell;
pub use manifest::Manifest;
pub use snapshot::{replay, Snapshot};
pub use verify::{verify_export, VerifyReport};

use crate::opinion_groups::Parameters;

/// How an export is made; recorded in the manifest so a verification makes it the same
/// way.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExportOptions {
    /// The CSV dialect.
    pub csv: csv::CsvFlavour,
    /// The opinion groups' parameters (Polis's by default).
    #[serde(default)]
    pub opinion_groups: Parameters,
}

/// Why an export (or its verification) failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// No concertation has this slug at the position.
    #[error("concertation inconnue : « {0} »")]
    UnknownConcertation(String),
    /// The log holds no event yet.
    #[error("le journal est vide : rien à exporter")]
    EmptyLog,
    /// The position asked for lies after the log's last event.
    #[error("la position {at} est au-delà de la fin du journal ({head})")]
    PositionBeyondLog {
        /// Asked for.
        at: Position,
        /// The log's last position.
        head: Position,
    },
    /// No event has the position asked for.
    #[error("aucun événement n'est à la position {at}")]
    NoSuchPosition {
        /// Asked for.
        at: Position,
    },
    /// An event could not be read.
    #[error("événement illisible à la position {position} : {reason}")]
    Unreadable {
        /// Where.
        position: Position,
        /// Why.
        reason: String,
    },
    /// The destination folder already holds files.
    #[error("le dossier {0} existe et n'est pas vide : choisissez un dossier neuf")]
    DestinationNotEmpty(String),
    /// A bundle or a manifest is malformed.
    #[error("{0}")]
    Invalid(String),
    /// Reading the log failed.
    #[error("lecture du journal : {0}")]
    Store(#[from] eventstore::StoreError),
    /// Writing a file failed.
    #[error("écriture de l'export : {0}")]
    Io(#[from] std::io::Error),
    /// Writing a CSV file failed.
    #[error("écriture CSV : {0}")]
    Csv(#[from] ::csv::Error),
    /// Writing a JSON file failed.
    #[error("écriture JSON : {0}")]
    Json(#[from] serde_json::Error),
    /// Writing an OpenDocument file failed.
    #[error(transparent)]
    OpenDocument(#[from] opendocument::OdfError),
}
