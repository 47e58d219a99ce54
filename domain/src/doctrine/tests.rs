//! Every rule of the doctrine, allowed and refused.

use super::*;
use crate::contribution::AnswerOutcome;
use crate::demo;
use crate::rejection::Rejection;
use crate::testing::fixtures::*;
use crate::testing::given;
use crate::values::*;
use crate::{Actor, Aggregate};
use std::collections::{BTreeMap, BTreeSet};

type G = DoctrineAggregate;

fn seeded() -> Vec<DoctrineEvent> {
    given::<G>([])
        .by(Actor::System)
        .when(demo::doctrine_seed(doctrine_id()))
        .then_accepted()
}

fn source() -> ContributionId {
    ContributionId::from_uuid(uuid::Uuid::from_u128(0x5001))
}

fn replace(article: &str, text: &str) -> ArticleChange {
    ArticleChange {
        article: ArticleId::parse(article).unwrap(),
        edit: ArticleEdit::Replace {
            text: ArticleText::parse(text).unwrap(),
        },
        sources: BTreeSet::from([source()]),
    }
}

fn revise(
    based_on: u32,
    changes: Vec<ArticleChange>,
    outcome: Option<AnswerOutcome>,
) -> DoctrineCommand {
    DoctrineCommand::Revise {
        id: doctrine_id(),
        based_on,
        changes,
        answers: outcome
            .map(|o| BTreeMap::from([(source(), o)]))
            .unwrap_or_default(),
        note: reason("Amendements adoptés"),
    }
}

#[test]
fn the_commission_creates_a_doctrine_and_articles_are_unique() {
    let articles = demo::articles();
    let create = |articles| DoctrineCommand::Create {
        id: doctrine_id(),
        collectivite: collectivite(),
        title: Title::parse("Doctrine").unwrap(),
        demonstration: true,
        articles,
    };
    given::<G>([])
        .by(commission())
        .when(create(articles.clone()))
        .then_accepted();
    given::<G>([])
        .by(as_participant(alice()))
        .when(create(articles.clone()))
        .then_rejected_with("role.forbidden");
    given::<G>(seeded())
        .by(commission())
        .when(create(articles.clone()))
        .then_rejected(Rejection::DoctrineExists);
    let mut twice = articles.clone();
    twice.push(articles[0].clone());
    given::<G>([])
        .by(commission())
        .when(create(twice))
        .then_rejected_with("doctrine.article_exists");
}

#[test]
fn adopting_amendments_makes_a_new_version_whose_log_cites_them() {
    let state = given::<G>(seeded())
        .by(commission())
        .when(revise(
            1,
            vec![replace("sociale-1", "Texte révisé")],
            Some(AnswerOutcome::AdoptedWithChanges),
        ))
        .then_state();
    let d = state.doctrine.unwrap();
    assert_eq!(d.version, 2);
    assert_eq!(d.changelog[&2][0].sources, BTreeSet::from([source()]));
    let id = ArticleId::parse("sociale-1").unwrap();
    assert_eq!(d.article_hash(2, &id), Some(TextHash::of("Texte révisé")));
    assert_ne!(
        d.article_hash(1, &id),
        d.article_hash(2, &id),
        "old anchors stay checkable"
    );
}

#[test]
fn revisions_are_refused_when_stale_empty_unsourced_or_wrong() {
    given::<G>(seeded())
        .by(commission())
        .when(revise(
            2,
            vec![replace("sociale-1", "x")],
            Some(AnswerOutcome::Adopted),
        ))
        .then_rejected(Rejection::StaleVersion { current: 1 });
    given::<G>(seeded())
        .by(commission())
        .when(revise(1, vec![], None))
        .then_rejected(Rejection::EmptyRevision);
    given::<G>(seeded())
        .by(commission())
        .when(revise(
            1,
            vec![replace("sociale-1", "x")],
            Some(AnswerOutcome::Rejected),
        ))
        .then_rejected(Rejection::SourceNotAdopted);
    given::<G>(seeded())
        .by(commission())
        .when(revise(1, vec![replace("sociale-1", "x")], None))
        .then_rejected(Rejection::SourceNotAdopted);
    given::<G>(seeded())
        .by(commission())
        .when(revise(
            1,
            vec![replace("inconnu-1", "x")],
            Some(AnswerOutcome::Adopted),
        ))
        .then_rejected(Rejection::UnknownArticle {
            article: "inconnu-1".into(),
        });
    given::<G>(seeded())
        .by(administrator())
        .when(revise(
            1,
            vec![replace("sociale-1", "x")],
            Some(AnswerOutcome::Adopted),
        ))
        .then_rejected_with("role.forbidden");
    given::<G>([])
        .by(commission())
        .when(revise(
            1,
            vec![replace("sociale-1", "x")],
            Some(AnswerOutcome::Adopted),
        ))
        .then_rejected(Rejection::DoctrineNotFound);
}

#[test]
fn articles_are_inserted_after_another_and_deleted() {
    let insert = ArticleChange {
        article: ArticleId::parse("sociale-2").unwrap(),
        edit: ArticleEdit::Insert {
            after: Some(ArticleId::parse("sociale-1").unwrap()),
            pillar: Pillar::Sociale,
            title: Title::parse("Nouvel article").unwrap(),
            text: ArticleText::parse("Texte").unwrap(),
        },
        sources: BTreeSet::new(),
    };
    let delete = ArticleChange {
        article: ArticleId::parse("utile-1").unwrap(),
        edit: ArticleEdit::Delete,
        sources: BTreeSet::new(),
    };
    let state = given::<G>(seeded())
        .by(commission())
        .when(revise(1, vec![insert.clone(), delete], None))
        .then_state();
    let ids: Vec<String> = state
        .doctrine
        .unwrap()
        .articles
        .iter()
        .map(|a| a.id.to_string())
        .collect();
    assert_eq!(
        ids,
        ["sociale-1", "sociale-2", "democratique-1", "territoriale-1"]
    );
    let mut twice = seeded();
    twice.extend(
        given::<G>(seeded())
            .by(commission())
            .when(revise(1, vec![insert.clone()], None))
            .then_accepted(),
    );
    given::<G>(twice)
        .by(commission())
        .when(revise(2, vec![insert], None))
        .then_rejected_with("doctrine.article_exists");
    let _ = G::fold(&seeded());
}

#[test]
fn a_revision_has_at_most_200_changes() {
    let changes = |n: usize| {
        (0..n)
            .map(|i| replace("sociale-1", &format!("Texte révisé {i}")))
            .collect::<Vec<_>>()
    };
    let max = crate::limits::MAX_REVISION_CHANGES;
    assert_eq!(max, 200);
    given::<G>(seeded())
        .by(commission())
        .when(revise(1, changes(max), Some(AnswerOutcome::Adopted)))
        .then_accepted();
    given::<G>(seeded())
        .by(commission())
        .when(revise(1, changes(max + 1), Some(AnswerOutcome::Adopted)))
        .then_rejected(Rejection::TooMany {
            field: crate::rejection::Field::Changes,
            max: 200,
        });
}
