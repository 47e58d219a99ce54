//! Application services: for each domain command, authorise the caller, build the
//! snapshots the domain needs (by folding the other aggregates' streams), decide, and
//! append through the projections' codec with correlation, causation and actor
//! metadata. The JSON API and the web pages both call these in-process.
//!
//! Folded states are kept in [`Folds`], an in-process cache checked against the store
//! on every use (see [`eventstore::aggregate`]): a snapshot reads only the commits after
//! its cached revision, a command decides on its cached state and the append's expected
//! revision checks it. Every write of the server goes through [`App::execute`] or
//! [`App::participant_command`], which keep the cache current.

pub mod accounts;
pub mod check;
pub mod concertations;
pub mod contributions;
pub mod doctrine;
pub mod participants;
pub mod sessions;
mod settle;
pub mod votes;

use std::sync::Arc;

use domain::Aggregate;
use eventstore::aggregate::{self as command_loop, Decided};
use eventstore::{derived_event_id, EventStore, Folds, Metadata, Position, RecordedEvent};
use projections::codec;
use projections::Projections;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::accounts::Accounts;
use crate::auth::{Caller, Tokens};
use crate::error::{AppError, AppResult};

/// How many times a command is re-decided when another writer wins its stream.
const MAX_ATTEMPTS: usize = 5;
/// About how many streams' folded states are kept in memory (a few hundred bytes to a
/// few kilobytes each; a concertation's is the largest).
const FOLDS_CAPACITY: usize = 200_000;

