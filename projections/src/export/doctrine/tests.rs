//! The doctrine revision of the fixture: version 1 amended, version 2 adopted with one
//! word added, one removed and one article deleted.

use std::io::Cursor;

use super::{markdown, revision};
use crate::export::opendocument::test_support::{assert_well_formed, read_entry};
use crate::export::opendocument::write_odt;
use crate::export::report::test_fixture::{self, c, AMENDMENT, ARTICLE_V1, HIDDEN, PENDING};
use domain::testing::fixtures::doctrine_id;

async fn revised() -> (String, Vec<u8>) {
    let snapshot = test_fixture::snapshot().await;
    assert_eq!(
        snapshot.doctrine_versions[&doctrine_id()]
            .keys()
            .copied()
            .collect::<Vec<_>>(),
        vec![1, 2],
        "every version kept"
    );
    test_fixture::with_scope(&snapshot, |scope| {
        assert_eq!(revision::amended_doctrines(scope), vec![doctrine_id()]);
        let doctrine = &scope.snapshot.doctrines[&doctrine_id()];
        assert_eq!(revision::base_version(scope, doctrine), 1);
        let report = revision::build(scope, doctrine);
        let odt = write_odt(
            &crate::export::report::odt::document(report.clone()),
            Cursor::new(Vec::new()),
            snapshot.recorded_at,
        )
        .expect("writes")
        .into_inner();
        (markdown::render(&report), odt)
    })
}

#[tokio::test]
async fn the_markdown_marks_the_words_and_cites_the_source() {
    let (md, _) = revised().await;
    assert!(
        md.starts_with("# Doctrine révisée — Doctrine d'essai\n"),
        "{md:.200}"
    );
    assert!(md.contains("**Convention :**"), "{md}");
    // "et" removed, "hébergées" added between version 1 and 2.
    assert!(md.contains("<ins>hébergées</ins> "), "{md}");
    assert!(md.contains("~~et~~ "), "{md}");
    assert!(md.contains(&format!("> {ARTICLE_V1}")), "base text quoted");
    // The change names the amendment it came from, with an excerpt.
    assert!(
        md.contains(&format!("contribution {} « {AMENDMENT} »", c(4))),
        "{md}"
    );
    assert!(md.contains("## Article territoire\\-2") || md.contains("## Article territoire-2"));
    assert!(md.contains("(supprimé)"), "the deleted article is listed");
    assert!(
        md.contains("~~Un article que la révision supprime.~~"),
        "{md}"
    );
    // Supports by kind: the citizen supports, the business opposes.
    assert!(md.contains("| Citoyens | 1 | 0 |"), "{md}");
    assert!(md.contains("| Entreprises | 0 | 1 |"), "{md}");
    assert!(md.contains("Amendement retenu : l'hébergement local."));
    assert!(!md.contains(PENDING) && !md.contains(HIDDEN));
}

#[tokio::test]
async fn the_odt_marks_inserted_and_deleted_spans() {
    let (_, bytes) = revised().await;
    let content = read_entry(&bytes, "content.xml");
    assert_well_formed(&content);
    assert!(
        content.contains(r#"<text:span text:style-name="Inserted">hébergées"#),
        "{content}"
    );
    assert!(content.contains(r#"<text:span text:style-name="Deleted">et"#));
}

#[tokio::test]
async fn two_renders_are_identical() {
    assert_eq!(revised().await.0, revised().await.0);
}
