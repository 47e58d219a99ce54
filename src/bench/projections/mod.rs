//! `concerto bench projections`: a realistic workload into JetStream, every read model
//! rebuilt from it into PostgreSQL, against the raw ceilings measured in the same run
//! (JetStream ordered-consumer read, PostgreSQL COPY of the same rows), then the lag of
//! the projections under a steady load.
//!
//! Printed: events/s and rows/s of the rebuild, each ceiling, the ratio of the rebuild
//! to the slower ceiling (a rebuild cannot be faster than reading the log or writing
//! the rows), peak RSS, and the lag p50/p99 from an append's acknowledgement to its
//! effect being committed in PostgreSQL under `--rate` events/s.

mod generate;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_nats::jetstream::consumer::{pull, DeliverPolicy};
use eventstore::keystore::memory::MemoryKeyStore;
use eventstore::nats::{NatsBackend, NatsConfig};
use eventstore::{EventStore, ExpectedRevision, Metadata, Position};
use futures::StreamExt;
use hdrhistogram::Histogram;
use projections::audit::postgres::PostgresAudit;
use projections::audit::AuditTrail;
use projections::main_model::{MainModel, MemoryModel};
use projections::main_model_pg::{PostgresModel, TABLE_NAMES};
use projections::{run_projection, Progress, Projection};

use super::memory::{peak_rss_kib, reset_peak_rss};
use generate::{workload, Commit};

