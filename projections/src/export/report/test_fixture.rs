//! A small concertation for the report's and the doctrine revision's tests, folded
//! through [`replay`] from real domain events in a memory store: two participants, a
//! proposal with hostile text, a pending opinion and a hidden proposal (whose texts must
//! never appear), a statement with votes, an amendment adopted into version 2 of the
//! doctrine (one word added, one removed, one article deleted).

use std::collections::BTreeSet;
use std::sync::Arc;

use domain::ballot::{BallotEvent, Vote};
use domain::contribution::{
    AmendmentAnchor, AmendmentOperation, AnswerOutcome, CharterReason, ContributionBody,
    ContributionEvent, ContributionKind, ContributionStatus, ModerationDecision,
};
use domain::doctrine::{Article, ArticleChange, ArticleEdit, DoctrineEvent, Pillar};
use domain::participant::{ParticipantEvent, ParticipantKind, VerificationLevel};
use domain::support::{Stance, SupportEvent};
use domain::testing::fixtures::{
    alice, amendments_question, bob, concertation_id, doctrine_id, facilitator_id, open_question,
    opened, reason, statements_question, text, theme,
};
use domain::values::{
    ArticleId, ArticleText, ContributionId, Justification, LanguageTag, ParticipantId, Siren,
    TextHash, Title,
};
use domain::{DomainEvent, Sealed, StreamName};
use eventstore::keystore::memory::MemoryKeyStore;
use eventstore::memory::MemoryBackend;
use eventstore::{EventStore, ExpectedRevision, Metadata};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::codec::{encode, stream_name};
use crate::export::snapshot::{replay, Snapshot};
use crate::export::tables::Scope;

/// A proposal's text with markup, quotes, an emoji and Arabic.
pub const HOSTILE: &str =
    "<script>alert(\"x\")</script> « guillemets » 'apostrophe' 🙂 مرحبا بالعالم";
/// The pending opinion's text.
pub const PENDING: &str = "TEXTE EN ATTENTE DE MODÉRATION";
/// The hidden proposal's text.
pub const HIDDEN: &str = "TEXTE MASQUÉ PAR LA MODÉRATION";
/// The commission's justification of the proposal's adoption.
pub const JUSTIFICATION: &str = "Retenue pour le budget 2027";
/// The amendment's text.
pub const AMENDMENT: &str = "Préciser où les données sont hébergées.";
/// Article 1 at version 1, then at version 2.
pub const ARTICLE_V1: &str = "Les données restent sur le territoire et sous contrôle.";
/// See [`ARTICLE_V1`].
pub const ARTICLE_V2: &str = "Les données restent hébergées sur le territoire sous contrôle.";

/// The contributions' ids.
pub fn c(n: u128) -> ContributionId {
    ContributionId::from_uuid(Uuid::from_u128(0xC000 + n))
}

fn at() -> OffsetDateTime {
    // 2026-09-21 at 14 h 13 UTC.
    OffsetDateTime::from_unix_timestamp(1_790_000_000).expect("valid")
}

async fn append<E: DomainEvent>(store: &EventStore, stream: &StreamName, event: E) {
    let envelope = encode(&event, Uuid::now_v7(), Metadata::default()).expect("encodes");
    store
        .append(
            &stream_name(stream).expect("stream"),
            ExpectedRevision::Any,
            vec![envelope],
        )
        .await
        .expect("appends");
}

fn contribution(id: ContributionId) -> StreamName {
    StreamName::new("contribution", id)
}

fn submitted(
    id: ContributionId,
    kind: ContributionKind,
    author: ParticipantId,
    status: ContributionStatus,
    body: &str,
) -> ContributionEvent {
    ContributionEvent::ContributionSubmitted {
        id,
        concertation: concertation_id(),
        question: match kind {
            ContributionKind::Statement => statements_question(),
            ContributionKind::Amendment => amendments_question(),
            _ => open_question(),
        },
        kind,
        author,
        parent: None,
        themes: BTreeSet::from([theme()]),
        language: LanguageTag::french(),
        amendment: (kind == ContributionKind::Amendment).then(|| AmendmentAnchor {
            doctrine: doctrine_id(),
            version: 1,
            article: article_id("territoire-1"),
            base_hash: TextHash::of(ARTICLE_V1),
            operation: AmendmentOperation::Replace,
        }),
        status,
        recorded: None,
        at: at(),
        body: Sealed::Present(ContributionBody {
            text: text(body),
            proposed_text: (kind == ContributionKind::Amendment)
                .then(|| ArticleText::parse(ARTICLE_V2).expect("valid")),
        }),
    }
}

fn article_id(id: &str) -> ArticleId {
    ArticleId::parse(id).expect("valid")
}

fn article(id: &str, title: &str, body: &str) -> Article {
    Article {
        id: article_id(id),
        pillar: Pillar::Territoriale,
        title: Title::parse(title).expect("valid"),
        text: ArticleText::parse(body).expect("valid"),
    }
}

