//! A running Concerto server for the API tests: the real `Application`, on port 0,
//! over the embedded backend in a fresh directory, or over JetStream and PostgreSQL
//! with a stream and a schema of its own, with typed request helpers; [`TestApp::finish`]
//! checks that every projection caught up and removes what the test created.

use std::net::SocketAddr;
use std::time::Duration;

use gateway::accounts::StaffRole;
use gateway::app::accounts::NewAccountInput;
use gateway::app::{App, Ctx};
use gateway::auth::Caller;
use gateway::settings::{DatabaseSettings, NatsSettings, Secret, Settings};
use gateway::startup::Application;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

/// The demo collectivité's SIREN (valid, public).
pub const SIREN: &str = "217500016";

/// How long a test waits for the projections to reach the log's head at the end.
const CATCH_UP: Duration = Duration::from_secs(20);

/// Which storage a test server runs on.
#[derive(Clone, Debug)]
pub enum Backend {
    /// The embedded default: file log, file key store, read models in memory.
    Embedded,
    /// Production: NATS JetStream, and PostgreSQL for keys and read models.
    Services {
        /// `NATS_URL`.
        nats_url: String,
        /// `DATABASE_URL`.
        database_url: String,
    },
}

impl Backend {
    /// JetStream and PostgreSQL when `NATS_URL` and `DATABASE_URL` are set; `None`
    /// otherwise (the test is skipped, or fails under `CONCERTO_REQUIRE_SERVICES=1`).
    pub fn services(test: &str) -> Option<Backend> {
        let nats_url = concerto_tests::services::nats_url(test)?;
        let database_url = concerto_tests::services::database_url(test)?;
        Some(Backend::Services {
            nats_url,
            database_url,
        })
    }
}

/// A server under test.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub app: App,
    /// The settings of a server on the services, whose stream and schema
    /// [`TestApp::finish`] removes.
    created: Option<Settings>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

/// A caller: a bearer token (and the CSRF token, unused with bearer).
#[derive(Clone, Debug)]
pub struct Who {
    pub token: String,
    pub id: String,
}

/// Starts a server on the embedded backend with rate limits off (tests that need them
/// turn them on).
pub async fn spawn_app() -> TestApp {
    spawn_on(Backend::Embedded, |_| {}).await
}

/// Starts a server on the embedded backend with adjusted settings.
pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_on(Backend::Embedded, adjust).await
}

/// Settings of a test server on the embedded default: port 0, data under `dir`, no
/// rate limit.
pub fn embedded_settings(dir: &std::path::Path) -> Settings {
    let mut settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.join("data"),
        ..Default::default()
    };
    settings.rate_limit.disabled = true;
    settings
}

/// Starts a server on `backend` with adjusted settings; on the services, with a fresh
/// JetStream stream and PostgreSQL schema.
pub async fn spawn_on(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = embedded_settings(dir.path());
    let on_services = matches!(backend, Backend::Services { .. });
    if let Backend::Services {
        nats_url,
        database_url,
    } = backend
    {
        let unique = uuid::Uuid::now_v7().simple().to_string();
        settings.nats = Some(NatsSettings {
            url: Secret::new(nats_url),
            stream: format!("CONCERTO_TEST_{unique}"),
            replicas: 1,
        });
        settings.database = Some(DatabaseSettings {
            url: Secret::new(database_url),
            schema: format!("concerto_test_{unique}"),
        });
    }
    adjust(&mut settings);
    let created = on_services.then(|| settings.clone());
    let application = Application::build_with_pages(settings, Some(web::pages))
        .await
        .expect("server builds");
    application.caught_up().await;
    let addr = application.local_addr();
    let app = application.app().clone();
    let (stop, server) = serve_in_background(application);
    TestApp {
        addr,
        client: reqwest::Client::new(),
        app,
        created,
        stop: Some(stop),
        server,
        _dir: dir,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // A test that failed before `finish` still stops its server.
        self.server.abort();
    }
}

