//! Charts drawn as inline SVG (no script, no third-party library, no request):
//! horizontal bars for categories, vertical bars over time, a scatter of the opinion
//! space. One implementation for the web pages and the exported report. Every chart is
//! an image with a text alternative, and its readers put the same figures in a table
//! beside it, so no one needs to see the chart to get the numbers.
//!
//! Marks carry classes (`chart-bar`, `chart-label`, `chart-value`, `chart-axis`,
//! `g0`…`g4`, `g-none`) and no colour of their own: the page's stylesheet colours them.

use std::fmt::Write;

/// Escapes text for an SVG/HTML text node or attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Horizontal bars, one per `(label, value)`, scaled to the largest value.
/// `description` is the image's accessible name.
pub fn horizontal_bars(description: &str, rows: &[(String, u64)]) -> String {
    const WIDTH: u64 = 640;
    const LABEL: u64 = 220;
    const ROW: u64 = 28;
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let height = ROW * rows.len().max(1) as u64 + 8;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        escape(description)
    );
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = 4 + ROW * i as u64;
        let bar = (WIDTH - LABEL - 60) * value / max;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" class="chart-label" text-anchor="end">{}</text><rect x="{LABEL}" y="{}" width="{bar}" height="{}" class="chart-bar"></rect><text x="{}" y="{}" class="chart-value">{value}</text>"#,
            LABEL - 8,
            y + 18,
            escape(&truncate(label, 30)),
            y + 4,
            ROW - 8,
            LABEL + bar + 6,
            y + 18,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Vertical bars over time, one per `(label, value)` in order (days).
