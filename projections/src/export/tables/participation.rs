//! Participation tables: by kind of participant and verification level, by territory,
//! and contributions per day.

use super::{code_of, col, opt, ColumnType::*, Rows, Scope, TableDef};
use crate::export::Cell;

/// Participants by kind.
pub const BY_KIND: TableDef = TableDef {
    name: "participation_par_type",
    title: "Participation par type de participant",
    description: "Participants distincts (ayant contribué, voté ou soutenu) par type et \
                  par niveau de vérification.",
    columns: &[
        col("type", Text, "citoyen, entreprise ou agent_public."),
        col(
            "verification",
            Text,
            "self_declared, verified_by_facilitator ou verified_by_identity_provider.",
        ),
        col("participants", Integer, "Nombre de participants."),
    ],
};

/// Participants by territory.
pub const BY_TERRITORY: TableDef = TableDef {
    name: "participation_par_territoire",
    title: "Participation par territoire",
    description: "Participants ayant déclaré une commune, par commune puis par EPCI, \
                  département et région, avec la population municipale du découpage \
                  administratif officiel.",
    columns: &[
        col(
            "territoire",
            Text,
            "Code préfixé : COM:, EPCI:, DEP: ou REG:.",
        ),
        col("participants", Integer, "Nombre de participants."),
        opt("population", Integer, "Population municipale, si connue."),
        opt(
            "pour_mille_habitants",
            Decimal,
            "Participants pour 1 000 habitants.",
        ),
    ],
};

/// Contributions per day.
pub const BY_DAY: TableDef = TableDef {
    name: "participation_par_jour",
    title: "Contributions par jour",
    description: "Contributions déposées chaque jour (jour UTC de l'événement), tous \
                  statuts confondus.",
    columns: &[
        col("jour", Date, "Le jour, AAAA-MM-JJ (UTC)."),
        col(
            "contributions",
            Integer,
            "Contributions déposées ce jour-là.",
        ),
    ],
};

/// Rows by kind.
pub fn by_kind_rows<'a>(scope: &'a Scope<'a>) -> Rows<'a> {
    let figures = scope.participation;
    let rows: Vec<Vec<Cell>> = figures
        .by_kind
        .iter()
        .flat_map(|(kind, levels)| {
            levels.iter().map(move |(level, count)| {
                vec![
                    Cell::text(code_of(kind)),
                    Cell::text(level.clone()),
                    Cell::Integer(*count as i64),
                ]
            })
        })
        .collect();
    Box::new(rows.into_iter())
}

/// Rows by territory: communes first, then the levels above.
pub fn by_territory_rows<'a>(scope: &'a Scope<'a>) -> Rows<'a> {
    let figures = scope.participation;
    let reference = domain::territory::reference();
    let communes = figures.by_commune.iter().map(|(code, count)| {
        let population = reference.population(code);
        (code.clone(), *count, population)
    });
    let above = figures
        .by_territory
        .iter()
        .filter(|(code, _)| !code.starts_with("COM:"))
        .map(|(code, t)| (code.clone(), t.participants, t.population));
    let rows: Vec<Vec<Cell>> = communes
        .chain(above)
        .map(|(code, count, population)| {
            let per_thousand = population
                .filter(|p| *p > 0)
                .map(|p| count as f64 * 1000.0 / p as f64);
            vec![
                Cell::text(code),
                Cell::Integer(count as i64),
                population.map_or(Cell::Empty, |p| Cell::Integer(p as i64)),
                per_thousand.map_or(Cell::Empty, Cell::Decimal),
            ]
        })
        .collect();
    Box::new(rows.into_iter())
}

/// Rows per day.
pub fn by_day_rows<'a>(scope: &'a Scope<'a>) -> Rows<'a> {
    let figures = scope.participation;
    let rows: Vec<Vec<Cell>> = figures
        .contributions_per_day
        .iter()
        .map(|(day, count)| vec![Cell::Date(*day), Cell::Integer(*count as i64)])
        .collect();
    Box::new(rows.into_iter())
}
