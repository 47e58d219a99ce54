//! Session services: schedule, open and close a session (workshop), online or in
//! person; contributions recorded in an open session go through `submit`.

use domain::session::{stream, Session, SessionAggregate, SessionCommand as C, SessionMode};
use domain::values::{ConcertationId, Minutes, SessionId, Title};
use domain::Rejection;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::check::{parsed, Check};
use super::{require_staff, App, Applied, Ctx};
use crate::error::{AppError, AppResult};

/// A new session.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSessionInput {
    /// The concertation.
    pub concertation: Uuid,
    /// Title.
    pub title: String,
    /// The public place, for a session in person; online when absent.
    #[serde(default)]
    pub place: Option<String>,
    /// When it starts.
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
}

/// The minutes that close a session.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CloseSessionInput {
    /// The minutes (public: no attendee names).
    pub minutes: String,
}

impl App {
    /// The session, folded from its stream; 404 when it does not exist.
    pub async fn session(&self, id: SessionId) -> AppResult<Session> {
        self.load::<SessionAggregate>(&stream(id))
            .await?
            .session
            .ok_or(AppError::Rejected(Rejection::SessionNotFound))
    }

    /// Schedules a session; returns its id.
    pub async fn schedule_session(
        &self,
        ctx: &Ctx,
        input: ScheduleSessionInput,
    ) -> AppResult<(SessionId, Applied)> {
        require_staff(ctx)?;
        let mut check = Check::new();
        let title = check.field("/title", Title::parse(&input.title));
        let place = check.optional("/place", input.place.as_deref(), Title::parse);
        check.finish()?;
        let concertation = self
            .concertation_snapshot(ConcertationId::from_uuid(input.concertation))
            .await?;
        let id = SessionId::from_uuid(ctx.new_id("session"));
        let mode = match parsed(place) {
            Some(place) => SessionMode::InPerson { place },
            None => SessionMode::Online,
        };
        let applied = self
            .execute::<SessionAggregate>(
                ctx,
                C::Schedule {
                    id,
                    concertation,
                    title: parsed(title),
                    mode,
                    starts_at: input.starts_at,
                },
            )
            .await?;
        Ok((id, applied))
    }

    /// Opens a session.
    pub async fn open_session(&self, ctx: &Ctx, id: SessionId) -> AppResult<Applied> {
        require_staff(ctx)?;
        let session = self.session(id).await?;
        let concertation = self.concertation_snapshot(session.concertation).await?;
        self.execute::<SessionAggregate>(ctx, C::Open { id, concertation })
            .await
    }

    /// Closes a session with its minutes.
    pub async fn close_session(
        &self,
        ctx: &Ctx,
        id: SessionId,
        input: CloseSessionInput,
    ) -> AppResult<Applied> {
        require_staff(ctx)?;
        let mut check = Check::new();
        let minutes = check.field("/minutes", Minutes::parse(&input.minutes));
        check.finish()?;
        let session = self.session(id).await?;
        let concertation = self.concertation_snapshot(session.concertation).await?;
        self.execute::<SessionAggregate>(
            ctx,
            C::Close {
                id,
                concertation,
                minutes: parsed(minutes),
            },
        )
        .await
    }
}
