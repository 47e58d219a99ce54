//! The report and the doctrine revision in a real bundle: `export_synthesis` writes
//! `rapport.html`, `rapport.odt` and `doctrine/<id>.{md,odt}` (listed in the manifest,
//! reproduced by `verify_export`), writes no doctrine file for a concertation without
//! an amendments question, and LibreOffice (headless) converts the report to PDF and
//! text.
//!
//! Without `libreoffice` on the PATH the conversion test prints "ignoré : libreoffice
//! absent" and passes, unless `CONCERTO_REQUIRE_SERVICES=1`.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::memory_store;
use concerto_projections::codec::{encode, stream_name};
use concerto_projections::export::{
    export_synthesis, verify_export, ExportOptions, ExportProgress, ExportRequest,
};
use domain::concertation::{ConcertationEvent, ModerationMode, QuestionKind};
use domain::contribution::{
    AmendmentAnchor, AmendmentOperation, AnswerOutcome, ContributionBody, ContributionEvent,
    ContributionKind, ContributionStatus,
};
use domain::doctrine::{Article, ArticleChange, ArticleEdit, DoctrineEvent, Pillar};
use domain::participant::{ParticipantEvent, ParticipantKind, VerificationLevel};
use domain::testing::fixtures::{
    alice, amendments_question, closes_at, collectivite, commission, concertation_id, doctrine_id,
    facilitator_id, opened, opens_at, reason, text,
};
use domain::values::{
    ArticleId, ArticleText, ConcertationId, ContributionId, Description, Justification,
    LanguageTag, QuestionId, QuestionPrompt, Slug, TextHash, Title,
};
use domain::{DomainEvent, Sealed, StreamName};
use eventstore::{EventStore, ExpectedRevision, Metadata};
use time::OffsetDateTime;
use uuid::Uuid;

const TRICKY: &str = "<b>gras</b> « l'avis » 🙂 مرحبا بالعالم";
const JUSTIFICATION: &str = "Retenu : hébergement sur le territoire.";
const V1: &str = "Les données restent sur le territoire.";
const V2: &str = "Les données restent hébergées sur le territoire.";

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

fn at() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap()
}

fn amendment() -> ContributionId {
    ContributionId::from_uuid(Uuid::from_u128(0xA1))
}

fn plain() -> ConcertationId {
    ConcertationId::from_uuid(Uuid::from_u128(0xB1))
}

/// The fixture concertation (with an amendments question), an amendment adopted into
/// version 2 of the doctrine, and a second concertation with an open question only.
async fn seeded() -> EventStore {
    let store = memory_store();
    for event in opened() {
        append(
            &store,
            &StreamName::new("concertation", concertation_id()),
            event,
        )
        .await;
    }
    let plain_events = [
        ConcertationEvent::ConcertationCreated {
            id: plain(),
            slug: Slug::parse("sans-doctrine").unwrap(),
            collectivite: collectivite(),
            title: Title::parse("Une concertation sans doctrine").unwrap(),
            description: Description::parse("Rien à amender.").unwrap(),
            territories: Vec::new(),
            territory_list_year: None,
            moderation: ModerationMode::APriori,
            opens_at: opens_at(),
            closes_at: closes_at(),
            by: commission().staff(),
        },
        ConcertationEvent::QuestionAdded {
            question: QuestionId::from_uuid(Uuid::from_u128(0xB2)),
            kind: QuestionKind::Open,
            prompt: QuestionPrompt::parse("Qu'en pensez-vous ?").unwrap(),
        },
    ];
    for event in plain_events {
        append(&store, &StreamName::new("concertation", plain()), event).await;
    }
    let doctrine = domain::doctrine::stream(doctrine_id());
    let article = ArticleId::parse("territoire-1").unwrap();
    append(
        &store,
        &doctrine,
        DoctrineEvent::DoctrineCreated {
            id: doctrine_id(),
            collectivite: collectivite(),
            title: Title::parse("Doctrine d'essai").unwrap(),
            demonstration: true,
            articles: vec![Article {
                id: article.clone(),
                pillar: Pillar::Territoriale,
                title: Title::parse("Héberger ici").unwrap(),
                text: ArticleText::parse(V1).unwrap(),
            }],
        },
    )
    .await;
    append(
        &store,
        &domain::participant::stream(alice()),
        ParticipantEvent::ParticipantRegistered {
            id: alice(),
            kind: ParticipantKind::Citoyen { commune: None },
            verification: VerificationLevel::SelfDeclared,
            territory_list_year: 2026,
            at: at(),
            secrets: Sealed::Erased,
        },
    )
    .await;
    let stream = StreamName::new("contribution", amendment());
    append(
        &store,
        &stream,
        ContributionEvent::ContributionSubmitted {
            id: amendment(),
            concertation: concertation_id(),
            question: amendments_question(),
            kind: ContributionKind::Amendment,
            author: alice(),
            parent: None,
            themes: BTreeSet::new(),
            language: LanguageTag::french(),
            amendment: Some(AmendmentAnchor {
                doctrine: doctrine_id(),
                version: 1,
                article: article.clone(),
                base_hash: TextHash::of(V1),
                operation: AmendmentOperation::Replace,
            }),
            status: ContributionStatus::Published,
            recorded: None,
            at: at(),
            body: Sealed::Present(ContributionBody {
                text: text(TRICKY),
                proposed_text: Some(ArticleText::parse(V2).unwrap()),
            }),
        },
    )
    .await;
    append(
        &store,
        &stream,
        ContributionEvent::CommissionAnswered {
            id: amendment(),
            outcome: AnswerOutcome::Adopted,
            justification: Justification::parse(JUSTIFICATION).unwrap(),
            by: facilitator_id(),
            at: at(),
        },
    )
    .await;
    append(
        &store,
        &doctrine,
        DoctrineEvent::DoctrineRevised {
            version: 2,
            changes: vec![ArticleChange {
                article,
                edit: ArticleEdit::Replace {
                    text: ArticleText::parse(V2).unwrap(),
                },
                sources: BTreeSet::from([amendment()]),
            }],
            note: reason("Après la concertation"),
            by: facilitator_id(),
            at: at(),
        },
    )
    .await;
    store
}

