//! The open-data tables of an export, defined once: their columns (name, type, meaning)
//! and their rows as [`Cell`]s. The CSV, JSON and ODS writers and the column dictionary
//! all read these definitions, so the formats cannot drift apart.
//!
//! Open data carries no personal data and nothing erased: no participant id, no
//! facilitator's identity, no erased body; only published contributions (and those
//! marked as duplicates, which stay public). Rows come in a fixed order (log order,
//! then ids) so exporting twice gives the same files.

mod contributions;
mod moderation;
mod participation;
mod statements;

use std::collections::BTreeMap;

use domain::values::QuestionId;
use serde::Serialize;

use super::snapshot::Snapshot;
use super::Cell;
use crate::model::queries::Participation;
use crate::model::rows::{ConcertationRow, ContributionRow, ContributionStatusRow};
use crate::opinion_groups::OpinionGroups;

/// A column's type, as JSON Schema and the dictionary name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// Text (possibly empty).
    Text,
    /// A whole number.
    Integer,
    /// A decimal number.
    Decimal,
    /// `true` or `false`.
    Bool,
    /// An instant, RFC 3339 in UTC.
    Instant,
    /// A day, `YYYY-MM-DD`.
    Date,
}

impl ColumnType {
    /// The type's French name in the column dictionary.
    pub fn label(self) -> &'static str {
        match self {
            Self::Text => "texte",
            Self::Integer => "entier",
            Self::Decimal => "décimal",
            Self::Bool => "booléen",
            Self::Instant => "horodatage RFC 3339 (UTC)",
            Self::Date => "date AAAA-MM-JJ",
        }
    }
}

/// One column.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// Its name (CSV header, JSON key).
    pub name: &'static str,
    /// Its type.
    pub kind: ColumnType,
    /// Whether it may be empty (`null` in JSON).
    pub optional: bool,
    /// What it holds, in French.
    pub description: &'static str,
}

/// A required column.
pub(crate) const fn col(name: &'static str, kind: ColumnType, description: &'static str) -> Column {
    Column {
        name,
        kind,
        optional: false,
        description,
    }
}

/// A column that may be empty.
const fn opt(name: &'static str, kind: ColumnType, description: &'static str) -> Column {
    Column {
        name,
        kind,
        optional: true,
        description,
    }
}

/// One table: its file name (without extension), its title and columns.
#[derive(Debug)]
pub struct TableDef {
    /// File name and sheet name (`contributions`).
    pub name: &'static str,
    /// Its French title.
    pub title: &'static str,
    /// What one row is.
    pub description: &'static str,
    /// The columns, in order.
    pub columns: &'static [Column],
}

/// What the tables of one concertation are computed from.
pub struct Scope<'a> {
    /// The replayed log.
    pub snapshot: &'a Snapshot,
    /// The concertation exported.
    pub concertation: &'a ConcertationRow,
    /// The opinion groups of each statements question.
    pub groups: &'a BTreeMap<QuestionId, OpinionGroups>,
    /// The concertation's participation figures, computed once (a pass over every
    /// contribution) for the tables and the report.
    pub participation: &'a Participation,
}

impl<'a> Scope<'a> {
    /// The current text of a contribution's body, from its row or from the replay's
    /// spill; `None` once erased.
    pub fn body(&self, c: &'a ContributionRow) -> Option<std::borrow::Cow<'a, str>> {
        self.snapshot.model.body_text(c)
    }
}

/// The rows of a table, produced lazily so a writer holds one row at a time.
pub type Rows<'a> = Box<dyn Iterator<Item = Vec<Cell>> + 'a>;

/// Every open-data table, in the bundle's order.
pub const TABLES: [&TableDef; 11] = [
    &contributions::CONTRIBUTIONS,
    &statements::TALLIES,
    &statements::GROUPS,
    &statements::GROUP_STATEMENTS,
    &statements::CONSENSUS,
    &participation::BY_KIND,
    &participation::BY_TERRITORY,
    &participation::BY_DAY,
    &moderation::LOG,
    &moderation::ANSWERS,
    &moderation::SESSIONS,
];

/// The rows of `table` for `scope`.
pub fn rows<'a>(table: &TableDef, scope: &'a Scope<'a>) -> Rows<'a> {
    match table.name {
        "contributions" => contributions::rows(scope),
        "votes_par_enonce" => statements::tally_rows(scope),
        "groupes_d_opinion" => statements::group_rows(scope),
        "enonces_representatifs" => statements::group_statement_rows(scope),
        "consensus" => statements::consensus_rows(scope),
        "participation_par_type" => participation::by_kind_rows(scope),
        "participation_par_territoire" => participation::by_territory_rows(scope),
        "participation_par_jour" => participation::by_day_rows(scope),
        "journal_de_moderation" => moderation::log_rows(scope),
        "reponses_de_la_commission" => moderation::answer_rows(scope),
        "seances" => moderation::session_rows(scope),
        other => unreachable!("table {other} absente de TABLES"),
    }
}

/// The stored code of a value (`proposal`, `citoyen`…): its serde name, or the tag of
/// an internally tagged enum (`{"decision": "hide", …}` → `hide`).
pub(crate) fn code_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(code)) => code,
        Ok(serde_json::Value::Object(map)) => ["decision", "status", "type"]
            .iter()
            .find_map(|tag| map.get(*tag)?.as_str())
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    }
}

/// The published contributions of the scope (and duplicates, which stay public), in
/// submission order, erased ones left out.
pub(crate) fn public_contributions<'a>(
    scope: &'a Scope<'a>,
) -> impl Iterator<Item = &'a ContributionRow> + 'a {
    let model = &scope.snapshot.model;
    let concertation = scope.concertation.id;
    model
        .contributions
        .iter()
        .filter(move |c| c.concertation == concertation && c.body.is_some())
        .filter(|c| {
            matches!(
                c.status,
                ContributionStatusRow::Published | ContributionStatusRow::Duplicate { .. }
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_rows_a_name_and_unique_columns() {
        let mut names = std::collections::BTreeSet::new();
        for table in TABLES {
            assert!(names.insert(table.name), "{} deux fois", table.name);
            let mut columns = std::collections::BTreeSet::new();
            for c in table.columns {
                assert!(
                    columns.insert(c.name),
                    "{}.{} deux fois",
                    table.name,
                    c.name
                );
                assert!(!c.description.is_empty());
            }
        }
    }

    #[test]
    fn codes_come_from_serde() {
        use domain::contribution::{CharterReason, ContributionKind, ModerationDecision};
        assert_eq!(code_of(&ContributionKind::Proposal), "proposal");
        assert_eq!(
            code_of(&ModerationDecision::Hide {
                reason: CharterReason::Illegal
            }),
            "hide"
        );
    }
}
