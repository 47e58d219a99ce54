//! Territory codes (INSEE COG) checked against the embedded official list.
//!
//! A scope names its level explicitly, because INSEE reuses codes across levels
//! (`01` is both the Ain département and the Guadeloupe région):
//! `COM:75056` (commune), `EPCI:200054781` (EPCI, by SIREN), `DEP:2A`
//! (département), `REG:94` (région) or `FR` (national).

mod reference;

pub use reference::{reference, Commune, CommunePlace, Departement, Epci, Reference, Region};

use crate::rejection::Rejection;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The level of a territory code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TerritoryLevel {
    /// A commune (INSEE code, 5 characters).
    Commune,
    /// An EPCI à fiscalité propre (SIREN).
    Epci,
    /// A département (2 or 3 characters, 2A/2B for Corsica).
    Departement,
    /// A région (2 digits).
    Region,
    /// The whole country.
    National,
}

/// A territory code found in the official list when it was parsed.
///
/// Stored events keep the raw text and, beside it, the year of the list it was
/// checked against; reading an event back never consults the list, so a commune
/// merged since still folds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TerritoryCode(String);

impl TerritoryCode {
    /// The national scope.
    pub fn national() -> Self {
        Self("FR".into())
    }

    /// Parses `COM:…`, `EPCI:…`, `DEP:…`, `REG:…` or `FR` and checks the code is
    /// in the official list. The prefix is case-insensitive.
    pub fn parse(input: &str) -> Result<Self, Rejection> {
        let s = input.trim();
        let format_err = || Rejection::TerritoryFormat {
            value: s.chars().take(32).collect(),
        };
        if s.eq_ignore_ascii_case("FR") {
            return Ok(Self::national());
        }
        let (prefix, code) = s.split_once(':').ok_or_else(format_err)?;
        let code = code.trim().to_ascii_uppercase();
        let level = match prefix.trim().to_ascii_uppercase().as_str() {
            "COM" => TerritoryLevel::Commune,
            "EPCI" => TerritoryLevel::Epci,
            "DEP" => TerritoryLevel::Departement,
            "REG" => TerritoryLevel::Region,
            _ => return Err(format_err()),
        };
        let shape_ok = match level {
            TerritoryLevel::Commune => code.len() == 5,
            TerritoryLevel::Epci => code.len() == 9 && code.bytes().all(|b| b.is_ascii_digit()),
            TerritoryLevel::Departement => (2..=3).contains(&code.len()),
            TerritoryLevel::Region => code.len() == 2,
            TerritoryLevel::National => false,
        } && code.bytes().all(|b| b.is_ascii_alphanumeric());
        if !shape_ok {
            return Err(format_err());
        }
        let r = reference();
        let known = match level {
            TerritoryLevel::Commune => r.commune(&code).is_some(),
            TerritoryLevel::Epci => r.epci(&code).is_some(),
            TerritoryLevel::Departement => r.departement(&code).is_some(),
            TerritoryLevel::Region => r.region(&code).is_some(),
            TerritoryLevel::National => true,
        };
        let text = format!("{}:{code}", prefix.trim().to_ascii_uppercase());
        if known {
            Ok(Self(text))
        } else {
            Err(Rejection::TerritoryUnknown {
                value: text,
                year: r.year(),
            })
        }
    }

    /// Parses a commune, given as `COM:75056` or as the bare INSEE code `75056`.
    pub fn parse_commune(input: &str) -> Result<Self, Rejection> {
        let s = input.trim();
        let prefixed = if s.contains(':') {
            s.to_owned()
        } else {
            format!("COM:{s}")
        };
        let code = Self::parse(&prefixed)?;
        if code.level() == Some(TerritoryLevel::Commune) {
            Ok(code)
        } else {
            Err(Rejection::TerritoryLevel {
                value: s.chars().take(32).collect(),
            })
        }
    }

    /// The level, or `None` for a stored code this version cannot read (kept
    /// raw so the event still folds).
    pub fn level(&self) -> Option<TerritoryLevel> {
        if self.0 == "FR" {
            return Some(TerritoryLevel::National);
        }
        match self.0.split_once(':')?.0 {
            "COM" => Some(TerritoryLevel::Commune),
            "EPCI" => Some(TerritoryLevel::Epci),
            "DEP" => Some(TerritoryLevel::Departement),
            "REG" => Some(TerritoryLevel::Region),
            _ => None,
        }
    }

    /// The code without its level prefix (`75056`); empty for `FR`.
    pub fn code(&self) -> &str {
        self.0.split_once(':').map(|(_, c)| c).unwrap_or("")
    }

