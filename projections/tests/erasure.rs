//! Erasing a contribution's body: the event and the destroyed key make the read model
//! forget the text, live and after a rebuild, while counts and the audit stay.

mod common;

use std::collections::BTreeSet;

use common::{append, memory_store, project};
use concerto_projections::main_model::MemoryModel;
use domain::contribution::{
    ContributionBody, ContributionEvent, ContributionKind, ContributionStatus, ErasureBasis,
};
use domain::testing::fixtures::{alice, concertation_id, open_question, opened, reason, text};
use domain::values::{ContributionId, LanguageTag, StaffId};
use domain::{Sealed, StreamName};
use eventstore::KeyId;
use time::OffsetDateTime;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_body_is_forgotten_live_and_after_a_rebuild() {
    let store = memory_store();
    for event in opened() {
        append(
            &store,
            &StreamName::new("concertation", concertation_id()),
            &event,
        )
        .await;
    }
    let id = ContributionId::from_uuid(Uuid::from_u128(0xE1));
    let stream = StreamName::new("contribution", id);
    let submitted = ContributionEvent::ContributionSubmitted {
        id,
        concertation: concertation_id(),
        question: open_question(),
        kind: ContributionKind::Proposal,
        author: alice(),
        parent: None,
        themes: BTreeSet::new(),
        language: LanguageTag::french(),
        amendment: None,
        status: ContributionStatus::Published,
        recorded: None,
        at: OffsetDateTime::now_utc(),
        body: Sealed::Present(ContributionBody {
            text: text("Texte illicite à effacer"),
            proposed_text: None,
        }),
    };
    append(&store, &stream, &submitted).await;
    let live = MemoryModel::new();
    project(&store, live.clone()).await;
    {
        let model = live.read();
        let body = model.contribution(id).and_then(|c| model.body_text(c));
        assert_eq!(body.as_deref(), Some("Texte illicite à effacer"));
    }

    // What the gateway does: append the decision, then destroy the key.
    let erased = ContributionEvent::ContributionBodyErased {
        id,
        by: StaffId::from_uuid(Uuid::from_u128(0xAD)),
        basis: ErasureBasis::CourtOrder,
        note: reason("Ordonnance"),
        at: OffsetDateTime::now_utc(),
    };
    append(&store, &stream, &erased).await;
    store
        .keys()
        .destroy(&KeyId::parse(format!("contribution-{id}")).unwrap())
        .await
        .unwrap();
    project(&store, live.clone()).await;
    let row = live.read().contribution(id).cloned().unwrap();
    assert_eq!(row.body, None, "the live model still shows the erased text");
    assert_eq!(
        live.read()
            .concertation_by_slug("ia-territoriale")
            .unwrap()
            .contribution_count,
        1
    );

    let rebuilt = MemoryModel::new();
    project(&store, rebuilt.clone()).await;
    assert_eq!(
        rebuilt.read().contribution(id).and_then(|c| c.body.clone()),
        None,
        "a rebuild shows the erased text"
    );
    let raw = store
        .backend()
        .read_stream(
            &eventstore::StreamName::parse(stream.as_str()).unwrap(),
            eventstore::Direction::Forward,
            None,
            10,
        )
        .await
        .unwrap();
    assert!(
        !serde_json::to_string(&raw).unwrap().contains("illicite"),
        "the clear text reached the log"
    );
}