/// Everything the services need. Cheap to clone.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: EventStore,
    folds: Folds,
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
                folds: Folds::new(FOLDS_CAPACITY),
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

    /// The running read models, if any (the write path waits for them).
    fn projections(&self) -> Option<&Projections> {
        self.inner.projections.as_deref()
    }

    /// The running read models, for queries, `/ready` and `/metrics`.
    pub fn read_models(&self) -> AppResult<&Projections> {
        self.inner
            .projections
            .as_deref()
            .ok_or_else(|| AppError::Internal("les modèles de lecture ne tournent pas".into()))
    }

    /// Runs one command of aggregate `A`: decide as the caller on its stream's state,
    /// append (retrying on a concurrent write), with ids and metadata from `ctx`.
    pub async fn execute<A>(&self, ctx: &Ctx, command: A::Command) -> AppResult<Applied>
    where
        A: Aggregate,
        A::Command: Clone,
        A::State: Send + Sync + 'static,
    {
        let decided = self.decide::<A>(ctx, &command).await?;
        self.commit::<A>(ctx, command, decided).await
    }

    /// Decides `command` against the current state without appending: lets a caller
    /// refuse a command before doing what must precede it (registering a participant),
    /// so a refused request changes nothing.
    pub async fn precheck<A>(&self, ctx: &Ctx, command: &A::Command) -> AppResult<()>
    where
        A: Aggregate,
        A::Command: Clone,
        A::State: Send + Sync + 'static,
    {
        self.decide::<A>(ctx, command).await.map(|_| ())
    }

    /// A participant's command that may be their first: decided, then the participant
    /// registered if needed, then appended (decided again only if its stream moved).
    pub async fn participant_command<A>(&self, ctx: &Ctx, command: A::Command) -> AppResult<Applied>
    where
        A: Aggregate,
        A::Command: Clone,
        A::State: Send + Sync + 'static,
    {
        // Both only read (the participant's stream and the command's), so they run
        // side by side; the registration is written only once the command stands.
        let (decided, unregistered) = futures::join!(
            self.decide::<A>(ctx, &command),
            self.needs_registration(ctx)
        );
        // The command's refusal first, as when they ran one after the other.
        let (decided, unregistered) = (decided?, unregistered?);
        let registered = if unregistered {
            self.register(ctx).await?
        } else {
            Applied::default()
        };
        let applied = self.commit::<A>(ctx, command, decided).await?;
        Ok(registered.merge(applied))
    }

    /// The decision of `command` on its stream's state (see [`command_loop::decide_cached`]).
    async fn decide<A>(&self, ctx: &Ctx, command: &A::Command) -> AppResult<Decided<A::State>>
    where
        A: Aggregate,
        A::Command: Clone,
        A::State: Send + Sync + 'static,
    {
        let decision = Decision::<A>::of(ctx, command)?;
        let decided = command_loop::decide_cached(
            &self.inner.store,
            &self.inner.folds,
            &decision.stream,
            &mut evolve::<A>,
            &mut |state: &A::State| decision.events(state),
        )
        .await?;
        Ok(decided)
    }

    /// Appends a decided command, deciding again on a concurrent write.
    async fn commit<A>(
        &self,
        ctx: &Ctx,
        command: A::Command,
        decided: Decided<A::State>,
    ) -> AppResult<Applied>
    where
        A: Aggregate,
        A::Command: Clone,
        A::State: Send + Sync + 'static,
    {
        let decision = Decision::<A>::of(ctx, &command)?;
        let span = tracing::info_span!(
            "command",
            stream = %decision.stream_text,
            actor = %ctx.caller.label()
        );
        let _entered = span.enter();
        let executed = command_loop::commit_decided(
            &self.inner.store,
            &self.inner.folds,
            &decision.stream,
            MAX_ATTEMPTS,
            decided,
            &mut evolve::<A>,
            &mut |state: &A::State| decision.events(state),
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

    /// The current state of a stream of aggregate `A` (strongly consistent: the
    /// snapshots commands carry come from here, not from read models that may lag):
    /// its cached fold caught up with the commits after it.
    pub async fn load<A: Aggregate>(&self, stream: &domain::StreamName) -> AppResult<A::State>
    where
        A::State: Send + Sync + 'static,
    {
        let stream = codec::stream_name(stream)?;
        let (state, _) = command_loop::load_cached::<_, _, AppError>(
            &self.inner.store,
            &self.inner.folds,
            &stream,
            &mut evolve::<A>,
        )
        .await?;
        Ok(state)
    }

    /// The cached fold of a stream as it was last seen, *not* checked against the
    /// store: only for what never changes once written (a contribution's concertation),
    /// to start reads that depend on it early.
    pub(crate) fn cached<A: Aggregate>(&self, stream: &domain::StreamName) -> Option<A::State>
    where
        A::State: Send + Sync + 'static,
    {
        let stream = codec::stream_name(stream).ok()?;
        self.inner
            .folds
            .get::<A::State>(&stream)
            .map(|(state, _)| state)
    }

    /// Forgets every cached fold: called once a key is destroyed, so that no plaintext
    /// it sealed stays in memory (the erasure's own event already hid it in the states
    /// it touched; this also covers any other).
    pub(crate) fn forget_folds(&self) {
        self.inner.folds.clear();
    }
}

/// Folds one recorded event of aggregate `A` into its state.
fn evolve<A: Aggregate>(
    state: A::State,
    recorded: &RecordedEvent,
) -> Result<A::State, domain::SchemaError> {
    codec::decode::<A::Event>(recorded).map(|event| A::evolve(state, &event))
}

/// `A::decide` with the events encoded for the store, ids derived from `ctx`.
/// What deciding one command needs besides the state: the stream, who acts, when, and
/// the metadata every event of the decision carries. Built once per decide or commit,
/// so the retries of the command loop decide again with the same actor, time and ids.
struct Decision<'a, A: Aggregate> {
    ctx: &'a Ctx,
    command: &'a A::Command,
    stream: eventstore::StreamName,
    stream_text: String,
    actor: domain::Actor,
    now: OffsetDateTime,
    metadata: Metadata,
}

impl<'a, A: Aggregate> Decision<'a, A>
where
    A::Command: Clone,
{
    fn of(ctx: &'a Ctx, command: &'a A::Command) -> AppResult<Self> {
        let stream = codec::stream_name(&A::stream(command))?;
        Ok(Self {
            ctx,
            command,
            stream_text: stream.to_string(),
            stream,
            actor: ctx.caller.actor(),
            now: OffsetDateTime::now_utc(),
            metadata: ctx.metadata(),
        })
    }

    /// The events the command decides on `state`, encoded with ids derived from the
    /// request (so a retry derives the same ids).
    fn events(&self, state: &A::State) -> Result<Vec<eventstore::NewEvent>, AppError> {
        let events = A::decide(state, self.command.clone(), &self.actor, self.now)?;
        events
            .iter()
            .enumerate()
            .map(|(i, event)| {
                codec::encode(
                    event,
                    self.ctx.event_id(&self.stream_text, i),
                    self.metadata.clone(),
                )
                .map_err(AppError::from)
            })
            .collect()
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
