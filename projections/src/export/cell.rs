//! One cell of an exported table, and the guard against formula injection.
//!
//! Every writer (CSV, JSON, ODS) takes the same [`Cell`]s, so a table is defined once
//! and reads the same in every format. Text that a spreadsheet would run as a formula
//! (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) is neutralised by
//! [`neutralise`] in CSV and ODS: a leading apostrophe, as OWASP recommends, which
//! LibreOffice and Excel show as text and never evaluate.

use std::borrow::Cow;

use time::OffsetDateTime;

/// A value in an exported table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// No value (an empty CSV field, an empty spreadsheet cell, JSON `null`).
    Empty,
    /// Free text, written as is in JSON and neutralised in CSV and ODS.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A decimal number (shares, coordinates).
    Decimal(f64),
    /// A true/false value.
    Bool(bool),
    /// An instant, always taken from an event, written in RFC 3339 (UTC).
    Instant(OffsetDateTime),
    /// A day, written `YYYY-MM-DD`.
    Date(time::Date),
}

impl Cell {
    /// A text cell.
    pub fn text(value: impl Into<String>) -> Self {
        Self::Text(value.into())
    }

    /// A text cell, or [`Cell::Empty`] for `None`.
    pub fn text_or_empty(value: Option<impl Into<String>>) -> Self {
        value.map_or(Self::Empty, |v| Self::Text(v.into()))
    }

    /// The cell as CSV and ODS show it: numbers in their shortest exact form, instants
    /// in RFC 3339, booleans as `true`/`false`, text neutralised.
    pub fn display(&self) -> Cow<'_, str> {
        match self {
            Self::Empty => Cow::Borrowed(""),
            Self::Text(t) => neutralise(t),
            Self::Integer(n) => Cow::Owned(n.to_string()),
            Self::Decimal(x) => Cow::Owned(format_decimal(*x)),
            Self::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Self::Instant(t) => Cow::Owned(rfc3339(*t)),
            Self::Date(d) => Cow::Owned(iso_date(*d)),
        }
    }
}

/// The characters that make a spreadsheet read a cell as a formula when they come first.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The text with a leading apostrophe when it would otherwise start a formula.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// A decimal in its shortest form that reads back to the same `f64` (Rust's `Display`),
/// with `NaN` and infinities (never produced by Concerto) written empty.
pub fn format_decimal(x: f64) -> String {
    if x.is_finite() {
        x.to_string()
    } else {
        String::new()
    }
}

/// An instant in RFC 3339, UTC, to the second or finer as recorded.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A day as `YYYY-MM-DD`.
pub fn iso_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_other_text_is_kept() {
        for text in ["=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(text), format!("'{text}"), "{text:?}");
        }
        for text in ["", "Bonjour", "1 = 1", "'déjà", "مرحبا", "🙂 =x"] {
            assert_eq!(neutralise(text), text);
        }
    }

    #[test]
    fn cells_display_as_csv_writes_them() {
        assert_eq!(Cell::Integer(-3).display(), "-3");
        assert_eq!(Cell::Decimal(0.25).display(), "0.25");
        assert_eq!(Cell::Decimal(f64::NAN).display(), "");
        assert_eq!(Cell::Bool(true).display(), "true");
        assert_eq!(Cell::text("=cmd").display(), "'=cmd");
        let at = time::macros::datetime!(2026-03-01 10:30 +01:00);
        assert_eq!(Cell::Instant(at).display(), "2026-03-01T09:30:00Z");
        assert_eq!(Cell::Date(at.date()).display(), "2026-03-01");
    }
}