/// Options of the projections benchmark.
#[derive(clap::Args)]
pub struct ProjectionsArgs {
    /// Events in the generated workload.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Concurrent writers while generating (one append in flight per stream).
    #[arg(long, default_value_t = 64)]
    pub writers: usize,
    /// Steady load for the lag measurement, in events per second.
    #[arg(long, default_value_t = 1_000)]
    pub rate: u64,
    /// Duration of the lag measurement, in seconds.
    #[arg(long, default_value_t = 20)]
    pub lag_seconds: u64,
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

/// Runs the benchmark.
pub async fn run(args: ProjectionsArgs) -> anyhow::Result<()> {
    // The projections' own logs, when asked for (`RUST_LOG=warn`).
    crate::telemetry::init_if_asked();
    let run_id = uuid::Uuid::now_v7().simple().to_string();
    let stream_name = format!("BENCH_PROJ_{}", &run_id[20..]);
    let backend = Arc::new(
        NatsBackend::connect(NatsConfig {
            url: args.nats_url.clone(),
            stream: stream_name.clone(),
            ..Default::default()
        })
        .await
        .context("connexion à NATS")?,
    );
    let store = EventStore::new(backend.clone(), Arc::new(MemoryKeyStore::new()));
    let (client, connection) = tokio_postgres::connect(&args.database_url, tokio_postgres::NoTls)
        .await
        .context("connexion à PostgreSQL")?;
    tokio::spawn(connection);
    let schemas = [
        format!("bench_rebuild_{}", &run_id[20..]),
        format!("bench_ceiling_{}", &run_id[20..]),
        format!("bench_lag_{}", &run_id[20..]),
    ];

    let outcome = measure(&args, &store, &backend, &client, &schemas).await;
    backend.delete_stream().await.ok();
    for schema in &schemas {
        client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
            .await
            .ok();
    }
    outcome
}

async fn measure(
    args: &ProjectionsArgs,
    store: &EventStore,
    backend: &Arc<NatsBackend>,
    client: &tokio_postgres::Client,
    [rebuild_schema, ceiling_schema, lag_schema]: &[String; 3],
) -> anyhow::Result<()> {
    println!("# concerto bench projections — {} événements", args.events);
    let started = Instant::now();
    let (setup, participation, moderation) = workload(args.events);
    let mut appended = 0;
    for phase in [setup, participation, moderation] {
        appended += append_all(store, phase, args.writers).await?;
    }
    let head = store.head().await?.context("journal vide")?;
    println!(
        "génération : {appended} événements en {:.1} s (tête {head})",
        started.elapsed().as_secs_f64()
    );

    // Ceiling 1: read every message of the JetStream stream with a bare ordered consumer.
    let t = Instant::now();
    let messages = raw_read(backend).await?;
    let read_secs = t.elapsed().as_secs_f64();
    println!(
        "plafond JetStream (consommateur ordonné brut) : {messages} messages en {read_secs:.2} s = {:.0} événements/s",
        appended as f64 / read_secs
    );

    // The rebuild: both projections from zero into a fresh schema, side by side.
    reset_peak_rss();
    let t = Instant::now();
    let main = {
        let (store, url, schema) = (
            store.clone(),
            args.database_url.clone(),
            rebuild_schema.clone(),
        );
        tokio::spawn(async move {
            project_to(
                &store,
                MainModel,
                PostgresModel::connect(&url, &schema, store.clone(), MemoryModel::new()).await?,
                head,
            )
            .await
        })
    };
    let audit = {
        let (store, url, schema) = (
            store.clone(),
            args.database_url.clone(),
            rebuild_schema.clone(),
        );
        tokio::spawn(async move {
            project_to(
                &store,
                AuditTrail,
                PostgresAudit::connect(&url, &schema).await?,
                head,
            )
            .await
        })
    };
    main.await??;
    audit.await??;
    let rebuild_secs = t.elapsed().as_secs_f64();
    let rebuild_rss = peak_rss_kib();
    let mut tables: Vec<&str> = TABLE_NAMES.to_vec();
    tables.push("audit_events");
    let mut rows = 0u64;
    for table in &tables {
        let count: i64 = client
            .query_one(
                &format!("SELECT count(*) FROM \"{rebuild_schema}\".{table}"),
                &[],
            )
            .await?
            .get(0);
        rows += count as u64;
    }
    println!(
        "reconstruction : {appended} événements, {rows} lignes en {rebuild_secs:.2} s = {:.0} événements/s, {:.0} lignes/s, RSS max {} Mio",
        appended as f64 / rebuild_secs,
        rows as f64 / rebuild_secs,
        rebuild_rss / 1024
    );

    // Ceiling 2: the same rows, bulk-written by COPY from the client into empty tables.
    let copy_secs = copy_ceiling(client, rebuild_schema, ceiling_schema, &tables).await?;
    println!(
        "plafond PostgreSQL (COPY des mêmes {rows} lignes) : {copy_secs:.2} s = {:.0} lignes/s",
        rows as f64 / copy_secs
    );
    let slower = read_secs.max(copy_secs);
    println!(
        "rapport reconstruction / plafond le plus lent ({}) : {:.0} %",
        if read_secs >= copy_secs {
            "lecture JetStream"
        } else {
            "écriture PostgreSQL"
        },
        100.0 * slower / rebuild_secs
    );

    lag_under_load(args, store, lag_schema, head).await
}

/// Appends commits with `writers` concurrent workers; a stream always goes to the same
/// worker, so its commits stay in order with one in flight.
async fn append_all(
    store: &EventStore,
    commits: Vec<Commit>,
    writers: usize,
) -> anyhow::Result<u64> {
    let writers = writers.max(1);
    let mut queues: Vec<Vec<Commit>> = (0..writers).map(|_| Vec::new()).collect();
    for commit in commits {
        let slot = crc32c::crc32c(commit.stream.as_str().as_bytes()) as usize % writers;
        queues[slot].push(commit);
    }
    let mut tasks = Vec::new();
    for queue in queues {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut count = 0u64;
            for commit in queue {
                count += commit.events.len() as u64;
                store
                    .append(&commit.stream, ExpectedRevision::Any, commit.events)
                    .await?;
            }
            Ok::<_, eventstore::StoreError>(count)
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await??;
    }
    Ok(total)
}

/// Reads the whole JetStream stream with a bare ordered pull consumer.
async fn raw_read(backend: &NatsBackend) -> anyhow::Result<u64> {
    let stream = backend
        .jetstream()
        .get_stream(backend.stream_name())
        .await?;
    let consumer = stream
        .create_consumer(pull::OrderedConfig {
            deliver_policy: DeliverPolicy::All,
            ..Default::default()
        })
        .await?;
    let total = stream.cached_info().state.messages;
    let mut messages = consumer.messages().await?;
    let mut count = 0;
    while count < total {
        let message = messages.next().await.context("fin inattendue du flux")??;
        std::hint::black_box(message.payload.len());
        count += 1;
    }
    Ok(count)
}

/// Projects from zero until `head` is committed.
async fn project_to<P: Projection, T: projections::Target<P> + 'static>(
    store: &EventStore,
    projection: P,
    target: T,
    head: Position,
) -> anyhow::Result<()> {
    let progress = Progress::new(P::NAME, None);
    let mut target = target;
    tokio::select! {
        outcome = run_projection(store, &projection, &mut target, &progress) => outcome?,
        reached = progress.wait_for(head, Duration::from_secs(3600)) => reached?,
    }
    Ok(())
}