pub fn columns(description: &str, rows: &[(String, u64)]) -> String {
    const HEIGHT: u64 = 180;
    const BASE: u64 = 150;
    let n = rows.len().max(1) as u64;
    let column = (640 / n).clamp(4, 48);
    let width = column * n + 20;
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {width} {HEIGHT}" width="100%" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        escape(description)
    );
    let _ = write!(
        svg,
        r#"<line x1="10" y1="{BASE}" x2="{}" y2="{BASE}" class="chart-axis"></line>"#,
        width - 10
    );
    for (i, (label, value)) in rows.iter().enumerate() {
        let h = (BASE - 20) * value / max;
        let x = 10 + column * i as u64;
        let _ = write!(
            svg,
            r#"<rect x="{}" y="{}" width="{}" height="{h}" class="chart-bar"><title>{}: {value}</title></rect>"#,
            x + 1,
            BASE - h,
            column.saturating_sub(2).max(1),
            escape(label),
        );
    }
    if let (Some((first, _)), Some((last, _))) = (rows.first(), rows.last()) {
        let _ = write!(
            svg,
            r#"<text x="10" y="{}" class="chart-label">{}</text><text x="{}" y="{}" class="chart-label" text-anchor="end">{}</text>"#,
            BASE + 20,
            escape(first),
            width - 10,
            BASE + 20,
            escape(last)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// How many groups get their own mark; further groups reuse them.
const MARKS: usize = 5;

/// A scatter of participants in the opinion space: one mark per participant, whose
/// class (`g0`…`g4`) colours it and whose shape (circle, square, triangle, diamond,
/// cross) tells the groups apart without colour; participants not clustered are
/// small grey dots. Points are scaled to fill the square, keeping the axes' ratio.
pub fn scatter(description: &str, points: &[(f64, f64, Option<usize>)]) -> String {
    const SIZE: f64 = 360.0;
    const MARGIN: f64 = 12.0;
    let span = points
        .iter()
        .flat_map(|(x, y, _)| [x.abs(), y.abs()])
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let scale = (SIZE / 2.0 - MARGIN) / span;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart scatter" viewBox="0 0 {SIZE} {SIZE}" width="100%" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        escape(description)
    );
    let half = SIZE / 2.0;
    let _ = write!(
        svg,
        r#"<line x1="0" y1="{half}" x2="{SIZE}" y2="{half}" class="chart-axis"></line><line x1="{half}" y1="0" x2="{half}" y2="{SIZE}" class="chart-axis"></line>"#
    );
    for (x, y, group) in points {
        if !x.is_finite() || !y.is_finite() {
            continue;
        }
        let cx = half + x * scale;
        let cy = half - y * scale;
        let mark = match group {
            None => {
                format!(r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="1.5" class="g-none"></circle>"#)
            }
            Some(g) => {
                let class = format!("g{}", g % MARKS);
                match g % MARKS {
                    0 => format!(
                        r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="3.5" class="{class}"></circle>"#
                    ),
                    1 => format!(
                        r#"<rect x="{:.1}" y="{:.1}" width="6" height="6" class="{class}"></rect>"#,
                        cx - 3.0,
                        cy - 3.0
                    ),
                    2 => format!(
                        r#"<polygon points="{cx:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" class="{class}"></polygon>"#,
                        cy - 4.0,
                        cx - 4.0,
                        cy + 3.0,
                        cx + 4.0,
                        cy + 3.0
                    ),
                    3 => format!(
                        r#"<polygon points="{cx:.1},{:.1} {:.1},{cy:.1} {cx:.1},{:.1} {:.1},{cy:.1}" class="{class}"></polygon>"#,
                        cy - 4.0,
                        cx + 4.0,
                        cy + 4.0,
                        cx - 4.0
                    ),
                    _ => format!(
                        r#"<path d="M{:.1} {:.1}L{:.1} {:.1}M{:.1} {:.1}L{:.1} {:.1}" class="{class} cross"></path>"#,
                        cx - 3.5,
                        cy - 3.5,
                        cx + 3.5,
                        cy + 3.5,
                        cx - 3.5,
                        cy + 3.5,
                        cx + 3.5,
                        cy - 3.5
                    ),
                }
            }
        };
        svg.push_str(&mark);
    }
    svg.push_str("</svg>");
    svg
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_escape_labels() {
        let svg = horizontal_bars(
            "Participants <par> type",
            &[("<script>".into(), 10), ("b".into(), 5)],
        );
        assert!(
            svg.contains(r#"aria-label="Participants &lt;par&gt; type""#),
            "{svg}"
        );
        assert!(
            svg.contains("&lt;script&gt;") && !svg.contains("<script>"),
            "{svg}"
        );
        // 640 - 220 - 60 = 360 for the largest, half of it for the other.
        assert!(
            svg.contains(r#"width="360""#) && svg.contains(r#"width="180""#),
            "{svg}"
        );
    }

    #[test]
    fn the_scatter_marks_each_group_with_its_own_shape() {
        let svg = scatter(
            "Groupes",
            &[
                (1.0, 0.0, Some(0)),
                (-1.0, 0.5, Some(1)),
                (0.0, -1.0, Some(2)),
                (0.2, 0.2, None),
            ],
        );
        assert_eq!(svg.matches("class=\"g0\"").count(), 1, "{svg}");
        assert_eq!(svg.matches("<rect").count(), 1, "{svg}");
        assert_eq!(svg.matches("<polygon").count(), 1, "{svg}");
        assert_eq!(svg.matches("g-none").count(), 1, "{svg}");
        // The farthest point reaches the margin: x = 180 + 1 × 168.
        assert!(svg.contains(r#"cx="348.0""#), "{svg}");
    }

    #[test]
    fn columns_have_one_bar_per_day_and_name_the_ends() {
        let svg = columns(
            "Par jour",
            &[
                ("1 déc.".into(), 2),
                ("2 déc.".into(), 4),
                ("3 déc.".into(), 0),
            ],
        );
        assert_eq!(svg.matches("<rect").count(), 3, "{svg}");
        assert!(svg.contains("1 déc.") && svg.contains("3 déc."), "{svg}");
        assert!(svg.contains(r#"height="130""#), "{svg}");
    }
}
