//! Reads a Polis open-data export into a [`VoteSet`], with Polis's own groups.
//!
//! Uses `participants-votes.csv` (the final vote matrix, one row per participant, one
//! column per statement, and Polis's `group-id`) and `comments.csv` (`moderated` −1 marks
//! a hidden statement). This is the reader of the comparison tools and tests; importing a
//! conversation as events is a separate concern.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::input::{Vote, VoteSet, VoteSetBuilder};

/// A Polis conversation read from its export.
pub struct PolisConversation {
    /// The latest votes and the hidden statements.
    pub votes: VoteSet,
    /// Polis's group of each participant it clustered.
    pub polis_groups: BTreeMap<String, usize>,
}

/// Why an export could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PolisError {
    /// A file is missing or unreadable.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not the CSV Polis writes.
    #[error("{path}, line {line}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

fn open(path: &Path) -> Result<csv::Reader<std::fs::File>, PolisError> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| PolisError::Io {
            path: path.to_owned(),
            source: std::io::Error::other(e.to_string()),
        })
}

fn format_error(path: &Path, line: u64, message: impl Into<String>) -> PolisError {
    PolisError::Format {
        path: path.to_owned(),
        line,
        message: message.into(),
    }
}

/// Reads `dir/participants-votes.csv` and `dir/comments.csv`.
pub fn read(dir: &Path) -> Result<PolisConversation, PolisError> {
    let mut builder = VoteSetBuilder::new();

    let comments = dir.join("comments.csv");
    let mut reader = open(&comments)?;
    let header = reader
        .headers()
        .map_err(|e| format_error(&comments, 1, e.to_string()))?
        .clone();
    let column = |name: &str| header.iter().position(|h| h == name);
    let (Some(id_col), Some(mod_col)) = (column("comment-id"), column("moderated")) else {
        return Err(format_error(
            &comments,
            1,
            "missing comment-id or moderated column",
        ));
    };
    for record in reader.records() {
        let record = record.map_err(|e| format_error(&comments, 0, e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let id = record.get(id_col).unwrap_or_default();
        if record.get(mod_col).map(str::trim) == Some("-1") {
            builder.hide(id);
        } else if id.is_empty() {
            return Err(format_error(&comments, line, "empty comment-id"));
        }
    }

    let matrix = dir.join("participants-votes.csv");
    let mut reader = open(&matrix)?;
    let header = reader
        .headers()
        .map_err(|e| format_error(&matrix, 1, e.to_string()))?
        .clone();
    const FIXED: [&str; 6] = [
        "participant",
        "group-id",
        "n-comments",
        "n-votes",
        "n-agree",
        "n-disagree",
    ];
    if header.len() < FIXED.len() || header.iter().zip(FIXED).any(|(a, b)| a != b) {
        return Err(format_error(&matrix, 1, "unexpected header"));
    }
    let statements: Vec<String> = header.iter().skip(FIXED.len()).map(str::to_owned).collect();
    let mut polis_groups = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| format_error(&matrix, 0, e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let participant = record.get(0).unwrap_or_default().to_owned();
        if let Some(g) = record.get(1).filter(|g| !g.is_empty()) {
            let g: usize = g
                .parse()
                .map_err(|_| format_error(&matrix, line, format!("bad group-id {g:?}")))?;
            polis_groups.insert(participant.clone(), g);
        }
        for (cell, statement) in record.iter().skip(FIXED.len()).zip(&statements) {
            if cell.is_empty() {
                continue;
            }
            let vote = cell
                .parse::<i64>()
                .ok()
                .and_then(Vote::from_value)
                .ok_or_else(|| format_error(&matrix, line, format!("bad vote {cell:?}")))?;
            builder.vote(&participant, statement, vote);
        }
    }
    Ok(PolisConversation {
        votes: builder.build(),
        polis_groups,
    })
}
