//! A pure reader of Polis's open-data export: the texts of `comments.csv`, `votes.csv`
//! (or, when it is absent, `participants-votes.csv`) and `summary.csv` become typed rows,
//! or an error naming the file, the line and the column. Nothing here touches the store.

use std::collections::BTreeMap;
use std::path::Path;

use domain::values::ContributionText;

use super::PolisImportError;

/// `comments.csv`.
pub const COMMENTS: &str = "comments.csv";
/// `votes.csv`.
pub const VOTES: &str = "votes.csv";
/// `participants-votes.csv`.
pub const MATRIX: &str = "participants-votes.csv";
/// `summary.csv`.
pub const SUMMARY: &str = "summary.csv";

/// Polis's moderation outcome of a comment (`moderated` column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moderated {
    /// `1`: accepted by a moderator.
    Accepted,
    /// `0`: not reviewed.
    Pending,
    /// `-1`: hidden by a moderator.
    Hidden,
}

impl Moderated {
    /// Polis's number.
    pub fn value(self) -> i8 {
        match self {
            Moderated::Accepted => 1,
            Moderated::Pending => 0,
            Moderated::Hidden => -1,
        }
    }
}

/// One row of `comments.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct PolisComment {
    /// `comment-id`.
    pub id: u64,
    /// `author-id`.
    pub author: u64,
    /// `timestamp`, in milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
    /// `moderated`.
    pub moderated: Moderated,
    /// `comment-body`, checked as a contribution text.
    pub body: ContributionText,
}

/// One vote: a row of `votes.csv`, or a cell of `participants-votes.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PolisVote {
    /// When, in milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
    /// `comment-id`.
    pub comment: u64,
    /// `voter-id`.
    pub voter: u64,
    /// `1` agree, `-1` disagree, `0` pass.
    pub vote: i8,
}

/// A whole export, as read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolisExport {
    /// `summary.csv`'s key–value rows, in file order (empty when the file is absent).
    pub summary: Vec<(String, String)>,
    /// The comments, in file order.
    pub comments: Vec<PolisComment>,
    /// The votes, in file order.
    pub votes: Vec<PolisVote>,
    /// Whether the votes came from the matrix (no vote times: each vote is dated at its
    /// comment's timestamp).
    pub votes_from_matrix: bool,
}

impl PolisExport {
    /// A value of `summary.csv`.
    pub fn summary_value(&self, key: &str) -> Option<&str> {
        self.summary
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }
}

/// Reads the export in `dir` (`comments.csv` is required, then `votes.csv` or
/// `participants-votes.csv`; `summary.csv` is optional).
pub fn read_dir(dir: &Path) -> Result<PolisExport, PolisImportError> {
    let file = |name: &str| -> Result<Option<String>, PolisImportError> {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(PolisImportError::Io {
                path: dir.join(name),
                source,
            }),
        }
    };
    let comments = file(COMMENTS)?.ok_or_else(|| PolisImportError::Missing {
        path: dir.join(COMMENTS),
    })?;
    let votes = file(VOTES)?;
    let matrix = match votes {
        Some(_) => None,
        None => Some(file(MATRIX)?.ok_or_else(|| PolisImportError::Missing {
            path: dir.join(VOTES),
        })?),
    };
    parse(
        &comments,
        votes.as_deref(),
        matrix.as_deref(),
        file(SUMMARY)?.as_deref(),
    )
}

/// Parses the texts of the files; `votes` wins over `matrix` when both are given.
pub fn parse(
    comments: &str,
    votes: Option<&str>,
    matrix: Option<&str>,
    summary: Option<&str>,
) -> Result<PolisExport, PolisImportError> {
    let comments = parse_comments(comments)?;
    let known: BTreeMap<u64, i64> = comments.iter().map(|c| (c.id, c.timestamp_ms)).collect();
    let (votes, votes_from_matrix) = match (votes, matrix) {
        (Some(text), _) => (parse_votes(text, &known)?, false),
        (None, Some(text)) => (parse_matrix(text, &known)?, true),
        (None, None) => (Vec::new(), false),
    };
    Ok(PolisExport {
        summary: summary.map(parse_summary).transpose()?.unwrap_or_default(),
        comments,
        votes,
        votes_from_matrix,
    })
}

/// A CSV table with a header, whose cells are looked up by column name.
struct Table<'a> {
    file: &'static str,
    reader: csv::Reader<&'a [u8]>,
    columns: Vec<String>,
}

