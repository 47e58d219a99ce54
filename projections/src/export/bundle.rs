//! Writes a bundle: every file of an export, from a [`Snapshot`], into a folder.
//!
//! The bundle is written in a sibling folder (`DIR.partiel`) and renamed into place at
//! the end, so a crash or an error never leaves a half bundle that looks complete.
//! Each table is streamed once, row by row, into its CSV, JSON and ODS forms, so
//! memory holds one row of output whatever the table's size.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use domain::values::QuestionId;
use eventstore::{EventStore, Position};

use super::csv::{write_dictionary, CsvTable};
use super::json::{schema, JsonTable};
use super::manifest::{self, AuditAnchor, ExportedConcertation, Manifest, MANIFEST_FORMAT};
use super::opendocument::SpreadsheetWriter;
use super::snapshot::{replay, Snapshot};
use super::tables::{self, Scope, TABLES};
use super::{licence, ExportError, ExportOptions};
use crate::audit_log::heads::LogSigner;
use crate::opinion_groups::live::{compute_question, question_votes};
use crate::opinion_groups::OpinionGroups;

/// What to export.
#[derive(Clone, Debug)]
pub struct ExportRequest {
    /// The concertation's slug.
    pub slug: String,
    /// The position (inclusive); the newest when `None`.
    pub at: Option<Position>,
    /// The destination folder: absent or empty.
    pub dir: PathBuf,
    /// How.
    pub options: ExportOptions,
}

/// How far an export has gone, for a progress bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportProgress {
    /// Events folded so far.
    Replayed(u64),
    /// A file is being written (its path in the bundle).
    Writing(String),
    /// Done.
    Done,
}

/// The folder of open-data files in a bundle.
pub const DATA_DIR: &str = "donnees";
/// The spreadsheet's path in a bundle.
pub const SPREADSHEET_FILE: &str = "synthese.ods";

/// Replays the log to the request's position and writes the bundle; with `signer`, the
/// manifest carries a head over the tree at that position signed by the log's key.
pub async fn export_synthesis(
    store: &EventStore,
    request: &ExportRequest,
    signer: Option<&LogSigner>,
    progress: &mut (dyn FnMut(ExportProgress) + Send),
) -> Result<Manifest, ExportError> {
    let snapshot = replay(store, request.at, &mut |n| {
        progress(ExportProgress::Replayed(n))
    })
    .await?;
    write_bundle(&snapshot, request, signer, progress)
}

/// Writes the bundle of the concertation `request.slug` as of `snapshot`.
pub fn write_bundle(
    snapshot: &Snapshot,
    request: &ExportRequest,
    signer: Option<&LogSigner>,
    progress: &mut (dyn FnMut(ExportProgress) + Send),
) -> Result<Manifest, ExportError> {
    let concertation = snapshot
        .model
        .concertation_by_slug(&request.slug)
        .ok_or_else(|| ExportError::UnknownConcertation(request.slug.clone()))?;
    let partial = prepare_destination(&request.dir)?;
    let groups = opinion_groups(snapshot, concertation.id, &request.options);
    let participation = snapshot.model.participation(concertation.id);
    let scope = Scope {
        snapshot,
        concertation,
        groups: &groups,
        participation: &participation,
    };
    let written = write_files(&scope, &partial, &request.options, progress)
        .and_then(|()| super::snapshot::spill_failure(&snapshot.model));
    let manifest = written.and_then(|()| {
        let manifest = Manifest {
            format: MANIFEST_FORMAT,
            generator: format!("concerto {}", env!("CARGO_PKG_VERSION")),
            concertation: ExportedConcertation {
                id: concertation.id.to_string(),
                slug: concertation.slug.clone(),
                title: concertation.title.clone(),
            },
            position: snapshot.position.to_string(),
            recorded_at: super::cell::rfc3339(snapshot.recorded_at),
            audit: anchor(snapshot, signer),
            projections: projection_versions(),
            options: request.options.clone(),
            files: manifest::list_files(&partial)?,
        };
        manifest::write(&partial, &manifest)?;
        Ok(manifest)
    });
    match manifest {
        Ok(manifest) => {
            if request.dir.exists() {
                std::fs::remove_dir(&request.dir)?;
            }
            std::fs::rename(&partial, &request.dir)?;
            progress(super::ExportProgress::Done);
            Ok(manifest)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            Err(e)
        }
    }
}