async fn export(store: &EventStore, slug: &str, dir: &Path) -> Vec<String> {
    let mut written = Vec::new();
    let request = ExportRequest {
        slug: slug.to_owned(),
        at: None,
        dir: dir.to_path_buf(),
        options: ExportOptions::default(),
    };
    let manifest = export_synthesis(store, &request, None, &mut |p| {
        if let ExportProgress::Writing(path) = p {
            written.push(path);
        }
    })
    .await
    .expect("exports");
    let listed: Vec<String> = manifest.files.iter().map(|f| f.path.clone()).collect();
    for path in &written {
        if !path.starts_with("donnees/") {
            assert!(listed.contains(path), "{path} missing from the manifest");
        }
    }
    written
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundle_holds_the_report_and_the_doctrine_revision() {
    let store = seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("export");
    let written = export(&store, "ia-territoriale", &bundle).await;
    let md = format!("doctrine/{}.md", doctrine_id());
    let odt = format!("doctrine/{}.odt", doctrine_id());
    for path in ["rapport.html", "rapport.odt", md.as_str(), odt.as_str()] {
        assert!(written.iter().any(|w| w == path), "{path} announced");
        assert!(bundle.join(path).is_file(), "{path} written");
    }
    let page = std::fs::read_to_string(bundle.join("rapport.html")).unwrap();
    assert!(page.contains(JUSTIFICATION));
    assert!(page.contains("&lt;b&gt;gras&lt;/b&gt;"));
    let revision = std::fs::read_to_string(bundle.join(&md)).unwrap();
    assert!(revision.contains("<ins>hébergées</ins>"), "{revision}");
    assert!(revision.contains(&format!("contribution {}", amendment())));
    assert!(
        revision.contains("\\<b\\>gras\\</b\\>"),
        "escaped: {revision}"
    );

    let report = verify_export(&store, &bundle, &dir.path().join("scratch"))
        .await
        .expect("verifies");
    assert!(report.is_ok(), "{:?}", report.problems);

    let other = dir.path().join("sans-doctrine");
    let written = export(&store, "sans-doctrine", &other).await;
    assert!(written.iter().any(|w| w == "rapport.html"));
    assert!(!written.iter().any(|w| w.starts_with("doctrine/")));
    assert!(!other.join("doctrine").exists(), "no doctrine folder");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn libreoffice_converts_the_report_to_pdf_and_text() {
    let Some(program) = concerto_tests::libreoffice::program() else {
        return;
    };
    let store = seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("export");
    export(&store, "ia-territoriale", &bundle).await;
    let out = dir.path().join("out");
    let odt = bundle.join("rapport.odt");
    concerto_tests::libreoffice::convert(
        program,
        dir.path(),
        &odt,
        "txt:Text (encoded):UTF8",
        &out,
    );
    concerto_tests::libreoffice::convert(program, dir.path(), &odt, "pdf", &out);
    let pdf = std::fs::read(out.join("rapport.pdf")).expect("the PDF");
    assert!(pdf.starts_with(b"%PDF"));
    let text = std::fs::read_to_string(out.join("rapport.txt")).expect("the text");
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    for expected in [
        "Rapport de synthèse — L'IA dans notre territoire\n",
        "Méthode et limites\n",
        JUSTIFICATION,
        TRICKY,
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    let revision = bundle.join(format!("doctrine/{}.odt", doctrine_id()));
    concerto_tests::libreoffice::convert(
        program,
        dir.path(),
        &revision,
        "txt:Text (encoded):UTF8",
        &out,
    );
    let text = std::fs::read_to_string(out.join(format!("{}.txt", doctrine_id()))).unwrap();
    assert!(
        text.contains("Les données restent hébergées sur le territoire."),
        "{text}"
    );
}
