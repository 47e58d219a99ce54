//! `concerto bench eventstore`: appends and catch-up reads through the event store,
//! each against the raw ceiling measured in the same run.
//!
//! Appends: `--events` single-event appends (512-byte payloads by default) spread over
//! `--streams` streams by `--concurrency` workers, each owning its streams, so at most
//! one append is in flight per stream. Three variants, run interleaved `--runs` times
//! on fresh storage each time, medians reported:
//! - `raw`: for JetStream, plain async-nats publishes with ack and
//!   `Nats-Expected-Last-Subject-Sequence` under the same subjects with the bare
//!   payload; for the file log, records of the same size appended by one writer thread
//!   with one `fdatasync` per group (group commit, as the backend does);
//! - `crate`: `EventStore::append` with `Exact` (`NoStream` first) expectations and a
//!   realistic envelope (UUID v7 id, type, schema version, JSON data holding the payload
//!   as its one field, correlation/causation/actor metadata);
//! - `sealed`: the same with a personal part sealed under a per-stream key;
//! - `raw-env` (with `--envelope-ceiling`): `raw` again, with payloads the size of the
//!   commit body `crate` writes for one of its events. Its ratio to `raw` is what the
//!   message size alone costs (the server stores and acknowledges more bytes); `crate`
//!   against it is the client's own work. A diagnostic line: the ratio the issue sets a
//!   target for is `crate` against `raw`.
//!
//! Catch-up: a store filled with `--events` events is read from the start of `$all`:
//! `crate` is an `EventStore` subscription (pages of 1,024 until caught up), `raw` a bare
//! ordered pull consumer counting messages (JetStream) or a sequential read of the log
//! file with its checksum (file log).
//!
//! Printed per line: events/s, p50/p99 latency of one append (hdrhistogram, µs), the
//! ratio to the raw ceiling of the same configuration and run set, and the peak RSS of
//! the process during the measurement (`VmHWM`, reset before each one), and for appends
//! the CPU time per event, in µs, of this process (`cpu cli`: the client, every thread)
//! and of every `nats-server` process (`cpu nats`), so a gap to the ceiling can be
//! told apart as the client's work or the server's.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_nats::jetstream::consumer::{pull, DeliverPolicy};
use async_nats::jetstream::message::PublishMessage;
use eventstore::keys::{KeyLookup, KeyMaterial};
use eventstore::nats::{NatsBackend, NatsConfig};
use eventstore::{
    EventStore, ExpectedRevision, KeyId, KeyStore, Metadata, NewEvent, ReadFrom, StoreError,
    StreamFilter, StreamName, SubscriptionBatch,
};
use futures::StreamExt;
use hdrhistogram::Histogram;

use super::cpu;
use super::memory::{peak_rss_kib, reset_peak_rss};
use serde_json::json;

/// Options of the event store benchmark.
#[derive(clap::Args)]
pub struct EventstoreArgs {
    /// Events appended per measurement (and read back by the catch-up measurement).
    #[arg(long, default_value_t = 200_000)]
    pub events: usize,
    /// Stream counts to spread the appends over (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [1_000, 100_000])]
    pub streams: Vec<usize>,
    /// Concurrent writers (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [1, 16, 256])]
    pub concurrency: Vec<usize>,
    /// Backends to measure (comma-separated): nats, file.
    #[arg(long, value_delimiter = ',', default_values = ["nats", "file"])]
    pub backend: Vec<BackendKind>,
    /// The NATS server.
    #[arg(long, env = "NATS_URL", default_value = "nats://127.0.0.1:4222")]
    pub nats_url: String,
    /// Interleaved runs per measurement (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Payload bytes per event.
    #[arg(long, default_value_t = 512)]
    pub payload: usize,
    /// Directory for the file logs (default: the system's temporary directory).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Skip the catch-up reading measurements.
    #[arg(long)]
    pub no_read: bool,
    /// Skip the sealed variant.
    #[arg(long)]
    pub no_sealed: bool,
    /// Only this append variant besides the ceiling (`crate` or `sealed`; for profiling).
    #[arg(long)]
    pub only: Option<String>,
    /// Also measure `raw-env`: the raw publisher with payloads the size of the crate's
    /// commit bodies (what the message size alone costs).
    #[arg(long)]
    pub envelope_ceiling: bool,
}