fn format(file: &str, line: u64, column: usize, message: impl Into<String>) -> PolisImportError {
    PolisImportError::Format {
        file: file.to_owned(),
        line,
        column,
        message: message.into(),
    }
}

fn csv_error(file: &str, error: &csv::Error) -> PolisImportError {
    let line = error.position().map_or(0, |p| p.line());
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} colonnes au lieu de {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "texte qui n'est pas de l'UTF-8".to_owned(),
        _ => error.to_string(),
    };
    format(file, line, 1, message)
}

impl<'a> Table<'a> {
    fn new(file: &'static str, text: &'a str, required: &[&str]) -> Result<Self, PolisImportError> {
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let columns: Vec<String> = reader
            .headers()
            .map_err(|e| csv_error(file, &e))?
            .iter()
            .map(str::to_owned)
            .collect();
        for name in required {
            if !columns.iter().any(|c| c == name) {
                return Err(format(
                    file,
                    1,
                    columns.len() + 1,
                    format!("colonne « {name} » absente de l'en-tête"),
                ));
            }
        }
        Ok(Self {
            file,
            reader,
            columns,
        })
    }

    fn index(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|c| c == name)
            .unwrap_or(usize::MAX)
    }

    /// Every record with its 1-based line.
    fn rows(&mut self) -> Result<Vec<(u64, csv::StringRecord)>, PolisImportError> {
        let mut out = Vec::new();
        for record in self.reader.records() {
            let record = record.map_err(|e| csv_error(self.file, &e))?;
            let line = record.position().map_or(0, |p| p.line());
            out.push((line, record));
        }
        Ok(out)
    }
}

/// A cell parsed as an integer, with the error naming its place.
fn integer(
    file: &str,
    line: u64,
    record: &csv::StringRecord,
    index: usize,
    name: &str,
) -> Result<i64, PolisImportError> {
    let cell = record.get(index).unwrap_or_default().trim();
    cell.parse::<i64>().map_err(|_| {
        format(
            file,
            line,
            index + 1,
            format!("« {name} » doit être un entier, pas « {cell} »"),
        )
    })
}

fn id(
    file: &str,
    line: u64,
    record: &csv::StringRecord,
    index: usize,
    name: &str,
) -> Result<u64, PolisImportError> {
    let value = integer(file, line, record, index, name)?;
    u64::try_from(value).map_err(|_| {
        format(
            file,
            line,
            index + 1,
            format!("« {name} » doit être positif ou nul, pas {value}"),
        )
    })
}

fn timestamp(
    file: &str,
    line: u64,
    record: &csv::StringRecord,
    index: usize,
) -> Result<i64, PolisImportError> {
    let value = integer(file, line, record, index, "timestamp")?;
    // Milliseconds between 1970 and 9999: anything else is not a Polis time.
    if !(0..=253_402_300_799_999).contains(&value) {
        return Err(format(
            file,
            line,
            index + 1,
            format!("horodatage hors limites : {value}"),
        ));
    }
    Ok(value)
}

fn vote_value(
    file: &str,
    line: u64,
    record: &csv::StringRecord,
    index: usize,
    name: &str,
) -> Result<i8, PolisImportError> {
    match integer(file, line, record, index, name)? {
        v @ -1..=1 => Ok(v as i8),
        other => Err(format(
            file,
            line,
            index + 1,
            format!("« {name} » vaut 1, 0 ou -1, pas {other}"),
        )),
    }
}

fn parse_comments(text: &str) -> Result<Vec<PolisComment>, PolisImportError> {
    let mut table = Table::new(
        COMMENTS,
        text,
        &[
            "timestamp",
            "comment-id",
            "author-id",
            "moderated",
            "comment-body",
        ],
    )?;
    let (ts, cid, author, moderated, body) = (
        table.index("timestamp"),
        table.index("comment-id"),
        table.index("author-id"),
        table.index("moderated"),
        table.index("comment-body"),
    );
    let mut seen = BTreeMap::new();
    let mut out = Vec::new();
    for (line, record) in table.rows()? {
        let id = id(COMMENTS, line, &record, cid, "comment-id")?;
        if let Some(first) = seen.insert(id, line) {
            return Err(format(
                COMMENTS,
                line,
                cid + 1,
                format!("commentaire {id} déjà défini ligne {first}"),
            ));
        }
        let moderated = match vote_value(COMMENTS, line, &record, moderated, "moderated")? {
            1 => Moderated::Accepted,
            0 => Moderated::Pending,
            _ => Moderated::Hidden,
        };
        let text = record.get(body).unwrap_or_default();
        let body = ContributionText::parse(text).map_err(|rejection| {
            format(
                COMMENTS,
                line,
                body + 1,
                format!(
                    "texte du commentaire {id} refusé : {}",
                    rejection.message(domain::Lang::Fr)
                ),
            )
        })?;
        out.push(PolisComment {
            id,
            author: self::id(COMMENTS, line, &record, author, "author-id")?,
            timestamp_ms: timestamp(COMMENTS, line, &record, ts)?,
            moderated,
            body,
        });
    }
    Ok(out)
}

