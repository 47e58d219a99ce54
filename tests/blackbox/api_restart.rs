//! What a restart keeps: on JetStream and PostgreSQL, staff accounts, revoked sessions
//! and the answers to `Idempotency-Key` requests (a retry after the restart gets the
//! first answer and appends nothing). On the embedded default (one run: the file
//! store's restart is in the gateway's account suite), a replay adds no record and a
//! logout ends the session; and a restarted server answers only from a memory model
//! caught up with the log.

use gateway::accounts::StaffRole;
use gateway::app::accounts::NewAccountInput;
use gateway::app::{App, Ctx};
use gateway::auth::Caller;
use gateway::http::AppState;
use gateway::settings::{DatabaseSettings, NatsSettings, Secret, Settings};
use gateway::startup::Application;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::api_support::{embedded_settings, head_commit, serve_in_background, Backend, SIREN};

const PASSWORD: &str = "une phrase de passe assez longue";

/// A server started from `settings`, stopped by [`Running::stop`].
struct Running {
    base: String,
    app: App,
    state: AppState,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<()>,
}

async fn start(settings: Settings) -> Running {
    running(Application::build(settings).await.expect("server builds")).await
}

/// Builds a server on the embedded log another in-process server just released: the
/// file lock goes with the last handle, which the stopped server's tasks drop shortly
/// after it stops.
async fn build_again(settings: Settings) -> Application {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        match Application::build(settings.clone()).await {
            Ok(application) => return application,
            Err(e)
                if format!("{e:#}").contains("déjà ouvert")
                    && std::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(e) => panic!("server builds: {e:#}"),
        }
    }
}

/// A running server, once it caught up with the log.
async fn running(application: Application) -> Running {
    application.caught_up().await;
    serving(application)
}

/// A running server, at once (it may still be catching up with the log).
fn serving(application: Application) -> Running {
    let base = format!("http://{}/api/v1", application.local_addr());
    let app = application.app().clone();
    let state = application.state().clone();
    let (stop, server) = serve_in_background(application);
    Running {
        base,
        app,
        state,
        stop,
        server,
    }
}

impl Running {
    /// Creates a commission account of the test collectivité, password [`PASSWORD`].
    async fn create_commission(&self, login: &str) {
        self.app
            .create_account(
                &Ctx::new(Caller::System),
                NewAccountInput {
                    login: login.into(),
                    display_name: "Commission".into(),
                    role: StaffRole::Commission,
                    collectivite: Some(SIREN.into()),
                    password: PASSWORD.into(),
                },
            )
            .await
            .unwrap();
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.server.await.expect("server stops");
        if let Ok(projections) = self.app.read_models() {
            projections.stop();
        }
    }

    async fn head(&self) -> u64 {
        head_commit(&self.app).await
    }

    async fn records(&self) -> u64 {
        self.state.idempotency.count().await.unwrap()
    }
}

fn concertation(slug: &str) -> Value {
    let now = time::OffsetDateTime::now_utc();
    let fmt = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    json!({
        "slug": slug, "title": "L'IA dans nos services publics",
        "description": "Comment la métropole doit-elle utiliser l'IA ?",
        "territories": ["EPCI:200054781"], "moderation": "a_priori",
        "opens_at": fmt(now), "closes_at": fmt(now + time::Duration::days(30))
    })
}

