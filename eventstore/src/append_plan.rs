//! EventStoreDB's rules for an append's expectation and for idempotent retries, as one
//! pure function that every backend calls with what it knows of the stream.

use uuid::Uuid;

use crate::error::StoreError;
use crate::expected::{CurrentRevision, ExpectedRevision};
use crate::stream_name::StreamName;

/// What a backend must do with an append.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppendPlan {
    /// Write the events with the first at this revision.
    Write {
        /// Revision of the first new event.
        first_revision: u64,
    },
    /// The same events (same ids, same order) are already in the stream from this
    /// revision: write nothing, report the original result.
    AlreadyWritten {
        /// Revision of the first of the events as originally written.
        first_revision: u64,
    },
}

/// Decides an append.
///
/// `id_at(revision)` gives the id of the stream's event at a revision, and
/// `revision_of(id)` the revision of an id in this stream (for `Any` and
/// `StreamExists`, which cannot say where a retry would land).
pub fn plan_append(
    stream: &StreamName,
    current: CurrentRevision,
    expected: ExpectedRevision,
    new_ids: &[Uuid],
    id_at: impl Fn(u64) -> Option<Uuid>,
    revision_of: impl Fn(Uuid) -> Option<u64>,
) -> Result<AppendPlan, StoreError> {
    let wrong = || StoreError::WrongExpectedVersion {
        stream: stream.to_string(),
        expected,
        actual: current,
    };
    let partial = || StoreError::PartialRetry {
        stream: stream.to_string(),
    };
    let write = AppendPlan::Write {
        first_revision: current.next(),
    };
    let Some(&first_id) = new_ids.first() else {
        // An empty append only checks the expectation, as in EventStoreDB.
        return match (expected, current) {
            (ExpectedRevision::Any, _) => Ok(write),
            (ExpectedRevision::NoStream, CurrentRevision::NoStream) => Ok(write),
            (ExpectedRevision::StreamExists, CurrentRevision::Current(_)) => Ok(write),
            (ExpectedRevision::Exact(n), CurrentRevision::Current(c)) if n == c => Ok(write),
            _ => Err(wrong()),
        };
    };
    let already_at = |start: u64| {
        new_ids
            .iter()
            .enumerate()
            .all(|(i, id)| id_at(start + i as u64) == Some(*id))
    };
    // A retry found where it should be: the whole batch or an inconsistent part of it.
    let retry_at = |start: u64| {
        if already_at(start) {
            Ok(AppendPlan::AlreadyWritten {
                first_revision: start,
            })
        } else {
            Err(partial())
        }
    };
    match expected {
        ExpectedRevision::Exact(n) => {
            if current == CurrentRevision::Current(n) {
                Ok(write)
            } else if id_at(n + 1) == Some(first_id) {
                retry_at(n + 1)
            } else {
                Err(wrong())
            }
        }
        ExpectedRevision::NoStream => {
            if current == CurrentRevision::NoStream {
                Ok(write)
            } else if id_at(0) == Some(first_id) {
                retry_at(0)
            } else {
                Err(wrong())
            }
        }
        ExpectedRevision::Any | ExpectedRevision::StreamExists => {
            if let Some(revision) = revision_of(first_id) {
                retry_at(revision)
            } else if expected == ExpectedRevision::StreamExists
                && current == CurrentRevision::NoStream
            {
                Err(wrong())
            } else {
                Ok(write)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: u128) -> Vec<Uuid> {
        (1..=n).map(Uuid::from_u128).collect()
    }

    fn plan(
        existing: &[Uuid],
        expected: ExpectedRevision,
        new: &[Uuid],
    ) -> Result<AppendPlan, StoreError> {
        let stream = StreamName::parse("s-1").unwrap();
        plan_append(
            &stream,
            CurrentRevision::from_count(existing.len() as u64),
            expected,
            new,
            |r| existing.get(r as usize).copied(),
            |id| existing.iter().position(|e| *e == id).map(|p| p as u64),
        )
    }

    #[test]
    fn exact_writes_at_the_expected_revision_and_recognises_a_retry() {
        let existing = ids(3);
        let new = [Uuid::from_u128(9)];
        assert_eq!(
            plan(&existing, ExpectedRevision::Exact(2), &new).unwrap(),
            AppendPlan::Write { first_revision: 3 }
        );
        assert_eq!(
            plan(&existing, ExpectedRevision::Exact(0), &existing[1..]).unwrap(),
            AppendPlan::AlreadyWritten { first_revision: 1 }
        );
        assert!(matches!(
            plan(&existing, ExpectedRevision::Exact(1), &new),
            Err(StoreError::WrongExpectedVersion { .. })
        ));
        let half = [existing[2], Uuid::from_u128(77)];
        assert!(matches!(
            plan(&existing, ExpectedRevision::Exact(1), &half),
            Err(StoreError::PartialRetry { .. })
        ));
    }

    #[test]
    fn no_stream_and_stream_exists() {
        let existing = ids(2);
        assert!(matches!(
            plan(&existing, ExpectedRevision::NoStream, &[Uuid::from_u128(5)]),
            Err(StoreError::WrongExpectedVersion { .. })
        ));
        assert_eq!(
            plan(&existing, ExpectedRevision::NoStream, &existing).unwrap(),
            AppendPlan::AlreadyWritten { first_revision: 0 }
        );
        assert!(matches!(
            plan(&[], ExpectedRevision::StreamExists, &[Uuid::from_u128(5)]),
            Err(StoreError::WrongExpectedVersion { .. })
        ));
        assert_eq!(
            plan(&existing, ExpectedRevision::Any, &existing[1..]).unwrap(),
            AppendPlan::AlreadyWritten { first_revision: 1 }
        );
    }

    #[test]
    fn empty_append_only_checks_the_expectation() {
        assert!(plan(&[], ExpectedRevision::Exact(0), &[]).is_err());
        assert_eq!(
            plan(&ids(1), ExpectedRevision::Exact(0), &[]).unwrap(),
            AppendPlan::Write { first_revision: 1 }
        );
    }
}
