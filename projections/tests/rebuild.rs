//! `concerto rebuild`: staging tables swapped in; the same tables as incremental
//! projection; refused while another process writes the projection.

mod common;

use common::{append_conversation, database_url, dump, memory_store, project, sql};
use concerto_projections::main_model::MemoryModel;
use concerto_projections::main_model_pg::PostgresModel;
use concerto_projections::rebuild::rebuild;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_gives_the_incremental_tables_and_waits_for_no_writer() {
    let Some(url) = database_url() else { return };
    let client = sql(&url).await;
    let schema = format!("test_rebuild_{}", Uuid::now_v7().simple());
    let store = memory_store();
    append_conversation(&store).await;
    project(
        &store,
        PostgresModel::connect(&url, &schema, store.clone(), MemoryModel::new())
            .await
            .unwrap(),
    )
    .await;
    let incremental = dump(&client, &schema).await;
    // Something else living in the schema must survive the swap.
    client.batch_execute(&format!("CREATE TABLE \"{schema}\".unrelated (x int); INSERT INTO \"{schema}\".unrelated VALUES (7)")).await.unwrap();

    let writer = PostgresModel::connect(&url, &schema, store.clone(), MemoryModel::new())
        .await
        .unwrap();
    let refused = rebuild(&store, &url, &schema, &["main".to_owned()])
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("en cours d'écriture"), "{refused}");
    drop(writer);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let done = rebuild(&store, &url, &schema, &[]).await.unwrap();
    assert_eq!(
        done.iter().map(|r| r.projection).collect::<Vec<_>>(),
        vec!["main", "audit"]
    );
    assert_eq!(done[0].up_to, store.head().await.unwrap());
    assert_eq!(
        dump(&client, &schema).await,
        incremental,
        "rebuilt tables differ from the incremental ones"
    );
    let kept: i32 = client
        .query_one(&format!("SELECT x FROM \"{schema}\".unrelated"), &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(kept, 7);
    let audit: i64 = client
        .query_one(
            &format!("SELECT count(*) FROM \"{schema}\".audit_events"),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(audit as u64, store.head().await.unwrap().unwrap().commit());
    let staging: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE $1",
            &[&format!("{schema}_rebuild%")],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(staging, 0, "staging schemas left behind");
    let unknown = rebuild(&store, &url, &schema, &["nope".to_owned()])
        .await
        .unwrap_err()
        .to_string();
    assert!(unknown.contains("projection inconnue"), "{unknown}");
    client
        .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .await
        .unwrap();
}
