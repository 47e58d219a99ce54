//! Concertation services: creation (with its slug), configuration, phases and
//! facilitator assignments. Commission and administrators only; the domain checks the
//! collectivité.

use domain::concertation::{
    stream, Concertation, ConcertationAggregate, ConcertationCommand as C, ConcertationSnapshot,
    CreateConcertation, ModerationMode, QuestionKind,
};
use domain::slug_reservation::{ReserveSlug, SlugReservation};
use domain::territory::TerritoryCode;
use domain::values::{
    ConcertationId, Description, DoctrineId, Minutes, QuestionId, QuestionPrompt, Reason, Slug,
    StaffId, ThemeId, ThemeLabel, Title,
};
use domain::Rejection;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::check::{parsed, Check};
use super::{require_staff, App, Applied, Ctx};
use crate::accounts::StaffRole;
use crate::error::{AppError, AppResult};

/// A new concertation, as typed by the commission.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CreateInput {
    /// Address name (`ia-metropole`).
    pub slug: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Territory codes (`COM:75056`, `EPCI:…`, `DEP:…`, `REG:…`, `FR`).
    pub territories: Vec<String>,
    /// `a_priori` or `a_posteriori`.
    pub moderation: ModerationMode,
    /// Scheduled opening (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub opens_at: OffsetDateTime,
    /// Scheduled closing (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub closes_at: OffsetDateTime,
}

/// New details (draft only).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DetailsInput {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Territory codes.
    pub territories: Vec<String>,
}

/// A new theme.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeInput {
    /// Its label.
    pub label: String,
}

/// What kind of question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKindInput {
    /// Free text.
    Open,
    /// Polis-style statements.
    Statements,
    /// Amendments to a doctrine (give `doctrine`).
    Amendments,
}

/// A new question (draft only).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    /// Its kind.
    pub kind: QuestionKindInput,
    /// The doctrine amended (amendments only).
    #[serde(default)]
    pub doctrine: Option<Uuid>,
    /// The prompt.
    pub prompt: String,
}

/// A new schedule (draft only).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// Opening.
    #[serde(with = "time::serde::rfc3339")]
    pub opens_at: OffsetDateTime,
    /// Closing.
    #[serde(with = "time::serde::rfc3339")]
    pub closes_at: OffsetDateTime,
}

/// A reason (closing early).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    /// Why.
    pub reason: String,
}

/// A later closing, with a reason.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExtendInput {
    /// The new closing.
    #[serde(with = "time::serde::rfc3339")]
    pub closes_at: OffsetDateTime,
    /// Why.
    pub reason: String,
}

/// The synthesis summary.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SynthesisInput {
    /// The summary.
    pub summary: String,
}

/// The moderation mode.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModerationInput {
    /// `a_priori` or `a_posteriori`.
    pub mode: ModerationMode,
}

/// A facilitator to assign.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FacilitatorInput {
    /// The facilitator's staff id.
    pub staff_id: Uuid,
}

fn territories(check: &mut Check, items: &[String]) -> Option<Vec<TerritoryCode>> {
    check.list("/territories", items, TerritoryCode::parse)
}

impl App {
    /// The concertation, folded from its stream; 404 when it does not exist.
    pub async fn concertation(&self, id: ConcertationId) -> AppResult<Concertation> {
        self.load::<ConcertationAggregate>(&stream(id))
            .await?
            .concertation
            .ok_or(AppError::Rejected(Rejection::ConcertationNotFound))
    }

    /// The snapshot other aggregates' commands carry.
    pub async fn concertation_snapshot(
        &self,
        id: ConcertationId,
    ) -> AppResult<ConcertationSnapshot> {
        Ok(self.concertation(id).await?.snapshot())
    }

