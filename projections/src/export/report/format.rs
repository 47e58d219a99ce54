//! How the report and the doctrine revision write dates and numbers: French style, in
//! Europe/Paris time whatever the machine's zone ("1er décembre 2026 à 18 h 05"), so
//! that the same snapshot gives the same text everywhere. Dates always come from
//! events, never from the clock.

use domain::Lang;
use time::{Date, OffsetDateTime};

use crate::format as shared;

/// `at` in Paris time.
pub fn paris(at: OffsetDateTime) -> OffsetDateTime {
    shared::paris(at)
}

/// The Paris day of `at`.
pub fn paris_day(at: OffsetDateTime) -> Date {
    paris(at).date()
}

/// A day: "1er décembre 2026".
pub fn day(date: Date) -> String {
    shared::day(date, Lang::Fr)
}

/// A short day for chart labels and tables: "2026-12-01" (sorts as text too).
pub fn iso_day(date: Date) -> String {
    crate::export::cell::iso_date(date)
}

/// Date and time in Paris: "1er décembre 2026 à 18 h 05".
pub fn date_time(at: OffsetDateTime) -> String {
    shared::date_time(at, Lang::Fr)
}

/// A whole number with French digit grouping (narrow no-break space): "12 345".
pub fn number(n: u64) -> String {
    shared::number(n, Lang::Fr)
}

/// `n` and the noun that goes with it, French style (0 and 1 take the singular):
/// "1 énoncé publié", "2 énoncés publiés".
pub fn count(n: u64, singular: &str, plural: &str) -> String {
    format!("{} {}", number(n), if n > 1 { plural } else { singular })
}

/// A rate with enough decimals to show small ones: "12,35", "0,0048".
pub fn rate(value: f64) -> String {
    if value != 0.0 && value.abs() < 0.1 {
        decimal(value, 4)
    } else {
        decimal(value, 2)
    }
}

/// A signed whole number, French style.
pub fn signed(n: i64) -> String {
    let magnitude = number(n.unsigned_abs());
    if n < 0 {
        format!("−{magnitude}")
    } else {
        magnitude
    }
}

/// A decimal with `places` digits after a decimal comma: "0,83"; "—" when not finite.
pub fn decimal(value: f64, places: usize) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    format!("{value:.places$}").replace('.', ",")
}

/// A share as a whole percentage, French style: "42 %" (narrow no-break space).
pub fn percent(share: f64) -> String {
    if !share.is_finite() {
        return "—".to_owned();
    }
    format!("{}\u{202f}%", (share * 100.0).round() as i64)
}

/// The first `max` characters of `text` on one line, with an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn dates_are_in_paris_time_in_summer_and_winter() {
        assert_eq!(
            date_time(datetime!(2026-12-01 17:05 UTC)),
            "1er décembre 2026 à 18 h 05"
        );
        assert_eq!(
            date_time(datetime!(2026-07-14 22:30 UTC)),
            "15 juillet 2026 à 0 h 30"
        );
        assert_eq!(
            paris_day(datetime!(2026-07-14 22:30 UTC)),
            time::macros::date!(2026 - 07 - 15)
        );
    }

    #[test]
    fn numbers_are_french() {
        assert_eq!(number(1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(number(999), "999");
        assert_eq!(signed(-1200), "−1\u{202f}200");
        assert_eq!(decimal(0.8333, 2), "0,83");
        assert_eq!(percent(0.426), "43\u{202f}%");
        assert_eq!(count(1, "vote", "votes"), "1 vote");
        assert_eq!(count(0, "vote", "votes"), "0 vote");
        assert_eq!(count(2, "vote", "votes"), "2 votes");
        assert_eq!(rate(0.000475), "0,0005");
        assert_eq!(rate(1.5), "1,50");
        assert_eq!(excerpt("un  deux\ntrois quatre", 12), "un deux tro…");
    }
}
