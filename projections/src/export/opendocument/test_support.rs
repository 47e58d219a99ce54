//! Reading back what the writers wrote, for the unit tests: entries of the archive, and
//! the text of cells and paragraphs as a reader of ODF would see it.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

/// The entry names of the archive, in the order of its central directory.
pub fn entry_names(bytes: &[u8]) -> Vec<String> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a ZIP archive");
    archive
        .file_names()
        .map(|name| name.expect("a UTF-8 name").into_owned())
        .collect()
}

/// The content of one entry, as UTF-8.
pub fn read_entry(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a ZIP archive");
    let mut file = archive.by_name(name).expect("the entry");
    let mut out = String::new();
    file.read_to_string(&mut out).expect("UTF-8");
    out
}

/// Parses `xml` to the end, failing on any error (well-formedness, unbalanced tags).
pub fn assert_well_formed(xml: &str) {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => depth += 1,
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("malformed at {}: {e}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "unclosed elements");
}

/// The text inside every element named `container` (such as `table:table-cell` or
/// `text:p`), in document order, read as ODF defines it: paragraphs joined by a line
/// feed, `text:s` as spaces, `text:tab` as a tab, `text:line-break` as a line feed.
pub fn texts_of(xml: &str, container: &str) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    let mut texts = Vec::new();
    let mut current: Option<String> = None;
    let mut paragraphs_in_current = 0usize;
    loop {
        let event = reader.read_event().expect("well-formed XML");
        match event {
            Event::Start(e) if e.name().as_ref() == container => {
                current = Some(String::new());
                paragraphs_in_current = 0;
            }
            Event::Empty(e) if e.name().as_ref() == container => {
                texts.push(String::new());
            }
            Event::End(e) if e.name().as_ref() == container => {
                texts.extend(current.take());
            }
            Event::Start(e) if e.name().as_ref() == "text:p" => {
                if let Some(text) = current.as_mut() {
                    if paragraphs_in_current > 0 {
                        text.push('\n');
                    }
                    paragraphs_in_current += 1;
                }
            }
            Event::Empty(e) => {
                if let Some(text) = current.as_mut() {
                    match e.name().as_ref() {
                        "text:s" => {
                            let count = e
                                .try_get_attribute("text:c")
                                .expect("attribute")
                                .map_or(1, |a| a.value.parse().expect("count"));
                            text.extend(std::iter::repeat_n(' ', count));
                        }
                        "text:tab" => text.push('\t'),
                        "text:line-break" => text.push('\n'),
                        "text:p" => {
                            if paragraphs_in_current > 0 {
                                text.push('\n');
                            }
                            paragraphs_in_current += 1;
                        }
                        _ => {}
                    }
                }
            }
            Event::Text(t) => {
                if let Some(text) = current.as_mut() {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(text) = current.as_mut() {
                    let c = match &*r {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        _ => r
                            .resolve_char_ref()
                            .expect("character reference")
                            .expect("known entity"),
                    };
                    text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    texts
}

/// The value of attribute `name` on every element `element`, in document order.
pub fn attributes_of(xml: &str, element: &str, name: &str) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    let mut values = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == element => {
                if let Some(a) = e.try_get_attribute(name).expect("attribute") {
                    values.push(
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .expect("value")
                            .into_owned(),
                    );
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    values
}
