//! Tests of the text document writer, reading the archive and its XML back.

use std::io::Cursor;

use time::macros::datetime;

use super::super::test_support::{
    assert_well_formed, attributes_of, entry_names, read_entry, texts_of,
};
use super::*;

const AT: OffsetDateTime = datetime!(2026-03-01 10:30 +01:00);

const TRICKY: &str = "=\"1+1\" <&> l'avis\nsuite\tcolonne  deux   trois 🙂 مرحبا بالعالم ";

fn report() -> Document {
    Document {
        title: "Rapport de la commission".to_owned(),
        language: "fr".to_owned(),
        blocks: vec![
            Block::Heading {
                level: 1,
                text: vec![Span::Text("Synthèse".to_owned())],
            },
            Block::Paragraph(vec![
                Span::Text("Avant ".to_owned()),
                Span::Strong("fort".to_owned()),
                Span::Text(" et ".to_owned()),
                Span::Emphasis("souligné".to_owned()),
            ]),
            Block::Heading {
                level: 9,
                text: vec![Span::Text("Profond".to_owned())],
            },
            Block::Quote(vec![Span::Text(TRICKY.to_owned())]),
            Block::List(vec![
                vec![Span::Inserted("ajouté".to_owned())],
                vec![Span::Deleted("retiré".to_owned())],
            ]),
            Block::Paragraph(vec![
                Span::Link {
                    text: "le site".to_owned(),
                    href: "https://example.org/?a=1&b=\"2\"".to_owned(),
                },
                Span::Link {
                    text: "piège".to_owned(),
                    href: "javascript:alert(1)".to_owned(),
                },
            ]),
            Block::Table {
                header: vec!["Proposition".to_owned(), "Voix".to_owned()],
                rows: vec![
                    vec!["A".to_owned(), "12".to_owned()],
                    vec!["B <b>".to_owned()],
                ],
            },
            Block::Table {
                header: vec![],
                rows: vec![],
            },
        ],
    }
}

fn write(document: &Document) -> Vec<u8> {
    write_odt(document, Cursor::new(Vec::new()), AT)
        .unwrap()
        .into_inner()
}

#[test]
fn the_package_has_the_text_mimetype_and_every_part_listed() {
    let bytes = write(&report());
    assert_eq!(&bytes[30..38], b"mimetype");
    assert_eq!(&bytes[38..38 + MIMETYPE.len()], MIMETYPE.as_bytes());
    assert_eq!(
        entry_names(&bytes),
        [
            "mimetype",
            "meta.xml",
            "styles.xml",
            "content.xml",
            "META-INF/manifest.xml"
        ]
    );
    let manifest = read_entry(&bytes, "META-INF/manifest.xml");
    assert_eq!(
        attributes_of(&manifest, "manifest:file-entry", "manifest:media-type"),
        [MIMETYPE, "text/xml", "text/xml", "text/xml"]
    );
    for part in [
        "content.xml",
        "styles.xml",
        "meta.xml",
        "META-INF/manifest.xml",
    ] {
        assert_well_formed(&read_entry(&bytes, part));
    }
    assert_eq!(bytes, write(&report()));
}

#[test]
fn headings_are_outlined_with_named_styles() {
    let bytes = write(&report());
    let content = read_entry(&bytes, "content.xml");
    assert_eq!(
        attributes_of(&content, "text:h", "text:style-name"),
        ["Heading_20_1", "Heading_20_6"]
    );
    assert_eq!(
        attributes_of(&content, "text:h", "text:outline-level"),
        ["1", "6"]
    );
    assert_eq!(texts_of(&content, "text:h"), ["Synthèse", "Profond"]);
    let styles = read_entry(&bytes, "styles.xml");
    let named = attributes_of(&styles, "style:style", "style:name");
    for style in [
        "Heading_20_1",
        "Heading_20_6",
        "Text_20_body",
        "Quotations",
        "List",
        "Strong_20_Emphasis",
        "Emphasis",
        "Inserted",
        "Deleted",
        "Internet_20_link",
        "Table_20_Heading",
    ] {
        assert!(named.iter().any(|n| n == style), "{style} in styles.xml");
    }
    assert_eq!(
        attributes_of(&styles, "style:text-properties", "fo:language"),
        ["fr"]
    );
}

#[test]
fn text_reads_back_exactly_in_every_block() {
    let content = read_entry(&write(&report()), "content.xml");
    let paragraphs = texts_of(&content, "text:p");
    assert_eq!(paragraphs[0], "Avant fort et souligné");
    // Not neutralised: a text document runs no formula.
    assert_eq!(paragraphs[1], TRICKY);
    assert_eq!(paragraphs[2..4], ["ajouté", "retiré"]);
    assert_eq!(paragraphs[4], "le sitepiège");
    assert_eq!(
        paragraphs[5..],
        ["Proposition", "Voix", "A", "12", "B <b>", ""]
    );
    assert_eq!(
        attributes_of(&content, "text:span", "text:style-name"),
        ["Strong_20_Emphasis", "Emphasis", "Inserted", "Deleted"]
    );
}

#[test]
fn only_web_and_mail_links_are_links() {
    let content = read_entry(&write(&report()), "content.xml");
    assert_eq!(
        attributes_of(&content, "text:a", "xlink:href"),
        ["https://example.org/?a=1&b=\"2\""]
    );
    assert!(!content.contains("javascript"));
}

#[test]
fn tables_are_completed_and_empty_ones_skipped() {
    let content = read_entry(&write(&report()), "content.xml");
    assert_eq!(
        attributes_of(&content, "table:table", "table:name"),
        ["Tableau1"]
    );
    assert_eq!(
        attributes_of(
            &content,
            "table:table-column",
            "table:number-columns-repeated"
        ),
        ["2"]
    );
    assert_eq!(content.matches("<table:table-header-rows>").count(), 1);
}

#[test]
fn meta_and_language_follow_the_document() {
    let mut document = report();
    document.language = "fr-FR".to_owned();
    document.title = "Révision <doctrine>".to_owned();
    let bytes = write(&document);
    let meta = read_entry(&bytes, "meta.xml");
    assert_eq!(texts_of(&meta, "dc:title"), ["Révision <doctrine>"]);
    assert_eq!(texts_of(&meta, "dc:language"), ["fr-FR"]);
    assert_eq!(texts_of(&meta, "dc:date"), ["2026-03-01T09:30:00"]);
    let styles = read_entry(&bytes, "styles.xml");
    assert_eq!(
        attributes_of(&styles, "style:text-properties", "fo:country"),
        ["FR"]
    );
}

#[test]
fn an_empty_document_is_still_valid() {
    let document = Document {
        title: String::new(),
        language: "fr".to_owned(),
        blocks: vec![Block::List(vec![])],
    };
    let content = read_entry(&write(&document), "content.xml");
    assert_well_formed(&content);
    assert!(
        content.ends_with("<office:text></office:text></office:body></office:document-content>")
    );
}