impl TestApp {
    /// Ends the test: waits until every projection includes the log's head and asserts
    /// that none lags, stops the server, and removes the stream and schema the test
    /// created on the services.
    pub async fn finish(mut self) {
        let projections = self.app.read_models().expect("read models run");
        if let Some(head) = self.app.store().head().await.unwrap() {
            projections
                .wait_for(head, CATCH_UP)
                .await
                .expect("projections catch up with the log");
        }
        let lags = projections.lag().await.unwrap();
        assert!(lags.len() >= 2, "every projection runs: {lags:?}");
        assert!(
            lags.iter().all(|(_, lag)| *lag == 0),
            "every projection caught up: {lags:?}"
        );
        let _ = self.stop.take().map(|stop| stop.send(()));
        (&mut self.server).await.expect("server stops");
        projections.stop();
        let Some(created) = self.created.take() else {
            return;
        };
        // The services' handles close with the last clone of the services.
        drop(self);
        gateway::startup::remove_storage(&created)
            .await
            .expect("test stream and schema removed");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends `body` as JSON with an optional bearer token.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        who: Option<&Who>,
        body: Option<Value>,
    ) -> Response {
        let mut request = self
            .client
            .request(method, self.url(&format!("/api/v1{path}")));
        if let Some(who) = who {
            request = request.bearer_auth(&who.token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request sent")
    }

    /// POST, expecting `status`; returns the JSON body.
    pub async fn post_ok(&self, path: &str, who: &Who, body: Value, status: StatusCode) -> Value {
        let response = self.send(Method::POST, path, Some(who), Some(body)).await;
        let got = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(got, status, "POST {path}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// GET; returns status and JSON body.
    pub async fn get(&self, path: &str, who: Option<&Who>) -> (StatusCode, Value) {
        let response = self.send(Method::GET, path, who, None).await;
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The event store's head commit (0 when empty): to check nothing was appended.
    pub async fn head(&self) -> u64 {
        head_commit(&self.app).await
    }

    /// Creates a staff account directly (as the operator's CLI does) and logs in.
    pub async fn staff(&self, login: &str, role: StaffRole) -> Who {
        let account = self
            .app
            .create_account(
                &Ctx::new(Caller::System),
                NewAccountInput {
                    login: login.into(),
                    display_name: login.into(),
                    role,
                    collectivite: Some(SIREN.into()),
                    password: "une phrase de passe assez longue".into(),
                },
            )
            .await
            .unwrap();
        self.login(login, &account.id.to_string()).await
    }

    /// Logs in over HTTP.
    pub async fn login(&self, login: &str, id: &str) -> Who {
        let body = self
            .send(
                Method::POST,
                "/auth/login",
                None,
                Some(json!({"login": login, "password": "une phrase de passe assez longue"})),
            )
            .await;
        assert_eq!(body.status(), StatusCode::OK);
        let body: Value = body.json().await.unwrap();
        Who {
            token: body["token"].as_str().unwrap().to_owned(),
            id: id.to_owned(),
        }
    }

    /// Joins as a participant.
    pub async fn join(&self, body: Value) -> Who {
        let response = self
            .send(Method::POST, "/participants", None, Some(body))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        assert!(body["recovery_code"].as_str().unwrap().len() >= 20);
        Who {
            token: body["token"].as_str().unwrap().to_owned(),
            id: body["participant_id"].as_str().unwrap().to_owned(),
        }
    }
}

/// The event store's head commit number (0 when empty).
pub async fn head_commit(app: &App) -> u64 {
    app.store()
        .head()
        .await
        .unwrap()
        .map(|p| p.commit())
        .unwrap_or(0)
}

/// Runs a built server on a task until the returned sender fires (or is dropped).
pub fn serve_in_background(
    application: Application,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        application
            .run_until(async {
                let _ = stopped.await;
            })
            .await
            .expect("server runs");
    });
    (stop, server)
}

/// The calls most scenarios repeat, each checked for the status it must answer with.
impl TestApp {
    /// Submits a contribution with `body` (its `concertation`, `question`, `kind`,
    /// `text`…) and returns its id.
    pub async fn submit(&self, who: &Who, body: Value) -> String {
        self.post_ok("/contributions", who, body, StatusCode::CREATED)
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A facilitator's moderation decision (`{"decision": …}`) on a contribution.
    pub async fn moderate(&self, facilitator: &Who, contribution: &str, decision: Value) {
        self.post_ok(
            &format!("/contributions/{contribution}/moderation"),
            facilitator,
            decision,
            StatusCode::OK,
        )
        .await;
    }

    /// Approves a pending contribution, as the charter requires a priori.
    pub async fn approve(&self, facilitator: &Who, contribution: &str) {
        self.moderate(
            facilitator,
            contribution,
            json!({"decision": "approve", "note": "Conforme à la charte."}),
        )
        .await;
    }

    /// The commission closes the scene's concertation.
    pub async fn close(&self, s: &Scene, reason: &str) {
        self.post_ok(
            &format!("/concertations/{}/close", s.concertation),
            &s.commission,
            json!({ "reason": reason }),
            StatusCode::OK,
        )
        .await;
    }

    /// The commission answers a contribution.
    pub async fn answer(&self, s: &Scene, contribution: &str, outcome: &str, justification: &str) {
        self.post_ok(
            &format!("/contributions/{contribution}/answer"),
            &s.commission,
            json!({ "outcome": outcome, "justification": justification }),
            StatusCode::OK,
        )
        .await;
    }
}

/// An open concertation (a priori moderation) with a theme, an open question and a
/// statements question, and two assigned facilitators.
pub struct Scene {
    pub commission: Who,
    pub facilitator: Who,
    pub other_facilitator: Who,
    pub concertation: String,
    pub theme: String,
    pub open_question: String,
    pub statements_question: String,
}

pub async fn open_concertation(t: &TestApp, slug: &str) -> Scene {
    let commission = t
        .staff(&format!("commission-{slug}"), StaffRole::Commission)
        .await;
    let facilitator = t
        .staff(&format!("animateur-{slug}"), StaffRole::Facilitator)
        .await;
    let other_facilitator = t
        .staff(&format!("animateur2-{slug}"), StaffRole::Facilitator)
        .await;
    let now = time::OffsetDateTime::now_utc();
    let fmt = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let created = t
        .post_ok(
            "/concertations",
            &commission,
            json!({
                "slug": slug, "title": "L'IA dans nos services publics",
                "description": "Comment la métropole doit-elle utiliser l'IA ?",
                "territories": ["EPCI:200054781"], "moderation": "a_priori",
                "opens_at": fmt(now), "closes_at": fmt(now + time::Duration::days(30))
            }),
            StatusCode::CREATED,
        )
        .await;
    let concertation = created["id"].as_str().unwrap().to_owned();
    let c = |p: &str| format!("/concertations/{concertation}{p}");
    let theme = t
        .post_ok(
            &c("/themes"),
            &commission,
            json!({"label": "IA utile"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let open_question = t
        .post_ok(
            &c("/questions"),
            &commission,
            json!({"kind": "open", "prompt": "Vos idées ?"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let statements_question = t
        .post_ok(
            &c("/questions"),
            &commission,
            json!({"kind": "statements", "prompt": "Votez"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for f in [&facilitator, &other_facilitator] {
        t.post_ok(
            &c("/facilitators"),
            &commission,
            json!({"staff_id": f.id}),
            StatusCode::OK,
        )
        .await;
    }
    t.post_ok(&c("/open"), &commission, json!({}), StatusCode::OK)
        .await;
    Scene {
        commission,
        facilitator,
        other_facilitator,
        concertation,
        theme,
        open_question,
        statements_question,
    }
}
