//! `concerto verify export DIR`: checks a bundle against the log it claims to come from.
//!
//! Three checks, each reported: every file's bytes match the manifest (nothing was
//! altered after export); the signed tree head, if any, verifies with the public key
//! and names the same tree; replaying the log to the manifest's position gives the
//! same audit tree and, written again with the same options, the same files.

use std::path::Path;

use eventstore::{EventStore, Position};

use super::bundle::{write_bundle, ExportRequest};
use super::manifest::{self, Manifest};
use super::snapshot::replay;
use super::ExportError;
use crate::audit_log::heads::public_key_from_hex;

/// What a verification found. Empty `problems`: the bundle is what the log says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Files checked against the manifest.
    pub files_checked: usize,
    /// Whether a signed head was present and verified.
    pub head_verified: bool,
    /// Each discrepancy, in French, one per line.
    pub problems: Vec<String>,
}

impl VerifyReport {
    /// Whether the bundle passed every check.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Verifies the bundle in `dir` against `store`; a scratch copy is written in
/// `scratch` (absent or empty), then removed.
pub async fn verify_export(
    store: &EventStore,
    dir: &Path,
    scratch: &Path,
) -> Result<VerifyReport, ExportError> {
    let manifest = manifest::read(dir)?;
    let mut report = VerifyReport::default();
    check_files(dir, &manifest, &mut report)?;
    check_head(&manifest, &mut report);

    let position: Position = manifest
        .position
        .parse()
        .map_err(|e: String| ExportError::Invalid(format!("manifest : {e}")))?;
    let snapshot = replay(store, Some(position), &mut |_| {}).await?;
    if snapshot.tree_size != manifest.audit.tree_size
        || crate::merkle::to_hex(&snapshot.root) != manifest.audit.root_hash
    {
        report.problems.push(format!(
            "arbre d'audit différent à la position {position} : le journal donne {} \
             événements et la racine {}, le manifeste {} et {}",
            snapshot.tree_size,
            crate::merkle::to_hex(&snapshot.root),
            manifest.audit.tree_size,
            manifest.audit.root_hash
        ));
    }
    let request = ExportRequest {
        slug: manifest.concertation.slug.clone(),
        at: Some(position),
        dir: scratch.to_path_buf(),
        options: manifest.options.clone(),
    };
    let again = write_bundle(&snapshot, &request, None, &mut |_| {});
    let _ = std::fs::remove_dir_all(scratch);
    let again = again?;
    compare(&manifest, &again, &mut report);
    Ok(report)
}

/// Every file listed is there with its hash, and no other file is (each file is read
/// and hashed once).
fn check_files(
    dir: &Path,
    manifest: &Manifest,
    report: &mut VerifyReport,
) -> Result<(), ExportError> {
    let present = manifest::list_files(dir)?;
    for entry in &manifest.files {
        report.files_checked += 1;
        match present.iter().find(|file| file.path == entry.path) {
            None => report
                .problems
                .push(format!("fichier manquant : {}", entry.path)),
            Some(file) if file.sha256 != entry.sha256 => report
                .problems
                .push(format!("fichier modifié depuis l'export : {}", entry.path)),
            Some(_) => {}
        }
    }
    for file in present {
        if !manifest.files.iter().any(|e| e.path == file.path) {
            report
                .problems
                .push(format!("fichier absent du manifeste : {}", file.path));
        }
    }
    Ok(())
}

/// The signed head verifies and names the manifest's tree.
fn check_head(manifest: &Manifest, report: &mut VerifyReport) {
    let (Some(head), Some(key)) = (&manifest.audit.signed_tree_head, &manifest.audit.public_key)
    else {
        return;
    };
    let verified = public_key_from_hex(key).and_then(|key| head.verify(&key));
    match verified {
        Err(e) => report
            .problems
            .push(format!("tête d'arbre signée invalide : {e}")),
        Ok(())
            if head.tree_size != manifest.audit.tree_size
                || head.root_hash != manifest.audit.root_hash =>
        {
            report
                .problems
                .push("la tête d'arbre signée ne couvre pas l'arbre du manifeste".to_owned())
        }
        Ok(()) => report.head_verified = true,
    }
}

/// The files written again are the files of the manifest.
fn compare(manifest: &Manifest, again: &Manifest, report: &mut VerifyReport) {
    for entry in &manifest.files {
        match again.files.iter().find(|e| e.path == entry.path) {
            None => report.problems.push(format!(
                "{} : le journal ne le produit pas (à cette position, avec cette version)",
                entry.path
            )),
            Some(e) if e.sha256 != entry.sha256 => report.problems.push(format!(
                "{} : recalculé depuis le journal, son contenu diffère",
                entry.path
            )),
            Some(_) => {}
        }
    }
    for entry in &again.files {
        if !manifest.files.iter().any(|e| e.path == entry.path) {
            report.problems.push(format!(
                "{} : produit par le journal mais absent du bundle",
                entry.path
            ));
        }
    }
}
