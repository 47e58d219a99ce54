//! The home page: the concertations, open ones first, filtered by the territory a
//! visitor gives (a commune, an EPCI, a département or a région: a concertation shows
//! when its territory shares a commune with it).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::concertation::Phase;
use domain::territory::TerritoryCode;
use gateway::http::AppState;
use gateway::queries::{self, ConcertationView};
use serde::Deserialize;

use super::render;
use crate::error::PageError;
use crate::format;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::visitor::Visitor;

/// A concertation in the list.
pub struct Listed {
    /// Slug (its page's address).
    pub slug: String,
    /// Title.
    pub title: String,
    /// Phase code, for the badge's class.
    pub phase: &'static str,
    /// Phase label.
    pub phase_label: String,
    /// "du … au …".
    pub dates: String,
    /// Territories, written out.
    pub territories: String,
    /// Counts, written out.
    pub counts: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    t: Tr,
    chrome: Chrome,
    open: Vec<Listed>,
    others: Vec<Listed>,
    territory: String,
    territory_error: String,
}

/// The query string of the home page.
#[derive(Debug, Default, Deserialize)]
pub struct HomeQuery {
    /// A territory: `69123`, `COM:69123`, `EPCI:…`, `DEP:69`, `REG:84`.
    #[serde(default)]
    territoire: Option<String>,
}

/// A territory's name from the official list, or its code.
pub fn territory_name(code: &str) -> String {
    let r = domain::territory::reference();
    let (level, bare) = code.split_once(':').unwrap_or(("", code));
    match level {
        "COM" => r.commune(bare).map(|c| c.name.to_owned()),
        "EPCI" => r.epci(bare).map(|e| e.name.to_owned()),
        "DEP" => r.departement(bare).map(|d| format!("{} ({bare})", d.name)),
        "REG" => r.region(bare).map(|g| g.name.to_owned()),
        _ if code == "FR" => Some("France".into()),
        _ => None,
    }
    .unwrap_or_else(|| code.to_owned())
}

/// The code of a phase, for badges' classes.
pub fn phase_code(phase: Phase) -> &'static str {
    match phase {
        Phase::Draft => "draft",
        Phase::Open => "open",
        Phase::Closed => "closed",
        Phase::SynthesisPublished => "synthesis_published",
        Phase::Archived => "archived",
    }
}

/// A concertation as the lists show it.
pub fn listed(c: &ConcertationView, t: Tr) -> Listed {
    let phase = phase_code(c.phase);
    Listed {
        slug: c.slug.clone(),
        title: c.title.clone(),
        phase,
        phase_label: t.get(c.phase.code()),
        dates: t.fmt(
            "concertation.dates",
            &[
                ("from", format::date(c.opens_at, t.lang())),
                ("to", format::date(c.closes_at, t.lang())),
            ],
        ),
        territories: c
            .territories
            .iter()
            .map(|code| territory_name(code))
            .collect::<Vec<_>>()
            .join(", "),
        counts: t.fmt(
            "concertation.counts",
            &[
                (
                    "participants",
                    format::number(c.participant_count, t.lang()),
                ),
                (
                    "contributions",
                    format::number(c.contribution_count, t.lang()),
                ),
                ("votes", format::number(c.vote_count, t.lang())),
            ],
        ),
    }
}

/// `GET /`.
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<HomeQuery>,
) -> Result<Response, PageError> {
    let t = visitor.t();
    let wanted = query
        .territoire
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let (filter, territory_error) = match wanted {
        None => (None, String::new()),
        Some(raw) => {
            let parsed = if raw.contains(':') || raw.eq_ignore_ascii_case("FR") {
                TerritoryCode::parse(raw)
            } else {
                TerritoryCode::parse_commune(raw)
            };
            match parsed {
                Ok(code) => (Some(code), String::new()),
                Err(rejection) => (None, t.message(rejection.code(), &rejection.params())),
            }
        }
    };
    let all = queries::concertations(&state.app, false)?;
    let (open, others): (Vec<_>, Vec<_>) = all
        .iter()
        .filter(|c| match &filter {
            None => true,
            Some(wanted) => c
                .territories
                .iter()
                .any(|code| TerritoryCode::parse(code).is_ok_and(|code| code.overlaps(wanted))),
        })
        .partition(|c| c.phase == Phase::Open);
    let page = HomePage {
        chrome: Chrome::new(&state, &visitor, t.get("home.title")),
        open: open.into_iter().map(|c| listed(c, t)).collect(),
        others: others.into_iter().map(|c| listed(c, t)).collect(),
        territory: wanted.unwrap_or_default().to_owned(),
        territory_error,
        t,
    };
    render(&page)
}
