//! `concerto bench ingest`: the real HTTP server, in this process, on JetStream and
//! PostgreSQL with every projection running, driven over loopback by `--clients`
//! concurrent clients that join as participants, vote on statements and contribute,
//! for `--seconds`; then, in the same run, the raw JetStream publish ceiling at the
//! same concurrency.
//!
//! The workload: each client, in a loop, joins as a new participant (citizen, business
//! or public agent in turn), votes on every statement of the statements question in a
//! shuffled order (agree, disagree or pass) and submits one opinion on the open question
//! at a random point among its votes; every POST carries an `Idempotency-Key`, as a
//! careful client's does. One client keeps one keep-alive connection.
//!
//! Rate-limit profile: the limiters run (their cost is part of the path), with the
//! per-participant limit at its default (120 writes a minute, burst 60: a participant
//! makes `--statements` + 1 writes, well within the burst) and the per-address limit
//! raised to 6,000,000 a minute (burst 1,000,000), since every client comes from
//! 127.0.0.1: a town hall's attendees behind one address, at the scale of the benchmark.
//!
//! The ceiling: `--clients` workers publish, for `--ceiling-seconds`, bare messages of
//! the mean size of the server's own commits with `Nats-Expected-Last-Subject-Sequence`
//! and wait for each ack, one in flight each, into a fresh stream.
//!
//! Audit lag: every [`LAG_SAMPLE`] during the load, a sampler on the load generator's
//! runtime reads the store's head and the audit projection's committed position, and
//! records the age of the oldest acknowledged event not yet in the audit tree. An event
//! first seen in the head at one sample was acknowledged after the previous one, so the
//! age counts from the previous sample: an upper bound, within one sampling interval.
//!
//! CPU time: the load generator runs on a runtime of its own whose threads are named
//! `bench-load`; the server's share is the process's time minus theirs. NATS and
//! PostgreSQL are every `nats-server` and `postgres` process on the machine (other
//! users of those services are counted too: run it on a quiet machine). The peak RSS is
//! the process's (`VmHWM`), which holds the server and the small load generator.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_nats::jetstream::message::PublishMessage;
use eventstore::nats::{NatsBackend, NatsConfig};
use eventstore::{EventStore, Position};
use gateway::accounts::StaffRole;
use gateway::app::accounts::NewAccountInput;
use gateway::app::Ctx;
use gateway::auth::Caller;
use gateway::settings::{DatabaseSettings, NatsSettings, RateLimitSettings, Secret, Settings};
use gateway::startup::{remove_storage, Application};
use hdrhistogram::Histogram;
use projections::audit_log::service::AuditLog;
use serde_json::{json, Value};

use super::cpu;
use super::memory::{peak_rss_kib, reset_peak_rss};

/// Options of the ingest benchmark.
#[derive(clap::Args)]
pub struct IngestArgs {
    /// Concurrent HTTP clients (and raw publishers for the ceiling).
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// Duration of the load on the server, in seconds.
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
    /// Duration of the raw publish ceiling, in seconds.
    #[arg(long, default_value_t = 10)]
    pub ceiling_seconds: u64,
    /// Statements each participant votes on.
    #[arg(long, default_value_t = 12)]
    pub statements: usize,
    /// Worker threads of the load generator's runtime (the server keeps the others).
    #[arg(long, default_value_t = 1)]
    pub load_threads: usize,
    /// Send no `Idempotency-Key` (to see what the keys cost).
    #[arg(long)]
    pub no_idempotency_key: bool,
    /// The NATS server.
    #[arg(long, env = "NATS_URL", default_value = "nats://127.0.0.1:4222")]
    pub nats_url: String,
    /// The PostgreSQL database.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "postgresql://postgres@127.0.0.1:5432/test"
    )]
    pub database_url: String,
}

/// The thread name of the load generator's runtime (its CPU time is read by it).
const LOAD_THREADS: &str = "bench-load";
/// How long the projections may take to catch up at the end before the run fails.
const CATCH_UP_BOUND: Duration = Duration::from_secs(120);
/// How often the audit projection's lag is sampled during the load.
const LAG_SAMPLE: Duration = Duration::from_millis(100);
/// The password of the benchmark's commission account (never leaves the process).
const PASSWORD: &str = "banc d'essai de l'ingestion";

