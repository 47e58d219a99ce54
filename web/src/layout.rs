//! What every page's frame shows ([`Chrome`]): the title, the navigation for who is
//! signed in, the language switch, the CSRF token and one-time key of its forms, and
//! the deployment's name. The frame itself is `templates/base.html`.

use std::sync::Arc;

use gateway::accounts::StaffRole;
use gateway::http::AppState;
use gateway::site::SiteSettings;

use crate::i18n::Tr;
use crate::visitor::{form_key, Visitor};

/// Who the navigation is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Who {
    /// Not signed in.
    Anonymous,
    /// A participant (their pseudonym's first characters).
    Participant(String),
    /// Staff, with their name and role.
    Staff {
        /// Name shown.
        name: String,
        /// Role.
        role: StaffRole,
    },
}

/// The frame of a page.
#[derive(Clone, Debug)]
pub struct Chrome {
    /// The page's title (the `<title>` adds the site's name).
    pub title: String,
    /// The deployment's details.
    pub site: Arc<SiteSettings>,
    /// Who is signed in.
    pub who: Who,
    /// The CSRF token of the page's forms.
    pub csrf: String,
    /// The one-time key of the page's forms (a double submission appends once).
    pub form_key: String,
    /// The path to come back to after switching language.
    pub path: String,
}

impl Chrome {
    /// The frame of a page titled `title` for `visitor`.
    pub fn new(state: &AppState, visitor: &Visitor, title: impl Into<String>) -> Self {
        let who = match (&visitor.caller, visitor.participant()) {
            (Some(gateway::auth::Caller::Staff { account, .. }), _) => Who::Staff {
                name: account.display_name.clone(),
                role: account.role,
            },
            (_, Some(p)) => Who::Participant(p.to_string().chars().take(8).collect()),
            _ => Who::Anonymous,
        };
        Self {
            title: title.into(),
            site: state.site.clone(),
            who,
            csrf: visitor.csrf(state),
            form_key: form_key(),
            path: visitor.path.clone(),
        }
    }

    /// The frame of an error page, which knows only the language.
    pub fn bare(state: &AppState, title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            site: state.site.clone(),
            who: Who::Anonymous,
            csrf: String::new(),
            form_key: String::new(),
            path: "/".into(),
        }
    }

    /// Whether a participant is signed in.
    pub fn is_participant(&self) -> bool {
        matches!(self.who, Who::Participant(_))
    }

    /// Whether staff is signed in.
    pub fn is_staff(&self) -> bool {
        matches!(self.who, Who::Staff { .. })
    }

    /// Whether the signed-in staff member is of the commission (or administrates).
    pub fn is_commission(&self) -> bool {
        matches!(
            self.who,
            Who::Staff {
                role: StaffRole::Commission | StaffRole::Administrator,
                ..
            }
        )
    }

    /// The name of who is signed in, for the header.
    pub fn who_label(&self, t: &Tr) -> String {
        match &self.who {
            Who::Anonymous => String::new(),
            Who::Participant(short) => t.fmt("nav.participant", &[("id", short.clone())]),
            Who::Staff { name, role } => format!(
                "{name} ({})",
                t.get(match role {
                    StaffRole::Facilitator => "role.facilitator",
                    StaffRole::Commission => "role.commission",
                    StaffRole::Administrator => "role.administrator",
                })
            ),
        }
    }

    /// The language switch's link (back to this page).
    pub fn switch_href(&self, t: &Tr) -> String {
        format!(
            "/langue/{}?retour={}",
            t.other_tag(),
            crate::links::encode(&self.path)
        )
    }
}
