//! `concerto export synthesis` and `concerto verify export` on a real Polis
//! conversation imported from the fixture (CC BY 4.0, see its ATTRIBUTION.md): the
//! bundle's tables parse back with the `csv` crate and agree with the fixture, exporting
//! again at the same position gives byte-identical files, a tampered file or a replay
//! that disagrees fails verification, and bad requests are refused in French without
//! writing anything.

use std::collections::BTreeMap;
use std::path::Path;

use crate::cli_support::{concerto, run};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/projections/tests/fixtures/polis/15-per-hour-seattle"
);
const SLUG: &str = "polis-15-per-hour-seattle";

/// Every file of a bundle, path → bytes.
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// A CSV table of the bundle as header-keyed records.
fn table(root: &Path, name: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(root.join("donnees").join(format!("{name}.csv")))
        .unwrap_or_else(|e| panic!("{name}.csv: {e}"));
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let record = r.unwrap();
            header
                .iter()
                .zip(record.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

/// The fixture's published comments: `moderated = 1` (0 is unmoderated, imported as
/// pending; −1 hidden).
fn fixture_statements() -> usize {
    let mut reader = csv::Reader::from_path(Path::new(FIXTURE).join("comments.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let moderated = header.iter().position(|h| h == "moderated").unwrap();
    reader
        .records()
        .filter(|r| r.as_ref().unwrap().get(moderated) == Some("1"))
        .count()
}

#[test]
fn a_polis_conversation_exports_verifies_and_exports_again_identically() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    concerto(&["import", "polis", FIXTURE, "--data-dir", data_arg], &[]);

    let out = dir.path().join("export");
    let said = concerto(
        &[
            "export",
            "synthesis",
            SLUG,
            out.to_str().unwrap(),
            "--data-dir",
            data_arg,
        ],
        &[],
    );
    assert!(said.contains("exportée dans"), "{said}");

    // The open data agrees with the conversation.
    let tallies = table(&out, "votes_par_enonce");
    assert_eq!(
        tallies.len(),
        fixture_statements(),
        "one row per published statement"
    );
    for row in &tallies {
        let n = |c: &str| row[c].parse::<u64>().unwrap();
        assert_eq!(n("total"), n("pour") + n("contre") + n("passe"), "{row:?}");
    }
    let votes: u64 = tallies
        .iter()
        .map(|r| r["total"].parse::<u64>().unwrap())
        .sum();
    assert!(votes > 1_000, "the fixture's votes are counted: {votes}");
    let contributions = table(&out, "contributions");
    assert_eq!(
        contributions.len(),
        tallies.len(),
        "statements are the contributions"
    );
    assert!(contributions
        .iter()
        .all(|c| c["type"] == "statement" && !c["texte"].is_empty()));
    let groups = table(&out, "groupes_d_opinion");
    assert!(groups.len() >= 2, "opinion groups: {groups:?}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("donnees/votes_par_enonce.json")).unwrap())
            .unwrap();
    assert_eq!(json.as_array().unwrap().len(), tallies.len());
    assert_eq!(
        json[0]["total"].as_u64().unwrap().to_string(),
        tallies[0]["total"],
        "JSON and CSV say the same"
    );
    let dictionary = table(&out, "dictionnaire_des_colonnes");
    assert!(dictionary
        .iter()
        .any(|r| r["table"] == "contributions" && r["colonne"] == "texte"));

    // The manifest names every file with its hash.
    let bundle = files(&out);
    let manifest: serde_json::Value = serde_json::from_slice(&bundle["manifest.json"]).unwrap();
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed.len(),
        bundle.len() - 1,
        "every file but the manifest"
    );
    for required in ["synthese.ods", "LICENCE.txt", "donnees/contributions.csv"] {
        assert!(listed.contains(&required), "{required} in {listed:?}");
    }
    assert_eq!(&bundle["synthese.ods"][30..38], b"mimetype");

    // LibreOffice opens the spreadsheet: one sheet per table, each with the CSV file's
    // header and rows (compared on the text of the contributions).
    if let Some(program) = concerto_tests::libreoffice::program() {
        let converted = dir.path().join("converted");
        let lo = concerto_tests::libreoffice::convert;
        // Comma, double quote, UTF-8, from line 1; the last token (-1) writes every
        // sheet to its own file, synthese-<sheet>.csv.
        let every_sheet =
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1";
        lo(
            program,
            dir.path(),
            &out.join("synthese.ods"),
            every_sheet,
            &converted,
        );
        lo(
            program,
            dir.path(),
            &out.join("synthese.ods"),
            "pdf",
            &converted,
        );
        for name in [
            "contributions",
            "votes_par_enonce",
            "groupes_d_opinion",
            "journal_de_moderation",
        ] {
            let from_calc = csv::Reader::from_path(converted.join(format!("synthese-{name}.csv")))
                .unwrap_or_else(|e| panic!("sheet {name}: {e}"))
                .into_records()
                .count();
            assert_eq!(from_calc, table(&out, name).len(), "sheet {name}");
        }
        let mut from_calc =
            csv::Reader::from_path(converted.join("synthese-contributions.csv")).unwrap();
        let header = from_calc.headers().unwrap().clone();
        let text = header.iter().position(|h| h == "texte").unwrap();
        let calc_texts: Vec<String> = from_calc
            .records()
            .map(|r| r.unwrap()[text].to_owned())
            .collect();
        let csv_texts: Vec<String> = contributions.iter().map(|c| c["texte"].clone()).collect();
        assert_eq!(calc_texts, csv_texts, "the texts read back from Calc");
        concerto_tests::libreoffice::assert_pdf(&converted.join("synthese.pdf"));
    }

    // Verified against the log.
    let said = concerto(
        &[
            "verify",
            "export",
            out.to_str().unwrap(),
            "--data-dir",
            data_arg,
        ],
        &[],
    );
    assert!(said.contains("Export vérifié"), "{said}");

    // Again at the same position: the same bytes.
    let position = manifest["position"].as_str().unwrap();
    let again = dir.path().join("again");
    concerto(
        &[
            "export",
            "synthesis",
            SLUG,
            again.to_str().unwrap(),
            "--at",
            position,
            "--data-dir",
            data_arg,
        ],
        &[],
    );
    assert_eq!(files(&again), bundle, "byte-identical at the same position");

    // A tampered file fails verification, naming it.
    let csv = out.join("donnees/contributions.csv");
    let mut bytes = std::fs::read(&csv).unwrap();
    let last = bytes.len() - 3;
    bytes[last] ^= 0x01;
    std::fs::write(&csv, bytes).unwrap();
    let output = run(
        &[
            "verify",
            "export",
            out.to_str().unwrap(),
            "--data-dir",
            data_arg,
        ],
        &[],
    );
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("fichier modifié depuis l'export : donnees/contributions.csv"),
        "{stdout}"
    );
}

#[test]
fn an_earlier_position_exports_the_log_as_it_was_then() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    concerto(&["import", "polis", FIXTURE, "--data-dir", data_arg], &[]);
    let newest = dir.path().join("newest");
    concerto(
        &[
            "export",
            "synthesis",
            SLUG,
            newest.to_str().unwrap(),
            "--data-dir",
            data_arg,
        ],
        &[],
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(newest.join("manifest.json")).unwrap()).unwrap();
    let size = manifest["audit"]["tree_size"].as_u64().unwrap();
    // The import writes one commit per batch; an earlier commit's first event is a
    // position of the log.
    let earlier = dir.path().join("earlier");
    concerto(
        &[
            "export",
            "synthesis",
            SLUG,
            earlier.to_str().unwrap(),
            "--at",
            "3:0",
            "--data-dir",
            data_arg,
        ],
        &[],
    );
    let old: serde_json::Value =
        serde_json::from_slice(&std::fs::read(earlier.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(old["position"], "3:0");
    let old_size = old["audit"]["tree_size"].as_u64().unwrap();
    assert!(old_size < size, "{old_size} < {size}");
    let said = concerto(
        &[
            "verify",
            "export",
            earlier.to_str().unwrap(),
            "--data-dir",
            data_arg,
        ],
        &[],
    );
    assert!(said.contains("Export vérifié"), "{said}");
}

#[test]
fn bad_requests_are_refused_in_french_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    concerto(&["import", "polis", FIXTURE, "--data-dir", data_arg], &[]);
    let refused = |args: &[&str], expected: &str| {
        let mut all = vec!["export", "synthesis"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--data-dir", data_arg]);
        let output = run(&all, &[]);
        assert!(!output.status.success(), "{args:?} accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    };
    let out = dir.path().join("out");
    let out_arg = out.to_str().unwrap();
    refused(
        &["inconnue", out_arg],
        "concertation inconnue : « inconnue »",
    );
    refused(
        &[SLUG, out_arg, "--at", "999999:0"],
        "au-delà de la fin du journal",
    );
    refused(&[SLUG, out_arg, "--at", "douze"], "attendu commit:index");
    assert!(!out.exists(), "nothing written");
    assert!(
        !dir.path().join("out.partiel").exists(),
        "no partial folder left"
    );

    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "à garder").unwrap();
    refused(&[SLUG, out_arg], "n'est pas vide");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "à garder"
    );
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1, "nothing added");
}