/// The benchmark's rate-limit profile (see the module documentation).
pub fn rate_limit_profile() -> RateLimitSettings {
    RateLimitSettings {
        per_address_per_minute: 6_000_000,
        per_address_burst: 1_000_000,
        ..RateLimitSettings::default()
    }
}

/// Runs the benchmark.
pub async fn run(args: IngestArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.clients > 0 && args.seconds > 0 && args.ceiling_seconds > 0,
        "--clients, --seconds et --ceiling-seconds doivent être positifs"
    );
    anyhow::ensure!(
        args.statements > 0,
        "--statements doit être positif (les clients votent)"
    );
    // The server's own logs, when asked for (`RUST_LOG=warn`).
    crate::telemetry::init_if_asked();
    let load = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.load_threads.max(1))
        .thread_name(LOAD_THREADS)
        .enable_all()
        .build()
        .context("runtime du générateur de charge")?;
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let unique = &unique[16..];
    let data_dir = std::env::temp_dir().join(format!("concerto-bench-ingest-{unique}"));
    let settings = Settings {
        listen: ([127, 0, 0, 1], 0).into(),
        data_dir: data_dir.clone(),
        nats: Some(NatsSettings {
            url: Secret::new(&args.nats_url),
            stream: format!("BENCH_INGEST_{unique}"),
            replicas: 1,
        }),
        database: Some(DatabaseSettings {
            url: Secret::new(&args.database_url),
            schema: format!("bench_ingest_{unique}"),
        }),
        rate_limit: rate_limit_profile(),
        ..Settings::default()
    };
    println!(
        "# concerto bench ingest — {} clients, {} s, {} propositions courtes par participant, charge sur {} fil(s), clés d'idempotence : {}",
        args.clients,
        args.seconds,
        args.statements,
        args.load_threads.max(1),
        if args.no_idempotency_key { "non" } else { "oui" }
    );
    println!("{}", load_average());
    let outcome = measure(&args, &load, settings.clone()).await;
    if let Err(e) = remove_storage(&settings).await {
        eprintln!("nettoyage du banc : {e:#}");
    }
    let _ = std::fs::remove_dir_all(&data_dir);
    let ceiling = match &outcome {
        Ok(server) => ceiling(&args, &load, server.mean_commit_bytes, unique).await,
        Err(_) => Err(anyhow::anyhow!("mesure du serveur en échec")),
    };
    load.shutdown_background();
    let server = outcome?;
    let ceiling = ceiling?;
    report(&args, &server, &ceiling);
    println!("{}", load_average());
    Ok(())
}

/// What the load on the server measured.
struct ServerRun {
    window: Duration,
    counts: Counts,
    latency: Histogram<u64>,
    lag_at_end: Vec<(&'static str, u64)>,
    /// The audit projection's lag sampled during the load, in µs.
    audit_lag: Histogram<u64>,
    caught_up_after: Duration,
    commits: u64,
    messages: u64,
    mean_commit_bytes: usize,
    cpu: CpuTimes,
    peak_rss_kib: u64,
}

/// What the ceiling measured.
struct CeilingRun {
    published: u64,
    window: Duration,
    latency: Histogram<u64>,
    nats_seconds: f64,
    client_seconds: f64,
}

/// CPU seconds spent during the load, per side.
struct CpuTimes {
    server: f64,
    load: f64,
    nats: f64,
    postgres: f64,
}

/// CPU readings at one instant, in ticks.
#[derive(Clone, Copy)]
struct CpuSnapshot {
    process: u64,
    load: u64,
    nats: u64,
    postgres: u64,
}

impl CpuSnapshot {
    fn now() -> Self {
        Self {
            process: cpu::this_process(),
            load: cpu::own_threads_named(LOAD_THREADS),
            nats: cpu::processes_named("nats-server"),
            postgres: cpu::processes_named("postgres"),
        }
    }

