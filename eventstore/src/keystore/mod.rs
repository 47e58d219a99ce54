//! Key stores: in memory (tests), files (embedded default), PostgreSQL (production).

pub mod file;
pub mod memory;
#[cfg(feature = "postgres")]
pub mod postgres;
