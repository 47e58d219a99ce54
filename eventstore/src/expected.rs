//! Optimistic concurrency: what an append expects of its stream, and what it got.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::position::Position;

/// What an append expects the stream to be, as in EventStoreDB.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpectedRevision {
    /// No check.
    Any,
    /// The stream must not exist yet (no event in it).
    NoStream,
    /// The stream must have at least one event.
    StreamExists,
    /// The stream's last event must have exactly this revision (0-based).
    Exact(u64),
}

impl fmt::Display for ExpectedRevision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("quelconque"),
            Self::NoStream => f.write_str("flux inexistant"),
            Self::StreamExists => f.write_str("flux existant"),
            Self::Exact(revision) => write!(f, "révision {revision}"),
        }
    }
}

/// Where a stream stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CurrentRevision {
    /// The stream has no event.
    NoStream,
    /// The revision of the stream's last event.
    Current(u64),
}

impl CurrentRevision {
    /// The expectation that holds exactly when the stream is still where it is now:
    /// `NoStream` for a stream not written yet, `Exact(n)` otherwise.
    pub fn expected(self) -> ExpectedRevision {
        match self {
            CurrentRevision::NoStream => ExpectedRevision::NoStream,
            CurrentRevision::Current(n) => ExpectedRevision::Exact(n),
        }
    }

    /// The revision the next event of the stream will get.
    pub fn next(self) -> u64 {
        match self {
            Self::NoStream => 0,
            Self::Current(revision) => revision + 1,
        }
    }

    /// The state of a stream holding `count` events.
    pub fn from_count(count: u64) -> Self {
        match count {
            0 => Self::NoStream,
            n => Self::Current(n - 1),
        }
    }
}

impl fmt::Display for CurrentRevision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoStream => f.write_str("flux inexistant"),
            Self::Current(revision) => write!(f, "révision {revision}"),
        }
    }
}

/// What a successful append reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppendResult {
    /// The stream's revision after the append: pass it as `Exact` to the next append.
    pub next_expected: CurrentRevision,
    /// The position of the commit's last event; `None` for an empty append.
    pub position: Option<Position>,
    /// Whether the events were already written by an earlier attempt (an idempotent
    /// retry): nothing was written this time.
    pub already_written: bool,
}