    /// Creates a draft concertation: reserves its slug, then creates it, for the
    /// caller's collectivité. Returns its id.
    pub async fn create_concertation(
        &self,
        ctx: &Ctx,
        input: CreateInput,
    ) -> AppResult<(ConcertationId, Applied)> {
        let account = require_staff(ctx)?;
        let mut check = Check::new();
        let slug = check.field("/slug", Slug::parse(&input.slug));
        let title = check.field("/title", Title::parse(&input.title));
        let description = check.field("/description", Description::parse(&input.description));
        let territories = territories(&mut check, &input.territories);
        check.finish()?;
        let collectivite =
            account
                .collectivite
                .clone()
                .ok_or(AppError::Rejected(Rejection::Forbidden {
                    action: "action.configure",
                }))?;
        let id = ConcertationId::from_uuid(ctx.new_id("concertation"));
        let slug = parsed(slug);
        let reserved = self
            .execute::<SlugReservation>(
                ctx,
                ReserveSlug {
                    slug: slug.clone(),
                    concertation: id,
                },
            )
            .await?;
        let created = self
            .execute::<ConcertationAggregate>(
                ctx,
                C::Create(CreateConcertation {
                    id,
                    slug,
                    collectivite,
                    title: parsed(title),
                    description: parsed(description),
                    territories: parsed(territories),
                    moderation: input.moderation,
                    opens_at: input.opens_at,
                    closes_at: input.closes_at,
                }),
            )
            .await?;
        Ok((id, reserved.merge(created)))
    }

    /// Runs a concertation command as the caller.
    async fn concertation_command(&self, ctx: &Ctx, command: C) -> AppResult<Applied> {
        require_staff(ctx)?;
        self.execute::<ConcertationAggregate>(ctx, command).await
    }

    /// Edits title, description and scope (draft).
    pub async fn edit_details(
        &self,
        ctx: &Ctx,
        id: ConcertationId,
        input: DetailsInput,
    ) -> AppResult<Applied> {
        let mut check = Check::new();
        let title = check.field("/title", Title::parse(&input.title));
        let description = check.field("/description", Description::parse(&input.description));
        let territories = territories(&mut check, &input.territories);
        check.finish()?;
        self.concertation_command(
            ctx,
            C::EditDetails {
                id,
                title: parsed(title),
                description: parsed(description),
                territories: parsed(territories),
            },
        )
        .await
    }

    /// Adds a theme; returns its id.
    pub async fn add_theme(
        &self,
        ctx: &Ctx,
        id: ConcertationId,
        input: ThemeInput,
    ) -> AppResult<(ThemeId, Applied)> {
        let mut check = Check::new();
        let label = check.field("/label", ThemeLabel::parse(&input.label));
        check.finish()?;
        let theme = ThemeId::from_uuid(ctx.new_id("theme"));
        let applied = self
            .concertation_command(
                ctx,
                C::AddTheme {
                    id,
                    theme,
                    label: parsed(label),
                },
            )
            .await?;
        Ok((theme, applied))
    }

    /// Adds a question; returns its id.
    pub async fn add_question(
        &self,
        ctx: &Ctx,
        id: ConcertationId,
        input: QuestionInput,
    ) -> AppResult<(QuestionId, Applied)> {
        let mut check = Check::new();
        let prompt = check.field("/prompt", QuestionPrompt::parse(&input.prompt));
        let kind = match (input.kind, input.doctrine) {
            (QuestionKindInput::Open, None) => Some(QuestionKind::Open),
            (QuestionKindInput::Statements, None) => Some(QuestionKind::Statements),
            (QuestionKindInput::Amendments, Some(doctrine)) => Some(QuestionKind::Amendments {
                doctrine: DoctrineId::from_uuid(doctrine),
            }),
            _ => {
                check.fail("/doctrine", "request.invalid", Vec::new());
                None
            }
        };
        check.finish()?;
        let question = QuestionId::from_uuid(ctx.new_id("question"));
        let applied = self
            .concertation_command(
                ctx,
                C::AddQuestion {
                    id,
                    question,
                    kind: parsed(kind),
                    prompt: parsed(prompt),
                },
            )
            .await?;
        Ok((question, applied))
    }

    /// Changes the moderation mode.
    pub async fn change_moderation(
        &self,
        ctx: &Ctx,
        id: ConcertationId,
        input: ModerationInput,
    ) -> AppResult<Applied> {
        self.concertation_command(
            ctx,
            C::ChangeModerationMode {
                id,
                mode: input.mode,
            },
        )
        .await
    }

