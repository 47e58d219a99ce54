//! The doctrine revision as Markdown (CommonMark with the GitHub table and
//! strikethrough extensions): added words as `<ins>…</ins>`, removed words as
//! `~~…~~`. Every text from a contribution or the doctrine is escaped, so that it
//! reads as written and never becomes markup or raw HTML.

use crate::export::report::model::{Inline, Item, Report, Table};

/// The Markdown of `revision`.
pub fn render(revision: &Report) -> String {
    let mut out = String::with_capacity(16 * 1024);
    for item in &revision.items {
        match item {
            Item::Heading { level, text } => {
                let level = (*level).clamp(1, 6) as usize;
                out.push_str(&"#".repeat(level));
                out.push(' ');
                out.push_str(&escape_line(text));
                out.push_str("\n\n");
            }
            Item::Paragraph(inlines) => {
                out.push_str(&inlines_md(inlines));
                out.push_str("\n\n");
            }
            Item::List(entries) => {
                for entry in entries {
                    out.push_str("- ");
                    out.push_str(&inlines_md(entry).replace('\n', "\n  "));
                    out.push('\n');
                }
                out.push('\n');
            }
            Item::Quote(text) => {
                for line in text.lines() {
                    out.push_str("> ");
                    out.push_str(&escape_line(line));
                    out.push('\n');
                }
                out.push('\n');
            }
            Item::Table(table) => push_table(&mut out, table),
            Item::Chart(chart) => {
                out.push_str(&format!("*{}*\n\n", escape_line(&chart.description)));
                push_table(&mut out, &chart.table);
            }
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn push_table(out: &mut String, table: &Table) {
    out.push_str(&format!("**{}**\n\n", escape_line(&table.caption)));
    // `escape_line` escapes `|` too, which is how a GitHub table cell holds one.
    let cell = |text: &str| escape_line(&text.replace('\n', " "));
    out.push('|');
    for title in &table.header {
        out.push_str(&format!(" {} |", cell(title)));
    }
    out.push_str("\n|");
    for _ in &table.header {
        out.push_str(" --- |");
    }
    out.push('\n');
    for row in &table.rows {
        out.push('|');
        for n in 0..table.header.len() {
            out.push_str(&format!(
                " {} |",
                cell(row.get(n).map_or("", String::as_str))
            ));
        }
        out.push('\n');
    }
    out.push('\n');
}

/// Inline runs; line feeds become hard line breaks (a backslash at the end of line).
fn inlines_md(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for inline in inlines {
        match inline {
            Inline::Text(t) => out.push_str(&escape_text(t)),
            Inline::Strong(t) => marked(&mut out, t, "**", "**"),
            Inline::Emphasis(t) => marked(&mut out, t, "*", "*"),
            Inline::Inserted(t) => marked(&mut out, t, "<ins>", "</ins>"),
            Inline::Deleted(t) => marked(&mut out, t, "~~", "~~"),
        }
    }
    out.replace('\n', "\\\n")
}

/// Wraps each line of `text` in `open`/`close`, white space outside the marks: a
/// delimiter run next to a space does not close (`~~deux ~~` stays literal).
fn marked(out: &mut String, text: &str, open: &str, close: &str) {
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let start = line.len() - line.trim_start().len();
        let end = line.trim_end().len();
        out.push_str(&line[..start]);
        if start < end {
            out.push_str(open);
            out.push_str(&escape_text(&line[start..end]));
            out.push_str(close);
        }
        out.push_str(&line[end.max(start)..]);
    }
}

/// Escapes text that may span lines.
fn escape_text(text: &str) -> String {
    text.split('\n')
        .map(escape_line)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Escapes one line: every character Markdown could read as markup, inline HTML or an
/// entity is preceded by a backslash, and a line that would start a block (heading,
/// list, quote, rule) has its first mark escaped too.
fn escape_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '<' | '>' | '#' | '|' | '&' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    let body = out.trim_start();
    let indent = out.len() - body.len();
    let starts_block = body.starts_with(['-', '+', '='])
        || body
            .find(|c: char| !c.is_ascii_digit())
            .is_some_and(|i| i > 0 && body[i..].starts_with(['.', ')']));
    if starts_block {
        let at = indent + body.find(|c: char| !c.is_ascii_digit()).unwrap_or(0);
        out.insert(at, '\\');
    }
    // Leading spaces would make an indented code block: no text here needs them.
    out.trim_start().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_texts_is_escaped() {
        assert_eq!(
            escape_line("<script>alert(\"x\")</script> *gras* [lien](x) & co"),
            "\\<script\\>alert(\"x\")\\</script\\> \\*gras\\* \\[lien\\](x) \\& co"
        );
        assert_eq!(escape_line("- pas une liste"), "\\- pas une liste");
        assert_eq!(escape_line("12. pas une liste"), "12\\. pas une liste");
        assert_eq!(escape_line("# pas un titre"), "\\# pas un titre");
        assert_eq!(escape_line("2026 est une année"), "2026 est une année");
    }

    #[test]
    fn marks_keep_white_space_outside() {
        let mut out = String::new();
        marked(&mut out, "deux ", "~~", "~~");
        assert_eq!(out, "~~deux~~ ");
        let mut out = String::new();
        marked(&mut out, "un\n\nautre ", "<ins>", "</ins>");
        assert_eq!(out, "<ins>un</ins>\n\n<ins>autre</ins> ");
    }
}