/// Copies every table's rows out (binary), then times writing them into empty copies.
async fn copy_ceiling(
    client: &tokio_postgres::Client,
    from: &str,
    into: &str,
    tables: &[&str],
) -> anyhow::Result<f64> {
    use futures::{pin_mut, SinkExt, TryStreamExt};
    client
        .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS \"{into}\""))
        .await?;
    let mut dumps = Vec::new();
    for table in tables {
        client
            .batch_execute(&format!(
                "CREATE TABLE \"{into}\".{table} (LIKE \"{from}\".{table} INCLUDING ALL)"
            ))
            .await?;
        let out = client
            .copy_out(&format!(
                "COPY \"{from}\".{table} TO STDOUT (FORMAT binary)"
            ))
            .await?;
        let chunks: Vec<bytes::Bytes> = out.try_collect().await?;
        dumps.push((table, chunks));
    }
    let t = Instant::now();
    for (table, chunks) in dumps {
        let sink = client
            .copy_in::<_, bytes::Bytes>(&format!(
                "COPY \"{into}\".{table} FROM STDIN (FORMAT binary)"
            ))
            .await?;
        pin_mut!(sink);
        for chunk in chunks {
            sink.send(chunk).await?;
        }
        sink.finish().await?;
    }
    Ok(t.elapsed().as_secs_f64())
}

/// Appends votes at `rate` events/s while the main projection runs into PostgreSQL,
/// and measures, for each append, the time from its acknowledgement to the commit of
/// its effect in the read model.
async fn lag_under_load(
    args: &ProjectionsArgs,
    store: &EventStore,
    schema: &str,
    head: Position,
) -> anyhow::Result<()> {
    let progress = Progress::new(MainModel::NAME, None);
    let runner = {
        let (store, progress, url, schema) = (
            store.clone(),
            progress.clone(),
            args.database_url.clone(),
            schema.to_owned(),
        );
        tokio::spawn(async move {
            let mut target =
                PostgresModel::connect(&url, &schema, store.clone(), MemoryModel::new()).await?;
            run_projection(&store, &MainModel, &mut target, &progress).await
        })
    };
    progress.wait_for(head, Duration::from_secs(3600)).await?;
    // Votes of a small workload of the same shape: the same participants and statements
    // as the first ones of the big one, so the model has them.
    let wanted = args.rate * args.lag_seconds;
    let (_, votes, _) = workload(wanted + wanted / 2);
    let events: Vec<eventstore::NewEvent> = votes
        .into_iter()
        .flat_map(|c| c.events)
        .take((args.rate * args.lag_seconds) as usize)
        .collect();
    let streams: Vec<eventstore::StreamName> = (0..64)
        .map(|n| eventstore::StreamName::parse(format!("ballot-lag{n}")).expect("valid"))
        .collect();
    let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let interval = Duration::from_secs_f64(1.0 / args.rate as f64);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut waits = Vec::new();
    for (n, event) in events.into_iter().enumerate() {
        ticker.tick().await;
        let (store, progress, stream) = (
            store.clone(),
            progress.clone(),
            streams[n % streams.len()].clone(),
        );
        let event = event
            .with_id(uuid::Uuid::now_v7())
            .with_metadata(Metadata::default());
        waits.push(tokio::spawn(async move {
            let position = store
                .append(&stream, ExpectedRevision::Any, vec![event])
                .await?
                .position
                .expect("one event");
            let acknowledged = Instant::now();
            progress.wait_for(position, Duration::from_secs(60)).await?;
            Ok::<_, anyhow::Error>(acknowledged.elapsed())
        }));
    }
    let mut errors = 0;
    for wait in waits {
        match wait.await? {
            Ok(lag) => histogram.record(lag.as_micros().max(1) as u64)?,
            Err(_) => errors += 1,
        }
    }
    runner.abort();
    println!(
        "retard sous charge ({} événements/s pendant {} s) : p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {} erreurs",
        args.rate,
        args.lag_seconds,
        histogram.value_at_quantile(0.5) as f64 / 1000.0,
        histogram.value_at_quantile(0.99) as f64 / 1000.0,
        histogram.max() as f64 / 1000.0,
        errors
    );
    println!("RSS max du processus : {} Mio", peak_rss_kib() / 1024);
    Ok(())
}