fn parse_votes(text: &str, known: &BTreeMap<u64, i64>) -> Result<Vec<PolisVote>, PolisImportError> {
    let mut table = Table::new(
        VOTES,
        text,
        &["timestamp", "comment-id", "voter-id", "vote"],
    )?;
    let (ts, cid, voter, vote) = (
        table.index("timestamp"),
        table.index("comment-id"),
        table.index("voter-id"),
        table.index("vote"),
    );
    let mut out = Vec::new();
    for (line, record) in table.rows()? {
        let comment = id(VOTES, line, &record, cid, "comment-id")?;
        if !known.contains_key(&comment) {
            return Err(format(
                VOTES,
                line,
                cid + 1,
                format!("commentaire {comment} absent de {COMMENTS}"),
            ));
        }
        out.push(PolisVote {
            timestamp_ms: timestamp(VOTES, line, &record, ts)?,
            comment,
            voter: id(VOTES, line, &record, voter, "voter-id")?,
            vote: vote_value(VOTES, line, &record, vote, "vote")?,
        });
    }
    Ok(out)
}

/// The fixed columns of `participants-votes.csv`, before one column per comment.
pub const MATRIX_FIXED: [&str; 6] = [
    "participant",
    "group-id",
    "n-comments",
    "n-votes",
    "n-agree",
    "n-disagree",
];

fn parse_matrix(
    text: &str,
    known: &BTreeMap<u64, i64>,
) -> Result<Vec<PolisVote>, PolisImportError> {
    let mut table = Table::new(MATRIX, text, &MATRIX_FIXED)?;
    let mut columns = Vec::new();
    for (i, name) in table.columns.iter().enumerate().skip(MATRIX_FIXED.len()) {
        let comment = name
            .parse::<u64>()
            .ok()
            .filter(|c| known.contains_key(c))
            .ok_or_else(|| {
                format(
                    MATRIX,
                    1,
                    i + 1,
                    format!("colonne « {name} » : pas un commentaire de {COMMENTS}"),
                )
            })?;
        columns.push((i, comment));
    }
    let participant = table.index("participant");
    let mut out = Vec::new();
    for (line, record) in table.rows()? {
        let voter = id(MATRIX, line, &record, participant, "participant")?;
        for &(i, comment) in &columns {
            if record.get(i).is_some_and(|c| !c.trim().is_empty()) {
                out.push(PolisVote {
                    timestamp_ms: known[&comment],
                    comment,
                    voter,
                    vote: vote_value(MATRIX, line, &record, i, "vote")?,
                });
            }
        }
    }
    Ok(out)
}