    fn since(self, start: CpuSnapshot) -> CpuTimes {
        let load = self.load.saturating_sub(start.load);
        CpuTimes {
            server: cpu::seconds(
                self.process
                    .saturating_sub(start.process)
                    .saturating_sub(load),
            ),
            load: cpu::seconds(load),
            nats: cpu::seconds(self.nats.saturating_sub(start.nats)),
            postgres: cpu::seconds(self.postgres.saturating_sub(start.postgres)),
        }
    }
}

/// Requests by outcome.
#[derive(Default)]
struct Counts {
    joins: u64,
    votes: u64,
    contributions: u64,
    /// Refusals and failures, by status (0: no response).
    errors: BTreeMap<u16, u64>,
}

impl Counts {
    fn accepted(&self) -> u64 {
        self.joins + self.votes + self.contributions
    }

    fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    fn add(&mut self, other: Counts) {
        self.joins += other.joins;
        self.votes += other.votes;
        self.contributions += other.contributions;
        for (status, n) in other.errors {
            *self.errors.entry(status).or_default() += n;
        }
    }
}

/// The concertation the clients take part in.
#[derive(Clone)]
struct Scene {
    concertation: String,
    open_question: String,
    statements: Arc<Vec<String>>,
}

async fn measure(
    args: &IngestArgs,
    load: &tokio::runtime::Runtime,
    settings: Settings,
) -> anyhow::Result<ServerRun> {
    let stream = settings
        .nats
        .as_ref()
        .map(|n| n.stream.clone())
        .context("le banc tourne sur JetStream")?;
    let application = Application::build(settings)
        .await
        .context("démarrage du serveur (JetStream et PostgreSQL)")?;
    application.caught_up().await;
    let base = format!("http://{}/api/v1", application.local_addr());
    let app = application.app().clone();
    let audit = application
        .state()
        .audit_log
        .clone()
        .context("le serveur tient un journal d'audit")?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(application.run_until(async {
        let _ = stopped.await;
    }));
    let outcome = async {
        let scene = load
            .spawn(set_up(base.clone(), app.clone(), args.statements))
            .await??;
        let projections = app.read_models()?;
        if let Some(head) = app.store().head().await? {
            projections.wait_for(head, CATCH_UP_BOUND).await?;
        }
        let before = app.store().head().await?.map_or(0, |p| p.commit());

        reset_peak_rss();
        let cpu_start = CpuSnapshot::now();
        let started = Instant::now();
        let deadline = started + Duration::from_secs(args.seconds);
        let sampler = load.spawn(sample_audit_lag(app.store().clone(), audit, deadline));
        let mut clients = Vec::with_capacity(args.clients);
        for n in 0..args.clients {
            clients.push(load.spawn(client(
                n,
                base.clone(),
                scene.clone(),
                deadline,
                !args.no_idempotency_key,
            )));
        }
        let mut counts = Counts::default();
        let mut latency = histogram();
        for c in clients {
            let (c_counts, c_latency) = c.await??;
            counts.add(c_counts);
            latency.add(c_latency)?;
        }
        let window = started.elapsed();
        let ended = Instant::now();
        let audit_lag = sampler.await??;
        let lag_at_end = projections.lag().await?;
        let head = app.store().head().await?.context("journal vide")?;
        projections
            .wait_for(head, CATCH_UP_BOUND)
            .await
            .context("les projections n'ont pas rattrapé le journal")?;
        let caught_up_after = ended.elapsed();
        let cpu = CpuSnapshot::now().since(cpu_start);
        let peak_rss_kib = peak_rss_kib();
        let (messages, mean_commit_bytes) = stream_size(&args.nats_url, &stream).await?;
        anyhow::Ok(ServerRun {
            window,
            counts,
            latency,
            lag_at_end,
            audit_lag,
            caught_up_after,
            commits: head.commit() - before,
            messages,
            mean_commit_bytes: mean_commit_bytes.max(1),
            cpu,
            peak_rss_kib,
        })
    }
    .await;
    drop(app);
    let _ = stop.send(());
    match server.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => eprintln!("arrêt du serveur : {e:#}"),
        Err(e) => eprintln!("arrêt du serveur : {e}"),
    }
    outcome
}

