//! Demonstration seed for `serve --demo`: a doctrine with one article per
//! pillar of the manifesto.
//!
//! Every text here is **demonstration text written for this software**, labelled
//! as such in its title and its first words. It is not, and must never be shown
//! as, the text of the *Manifeste pour une IA sociale, démocratique, utile et
//! territoriale*; the doctrine is flagged `demonstration: true` so pages can
//! say so too.

use crate::doctrine::{Article, DoctrineCommand, Pillar};
use crate::values::{ArticleId, ArticleText, DoctrineId, Siren, Title};

/// The label every demonstration text starts with.
pub const DEMO_LABEL: &str = "[Texte de démonstration — ne reproduit pas le manifeste]";

/// (id, pillar, title, text) of the demonstration articles.
const ARTICLES: &[(&str, Pillar, &str, &str)] = &[
    (
        "sociale-1",
        Pillar::Sociale,
        "Exemple : l'IA au service des personnes",
        "Article d'exemple : un service public qui utilise un outil d'IA indique aux usagers \
         comment joindre une personne et garantit qu'une décision les concernant peut être revue par un agent.",
    ),
    (
        "democratique-1",
        Pillar::Democratique,
        "Exemple : décider ensemble",
        "Article d'exemple : avant de déployer un outil d'IA qui touche la vie des habitants, la collectivité \
         ouvre une concertation et publie ce qu'elle a fait de chaque contribution.",
    ),
    (
        "utile-1",
        Pillar::Utile,
        "Exemple : mesurer l'utilité",
        "Article d'exemple : chaque projet d'IA public énonce le besoin qu'il sert et les indicateurs qui \
         permettront de l'arrêter s'il n'y répond pas.",
    ),
    (
        "territoriale-1",
        Pillar::Territoriale,
        "Exemple : ancrer l'IA dans le territoire",
        "Article d'exemple : les données et les outils restent hébergés sous le contrôle des collectivités, \
         et les compétences sont partagées entre territoires voisins.",
    ),
];

/// The SIREN the demo collectivité uses (Ville de Paris's real SIREN, chosen
/// only because it is a valid, public identifier).
pub fn demo_collectivite() -> Siren {
    Siren::parse("217500016").expect("valid demo SIREN")
}

/// The demonstration articles, each labelled as demonstration text.
pub fn articles() -> Vec<Article> {
    ARTICLES
        .iter()
        .map(|(id, pillar, title, text)| Article {
            id: ArticleId::parse(id).expect("valid demo article id"),
            pillar: *pillar,
            title: Title::parse(&format!("[Démo] {title}")).expect("valid demo title"),
            text: ArticleText::parse(&format!("{DEMO_LABEL} {text}")).expect("valid demo text"),
        })
        .collect()
}

/// The command that seeds the demonstration doctrine (run by the system actor).
pub fn doctrine_seed(id: DoctrineId) -> DoctrineCommand {
    DoctrineCommand::Create {
        id,
        collectivite: demo_collectivite(),
        title: Title::parse("Doctrine de démonstration (quatre piliers)").expect("valid title"),
        demonstration: true,
        articles: articles(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctrine::{DoctrineAggregate, DoctrineEvent};
    use crate::testing::given;
    use std::collections::BTreeSet;

    #[test]
    fn the_seed_covers_the_four_pillars_and_is_labelled() {
        let pillars: BTreeSet<Pillar> = articles().iter().map(|a| a.pillar).collect();
        assert_eq!(pillars.len(), 4);
        for a in articles() {
            assert!(a.text.as_str().starts_with(DEMO_LABEL));
            assert!(a.title.as_str().starts_with("[Démo]"));
        }
    }

    #[test]
    fn the_system_seeds_a_demonstration_doctrine() {
        let events = given::<DoctrineAggregate>([])
            .when(doctrine_seed(DoctrineId::from_uuid(uuid::Uuid::now_v7())))
            .then_accepted();
        assert!(matches!(
            &events[0],
            DoctrineEvent::DoctrineCreated {
                demonstration: true,
                ..
            }
        ));
    }
}