/// A storage backend to measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendKind {
    /// NATS JetStream.
    Nats,
    /// The append-only file log.
    File,
}

/// What one measured run produced.
struct Sample {
    events: u64,
    elapsed: Duration,
    latency: Option<Histogram<u64>>,
    peak_rss_kib: u64,
    /// CPU ticks of this process (the client side) and of `nats-server` during an
    /// append run; zero for reads, where they are not measured.
    client_ticks: u64,
    server_ticks: u64,
}

impl Sample {
    fn rate(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// CPU microseconds per event from a tick count.
    fn micros_per_event(&self, ticks: u64) -> f64 {
        cpu::seconds(ticks) * 1e6 / self.events.max(1) as f64
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Variant {
    Raw,
    /// The raw publisher with payloads of the crate's commit size.
    RawEnvelope,
    Crate,
    Sealed,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Raw => "raw",
            Variant::RawEnvelope => "raw-env",
            Variant::Crate => "crate",
            Variant::Sealed => "sealed",
        }
    }
}

/// Runs the benchmark.
pub async fn run(args: EventstoreArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.events > 0 && args.runs > 0,
        "--events et --runs doivent être positifs"
    );
    let started = Instant::now();
    println!(
        "concerto bench eventstore: {} events, payload {} B, streams {:?}, concurrency {:?}, {} interleaved runs (medians)",
        args.events, args.payload, args.streams, args.concurrency, args.runs
    );
    println!(
        "{:<6} {:<6} {:>8} {:>5} {:<7} {:>11} {:>9} {:>9} {:>7} {:>9} {:>9} {:>9}",
        "kind",
        "store",
        "streams",
        "conc",
        "variant",
        "events/s",
        "p50 µs",
        "p99 µs",
        "ratio",
        "peak MiB",
        "cpu cli",
        "cpu nats"
    );
    for &backend in &args.backend {
        // Measured once per backend: every configuration writes the same commits.
        let envelope_size = if args.envelope_ceiling {
            let size = crate_commit_size(&args, backend).await?;
            println!(
                "(raw-env : charge utile de {size} o, la taille du corps d'un commit de `crate`)"
            );
            Some(size)
        } else {
            None
        };
        for &streams in &args.streams {
            for &concurrency in &args.concurrency {
                let concurrency = concurrency.max(1).min(streams.max(1));
                append_measurement(&args, backend, streams, concurrency, envelope_size).await?;
            }
        }
        if !args.no_read {
            read_measurement(&args, backend).await?;
        }
    }
    println!("total time: {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

async fn append_measurement(
    args: &EventstoreArgs,
    backend: BackendKind,
    streams: usize,
    concurrency: usize,
    envelope_size: Option<usize>,
) -> anyhow::Result<()> {
    let mut variants = vec![Variant::Raw, Variant::Crate];
    if !args.no_sealed {
        variants.push(Variant::Sealed);
    }
    if envelope_size.is_some() {
        variants.insert(1, Variant::RawEnvelope);
    }
    if let Some(only) = &args.only {
        variants.retain(|v| v.name() == only);
    }
    let mut samples: HashMap<Variant, Vec<Sample>> = HashMap::new();
    for run in 0..args.runs {
        // Interleave, rotating the order so no variant always runs first.
        for i in 0..variants.len() {
            let variant = variants[(i + run) % variants.len()];
            let target = Target::fresh(args, backend, &format!("A{run}{}", variant.name())).await?;
            let raw_payload = match (variant, envelope_size) {
                (Variant::RawEnvelope, Some(size)) => size,
                _ => args.payload,
            };
            let sample =
                append_run(args, &target, variant, streams, concurrency, raw_payload).await;
            target.remove().await;
            samples.entry(variant).or_default().push(sample?);
        }
    }
    report(&samples, &variants, "append", backend, streams, concurrency);
    Ok(())
}

/// The size of the commit body the store writes for one of the benchmark's events: one
/// is appended to fresh storage, read back, and its body encoded again at a revision
/// of two digits, as most of a run's commits have.
async fn crate_commit_size(args: &EventstoreArgs, backend: BackendKind) -> anyhow::Result<usize> {
    let target = Target::fresh(args, backend, "size").await?;
    let stream = StreamName::parse("contribution-500")?;
    let body = text(args.payload);
    let mut ids = IdGen::new();
    let session = ids.next();
    let previous = ids.next();
    let event = bench_event(&mut ids, session, Some(previous), 500, &body);
    let read = async {
        target
            .store
            .append(&stream, ExpectedRevision::NoStream, vec![event])
            .await?;
        target
            .store
            .read_stream(&stream, eventstore::Direction::Forward, None, 1)
            .await
    }
    .await;
    // Removed whether or not the write and the read succeeded.
    target.remove().await;
    let read = read?;
    let record = &read
        .first()
        .context("l'événement écrit n'a pas été relu")?
        .record;
    let bytes = eventstore::commit::encode_body(
        &stream,
        99,
        record.recorded_at,
        std::slice::from_ref(&record.event),
        |_| {},
    )?;
    Ok(bytes.len())
}

/// One of the benchmark's events: a contribution of `body` by the participant owning
/// `stream`, in the user session `session`, caused by `previous`.
fn bench_event(
    ids: &mut IdGen,
    session: uuid::Uuid,
    previous: Option<uuid::Uuid>,
    stream: usize,
    body: &str,
) -> NewEvent {
    NewEvent {
        id: ids.next(),
        event_type: "ContributionSubmitted".to_owned(),
        schema_version: 1,
        // The data is the payload and nothing else: the ceiling publishes the bare
        // payload, so what the crate adds is its envelope (id, type, version, stream,
        // revision, time, metadata), not more content.
        data: json!({ "texte": body }),
        metadata: Metadata::default(),
        sealed: Vec::new(),
    }
    .with_metadata(Metadata {
        correlation_id: Some(session),
        causation_id: previous,
        actor: Some(format!("participant-{stream}")),
        extra: Default::default(),
    })
}

fn report(
    samples: &HashMap<Variant, Vec<Sample>>,
    variants: &[Variant],
    kind: &str,
    backend: BackendKind,
    streams: usize,
    concurrency: usize,
) {
    let median = |variant: Variant, f: &dyn Fn(&Sample) -> f64| -> f64 {
        let mut values: Vec<f64> = samples[&variant].iter().map(f).collect();
        values.sort_by(|a, b| a.total_cmp(b));
        values[values.len() / 2]
    };
    let ceiling = if samples.contains_key(&Variant::Raw) {
        median(Variant::Raw, &|s| s.rate())
    } else {
        f64::NAN
    };
    for &variant in variants {
        let rate = median(variant, &|s| s.rate());
        let has_latency = samples[&variant].iter().all(|s| s.latency.is_some());
        let (p50, p99) = if has_latency {
            (
                format!(
                    "{:.0}",
                    median(variant, &|s| s
                        .latency
                        .as_ref()
                        .map_or(0.0, |h| h.value_at_quantile(0.5) as f64))
                ),
                format!(
                    "{:.0}",
                    median(variant, &|s| s
                        .latency
                        .as_ref()
                        .map_or(0.0, |h| h.value_at_quantile(0.99) as f64))
                ),
            )
        } else {
            ("-".to_owned(), "-".to_owned())
        };
        let peak = samples[&variant]
            .iter()
            .map(|s| s.peak_rss_kib)
            .max()
            .unwrap_or(0);
        // CPU per event (µs) of the client process and of nats-server, where measured.
        let measured = samples[&variant].iter().all(|s| s.client_ticks > 0);
        let cpu_per_event = |ticks: &dyn Fn(&Sample) -> u64| {
            if measured {
                format!("{:.1}", median(variant, &|s| s.micros_per_event(ticks(s))))
            } else {
                "-".to_owned()
            }
        };
        let client_cpu = cpu_per_event(&|s| s.client_ticks);
        let server_cpu = if backend == BackendKind::Nats {
            cpu_per_event(&|s| s.server_ticks)
        } else {
            "-".to_owned()
        };
        println!(
            "{:<6} {:<6} {:>8} {:>5} {:<7} {:>11.0} {:>9} {:>9} {:>6.1}% {:>9.1} {:>9} {:>9}",
            kind,
            match backend {
                BackendKind::Nats => "nats",
                BackendKind::File => "file",
            },
            streams,
            concurrency,
            variant.name(),
            rate,
            p50,
            p99,
            100.0 * rate / ceiling,
            peak as f64 / 1024.0,
            client_cpu,
            server_cpu
        );
    }
}

/// Fresh storage for one run: a JetStream stream or a file log, and a store over it.
struct Target {
    store: EventStore,
    nats: Option<NatsBackend>,
    file: Option<PathBuf>,
}

impl Target {
    async fn fresh(args: &EventstoreArgs, backend: BackendKind, tag: &str) -> anyhow::Result<Self> {
        let unique = format!(
            "BENCH_{}_{}_{}",
            std::process::id(),
            tag,
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_micros()
        );
        let keys: Arc<dyn KeyStore> = Arc::new(BenchKeys::default());
        match backend {
            BackendKind::Nats => {
                let nats =
                    NatsBackend::connect(NatsConfig::new(&args.nats_url).with_stream(&unique))
                        .await
                        .context("connexion à NATS")?;
                let store = EventStore::new(Arc::new(nats.clone()), keys);
                Ok(Self {
                    store,
                    nats: Some(nats),
                    file: None,
                })
            }
            BackendKind::File => {
                let dir = args.data_dir.clone().unwrap_or_else(std::env::temp_dir);
                std::fs::create_dir_all(&dir)?;
                let path = dir.join(format!("{unique}.concerto"));
                let file =
                    eventstore::file::FileBackend::open(&path).context("ouverture du journal")?;
                let store = EventStore::new(Arc::new(file), keys);
                Ok(Self {
                    store,
                    nats: None,
                    file: Some(path),
                })
            }
        }
    }

    async fn remove(self) {
        if let Some(nats) = &self.nats {
            if let Err(error) = nats.delete_stream().await {
                eprintln!("suppression du flux {} : {error}", nats.stream_name());
            }
        }
        let Target { store, file, .. } = self;
        drop(store);
        if let Some(path) = file {
            // Let the file log's writer stop before removing its files.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let _ = std::fs::remove_file(&path);
            for suffix in ["lock", "keys"] {
                let _ = std::fs::remove_file(path.with_extension(format!("concerto.{suffix}")));
            }
        }
    }
}

/// Keys in memory: the benchmark measures the log, not a key store's own writes.
#[derive(Default)]
struct BenchKeys {
    keys: Mutex<HashMap<KeyId, KeyMaterial>>,
}

type Boxed<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, StoreError>> + Send + 'a>>;

// `KeyStore` is an `async_trait`; written out by hand, the binary does not depend on it.
impl KeyStore for BenchKeys {
    fn get_or_create<'a, 'b, 'c>(&'a self, id: &'b KeyId) -> Boxed<'c, KeyMaterial>
    where
        'a: 'c,
        'b: 'c,
        Self: 'c,
    {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        let key = keys
            .entry(id.clone())
            .or_insert_with(KeyMaterial::generate)
            .clone();
        Box::pin(std::future::ready(Ok(key)))
    }

    fn get<'a, 'b, 'c>(&'a self, id: &'b KeyId) -> Boxed<'c, KeyLookup>
    where
        'a: 'c,
        'b: 'c,
        Self: 'c,
    {
        let keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        let found = keys
            .get(id)
            .cloned()
            .map_or(KeyLookup::Unknown, KeyLookup::Present);
        Box::pin(std::future::ready(Ok(found)))
    }

    fn destroy<'a, 'b, 'c>(&'a self, id: &'b KeyId) -> Boxed<'c, ()>
    where
        'a: 'c,
        'b: 'c,
        Self: 'c,
    {
        self.keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
        Box::pin(std::future::ready(Ok(())))
    }
}

/// A cheap checksum standing in for the file log's CRC in the raw ceilings.
fn checksum(seed: u64, bytes: &[u8]) -> u64 {
    bytes.chunks(8).fold(seed, |acc, chunk| {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        (acc ^ u64::from_le_bytes(word))
            .rotate_left(5)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
    })
}

fn text(payload: usize) -> String {
    const WORDS: &str = "la commune propose une charte locale pour un usage utile et sobre de l'IA dans les services publics ";
    WORDS.chars().cycle().take(payload).collect()
}

async fn append_run(
    args: &EventstoreArgs,
    target: &Target,
    variant: Variant,
    streams: usize,
    concurrency: usize,
    raw_payload: usize,
) -> anyhow::Result<Sample> {
    let names: Arc<Vec<StreamName>> = Arc::new(
        (0..streams)
            .map(|i| StreamName::parse(format!("contribution-{i}")))
            .collect::<Result<_, _>>()?,
    );
    let raw_file = match (variant, &target.file) {
        (Variant::Raw | Variant::RawEnvelope, Some(path)) => {
            Some(RawFileLog::create(&path.with_extension("raw"))?)
        }
        _ => None,
    };
    let payload = bytes::Bytes::from(text(raw_payload).into_bytes());
    let body = Arc::new(text(args.payload));
    // Read once: a lookup of the environment per message would slow the ceiling.
    let raw_with_msg_id = std::env::var_os("BENCH_RAW_MSGID").is_some();
    reset_peak_rss();
    let client_before = cpu::this_process();
    let server_before = cpu::processes_named("nats-server");
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for worker in 0..concurrency {
        let count = args.events / concurrency + usize::from(worker < args.events % concurrency);
        let owned: Vec<usize> = (worker..streams).step_by(concurrency).collect();
        let names = names.clone();
        let store = target.store.clone();
        let nats = target.nats.clone();
        let raw_file = raw_file.clone();
        let payload = payload.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            // Latencies are kept in a plain list and put in a histogram after the run: a
            // histogram per worker (about 260 KiB of counts each, 256 of them) touched at
            // random on every append would evict the caches of the code being measured.
            let mut latency: Vec<u32> = Vec::with_capacity(count);
            let mut state: Vec<Option<u64>> = vec![None; owned.len()];
            let subjects: Vec<String> = match (&nats, variant) {
                (Some(nats), Variant::Raw | Variant::RawEnvelope) => owned.iter().map(|&s| nats.subject_of(&names[s])).collect(),
                _ => Vec::new(),
            };
            let mut session = uuid::Uuid::nil();
            let mut ids = IdGen::new();
            let mut previous = None;
            for i in 0..count {
                let slot = i % owned.len();
                let stream = owned[slot];
                let t0 = Instant::now();
                match variant {
                    Variant::Raw | Variant::RawEnvelope => {
                        if let Some(nats) = &nats {
                            let mut publish = PublishMessage::build()
                                .payload(payload.clone())
                                .expected_last_subject_sequence(state[slot].unwrap_or(0));
                            if raw_with_msg_id {
                                publish = publish.message_id(uuid::Uuid::now_v7().to_string());
                            }
                            let ack = nats
                                .jetstream()
                                .send_publish(subjects[slot].clone(), publish)
                                .await
                                .context("publication brute")?
                                .await
                                .context("accusé de publication brute")?;
                            state[slot] = Some(ack.sequence);
                        } else if let Some(raw) = &raw_file {
                            raw.append(payload.clone()).await?;
                        }
                    }
                    Variant::Crate | Variant::Sealed => {
                        // A user session's events share a correlation id; each is
                        // caused by the one before it.
                        if i % 16 == 0 {
                            session = ids.next();
                        }
                        let mut event = bench_event(&mut ids, session, previous, stream, &body);
                        previous = Some(event.id);
                        if variant == Variant::Sealed {
                            event = event.with_sealed(
                                "personal",
                                KeyId::parse(format!("participant-{stream}"))?,
                                json!({ "nom": "Camille Martin", "courriel": "camille.martin@example.fr", "commune": "69123" }),
                            );
                        }
                        let expected = state[slot].map_or(ExpectedRevision::NoStream, ExpectedRevision::Exact);
                        let result = store.append(&names[stream], expected, vec![event]).await?;
                        state[slot] = match result.next_expected {
                            eventstore::CurrentRevision::Current(n) => Some(n),
                            eventstore::CurrentRevision::NoStream => None,
                        };
                    }
                }
                latency.push(u32::try_from(t0.elapsed().as_micros()).unwrap_or(u32::MAX));
            }
            anyhow::Ok(latency)
        }));
    }
    let mut latencies = Vec::with_capacity(tasks.len());
    for task in tasks {
        latencies.push(task.await??);
    }
    let elapsed = started.elapsed();
    let client_ticks = cpu::this_process().saturating_sub(client_before);
    let server_ticks = cpu::processes_named("nats-server").saturating_sub(server_before);
    let peak_rss_kib = peak_rss_kib();
    if let Some(raw) = raw_file {
        raw.remove();
    }
    // Outside the measured window: CPU and time are read above.
    let mut latency = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    for micros in latencies.into_iter().flatten() {
        latency.saturating_record(u64::from(micros));
    }
    Ok(Sample {
        events: args.events as u64,
        elapsed,
        latency: Some(latency),
        peak_rss_kib,
        client_ticks,
        server_ticks,
    })
}

