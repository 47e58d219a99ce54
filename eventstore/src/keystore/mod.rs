//! Key stores: in memory (tests), files (embedded default), PostgreSQL (production).

pub mod file;
#[cfg(any(test, feature = "test"))]
pub mod memory;
#[cfg(feature = "postgres")]
pub mod postgres;