/// Samples the audit projection's lag every [`LAG_SAMPLE`] until `deadline` (see the
/// module documentation); returns the lags in µs.
async fn sample_audit_lag(
    store: EventStore,
    audit: Arc<AuditLog>,
    deadline: Instant,
) -> anyhow::Result<Histogram<u64>> {
    // Each head the sampler saw grow to, with the time of the sample before: the
    // events up to that head were acknowledged after that time.
    let mut seen: VecDeque<(Position, Instant)> = VecDeque::new();
    let mut previous = Instant::now();
    let mut tick = tokio::time::interval(LAG_SAMPLE);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut lags = histogram();
    while Instant::now() < deadline {
        tick.tick().await;
        let head = store.head().await?;
        let committed = audit.progress().committed();
        let now = Instant::now();
        if let Some(head) = head {
            if seen.back().is_none_or(|(p, _)| head > *p) {
                seen.push_back((head, previous));
            }
        }
        while seen
            .front()
            .is_some_and(|(p, _)| committed.is_some_and(|c| *p <= c))
        {
            seen.pop_front();
        }
        let lag = seen
            .front()
            .map_or(Duration::ZERO, |(_, since)| now - *since);
        lags.record((lag.as_micros() as u64).max(1))?;
        previous = now;
    }
    Ok(lags)
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds")
}

/// The server's stream: its message count and mean message size (the ceiling publishes
/// messages of that size).
async fn stream_size(nats_url: &str, stream: &str) -> anyhow::Result<(u64, usize)> {
    let nats = NatsBackend::connect(NatsConfig {
        url: nats_url.to_owned(),
        stream: stream.to_owned(),
        ..Default::default()
    })
    .await?;
    let mut stream = nats.jetstream().get_stream(nats.stream_name()).await?;
    let info = stream.info().await?;
    let state = &info.state;
    Ok((
        state.messages,
        (state.bytes / state.messages.max(1)) as usize,
    ))
}

/// A commission account, a concertation moderated a posteriori (contributions are
/// published at once), an open question, a statements question with `statements`
/// statements submitted by a seed participant, opened.
async fn set_up(base: String, app: gateway::app::App, statements: usize) -> anyhow::Result<Scene> {
    let http = reqwest::Client::new();
    app.create_account(
        &Ctx::new(Caller::System),
        NewAccountInput {
            login: "commission-banc".into(),
            display_name: "Commission (banc d'essai)".into(),
            role: StaffRole::Commission,
            collectivite: Some("217500016".into()),
            password: PASSWORD.into(),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("compte de la commission : {e}"))?;
    let login = post(
        &http,
        &format!("{base}/auth/login"),
        None,
        json!({"login": "commission-banc", "password": PASSWORD}),
    )
    .await?;
    let commission = text_field(&login, "token")?;
    let now = time::OffsetDateTime::now_utc();
    let rfc3339 = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .map_err(anyhow::Error::from)
    };
    let created = post(
        &http,
        &format!("{base}/concertations"),
        Some(&commission),
        json!({
            "slug": "banc-ingestion", "title": "Concertation du banc d'essai",
            "description": "Votes et avis en nombre, pour mesurer l'ingestion.",
            "territories": ["EPCI:200054781"], "moderation": "a_posteriori",
            "opens_at": rfc3339(now)?, "closes_at": rfc3339(now + time::Duration::days(30))?
        }),
    )
    .await?;
    let concertation = text_field(&created, "id")?;
    let c = |path: &str| format!("{base}/concertations/{concertation}{path}");
    let open_question = text_field(
        &post(
            &http,
            &c("/questions"),
            Some(&commission),
            json!({"kind": "open", "prompt": "Quels usages de l'IA pour nos services publics ?"}),
        )
        .await?,
        "id",
    )?;
    let statements_question = text_field(
        &post(
            &http,
            &c("/questions"),
            Some(&commission),
            json!({"kind": "statements", "prompt": "Êtes-vous d'accord ?"}),
        )
        .await?,
        "id",
    )?;
    post(&http, &c("/open"), Some(&commission), json!({})).await?;
    let author = text_field(
        &post(
            &http,
            &format!("{base}/participants"),
            None,
            json!({"kind": "citoyen", "commune": "75056"}),
        )
        .await?,
        "token",
    )?;
    let mut ids = Vec::with_capacity(statements);
    for n in 0..statements {
        let created = post(
            &http,
            &format!("{base}/contributions"),
            Some(&author),
            json!({
                "concertation": concertation, "question": statements_question, "kind": "statement",
                "text": format!("Proposition courte n° {}: les services publics expliquent chaque usage de l'IA.", n + 1)
            }),
        )
        .await?;
        ids.push(text_field(&created, "id")?);
    }
    Ok(Scene {
        concertation,
        open_question,
        statements: Arc::new(ids),
    })
}

