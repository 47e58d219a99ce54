//! Bad input over HTTP: each gets a precise 4xx problem+json and the event store does
//! not grow.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api_support::{open_concertation, spawn_app, spawn_on, Backend, TestApp, Who};

/// Sends a raw body; returns status and problem.
async fn raw(
    t: &TestApp,
    path: &str,
    who: Option<&Who>,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut request = t
        .client
        .post(t.url(&format!("/api/v1{path}")))
        .header("content-type", content_type)
        .body(body);
    if let Some(who) = who {
        request = request.bearer_auth(&who.token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "{path} answered {status} without a problem"
    );
    (status, response.json().await.unwrap())
}

async fn post(t: &TestApp, path: &str, who: Option<&Who>, body: Value) -> (StatusCode, Value) {
    raw(
        t,
        path,
        who,
        "application/json",
        serde_json::to_vec(&body).unwrap(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_input_gets_a_precise_problem_and_changes_nothing() {
    let t = spawn_app().await;
    bad_inputs(&t).await;
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_input_changes_nothing_on_jetstream_and_postgresql() {
    let Some(backend) =
        Backend::services("every_bad_input_changes_nothing_on_jetstream_and_postgresql")
    else {
        return;
    };
    let t = spawn_on(backend, |_| {}).await;
    bad_inputs(&t).await;
    t.finish().await;
}

async fn bad_inputs(t: &TestApp) {
    let s = open_concertation(t, "ia-refus").await;
    let citizen = t.join(json!({"kind": "citoyen"})).await;
    let other = t.join(json!({"kind": "citoyen"})).await;
    let outsider = t
        .staff(
            "animateur-ailleurs",
            gateway::accounts::StaffRole::Facilitator,
        )
        .await;
    let ok = json!({"concertation": s.concertation, "question": s.open_question, "kind": "opinion", "text": "Un avis."});
    let first = t
        .post_ok("/contributions", &citizen, ok.clone(), StatusCode::CREATED)
        .await;
    let contribution = first["id"].as_str().unwrap().to_owned();
    t.post_ok(
        &format!("/contributions/{contribution}/reports"),
        &other,
        json!({"reason": "spam"}),
        StatusCode::OK,
    )
    .await;
    let head = t.head().await;
    assert!(head > 0);

    let mut cases: Vec<(&str, StatusCode, &str, (StatusCode, Value))> = Vec::new();
    cases.push((
        "malformed JSON",
        StatusCode::BAD_REQUEST,
        "request.malformed_json",
        raw(
            t,
            "/contributions",
            Some(&citizen),
            "application/json",
            b"{\"text\": ".to_vec(),
        )
        .await,
    ));
    cases.push((
        "invalid UTF-8",
        StatusCode::BAD_REQUEST,
        "request.invalid_utf8",
        raw(
            t,
            "/contributions",
            Some(&citizen),
            "application/json",
            b"{\"text\": \"\xff\xfe\"}".to_vec(),
        )
        .await,
    ));
    cases.push((
        "not JSON",
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "request.media_type",
        raw(
            t,
            "/contributions",
            Some(&citizen),
            "text/plain",
            b"bonjour".to_vec(),
        )
        .await,
    ));
    let mut wrong_type = ok.clone();
    wrong_type["text"] = json!(42);
    cases.push((
        "wrong type",
        StatusCode::UNPROCESSABLE_ENTITY,
        "request.invalid",
        post(t, "/contributions", Some(&citizen), wrong_type).await,
    ));
    let mut unknown = ok.clone();
    unknown["author"] = json!("quelqu'un d'autre");
    cases.push((
        "unknown field",
        StatusCode::UNPROCESSABLE_ENTITY,
        "request.invalid",
        post(t, "/contributions", Some(&citizen), unknown).await,
    ));
    cases.push((
        "oversize body",
        StatusCode::PAYLOAD_TOO_LARGE,
        "request.too_large",
        raw(
            t,
            "/contributions",
            Some(&citizen),
            "application/json",
            vec![b' '; 300 * 1024],
        )
        .await,
    ));
    let mut long = ok.clone();
    long["text"] = json!("é".repeat(5_001));
    let too_long = post(t, "/contributions", Some(&citizen), long).await;
    assert_eq!(too_long.1["errors"][0]["pointer"], "/text");
    assert_eq!(too_long.1["errors"][0]["code"], "contribution.too_long");
    cases.push((
        "text over the limit",
        StatusCode::UNPROCESSABLE_ENTITY,
        "request.invalid",
        too_long,
    ));
    let mut unknown_id = ok.clone();
    unknown_id["concertation"] = json!(uuid::Uuid::now_v7());
    cases.push((
        "unknown concertation",
        StatusCode::NOT_FOUND,
        "concertation.not_found",
        post(t, "/contributions", Some(&citizen), unknown_id).await,
    ));
    cases.push((
        "bad path id",
        StatusCode::BAD_REQUEST,
        "request.invalid_path",
        post(
            t,
            "/contributions/pas-un-uuid/reports",
            Some(&other),
            json!({"reason": "spam"}),
        )
        .await,
    ));
    cases.push((
        "duplicate report",
        StatusCode::CONFLICT,
        "report.already",
        post(
            t,
            &format!("/contributions/{contribution}/reports"),
            Some(&other),
            json!({"reason": "spam"}),
        )
        .await,
    ));
    cases.push((
        "participant acting as facilitator",
        StatusCode::FORBIDDEN,
        "auth.staff_only",
        post(
            t,
            &format!("/contributions/{contribution}/moderation"),
            Some(&citizen),
            json!({"decision": "approve", "note": "ok"}),
        )
        .await,
    ));
    cases.push((
        "facilitator outside their concertation",
        StatusCode::FORBIDDEN,
        "role.not_assigned",
        post(
            t,
            &format!("/contributions/{contribution}/moderation"),
            Some(&outsider),
            json!({"decision": "approve", "note": "ok"}),
        )
        .await,
    ));
    cases.push((
        "no credentials",
        StatusCode::UNAUTHORIZED,
        "auth.required",
        post(t, "/contributions", None, ok.clone()).await,
    ));
    let forged = Who {
        token: format!("{}x", citizen.token),
        id: citizen.id.clone(),
    };
    cases.push((
        "forged token",
        StatusCode::UNAUTHORIZED,
        "auth.invalid",
        post(t, "/contributions", Some(&forged), ok.clone()).await,
    ));
    let mut claims = t.app.tokens().participant(&citizen.token).unwrap();
    claims.exp = time::OffsetDateTime::now_utc().unix_timestamp() - 60;
    let expired = Who {
        token: t.app.tokens().participant_token(&claims),
        id: citizen.id.clone(),
    };
    cases.push((
        "expired token",
        StatusCode::UNAUTHORIZED,
        "auth.expired",
        post(t, "/contributions", Some(&expired), ok.clone()).await,
    ));
    cases.push((
        "bad enum value",
        StatusCode::UNPROCESSABLE_ENTITY,
        "request.invalid",
        post(
            t,
            &format!("/contributions/{contribution}/votes"),
            Some(&citizen),
            json!({"vote": "maybe"}),
        )
        .await,
    ));
    cases.push((
        "vote on a non-statement",
        StatusCode::UNPROCESSABLE_ENTITY,
        "vote.not_a_statement",
        post(
            t,
            &format!("/contributions/{contribution}/votes"),
            Some(&other),
            json!({"vote": "agree"}),
        )
        .await,
    ));

    for (name, status, code, (got_status, problem)) in &cases {
        assert_eq!(got_status, status, "{name}: {problem}");
        assert_eq!(problem["code"], *code, "{name}: {problem}");
        assert_eq!(problem["status"], status.as_u16(), "{name}");
        assert!(
            problem["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{name}"
        );
    }
    assert_eq!(t.head().await, head, "a refused request appended something");

    // A vote on a closed concertation.
    let statement = t.submit(&citizen, json!({"concertation": s.concertation, "question": s.statements_question, "kind": "statement", "text": "Court."})).await;
    t.post_ok(
        &format!("/concertations/{}/close", s.concertation),
        &s.commission,
        json!({"reason": "Fin."}),
        StatusCode::OK,
    )
    .await;
    let head = t.head().await;
    let newcomer = t.join(json!({"kind": "citoyen"})).await;
    let (status, problem) = post(
        t,
        &format!("/contributions/{statement}/votes"),
        Some(&newcomer),
        json!({"vote": "agree"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "concertation.wrong_phase");
    assert_eq!(problem["detail"], "Impossible pendant la phase « close ».");
    assert_eq!(
        t.head().await,
        head,
        "a refused first vote must not register the voter"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let t = spawn_app().await;
    let s = open_concertation(&t, "ia-idem").await;
    let citizen = t.join(json!({"kind": "citoyen"})).await;
    let body = json!({"concertation": s.concertation, "question": s.open_question, "kind": "opinion", "text": "Une fois."});
    let send = |body: Value| {
        t.client
            .post(t.url("/api/v1/contributions"))
            .bearer_auth(&citizen.token)
            .header("idempotency-key", "cle-1")
            .json(&body)
            .send()
    };
    let first = send(body.clone()).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let head = t.head().await;
    let retry = send(body.clone()).await.unwrap();
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(retry.headers()["idempotency-replayed"], "true");
    assert_eq!(retry.json::<Value>().await.unwrap(), first);
    let mut other = body.clone();
    other["text"] = json!("Une autre fois.");
    let mismatch = send(other).await.unwrap();
    assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        mismatch.json::<Value>().await.unwrap()["code"],
        "idempotency.mismatch"
    );
    assert_eq!(t.head().await, head);
    // The same key from another caller is another key.
    let other_citizen = t.join(json!({"kind": "citoyen"})).await;
    let response = t
        .send(Method::GET, "/participants/me", Some(&other_citizen), None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_answer_429_with_retry_after() {
    let t = crate::api_support::spawn_with(|s| {
        s.rate_limit.disabled = false;
        s.rate_limit.per_participant_per_minute = 1;
        s.rate_limit.per_participant_burst = 2;
    })
    .await;
    let citizen = t.join(json!({"kind": "citoyen"})).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let response = t
            .send(
                Method::POST,
                "/participants/me/personal-data",
                Some(&citizen),
                Some(json!({"display_name": "Alice"})),
            )
            .await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(
                response.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse::<u64>()
                    .unwrap()
                    >= 1
            );
        }
        statuses.push(response.status());
    }
    assert_eq!(&statuses[..2], &[StatusCode::OK, StatusCode::OK]);
    assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS);
    t.finish().await;
}
