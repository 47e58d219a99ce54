//! The web pages, driven as a browser without JavaScript would: a citizen joins,
//! contributes and votes, a facilitator moderates, the commission answers; hostile
//! text stays text on every page that shows it; bad forms change nothing; every page
//! carries the security headers and requests nothing from another site; and each
//! page's HTML is pinned by a snapshot.

use reqwest::StatusCode;
use serde_json::json;

use crate::api_support::{open_concertation, spawn_app, spawn_on, Backend, Scene, TestApp};
use crate::pages_support::{hidden, Browser};

const PASSWORD: &str = "une phrase de passe assez longue";
const XSS: &str = "Proposition <script>alert(1)</script> et \"><img src=x onerror=alert(1)>";

/// Asserts that `page` shows the hostile text as text, never as markup (whichever
/// character references the escaping writes).
fn shows_as_text(page: &str, where_: &str) {
    let normalised = page
        .replace("&#60;", "&lt;")
        .replace("&#62;", "&gt;")
        .replace("&#34;", "&quot;");
    let page = normalised.as_str();
    assert!(
        !page.contains("<script>alert(1)</script>"),
        "{where_}: a script element got through"
    );
    assert!(
        !page.contains("<img src=x"),
        "{where_}: an img element got through"
    );
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{where_}: the text is not shown: {}",
        page.split("<main").nth(1).unwrap_or(page)
    );
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{where_}: the second payload is not shown"
    );
}

async fn staff_browser<'a>(t: &'a TestApp, login: &str) -> Browser<'a> {
    let mut b = Browser::new(t);
    b.open("/connexion").await;
    let status = b
        .submit("/connexion", &[("login", login), ("password", PASSWORD)])
        .await;
    assert_eq!(status, StatusCode::OK, "login {login}: {}", b.page);
    assert!(b.page.contains("Espace de l&#39;équipe") || b.page.contains("Espace de l'équipe"));
    b
}

