//! The report as an editable OpenDocument text: each item becomes a block of
//! [`Document`]. A chart becomes its caption and its table, since the figures are what
//! the commission edits and cites.

use super::model::{Inline, Item, Report, Table};
use crate::export::opendocument::{Block, Document, Span};

/// The document of `report` (or of a doctrine revision), in French. It takes the
/// report's texts rather than copying them, so a long report is not held twice.
pub fn document(report: Report) -> Document {
    let mut blocks = Vec::with_capacity(report.items.len());
    for item in report.items {
        match item {
            Item::Heading { level, text } => blocks.push(Block::Heading {
                level,
                text: vec![Span::Text(text)],
            }),
            Item::Paragraph(inlines) => blocks.push(Block::Paragraph(spans(inlines))),
            Item::List(entries) => {
                blocks.push(Block::List(entries.into_iter().map(spans).collect()))
            }
            Item::Quote(text) => blocks.push(Block::Quote(vec![Span::Text(text)])),
            Item::Table(table) => push_table(&mut blocks, table),
            Item::Chart(chart) => {
                blocks.push(Block::Paragraph(vec![
                    Span::Strong("Figure : ".to_owned()),
                    Span::Emphasis(chart.description),
                ]));
                push_table(&mut blocks, chart.table);
            }
        }
    }
    Document {
        title: report.title,
        language: "fr-FR".to_owned(),
        blocks,
    }
}

/// A table, after its caption.
fn push_table(blocks: &mut Vec<Block>, table: Table) {
    blocks.push(Block::Paragraph(vec![Span::Strong(table.caption)]));
    blocks.push(Block::Table {
        header: table.header,
        rows: table.rows,
    });
}

fn spans(inlines: Vec<Inline>) -> Vec<Span> {
    inlines
        .into_iter()
        .map(|inline| match inline {
            Inline::Text(t) => Span::Text(t),
            Inline::Strong(t) => Span::Strong(t),
            Inline::Emphasis(t) => Span::Emphasis(t),
            Inline::Inserted(t) => Span::Inserted(t),
            Inline::Deleted(t) => Span::Deleted(t),
        })
        .collect()
}