    /// Reschedules (draft).
    pub async fn reschedule(
        &self,
        ctx: &Ctx,
        id: ConcertationId,
        input: ScheduleInput,
    ) -> AppResult<Applied> {
        self.concertation_command(
            ctx,
            C::Reschedule {
                id,
                opens_at: input.opens_at,
                closes_at: input.closes_at,
            },
        )
        .await
    }

    /// Assigns a facilitator account to the concertation.
    pub async fn assign_facilitator(
        &self,
        ctx: &Ctx,
        id: ConcertationId,
        staff: StaffId,
    ) -> AppResult<Applied> {
        let account = self
            .accounts()
            .by_id(staff)
            .await?
            .ok_or(AppError::NotFound("account.not_found"))?;
        if account.role != StaffRole::Facilitator {
            return Err(AppError::Conflict("account.not_facilitator"));
        }
        self.concertation_command(
            ctx,
            C::AssignFacilitator {
                id,
                facilitator: staff,
            },
        )
        .await
    }

    /// Removes a facilitator's assignment.
    pub async fn unassign_facilitator(
        &self,
        ctx: &Ctx,
        id: ConcertationId,
        staff: StaffId,
    ) -> AppResult<Applied> {
        self.concertation_command(
            ctx,
            C::UnassignFacilitator {
                id,
                facilitator: staff,
            },
        )
        .await
    }

    /// Opens the concertation now.
    pub async fn open_concertation(&self, ctx: &Ctx, id: ConcertationId) -> AppResult<Applied> {
        self.concertation_command(ctx, C::Open { id }).await
    }

    /// Closes it before the scheduled time.
    pub async fn close_early(
        &self,
        ctx: &Ctx,
        id: ConcertationId,
        input: ReasonInput,
    ) -> AppResult<Applied> {
        let mut check = Check::new();
        let reason = check.field("/reason", Reason::parse(&input.reason));
        check.finish()?;
        self.concertation_command(
            ctx,
            C::CloseEarly {
                id,
                reason: parsed(reason),
            },
        )
        .await
    }

    /// Moves the closing later.
    pub async fn extend(
        &self,
        ctx: &Ctx,
        id: ConcertationId,
        input: ExtendInput,
    ) -> AppResult<Applied> {
        let mut check = Check::new();
        let reason = check.field("/reason", Reason::parse(&input.reason));
        check.finish()?;
        self.concertation_command(
            ctx,
            C::Extend {
                id,
                closes_at: input.closes_at,
                reason: parsed(reason),
            },
        )
        .await
    }

    /// Publishes the synthesis.
    pub async fn publish_synthesis(
        &self,
        ctx: &Ctx,
        id: ConcertationId,
        input: SynthesisInput,
    ) -> AppResult<Applied> {
        let mut check = Check::new();
        let summary = check.field("/summary", Minutes::parse(&input.summary));
        check.finish()?;
        self.concertation_command(
            ctx,
            C::PublishSynthesis {
                id,
                summary: parsed(summary),
            },
        )
        .await
    }

    /// Archives.
    pub async fn archive(&self, ctx: &Ctx, id: ConcertationId) -> AppResult<Applied> {
        self.concertation_command(ctx, C::Archive { id }).await
    }

    /// Opens the drafts and closes the open concertations that are due at `now`, as
    /// the system actor (run periodically by `serve`); the candidates come from the
    /// read model, and the domain decides on the folded stream, so a stale candidate
    /// is refused, never wrongly opened or closed. Returns how many changed phase.
    pub async fn run_schedule(&self, now: time::OffsetDateTime) -> AppResult<usize> {
        let (to_open, to_close) = crate::queries::due(self, now)?;
        let ctx = Ctx::new(crate::auth::Caller::System);
        let commands = to_open
            .into_iter()
            .map(|id| C::Open { id })
            .chain(to_close.into_iter().map(|id| C::Close { id }));
        let mut changed = 0;
        for command in commands {
            match self.execute::<ConcertationAggregate>(&ctx, command).await {
                Ok(applied) if applied.events > 0 => {
                    changed += 1;
                    self.settle(applied).await;
                }
                Ok(_) | Err(AppError::Rejected(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(changed)
    }
}
