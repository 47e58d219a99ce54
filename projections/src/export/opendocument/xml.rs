//! The XML that every OpenDocument part shares: the one escaping function, the text
//! runs that keep ODF's white space exact, the namespaces and the date format.
//!
//! Parts are built by hand into `String`s rather than through an XML writer: the
//! markup is fixed and small, and the only data that varies (text, names, links) goes
//! through [`push_escaped_char`], so there is exactly one place where escaping happens.

use time::{OffsetDateTime, UtcOffset};

/// The version of ODF written in every part (`office:version`, `manifest:version`):
/// 1.2 rather than 1.3 because every office suite still in service reads it.
pub(super) const ODF_VERSION: &str = "1.2";

/// The XML declaration that opens every part.
pub(super) const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// The namespace declarations of the document parts (content, styles, meta).
pub(super) const NAMESPACES: &str = concat!(
    r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" "#,
    r#"xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" "#,
    r#"xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" "#,
    r#"xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" "#,
    r#"xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" "#,
    r#"xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" "#,
    r#"xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" "#,
    r#"xmlns:dc="http://purl.org/dc/elements/1.1/" "#,
    r#"xmlns:xlink="http://www.w3.org/1999/xlink""#,
);

/// Whether XML 1.0 allows `c` at all (production `Char`): C0 controls other than tab,
/// line feed and carriage return, and U+FFFE/U+FFFF, are forbidden even as character
/// references, so they can only be dropped. Rust's `char` already excludes surrogates.
fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}

/// Pushes `c` escaped so that it is safe both as character data and inside a
/// double-quoted attribute value: the five markup characters as entities, tab, line
/// feed and carriage return as character references (an attribute would otherwise
/// normalise them to spaces), and characters XML forbids dropped.
///
/// This is the only escaping in the OpenDocument writers.
pub(super) fn push_escaped_char(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&apos;"),
        '\t' => out.push_str("&#9;"),
        '\n' => out.push_str("&#10;"),
        '\r' => out.push_str("&#13;"),
        c if allowed_in_xml(c) => out.push(c),
        _ => {}
    }
}

