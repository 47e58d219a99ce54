//! Errors of the projection runner and its stores.

/// What can stop a projection.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    /// Reading the event log failed.
    #[error("lecture du journal : {0}")]
    Store(#[from] eventstore::StoreError),
    /// The read-model database failed (the batch was rolled back).
    #[error("base des modèles de lecture : {0}")]
    Database(#[from] tokio_postgres::Error),
    /// A configuration value is unusable.
    #[error("configuration : {0}")]
    Config(String),
    /// The audit log could not append a batch (its files, or an event it cannot encode).
    #[error("journal d'audit : {0}")]
    AuditLog(String),
    /// Waiting for a position took longer than allowed.
    #[error("la projection « {projection} » n'a pas atteint la position {position} à temps")]
    Timeout {
        /// The projection waited on.
        projection: String,
        /// The position awaited.
        position: eventstore::Position,
    },
}
