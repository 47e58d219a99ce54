//! One test suite for every idempotency store: memory, and PostgreSQL when
//! `DATABASE_URL` is set (required under `CONCERTO_REQUIRE_SERVICES=1`).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::store::{Claim, IdempotencyStore, RequestKey, Retention, StoredResponse};
use super::{MemoryIdempotencyStore, PostgresIdempotencyStore};
use crate::pg_schema::testing;

/// Long enough for the steps between two sleeps, short enough to wait out.
const SHORT: Retention = Retention {
    completed: Duration::from_millis(1500),
    in_progress: Duration::from_millis(1500),
};
const WAIT_OUT: Duration = Duration::from_millis(1700);

fn key(scope: u8, request: u8) -> RequestKey {
    RequestKey {
        scope: [scope; 32],
        request: [request; 32],
    }
}

fn response(body: &str) -> StoredResponse {
    StoredResponse {
        status: 201,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("location".into(), "/api/v1/contributions/1".into()),
        ],
        body: body.to_owned().into(),
    }
}

/// The suite: `open` gives a handle on the same records each time.
async fn suite<F, Fut>(open: F)
where
    F: Fn(Retention) -> Fut,
    Fut: Future<Output = Arc<dyn IdempotencyStore>>,
{
    let store = open(Retention::default()).await;
    let first = key(1, 10);
    assert_eq!(store.claim(&first).await.unwrap(), Claim::Claimed);
    // The same request while the first runs; another request under the key.
    assert_eq!(store.claim(&first).await.unwrap(), Claim::InProgress);
    assert_eq!(store.claim(&key(1, 11)).await.unwrap(), Claim::Mismatch);
    store
        .complete(&first, response("{\"id\":1}"))
        .await
        .unwrap();
    assert_eq!(store.count().await.unwrap(), 1);
    for _ in 0..3 {
        assert_eq!(
            store.claim(&first).await.unwrap(),
            Claim::Completed(response("{\"id\":1}"))
        );
    }
    assert_eq!(store.claim(&key(1, 11)).await.unwrap(), Claim::Mismatch);
    assert_eq!(store.count().await.unwrap(), 1, "replays add no record");

    // A failed request frees its key; a late completion of a released key is ignored.
    let failed = key(2, 20);
    assert_eq!(store.claim(&failed).await.unwrap(), Claim::Claimed);
    store.release(&failed).await.unwrap();
    assert_eq!(store.count().await.unwrap(), 1);
    store
        .complete(&failed, response("trop tard"))
        .await
        .unwrap();
    assert_eq!(store.claim(&key(2, 21)).await.unwrap(), Claim::Claimed);
    store.release(&key(2, 21)).await.unwrap();

    // Of concurrent claims of a free key, one wins (two handles: two connections).
    let other = open(Retention::default()).await;
    let race = key(3, 30);
    let (a, b) = tokio::join!(store.claim(&race), other.claim(&race));
    let mut claims = [a.unwrap(), b.unwrap()];
    claims.sort_by_key(|c| matches!(c, Claim::Claimed));
    assert_eq!(claims, [Claim::InProgress, Claim::Claimed]);
    other.release(&race).await.unwrap();
    store.release(&race).await.unwrap();

    // Expiry: an answered key and an abandoned claim are both free again afterwards.
    let short = open(SHORT).await;
    let answered = key(4, 40);
    let abandoned = key(5, 50);
    assert_eq!(short.claim(&answered).await.unwrap(), Claim::Claimed);
    short.complete(&answered, response("vieux")).await.unwrap();
    assert_eq!(short.claim(&abandoned).await.unwrap(), Claim::Claimed);
    assert_eq!(
        short.claim(&answered).await.unwrap(),
        Claim::Completed(response("vieux"))
    );
    tokio::time::sleep(WAIT_OUT).await;
    assert_eq!(short.claim(&key(4, 41)).await.unwrap(), Claim::Claimed);
    assert_eq!(short.claim(&abandoned).await.unwrap(), Claim::Claimed);
    short.release(&key(4, 41)).await.unwrap();
    short.release(&abandoned).await.unwrap();
}

/// The memory store the suite's handles share, with its retention.
type Shared = (Retention, Arc<dyn IdempotencyStore>);

#[tokio::test]
async fn the_memory_store_passes_the_suite() {
    // One map shared by every "handle", as one server's state is.
    let shared: Arc<std::sync::Mutex<Option<Shared>>> = Arc::default();
    suite(|retention| {
        let shared = shared.clone();
        async move {
            let mut shared = shared.lock().unwrap();
            match &*shared {
                Some((r, store)) if *r == retention => store.clone(),
                _ => {
                    let store: Arc<dyn IdempotencyStore> =
                        Arc::new(MemoryIdempotencyStore::new(retention, 1_000));
                    *shared = Some((retention, store.clone()));
                    store
                }
            }
        }
    })
    .await;
}

#[tokio::test]
async fn the_memory_store_is_bounded_and_forgets_the_oldest_answer_first() {
    let store = MemoryIdempotencyStore::new(Retention::default(), 2);
    for scope in 1..=3 {
        let k = key(scope, scope);
        assert_eq!(store.claim(&k).await.unwrap(), Claim::Claimed);
        store.complete(&k, response("r")).await.unwrap();
    }
    assert_eq!(store.count().await.unwrap(), 2);
    assert_eq!(store.claim(&key(1, 1)).await.unwrap(), Claim::Claimed);
    assert_eq!(
        store.claim(&key(3, 3)).await.unwrap(),
        Claim::Completed(response("r"))
    );
}

#[tokio::test]
async fn the_postgres_store_passes_the_suite_and_answers_after_a_restart() {
    let test = "the_postgres_store_passes_the_suite_and_answers_after_a_restart";
    let Some(url) = testing::database_url(test) else {
        return;
    };
    let schema = testing::fresh_schema("test_idempotency");
    let open = |retention| {
        let (url, schema) = (url.clone(), schema.clone());
        async move {
            Arc::new(
                PostgresIdempotencyStore::connect(&url, &schema, retention)
                    .await
                    .unwrap(),
            ) as Arc<dyn IdempotencyStore>
        }
    };
    suite(open).await;
    // A restarted server (a new connection) replays what the first one answered.
    let before = open(Retention::default()).await;
    let kept = key(9, 90);
    assert_eq!(before.claim(&kept).await.unwrap(), Claim::Claimed);
    before.complete(&kept, response("premier")).await.unwrap();
    drop(before);
    let after = open(Retention::default()).await;
    assert_eq!(
        after.claim(&kept).await.unwrap(),
        Claim::Completed(response("premier"))
    );
    // Expired rows are gone after a purge, not only hidden.
    let short = open(SHORT).await;
    let stale = key(8, 80);
    assert_eq!(short.claim(&stale).await.unwrap(), Claim::Claimed);
    short.complete(&stale, response("périmé")).await.unwrap();
    tokio::time::sleep(WAIT_OUT).await;
    let (client, s) = crate::pg_schema::connect(&url, &schema).await.unwrap();
    let stored = || async {
        let n: i64 = client
            .query_one(
                &format!("SELECT count(*) FROM {s}.idempotency_records"),
                &[],
            )
            .await
            .unwrap()
            .get(0);
        n as u64
    };
    let live = after.count().await.unwrap();
    assert_eq!(
        stored().await,
        live + 1,
        "the expired record is hidden, not yet gone"
    );
    assert_eq!(after.purge_expired().await.unwrap(), 1);
    assert_eq!(stored().await, live);
    testing::drop_schema(&url, &schema).await;
}