async fn read_measurement(args: &EventstoreArgs, backend: BackendKind) -> anyhow::Result<()> {
    // Fill once, with the crate, then read it back `runs` times each way, interleaved.
    let streams = *args.streams.first().unwrap_or(&1000);
    let target = Target::fresh(args, backend, "R").await?;
    let concurrency = 64.min(streams);
    let fill = append_run(
        args,
        &target,
        Variant::Crate,
        streams,
        concurrency,
        args.payload,
    )
    .await;
    let outcome = async {
        fill?;
        let mut samples: HashMap<Variant, Vec<Sample>> = HashMap::new();
        for run in 0..args.runs {
            for i in 0..2 {
                let variant = [Variant::Raw, Variant::Crate][(i + run) % 2];
                let sample = match variant {
                    Variant::Raw => raw_read(&target, args.events as u64).await?,
                    _ => crate_read(&target).await?,
                };
                anyhow::ensure!(
                    sample.events == args.events as u64,
                    "lu {} événements au lieu de {}",
                    sample.events,
                    args.events
                );
                samples.entry(variant).or_default().push(sample);
            }
        }
        report(
            &samples,
            &[Variant::Raw, Variant::Crate],
            "catchup",
            backend,
            streams,
            1,
        );
        anyhow::Ok(())
    }
    .await;
    target.remove().await;
    outcome
}

