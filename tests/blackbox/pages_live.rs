//! The live session board: its event stream sends the concertation's contributions as
//! they arrive, and ends cleanly when the server shuts down (it never holds the
//! shutdown back until the grace period runs out).

use futures::StreamExt;
use reqwest::StatusCode;

use crate::api_support::{open_concertation, spawn_with};
use crate::pages_support::Browser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_stream_sends_new_contributions_and_ends_at_shutdown() {
    // A long grace period: were the stream to hold the shutdown back, the server would
    // be cut off mid-stream and the body would end in an error, not cleanly.
    let t = spawn_with(|s| s.http.shutdown_grace_secs = 120).await;
    let s = open_concertation(&t, "seance-directe").await;
    let mut facilitator = Browser::new(&t);
    facilitator.open("/connexion").await;
    facilitator
        .submit(
            "/connexion",
            &[
                ("login", "animateur-seance-directe"),
                ("password", "une phrase de passe assez longue"),
            ],
        )
        .await;
    // Scheduled from the queue page (Paris time), then opened from its board.
    facilitator
        .open("/animation/seance-directe/moderation")
        .await;
    let status = facilitator
        .submit(
            "/animation/seance-directe/seances",
            &[
                ("title", "Atelier"),
                ("place", "Salle des fêtes"),
                ("starts_at", "2026-12-10T18:00"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", facilitator.page);
    assert!(
        facilitator.page.contains("10 décembre 2026 à 18 h 00"),
        "{}",
        facilitator.page
    );
    assert!(facilitator.page.contains("prévue"), "{}", facilitator.page);
    let session = facilitator
        .page
        .split("/animation/seances/")
        .nth(1)
        .map(|rest| rest.chars().take(36).collect::<String>())
        .expect("the session's id");
    let status = facilitator
        .submit(&format!("/animation/seances/{session}/ouverture"), &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{}", facilitator.page);
    assert!(
        facilitator.page.contains("en cours"),
        "{}",
        facilitator.page
    );
    let response = facilitator
        .client()
        .get(t.url(&format!("/animation/seances/{session}/flux")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.bytes_stream();
    let mut received = String::new();
    while !received.contains("\n\n") {
        let chunk = body.next().await.expect("a first update").expect("bytes");
        received.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        received.contains("event: update") && received.contains("\"count\":0"),
        "{received}"
    );

    // A contribution recorded in the session reaches the stream.
    let board = facilitator
        .open(&format!("/animation/seances/{session}"))
        .await;
    assert!(board.contains("data-stream="), "{board}");
    let status = facilitator
        .submit(
            &format!("/animation/seances/{session}/contributions"),
            &[
                ("question", &s.open_question),
                ("kind", "opinion"),
                ("text", "Une borne d'accueil humaine dans chaque mairie."),
                ("attendee_kind", "citoyen"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", facilitator.page);
    received.clear();
    while !received.contains("borne d'accueil") {
        let chunk = body.next().await.expect("an update").expect("bytes");
        received.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(received.contains("\"count\":1"), "{received}");

    // Closing needs minutes; an empty one is refused beside its field.
    facilitator
        .open(&format!("/animation/seances/{session}"))
        .await;
    let status = facilitator
        .submit(
            &format!("/animation/seances/{session}/cloture"),
            &[("minutes", " ")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        facilitator.page.contains("compte-rendu-erreur"),
        "{}",
        facilitator.page
    );
    let status = facilitator
        .submit(
            &format!("/animation/seances/{session}/cloture"),
            &[("minutes", "Douze personnes, trois propositions.")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        facilitator.page.contains("terminée"),
        "{}",
        facilitator.page
    );

    // Shutting down ends the stream cleanly.
    let reader = tokio::spawn(async move {
        while let Some(chunk) = body.next().await {
            chunk?;
        }
        Ok::<(), reqwest::Error>(())
    });
    t.finish().await;
    reader
        .await
        .unwrap()
        .expect("the stream ended cleanly when the server shut down");
}
