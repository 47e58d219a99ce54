//! A small concertation through the main projection: the queries pages rely on, the
//! same tables in PostgreSQL whether projected in one run or across restarts.

mod common;

use std::collections::BTreeSet;

use common::{database_url, dump, memory_store, project};
use concerto_projections::codec::{encode, stream_name};
use concerto_projections::main_model::MemoryModel;
use concerto_projections::main_model_pg::PostgresModel;
use concerto_projections::model::queries::ContributionFilter;
use concerto_projections::model::rows::{ContributionStatusRow, ParticipantKindRow, StatusKind};
use domain::ballot::{BallotEvent, Vote};
use domain::contribution::{AmendmentAnchor, AmendmentOperation};
use domain::contribution::{
    AnswerOutcome, CharterReason, ContributionBody, ContributionEvent, ContributionKind,
    ContributionStatus, ModerationDecision,
};
use domain::participant::{ParticipantEvent, ParticipantKind, VerificationLevel};
use domain::session::{SessionEvent, SessionMode};
use domain::support::{Stance, SupportEvent};
use domain::testing::fixtures::{
    alice, amendments_question, bob, closes_at, concertation_id, configured, doctrine_id,
    facilitator_id, open_question, opened, opens_at, reason, statements_question, text, theme,
};
use domain::values::{
    ArticleId, ContributionId, Justification, LanguageTag, ParticipantId, SessionId, Siren,
    TextHash, Title,
};
use domain::{DomainEvent, Sealed, StreamName};
use eventstore::{EventStore, ExpectedRevision, Metadata};
use time::OffsetDateTime;
use uuid::Uuid;

fn c(n: u128) -> ContributionId {
    ContributionId::from_uuid(Uuid::from_u128(0xC000 + n))
}

async fn append<E: DomainEvent>(store: &EventStore, stream: &StreamName, event: E) {
    let envelope = encode(&event, Uuid::now_v7(), Metadata::default()).unwrap();
    store
        .append(
            &stream_name(stream).unwrap(),
            ExpectedRevision::Any,
            vec![envelope],
        )
        .await
        .unwrap();
}

fn contribution_stream(id: ContributionId) -> StreamName {
    StreamName::new("contribution", id)
}

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap()
}

fn submitted(
    id: ContributionId,
    kind: ContributionKind,
    author: ParticipantId,
    status: ContributionStatus,
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
        themes: if id == c(1) {
            BTreeSet::from([theme()])
        } else {
            BTreeSet::new()
        },
        language: LanguageTag::french(),
        amendment: (kind == ContributionKind::Amendment).then(|| AmendmentAnchor {
            doctrine: doctrine_id(),
            version: 1,
            article: ArticleId::parse("social-1").unwrap(),
            base_hash: TextHash::of("texte de l'article"),
            operation: AmendmentOperation::Replace,
        }),
        status,
        recorded: None,
        at: now(),
        body: Sealed::Present(ContributionBody {
            text: text(&format!("Texte de {id}")),
            proposed_text: None,
        }),
    }
}

/// The first part of the scenario.
async fn first_part(store: &EventStore) {
    for event in opened() {
        append(
            store,
            &StreamName::new("concertation", concertation_id()),
            event,
        )
        .await;
    }
    let register = |id, kind| ParticipantEvent::ParticipantRegistered {
        id,
        kind,
        verification: VerificationLevel::SelfDeclared,
        territory_list_year: 2026,
        at: now(),
        secrets: Sealed::Erased,
    };
    let commune = domain::territory::TerritoryCode::parse("COM:75056").unwrap();
    append(
        store,
        &domain::participant::stream(alice()),
        register(
            alice(),
            ParticipantKind::Citoyen {
                commune: Some(commune),
            },
        ),
    )
    .await;
    let siren = Siren::parse("732829320").unwrap();
    append(
        store,
        &domain::participant::stream(bob()),
        register(bob(), ParticipantKind::Entreprise { siren }),
    )
    .await;
    append(
        store,
        &contribution_stream(c(1)),
        submitted(
            c(1),
            ContributionKind::Proposal,
            alice(),
            ContributionStatus::Published,
        ),
    )
    .await;
    append(
        store,
        &contribution_stream(c(2)),
        submitted(
            c(2),
            ContributionKind::Opinion,
            bob(),
            ContributionStatus::Pending,
        ),
    )
    .await;
    append(
        store,
        &contribution_stream(c(3)),
        submitted(
            c(3),
            ContributionKind::Statement,
            alice(),
            ContributionStatus::Published,
        ),
    )
    .await;
    let report = ContributionEvent::ContributionReported {
        id: c(1),
        reporter: bob(),
        reason: CharterReason::Insult,
        at: now(),
        note: Sealed::Present(None),
    };
    append(store, &contribution_stream(c(1)), report).await;
}