/// Checks the destination is absent or empty and creates the folder written into.
fn prepare_destination(dir: &Path) -> Result<PathBuf, ExportError> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(ExportError::DestinationNotEmpty(dir.display().to_string()));
    }
    let mut name = dir
        .file_name()
        .ok_or_else(|| ExportError::Invalid(format!("dossier invalide : {}", dir.display())))?
        .to_os_string();
    name.push(".partiel");
    let partial = dir.with_file_name(name);
    if partial.exists() {
        std::fs::remove_dir_all(&partial)?;
    }
    std::fs::create_dir_all(partial.join(DATA_DIR).join("schemas"))?;
    Ok(partial)
}

/// The opinion groups of the concertation's statements questions.
pub(crate) fn opinion_groups(
    snapshot: &Snapshot,
    concertation: domain::values::ConcertationId,
    options: &ExportOptions,
) -> BTreeMap<QuestionId, OpinionGroups> {
    question_votes(&snapshot.model)
        .into_iter()
        .filter(|(_, votes)| votes.concertation == Some(concertation))
        .map(|(question, votes)| (question, compute_question(&votes, &options.opinion_groups)))
        .collect()
}

/// Every file but the manifest.
fn write_files(
    scope: &Scope<'_>,
    root: &Path,
    options: &ExportOptions,
    progress: &mut (dyn FnMut(ExportProgress) + Send),
) -> Result<(), ExportError> {
    let data = root.join(DATA_DIR);
    let create = |path: &Path| -> Result<BufWriter<File>, ExportError> {
        Ok(BufWriter::with_capacity(1 << 16, File::create(path)?))
    };
    let mut ods = SpreadsheetWriter::create(
        create(&root.join(SPREADSHEET_FILE))?,
        &scope.concertation.title,
        scope.snapshot.recorded_at,
    )?;
    for table in TABLES {
        progress(ExportProgress::Writing(format!(
            "{DATA_DIR}/{}",
            table.name
        )));
        let columns: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
        ods.start_table(table.name, &columns)?;
        let mut csv = CsvTable::start(
            create(&data.join(format!("{}.csv", table.name)))?,
            table,
            options.csv,
        )?;
        let mut json =
            JsonTable::start(create(&data.join(format!("{}.json", table.name)))?, table)?;
        for row in tables::rows(table, scope) {
            csv.row(&row)?;
            json.row(&row)?;
            ods.row(&row)?;
        }
        csv.finish()?.flush()?;
        json.finish()?.flush()?;
        let mut text = serde_json::to_vec_pretty(&schema(table))?;
        text.push(b'\n');
        std::fs::write(
            data.join("schemas")
                .join(format!("{}.schema.json", table.name)),
            text,
        )?;
    }
    ods.finish()?.flush()?;
    write_dictionary(
        create(&data.join("dictionnaire_des_colonnes.csv"))?,
        &TABLES,
        options.csv,
    )?
    .flush()?;
    std::fs::write(
        root.join(licence::LICENCE_FILE),
        licence::notice(&scope.concertation.title, &scope.concertation.collectivite),
    )?;
    super::report::write(scope, root, progress)?;
    super::doctrine::write(scope, root, progress)?;
    Ok(())
}

/// The audit tree at the snapshot, signed when the key is at hand.
fn anchor(snapshot: &Snapshot, signer: Option<&LogSigner>) -> AuditAnchor {
    let timestamp = (snapshot.recorded_at.unix_timestamp_nanos() / 1_000_000) as u64;
    AuditAnchor {
        tree_size: snapshot.tree_size,
        root_hash: crate::merkle::to_hex(&snapshot.root),
        signed_tree_head: signer
            .map(|s| s.sign_head(snapshot.tree_size, &snapshot.root, timestamp)),
        public_key: signer.map(|s| crate::merkle::to_hex(s.public_key().as_bytes())),
    }
}

/// The versions of the projection logic an export reuses.
fn projection_versions() -> BTreeMap<String, u32> {
    use crate::runner::Projection;
    BTreeMap::from([
        (
            crate::main_model::MainModel::NAME.to_owned(),
            crate::main_model::MainModel::VERSION,
        ),
        (
            crate::audit_log::AuditLogProjection::NAME.to_owned(),
            crate::audit_log::AuditLogProjection::VERSION,
        ),
        ("export".to_owned(), EXPORT_VERSION),
    ])
}

/// The version of the export's own layout and logic; bump it when a file changes.
pub const EXPORT_VERSION: u32 = 1;