/// A POST of the set-up, which must succeed; its JSON answer.
async fn post(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    body: Value,
) -> anyhow::Result<Value> {
    let mut request = http.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await?;
    let status = response.status();
    let text = response.text().await?;
    anyhow::ensure!(status.is_success(), "POST {url} : {status} {text}");
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn text_field(value: &Value, field: &str) -> anyhow::Result<String> {
    value[field]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("réponse sans « {field} » : {value}"))
}

/// What a client sends next.
enum Step {
    Join,
    Vote(usize),
    Contribute,
}

/// One client until `deadline`: participant after participant (see the module
/// documentation). A request started before the deadline is finished and counted.
async fn client(
    n: usize,
    base: String,
    scene: Scene,
    deadline: Instant,
    idempotency: bool,
) -> anyhow::Result<(Counts, Histogram<u64>)> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()?;
    let mut random = XorShift::new(n as u64);
    let mut counts = Counts::default();
    let mut latency = histogram();
    let kinds = [
        json!({"kind": "citoyen", "commune": "69123"}),
        json!({"kind": "entreprise", "siren": "552100554"}),
        json!({"kind": "agent_public", "siren": "217500016"}),
    ];
    let mut plan = Vec::new();
    let mut token = String::new();
    let mut participants = 0usize;
    while Instant::now() < deadline {
        if plan.is_empty() {
            // Reversed: popped from the end.
            let mut order: Vec<usize> = (0..scene.statements.len()).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, random.below(i + 1));
            }
            plan = order.into_iter().map(Step::Vote).collect();
            plan.insert(random.below(plan.len() + 1), Step::Contribute);
            plan.push(Step::Join);
        }
        let step = plan.pop().expect("a planned step");
        let (url, body) = match &step {
            Step::Join => {
                participants += 1;
                (
                    format!("{base}/participants"),
                    kinds[(n + participants) % kinds.len()].clone(),
                )
            }
            Step::Vote(s) => (
                format!("{base}/contributions/{}/votes", scene.statements[*s]),
                {
                    let vote = ["agree", "disagree", "pass"][random.below(3)];
                    json!({ "vote": vote })
                },
            ),
            Step::Contribute => (
                format!("{base}/contributions"),
                json!({
                    "concertation": scene.concertation, "question": scene.open_question,
                    "kind": "opinion",
                    "text": format!("Avis du participant {n}-{participants} : l'IA doit rester un outil au service des agents, sous contrôle humain.")
                }),
            ),
        };
        let mut request = http.post(&url).json(&body);
        if !matches!(step, Step::Join) {
            request = request.bearer_auth(&token);
        }
        if idempotency {
            request = request.header("Idempotency-Key", random.key());
        }
        let t0 = Instant::now();
        let outcome = async {
            let response = request.send().await?;
            let status = response.status();
            let bytes = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, bytes))
        }
        .await;
        latency.saturating_record(t0.elapsed().as_micros().max(1) as u64);
        match outcome {
            Ok((status, bytes)) if status.is_success() => match step {
                Step::Join => {
                    counts.joins += 1;
                    let joined: Value = serde_json::from_slice(&bytes)?;
                    token = text_field(&joined, "token")?;
                }
                Step::Vote(_) => counts.votes += 1,
                Step::Contribute => counts.contributions += 1,
            },
            Ok((status, bytes)) => {
                let errors = counts.errors.entry(status.as_u16()).or_default();
                if *errors == 0 {
                    eprintln!(
                        "client {n} : {status} sur {url} : {}",
                        String::from_utf8_lossy(&bytes)
                    );
                }
                *errors += 1;
                if matches!(step, Step::Join) {
                    // Without a token the rest of this participant's plan cannot run.
                    plan.clear();
                }
            }
            Err(e) => {
                let errors = counts.errors.entry(0).or_default();
                if *errors == 0 {
                    eprintln!("client {n} : {url} : {e}");
                }
                *errors += 1;
                if matches!(step, Step::Join) {
                    plan.clear();
                }
            }
        }
    }
    Ok((counts, latency))
}