/// A store holding the whole scenario.
pub async fn store() -> EventStore {
    let store = EventStore::new(
        Arc::new(MemoryBackend::new()),
        Arc::new(MemoryKeyStore::new()),
    );
    for event in opened() {
        append(
            &store,
            &StreamName::new("concertation", concertation_id()),
            event,
        )
        .await;
    }
    let doctrine = domain::doctrine::stream(doctrine_id());
    append(
        &store,
        &doctrine,
        DoctrineEvent::DoctrineCreated {
            id: doctrine_id(),
            collectivite: Siren::parse("217500016").expect("valid"),
            title: Title::parse("Doctrine d'essai").expect("valid"),
            demonstration: true,
            articles: vec![
                article("territoire-1", "Héberger ici", ARTICLE_V1),
                article(
                    "territoire-2",
                    "Article supprimé",
                    "Un article que la révision supprime.",
                ),
            ],
        },
    )
    .await;
    let register = |id, kind| ParticipantEvent::ParticipantRegistered {
        id,
        kind,
        verification: VerificationLevel::SelfDeclared,
        territory_list_year: 2026,
        at: at(),
        secrets: Sealed::Erased,
    };
    let paris = domain::territory::TerritoryCode::parse("COM:75056").expect("valid");
    append(
        &store,
        &domain::participant::stream(alice()),
        register(
            alice(),
            ParticipantKind::Citoyen {
                commune: Some(paris),
            },
        ),
    )
    .await;
    append(
        &store,
        &domain::participant::stream(bob()),
        register(
            bob(),
            ParticipantKind::Entreprise {
                siren: Siren::parse("732829320").expect("valid"),
            },
        ),
    )
    .await;
    use ContributionKind::*;
    use ContributionStatus::*;
    for (n, kind, author, status, body) in [
        (1, Proposal, alice(), Published, HOSTILE),
        (2, Opinion, bob(), Pending, PENDING),
        (
            3,
            Statement,
            alice(),
            Published,
            "Les services publics doivent rester humains.",
        ),
        (4, Amendment, bob(), Published, AMENDMENT),
        (5, Proposal, bob(), Published, HIDDEN),
    ] {
        append(
            &store,
            &contribution(c(n)),
            submitted(c(n), kind, author, status, body),
        )
        .await;
    }
    let hide = ContributionEvent::ContributionModerated {
        id: c(5),
        facilitator: facilitator_id(),
        decision: ModerationDecision::Hide {
            reason: CharterReason::Insult,
        },
        note: reason("Propos injurieux"),
        at: at(),
    };
    append(&store, &contribution(c(5)), hide).await;
    for (who, what, stance) in [
        (bob(), c(1), Stance::Support),
        (alice(), c(4), Stance::Support),
        (bob(), c(4), Stance::Oppose),
    ] {
        let event = SupportEvent::SupportGiven {
            participant: who,
            contribution: what,
            stance,
            at: at(),
        };
        append(
            &store,
            &domain::support::stream(who, concertation_id()),
            event,
        )
        .await;
    }
    for (who, vote) in [(alice(), Vote::Agree), (bob(), Vote::Agree)] {
        let event = BallotEvent::VoteCast {
            participant: who,
            question: statements_question(),
            statement: c(3),
            vote,
            replaces: None,
            at: at(),
        };
        append(
            &store,
            &domain::ballot::stream(who, statements_question()),
            event,
        )
        .await;
    }
    for (id, justification) in [
        (c(1), JUSTIFICATION),
        (c(4), "Amendement retenu : l'hébergement local."),
    ] {
        let answer = ContributionEvent::CommissionAnswered {
            id,
            outcome: AnswerOutcome::Adopted,
            justification: Justification::parse(justification).expect("valid"),
            by: facilitator_id(),
            at: at(),
        };
        append(&store, &contribution(id), answer).await;
    }
    append(
        &store,
        &doctrine,
        DoctrineEvent::DoctrineRevised {
            version: 2,
            changes: vec![
                ArticleChange {
                    article: article_id("territoire-1"),
                    edit: ArticleEdit::Replace {
                        text: ArticleText::parse(ARTICLE_V2).expect("valid"),
                    },
                    sources: BTreeSet::from([c(4)]),
                },
                ArticleChange {
                    article: article_id("territoire-2"),
                    edit: ArticleEdit::Delete,
                    sources: BTreeSet::new(),
                },
            ],
            note: reason("Révision après la concertation"),
            by: facilitator_id(),
            at: at(),
        },
    )
    .await;
    store
}

/// The scenario replayed to its end.
pub async fn snapshot() -> Snapshot {
    replay(&store().await, None, &mut |_| {})
        .await
        .expect("replays")
}

/// Calls `f` with the scope of the fixture's concertation, its opinion groups computed
/// as the bundle computes them.
pub fn with_scope<T>(snapshot: &Snapshot, f: impl FnOnce(&Scope<'_>) -> T) -> T {
    let concertation = snapshot
        .model
        .concertation_by_slug("ia-territoriale")
        .expect("the concertation");
    let groups = crate::export::bundle::opinion_groups(
        snapshot,
        concertation.id,
        &crate::export::ExportOptions::default(),
    );
    let participation = snapshot.model.participation(concertation.id);
    f(&Scope {
        snapshot,
        concertation,
        groups: &groups,
        participation: &participation,
    })
}
