//! The gateway's own messages (HTTP, authentication, limits), French first, for what
//! the domain catalogue does not cover; domain rejections use the domain catalogue.

use domain::Lang;

/// (code, français, English). Parameters are written `{name}`.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    (
        "request.malformed_json",
        "Le corps de la requête n'est pas un JSON valide.",
        "The request body is not valid JSON.",
    ),
    (
        "request.invalid_utf8",
        "Le corps de la requête n'est pas de l'UTF-8 valide.",
        "The request body is not valid UTF-8.",
    ),
    (
        "request.invalid_body",
        "Le corps de la requête ne correspond pas au format attendu ({detail}).",
        "The request body does not match the expected format ({detail}).",
    ),
    (
        "request.too_large",
        "Le corps de la requête dépasse {max} octets.",
        "The request body exceeds {max} bytes.",
    ),
    (
        "request.media_type",
        "Le corps doit être envoyé en JSON (Content-Type: application/json).",
        "The body must be sent as JSON (Content-Type: application/json).",
    ),
    (
        "request.invalid",
        "Certaines valeurs sont invalides.",
        "Some values are invalid.",
    ),
    (
        "request.invalid_path",
        "L'adresse contient un identifiant invalide.",
        "The address holds an invalid identifier.",
    ),
    (
        "request.invalid_query",
        "Les paramètres de l'adresse sont invalides.",
        "The query parameters are invalid.",
    ),
    (
        "auth.required",
        "Connexion requise : présentez une session ou un jeton.",
        "Authentication required: present a session or a token.",
    ),
    (
        "auth.invalid",
        "Session ou jeton invalide.",
        "Invalid session or token.",
    ),
    (
        "auth.expired",
        "Session ou jeton expiré : reconnectez-vous.",
        "Session or token expired: sign in again.",
    ),
    (
        "auth.bad_credentials",
        "Identifiant ou mot de passe incorrect.",
        "Wrong login or password.",
    ),
    (
        "auth.csrf",
        "Jeton anti-falsification (CSRF) manquant ou invalide.",
        "Missing or invalid anti-forgery (CSRF) token.",
    ),
    (
        "auth.participant_only",
        "Cette action est réservée aux participants.",
        "This action is for participants only.",
    ),
    (
        "auth.staff_only",
        "Cette action est réservée à l'équipe (animation, commission, administration).",
        "This action is for staff only (facilitators, commission, administrators).",
    ),
    (
        "auth.admin_only",
        "Cette action est réservée aux administrateurs.",
        "This action is for administrators only.",
    ),
    (
        "auth.account_disabled",
        "Ce compte n'existe plus.",
        "This account no longer exists.",
    ),
    (
        "auth.session_revoked",
        "Cette session a été fermée (déconnexion) : reconnectez-vous.",
        "This session was closed (signed out): sign in again.",
    ),
    (
        "recovery.invalid",
        "Participant inconnu ou code de récupération incorrect.",
        "Unknown participant or wrong recovery code.",
    ),
    (
        "account.exists",
        "Un compte existe déjà avec cet identifiant de connexion.",
        "An account already exists with this login.",
    ),
    (
        "account.not_found",
        "Compte introuvable.",
        "Account not found.",
    ),
    (
        "account.not_facilitator",
        "Ce compte n'est pas un compte d'animateur.",
        "This account is not a facilitator account.",
    ),
    (
        "account.login_invalid",
        "L'identifiant de connexion doit compter 3 à 100 caractères (lettres, chiffres, . _ - @).",
        "The login must have 3 to 100 characters (letters, digits, . _ - @).",
    ),
    (
        "account.password_too_short",
        "Le mot de passe doit compter au moins {min} caractères.",
        "The password must have at least {min} characters.",
    ),
    (
        "account.collectivite_required",
        "Un compte de commission ou d'administration doit indiquer le SIREN de sa collectivité.",
        "A commission or administrator account must give its collectivité's SIREN.",
    ),
    (
        "conflict.revision",
        "Quelqu'un a modifié cette ressource en même temps : réessayez.",
        "Someone changed this resource at the same time: try again.",
    ),
    (
        "idempotency.mismatch",
        "Cette clé d'idempotence a déjà servi pour une autre requête.",
        "This idempotency key was already used for another request.",
    ),
    (
        "idempotency.in_progress",
        "Une requête avec cette clé d'idempotence est encore en cours : réessayez dans un instant pour obtenir sa réponse.",
        "A request with this idempotency key is still in progress: try again in a moment to get its response.",
    ),
    (
        "idempotency.invalid_key",
        "La clé d'idempotence doit compter 1 à 255 caractères ASCII visibles.",
        "The idempotency key must have 1 to 255 visible ASCII characters.",
    ),
    (
        "rate.limited",
        "Trop de requêtes : réessayez dans {seconds} s.",
        "Too many requests: try again in {seconds} s.",
    ),
    ("route.not_found", "Adresse inconnue.", "Unknown address."),
    (
        "audit.event_not_found",
        "Cet événement n'est pas (encore) dans le journal d'audit.",
        "This event is not (yet) in the audit log.",
    ),
    (
        "audit.head_not_found",
        "Aucune tête d'arbre signée de cette taille.",
        "No signed tree head of this size.",
    ),
    (
        "export.not_found",
        "Aucun export de ce numéro.",
        "No export with this number.",
    ),
    (
        "export.not_ready",
        "Cet export n'est pas prêt (en cours ou échoué).",
        "This export is not ready (running or failed).",
    ),
    (
        "export.commission_only",
        "Seuls la commission et les administrateurs de la collectivité organisatrice exportent la synthèse.",
        "Only the organising collectivité's commission and administrators export the synthesis.",
    ),
    (
        "audit.out_of_range",
        "Indice de feuille ou taille d'arbre hors de l'arbre.",
        "Leaf index or tree size outside the tree.",
    ),
    (
        "audit.leaf_choice",
        "Donnez soit event_id, soit leaf_index.",
        "Give either event_id or leaf_index.",
    ),
    (
        "audit.leaves_range",
        "Plage de feuilles invalide : start ≤ end, au plus 1 000 feuilles.",
        "Invalid leaf range: start ≤ end, at most 1,000 leaves.",
    ),
    (
        "route.method",
        "Méthode non permise à cette adresse.",
        "Method not allowed at this address.",
    ),
    (
        "request.timeout",
        "La requête a pris trop de temps.",
        "The request took too long.",
    ),
    (
        "server.internal",
        "Erreur interne : l'incident est enregistré (référence {request_id}).",
        "Internal error: the incident is logged (reference {request_id}).",
    ),
    (
        "server.starting",
        "Concerto démarre et charge les contributions enregistrées : réessayez dans {seconds} s.",
        "Concerto is starting and loading the recorded contributions: try again in {seconds} s.",
    ),
    (
        "server.unavailable",
        "Service momentanément indisponible.",
        "Service temporarily unavailable.",
    ),
    ("erasure.done", "Effacement effectué.", "Erasure done."),
    ("title.400", "Requête invalide", "Bad request"),
    (
        "title.401",
        "Authentification requise",
        "Authentication required",
    ),
    ("title.403", "Action interdite", "Forbidden"),
    ("title.404", "Introuvable", "Not found"),
    ("title.405", "Méthode non permise", "Method not allowed"),
    ("title.408", "Délai dépassé", "Request timeout"),
    ("title.409", "Conflit", "Conflict"),
    ("title.413", "Requête trop volumineuse", "Payload too large"),
    (
        "title.415",
        "Type de contenu non pris en charge",
        "Unsupported media type",
    ),
    ("title.422", "Données invalides", "Unprocessable content"),
    ("title.429", "Trop de requêtes", "Too many requests"),
    ("title.500", "Erreur interne", "Internal error"),
    ("title.503", "Service indisponible", "Service unavailable"),
];