/// A small deterministic generator: the workload is the same from run to run.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// An idempotency key, unique within the run.
    fn key(&mut self) -> String {
        format!("{:016x}{:016x}", self.next(), self.next())
    }
}

/// Bare publishes with ack at the same concurrency into a fresh stream.
async fn ceiling(
    args: &IngestArgs,
    load: &tokio::runtime::Runtime,
    payload_bytes: usize,
    unique: &str,
) -> anyhow::Result<CeilingRun> {
    let nats = NatsBackend::connect(NatsConfig {
        url: args.nats_url.clone(),
        stream: format!("BENCH_INGEST_RAW_{unique}"),
        ..Default::default()
    })
    .await
    .context("connexion à NATS (plafond)")?;
    let outcome = async {
        let payload = bytes::Bytes::from(vec![b'x'; payload_bytes]);
        let nats_start = cpu::processes_named("nats-server");
        let load_start = cpu::own_threads_named(LOAD_THREADS);
        let started = Instant::now();
        let deadline = started + Duration::from_secs(args.ceiling_seconds);
        let mut workers = Vec::with_capacity(args.clients);
        for n in 0..args.clients {
            let (nats, payload) = (nats.clone(), payload.clone());
            workers.push(load.spawn(async move {
                // Like a participant's streams: a few subjects per worker, each written
                // with the revision it is expected to have.
                let subjects: Vec<(String, u64)> = (0..16)
                    .map(|s| {
                        let name = eventstore::StreamName::parse(format!("ballot-raw{n}x{s}"))
                            .expect("a valid stream name");
                        (nats.subject_of(&name), 0)
                    })
                    .collect();
                let mut subjects = subjects;
                let mut latency = histogram();
                let mut published = 0u64;
                while Instant::now() < deadline {
                    let slot = (published % subjects.len() as u64) as usize;
                    let t0 = Instant::now();
                    let ack = nats
                        .jetstream()
                        .send_publish(
                            subjects[slot].0.clone(),
                            PublishMessage::build()
                                .payload(payload.clone())
                                .expected_last_subject_sequence(subjects[slot].1),
                        )
                        .await
                        .context("publication brute")?
                        .await
                        .context("accusé de publication brute")?;
                    latency.saturating_record(t0.elapsed().as_micros().max(1) as u64);
                    subjects[slot].1 = ack.sequence;
                    published += 1;
                }
                anyhow::Ok((published, latency))
            }));
        }
        let mut published = 0;
        let mut latency = histogram();
        for w in workers {
            let (n, l) = w.await??;
            published += n;
            latency.add(l)?;
        }
        let window = started.elapsed();
        anyhow::Ok(CeilingRun {
            published,
            window,
            latency,
            nats_seconds: cpu::seconds(
                cpu::processes_named("nats-server").saturating_sub(nats_start),
            ),
            client_seconds: cpu::seconds(
                cpu::own_threads_named(LOAD_THREADS).saturating_sub(load_start),
            ),
        })
    }
    .await;
    if let Err(e) = nats.delete_stream().await {
        eprintln!("suppression du flux {} : {e}", nats.stream_name());
    }
    outcome
}

fn ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