/// Pushes `text` through [`push_escaped_char`]: for attribute values and for character
/// data where white space does not matter (metadata).
pub(super) fn push_escaped(out: &mut String, text: &str) {
    if has_forbidden(text) {
        return text.chars().for_each(|c| push_escaped_char(out, c));
    }
    // Every character is allowed: the runs between markup characters and white space
    // are copied whole, the rest goes through the one escaping function.
    let mut rest = text;
    while let Some(at) = rest.bytes().position(needs_care) {
        out.push_str(&rest[..at]);
        push_escaped_char(out, char::from(rest.as_bytes()[at]));
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

/// Whether `text` holds a character XML forbids (see [`allowed_in_xml`]): C0 controls
/// other than tab, line feed and carriage return, U+FFFE, U+FFFF. Rare; such a text
/// takes the character-by-character paths, which drop them.
fn has_forbidden(text: &str) -> bool {
    text.bytes()
        .any(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
        || text.contains(['\u{FFFE}', '\u{FFFF}'])
}

/// The bytes that are not copied as they are: the markup characters and ODF's white
/// space. All are ASCII, so a run between two of them is whole characters.
fn needs_care(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\n' | b'\r' | b'&' | b'<' | b'>' | b'"' | b'\''
    )
}

/// Pushes `text` as the content of an ODF paragraph (`text:p`, `text:h`, `text:span`)
/// so that it reads back exactly, although ODF collapses white space: a tab becomes
/// `<text:tab/>`, a line break (LF, CR LF or CR) becomes `line_break` (markup chosen by
/// the caller: `<text:line-break/>` or a new paragraph), and a space is written as is
/// only between two visible characters, otherwise as `<text:s/>` or
/// `<text:s text:c="n"/>` for a run. Characters XML forbids are dropped.
pub(super) fn push_text(out: &mut String, text: &str, line_break: &str) {
    if has_forbidden(text) {
        return push_text_by_char(out, text, line_break);
    }
    // Every character is allowed: runs of ordinary characters are copied whole, and
    // what needs care (white space, markup) is handled byte by byte, exactly as
    // `push_text_by_char` handles it.
    let bytes = text.as_bytes();
    let mut at = 0usize;
    let mut after_visible = false;
    while at < bytes.len() {
        let run_end = bytes[at..]
            .iter()
            .position(|&b| needs_care(b))
            .map_or(bytes.len(), |p| at + p);
        if run_end > at {
            out.push_str(&text[at..run_end]);
            after_visible = true;
            at = run_end;
            continue;
        }
        match bytes[at] {
            b' ' => {
                let run = bytes[at..].iter().take_while(|&&b| b == b' ').count();
                at += run;
                let before_visible = bytes.get(at).is_some_and(|&b| !is_odf_space(char::from(b)));
                push_spaces(out, run, after_visible && before_visible);
                after_visible = false;
            }
            b'\t' => {
                out.push_str("<text:tab/>");
                at += 1;
                after_visible = false;
            }
            b'\n' | b'\r' => {
                at += if bytes[at..].starts_with(b"\r\n") {
                    2
                } else {
                    1
                };
                out.push_str(line_break);
                after_visible = false;
            }
            markup => {
                push_escaped_char(out, char::from(markup));
                at += 1;
                after_visible = true;
            }
        }
    }
}

/// A run of `run` spaces in paragraph content: one literal space when it sits between
/// two visible characters (`literal_first`), the rest as `<text:s/>` markup.
fn push_spaces(out: &mut String, mut run: usize, literal_first: bool) {
    if literal_first {
        out.push(' ');
        run -= 1;
    }
    match run {
        0 => {}
        1 => out.push_str("<text:s/>"),
        n => {
            out.push_str(r#"<text:s text:c=""#);
            out.push_str(&n.to_string());
            out.push_str(r#""/>"#);
        }
    }
}

/// [`push_text`] one character at a time, dropping the characters XML forbids: the
/// reference the fast path is held to, and the path for texts that hold such a
/// character.
fn push_text_by_char(out: &mut String, text: &str, line_break: &str) {
    let mut chars = text.chars().filter(|c| allowed_in_xml(*c)).peekable();
    // Whether the last thing written was a visible character: a literal space is kept
    // by ODF only after one, and only when another follows.
    let mut after_visible = false;
    while let Some(c) = chars.next() {
        match c {
            ' ' => {
                let mut run = 1usize;
                while chars.next_if_eq(&' ').is_some() {
                    run += 1;
                }
                let before_visible = chars.peek().is_some_and(|next| !is_odf_space(*next));
                push_spaces(out, run, after_visible && before_visible);
                after_visible = false;
            }
            '\t' => {
                out.push_str("<text:tab/>");
                after_visible = false;
            }
            '\n' | '\r' => {
                if c == '\r' {
                    chars.next_if_eq(&'\n');
                }
                out.push_str(line_break);
                after_visible = false;
            }
            c => {
                push_escaped_char(out, c);
                after_visible = true;
            }
        }
    }
}

/// The characters ODF treats as white space in paragraph content.
fn is_odf_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// An instant as ODF's dates want it (`xsd:dateTime` without a zone, in UTC):
/// `2026-03-01T09:30:00`, with the fraction of a second only when there is one.
pub(super) fn odf_date_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let mut out = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let nanos = t.nanosecond();
    if nanos != 0 {
        let fraction = format!("{nanos:09}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    out
}

/// The `meta.xml` part: title, language, generator "Concerto", and `modified` as both
/// the creation and the modification date, so that the same export is the same file.
pub(super) fn meta_xml(title: &str, language: &str, modified: OffsetDateTime) -> String {
    let date = odf_date_time(modified);
    let mut out = String::with_capacity(1024);
    out.push_str(DECLARATION);
    out.push_str("<office:document-meta ");
    out.push_str(NAMESPACES);
    out.push_str(r#" office:version=""#);
    out.push_str(ODF_VERSION);
    out.push_str(r#""><office:meta><meta:generator>Concerto</meta:generator><dc:title>"#);
    push_escaped(&mut out, title);
    out.push_str("</dc:title><dc:language>");
    push_escaped(&mut out, language);
    out.push_str("</dc:language><meta:creation-date>");
    out.push_str(&date);
    out.push_str("</meta:creation-date><dc:date>");
    out.push_str(&date);
    out.push_str("</dc:date></office:meta></office:document-meta>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        let mut out = String::new();
        push_text(&mut out, s, "<text:line-break/>");
        out
    }

    #[test]
    fn markup_characters_are_escaped_and_forbidden_ones_dropped() {
        let mut out = String::new();
        push_escaped(&mut out, "<a href=\"x\">&'\u{1}\u{b}\u{fffe}\t\n\r🙂");
        assert_eq!(
            out,
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#9;&#10;&#13;🙂"
        );
    }

    #[test]
    fn white_space_is_written_so_that_odf_keeps_it() {
        assert_eq!(text("a b"), "a b");
        assert_eq!(text("a  b"), "a <text:s/>b");
        assert_eq!(text("a    b"), r#"a <text:s text:c="3"/>b"#);
        assert_eq!(text(" a "), "<text:s/>a<text:s/>");
        assert_eq!(text("a\tb"), "a<text:tab/>b");
        assert_eq!(text("a \tb"), "a<text:s/><text:tab/>b");
        assert_eq!(
            text("a\r\nb\rc\nd"),
            "a<text:line-break/>b<text:line-break/>c<text:line-break/>d"
        );
        assert_eq!(text("x\u{0} y"), "x y");
    }

    /// Texts of the characters that matter to the writers: white space runs, markup,
    /// forbidden controls and non-characters, accents, right-to-left and emoji.
    fn tricky_text() -> impl proptest::strategy::Strategy<Value = String> {
        let pieces = proptest::sample::select(vec![
            " ", "  ", "   ", "\t", "\n", "\r", "\r\n", "&", "<", ">", "\"", "'", "\u{0}",
            "\u{1f}", "\u{FFFE}", "\u{FFFF}", "\u{FF01}", "é", "ש", "🙂", "a", "bc", "=1+1",
        ]);
        proptest::collection::vec(pieces, 0..24).prop_map(|p| p.concat())
    }

    use proptest::prelude::*;

    proptest! {
        /// The run-copying paths write exactly what one character at a time writes.
        #[test]
        fn the_fast_paths_write_what_the_character_paths_write(text in tricky_text()) {
            let mut fast = String::new();
            push_text(&mut fast, &text, "<br/>");
            let mut by_char = String::new();
            push_text_by_char(&mut by_char, &text, "<br/>");
            prop_assert_eq!(fast, by_char);
            let mut fast = String::new();
            push_escaped(&mut fast, &text);
            let by_char: String = text
                .chars()
                .fold(String::new(), |mut out, c| { push_escaped_char(&mut out, c); out });
            prop_assert_eq!(fast, by_char);
        }
    }

    #[test]
    fn dates_are_utc_without_a_zone() {
        let t = time::macros::datetime!(2026-03-01 10:30:05 +01:00);
        assert_eq!(odf_date_time(t), "2026-03-01T09:30:05");
        let t = time::macros::datetime!(2026-03-01 10:30:05.25 UTC);
        assert_eq!(odf_date_time(t), "2026-03-01T10:30:05.25");
    }
}
