//! Exports for the commission: a concertation's synthesis computed at a position of the
//! event log, as open data (CSV, JSON, ODS), a report (HTML, ODT), the doctrine revision
//! (ODT, Markdown) and a manifest that makes the bundle verifiable.

pub mod cell;
pub mod opendocument;

pub use cell::Cell;
