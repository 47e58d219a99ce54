//! The licence notice of the open data: Licence Ouverte / Open Licence 2.0 (Etalab),
//! the licence the French State recommends for public sector information.

/// The notice's file name in the bundle.
pub const LICENCE_FILE: &str = "LICENCE.txt";

/// The notice, for a concertation's title and organising collectivité's SIREN.
pub fn notice(title: &str, collectivite: &str) -> String {
    format!(
        "Données ouvertes de la concertation « {title} »\n\
         Producteur : la collectivité organisatrice (SIREN {collectivite}).\n\
         \n\
         Ces données sont publiées sous la Licence Ouverte / Open Licence version 2.0\n\
         (Etalab, avril 2017), https://www.etalab.gouv.fr/licence-ouverte-open-licence/ .\n\
         \n\
         Vous êtes libre de réutiliser l'Information : la reproduire, la copier, la\n\
         publier et la transmettre ; la diffuser et la redistribuer ; l'adapter, la\n\
         modifier, l'extraire et la transformer, notamment pour créer des informations\n\
         dérivées ; l'exploiter à titre commercial. À condition de mentionner la\n\
         paternité de l'Information : sa source (au moins le nom du producteur) et la\n\
         date de sa dernière mise à jour, par exemple par un lien vers cet export.\n\
         \n\
         Les données ne contiennent aucune donnée à caractère personnel : ni\n\
         identifiant de participant, ni identité des animateurs, ni contribution\n\
         effacée, masquée, retirée ou en attente de modération. Les textes des\n\
         contributions restent ceux de leurs auteurs.\n\
         \n\
         Le rapport de synthèse et la doctrine révisée (fichiers .html, .odt, .md)\n\
         sont publiés sous la même licence.\n"
    )
}
