//! Who is looking at a page: the caller their cookie names (a participant's pseudonym
//! or a staff session), their language, and what their forms' CSRF tokens are bound
//! to. One extractor, [`Visitor`], for every page; writes check [`Visitor::command`].
//!
//! Anonymous visitors get a random `concerto_visiteur` cookie (no personal data, no
//! tracking: it only binds the CSRF token of the join and login forms), set by
//! [`visitor_cookie`] before any page runs.

use axum::extract::{FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use domain::Lang;
use gateway::accounts::StaffRole;
use gateway::app::Ctx;
use gateway::auth::Caller;
use gateway::http::extract::{authenticate, cookie_of, csrf_subject, set_cookie};
use gateway::http::request_id::RequestId;
use gateway::http::AppState;
use uuid::Uuid;

use crate::error::PageError;
use crate::i18n::Tr;

/// The anonymous visitor cookie.
pub const VISITOR_COOKIE: &str = "concerto_visiteur";
/// The language cookie (`fr` or `en`), set by the language switch.
pub const LANG_COOKIE: &str = "concerto_langue";
/// How long the visitor and language cookies last, in seconds (six months).
const COOKIE_SECONDS: i64 = 183 * 24 * 3600;

/// The anonymous visitor id of a request (set by [`visitor_cookie`]).
#[derive(Clone, Debug)]
struct VisitorId(String);

/// Middleware: gives a visitor without one a visitor id, for this request and, by a
/// cookie, the next ones.
pub async fn visitor_cookie(mut request: Request, next: Next) -> Response {
    let existing = cookie_of(request.headers(), VISITOR_COOKIE)
        .filter(|v| v.len() == 32 && v.chars().all(|c| c.is_ascii_hexdigit()))
        .map(str::to_owned);
    let (id, fresh) = match existing {
        Some(id) => (id, false),
        None => (Uuid::new_v4().simple().to_string(), true),
    };
    request.extensions_mut().insert(VisitorId(id.clone()));
    let mut response = next.run(request).await;
    if fresh {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(VISITOR_COOKIE, &id, COOKIE_SECONDS, false),
        );
    }
    response
}

/// The language cookie's `Set-Cookie` value.
pub fn lang_cookie(lang: Lang, secure: bool) -> axum::http::HeaderValue {
    let tag = match lang {
        Lang::Fr => "fr",
        Lang::En => "en",
    };
    set_cookie(LANG_COOKIE, tag, COOKIE_SECONDS, secure)
}

/// The language a request asks for: the switch's cookie, else `Accept-Language`.
pub fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    match cookie_of(headers, LANG_COOKIE) {
        Some("en") => Lang::En,
        Some("fr") => Lang::Fr,
        _ => gateway::http::problem::lang_of(headers),
    }
}

/// Who sees the page.
#[derive(Clone, Debug)]
pub struct Visitor {
    /// The participant or staff member, when signed in.
    pub caller: Option<Caller>,
    /// The page's language.
    pub lang: Lang,
    /// What the CSRF tokens of this visitor's forms are bound to.
    csrf_subject: String,
    /// The request id (`$correlationId` of what the request appends).
    request_id: Uuid,
    /// The path and query asked for (the language switch comes back to it).
    pub path: String,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let lang = lang_of(&parts.headers);
        // A stale or forged cookie makes the visitor anonymous on pages (they can
        // join or sign in again), never an error page.
        let caller = authenticate(parts, state)
            .await
            .ok()
            .flatten()
            .filter(|a| a.via_cookie)
            .map(|a| a.caller);
        let csrf_subject = match &caller {
            Some(caller) => csrf_subject(caller),
            None => {
                let id = parts
                    .extensions
                    .get::<VisitorId>()
                    .map(|v| v.0.clone())
                    .unwrap_or_default();
                format!("visiteur:{id}")
            }
        };
        Ok(Self {
            caller,
            lang,
            csrf_subject,
            request_id: parts
                .extensions
                .get::<RequestId>()
                .map(|r| r.0)
                .unwrap_or_else(Uuid::now_v7),
            path: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".into()),
        })
    }
}

impl Visitor {
    /// The translator.
    pub fn t(&self) -> Tr {
        Tr::new(self.lang)
    }

    /// A fresh CSRF token for this visitor's forms.
    pub fn csrf(&self, state: &AppState) -> String {
        state.app.tokens().csrf(&self.csrf_subject)
    }

    /// Checks a submitted form's CSRF token.
    pub fn check_csrf(&self, state: &AppState, presented: &str) -> Result<(), PageError> {
        if state.app.tokens().csrf_ok(&self.csrf_subject, presented) {
            Ok(())
        } else {
            Err(PageError::Csrf)
        }
    }

    /// The command context of a form post: CSRF checked, the caller signed in, and the
    /// form's one-time key as idempotency key (a double click appends nothing twice).
    pub fn command(&self, state: &AppState, form: &FormGuard) -> Result<Ctx, PageError> {
        self.check_csrf(state, &form.csrf)?;
        let caller = self.caller.clone().ok_or(PageError::SignInRequired)?;
        Ok(Ctx {
            caller,
            request_id: self.request_id,
            idempotency_key: form
                .key
                .as_ref()
                .filter(|k| {
                    (16..=64).contains(&k.len()) && k.chars().all(|c| c.is_ascii_hexdigit())
                })
                .map(|k| format!("page:{k}")),
        })
    }

    /// The pseudonym of a signed-in participant.
    pub fn participant(&self) -> Option<domain::values::ParticipantId> {
        self.caller
            .as_ref()
            .and_then(Caller::participant)
            .map(|c| c.participant)
    }

    /// The role of a signed-in staff member.
    pub fn staff_role(&self) -> Option<StaffRole> {
        self.caller.as_ref().and_then(Caller::staff).map(|a| a.role)
    }

    /// Whether the visitor is staff (they see every contribution).
    pub fn is_staff(&self) -> bool {
        self.staff_role().is_some()
    }

    /// How the read models filter what this visitor sees.
    pub fn viewer(&self) -> gateway::queries::Viewer {
        match (&self.caller, self.participant()) {
            (Some(Caller::Staff { .. }), _) => gateway::queries::Viewer::Staff,
            (_, Some(p)) => gateway::queries::Viewer::Participant(p),
            _ => gateway::queries::Viewer::Public,
        }
    }
}

/// The hidden fields every form carries: the CSRF token and a one-time key.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct FormGuard {
    /// The CSRF token.
    #[serde(default)]
    pub csrf: String,
    /// The form's one-time key (idempotency).
    #[serde(default, rename = "cle")]
    pub key: Option<String>,
}

/// A fresh one-time form key.
pub fn form_key() -> String {
    Uuid::new_v4().simple().to_string()
}
