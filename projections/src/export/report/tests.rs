//! The report rendered from a replayed concertation: what it shows, what it hides,
//! that it requests nothing, that it is accessible and that it is deterministic.

use std::io::Cursor;

use super::test_fixture::{self, HIDDEN, HOSTILE, JUSTIFICATION, PENDING};
use super::{build, html, odt};
use crate::charts::escape;
use crate::export::opendocument::test_support::{assert_well_formed, read_entry, texts_of};
use crate::export::opendocument::write_odt;

async fn rendered() -> (String, Vec<u8>) {
    let snapshot = test_fixture::snapshot().await;
    test_fixture::with_scope(&snapshot, |scope| {
        let report = build(scope);
        let odt = write_odt(
            &odt::document(report.clone()),
            Cursor::new(Vec::new()),
            snapshot.recorded_at,
        )
        .expect("writes")
        .into_inner();
        (html::render(&report), odt)
    })
}

#[tokio::test]
async fn the_page_requests_nothing_and_declares_french() {
    let (page, _) = rendered().await;
    assert!(
        page.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"),
        "{page:.200}"
    );
    for forbidden in [
        "<link", "<script", "<img", "<iframe", "<object", "src=", "url(", "@import",
    ] {
        assert!(!page.contains(forbidden), "{forbidden} in the page");
    }
    // The only links are the contents' anchors inside the page.
    let hrefs: Vec<&str> = page.split("href=\"").skip(1).collect();
    assert!(!hrefs.is_empty());
    assert!(hrefs.iter().all(|h| h.starts_with("#s-")), "{hrefs:?}");
    assert!(page.contains("default-src 'none'"));
    assert!(page.contains("@media print"));
}

#[tokio::test]
async fn the_page_shows_the_context_participation_and_answers() {
    let (page, _) = rendered().await;
    assert!(page.contains(&escape("Rapport de synthèse — L'IA dans notre territoire")));
    assert!(page.contains("Une concertation de démonstration."));
    assert!(
        page.contains("2 participants distincts ont contribué"),
        "participants"
    );
    assert!(page.contains("5 contributions déposées"));
    // Alice is a self-declared citizen: the row of citizens counts her once.
    assert!(
        page.contains(
            "<tr><th scope=\"row\">Citoyens</th><td>1</td><td>1</td><td>0</td><td>0</td></tr>"
        ),
        "citizens' row"
    );
    assert!(page.contains("Paris (COM:75056)"), "territory named");
    assert!(page.contains(JUSTIFICATION), "the answer's justification");
    assert!(page.contains("Adoption — proposition (1 soutien, 0 opposition)"));
    // The statement both voted for is the most agreed, with 100 % agreement.
    assert!(page.contains("Les services publics doivent rester humains."));
    assert!(page.contains("100\u{202f}%"));
    // Dates in Paris time (the fixture's events are at 14 h 13 UTC in September).
    assert!(page.contains("Méthode et limites"));
    assert!(page.contains("PCA") || page.contains("composantes principales"));
}

#[tokio::test]
async fn hostile_text_is_escaped_and_kept_and_unpublished_text_left_out() {
    let (page, _) = rendered().await;
    assert!(!page.contains("<script>alert"));
    assert!(
        page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"),
        "escaped"
    );
    assert!(page.contains("&#39;apostrophe&#39;"));
    assert!(page.contains("🙂") && page.contains("مرحبا بالعالم"));
    assert!(!page.contains(PENDING), "a pending text");
    assert!(!page.contains(HIDDEN), "a hidden text");
    assert!(
        page.contains("1 en attente de modération"),
        "counted, not shown"
    );
    assert!(page.contains("1 masquées par la modération"));
}

#[tokio::test]
async fn headings_tables_and_charts_are_accessible() {
    let (page, odt) = rendered().await;
    if let Ok(dir) = std::env::var("CONCERTO_REPORT_DUMP") {
        std::fs::write(format!("{dir}/rapport.html"), &page).expect("dump");
        std::fs::write(format!("{dir}/rapport.odt"), &odt).expect("dump");
    }
    let levels: Vec<u8> = page
        .match_indices("<h")
        .filter_map(|(i, _)| page[i + 2..].chars().next()?.to_digit(10).map(|d| d as u8))
        .collect();
    assert_eq!(levels.first(), Some(&1));
    assert_eq!(levels.iter().filter(|l| **l == 1).count(), 1, "one title");
    for pair in levels.windows(2) {
        assert!(
            pair[1] <= pair[0] + 1,
            "a heading level skipped: {levels:?}"
        );
    }
    let header_cells = page.matches("<th ").count() + page.matches("<th>").count();
    assert!(header_cells > 10);
    assert_eq!(
        header_cells,
        page.matches("<th scope=\"").count(),
        "every header cell has a scope"
    );
    let charts = page.matches("<svg").count();
    assert!(charts >= 2, "participation charts");
    assert_eq!(page.matches("role=\"img\" aria-label=\"").count(), charts);
    // Each chart is followed by the table of its figures.
    for chunk in page.split("<svg").skip(1) {
        let after = &chunk[chunk.find("</figure>").expect("a figure")..];
        assert!(after
            .trim_start_matches("</figure>\n")
            .starts_with("<table>"));
    }
}

#[tokio::test]
async fn the_odt_is_valid_and_says_the_same_thing() {
    let (_, bytes) = rendered().await;
    let content = read_entry(&bytes, "content.xml");
    assert_well_formed(&content);
    let paragraphs = texts_of(&content, "text:p").join("\n");
    let headings = texts_of(&content, "text:h");
    assert_eq!(
        headings[0],
        "Rapport de synthèse — L'IA dans notre territoire"
    );
    assert!(headings.iter().any(|h| h == "Méthode et limites"));
    assert!(paragraphs.contains(HOSTILE), "the hostile text, as written");
    assert!(paragraphs.contains(JUSTIFICATION));
    assert!(!paragraphs.contains(PENDING) && !paragraphs.contains(HIDDEN));
    let cells = texts_of(&content, "table:table-cell");
    assert!(cells.windows(2).any(|w| w[0] == "Citoyens" && w[1] == "1"));
    assert!(read_entry(&bytes, "meta.xml").contains("fr"));
}

#[tokio::test]
async fn two_renders_and_two_replays_give_the_same_bytes() {
    let snapshot = test_fixture::snapshot().await;
    let twice = || {
        test_fixture::with_scope(&snapshot, |scope| {
            let report = build(scope);
            let odt = write_odt(
                &odt::document(report.clone()),
                Cursor::new(Vec::new()),
                snapshot.recorded_at,
            )
            .expect("writes")
            .into_inner();
            (html::render(&report), odt)
        })
    };
    assert_eq!(twice(), twice());
    let store = test_fixture::store().await;
    let replay = || async {
        let s = crate::export::replay(&store, None, &mut |_| {})
            .await
            .expect("replays");
        test_fixture::with_scope(&s, |scope| html::render(&build(scope)))
    };
    assert_eq!(replay().await, replay().await);
}