async fn crate_read(target: &Target) -> anyhow::Result<Sample> {
    // A new store over the same backend, as a projection starting from zero would be.
    let store = EventStore::new(target.store.backend().clone(), target.store.keys().clone());
    reset_peak_rss();
    let started = Instant::now();
    let mut subscription = store.subscribe(ReadFrom::Start, StreamFilter::All);
    let mut events = 0u64;
    while let SubscriptionBatch::Events(batch) = subscription.next_batch(1024).await? {
        events += batch.len() as u64;
    }
    Ok(Sample {
        events,
        elapsed: started.elapsed(),
        latency: None,
        peak_rss_kib: peak_rss_kib(),
        client_ticks: 0,
        server_ticks: 0,
    })
}

async fn raw_read(target: &Target, filled: u64) -> anyhow::Result<Sample> {
    reset_peak_rss();
    if let Some(nats) = &target.nats {
        let started = Instant::now();
        let mut stream = nats.jetstream().get_stream(nats.stream_name()).await?;
        let messages = stream.info().await?.state.messages;
        let consumer = stream
            .create_consumer(pull::OrderedConfig {
                deliver_policy: DeliverPolicy::All,
                ..Default::default()
            })
            .await?;
        let mut delivered = consumer.messages().await?;
        let mut events = 0u64;
        while events < messages {
            match delivered.next().await {
                Some(message) => {
                    let message = message?;
                    std::hint::black_box(message.payload.len());
                    events += 1;
                }
                None => break,
            }
        }
        return Ok(Sample {
            events,
            elapsed: started.elapsed(),
            latency: None,
            peak_rss_kib: peak_rss_kib(),
            client_ticks: 0,
            server_ticks: 0,
        });
    }
    let path = target.file.as_ref().context("aucun stockage")?;
    let started = Instant::now();
    raw_file_scan(path)?;
    let events = filled;
    Ok(Sample {
        events,
        elapsed: started.elapsed(),
        latency: None,
        peak_rss_kib: peak_rss_kib(),
        client_ticks: 0,
        server_ticks: 0,
    })
}

