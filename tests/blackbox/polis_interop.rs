//! `concerto import polis` then `concerto export polis` on a real Polis conversation
//! (`projections/tests/fixtures/polis/15-per-hour-seattle`, CC BY 4.0, see its
//! ATTRIBUTION.md): the exported vote matrix equals Polis's cell for cell, a second
//! import appends nothing, a malformed file is refused with its line and column and
//! appends nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::cli_support::{concerto, run};
use concerto_tests::services::nats_url;
use eventstore::nats::{NatsBackend, NatsConfig};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/projections/tests/fixtures/polis/15-per-hour-seattle"
);
const SLUG: &str = "polis-15-per-hour-seattle";

/// `participants-votes.csv` as (participant, comment) → vote, for its non-empty cells
/// (the file has no quoted cells).
fn matrix(dir: &Path) -> BTreeMap<(String, String), String> {
    let text = std::fs::read_to_string(dir.join("participants-votes.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut cells = BTreeMap::new();
    for line in lines {
        let row: Vec<&str> = line.split(',').collect();
        assert_eq!(row.len(), header.len(), "{line}");
        for (column, cell) in row.iter().enumerate().skip(6) {
            if !cell.is_empty() {
                cells.insert(
                    (row[0].to_owned(), header[column].to_owned()),
                    (*cell).to_owned(),
                );
            }
        }
    }
    cells
}

/// `group-id` per participant row of `participants-votes.csv`.
fn groups(dir: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(dir.join("participants-votes.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let mut cells = line.split(',');
            let who = cells.next().unwrap_or_default().to_owned();
            (who, cells.next().unwrap_or_default().to_owned())
        })
        .collect()
}

/// The first seven columns of `comments.csv` (before the body, which may hold commas),
/// keyed by comment id: (author, moderated).
fn comments(dir: &Path) -> BTreeMap<String, (String, String)> {
    let text = std::fs::read_to_string(dir.join("comments.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|line| line.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(|line| {
            let cells: Vec<&str> = line.splitn(8, ',').collect();
            (
                cells[2].to_owned(),
                (cells[3].to_owned(), cells[6].to_owned()),
            )
        })
        .collect()
}

/// `votes.csv` rows without the `datetime` column (whose time zone is Polis's server's).
fn votes(dir: &Path) -> Vec<(String, String, String, String)> {
    let text = std::fs::read_to_string(dir.join("votes.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let c: Vec<&str> = line.split(',').collect();
            (
                c[0].to_owned(),
                c[2].to_owned(),
                c[3].to_owned(),
                c[4].to_owned(),
            )
        })
        .collect()
}

fn log_size(data: &Path) -> u64 {
    std::fs::metadata(data.join("events.log")).map_or(0, |m| m.len())
}

/// What import-then-export must give back, on any backend.
fn assert_round_trip(out: &Path) {
    let fixture = Path::new(FIXTURE);
    let (expected, exported) = (matrix(fixture), matrix(out));
    assert_eq!(expected.len(), 2_872, "cells of the fixture");
    assert_eq!(
        exported, expected,
        "the exported vote matrix differs from Polis's"
    );
    assert_eq!(
        comments(out),
        comments(fixture),
        "authors or moderation outcomes differ"
    );
    // Every exported vote is one of Polis's, at its original time, in time order; only
    // votes repeating the participant's current vote append nothing.
    let original: BTreeSet<_> = votes(fixture).into_iter().collect();
    let exported_votes = votes(out);
    assert!(exported_votes.iter().all(|v| original.contains(v)));
    assert_eq!(exported_votes.len(), 2_995 - 116);
    let times: Vec<i64> = exported_votes
        .iter()
        .map(|v| v.0.parse().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "votes out of time order"
    );
    // Concerto's own opinion groups fill group-id: every voter of 7 statements or more
    // is in one of at least two groups.
    let by_participant = groups(out);
    let clustered: BTreeSet<&String> = by_participant.values().filter(|g| !g.is_empty()).collect();
    assert!(clustered.len() >= 2, "groups {clustered:?}");
    let polis_votes: BTreeMap<&String, usize> =
        expected.keys().fold(BTreeMap::new(), |mut n, (p, _)| {
            *n.entry(p).or_default() += 1;
            n
        });
    for (participant, n) in polis_votes {
        if n >= 7 {
            assert!(
                !by_participant[participant].is_empty(),
                "participant {participant} ({n} votes) has no group"
            );
        }
    }
}

#[test]
fn import_then_export_gives_back_polis_matrix_and_a_second_import_appends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let said = concerto(&["import", "polis", FIXTURE, "--data-dir", data_arg], &[]);
    assert!(
        said.contains(&format!(
            "concertation « {SLUG} » : 339 participants, 54 propositions, 2879 votes (116 votes répétés"
        )),
        "{said}"
    );
    assert!(said.contains(", 0 écritures déjà présentes"), "{said}");
    let size = log_size(&data);
    assert!(size > 0);

    let again = concerto(&["import", "polis", FIXTURE, "--data-dir", data_arg], &[]);
    assert!(
        again.contains("0 événements ajoutés en 0 écritures"),
        "{again}"
    );
    assert_eq!(log_size(&data), size, "the second import wrote to the log");

    let out = dir.path().join("out");
    let said = concerto(
        &[
            "export",
            "polis",
            SLUG,
            out.to_str().unwrap(),
            "--data-dir",
            data_arg,
        ],
        &[],
    );
    assert!(said.contains("54 propositions, 2879 votes"), "{said}");
    assert_round_trip(&out);

    // A malformed copy of the same conversation changes nothing either.
    let bad = malformed_copy(dir.path());
    let output = run(
        &[
            "import",
            "polis",
            bad.to_str().unwrap(),
            "--concertation",
            SLUG,
            "--data-dir",
            data_arg,
        ],
        &[],
    );
    assert!(!output.status.success());
    assert_eq!(log_size(&data), size, "a refused import wrote to the log");
}

/// The fixture with one bad vote (`7`) on line 100 of `votes.csv`, column 5.
fn malformed_copy(root: &Path) -> std::path::PathBuf {
    let bad = root.join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    for name in ["comments.csv", "summary.csv", "participants-votes.csv"] {
        std::fs::copy(Path::new(FIXTURE).join(name), bad.join(name)).unwrap();
    }
    let text = std::fs::read_to_string(Path::new(FIXTURE).join("votes.csv")).unwrap();
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            if i + 1 == 100 {
                let mut cells: Vec<&str> = line.split(',').collect();
                cells[4] = "7";
                cells.join(",")
            } else {
                line.to_owned()
            }
        })
        .collect();
    std::fs::write(bad.join("votes.csv"), lines.join("\n") + "\n").unwrap();
    bad
}

