//! The report as one self-contained, printable HTML page: the stylesheet (screen and
//! print) and the charts are inline, and the page requests nothing, not even a font,
//! which its Content-Security-Policy also forbids. Headings go down one level at a
//! time, tables name their header cells' scope, and each chart is an image with a text
//! alternative, followed by the table of its figures.

use super::model::{Chart, Drawing, Inline, Item, Report, Table};
use crate::charts::{self, escape};

/// The page's stylesheet: system fonts only, colours of the French State's palette,
/// and print rules (A4, no table row split across pages, no navigation).
const STYLE: &str = r#"
:root { --text: #161616; --muted: #3a3a3a; --blue: #000091; --rule: #929292; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; color: var(--text); background: #ffffff; line-height: 1.5; }
body { margin: 0 auto; max-width: 48rem; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.9rem; line-height: 1.25; color: var(--blue); }
h2 { font-size: 1.45rem; margin-top: 2.5rem; border-bottom: 2px solid var(--blue); }
h3 { font-size: 1.2rem; margin-top: 1.8rem; }
h4 { font-size: 1.05rem; margin-top: 1.4rem; }
p, li { overflow-wrap: anywhere; }
blockquote { margin: 0.8rem 0; padding: 0.4rem 1rem; border-left: 4px solid var(--blue); background: #f6f6f6; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.2rem; font-size: 0.95rem; }
caption { text-align: left; font-weight: 700; padding: 0.3rem 0; }
th, td { border: 1px solid var(--rule); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
thead th { background: #eeeeee; }
tbody th { font-weight: 400; }
figure { margin: 1rem 0 0.3rem; }
figcaption { color: var(--muted); font-style: italic; }
nav ol { padding-left: 1.5rem; }
a { color: var(--blue); }
.chart { max-width: 40rem; display: block; margin: 0.5rem 0; }
.scatter { max-width: 24rem; }
.chart-bar { fill: var(--blue); }
.chart-label, .chart-value { font-size: 13px; fill: var(--text); }
.chart-axis { stroke: #666666; }
.g0 { fill: #000091; stroke: #000091; }
.g1 { fill: #c9191e; stroke: #c9191e; }
.g2 { fill: #18753c; stroke: #18753c; }
.g3 { fill: #716043; stroke: #716043; }
.g4 { fill: none; stroke: #6e445a; stroke-width: 2; }
.cross { fill: none; stroke-width: 2; }
.g-none { fill: #929292; }
ins { background: #b8fec9; text-decoration: underline; }
del { background: #ffe9e9; text-decoration: line-through; }
@page { size: A4; margin: 2cm 1.8cm; }
@media print {
  html { font-size: 10.5pt; }
  body { max-width: none; padding: 0; }
  nav { display: none; }
  h2, h3, h4 { break-after: avoid; }
  h2 { break-before: page; }
  h2#s-1 { break-before: auto; }
  tr, figure, blockquote { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The page's policy: nothing may be fetched, scripts never run.
const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// The page of `report`, whole: for tests (a bundle streams it with [`write`]).
#[cfg(test)]
pub fn render(report: &Report) -> String {
    let mut page = Vec::new();
    write(report, &mut page).expect("writing into a Vec cannot fail");
    String::from_utf8(page).expect("the page is written from `str`s")
}

/// Writes the page of `report` into `writer`, one item at a time, so that a long report
/// is never held whole in memory beside its model.
pub fn write(report: &Report, writer: &mut impl std::io::Write) -> std::io::Result<()> {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{POLICY}\">\n"
    ));
    out.push_str(&format!("<title>{}</title>\n", escape(&report.title)));
    out.push_str("<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<main>\n");
    let sections: Vec<&str> = report
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Heading { level: 2, text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    let mut section = 0usize;
    let mut contents_written = false;
    for item in &report.items {
        // The contents come before the first section, after the title and the
        // introduction.
        if !contents_written && matches!(item, Item::Heading { level: 2, .. }) {
            push_contents(&mut out, &sections);
            contents_written = true;
        }
        push_item(&mut out, item, &mut section);
        writer.write_all(out.as_bytes())?;
        out.clear();
    }
    out.push_str("</main>\n</body>\n</html>\n");
    writer.write_all(out.as_bytes())
}

/// The table of contents, linking to each section in the page.
fn push_contents(out: &mut String, sections: &[&str]) {
    if sections.is_empty() {
        return;
    }
    out.push_str("<nav aria-labelledby=\"sommaire\">\n<h2 id=\"sommaire\">Sommaire</h2>\n<ol>\n");
    for (n, title) in sections.iter().enumerate() {
        out.push_str(&format!(
            "<li><a href=\"#s-{}\">{}</a></li>\n",
            n + 1,
            escape(title)
        ));
    }
    out.push_str("</ol>\n</nav>\n");
}

fn push_item(out: &mut String, item: &Item, section: &mut usize) {
    match item {
        Item::Heading { level: 2, text } => {
            *section += 1;
            out.push_str(&format!("<h2 id=\"s-{section}\">{}</h2>\n", escape(text)));
        }
        Item::Heading { level, text } => {
            let level = (*level).clamp(1, 6);
            out.push_str(&format!("<h{level}>{}</h{level}>\n", escape(text)));
        }
        Item::Paragraph(inlines) => {
            out.push_str("<p>");
            push_inlines(out, inlines);
            out.push_str("</p>\n");
        }
        Item::List(entries) => {
            out.push_str("<ul>\n");
            for entry in entries {
                out.push_str("<li>");
                push_inlines(out, entry);
                out.push_str("</li>\n");
            }
            out.push_str("</ul>\n");
        }
        Item::Quote(text) => {
            out.push_str("<blockquote>");
            for paragraph in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
                out.push_str("<p>");
                push_text(out, paragraph);
                out.push_str("</p>");
            }
            out.push_str("</blockquote>\n");
        }
        Item::Table(table) => push_table(out, table),
        Item::Chart(chart) => push_chart(out, chart),
    }
}

/// Escaped text, line feeds as line breaks.
fn push_text(out: &mut String, text: &str) {
    let mut lines = text.split('\n');
    if let Some(first) = lines.next() {
        out.push_str(&escape(first));
    }
    for line in lines {
        out.push_str("<br>");
        out.push_str(&escape(line));
    }
}

fn push_inlines(out: &mut String, inlines: &[Inline]) {
    for inline in inlines {
        match inline {
            Inline::Text(t) => push_text(out, t),
            Inline::Strong(t) => {
                out.push_str("<strong>");
                push_text(out, t);
                out.push_str("</strong>");
            }
            Inline::Emphasis(t) => {
                out.push_str("<em>");
                push_text(out, t);
                out.push_str("</em>");
            }
            Inline::Inserted(t) => {
                out.push_str("<ins>");
                push_text(out, t);
                out.push_str("</ins>");
            }
            Inline::Deleted(t) => {
                out.push_str("<del>");
                push_text(out, t);
                out.push_str("</del>");
            }
        }
    }
}

fn push_table(out: &mut String, table: &Table) {
    out.push_str("<table>\n<caption>");
    push_text(out, &table.caption);
    out.push_str("</caption>\n<thead><tr>");
    for title in &table.header {
        out.push_str("<th scope=\"col\">");
        push_text(out, title);
        out.push_str("</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for (n, cell) in row.iter().enumerate() {
            let (open, close) = if n == 0 && table.row_headers {
                ("<th scope=\"row\">", "</th>")
            } else {
                ("<td>", "</td>")
            };
            out.push_str(open);
            push_text(out, cell);
            out.push_str(close);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn push_chart(out: &mut String, chart: &Chart) {
    let svg = match &chart.drawing {
        Drawing::Bars(rows) => charts::horizontal_bars(&chart.description, rows),
        Drawing::Columns(rows) => charts::columns(&chart.description, rows),
        Drawing::Scatter(points) => charts::scatter(&chart.description, points),
    };
    out.push_str("<figure>\n");
    out.push_str(&svg);
    out.push_str("\n<figcaption>");
    push_text(out, &chart.description);
    out.push_str("</figcaption>\n</figure>\n");
    push_table(out, &chart.table);
}