fn parse_summary(text: &str) -> Result<Vec<(String, String)>, PolisImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(SUMMARY, &e))?;
        let key = record.get(0).unwrap_or_default().trim().to_owned();
        if key.is_empty() {
            continue;
        }
        // A value with unquoted commas spans several cells: join them back.
        let value = record.iter().skip(1).collect::<Vec<_>>().join(",");
        out.push((key, value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMENTS_CSV: &str =
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
        1000,x,0,7,1,0,1,First statement\n\
        2000,x,1,8,0,1,-1,\"Second, with a comma\"\n\
        3000,x,2,7,0,0,0,Third\n";
    const VOTES_CSV: &str = "timestamp,datetime,comment-id,voter-id,vote\n\
        1500,x,0,7,1\n\
        2500,x,1,8,-1\n\
        2600,x,0,8,0\n";

    fn error_place(result: Result<PolisExport, PolisImportError>) -> (String, u64, usize) {
        match result {
            Err(PolisImportError::Format {
                file, line, column, ..
            }) => (file, line, column),
            other => panic!("expected a format error, got {other:?}"),
        }
    }

    #[test]
    fn reads_comments_votes_and_summary() {
        let export = parse(
            COMMENTS_CSV,
            Some(VOTES_CSV),
            None,
            Some("topic,Hello, world\nurl,https://pol.is/x\n"),
        )
        .unwrap();
        assert_eq!(export.comments.len(), 3);
        assert_eq!(export.comments[1].id, 1);
        assert_eq!(export.comments[1].author, 8);
        assert_eq!(export.comments[1].moderated, Moderated::Hidden);
        assert_eq!(export.comments[1].body.as_str(), "Second, with a comma");
        assert_eq!(export.comments[2].moderated, Moderated::Pending);
        assert_eq!(
            export.votes,
            vec![
                PolisVote {
                    timestamp_ms: 1500,
                    comment: 0,
                    voter: 7,
                    vote: 1
                },
                PolisVote {
                    timestamp_ms: 2500,
                    comment: 1,
                    voter: 8,
                    vote: -1
                },
                PolisVote {
                    timestamp_ms: 2600,
                    comment: 0,
                    voter: 8,
                    vote: 0
                },
            ]
        );
        assert!(!export.votes_from_matrix);
        assert_eq!(export.summary_value("topic"), Some("Hello, world"));
        assert_eq!(export.summary_value("url"), Some("https://pol.is/x"));
    }

    #[test]
    fn without_votes_csv_the_matrix_gives_the_votes_at_their_comments_time() {
        let matrix = "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2\n\
            7,0,2,1,1,0,1,,\n\
            8,1,1,2,0,1,0,-1,\n";
        let export = parse(COMMENTS_CSV, None, Some(matrix), None).unwrap();
        assert!(export.votes_from_matrix);
        let cells: Vec<(u64, u64, i8, i64)> = export
            .votes
            .iter()
            .map(|v| (v.voter, v.comment, v.vote, v.timestamp_ms))
            .collect();
        assert_eq!(
            cells,
            vec![(7, 0, 1, 1000), (8, 0, 0, 1000), (8, 1, -1, 2000)]
        );
    }

    #[test]
    fn a_bad_vote_names_file_line_and_column() {
        let votes = "timestamp,datetime,comment-id,voter-id,vote\n1500,x,0,7,1\n1600,x,0,8,2\n";
        assert_eq!(
            error_place(parse(COMMENTS_CSV, Some(votes), None, None)),
            (VOTES.to_owned(), 3, 5)
        );
        let votes = "timestamp,datetime,comment-id,voter-id,vote\n1500,x,9,7,1\n";
        assert_eq!(
            error_place(parse(COMMENTS_CSV, Some(votes), None, None)),
            (VOTES.to_owned(), 2, 3)
        );
        let votes = "timestamp,datetime,comment-id,voter-id,vote\nsoon,x,0,7,1\n";
        assert_eq!(
            error_place(parse(COMMENTS_CSV, Some(votes), None, None)),
            (VOTES.to_owned(), 2, 1)
        );
        let votes = "timestamp,datetime,comment-id,voter-id,vote\n1500,x,0,-7,1\n";
        assert_eq!(
            error_place(parse(COMMENTS_CSV, Some(votes), None, None)),
            (VOTES.to_owned(), 2, 4)
        );
    }

    #[test]
    fn bad_comments_name_their_place() {
        let empty_body =
            "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
            1000,x,0,7,1,0,1,\"  \"\n";
        assert_eq!(
            error_place(parse(empty_body, None, None, None)),
            (COMMENTS.to_owned(), 2, 8)
        );
        let twice =
            "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
            1000,x,0,7,1,0,1,a\n1000,x,0,7,1,0,1,b\n";
        assert_eq!(
            error_place(parse(twice, None, None, None)),
            (COMMENTS.to_owned(), 3, 3)
        );
        let moderated =
            "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
            1000,x,0,7,1,0,5,a\n";
        assert_eq!(
            error_place(parse(moderated, None, None, None)),
            (COMMENTS.to_owned(), 2, 7)
        );
        let short =
            "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
            1000,x,0,7\n";
        assert_eq!(
            error_place(parse(short, None, None, None)),
            (COMMENTS.to_owned(), 2, 1)
        );
        let no_column = "timestamp,datetime,comment-id,agrees,disagrees,moderated,comment-body\n";
        let (file, line, _) = error_place(parse(no_column, None, None, None));
        assert_eq!((file.as_str(), line), (COMMENTS, 1));
    }

    #[test]
    fn a_matrix_column_that_is_no_comment_is_refused() {
        let matrix =
            "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,9\n7,0,0,1,1,0,1,\n";
        assert_eq!(
            error_place(parse(COMMENTS_CSV, None, Some(matrix), None)),
            (MATRIX.to_owned(), 1, 8)
        );
    }
}
