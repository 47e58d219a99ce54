//! Bulk upserts into PostgreSQL: COPY the rows into a temporary table, then one
//! `INSERT … ON CONFLICT DO UPDATE`, so a batch costs a few statements whatever its size.

use futures::pin_mut;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::Transaction;

use crate::error::ProjectionError;

/// One column of a bulk-written table.
pub struct Column {
    /// Its name.
    pub name: &'static str,
    /// Its PostgreSQL type.
    pub sql_type: Type,
}

/// A boxed SQL value of one cell.
pub type Cell = Box<dyn ToSql + Sync + Send>;

/// Upserts `rows` (cells in `columns` order) into `schema.table`, keyed on `key`.
pub async fn upsert(
    transaction: &Transaction<'_>,
    schema: &str,
    table: &str,
    columns: &[Column],
    key: &[&str],
    rows: Vec<Vec<Cell>>,
) -> Result<(), ProjectionError> {
    if rows.is_empty() {
        return Ok(());
    }
    let staging = format!("staging_{table}");
    transaction
        .batch_execute(&format!(
            "CREATE TEMPORARY TABLE IF NOT EXISTS {staging} (LIKE {schema}.{table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        ))
        .await?;
    let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
    let list = names.join(", ");
    let sink = transaction
        .copy_in(&format!("COPY {staging} ({list}) FROM STDIN BINARY"))
        .await?;
    let types: Vec<Type> = columns.iter().map(|c| c.sql_type.clone()).collect();
    let writer = BinaryCopyInWriter::new(sink, &types);
    pin_mut!(writer);
    for row in &rows {
        let cells: Vec<&(dyn ToSql + Sync)> = row
            .iter()
            .map(|c| c.as_ref() as &(dyn ToSql + Sync))
            .collect();
        writer.as_mut().write(&cells).await?;
    }
    writer.finish().await?;
    let updates: Vec<String> = names
        .iter()
        .filter(|n| !key.contains(n))
        .map(|n| format!("{n} = EXCLUDED.{n}"))
        .collect();
    let conflict = if updates.is_empty() {
        "DO NOTHING".to_owned()
    } else {
        format!("DO UPDATE SET {}", updates.join(", "))
    };
    transaction
        .execute(
            &format!("INSERT INTO {schema}.{table} ({list}) SELECT {list} FROM {staging} ON CONFLICT ({}) {conflict}", key.join(", ")),
            &[],
        )
        .await?;
    Ok(())
}
