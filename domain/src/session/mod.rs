//! Sessions (séances, ateliers): scheduled in a concertation, in person or
//! online, opened and closed by a facilitator, minutes recorded on closing.
//! Stream `session-<uuid>`.
//!
//! Contributions recorded during a session live in their own contribution
//! streams and carry the session and the recording facilitator; the session
//! stream stays small and is only read to know whether it is open.

mod aggregate;
#[cfg(test)]
mod tests;

pub use aggregate::{
    stream, Session, SessionAggregate, SessionCommand, SessionEvent, SessionMode, SessionSnapshot,
    SessionState, SessionStatus,
};
