//! Charts drawn on the server as inline SVG (no script, no third-party library, no
//! request): horizontal bars for categories, vertical bars over time. Every chart is
//! an image with a text alternative, and pages put the same figures in a table
//! beside it, so no one needs to see the chart to get the numbers.

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