/// The rest: moderation, appeal, supports, votes with a change of mind, an answer.
async fn second_part(store: &EventStore) {
    let hide = ContributionEvent::ContributionModerated {
        id: c(1),
        facilitator: facilitator_id(),
        decision: ModerationDecision::Hide {
            reason: CharterReason::Insult,
        },
        note: reason("Propos injurieux"),
        at: now(),
    };
    append(store, &contribution_stream(c(1)), hide).await;
    let appeal = ContributionEvent::AppealDecided {
        id: c(1),
        granted: true,
        by: facilitator_id(),
        note: reason("Pas d'insulte"),
        at: now(),
    };
    append(store, &contribution_stream(c(1)), appeal).await;
    let support = SupportEvent::SupportGiven {
        participant: bob(),
        contribution: c(1),
        stance: Stance::Support,
        at: now(),
    };
    append(
        store,
        &domain::support::stream(bob(), concertation_id()),
        support,
    )
    .await;
    for (who, vote) in [
        (alice(), Vote::Agree),
        (alice(), Vote::Disagree),
        (bob(), Vote::Pass),
    ] {
        let event = BallotEvent::VoteCast {
            participant: who,
            question: statements_question(),
            statement: c(3),
            vote,
            replaces: None,
            at: now(),
        };
        append(
            store,
            &domain::ballot::stream(who, statements_question()),
            event,
        )
        .await;
    }
    append(
        store,
        &contribution_stream(c(4)),
        submitted(
            c(4),
            ContributionKind::Amendment,
            bob(),
            ContributionStatus::Published,
        ),
    )
    .await;
    let answer = ContributionEvent::CommissionAnswered {
        id: c(1),
        outcome: AnswerOutcome::Adopted,
        justification: Justification::parse("Retenue").unwrap(),
        by: facilitator_id(),
        at: now(),
    };
    append(store, &contribution_stream(c(1)), answer).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queries_show_what_happened() {
    let store = memory_store();
    first_part(&store).await;
    second_part(&store).await;
    let model = MemoryModel::new();
    project(&store, model.clone()).await;
    let m = model.read();
    assert_eq!(m.skipped, 0);

    let concertation = m.concertation_by_slug("ia-territoriale").expect("by slug");
    assert_eq!(concertation.phase, domain::concertation::Phase::Open);
    assert_eq!(concertation.questions.len(), 3);
    assert_eq!(
        (
            concertation.contribution_count,
            concertation.vote_count,
            concertation.participants.len()
        ),
        (4, 2, 2)
    );

    let public = m.contributions(&ContributionFilter {
        concertation: Some(concertation_id()),
        published_only: true,
        per_page: 10,
        ..Default::default()
    });
    assert_eq!(
        public.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![c(1), c(3), c(4)]
    );
    let by_business = m.contributions(&ContributionFilter {
        participant_kind: Some(ParticipantKindRow::Entreprise),
        per_page: 10,
        ..Default::default()
    });
    assert_eq!(
        by_business.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![c(2), c(4)]
    );
    let page = m.contributions(&ContributionFilter {
        per_page: 2,
        page: 1,
        ..Default::default()
    });
    assert_eq!((page.total, page.items.len()), (4, 2));

    let c1 = m.contribution(c(1)).unwrap();
    assert_eq!(
        c1.status,
        ContributionStatusRow::Published,
        "the granted appeal restores it"
    );
    assert_eq!((c1.supports, c1.reports), (1, 1));
    assert_eq!(
        c1.answer.as_ref().map(|a| a.outcome),
        Some(AnswerOutcome::Adopted)
    );
    assert_eq!(
        m.body_text(c1).as_deref(),
        Some(format!("Texte de {}", c(1)).as_str())
    );

    let queue = m.moderation_queue(concertation_id());
    assert_eq!(
        queue
            .iter()
            .map(|e| (e.contribution.id, e.pending))
            .collect::<Vec<_>>(),
        vec![(c(1), false), (c(2), true)]
    );
    assert_eq!(queue[0].reports.get(&CharterReason::Insult), Some(&1));
    assert_eq!(m.moderation_log(concertation_id()).len(), 1);

    let tallies = m.statement_tallies(statements_question());
    let (_, tally) = &tallies[0];
    assert_eq!(
        (
            tally.overall.agree,
            tally.overall.disagree,
            tally.overall.pass
        ),
        (0, 1, 1),
        "a later vote replaces the earlier one"
    );
    assert_eq!(tally.by_kind[&ParticipantKindRow::Citoyen].disagree, 1);
    assert_eq!(tally.by_kind[&ParticipantKindRow::Entreprise].pass, 1);
    assert_eq!(
        tally.by_territory["DEP:75"].disagree, 1,
        "Alice votes from Paris"
    );
    assert_eq!(
        tally.by_territory["REG:11"].total(),
        1,
        "Bob gave no commune"
    );

    let supported = m.most_supported(concertation_id(), 5);
    assert_eq!(
        supported.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![c(1), c(4)]
    );
    let themes = m.synthesis_by_theme(concertation_id(), 3);
    assert_eq!(themes.len(), 1);
    assert_eq!(themes[0].label, "Services publics");
    assert_eq!(themes[0].contributions_by_kind.get("proposal"), Some(&1));
    assert_eq!(themes[0].most_supported, vec![c(1)]);
    assert_eq!(themes[0].answers, vec![(c(1), AnswerOutcome::Adopted)]);
    let articles = m.amendments_by_article(doctrine_id());
    assert_eq!(articles.len(), 1);
    assert_eq!(articles[0].article, "social-1");
    assert_eq!(
        articles[0]
            .amendments
            .iter()
            .map(|a| a.id)
            .collect::<Vec<_>>(),
        vec![c(4)]
    );
    let participation = m.participation(concertation_id());
    assert_eq!(participation.participants, 2);
    assert_eq!(participation.by_commune.get("COM:75056"), Some(&1));
    let paris = &participation.by_territory["DEP:75"];
    assert_eq!(paris.participants, 1);
    let rate = paris.per_thousand.expect("rate per 1,000");
    assert!((rate - 1000.0 / paris.population.unwrap() as f64).abs() < 1e-12);
    assert_eq!(participation.by_territory["REG:11"].participants, 1);
    assert_eq!(participation.by_territory["COM:75056"].participants, 1);
    assert_eq!(
        participation.by_kind[&ParticipantKindRow::Entreprise]["self_declared"],
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authors_see_their_own_statuses_filter_and_sessions_show_their_place() {
    let store = memory_store();
    first_part(&store).await;
    second_part(&store).await;
    let session = SessionId::from_uuid(Uuid::from_u128(0x5E55));
    let scheduled = SessionEvent::SessionScheduled {
        id: session,
        concertation: concertation_id(),
        title: Title::parse("Atelier en mairie").unwrap(),
        mode: SessionMode::InPerson {
            place: Title::parse("Salle des fêtes").unwrap(),
        },
        starts_at: now(),
        by: facilitator_id(),
    };
    append(&store, &domain::session::stream(session), scheduled).await;
    let model = MemoryModel::new();
    project(&store, model.clone()).await;
    let m = model.read();
    assert_eq!(m.skipped, 0);

    // c(2) is Bob's opinion awaiting moderation: the public does not see it, Bob does.
    let visible = |visible_to| {
        m.contributions(&ContributionFilter {
            concertation: Some(concertation_id()),
            published_only: true,
            visible_to,
            per_page: 10,
            ..Default::default()
        })
        .items
        .iter()
        .map(|c| c.id)
        .collect::<Vec<_>>()
    };
    assert_eq!(visible(None), vec![c(1), c(3), c(4)]);
    assert_eq!(visible(Some(bob())), vec![c(1), c(2), c(3), c(4)]);
    assert_eq!(visible(Some(alice())), vec![c(1), c(3), c(4)]);
    let pending = m.contributions(&ContributionFilter {
        status: Some(StatusKind::Pending),
        per_page: 10,
        ..Default::default()
    });
    assert_eq!(
        pending.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![c(2)]
    );
    assert_eq!(m.contribution(c(1)).unwrap().appeal_granted, Some(true));
    assert_eq!(m.contribution(c(2)).unwrap().appeal_granted, None);
    assert_eq!(
        m.participant(bob()).map(|p| p.kind),
        Some(ParticipantKindRow::Entreprise)
    );

    let sessions = m.sessions(concertation_id());
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        (
            sessions[0].id,
            sessions[0].place.as_deref(),
            sessions[0].open
        ),
        (session, Some("Salle des fêtes"), false)
    );
    assert_eq!(m.session(session), Some(sessions[0]));

    let row = m.concertation(concertation_id()).unwrap();
    assert_eq!(m.due_for_closing(row.closes_at), vec![concertation_id()]);
    assert!(m
        .due_for_closing(row.closes_at - time::Duration::SECOND)
        .is_empty());
    assert!(
        m.due_for_opening(row.opens_at).is_empty(),
        "an open concertation is not opened again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_draft_is_due_for_opening_between_its_opening_and_closing() {
    let store = memory_store();
    for event in configured() {
        append(
            &store,
            &StreamName::new("concertation", concertation_id()),
            event,
        )
        .await;
    }
    let model = MemoryModel::new();
    project(&store, model.clone()).await;
    let m = model.read();
    let second = time::Duration::SECOND;
    assert_eq!(m.due_for_opening(opens_at()), vec![concertation_id()]);
    assert!(m.due_for_opening(opens_at() - second).is_empty());
    assert!(
        m.due_for_opening(closes_at()).is_empty(),
        "too late to open"
    );
    assert!(m.due_for_closing(closes_at()).is_empty(), "never opened");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_tables_are_the_same_projected_in_one_run_or_across_a_restart() {
    let Some(url) = database_url() else { return };
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let store = memory_store();
    let incremental = format!("test_incr_{}", Uuid::now_v7().simple());
    let rebuilt = format!("test_rebuild_{}", Uuid::now_v7().simple());

    first_part(&store).await;
    project(
        &store,
        PostgresModel::connect(&url, &incremental, store.clone(), MemoryModel::new())
            .await
            .unwrap(),
    )
    .await;
    second_part(&store).await;
    project(
        &store,
        PostgresModel::connect(&url, &incremental, store.clone(), MemoryModel::new())
            .await
            .unwrap(),
    )
    .await;
    project(
        &store,
        PostgresModel::connect(&url, &rebuilt, store.clone(), MemoryModel::new())
            .await
            .unwrap(),
    )
    .await;

    let a = dump(&client, &incremental).await;
    let b = dump(&client, &rebuilt).await;
    assert_eq!(a.len(), 15, "rows: {a:?}");
    assert_eq!(a, b, "incremental and one-run projections differ");
    let status: String = client
        .query_one(
            &format!("SELECT status FROM \"{incremental}\".contributions WHERE id = $1"),
            &[&c(2).as_uuid()],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(status, "pending");
    for schema in [incremental, rebuilt] {
        client
            .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
            .await
            .unwrap();
    }
}
