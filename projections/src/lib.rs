//! Read models folded from the event log: one runner, projection logic written once, and
//! two stores for its rows (PostgreSQL in production, memory on the embedded default).
//!
//! A projection turns a batch of events into a change set ([`Projection::fold`]); a
//! target ([`Target`]) applies the change set and the new checkpoint atomically, so a
//! crash at any point neither loses nor double-counts an event. The [`runner`] feeds
//! batches from a catch-up subscription starting after the target's checkpoint.

#![warn(missing_docs)]

pub mod audit;
pub mod audit_log;
pub mod bulk;
pub mod charts;
pub mod codec;
pub mod error;
pub mod export;
pub mod format;
pub mod handle;
pub mod main_model;
pub mod main_model_pg;
pub mod merkle;
pub mod model;
pub mod opinion_groups;
pub mod polis_interop;
pub mod postgres;
pub mod progress;
pub mod rebuild;
pub mod runner;
pub mod text_diff;

pub use error::ProjectionError;
pub use handle::{Projections, ReadStore};
pub use progress::Progress;
pub use runner::{run_projection, Projection, Target};
