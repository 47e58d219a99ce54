//! The PostgreSQL key store, when `DATABASE_URL` is set.

use concerto_eventstore::keys::{KeyLookup, KeyStore};
use concerto_eventstore::keystore::postgres::PostgresKeyStore;
use concerto_eventstore::KeyId;

fn database_url() -> Option<String> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CONCERTO_REQUIRE_SERVICES").as_deref() == Ok("1") => {
            panic!("DATABASE_URL is required (CONCERTO_REQUIRE_SERVICES=1)")
        }
        _ => {
            println!("SKIPPED: DATABASE_URL not set");
            None
        }
    }
}

#[tokio::test]
async fn keys_are_shared_created_once_and_destroyed_for_good() {
    let Some(url) = database_url() else { return };
    let schema = format!("test_keys_{}", uuid::Uuid::now_v7().simple());
    let store = PostgresKeyStore::connect(&url, &schema).await.unwrap();
    let other = PostgresKeyStore::connect(&url, &schema).await.unwrap();
    let id = KeyId::parse("contribution-1").unwrap();
    assert_eq!(store.get(&id).await.unwrap(), KeyLookup::Unknown);
    let (a, b) = tokio::join!(store.get_or_create(&id), other.get_or_create(&id));
    assert_eq!(
        a.unwrap(),
        b.unwrap(),
        "concurrent creators disagree on the key"
    );
    other.destroy(&id).await.unwrap();
    other.destroy(&id).await.unwrap();
    assert_eq!(store.get(&id).await.unwrap(), KeyLookup::Destroyed);
    assert!(
        store.get_or_create(&id).await.is_err(),
        "a destroyed key was created again"
    );
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let material: Option<Vec<u8>> = client
        .query_one(
            &format!("SELECT material FROM \"{schema}\".concerto_keys WHERE key_id = $1"),
            &[&"contribution-1"],
        )
        .await
        .unwrap()
        .get(0);
    assert!(
        material.is_none(),
        "key bytes still stored after destruction"
    );
    client
        .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .await
        .unwrap();
}
