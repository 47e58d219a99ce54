//! Property tests of the parsers: no input panics, accepted values satisfy
//! their contract, and parsing is idempotent (parse ∘ as_str = id).

use concerto_domain::limits::{CONTRIBUTION_MAX_CHARS, STATEMENT_MAX_CHARS};
use concerto_domain::territory::{reference, TerritoryCode};
use concerto_domain::values::*;
use proptest::prelude::*;
use unicode_normalization::is_nfc;

/// A SIREN check digit computed the Luhn way, to build valid numbers.
fn with_check_digit(eight: &str) -> String {
    (0..10)
        .map(|d| format!("{eight}{d}"))
        .find(|s| Siren::parse(s).is_ok())
        .expect("one check digit in ten is valid")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn siren_any_input_is_handled(s in "\\PC{0,20}") {
        let _ = Siren::parse(&s);
    }

    #[test]
    fn siren_exactly_one_check_digit_in_ten_is_valid(eight in "[0-9]{8}") {
        let valid = (0..10).filter(|d| Siren::parse(&format!("{eight}{d}")).is_ok()).count();
        prop_assert_eq!(valid, 1);
        let s = with_check_digit(&eight);
        let parsed = Siren::parse(&s).unwrap();
        prop_assert_eq!(parsed.as_str(), s.as_str());
    }

    #[test]
    fn siren_a_single_digit_change_is_caught(eight in "[0-9]{8}", pos in 0usize..9, delta in 1u8..10) {
        let s = with_check_digit(&eight);
        let mut bytes = s.into_bytes();
        bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
        prop_assert!(Siren::parse(std::str::from_utf8(&bytes).unwrap()).is_err());
    }

    #[test]
    fn contribution_text_contract(s in "\\PC{0,40}|[ \\t\\n\\r\\u{0}-\\u{1f}a-zé\\u{301}]{0,40}") {
        if let Ok(t) = ContributionText::parse(&s) {
            let v = t.as_str();
            prop_assert_eq!(v.trim(), v);
            prop_assert!(is_nfc(v));
            prop_assert!(!v.is_empty() && v.chars().count() <= CONTRIBUTION_MAX_CHARS);
            prop_assert!(!v.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
            prop_assert_eq!(ContributionText::parse(v).unwrap(), t.clone());
        }
    }

    #[test]
    fn statement_length_is_enforced(n in 1usize..400) {
        let s = "é".repeat(n);
        prop_assert_eq!(StatementText::parse(&s).is_ok(), n <= STATEMENT_MAX_CHARS);
    }

    #[test]
    fn slug_language_email_never_panic_and_are_idempotent(s in "\\PC{0,30}") {
        if let Ok(v) = Slug::parse(&s) { prop_assert_eq!(Slug::parse(v.as_str()).unwrap(), v); }
        if let Ok(v) = LanguageTag::parse(&s) { prop_assert_eq!(LanguageTag::parse(v.as_str()).unwrap(), v); }
        if let Ok(v) = Email::parse(&s) { prop_assert_eq!(Email::parse(v.as_str()).unwrap(), v); }
    }

    #[test]
    fn territory_any_input_is_handled(s in "(COM|EPCI|DEP|REG|com|xx)?:?[0-9AB]{0,10}|\\PC{0,12}") {
        if let Ok(t) = TerritoryCode::parse(&s) {
            prop_assert_eq!(TerritoryCode::parse(t.as_str()).unwrap(), t.clone());
            prop_assert!(t.level().is_some());
        }
    }

    #[test]
    fn every_listed_commune_parses_and_lies_in_its_departement(i in 0usize..34_000) {
        let codes = commune_codes();
        let code = &codes[i % codes.len()];
        let t = TerritoryCode::parse_commune(code).unwrap();
        let dep = &reference().commune(code).unwrap().departement;
        let scope = TerritoryCode::parse(&format!("DEP:{}", dep)).unwrap();
        prop_assert!(scope.contains_commune(t.code()));
    }
}

fn commune_codes() -> &'static Vec<String> {
    static CODES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    CODES.get_or_init(|| {
        include_str!("../../data/territoires.tsv")
            .lines()
            .filter_map(|l| l.strip_prefix("C\t"))
            .map(|l| l.split('\t').next().unwrap().to_owned())
            .collect()
    })
}
