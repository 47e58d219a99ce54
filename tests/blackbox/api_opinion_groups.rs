//! `GET /questions/{id}/opinion-groups`: two camps of participants vote over HTTP; the
//! groups follow a few seconds later, labelled with the position and parameters, with
//! the representative statements' texts and Polis's statistics.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::api_support::{open_concertation, spawn_app, TestApp};

/// Polls the groups until they include `votes` votes (they are debounced: a few
/// seconds after the last vote), at most a minute.
async fn groups_with(t: &TestApp, question: &str, votes: u64) -> Value {
    let path = format!("/questions/{question}/opinion-groups");
    for _ in 0..300 {
        let (status, body) = t.get(&path, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body["computed"] == true && body["votes"] == votes {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("the opinion groups never included {votes} votes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_camps_give_two_groups_with_their_representative_statements() {
    let t = spawn_app().await;
    let s = open_concertation(&t, "ia-groupes").await;
    let q = &s.statements_question;

    let (status, body) = t.get(&format!("/questions/{q}/opinion-groups"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["computed"], false, "{body}");
    assert_eq!(body["concertation"], json!(s.concertation));
    let (status, _) = t
        .get(
            &format!("/questions/{}/opinion-groups", s.open_question),
            None,
        )
        .await;
    assert!(status.is_client_error(), "an open question has no groups");

    let author = t.join(json!({"kind": "citoyen"})).await;
    let texts = [
        "La mairie doit publier ses algorithmes.",
        "Les données restent sur le territoire.",
        "L'IA doit remplacer les guichets.",
        "Les agents n'ont pas besoin de formation.",
    ];
    let mut statements = Vec::new();
    for text in texts {
        let id = t.submit(&author, json!({"concertation": s.concertation, "question": q, "kind": "statement", "text": text})).await;
        t.approve(&s.facilitator, &id).await;
        statements.push(id);
    }
    // Camp A agrees with the first two statements and rejects the last two; camp B the
    // opposite.
    for camp in 0..2 {
        for _ in 0..4 {
            let voter = t.join(json!({"kind": "citoyen"})).await;
            for (i, statement) in statements.iter().enumerate() {
                let agree = (i < 2) == (camp == 0);
                t.post_ok(
                    &format!("/contributions/{statement}/votes"),
                    &voter,
                    json!({"vote": if agree { "agree" } else { "disagree" }}),
                    StatusCode::OK,
                )
                .await;
            }
        }
    }

    let body = groups_with(&t, q, 32).await;
    assert_eq!(body["participants"], 8, "{body}");
    assert_eq!(body["clustered"], 8);
    assert_eq!(body["statements"], 4);
    assert!(
        body["position"].is_object() || body["position"].is_string(),
        "{body}"
    );
    assert_eq!(body["parameters"]["min_votes"], 7);
    assert_eq!(body["points"].as_array().unwrap().len(), 8);
    let groups = body["groups"].as_array().unwrap();
    let sizes: Vec<&Value> = groups.iter().map(|g| &g["size"]).collect();
    assert_eq!(sizes, [&json!(4), &json!(4)], "{body}");
    for group in groups {
        let best = &group["representative"][0];
        assert!(
            texts.contains(&best["statement"]["text"].as_str().unwrap_or_default()),
            "{group}"
        );
        assert_eq!(
            best["agree"].as_u64().unwrap() + best["disagree"].as_u64().unwrap(),
            4
        );
        assert!(best["repness"].as_f64().unwrap() > 1.0, "{group}");
    }
    // Every statement splits the camps: none is a consensus.
    assert_eq!(body["consensus_agree"], json!([]), "{body}");
    assert!(!body["divisive"].as_array().unwrap().is_empty(), "{body}");

    // The synthesis carries the same groups, without the participants' points.
    let (status, synthesis) = t
        .get(
            &format!("/concertations/{}/synthesis", s.concertation),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{synthesis}");
    let in_synthesis = &synthesis["opinion_groups"][q.as_str()];
    assert_eq!(in_synthesis["groups"], body["groups"], "{synthesis}");
    assert_eq!(in_synthesis["position"], body["position"]);
    assert_eq!(in_synthesis["points"], json!([]));

    // The commission's dashboard draws them: eight marks, two groups of four, each
    // with its own shape, and what sets each apart.
    let mut commission = crate::pages_support::Browser::new(&t);
    commission.open("/connexion").await;
    commission
        .submit(
            "/connexion",
            &[
                ("login", "commission-ia-groupes"),
                ("password", "une phrase de passe assez longue"),
            ],
        )
        .await;
    let page = commission.open("/commission/ia-groupes").await;
    let scatter = page
        .split("class=\"chart scatter\"")
        .nth(1)
        .and_then(|rest| rest.split("</svg>").next())
        .expect("the scatter is drawn");
    assert_eq!(scatter.matches("class=\"g0\"").count(), 4, "{scatter}");
    assert_eq!(scatter.matches("class=\"g1\"").count(), 4, "{scatter}");
    assert!(
        page.contains("8 votants, dont 8 répartis en 2 groupes"),
        "{page}"
    );
    assert!(
        page.contains("Groupe A — ce qui le distingue")
            && page.contains("Groupe B — ce qui le distingue")
    );
    assert!(
        page.contains("% d&#39;accord") || page.contains("% d'accord"),
        "{page}"
    );
    t.finish().await;
}
