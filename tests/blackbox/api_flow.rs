//! A whole concertation over HTTP: create, open, contribute as citizen, business and
//! agent, vote, support, report, moderate, appeal, close, answer, erase.

use gateway::accounts::StaffRole;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::api_support::{open_concertation, spawn_app, spawn_on, Backend, TestApp, SIREN};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_concertation_over_http() {
    let t = spawn_app().await;
    whole_concertation(&t).await;
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_concertation_over_http_on_jetstream_and_postgresql() {
    let Some(backend) =
        Backend::services("a_whole_concertation_over_http_on_jetstream_and_postgresql")
    else {
        return;
    };
    let t = spawn_on(backend, |_| {}).await;
    whole_concertation(&t).await;
    t.finish().await;
}

async fn whole_concertation(t: &TestApp) {
    let s = open_concertation(t, "ia-services").await;
    let admin = t.staff("admin", StaffRole::Administrator).await;

    let citizen = t.join(json!({"kind": "citoyen", "commune": "75056"})).await;
    let business = t
        .join(json!({"kind": "entreprise", "siren": "552100554"}))
        .await;
    let agent = t
        .join(json!({"kind": "agent_public", "siren": SIREN}))
        .await;

    // Contribute: a proposal (pending: a priori), a statement, a proposal by a business.
    let proposal = t.submit(&citizen, json!({"concertation": s.concertation, "question": s.open_question, "kind": "proposal",
                   "text": "Un guichet humain pour chaque service qui utilise l'IA.", "themes": [s.theme]})).await;
    let statement = t.submit(&business, json!({"concertation": s.concertation, "question": s.statements_question, "kind": "statement",
                   "text": "Les logiciels d'IA publics doivent être libres."})).await;
    let (_, view) = t
        .get(&format!("/contributions/{proposal}"), Some(&citizen))
        .await;
    assert_eq!(view["status"], "pending");
    assert_eq!(view["author_kind"], "citoyen");
    let (status, _) = t.get(&format!("/contributions/{proposal}"), None).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the public does not see pending contributions"
    );

    // Moderation: approve both.
    for id in [&proposal, &statement] {
        t.approve(&s.facilitator, id).await;
    }
    let (_, public) = t
        .get(
            &format!("/concertations/{}/contributions", s.concertation),
            None,
        )
        .await;
    assert_eq!(public["total"], 2);

    // Votes: agent agrees, citizen disagrees then changes their mind (replaces, not adds).
    let vote = |who, v: &str| {
        let path = format!("/contributions/{statement}/votes");
        let body = json!({"vote": v});
        async move { t.post_ok(&path, who, body, StatusCode::OK).await }
    };
    vote(&agent, "agree").await;
    vote(&citizen, "disagree").await;
    vote(&citizen, "pass").await;
    let again = vote(&citizen, "pass").await;
    assert_eq!(again["events"], 0, "the same vote again appends nothing");
    let (_, tallies) = t
        .get(
            &format!("/questions/{}/tallies", s.statements_question),
            None,
        )
        .await;
    assert_eq!(
        tallies[&statement],
        json!({"agree": 1, "disagree": 0, "pass": 1})
    );

    // Support the proposal.
    t.post_ok(
        &format!("/contributions/{proposal}/supports"),
        &agent,
        json!({"stance": "support"}),
        StatusCode::OK,
    )
    .await;
    let (_, view) = t.get(&format!("/contributions/{proposal}"), None).await;
    assert_eq!(view["supports"], json!({"support": 1, "oppose": 0}));

    // Report, hide, appeal, the other facilitator grants it.
    t.post_ok(
        &format!("/contributions/{proposal}/reports"),
        &business,
        json!({"reason": "off_topic"}),
        StatusCode::OK,
    )
    .await;
    let (_, queue) = t
        .get(
            &format!("/concertations/{}/moderation-queue", s.concertation),
            Some(&s.facilitator),
        )
        .await;
    assert_eq!(queue.as_array().unwrap().len(), 1);
    t.moderate(
        &s.facilitator,
        &proposal,
        json!({"decision": "hide", "reason": "off_topic", "note": "Hors sujet selon la charte."}),
    )
    .await;
    t.post_ok(
        &format!("/contributions/{proposal}/appeal"),
        &citizen,
        json!({"text": "Ma proposition porte bien sur l'IA."}),
        StatusCode::OK,
    )
    .await;
    let same = t
        .send(
            Method::POST,
            &format!("/contributions/{proposal}/appeal/decision"),
            Some(&s.facilitator),
            Some(json!({"granted": true, "note": "Je me déjuge."})),
        )
        .await;
    assert_eq!(
        same.status(),
        StatusCode::FORBIDDEN,
        "the same facilitator cannot decide"
    );
    t.post_ok(
        &format!("/contributions/{proposal}/appeal/decision"),
        &s.other_facilitator,
        json!({"granted": true, "note": "La proposition est dans le sujet."}),
        StatusCode::OK,
    )
    .await;
    let (_, view) = t.get(&format!("/contributions/{proposal}"), None).await;
    assert_eq!(view["status"], "published");
    assert_eq!(view["appeal"], "granted");

    // A session: scheduled, opened, a contribution recorded for an attendee, closed.
    let session = t
        .post_ok(
            "/sessions",
            &s.facilitator,
            json!({"concertation": s.concertation, "title": "Atelier en mairie", "place": "Salle des fêtes",
                   "starts_at": "2030-01-01T18:00:00Z"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    t.post_ok(
        &format!("/sessions/{session}/open"),
        &s.facilitator,
        json!({}),
        StatusCode::OK,
    )
    .await;
    let recorded = t
        .post_ok(
            "/contributions",
            &s.facilitator,
            json!({"concertation": s.concertation, "question": s.open_question, "kind": "opinion",
                   "text": "Avis recueilli en atelier.", "session": session, "attendee": {"kind": "citoyen"}}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(
        recorded["events"], 2,
        "attendee registered, then the contribution"
    );
    t.post_ok(
        &format!("/sessions/{session}/close"),
        &s.facilitator,
        json!({"minutes": "Vingt participants."}),
        StatusCode::OK,
    )
    .await;

    // Close, answer, publish the synthesis.
    let c = |p: &str| format!("/concertations/{}{p}", s.concertation);
    t.close(&s, "Calendrier municipal.").await;
    t.answer(&s, &proposal, "adopted", "Retenue dans la doctrine.")
        .await;
    t.post_ok(
        &c("/synthesis"),
        &s.commission,
        json!({"summary": "Synthèse publiée."}),
        StatusCode::OK,
    )
    .await;
    let (_, concertation) = t.get(&c(""), None).await;
    assert_eq!(concertation["phase"], "synthesis_published");

    // Erase: a contribution's body (recorded, then its key destroyed), then the
    // citizen's personal data.
    let erasure =
        json!({"basis": "court_order", "note": "Ordonnance du tribunal judiciaire, réf. 2030-42."});
    let erased = t
        .post_ok(
            &format!("/contributions/{statement}/erasure"),
            &admin,
            erasure.clone(),
            StatusCode::OK,
        )
        .await;
    assert_eq!(erased["events"], 1);
    let (_, view) = t.get(&format!("/contributions/{statement}"), None).await;
    assert_eq!(view["erased"], true);
    assert_eq!(view["text"], serde_json::Value::Null);
    let (_, view) = t
        .get(&format!("/contributions/{statement}"), Some(&s.facilitator))
        .await;
    assert_eq!(
        (view["erased"].clone(), view["text"].clone()),
        (json!(true), serde_json::Value::Null),
        "staff do not see an erased text either"
    );
    let (_, statements) = t
        .get(
            &format!(
                "/concertations/{}/contributions?question={}",
                s.concertation, s.statements_question
            ),
            None,
        )
        .await;
    assert_eq!(statements["items"][0]["id"], statement.as_str());
    assert_eq!(statements["items"][0]["erased"], true);
    let again = t
        .post_ok(
            &format!("/contributions/{statement}/erasure"),
            &admin,
            erasure,
            StatusCode::OK,
        )
        .await;
    assert_eq!(again["events"], 0, "erasing again records nothing twice");
    let trail = t
        .app
        .read_models()
        .unwrap()
        .audit(&projections::audit::AuditQuery {
            stream: Some(format!("contribution-{statement}")),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let erasures: Vec<_> = trail
        .iter()
        .filter(|row| row.event_type == "ContributionBodyErased")
        .collect();
    assert_eq!(erasures.len(), 1, "{trail:?}");
    assert_eq!(
        erasures[0].actor.as_deref(),
        Some(format!("staff:{}", admin.id).as_str())
    );
    t.post_ok(
        &format!("/participants/{}/erasure", citizen.id),
        &admin,
        json!({}),
        StatusCode::OK,
    )
    .await;
    let (_, me) = t.get("/participants/me", Some(&citizen)).await;
    assert_eq!(me["erased"], true);

    // Every event carries the request's id as correlation and the actor.
    let events = t
        .app
        .store()
        .read_all(
            eventstore::ReadFrom::Start,
            &eventstore::StreamFilter::All,
            10_000,
        )
        .await
        .unwrap();
    assert!(events.len() > 20);
    assert!(events
        .iter()
        .all(|e| e.record.event.metadata.correlation_id.is_some()
            && e.record.event.metadata.actor.is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_id_becomes_the_correlation_id_and_errors_speak_english_on_request() {
    let t = spawn_app().await;
    let s = open_concertation(&t, "ia-correlation").await;
    let citizen = t.join(json!({"kind": "citoyen"})).await;
    let request_id = uuid::Uuid::now_v7();
    let response = t
        .client
        .post(t.url("/api/v1/contributions"))
        .bearer_auth(&citizen.token)
        .header("x-request-id", request_id.to_string())
        .json(&json!({"concertation": s.concertation, "question": s.open_question, "kind": "opinion", "text": "Bonjour"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response.headers()["x-request-id"],
        request_id.to_string().as_str()
    );
    let last = t
        .app
        .store()
        .read_all(
            eventstore::ReadFrom::Start,
            &eventstore::StreamFilter::Category("contribution".into()),
            100,
        )
        .await
        .unwrap();
    assert_eq!(
        last[0].record.event.metadata.correlation_id,
        Some(request_id)
    );
    assert_eq!(
        last[0].record.event.metadata.actor.as_deref(),
        Some(format!("participant:{}", citizen.id).as_str())
    );

    let english = t
        .client
        .get(t.url(&format!("/api/v1/concertations/{}", uuid::Uuid::now_v7())))
        .header("accept-language", "en-GB,en;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(english.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        english.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = english.json().await.unwrap();
    assert_eq!(body["detail"], "Consultation not found.");
    let (_, french) = t
        .get(&format!("/concertations/{}", uuid::Uuid::now_v7()), None)
        .await;
    assert_eq!(french["detail"], "Concertation introuvable.");
    assert_eq!(french["code"], "concertation.not_found");
    t.finish().await;
}