#[test]
fn a_malformed_export_is_refused_with_its_line_and_column_and_appends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = malformed_copy(dir.path());
    let data = dir.path().join("data");
    let output = run(
        &[
            "import",
            "polis",
            bad.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &[],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("votes.csv, ligne 100, colonne 5 : « vote » vaut 1, 0 ou -1, pas 7"),
        "{stderr}"
    );
    assert_eq!(log_size(&data), 0, "a refused import wrote to the log");

    std::fs::remove_file(bad.join("comments.csv")).unwrap();
    let output = run(
        &[
            "import",
            "polis",
            bad.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("fichier absent") && stderr.contains("comments.csv"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_into_jetstream_twice_then_export_gives_back_polis_matrix() {
    let Some(url) = nats_url("import_into_jetstream_twice_then_export_gives_back_polis_matrix")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let stream = format!("TEST_POLIS_{}", uuid::Uuid::now_v7().simple());
    let envs = [
        ("NATS_URL", url.as_str()),
        ("CONCERTO_NATS_STREAM", stream.as_str()),
    ];
    let first = concerto(&["import", "polis", FIXTURE, "--data-dir", data_arg], &envs);
    let again = concerto(&["import", "polis", FIXTURE, "--data-dir", data_arg], &envs);
    let out = dir.path().join("out");
    let exported = concerto(
        &[
            "export",
            "polis",
            SLUG,
            out.to_str().unwrap(),
            "--data-dir",
            data_arg,
        ],
        &envs,
    );
    NatsBackend::connect(NatsConfig {
        url,
        stream,
        ..Default::default()
    })
    .await
    .unwrap()
    .delete_stream()
    .await
    .unwrap();
    assert!(first.contains(", 0 écritures déjà présentes"), "{first}");
    assert!(
        again.contains("0 événements ajoutés en 0 écritures"),
        "{again}"
    );
    assert!(exported.contains("2879 votes"), "{exported}");
    assert_round_trip(&out);
}