    /// The full text (`COM:75056`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a commune (bare INSEE code) lies inside this scope, according to
    /// the embedded list.
    pub fn contains_commune(&self, commune: &str) -> bool {
        let r = reference();
        let Some(c) = r.commune(commune) else {
            return false;
        };
        match self.level() {
            Some(TerritoryLevel::National) => true,
            Some(TerritoryLevel::Commune) => self.code() == commune,
            Some(TerritoryLevel::Departement) => c.departement == self.code(),
            Some(TerritoryLevel::Region) => r
                .departement(c.departement)
                .is_some_and(|d| d.region == self.code()),
            Some(TerritoryLevel::Epci) => r
                .epci(self.code())
                .is_some_and(|e| e.members.contains(&commune)),
            None => false,
        }
    }
}

impl TerritoryCode {
    /// Whether the two territories share at least one commune (a concertation of the
    /// Métropole de Lyon concerns someone who looks for the Rhône, and the other way
    /// round). Unknown codes overlap nothing.
    pub fn overlaps(&self, other: &TerritoryCode) -> bool {
        use TerritoryLevel::*;
        let r = reference();
        match (self.level(), other.level()) {
            (None, _) | (_, None) => false,
            (Some(National), _) | (_, Some(National)) => true,
            (Some(Commune), _) => other.contains_commune(self.code()),
            (_, Some(Commune)) => self.contains_commune(other.code()),
            (Some(Epci), _) => r
                .epci(self.code())
                .is_some_and(|e| e.members.iter().any(|m| other.contains_commune(m))),
            (_, Some(Epci)) => other.overlaps(self),
            (Some(Departement), Some(Region)) => r
                .departement(self.code())
                .is_some_and(|d| d.region == other.code()),
            (Some(Region), Some(Departement)) => other.overlaps(self),
            (Some(Departement), Some(Departement)) | (Some(Region), Some(Region)) => self == other,
        }
    }
}

impl TryFrom<&str> for TerritoryCode {
    type Error = Rejection;
    fn try_from(s: &str) -> Result<Self, Rejection> {
        Self::parse(s)
    }
}

impl fmt::Display for TerritoryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_parses_including_corsica() {
        for s in [
            "COM:75056",
            "com:2a004",
            "COM:2B033",
            "EPCI:200046977",
            "DEP:2A",
            "DEP:2B",
            "DEP:971",
            "REG:94",
            "FR",
        ] {
            assert!(TerritoryCode::parse(s).is_ok(), "{s}");
        }
        assert_eq!(
            TerritoryCode::parse("com:2a004").unwrap().as_str(),
            "COM:2A004"
        );
    }

    #[test]
    fn unknown_and_malformed_codes_are_refused() {
        assert!(matches!(
            TerritoryCode::parse("COM:99999"),
            Err(Rejection::TerritoryUnknown { year: 2026, .. })
        ));
        assert!(matches!(
            TerritoryCode::parse("DEP:20"),
            Err(Rejection::TerritoryUnknown { .. })
        ));
        assert!(matches!(
            TerritoryCode::parse("75056"),
            Err(Rejection::TerritoryFormat { .. })
        ));
        assert!(matches!(
            TerritoryCode::parse("XYZ:75"),
            Err(Rejection::TerritoryFormat { .. })
        ));
        assert!(matches!(
            TerritoryCode::parse_commune("DEP:75"),
            Err(Rejection::TerritoryLevel { .. })
        ));
        assert!(TerritoryCode::parse_commune("2A004").is_ok());
    }

    #[test]
    fn scopes_contain_their_communes() {
        let ajaccio = "2A004";
        assert!(TerritoryCode::parse("DEP:2A")
            .unwrap()
            .contains_commune(ajaccio));
        assert!(TerritoryCode::parse("REG:94")
            .unwrap()
            .contains_commune(ajaccio));
        assert!(!TerritoryCode::parse("DEP:2B")
            .unwrap()
            .contains_commune(ajaccio));
        assert!(TerritoryCode::national().contains_commune(ajaccio));
        // Lyon is a member of the Métropole de Lyon.
        assert!(TerritoryCode::parse("EPCI:200046977")
            .unwrap()
            .contains_commune("69123"));
    }

    #[test]
    fn territories_overlap_when_they_share_a_commune() {
        let code = |s: &str| TerritoryCode::parse(s).unwrap();
        let lyon_metropole = code("EPCI:200046977");
        assert!(lyon_metropole.overlaps(&code("COM:69123")));
        assert!(code("COM:69123").overlaps(&lyon_metropole));
        assert!(lyon_metropole.overlaps(&code("DEP:69")));
        assert!(code("REG:84").overlaps(&lyon_metropole));
        assert!(!lyon_metropole.overlaps(&code("DEP:2A")));
        assert!(code("DEP:2A").overlaps(&code("REG:94")));
        assert!(!code("DEP:2A").overlaps(&code("REG:84")));
        assert!(!code("DEP:2A").overlaps(&code("DEP:2B")));
        assert!(TerritoryCode::national().overlaps(&code("COM:2A004")));
        assert!(!code("COM:2A004").overlaps(&code("COM:69123")));
    }
}