fn report(args: &IngestArgs, server: &ServerRun, ceiling: &CeilingRun) {
    let c = &server.counts;
    let rate = c.accepted() as f64 / server.window.as_secs_f64();
    let ceiling_rate = ceiling.published as f64 / ceiling.window.as_secs_f64();
    let l = &server.latency;
    println!(
        "serveur : {} requêtes acceptées en {:.1} s = {:.0} requêtes/s ({} adhésions, {} votes, {} avis), {} commits ajoutés au journal ({} messages dans le flux, taille moyenne {} o)",
        c.accepted(),
        server.window.as_secs_f64(),
        rate,
        c.joins,
        c.votes,
        c.contributions,
        server.commits,
        server.messages,
        server.mean_commit_bytes
    );
    println!(
        "latence : p50 {:.1} ms, p99 {:.1} ms, p99,9 {:.1} ms, max {:.1} ms",
        ms(l.value_at_quantile(0.5)),
        ms(l.value_at_quantile(0.99)),
        ms(l.value_at_quantile(0.999)),
        ms(l.max())
    );
    let errors: Vec<String> = c
        .errors
        .iter()
        .map(|(status, n)| match status {
            0 => format!("{n} sans réponse"),
            s => format!("{n} × {s}"),
        })
        .collect();
    println!(
        "erreurs : {}{}",
        c.error_count(),
        if errors.is_empty() {
            String::new()
        } else {
            format!(" ({})", errors.join(", "))
        }
    );
    let lags: Vec<String> = server
        .lag_at_end
        .iter()
        .map(|(name, lag)| format!("{name} {lag} commits"))
        .collect();
    println!(
        "retard des projections à la fin de la charge : {} ; rattrapé en {} ms",
        lags.join(", "),
        server.caught_up_after.as_millis()
    );
    let a = &server.audit_lag;
    println!(
        "retard du journal d'audit pendant la charge (âge du plus ancien événement acquitté hors de l'arbre, {} échantillons toutes les {} ms, borne haute) : p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        a.len(),
        LAG_SAMPLE.as_millis(),
        ms(a.value_at_quantile(0.5)),
        ms(a.value_at_quantile(0.99)),
        ms(a.max())
    );
    println!(
        "plafond JetStream brut ({} éditeurs, {} o, accusé attendu) : {} publications en {:.1} s = {:.0} publications/s, p50 {:.2} ms, p99 {:.2} ms",
        args.clients,
        server.mean_commit_bytes,
        ceiling.published,
        ceiling.window.as_secs_f64(),
        ceiling_rate,
        ms(ceiling.latency.value_at_quantile(0.5)),
        ms(ceiling.latency.value_at_quantile(0.99)),
    );
    println!(
        "rapport au plafond : {:.1} % (requêtes acceptées/s ÷ publications brutes/s)",
        100.0 * rate / ceiling_rate
    );
    let cpu = &server.cpu;
    println!(
        "temps CPU pendant la charge et le rattrapage : serveur {:.1} s, NATS {:.1} s, PostgreSQL {:.1} s, générateur de charge {:.1} s (plafond : NATS {:.1} s, éditeurs {:.1} s)",
        cpu.server, cpu.nats, cpu.postgres, cpu.load, ceiling.nats_seconds, ceiling.client_seconds
    );
    println!(
        "RSS max du processus (serveur et générateur) : {} Mio",
        server.peak_rss_kib / 1024
    );
}

/// `/proc/loadavg`, for the record (other work on the machine skews every figure).
fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let fields: Vec<&str> = text.split_whitespace().take(3).collect();
    format!("charge moyenne (1, 5, 15 min) : {}", fields.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_keeps_the_participant_limits_and_lifts_the_address_one() {
        let profile = rate_limit_profile();
        let default = RateLimitSettings::default();
        assert!(!profile.disabled);
        assert_eq!(
            profile.per_participant_per_minute,
            default.per_participant_per_minute
        );
        assert_eq!(profile.per_participant_burst, default.per_participant_burst);
        assert!(profile.per_address_per_minute >= 1000 * default.per_address_per_minute);
        // A participant's writes in the benchmark (12 votes and an opinion by default)
        // fit in the burst, so the limiter never refuses one.
        let writes_per_participant = 12 + 1;
        assert!(writes_per_participant <= profile.per_participant_burst);
    }

    #[test]
    fn the_generator_is_deterministic_and_keys_differ() {
        let mut a = XorShift::new(3);
        let mut b = XorShift::new(3);
        assert_eq!(a.next(), b.next());
        assert_ne!(a.key(), a.key());
        assert!((0..1000).all(|_| a.below(7) < 7));
    }
}
