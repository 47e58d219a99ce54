//! Global positions in the log and per-stream revisions.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The place of an event in `$all`: opaque, strictly increasing in append order, with
/// the same meaning on every backend.
///
/// One append (a *commit* of 1..N events) occupies one commit number (the JetStream
/// sequence of its message, or the record number in the file log, both starting at 1);
/// the events of a commit are told apart by their index in it. Compare positions, store
/// them as checkpoints, print and parse them (`commit:index`); do not compute with them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Position {
    commit: u64,
    index: u32,
}

impl Position {
    /// A position from its two parts, as read back from a checkpoint.
    pub fn new(commit: u64, index: u32) -> Self {
        Self { commit, index }
    }

    /// The commit number (JetStream sequence or file record number).
    pub fn commit(self) -> u64 {
        self.commit
    }

    /// The index of the event within its commit.
    pub fn index(self) -> u32 {
        self.index
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.commit, self.index)
    }
}

impl fmt::Debug for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Position({self})")
    }
}

impl FromStr for Position {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (commit, index) = text
            .split_once(':')
            .ok_or_else(|| format!("position « {text} » : attendu commit:index"))?;
        Ok(Self {
            commit: commit
                .parse()
                .map_err(|_| format!("position « {text} » : commit invalide"))?,
            index: index
                .parse()
                .map_err(|_| format!("position « {text} » : index invalide"))?,
        })
    }
}

/// Where a read of `$all` starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadFrom {
    /// From the first event of the log.
    Start,
    /// From the first event strictly after this position (a checkpoint).
    After(Position),
}

impl ReadFrom {
    /// Whether an event at `position` lies in the range.
    pub fn includes(self, position: Position) -> bool {
        match self {
            Self::Start => true,
            Self::After(after) => position > after,
        }
    }

    /// The first commit of the range, for logs whose commits are numbered from 1, and
    /// how many of its first events lie before the range (possibly all of them).
    pub(crate) fn first_commit(self) -> (u64, u32) {
        match self {
            Self::Start => (1, 0),
            // Commit numbers start at 1: a position in commit 0 precedes every event.
            Self::After(after) if after.commit() == 0 => (1, 0),
            Self::After(after) => (after.commit(), after.index() + 1),
        }
    }
}

/// Direction of a stream read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Oldest first, from the given revision upwards.
    Forward,
    /// Newest first, from the given revision downwards.
    Backward,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_order_by_commit_then_index_and_round_trip_as_text() {
        assert!(Position::new(1, 5) < Position::new(2, 0));
        assert!(Position::new(2, 0) < Position::new(2, 1));
        let p = Position::new(42, 3);
        assert_eq!(p.to_string().parse::<Position>().unwrap(), p);
        assert!("42".parse::<Position>().is_err());
    }
}