/// The message of `code` in `lang`, with `{name}` parameters replaced; falls back to
/// the domain catalogue, then to the code itself (a message never panics).
pub fn message(code: &str, params: &[(&'static str, String)], lang: Lang) -> String {
    match MESSAGES.iter().find(|(c, _, _)| *c == code) {
        Some((_, fr, en)) => {
            let mut text = match lang {
                Lang::Fr => (*fr).to_owned(),
                Lang::En => (*en).to_owned(),
            };
            for (name, value) in params {
                text = text.replace(&format!("{{{name}}}"), value);
            }
            text
        }
        None => domain::i18n::format(code, params, lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_both_languages_and_codes_are_unique() {
        let mut codes = std::collections::BTreeSet::new();
        for (code, fr, en) in MESSAGES {
            assert!(codes.insert(*code), "duplicate {code}");
            assert!(!fr.is_empty() && !en.is_empty(), "{code}");
            assert_ne!(fr, en, "{code} is not translated");
        }
    }

    #[test]
    fn parameters_are_substituted_and_domain_codes_fall_through() {
        assert_eq!(
            message("rate.limited", &[("seconds", "3".into())], Lang::Fr),
            "Trop de requêtes : réessayez dans 3 s."
        );
        assert_eq!(
            message("report.already", &[], Lang::En),
            "You already reported this contribution."
        );
    }
}
