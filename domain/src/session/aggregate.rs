//! Commands, events, state and rules of a session.

use crate::actor::Actor;
use crate::aggregate::{Aggregate, StreamName};
use crate::concertation::{ConcertationSnapshot, Phase};
use crate::rejection::Rejection;
use crate::schema::DomainEvent;
use crate::values::{ConcertationId, Minutes, SessionId, StaffId, Title};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Where a session happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum SessionMode {
    /// In a room.
    InPerson {
        /// The public place (a town hall, a library).
        place: Title,
    },
    /// Online, on the collectivité's own video service.
    Online,
}

/// A command on a session.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionCommand {
    /// Schedules it (assigned facilitator or commission).
    Schedule {
        /// The new session.
        id: SessionId,
        /// The concertation, as folded just before.
        concertation: ConcertationSnapshot,
        /// Title.
        title: Title,
        /// Where.
        mode: SessionMode,
        /// When it starts.
        starts_at: OffsetDateTime,
    },
    /// Opens it (assigned facilitator, concertation open).
    Open {
        /// The session.
        id: SessionId,
        /// The concertation, as folded just before.
        concertation: ConcertationSnapshot,
    },
    /// Closes it with the minutes (assigned facilitator).
    Close {
        /// The session.
        id: SessionId,
        /// The concertation, as folded just before.
        concertation: ConcertationSnapshot,
        /// The minutes.
        minutes: Minutes,
    },
}

impl SessionCommand {
    /// The session targeted.
    pub fn id(&self) -> SessionId {
        match self {
            SessionCommand::Schedule { id, .. }
            | SessionCommand::Open { id, .. }
            | SessionCommand::Close { id, .. } => *id,
        }
    }
}

/// What happened to a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum SessionEvent {
    /// Scheduled.
    SessionScheduled {
        /// The session.
        id: SessionId,
        /// Its concertation.
        concertation: ConcertationId,
        /// Title.
        title: Title,
        /// Where.
        mode: SessionMode,
        /// When it starts.
        #[serde(with = "time::serde::rfc3339")]
        starts_at: OffsetDateTime,
        /// Who scheduled it.
        by: StaffId,
    },
    /// Opened: contributions may be recorded on behalf of attendees.
    SessionOpened {
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        /// The facilitator.
        by: StaffId,
    },
    /// Closed, with the minutes.
    SessionClosed {
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        /// The facilitator.
        by: StaffId,
        /// The minutes (public: no attendee names).
        minutes: Minutes,
    },
}

crate::event_types!(SessionEvent {
    SessionScheduled,
    SessionOpened,
    SessionClosed
});

impl DomainEvent for SessionEvent {
    fn event_type(&self) -> &'static str {
        self.type_name()
    }
}

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStatus {
    /// Not yet opened.
    Scheduled,
    /// Running.
    Open,
    /// Over.
    Closed,
}

/// A scheduled session. Built only by folding events.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Its id.
    pub id: SessionId,
    /// Its concertation.
    pub concertation: ConcertationId,
    /// Title.
    pub title: Title,
    /// Where.
    pub mode: SessionMode,
    /// When it starts.
    pub starts_at: OffsetDateTime,
    /// Status.
    pub status: SessionStatus,
    /// Minutes, once closed.
    pub minutes: Option<Minutes>,
}

/// What a contribution recorded in session needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSnapshot {
    /// The session.
    pub id: SessionId,
    /// Its concertation.
    pub concertation: ConcertationId,
    /// Whether it is open.
    pub open: bool,
}

impl Session {
    /// The snapshot carried by a recorded contribution's command.
    pub fn snapshot(&self) -> SessionSnapshot {
        SessionSnapshot {
            id: self.id,
            concertation: self.concertation,
            open: self.status == SessionStatus::Open,
        }
    }
}

/// The state of a session stream.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionState {
    /// The session, once scheduled.
    pub session: Option<Session>,
}

/// The session aggregate.
pub struct SessionAggregate;

/// The stream of a session: `session-<uuid>`.
pub fn stream(id: SessionId) -> StreamName {
    StreamName::new(SessionAggregate::CATEGORY, id)
}

const RUN: &str = "action.run_session";

impl Aggregate for SessionAggregate {
    const CATEGORY: &'static str = "session";
    type State = SessionState;
    type Command = SessionCommand;
    type Event = SessionEvent;

    fn stream(command: &SessionCommand) -> StreamName {
        stream(command.id())
    }

    fn decide(
        state: &SessionState,
        command: SessionCommand,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<Vec<SessionEvent>, Rejection> {
        match command {
            SessionCommand::Schedule {
                id,
                concertation,
                title,
                mode,
                starts_at,
            } => {
                let by = concertation.require_facilitator_or_commission(actor, RUN)?;
                concertation.require_phase(&[Phase::Draft, Phase::Open])?;
                if state.session.is_some() {
                    return Err(Rejection::SessionExists);
                }
                Ok(vec![SessionEvent::SessionScheduled {
                    id,
                    concertation: concertation.id,
                    title,
                    mode,
                    starts_at,
                    by,
                }])
            }
            SessionCommand::Open { concertation, .. } => {
                let by = concertation.require_facilitator(actor, RUN)?;
                let s = state.session.as_ref().ok_or(Rejection::SessionNotFound)?;
                if s.concertation != concertation.id {
                    return Err(Rejection::SessionElsewhere);
                }
                concertation.require_open(now)?;
                if s.status != SessionStatus::Scheduled {
                    return Err(Rejection::SessionAlreadyOpened);
                }
                Ok(vec![SessionEvent::SessionOpened { at: now, by }])
            }
            SessionCommand::Close {
                concertation,
                minutes,
                ..
            } => {
                let by = concertation.require_facilitator(actor, RUN)?;
                let s = state.session.as_ref().ok_or(Rejection::SessionNotFound)?;
                if s.concertation != concertation.id {
                    return Err(Rejection::SessionElsewhere);
                }
                if s.status != SessionStatus::Open {
                    return Err(Rejection::SessionNotOpen);
                }
                Ok(vec![SessionEvent::SessionClosed {
                    at: now,
                    by,
                    minutes,
                }])
            }
        }
    }

    fn evolve(mut state: SessionState, event: &SessionEvent) -> SessionState {
        match event {
            SessionEvent::SessionScheduled {
                id,
                concertation,
                title,
                mode,
                starts_at,
                ..
            } => {
                state.session = Some(Session {
                    id: *id,
                    concertation: *concertation,
                    title: title.clone(),
                    mode: mode.clone(),
                    starts_at: *starts_at,
                    status: SessionStatus::Scheduled,
                    minutes: None,
                });
            }
            SessionEvent::SessionOpened { .. } => {
                if let Some(s) = state.session.as_mut() {
                    s.status = SessionStatus::Open;
                }
            }
            SessionEvent::SessionClosed { minutes, .. } => {
                if let Some(s) = state.session.as_mut() {
                    s.status = SessionStatus::Closed;
                    s.minutes = Some(minutes.clone());
                }
            }
        }
        state
    }
}