async fn citizen_browser(t: &TestApp) -> Browser<'_> {
    let mut b = Browser::new(t);
    b.open("/participer").await;
    let status = b
        .submit(
            "/participer",
            &[("kind", "citoyen"), ("commune", "75056"), ("retour", "/")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", b.page);
    assert!(b.page.contains("code de récupération"), "{}", b.page);
    b
}

/// Statements submitted and approved through the API, to vote on.
async fn statements(t: &TestApp, s: &Scene, texts: &[&str]) -> Vec<String> {
    let author = t.join(json!({"kind": "citoyen"})).await;
    let mut ids = Vec::new();
    for text in texts {
        let created = t
            .post_ok(
                "/contributions",
                &author,
                json!({"concertation": s.concertation, "question": s.statements_question,
                       "kind": "statement", "text": text}),
                StatusCode::CREATED,
            )
            .await;
        let id = created["id"].as_str().unwrap().to_owned();
        t.post_ok(
            &format!("/contributions/{id}/moderation"),
            &s.facilitator,
            json!({"decision": "approve", "note": "conforme"}),
            StatusCode::OK,
        )
        .await;
        ids.push(id);
    }
    ids
}

async fn whole_flow(t: &TestApp) {
    let s = open_concertation(t, "pages-flux").await;
    let slug = "pages-flux";
    let statement_ids = statements(t, &s, &["L'IA doit rester sous contrôle humain."]).await;

    // A citizen finds the concertation, joins and contributes.
    let mut citizen = Browser::new(t);
    let home = citizen.open("/").await;
    assert!(
        home.contains("L&#39;IA dans nos services publics")
            || home.contains("L'IA dans nos services publics"),
        "{home}"
    );
    citizen = citizen_browser(t).await;
    let question = format!("/concertations/{slug}/questions/{}", s.open_question);
    citizen.open(&question).await;
    let before = t.head().await;
    let status = citizen
        .submit(
            &question,
            &[
                ("kind", "proposal"),
                ("text", XSS),
                ("themes", &s.theme),
                ("language", "fr"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", citizen.page);
    assert!(t.head().await > before, "the contribution was appended");
    shows_as_text(&citizen.page, "contribution page (author)");
    assert!(
        citizen.page.contains("En attente de modération"),
        "{}",
        citizen.page
    );
    let contribution = hidden(&citizen.page, "cle");
    assert!(!contribution.is_empty());
    let contribution_path = {
        let marker = "/contributions/";
        let id = citizen
            .page
            .split(marker)
            .find_map(|rest| {
                let id: String = rest.chars().take(36).collect();
                (id.len() == 36 && uuid::Uuid::parse_str(&id).is_ok()).then_some(id)
            })
            .expect("the contribution's id in its page");
        format!("{marker}{id}")
    };
    let me = citizen.open("/moi").await;
    shows_as_text(&me, "my contributions");
    assert!(me.contains("en attente"), "{me}");

    // The citizen votes on the statement, then changes their mind.
    let statements_page = format!("/concertations/{slug}/questions/{}", s.statements_question);
    let page = citizen.open(&statements_page).await;
    assert!(
        page.contains("L&#39;IA doit rester sous contrôle humain.")
            || page.contains("L'IA doit rester sous contrôle humain.")
    );
    let status = citizen
        .submit(
            &format!("{statements_page}/votes"),
            &[("statement", &statement_ids[0]), ("vote", "agree")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        citizen
            .page
            .contains("Vous avez voté sur 1 proposition(s)."),
        "{}",
        citizen.page
    );
    assert!(
        citizen
            .page
            .contains("Votre vote : <strong>D&#39;accord</strong>")
            || citizen
                .page
                .contains("Votre vote : <strong>D'accord</strong>"),
        "{}",
        citizen.page
    );
    let status = citizen
        .submit(
            &format!("{statements_page}/votes"),
            &[("statement", &statement_ids[0]), ("vote", "disagree")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        citizen.page.contains("0 d&#39;accord, 1 pas d&#39;accord")
            || citizen.page.contains("0 d'accord, 1 pas d'accord"),
        "{}",
        citizen.page
    );

    // Before moderation the public does not see it.
    let mut public = Browser::new(t);
    assert_eq!(public.get(&contribution_path).await, StatusCode::NOT_FOUND);

    // The facilitator approves it from the queue.
    let mut facilitator = staff_browser(t, &format!("animateur-{slug}")).await;
    let queue_path = format!("/animation/{slug}/moderation");
    let queue = facilitator.open(&queue_path).await;
    shows_as_text(&queue, "moderation queue");
    let id = contribution_path.trim_start_matches("/contributions/");
    let status = facilitator
        .submit(
            &format!("/animation/contributions/{id}/decision"),
            &[
                ("decision", "approve"),
                ("note", "Conforme à la charte."),
                ("retour", &queue_path),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", facilitator.page);
    assert!(
        facilitator.page.contains("Rien à traiter."),
        "{}",
        facilitator.page
    );
    let log = facilitator
        .open(&format!("/animation/{slug}/journal"))
        .await;
    assert!(log.contains("Conforme à la charte."), "{log}");

    // Now public, shown as text everywhere.
    shows_as_text(
        &public.open(&contribution_path).await,
        "contribution page (public)",
    );
    shows_as_text(&public.open(&question).await, "question page");

    // The commission answers from its dashboard.
    let mut commission = staff_browser(t, &format!("commission-{slug}")).await;
    let dashboard_path = format!("/commission/{slug}");
    let dashboard = commission.open(&dashboard_path).await;
    shows_as_text(&dashboard, "synthesis dashboard");
    assert!(dashboard.contains("À répondre (1)"), "{dashboard}");
    assert!(
        dashboard.contains("s&#39;ouvrent à la clôture")
            || dashboard.contains("s'ouvrent à la clôture"),
        "{dashboard}"
    );
    let status = commission
        .submit(
            &format!("/commission/{slug}/cloture"),
            &[("reason", "Fin du débat public.")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", commission.page);
    assert!(
        commission.page.contains("Publier la synthèse"),
        "{}",
        commission.page
    );
    let status = commission
        .submit(
            &format!("/commission/contributions/{id}/reponse"),
            &[
                ("outcome", "adopted_with_changes"),
                ("justification", "Retenue, en précisant le contrôle humain."),
                ("retour", &dashboard_path),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", commission.page);
    assert!(
        commission.page.contains("Déjà répondues (1)"),
        "{}",
        commission.page
    );
    let status = commission
        .submit(
            &format!("/commission/{slug}/synthese"),
            &[("summary", "Les habitants veulent un contrôle humain.")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", commission.page);
    assert!(commission
        .page
        .contains("Les habitants veulent un contrôle humain."));

    // The commission exports the synthesis from its dashboard: the job's page refreshes
    // itself until the ZIP is ready; a participant cannot follow or download it.
    commission.open(&dashboard_path).await;
    let status = commission
        .submit(&format!("/commission/{slug}/exports"), &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{}", commission.page);
    let mut job = commission.page.clone();
    assert!(job.contains("<h1>Exporter la synthèse</h1>"), "{job}");
    let page_path = format!(
        "/commission/{slug}/exports/{}",
        job.split(&format!("href=\"/commission/{slug}/exports/"))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the job page links to itself")
    );
    let job_path = format!("{page_path}/archive");
    for _ in 0..300 {
        if !job.contains("http-equiv=\"refresh\"") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        job = commission.open(&page_path).await;
    }
    assert!(
        job.contains("L&#39;export est prêt.") || job.contains("L'export est prêt."),
        "{job}"
    );
    let zip = commission
        .client()
        .get(t.url(&job_path))
        .send()
        .await
        .unwrap();
    assert_eq!(zip.status(), StatusCode::OK);
    assert!(
        zip.bytes().await.unwrap().starts_with(b"PK\x03\x04"),
        "a ZIP"
    );
    assert_eq!(citizen.get(&page_path).await, StatusCode::FORBIDDEN);

    // The citizen's receipts: a signed promise for each contribution and vote, as a
    // file to download (the audit log follows the log by a moment).
    let mut me = citizen.open("/moi").await;
    for _ in 0..100 {
        if me.contains("Télécharger le reçu") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        me = citizen.open("/moi").await;
    }
    assert!(me.contains("Mes reçus"), "{me}");
    let link = me
        .split("href=\"/api/v1/audit/receipts/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a receipt link");
    let receipt: serde_json::Value = citizen
        .client()
        .get(t.url(&format!("/api/v1/audit/receipts/{link}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(receipt["format"], "concerto-receipt-1", "{receipt}");
    assert_eq!(receipt["promise"]["event_id"], link, "{receipt}");

    // The citizen sees the decision and the answer.
    let me = citizen.open("/moi").await;
    assert!(me.contains("adoptée avec modifications"), "{me}");
    assert!(me.contains("Conforme à la charte."), "{me}");
    let page = citizen.open(&contribution_path).await;
    assert!(
        page.contains("Retenue, en précisant le contrôle humain."),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_contributes_and_votes_a_facilitator_moderates_the_commission_answers() {
    let t = spawn_app().await;
    whole_flow(&t).await;
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_flow_on_jetstream_and_postgresql() {
    let Some(backend) = Backend::services("the_pages_flow_on_jetstream_and_postgresql") else {
        return;
    };
    let t = spawn_on(backend, |_| {}).await;
    whole_flow(&t).await;
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_forms_get_a_clear_french_answer_and_change_nothing() {
    let t = spawn_app().await;
    let s = open_concertation(&t, "pages-refus").await;
    let question = format!("/concertations/pages-refus/questions/{}", s.open_question);
    let mut citizen = citizen_browser(&t).await;
    citizen.open(&question).await;
    let before = t.head().await;

    // No CSRF token: refused, nothing appended.
    let status = citizen
        .post_raw(
            &question,
            &[
                ("kind".into(), "opinion".into()),
                ("text".into(), "Bonjour".into()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        citizen.page.contains("Ce formulaire a expiré"),
        "{}",
        citizen.page
    );
    // A token for another visitor: refused.
    let status = citizen
        .post_raw(
            &question,
            &[
                ("csrf".into(), "1234.abcd".into()),
                ("kind".into(), "opinion".into()),
                ("text".into(), "Bonjour".into()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // An empty text: the form again, the error beside the field.
    citizen.open(&question).await;
    let status = citizen
        .submit(
            &question,
            &[("kind", "opinion"), ("text", "   "), ("language", "fr")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        citizen.page.contains("aria-invalid=\"true\""),
        "{}",
        citizen.page
    );
    assert!(
        citizen.page.contains("id=\"text-erreur\""),
        "{}",
        citizen.page
    );
    assert!(
        citizen
            .page
            .contains("Le formulaire n&#39;a pas été enregistré")
            || citizen
                .page
                .contains("Le formulaire n'a pas été enregistré"),
        "{}",
        citizen.page
    );
    // Too long: the domain's limit, in French.
    citizen.open(&question).await;
    let long = "é".repeat(5_001);
    let status = citizen
        .submit(
            &question,
            &[("kind", "opinion"), ("text", &long), ("language", "fr")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(citizen.page.contains("5000"), "{}", citizen.page);
    // An unknown kind or vote: 400, nothing appended.
    citizen.open(&question).await;
    let status = citizen
        .submit(
            &format!("{question}/votes"),
            &[("statement", "pas-un-id"), ("vote", "agree")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(t.head().await, before, "no bad form appended anything");

    // Anonymous: the form asks to join; a post is refused.
    let mut anonymous = Browser::new(&t);
    let page = anonymous.open(&question).await;
    assert!(page.contains("/participer?retour="), "{page}");
    anonymous.open("/participer").await;
    let status = anonymous
        .submit(
            &question,
            &[("kind", "opinion"), ("text", "Bonjour"), ("language", "fr")],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A participant on a staff page.
    assert_eq!(
        citizen.get("/animation/pages-refus/moderation").await,
        StatusCode::FORBIDDEN
    );
    // A join with a bad SIREN: the error beside the field.
    let mut business = Browser::new(&t);
    business.open("/participer").await;
    let status = business
        .submit(
            "/participer",
            &[
                ("kind", "entreprise"),
                ("siren", "123456789"),
                ("retour", "/"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        business.page.contains("id=\"siren-erreur\""),
        "{}",
        business.page
    );
    // Unknown pages: an HTML 404 in French, in English on request.
    let response = t.client.get(t.url("/nulle-part")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(response.text().await.unwrap().contains("Page introuvable"));
    let response = t
        .client
        .get(t.url("/contributions/00000000-0000-0000-0000-000000000000"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Contribution not found."));
    // The API keeps answering problem+json.
    let response = t
        .client
        .get(t.url("/api/v1/nulle-part"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    assert_eq!(t.head().await, before);
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_secured_and_request_nothing_from_another_site() {
    let t = spawn_app().await;
    let s = open_concertation(&t, "pages-securite").await;
    let mut citizen = citizen_browser(&t).await;
    for path in [
        "/".to_owned(),
        "/concertations/pages-securite".into(),
        format!(
            "/concertations/pages-securite/questions/{}",
            s.open_question
        ),
        "/participer".into(),
        "/moi".into(),
        "/connexion".into(),
        "/mentions-legales".into(),
        "/donnees-personnelles".into(),
        "/charte-de-moderation".into(),
        "/accessibilite".into(),
    ] {
        let response = t.client.get(t.url(&path)).send().await.unwrap();
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert_eq!(response.headers()["x-frame-options"], "DENY");
        let page = citizen.open(&path).await;
        for external in [
            "src=\"http",
            "href=\"http",
            "src=\"//",
            "href=\"//",
            "url(http",
        ] {
            assert!(
                !page.contains(external),
                "{path} requests another site: {external}"
            );
        }
        assert!(!page.contains("<script>"), "{path}: inline script");
        assert!(page.contains("href=\"#contenu\""), "{path}: skip link");
        assert!(page.contains("<html lang=\"fr\">"), "{path}: language");
    }
    // The language switch remembers English.
    let mut english = Browser::new(&t);
    english.open("/langue/en?retour=/participer").await;
    assert!(english.page.contains("<html lang=\"en\">") && english.page.contains("Take part"));
    assert_eq!(
        english.get("/langue/en?retour=//evil.example/").await,
        StatusCode::OK
    );
    assert!(
        english.page.contains("Consultations"),
        "went home, not away"
    );
    // Assets come from the binary.
    let css = t
        .client
        .get(t.url("/static/concerto.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(css.text().await.unwrap().contains(":focus-visible"));
    t.finish().await;
}

/// The participant's page once the audit log has caught up with their receipts (it
/// follows the log by a moment), so its snapshot does not depend on timing.
async fn citizen_page_with_receipts(citizen: &mut Browser<'_>) -> String {
    let mut page = citizen.open("/moi").await;
    for _ in 0..100 {
        if page.matches("Télécharger le reçu").count() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        page = citizen.open("/moi").await;
    }
    page
}

/// Replaces what changes from run to run (ids, tokens, dates, codes) in page HTML.
fn redacted() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    for (pattern, replacement) in [
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[uuid]",
        ),
        (
            r#"name="csrf" value="[^"]*""#,
            r#"name="csrf" value="[csrf]""#,
        ),
        (r#"name="cle" value="[^"]*""#, r#"name="cle" value="[cle]""#),
        (r"[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}", "[code]"),
        (r"\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2})", "[iso]"),
        (r"\d{4}-\d{2}-\d{2}", "[day]"),
        (
            r"\d{1,2}(er)? (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4}( à \d{1,2} h \d{2})?",
            "[date]",
        ),
        (r"Pseudonyme [0-9a-f]{8}", "Pseudonyme [id]"),
        (r"[0-9a-f]{8}\.\.\.", "[id]..."),
        (r"référence [0-9a-f-]+", "référence [id]"),
        (r"<code>[0-9a-f]{16}…</code>", "<code>[leaf]…</code>"),
        (
            r"inclus dans la tête signée de \d+ événements \(preuve jointe\)|promesse signée ; la preuve d&#39;inclusion suit à la prochaine tête signée",
            "[receipt state]",
        ),
    ] {
        settings.add_filter(pattern, replacement);
    }
    settings
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_matches_its_snapshot() {
    let t = spawn_app().await;
    let s = open_concertation(&t, "pages-instantanes").await;
    let slug = "pages-instantanes";
    statements(
        &t,
        &s,
        &[
            "Première proposition courte.",
            "Deuxième proposition courte.",
        ],
    )
    .await;
    let session = t
        .post_ok(
            "/sessions",
            &s.facilitator,
            json!({"concertation": s.concertation, "title": "Atelier du quartier",
                   "place": "Salle des fêtes", "starts_at": "2026-12-10T17:00:00Z"}),
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

    let mut citizen = citizen_browser(&t).await;
    let joined = citizen.page.clone();
    let question = format!("/concertations/{slug}/questions/{}", s.open_question);
    citizen.open(&question).await;
    citizen
        .submit(
            &question,
            &[
                ("kind", "proposal"),
                ("text", "Publier la liste des algorithmes utilisés."),
                ("themes", &s.theme),
                ("language", "fr"),
            ],
        )
        .await;
    let contribution = citizen.page.clone();
    let mut facilitator = staff_browser(&t, &format!("animateur-{slug}")).await;
    let mut commission = staff_browser(&t, &format!("commission-{slug}")).await;
    let mut anonymous = Browser::new(&t);

    let mut pages: Vec<(&str, String)> = vec![
        ("home", anonymous.open("/").await),
        (
            "concertation",
            anonymous.open(&format!("/concertations/{slug}")).await,
        ),
        ("question_open", citizen.open(&question).await),
        (
            "question_statements",
            citizen
                .open(&format!(
                    "/concertations/{slug}/questions/{}",
                    s.statements_question
                ))
                .await,
        ),
        ("contribution_author", contribution),
        ("join", anonymous.open("/participer").await),
        ("joined", joined),
        ("recover", anonymous.open("/recuperer").await),
        ("me", citizen_page_with_receipts(&mut citizen).await),
        ("login", anonymous.open("/connexion").await),
        ("staff_home", facilitator.open("/animation").await),
        (
            "moderation_queue",
            facilitator
                .open(&format!("/animation/{slug}/moderation"))
                .await,
        ),
        (
            "moderation_log",
            anonymous
                .open(&format!("/concertations/{slug}/moderation"))
                .await,
        ),
        (
            "session_board",
            facilitator
                .open(&format!("/animation/seances/{session}"))
                .await,
        ),
        (
            "synthesis",
            commission.open(&format!("/commission/{slug}")).await,
        ),
        ("legal_mentions", anonymous.open("/mentions-legales").await),
        (
            "legal_privacy",
            anonymous.open("/donnees-personnelles").await,
        ),
        (
            "legal_charter",
            anonymous.open("/charte-de-moderation").await,
        ),
        (
            "legal_accessibility",
            anonymous.open("/accessibilite").await,
        ),
    ];
    anonymous.get("/nulle-part").await;
    pages.push(("not_found", anonymous.page.clone()));
    let settings = redacted();
    settings.bind(|| {
        for (name, html) in &pages {
            insta::assert_snapshot!(format!("page_{name}"), html);
        }
    });
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_doctrine_page_shows_its_articles() {
    let t = crate::api_support::spawn_with(|s| s.demo = true).await;
    let doctrine = gateway::demo::doctrine_id();
    let mut anonymous = Browser::new(&t);
    let page = anonymous.open(&format!("/doctrines/{doctrine}")).await;
    assert!(page.contains("Texte de démonstration"), "{page}");
    assert!(page.contains("Version 1"), "{page}");
    let settings = redacted();
    settings.bind(|| insta::assert_snapshot!("page_doctrine", page));
    let concertation = anonymous
        .open(&format!("/concertations/{}", gateway::demo::SLUG))
        .await;
    assert!(concertation.contains("Métropole de démonstration"));
    t.finish().await;
}
