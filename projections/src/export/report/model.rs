//! The report as a neutral document: headings, paragraphs, lists, quotations, figure
//! tables and chart specifications, computed once from the export's scope. The HTML
//! and OpenDocument renderers only translate it, so both formats say the same thing;
//! the doctrine revision is written in the same model (with its inserted and deleted
//! words) and rendered to Markdown and OpenDocument.
//!
//! Text here is plain (never markup): each renderer escapes it for its format.

/// The synthesis report.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The document's title (also its first heading).
    pub title: String,
    /// The content, in reading order; headings go down one level at a time.
    pub items: Vec<Item>,
}

/// One block of the report.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// A heading: 1 for the title, 2 for a section, 3 and 4 inside.
    Heading {
        /// 1 to 4.
        level: u8,
        /// Its text.
        text: String,
    },
    /// A paragraph.
    Paragraph(Vec<Inline>),
    /// A bulleted list.
    List(Vec<Vec<Inline>>),
    /// A contribution's or the commission's words, quoted.
    Quote(String),
    /// A table of figures.
    Table(Table),
    /// A chart and the table of the same figures.
    Chart(Chart),
}

/// A run of text in a paragraph or list item.
#[derive(Clone, Debug, PartialEq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Strong emphasis.
    Strong(String),
    /// Emphasis.
    Emphasis(String),
    /// Words a revision added (the doctrine revision's diff).
    Inserted(String),
    /// Words a revision removed.
    Deleted(String),
}

/// A table with a caption, a header row and, when `row_headers`, a first column that
/// names each row.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// What the table shows.
    pub caption: String,
    /// The column titles.
    pub header: Vec<String>,
    /// The rows, as text already formatted.
    pub rows: Vec<Vec<String>>,
    /// Whether the first cell of each row is the row's header.
    pub row_headers: bool,
}

/// A chart: what it shows in words (its text alternative), what to draw, and the same
/// figures as a table for those who do not see it (and for the ODT, which shows the
/// table alone).
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// The text alternative: what the chart shows and its main figures.
    pub description: String,
    /// What to draw.
    pub drawing: Drawing,
    /// The figures.
    pub table: Table,
}

/// The kinds of chart [`crate::charts`] draws.
#[derive(Clone, Debug, PartialEq)]
pub enum Drawing {
    /// Horizontal bars, one per category.
    Bars(Vec<(String, u64)>),
    /// Columns over time, one per day.
    Columns(Vec<(String, u64)>),
    /// Participants in the opinion space: (x, y, group).
    Scatter(Vec<(f64, f64, Option<usize>)>),
}

/// Plain text as an inline run.
pub fn text(text: impl Into<String>) -> Inline {
    Inline::Text(text.into())
}

/// Strong text as an inline run.
pub fn strong(text: impl Into<String>) -> Inline {
    Inline::Strong(text.into())
}

/// A paragraph of plain text.
pub fn paragraph(text: impl Into<String>) -> Item {
    Item::Paragraph(vec![Inline::Text(text.into())])
}

/// A heading.
pub fn heading(level: u8, text: impl Into<String>) -> Item {
    Item::Heading {
        level,
        text: text.into(),
    }
}

impl Table {
    /// A table whose first column names the rows.
    pub fn new(caption: impl Into<String>, header: &[&str], rows: Vec<Vec<String>>) -> Self {
        Table {
            caption: caption.into(),
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows,
            row_headers: true,
        }
    }
}