/// The file ceiling for catch-up: read the log sequentially and checksum it (it does
/// not parse records: the events counted are those the log was filled with).
fn raw_file_scan(path: &Path) -> anyhow::Result<()> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut buffer = vec![0u8; 1 << 20];
    let mut crc = 0u64;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        crc = checksum(crc, &buffer[..read]);
    }
    std::hint::black_box(crc);
    Ok(())
}

/// The file ceiling for appends: one writer thread appending length-prefixed records
/// and calling `fdatasync` once per group of queued appends.
#[derive(Clone)]
struct RawFileLog {
    sender: tokio::sync::mpsc::UnboundedSender<(
        bytes::Bytes,
        tokio::sync::oneshot::Sender<std::io::Result<()>>,
    )>,
    path: PathBuf,
}

impl RawFileLog {
    fn create(path: &Path) -> anyhow::Result<Self> {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(path)?;
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<(
            bytes::Bytes,
            tokio::sync::oneshot::Sender<std::io::Result<()>>,
        )>();
        std::thread::spawn(move || {
            let mut group = Vec::new();
            let mut buffer = Vec::new();
            while let Some(first) = receiver.blocking_recv() {
                group.push(first);
                while let Ok(more) = receiver.try_recv() {
                    group.push(more);
                }
                buffer.clear();
                for (payload, _) in &group {
                    buffer.extend_from_slice(&(payload.len() as u32).to_le_bytes());
                    buffer.extend_from_slice(&(checksum(0, payload) as u32).to_le_bytes());
                    buffer.extend_from_slice(payload);
                }
                let result = file.write_all(&buffer).and_then(|()| file.sync_data());
                for (_, reply) in group.drain(..) {
                    let _ = reply.send(
                        result
                            .as_ref()
                            .map(|_| ())
                            .map_err(|e| std::io::Error::new(e.kind(), e.to_string())),
                    );
                }
            }
        });
        Ok(Self {
            sender,
            path: path.to_owned(),
        })
    }

    async fn append(&self, payload: bytes::Bytes) -> anyhow::Result<()> {
        let (reply, done) = tokio::sync::oneshot::channel();
        self.sender
            .send((payload, reply))
            .map_err(|_| anyhow::anyhow!("écrivain brut arrêté"))?;
        done.await??;
        Ok(())
    }

    fn remove(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// UUID v7 ids from a per-worker xorshift generator seeded once by the system: the same
/// ids as `Uuid::now_v7()` without its `getrandom` system call per id (the workspace's
/// `uuid` has no `fast-rng`), which would otherwise dominate the client's system time.
struct IdGen(u64);

impl IdGen {
    fn new() -> Self {
        Self(uuid::Uuid::now_v7().as_u64_pair().1 | 1)
    }

    fn next(&mut self) -> uuid::Uuid {
        let mut draw = || {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        };
        let mut random = [0u8; 10];
        random[..8].copy_from_slice(&draw().to_le_bytes());
        random[8..].copy_from_slice(&draw().to_le_bytes()[..2]);
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
    }
}
