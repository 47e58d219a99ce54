//! Sheet names that every spreadsheet accepts, unique within a file.
//!
//! LibreOffice refuses `[]*?:/\` in a sheet name and an apostrophe at either end, and
//! Excel refuses more than 31 characters; both treat names that differ only by case as
//! the same sheet. A file naming its sheets otherwise opens with renamed sheets or not
//! at all, so names are corrected here rather than refused.

use std::collections::HashSet;

/// The longest sheet name, in characters (Excel's limit).
pub(super) const MAX_CHARS: usize = 31;

/// The name given to a sheet whose requested name has nothing left once corrected.
const FALLBACK: &str = "Feuille";

/// The characters no sheet name may contain.
const FORBIDDEN: [char; 7] = ['[', ']', '*', '?', ':', '/', '\\'];

/// The sheet names already given in one file.
#[derive(Debug, Default)]
pub(super) struct SheetNames {
    /// Lowercased, since spreadsheets compare sheet names without case.
    used: HashSet<String>,
}

impl SheetNames {
    /// A name for part `part` (1 for the first sheet of a table, 2 and on for its
    /// continuations) of the table asked as `requested`: `requested` corrected, with
    /// ` (part)` from 2 on, and a higher number when that name is already taken.
    pub(super) fn claim(&mut self, requested: &str, part: u32) -> String {
        let base = sanitise(requested);
        let mut number = part.max(1);
        loop {
            let candidate = with_number(&base, number);
            if self.used.insert(candidate.to_lowercase()) {
                return candidate;
            }
            number = number.max(1) + 1;
        }
    }
}

/// `requested` without forbidden or control characters (each becomes `_`), trimmed of
/// spaces and apostrophes at either end, at most [`MAX_CHARS`] characters long.
fn sanitise(requested: &str) -> String {
    let replaced: String = requested
        .chars()
        .map(|c| {
            if FORBIDDEN.contains(&c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let name = trim(&replaced);
    let name: String = name.chars().take(MAX_CHARS).collect();
    let name = trim(&name);
    if name.is_empty() {
        FALLBACK.to_owned()
    } else {
        name.to_owned()
    }
}

/// `base`, followed by ` (number)` when `number` is 2 or more, shortened so that the
/// whole stays within [`MAX_CHARS`].
fn with_number(base: &str, number: u32) -> String {
    if number < 2 {
        return base.to_owned();
    }
    let suffix = format!(" ({number})");
    let room = MAX_CHARS.saturating_sub(suffix.chars().count());
    let kept: String = base.chars().take(room).collect();
    format!("{}{suffix}", trim(&kept))
}

/// `name` without white space or apostrophes at either end.
fn trim(name: &str) -> &str {
    name.trim_matches(|c: char| c.is_whitespace() || c == '\'')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_and_lengths_are_corrected() {
        assert_eq!(sanitise("Avis [2026]: a/b\\c*?"), "Avis _2026__ a_b_c__");
        assert_eq!(sanitise("'Synthèse'"), "Synthèse");
        assert_eq!(sanitise("  \u{7}  "), "_");
        assert_eq!(sanitise(" '' "), "Feuille");
        let long = "Contributions de la concertation territoriale";
        assert_eq!(sanitise(long).chars().count(), MAX_CHARS);
        assert_eq!(sanitise(long), "Contributions de la concertatio");
        assert_eq!(sanitise("مرحبا 🙂"), "مرحبا 🙂");
    }

    #[test]
    fn names_are_unique_without_case_and_numbered_within_the_limit() {
        let mut names = SheetNames::default();
        assert_eq!(names.claim("Avis", 1), "Avis");
        assert_eq!(names.claim("avis", 1), "avis (2)");
        assert_eq!(names.claim("Avis", 2), "Avis (3)");
        let long = "Contributions de la concertation territoriale";
        assert_eq!(names.claim(long, 1), "Contributions de la concertatio");
        let second = names.claim(long, 2);
        assert_eq!(second, "Contributions de la concert (2)");
        assert_eq!(second.chars().count(), MAX_CHARS);
    }
}
