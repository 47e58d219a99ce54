//! Application services: for each domain command, authorise the caller, build the
//! snapshots the domain needs (by folding the other aggregates' streams), decide, and
//! append through the projections' codec with correlation, causation and actor
//! metadata. The JSON API and the web pages both call these in-process.

pub mod accounts;
pub mod check;
pub mod concertations;
pub mod contributions;
pub mod doctrine;
pub mod participants;
pub mod sessions;
pub mod votes;

use std::sync::Arc;
use std::time::Duration;

use domain::Aggregate;
use eventstore::{derived_event_id, EventStore, Metadata, Position, RecordedEvent};
use projections::codec;
use projections::Projections;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::accounts::Accounts;
use crate::auth::{Caller, Tokens};
use crate::error::{AppError, AppResult};

/// How many times a command is re-decided when another writer wins its stream.
const MAX_ATTEMPTS: usize = 5;
/// How long a write waits for the projections to include it (read-your-writes).
const SETTLE_BOUND: Duration = Duration::from_secs(2);

/// Everything the services need. Cheap to clone.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: EventStore,
    accounts: Accounts,
    tokens: Tokens,
    projections: Option<Arc<Projections>>,
}

/// The request a command belongs to.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// Who.
    pub caller: Caller,
    /// The request id: `$correlationId` of every event the request causes.
    pub request_id: Uuid,
    /// The client's `Idempotency-Key`: event ids derive from it, so a retry appends
    /// nothing twice.
    pub idempotency_key: Option<String>,
}

impl Ctx {
    /// A context for `caller` with a fresh request id.
    pub fn new(caller: Caller) -> Self {
        Self {
            caller,
            request_id: Uuid::now_v7(),
            idempotency_key: None,
        }
    }

    /// The id of something a request creates (a contribution, a concertation): derived
    /// from the idempotency key when there is one, so a retry names the same thing.
    pub fn new_id(&self, what: &str) -> Uuid {
        match &self.idempotency_key {
            Some(key) => derived_event_id(
                "concerto-id",
                &format!("{}\u{1f}{key}\u{1f}{what}", self.caller.label()),
            ),
            None => Uuid::now_v7(),
        }
    }

    // Without the stream's revision: a retry of a request whose first attempt was
    // appended before the response was lost gets the same ids, and the store's
    // idempotence by event id writes nothing twice.
    fn event_id(&self, stream: &str, index: usize) -> Uuid {
        match &self.idempotency_key {
            Some(key) => derived_event_id(
                "concerto-idempotency",
                &format!(
                    "{}\u{1f}{key}\u{1f}{stream}\u{1f}{index}",
                    self.caller.label()
                ),
            ),
            None => Uuid::now_v7(),
        }
    }

    fn metadata(&self) -> Metadata {
        Metadata {
            correlation_id: Some(self.request_id),
            causation_id: Some(self.request_id),
            actor: Some(self.caller.label()),
            ..Default::default()
        }
    }
}

/// What a carried-out command reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// The position of its last event (`None`: nothing was appended).
    pub position: Option<Position>,
    /// How many events were appended.
    pub events: usize,
}

impl Applied {
    fn merge(self, other: Applied) -> Applied {
        Applied {
            position: other.position.or(self.position),
            events: self.events + other.events,
        }
    }
}

