//! Participant kinds, verification levels and personal data.

use crate::territory::TerritoryCode;
use crate::values::{ContactText, DisplayName, Email, Siren};
use serde::{Deserialize, Serialize};

/// Who a participant speaks as. Public: the synthesis counts by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ParticipantKind {
    /// A resident, optionally giving a commune (INSEE code).
    Citoyen {
        /// The commune, if given.
        commune: Option<TerritoryCode>,
    },
    /// A business, with its SIREN (public register data, not personal data).
    Entreprise {
        /// The business's SIREN.
        siren: Siren,
    },
    /// A public agent, with the SIREN of their collectivité.
    AgentPublic {
        /// The collectivité's SIREN.
        collectivite: Siren,
    },
}

impl ParticipantKind {
    /// The catalogue code of the kind's name.
    pub fn code(&self) -> &'static str {
        match self {
            ParticipantKind::Citoyen { .. } => "participant_kind.citoyen",
            ParticipantKind::Entreprise { .. } => "participant_kind.entreprise",
            ParticipantKind::AgentPublic { .. } => "participant_kind.agent_public",
        }
    }
}

/// How far the participant's kind has been checked; the synthesis shows it
/// beside every figure by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationLevel {
    /// Declared by the participant.
    SelfDeclared,
    /// Checked by a facilitator (in a session, say).
    VerifiedByFacilitator,
    /// Checked by an identity provider.
    VerifiedByIdentityProvider,
}

/// Personal data: only ever in a sealed part, under the participant's key.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PersonalData {
    /// Name shown beside contributions, if the participant wants one.
    pub display_name: Option<DisplayName>,
    /// E-mail for notices.
    pub email: Option<Email>,
    /// Other contact details.
    pub contact: Option<ContactText>,
}
