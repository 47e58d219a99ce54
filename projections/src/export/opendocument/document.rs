//! The small document model that [`write_odt`](super::write_odt) writes: what the
//! report and the doctrine revision need, and nothing that would tie them to ODF.

/// An editable text document: a title, a language and a sequence of blocks.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The title, in the metadata (the first heading is a block like any other).
    pub title: String,
    /// The language of the text as a BCP 47 tag, `fr` or `fr-FR`: it selects the
    /// spelling dictionary and hyphenation of the whole document.
    pub language: String,
    /// The content, in reading order.
    pub blocks: Vec<Block>,
}

/// A block of the document.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A heading of `level` 1 (the highest) to 6; other levels are brought into that
    /// range. Headings carry the outline level, so a table of contents can be built.
    Heading {
        /// 1 to 6.
        level: u8,
        /// The heading's text.
        text: Vec<Span>,
    },
    /// A paragraph of body text.
    Paragraph(Vec<Span>),
    /// A bulleted list, one item a paragraph.
    List(Vec<Vec<Span>>),
    /// A table with a header row, repeated on each page it spans; rows shorter than the
    /// widest row are completed with empty cells.
    Table {
        /// The column titles.
        header: Vec<String>,
        /// The rows, cell by cell.
        rows: Vec<Vec<String>>,
    },
    /// A quotation, set apart from the body text (a contribution cited in a report).
    Quote(Vec<Span>),
}

/// A run of text inside a block. Line feeds in the text become line breaks.
#[derive(Clone, Debug, PartialEq)]
pub enum Span {
    /// Plain text.
    Text(String),
    /// Strongly emphasised text (bold).
    Strong(String),
    /// Emphasised text (italic).
    Emphasis(String),
    /// Text added by an amendment: underlined and coloured, so that the change shows
    /// without colour too.
    Inserted(String),
    /// Text removed by an amendment: struck through and coloured.
    Deleted(String),
    /// A hyperlink. Only `http:`, `https:` and `mailto:` targets become links; any
    /// other (`javascript:`, a macro URL, a local file) is written as plain text, since
    /// an office suite would otherwise offer to open it.
    Link {
        /// The text shown.
        text: String,
        /// The target.
        href: String,
    },
}
