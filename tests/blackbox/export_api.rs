//! The commission's export from the API (the dashboard's background job): only the
//! commission of the organising collectivité may start or download it; the ZIP holds
//! the bundle with a signed tree head; texts with quotes, newlines, tabs, emoji,
//! right-to-left script and formulas survive the CSV round trip (formulas
//! neutralised); hidden and pending contributions and personal data stay out.

use std::collections::BTreeMap;
use std::io::Read;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api_support::{open_concertation, spawn_app, spawn_on, Backend, TestApp};

const TRICKY: &str = "=HYPERLINK(\"http://exemple.invalid\")\n« Des guillemets \"doubles\" »,\tune tabulation, 🙂 et مرحبا بالعالم";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_commission_exports_from_the_api() {
    let t = spawn_app().await;
    exports_from_the_api(&t).await;
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_commission_exports_from_the_api_on_jetstream_and_postgresql() {
    let Some(backend) =
        Backend::services("the_commission_exports_from_the_api_on_jetstream_and_postgresql")
    else {
        return;
    };
    let t = spawn_on(backend, |_| {}).await;
    exports_from_the_api(&t).await;
    t.finish().await;
}

/// Entries of a ZIP, name → bytes.
fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            entry.read_to_end(&mut content).unwrap();
            (entry.name().unwrap().to_string(), content)
        })
        .collect()
}

async fn exports_from_the_api(t: &TestApp) {
    let s = open_concertation(t, "ia-export").await;
    let citizen = t.join(json!({"kind": "citoyen", "commune": "75056"})).await;
    let business = t
        .join(json!({"kind": "entreprise", "siren": "552100554"}))
        .await;
    let submit = |who, text: &str| {
        t.submit(
            who,
            json!({"concertation": s.concertation, "question": s.open_question,
                   "kind": "proposal", "text": text, "themes": [s.theme]}),
        )
    };
    let tricky = submit(&citizen, TRICKY).await;
    let hidden = submit(&business, "Un texte hors sujet à masquer.").await;
    let pending = submit(&business, "Une proposition jamais modérée.").await;
    t.approve(&s.facilitator, &tricky).await;
    t.moderate(
        &s.facilitator,
        &hidden,
        json!({"decision": "hide", "reason": "off_topic", "note": "Hors sujet."}),
    )
    .await;
    t.post_ok(
        &format!("/contributions/{tricky}/supports"),
        &business,
        json!({"stance": "support"}),
        StatusCode::OK,
    )
    .await;
    let c = |p: &str| format!("/concertations/{}{p}", s.concertation);
    t.close(&s, "Fin.").await;
    t.answer(
        &s,
        &tricky,
        "adopted_with_changes",
        "Retenue ; voir l'article 3.",
    )
    .await;

    // Only the commission of the collectivité.
    let head_before = t.head().await;
    for who in [&s.facilitator, &citizen] {
        let response = t
            .send(Method::POST, &c("/exports"), Some(who), Some(json!({})))
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["code"], "export.commission_only", "{problem}");
    }
    let response = t
        .send(
            Method::POST,
            &format!("/concertations/{}/exports", uuid::Uuid::nil()),
            Some(&s.commission),
            Some(json!({})),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let job = t
        .post_ok(
            &c("/exports"),
            &s.commission,
            json!({}),
            StatusCode::ACCEPTED,
        )
        .await;
    let id = job["id"].as_str().unwrap().to_owned();
    let mut status = job;
    for _ in 0..600 {
        if status["status"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        status = t
            .get(&format!("/exports/{id}"), Some(&s.commission))
            .await
            .1;
    }
    assert_eq!(status["status"], "ready", "{status}");
    assert_eq!(t.head().await, head_before, "exporting appends nothing");
    let (forbidden, _) = t
        .get(&format!("/exports/{id}/archive"), Some(&citizen))
        .await;
    assert_eq!(forbidden, StatusCode::FORBIDDEN);
    let response = t
        .send(
            Method::GET,
            &format!("/exports/{id}/archive"),
            Some(&s.commission),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let entries = unzip(&response.bytes().await.unwrap());
    let file = |path: &str| {
        entries
            .get(&format!("synthese-ia-export/{path}"))
            .unwrap_or_else(|| panic!("{path} in {:?}", entries.keys()))
    };

    // The manifest: a signed head over the tree at the export's position.
    let manifest: Value = serde_json::from_slice(file("manifest.json")).unwrap();
    assert_eq!(manifest["position"], status["position"]);
    let head = &manifest["audit"]["signed_tree_head"];
    assert_eq!(head["tree_size"], manifest["audit"]["tree_size"]);
    assert_eq!(head["root_hash"], manifest["audit"]["root_hash"]);
    let (_, key) = t.get("/audit/key", None).await;
    assert_eq!(manifest["audit"]["public_key"], key["public_key"]);

    // The contributions: the tricky text intact but neutralised, hidden and pending
    // ones absent, no participant id anywhere.
    let csv_bytes = file("donnees/contributions.csv");
    let mut reader = csv::Reader::from_reader(csv_bytes.as_slice());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<BTreeMap<String, String>> = reader
        .records()
        .map(|r| {
            header
                .iter()
                .zip(r.unwrap().iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(row["id"], tricky);
    assert_eq!(
        row["texte"],
        format!("'{TRICKY}"),
        "neutralised, otherwise intact"
    );
    assert_eq!(row["type_d_auteur"], "citoyen");
    assert_eq!(row["commune_auteur"], "COM:75056");
    assert_eq!(row["soutiens"], "1");
    assert_eq!(row["reponse"], "adopted_with_changes");
    assert_eq!(row["justification"], "Retenue ; voir l'article 3.");
    let all_text: String = entries
        .values()
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    for absent in [
        &hidden,
        &pending,
        &citizen.id,
        &business.id,
        &s.facilitator.id,
    ] {
        let only_in_log = absent == &hidden;
        if only_in_log {
            // The moderation log names the hidden contribution, not its text.
            assert!(
                !all_text.contains("Un texte hors sujet"),
                "hidden text exported"
            );
        } else {
            assert!(!all_text.contains(absent.as_str()), "{absent} exported");
        }
    }
    let json: Value = serde_json::from_slice(file("donnees/contributions.json")).unwrap();
    assert_eq!(json[0]["texte"], TRICKY, "JSON keeps the text as written");
    let log = String::from_utf8_lossy(file("donnees/journal_de_moderation.csv")).into_owned();
    assert!(log.contains("hide,off_topic"), "{log}");
    assert!(log.contains(",animateur,"), "{log}");
    assert_eq!(&file("synthese.ods")[30..38], b"mimetype");
}
