//! How pages and the exported report write dates and numbers: in Europe/Paris time
//! whatever the server's zone, French style by default ("1er décembre 2026 à 18 h 05"),
//! English on request. One implementation for the web and the exports.

use domain::Lang;
use time::OffsetDateTime;
use time_tz::{timezones, OffsetDateTimeExt};

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `at` in Paris time.
pub fn paris(at: OffsetDateTime) -> OffsetDateTime {
    at.to_timezone(timezones::db::europe::PARIS)
}

/// The date alone: "1er décembre 2026" / "1 December 2026".
pub fn date(at: OffsetDateTime, lang: Lang) -> String {
    day(paris(at).date(), lang)
}

/// A calendar day: "1er décembre 2026" / "1 December 2026".
pub fn day(date: time::Date, lang: Lang) -> String {
    let month = date.month() as usize - 1;
    match lang {
        Lang::Fr => {
            let day = if date.day() == 1 {
                "1er".to_owned()
            } else {
                date.day().to_string()
            };
            format!("{day} {} {}", MONTHS_FR[month], date.year())
        }
        Lang::En => format!("{} {} {}", date.day(), MONTHS_EN[month], date.year()),
    }
}

/// Date and time: "1er décembre 2026 à 18 h 05" / "1 December 2026, 18:05".
pub fn date_time(at: OffsetDateTime, lang: Lang) -> String {
    let local = paris(at);
    match lang {
        Lang::Fr => format!(
            "{} à {} h {:02}",
            date(at, lang),
            local.hour(),
            local.minute()
        ),
        Lang::En => format!(
            "{}, {:02}:{:02}",
            date(at, lang),
            local.hour(),
            local.minute()
        ),
    }
}

/// Reads a `datetime-local` field (`2026-12-10T18:00`, Paris time) as an instant;
/// `None` when it is not one (or falls in the hour skipped when clocks go forward).
pub fn parse_paris_local(value: &str) -> Option<OffsetDateTime> {
    use time_tz::PrimitiveDateTimeExt;
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let local = time::PrimitiveDateTime::parse(value.trim(), &format).ok()?;
    local
        .assume_timezone(timezones::db::europe::PARIS)
        .take_first()
}

/// The machine-readable form for `<time datetime>`: RFC 3339 in Paris time.
pub fn iso(at: OffsetDateTime) -> String {
    paris(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A whole number with French digit grouping (narrow no-break space) or English
/// commas: "12 345" / "12,345".
pub fn number(n: u64, lang: Lang) -> String {
    let digits = n.to_string();
    let separator = match lang {
        Lang::Fr => "\u{202f}",
        Lang::En => ",",
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    out
}

/// A share as a whole percentage of `total` (0 when there is none).
pub fn percent(part: u64, total: u64) -> u64 {
    (part * 100 + total / 2).checked_div(total).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn dates_are_in_paris_time_summer_and_winter() {
        // Winter: UTC+1.
        assert_eq!(
            date_time(datetime!(2026-12-01 17:05 UTC), Lang::Fr),
            "1er décembre 2026 à 18 h 05"
        );
        // Summer: UTC+2, and the day changes.
        assert_eq!(
            date_time(datetime!(2026-07-14 22:30 UTC), Lang::Fr),
            "15 juillet 2026 à 0 h 30"
        );
        assert_eq!(
            date_time(datetime!(2026-07-14 22:30 UTC), Lang::En),
            "15 July 2026, 00:30"
        );
        assert_eq!(
            iso(datetime!(2026-07-14 22:30 UTC)),
            "2026-07-15T00:30:00+02:00"
        );
    }

    #[test]
    fn local_paris_times_are_read_as_instants() {
        assert_eq!(
            parse_paris_local("2026-12-10T18:00"),
            Some(datetime!(2026-12-10 17:00 UTC))
        );
        assert_eq!(
            parse_paris_local("2026-07-14T18:00"),
            Some(datetime!(2026-07-14 16:00 UTC))
        );
        assert_eq!(parse_paris_local("10/12/2026 18:00"), None);
        assert_eq!(parse_paris_local(""), None);
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(number(0, Lang::Fr), "0");
        assert_eq!(number(999, Lang::Fr), "999");
        assert_eq!(number(1234567, Lang::Fr), "1\u{202f}234\u{202f}567");
        assert_eq!(number(1234, Lang::En), "1,234");
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 67);
        assert_eq!(percent(5, 0), 0);
    }
}