impl App {
    /// Services over `store` and `accounts`, signing tokens with `tokens`; queries
    /// read `projections`, and writes wait for them. `None` suits a one-shot command
    /// that only writes (`concerto admin create`): its queries fail.
    pub fn new(
        store: EventStore,
        accounts: Accounts,
        tokens: Tokens,
        projections: Option<Arc<Projections>>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                accounts,
                tokens,
                projections,
            }),
        }
    }

    /// The event store.
    pub fn store(&self) -> &EventStore {
        &self.inner.store
    }

    /// The staff accounts.
    pub fn accounts(&self) -> &Accounts {
        &self.inner.accounts
    }

    /// The token signer.
    pub fn tokens(&self) -> &Tokens {
        &self.inner.tokens
    }

    /// The running read models, for queries, `/ready` and `/metrics`.
    pub fn read_models(&self) -> AppResult<&Projections> {
        self.inner
            .projections
            .as_deref()
            .ok_or_else(|| AppError::Internal("les modèles de lecture ne tournent pas".into()))
    }

    /// Runs one command of aggregate `A`: load its stream, decide as the caller, append
    /// (retrying on a concurrent write), with ids and metadata from `ctx`.
    pub async fn execute<A>(&self, ctx: &Ctx, command: A::Command) -> AppResult<Applied>
    where
        A: Aggregate,
        A::Command: Clone,
    {
        let stream = codec::stream_name(&A::stream(&command))?;
        let actor = ctx.caller.actor();
        let now = OffsetDateTime::now_utc();
        let metadata = ctx.metadata();
        let stream_text = stream.to_string();
        let span =
            tracing::info_span!("command", stream = %stream_text, actor = %ctx.caller.label());
        let _entered = span.enter();
        let executed = eventstore::aggregate::execute(
            &self.inner.store,
            &stream,
            MAX_ATTEMPTS,
            |state: A::State, recorded: &RecordedEvent| {
                codec::decode::<A::Event>(recorded).map(|event| A::evolve(state, &event))
            },
            |state| -> Result<_, AppError> {
                let events = A::decide(state, command.clone(), &actor, now)?;
                events
                    .iter()
                    .enumerate()
                    .map(|(i, event)| {
                        codec::encode(event, ctx.event_id(&stream_text, i), metadata.clone())
                            .map_err(AppError::from)
                    })
                    .collect()
            },
        )
        .await?;
        Ok(Applied {
            position: executed.append.position,
            events: if executed.append.already_written {
                0
            } else {
                executed.events.len()
            },
        })
    }

    /// Decides `command` against the current state without appending: lets a caller
    /// refuse a command before doing what must precede it (registering a participant),
    /// so a refused request changes nothing.
    pub async fn precheck<A>(&self, ctx: &Ctx, command: &A::Command) -> AppResult<()>
    where
        A: Aggregate,
        A::Command: Clone,
    {
        let state = self.load::<A>(&A::stream(command)).await?;
        A::decide(
            &state,
            command.clone(),
            &ctx.caller.actor(),
            OffsetDateTime::now_utc(),
        )?;
        Ok(())
    }

    /// A participant's command that may be their first: checked, then the participant
    /// registered if needed, then carried out.
    pub async fn participant_command<A>(&self, ctx: &Ctx, command: A::Command) -> AppResult<Applied>
    where
        A: Aggregate,
        A::Command: Clone,
    {
        self.precheck::<A>(ctx, &command).await?;
        let registered = self.ensure_registered(ctx).await?;
        let applied = self.execute::<A>(ctx, command).await?;
        Ok(registered.merge(applied))
    }

    /// Folds a whole stream of aggregate `A` (strongly consistent: the snapshots
    /// commands carry come from here, not from read models that may lag).
    pub async fn load<A: Aggregate>(&self, stream: &domain::StreamName) -> AppResult<A::State> {
        let stream = codec::stream_name(stream)?;
        let (state, _) = eventstore::aggregate::load::<_, _, AppError>(
            &self.inner.store,
            &stream,
            &mut |state: A::State, recorded: &RecordedEvent| {
                codec::decode::<A::Event>(recorded).map(|event| A::evolve(state, &event))
            },
        )
        .await?;
        Ok(state)
    }

    /// Waits (bounded) until every projection includes `applied`, so the author's next
    /// page shows what they just did. A slow projection delays, never fails, a write.
    pub async fn settle(&self, applied: Applied) {
        let (Some(position), Some(projections)) = (applied.position, &self.inner.projections)
        else {
            return;
        };
        if let Err(e) = projections.wait_for(position, SETTLE_BOUND).await {
            tracing::warn!(%position, error = %e, "projections en retard : réponse sans les attendre");
        }
    }
}

impl From<domain::SchemaError> for AppError {
    fn from(error: domain::SchemaError) -> Self {
        AppError::Internal(error.to_string())
    }
}

/// Requires the caller to be a participant.
pub(crate) fn require_participant(ctx: &Ctx) -> AppResult<&crate::auth::ParticipantClaims> {
    ctx.caller
        .participant()
        .ok_or(AppError::Forbidden("auth.participant_only"))
}

/// Requires the caller to be staff.
pub(crate) fn require_staff(ctx: &Ctx) -> AppResult<&crate::accounts::StaffAccount> {
    ctx.caller
        .staff()
        .ok_or(AppError::Forbidden("auth.staff_only"))
}
