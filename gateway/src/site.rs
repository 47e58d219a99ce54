//! What a deployment says about itself on the pages a French public body must publish
//! (mentions légales, personal-data notice, moderation charter, accessibility
//! statement): who publishes, who hosts, whom to contact. Every field has a default
//! that names the demonstration, so a fresh install shows complete pages that say
//! plainly they are to be completed.

use serde::{Deserialize, Serialize};

/// The publisher's details, set in the `[site]` section of the settings file or by
/// `CONCERTO_SITE__…` variables.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteSettings {
    /// The platform's name, in the header and in page titles.
    pub name: String,
    /// The publishing body (the collectivité), as the mentions légales name it.
    pub publisher: String,
    /// Its postal address.
    pub publisher_address: String,
    /// Its SIREN.
    pub publisher_siren: String,
    /// The director of publication (usually the mayor or the president).
    pub publication_director: String,
    /// The host: name and address (the collectivité itself when self-hosted).
    pub host: String,
    /// Where people write about the platform.
    pub contact_email: String,
    /// The data protection officer's contact (délégué à la protection des données).
    pub dpo_contact: String,
    /// How long contributions and pseudonyms are kept, in words.
    pub retention: String,
    /// The accessibility status declared (`non conforme`, `partiellement conforme`,
    /// `totalement conforme`) with the audit's date, in words.
    pub accessibility_status: String,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self {
            name: "Concerto".into(),
            publisher: "Collectivité de démonstration (à compléter)".into(),
            publisher_address: "Adresse postale de la collectivité (à compléter)".into(),
            publisher_siren: "217500016".into(),
            publication_director: "Le ou la maire, ou le président ou la présidente de la collectivité (à compléter)".into(),
            host: "La collectivité elle-même, sur ses propres serveurs (à compléter)".into(),
            contact_email: "concertation@collectivite.example".into(),
            dpo_contact: "dpo@collectivite.example".into(),
            retention: "Les contributions sont conservées pendant la concertation puis cinq ans après la publication de sa synthèse ; les données personnelles sont effacées à la demande ou au plus tard un an après la clôture.".into(),
            accessibility_status: "partiellement conforme (auto-évaluation, à confirmer par un audit)".into(),
        }
    }
}