async fn login(client: &reqwest::Client, base: &str, login: &str) -> String {
    let response = client
        .post(format!("{base}/auth/login"))
        .json(&json!({"login": login, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

/// POST `body` to `/concertations` under `key`: (status, replayed, body).
async fn create(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    key: &str,
    body: &Value,
) -> (StatusCode, bool, Value) {
    let response = client
        .post(format!("{base}/concertations"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let replayed = response
        .headers()
        .get("idempotency-replayed")
        .is_some_and(|v| v == "true");
    (status, replayed, response.json().await.unwrap())
}

async fn me(client: &reqwest::Client, base: &str, token: &str) -> (StatusCode, Value) {
    let response = client
        .get(format!("{base}/auth/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

/// POST `/auth/logout` with `token`: the status.
async fn logout(client: &reqwest::Client, base: &str, token: &str) -> StatusCode {
    client
        .post(format!("{base}/auth/logout"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_accounts_sessions_and_idempotent_answers_survive_a_restart() {
    let test = "on_postgres_accounts_sessions_and_idempotent_answers_survive_a_restart";
    let Some(Backend::Services {
        nats_url,
        database_url,
    }) = Backend::services(test)
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let settings = Settings {
        nats: Some(NatsSettings {
            url: Secret::new(nats_url),
            stream: format!("CONCERTO_TEST_{unique}"),
            replicas: 1,
        }),
        database: Some(DatabaseSettings {
            url: Secret::new(database_url),
            schema: format!("concerto_test_{unique}"),
        }),
        ..embedded_settings(dir.path())
    };
    let client = reqwest::Client::new();

    let first = start(settings.clone()).await;
    first.create_commission("commission-redemarrage").await;
    let kept = login(&client, &first.base, "commission-redemarrage").await;
    let ended = login(&client, &first.base, "commission-redemarrage").await;
    let body = concertation("ia-redemarrage");
    let (status, replayed, answer) = create(&client, &first.base, &kept, "creer-1", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert!(!replayed);
    let head = first.head().await;
    let records = first.records().await;
    assert_eq!(records, 1);
    assert_eq!(
        logout(&client, &first.base, &ended).await,
        StatusCode::NO_CONTENT
    );
    let (status, problem) = me(&client, &first.base, &ended).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(problem["code"], "auth.session_revoked");
    first.stop().await;

    let second = start(settings.clone()).await;
    let (status, account) = me(&client, &second.base, &kept).await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["account"]["login"], "commission-redemarrage");
    let (status, problem) = me(&client, &second.base, &ended).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(problem["code"], "auth.session_revoked");
    let (status, replayed, again) = create(&client, &second.base, &kept, "creer-1", &body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(replayed, "the first answer, replayed after the restart");
    assert_eq!(again, answer);
    assert_eq!(second.head().await, head, "nothing appended twice");
    assert_eq!(second.records().await, records, "a replay adds no record");
    let (status, _, problem) = create(
        &client,
        &second.base,
        &kept,
        "creer-1",
        &concertation("ia-autre"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["code"], "idempotency.mismatch");
    assert_eq!(second.head().await, head);
    assert!(
        !settings.data_dir.join("accounts.json").exists(),
        "accounts live in PostgreSQL, not in the data directory"
    );
    second.stop().await;
    gateway::startup::remove_storage(&settings)
        .await
        .expect("test stream and schema removed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_embedded_default_a_replay_adds_no_record_and_a_logout_ends_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let settings = embedded_settings(dir.path());
    let client = reqwest::Client::new();
    let first = start(settings).await;
    first.create_commission("commission-locale").await;
    let token = login(&client, &first.base, "commission-locale").await;
    let body = concertation("ia-locale");
    let (status, _, answer) = create(&client, &first.base, &token, "cle-locale", &body).await;
    assert_eq!(status, StatusCode::CREATED);
    let (head, records) = (first.head().await, first.records().await);
    assert_eq!(records, 1);
    let (status, replayed, again) = create(&client, &first.base, &token, "cle-locale", &body).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, true));
    assert_eq!(again, answer);
    assert_eq!(first.head().await, head);
    assert_eq!(first.records().await, records, "a replay adds no record");
    assert_eq!(
        logout(&client, &first.base, &token).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        logout(&client, &first.base, &token).await,
        StatusCode::NO_CONTENT,
        "a second logout only clears the cookie"
    );
    let (status, problem) = me(&client, &first.base, &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(problem["code"], "auth.session_revoked");
    let fresh = login(&client, &first.base, "commission-locale").await;
    assert_eq!(me(&client, &first.base, &fresh).await.0, StatusCode::OK);
    first.stop().await;
}

/// A restarted server answers only from a memory model caught up with the log: while
/// it catches up it refuses with `server.starting`, then its model stands at the log's
/// head and the list shows every concertation (before, a request right after a restart
/// could see none).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_server_answers_from_a_model_caught_up_with_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let settings = embedded_settings(dir.path());
    let client = reqwest::Client::new();
    let first = start(settings.clone()).await;
    first.create_commission("commission-locale").await;
    let token = login(&client, &first.base, "commission-locale").await;
    const CONCERTATIONS: usize = 150;
    for n in 0..CONCERTATIONS {
        let body = concertation(&format!("ia-{n}"));
        let (status, _, _) = create(&client, &first.base, &token, &format!("cle-{n}"), &body).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let head = first.app.store().head().await.unwrap();
    first.stop().await;

    let application = build_again(settings).await;
    let caught_up = application.caught_up_signal();
    let second = serving(application);
    // While it catches up, it refuses with a 503 and says why; never a partial answer.
    let early = client
        .get(format!("{}/concertations", second.base))
        .send()
        .await
        .unwrap();
    if early.status() == StatusCode::SERVICE_UNAVAILABLE {
        assert_eq!(early.headers()["retry-after"], "2");
        let problem: Value = early.json().await.unwrap();
        assert_eq!(problem["code"], "server.starting", "{problem}");
    } else {
        assert_eq!(early.status(), StatusCode::OK);
        assert!(*caught_up.borrow(), "answered before the catch-up ended");
    }
    assert!(gateway::http::starting::opened(caught_up).await);
    let model_at = second.app.read_models().unwrap().model().read().position;
    assert_eq!(model_at, head, "caught up, but not with the log's head");
    let token = login(&client, &second.base, "commission-locale").await;
    let list: Value = client
        .get(format!("{}/concertations", second.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().map(Vec::len), Some(CONCERTATIONS), "{list}");
    second.stop().await;
}
