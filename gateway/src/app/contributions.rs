//! Contribution services: submission (by the author, or recorded by a facilitator in
//! an open session), revision, withdrawal, reports, moderation, appeal, the commission's
//! answer, and erasure of a body by an administrator (its key destroyed).

use std::collections::BTreeSet;

use domain::contribution::{
    stream, AmendmentAnchor, AmendmentDraft, AmendmentOperation, AnswerOutcome, CharterReason,
    Contribution, ContributionAggregate, ContributionCommand as C, ContributionKind,
    ContributionView, ErasureBasis, ModerationDecision, ParentView, SubmitContribution,
};
use domain::participant::{ParticipantAggregate, ParticipantCommand, PersonalData};
use domain::sealed::SealKey;
use domain::values::{
    AppealText, ArticleId, ArticleText, ContributionId, ContributionText, DoctrineId,
    Justification, LanguageTag, ParticipantId, QuestionId, Reason, SessionId, TextHash, ThemeId,
};
use domain::{Actor, Rejection};
use eventstore::KeyId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::check::{parsed, Check};
use super::participants::JoinInput;
use super::{require_participant, require_staff, App, Applied, Ctx};
use crate::auth::{self, recovery_code_hash, Caller};
use crate::error::{AppError, AppResult};

/// An erasure of a contribution's body.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EraseBodyInput {
    /// `court_order`, `charter` or `author_request`.
    pub basis: ErasureBasis,
    /// A note for the record (the order's reference; never the erased text).
    pub note: String,
}

/// The amendment part of a submission.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AmendmentInput {
    /// The article amended.
    pub article: String,
    /// The doctrine version the author read.
    pub version: u32,
    /// `replace`, `insert` or `delete`.
    pub operation: AmendmentOperation,
    /// SHA-256 of the article text the author read; the current text of that version
    /// when omitted.
    #[serde(default)]
    pub base_hash: Option<String>,
    /// The proposed text (replace and insert).
    #[serde(default)]
    pub proposed_text: Option<String>,
}

/// A submission.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitInput {
    /// The concertation.
    pub concertation: Uuid,
    /// The question answered.
    pub question: Uuid,
    /// `opinion`, `proposal`, `statement`, `amendment` or `comment`.
    pub kind: ContributionKind,
    /// The text.
    pub text: String,
    /// Themes of the concertation.
    #[serde(default)]
    pub themes: Vec<Uuid>,
    /// Language tag of the text (`fr` by default).
    #[serde(default)]
    pub language: Option<String>,
    /// For a comment: the contribution answered.
    #[serde(default)]
    pub parent: Option<Uuid>,
    /// For an amendment.
    #[serde(default)]
    pub amendment: Option<AmendmentInput>,
    /// For a facilitator recording in a session: the session…
    #[serde(default)]
    pub session: Option<Uuid>,
    /// …and who the attendee is (a new pseudonym is registered for them).
    #[serde(default)]
    pub attendee: Option<JoinInput>,
}

/// A revision by the author.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReviseInput {
    /// The new text.
    pub text: String,
    /// The new proposed article text (amendments).
    #[serde(default)]
    pub proposed_text: Option<String>,
}

/// A report.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// A reason from the charter.
    pub reason: CharterReason,
    /// A note (required for `other`).
    #[serde(default)]
    pub note: Option<String>,
}

/// What a facilitator decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionInput {
    /// Publish a pending contribution.
    Approve,
    /// Hide it (give `reason`).
    Hide,
    /// Publish a hidden one again.
    Restore,
    /// Mark as a duplicate (give `of`).
    MarkDuplicate,
    /// Set its themes (give `themes`).
    TagThemes,
    /// Feature it.
    Feature,
}

/// A moderation decision.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModerateInput {
    /// The decision.
    pub decision: DecisionInput,
    /// Charter reason (hide).
    #[serde(default)]
    pub reason: Option<CharterReason>,
    /// The original (mark duplicate).
    #[serde(default)]
    pub of: Option<Uuid>,
    /// Themes (tag themes).
    #[serde(default)]
    pub themes: Option<Vec<Uuid>>,
    /// The facilitator's note, always required.
    pub note: String,
}

/// An appeal by the author.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AppealInput {
    /// The author's argument.
    pub text: String,
}

/// A decision on an appeal.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DecideAppealInput {
    /// Whether the appeal is granted.
    pub granted: bool,
    /// Why.
    pub note: String,
}

/// The commission's answer.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// `adopted`, `adopted_with_changes` or `rejected`.
    pub outcome: AnswerOutcome,
    /// Why.
    pub justification: String,
}

fn themes(ids: &[Uuid]) -> BTreeSet<ThemeId> {
    ids.iter().map(|id| ThemeId::from_uuid(*id)).collect()
}

impl App {
    /// The contribution, folded from its stream; 404 when it does not exist.
    pub async fn contribution(&self, id: ContributionId) -> AppResult<Contribution> {
        self.load::<ContributionAggregate>(&stream(id))
            .await?
            .contribution
            .ok_or(AppError::Rejected(Rejection::ContributionNotFound))
    }

    /// The snapshot of the concertation a contribution belongs to, as the domain's
    /// commands on that contribution need it.
    async fn snapshot_of(
        &self,
        id: ContributionId,
    ) -> AppResult<domain::concertation::ConcertationSnapshot> {
        Ok(self.contribution_with_snapshot(id).await?.1)
    }

    /// The contribution and its concertation's snapshot, both folded from their
    /// streams (404 when the contribution does not exist). A contribution never moves
    /// to another concertation, so when this process has seen it already, both streams
    /// are read side by side instead of one after the other.
    pub(crate) async fn contribution_with_snapshot(
        &self,
        id: ContributionId,
    ) -> AppResult<(Contribution, domain::concertation::ConcertationSnapshot)> {
        let known = self
            .cached::<ContributionAggregate>(&stream(id))
            .and_then(|state| state.contribution)
            .map(|c| c.concertation);
        if let Some(concertation) = known {
            let (contribution, snapshot) = futures::join!(
                self.contribution(id),
                self.concertation_snapshot(concertation)
            );
            // The contribution's refusal (not found) first, as when read in turn.
            let contribution = contribution?;
            if contribution.concertation == concertation {
                return Ok((contribution, snapshot?));
            }
        }
        let contribution = self.contribution(id).await?;
        let snapshot = self
            .concertation_snapshot(contribution.concertation)
            .await?;
        Ok((contribution, snapshot))
    }

    /// Submits a contribution; returns its id. A participant's first contribution
    /// registers them first; a facilitator recording in a session registers the
    /// attendee's new pseudonym (as the system: the attendee has no token).
    pub async fn submit(
        &self,
        ctx: &Ctx,
        input: SubmitInput,
    ) -> AppResult<(ContributionId, Applied)> {
        let mut check = Check::new();
        let text = check.field("/text", ContributionText::parse(&input.text));
        let language = check.field(
            "/language",
            input
                .language
                .as_deref()
                .map(LanguageTag::parse)
                .unwrap_or_else(|| Ok(LanguageTag::french())),
        );
        let amendment = input.amendment.as_ref().map(|a| {
            let article = check.field("/amendment/article", ArticleId::parse(&a.article));
            let base = check.optional(
                "/amendment/base_hash",
                a.base_hash.as_deref(),
                TextHash::parse,
            );
            let proposed = check.optional(
                "/amendment/proposed_text",
                a.proposed_text.as_deref(),
                ArticleText::parse,
            );
            (article, base, proposed, a.version, a.operation)
        });
        check.finish()?;
        let concertation = self
            .concertation_snapshot(domain::values::ConcertationId::from_uuid(
                input.concertation,
            ))
            .await?;
        let question = QuestionId::from_uuid(input.question);
        let parent = match input.parent {
            Some(parent) => {
                let parent = self.contribution(ContributionId::from_uuid(parent)).await?;
                Some(ParentView {
                    id: parent.id,
                    concertation: parent.concertation,
                })
            }
            None => None,
        };
        let amendment = match amendment {
            None => None,
            Some((article, base, proposed, version, operation)) => {
                let article = parsed(article);
                let doctrine = match concertation.questions.get(&question) {
                    Some(domain::concertation::QuestionKind::Amendments { doctrine }) => *doctrine,
                    _ => return Err(AppError::Rejected(Rejection::AnchorMismatch)),
                };
                let hash_at_anchor = self.article_hash(doctrine, version, &article).await?;
                let base_hash = match parsed(base) {
                    Some(hash) => hash,
                    None => hash_at_anchor.clone().ok_or(AppError::Rejected(
                        Rejection::UnknownArticle {
                            article: article.to_string(),
                        },
                    ))?,
                };
                Some(AmendmentDraft {
                    anchor: AmendmentAnchor {
                        doctrine,
                        version,
                        article,
                        base_hash,
                        operation,
                    },
                    proposed_text: parsed(proposed),
                    article_hash_at_anchor: hash_at_anchor,
                })
            }
        };
        let id = ContributionId::from_uuid(ctx.new_id("contribution"));
        let (author, session, attendee) = match (&ctx.caller, input.session) {
            (Caller::Participant(claims), None) => {
                if input.attendee.is_some() {
                    return Err(AppError::Invalid(vec![crate::error::FieldError::code(
                        "/attendee",
                        "request.invalid",
                    )]));
                }
                (claims.participant, None, None)
            }
            (Caller::Staff { .. }, Some(session)) => {
                let session = self
                    .session(SessionId::from_uuid(session))
                    .await?
                    .snapshot();
                // The domain checks the facilitator before anything is registered for
                // the attendee, so a refused recording leaves no trace.
                concertation.require_facilitator(&ctx.caller.actor(), "action.run_session")?;
                if session.concertation != concertation.id {
                    return Err(AppError::Rejected(Rejection::SessionElsewhere));
                }
                if !session.open {
                    return Err(AppError::Rejected(Rejection::SessionNotOpen));
                }
                let attendee = input.attendee.clone().ok_or_else(|| {
                    AppError::Invalid(vec![crate::error::FieldError::code(
                        "/attendee",
                        "request.invalid",
                    )])
                })?;
                let participant = ParticipantId::from_uuid(ctx.new_id("attendee"));
                (participant, Some(session), Some(attendee))
            }
            (Caller::Staff { .. }, None) => {
                return Err(AppError::Forbidden("auth.participant_only"))
            }
            (_, Some(_)) => {
                return Err(AppError::Rejected(Rejection::Forbidden {
                    action: "action.run_session",
                }))
            }
            (Caller::System, None) => return Err(AppError::Forbidden("auth.participant_only")),
        };
        let command = C::Submit(Box::new(SubmitContribution {
            id,
            concertation,
            question,
            kind: input.kind,
            author,
            parent,
            themes: themes(&input.themes),
            language: parsed(language),
            text: parsed(text),
            amendment,
            session,
        }));
        let applied = match attendee {
            None => {
                self.participant_command::<ContributionAggregate>(ctx, command)
                    .await?
            }
            Some(attendee) => {
                self.precheck::<ContributionAggregate>(ctx, &command)
                    .await?;
                let registered = self.register_attendee(ctx, author, attendee).await?;
                registered.merge(self.execute::<ContributionAggregate>(ctx, command).await?)
            }
        };
        Ok((id, applied))
    }

    async fn register_attendee(
        &self,
        ctx: &Ctx,
        participant: ParticipantId,
        attendee: JoinInput,
    ) -> AppResult<Applied> {
        let joined = self.join(attendee)?;
        let claims = self.tokens().participant(&joined.token)?;
        let pending = claims.pending.expect("a joined participant is pending");
        let system = Ctx {
            caller: Caller::System,
            ..ctx.clone()
        };
        let applied = self
            .execute::<ParticipantAggregate>(
                &system,
                ParticipantCommand::Register {
                    id: participant,
                    kind: pending.kind,
                    // Attendees never receive this code: their pseudonym is the session's.
                    recovery_code_hash: recovery_code_hash(&auth::new_recovery_code()),
                    personal: PersonalData::default(),
                },
            )
            .await?;
        Ok(applied)
    }

    /// The author revises their contribution.
    pub async fn revise(
        &self,
        ctx: &Ctx,
        id: ContributionId,
        input: ReviseInput,
    ) -> AppResult<Applied> {
        require_participant(ctx)?;
        let mut check = Check::new();
        let text = check.field("/text", ContributionText::parse(&input.text));
        let proposed = check.optional(
            "/proposed_text",
            input.proposed_text.as_deref(),
            ArticleText::parse,
        );
        check.finish()?;
        let concertation = self.snapshot_of(id).await?;
        self.execute::<ContributionAggregate>(
            ctx,
            C::Revise {
                id,
                concertation,
                text: parsed(text),
                proposed_text: parsed(proposed),
            },
        )
        .await
    }

    /// The author withdraws their contribution.
    pub async fn withdraw(&self, ctx: &Ctx, id: ContributionId) -> AppResult<Applied> {
        require_participant(ctx)?;
        let concertation = self.snapshot_of(id).await?;
        self.execute::<ContributionAggregate>(ctx, C::Withdraw { id, concertation })
            .await
    }

    /// A participant reports a contribution.
    pub async fn report(
        &self,
        ctx: &Ctx,
        id: ContributionId,
        input: ReportInput,
    ) -> AppResult<Applied> {
        let claims = require_participant(ctx)?.clone();
        let mut check = Check::new();
        let note = check.optional("/note", input.note.as_deref(), Reason::parse);
        check.finish()?;
        self.contribution(id).await?;
        self.participant_command::<ContributionAggregate>(
            ctx,
            C::Report {
                id,
                reporter: claims.participant,
                reason: input.reason,
                note: parsed(note),
            },
        )
        .await
    }

    /// An assigned facilitator moderates a contribution.
    pub async fn moderate(
        &self,
        ctx: &Ctx,
        id: ContributionId,
        input: ModerateInput,
    ) -> AppResult<Applied> {
        require_staff(ctx)?;
        let mut check = Check::new();
        let note = check.field("/note", Reason::parse(&input.note));
        let decision = match (input.decision, input.reason, input.of, &input.themes) {
            (DecisionInput::Approve, None, None, None) => Some(ModerationDecision::Approve),
            (DecisionInput::Hide, Some(reason), None, None) => {
                Some(ModerationDecision::Hide { reason })
            }
            (DecisionInput::Restore, None, None, None) => Some(ModerationDecision::Restore),
            (DecisionInput::MarkDuplicate, None, Some(of), None) => {
                Some(ModerationDecision::MarkDuplicate {
                    of: ContributionId::from_uuid(of),
                })
            }
            (DecisionInput::TagThemes, None, None, Some(list)) => {
                Some(ModerationDecision::TagThemes {
                    themes: themes(list),
                })
            }
            (DecisionInput::Feature, None, None, None) => Some(ModerationDecision::Feature),
            _ => {
                check.fail("/decision", "request.invalid", Vec::new());
                None
            }
        };
        check.finish()?;
        let contribution = self.contribution(id).await?;
        let concertation = self
            .concertation_snapshot(contribution.concertation)
            .await?;
        let duplicate_of = match &decision {
            Some(ModerationDecision::MarkDuplicate { of }) => {
                Some(ContributionView::of(&self.contribution(*of).await?))
            }
            _ => None,
        };
        self.execute::<ContributionAggregate>(
            ctx,
            C::Moderate {
                id,
                concertation,
                decision: parsed(decision),
                note: parsed(note),
                duplicate_of,
            },
        )
        .await
    }

    /// The author appeals the last hide or duplicate mark.
    pub async fn appeal(
        &self,
        ctx: &Ctx,
        id: ContributionId,
        input: AppealInput,
    ) -> AppResult<Applied> {
        require_participant(ctx)?;
        let mut check = Check::new();
        let text = check.field("/text", AppealText::parse(&input.text));
        check.finish()?;
        self.contribution(id).await?;
        self.execute::<ContributionAggregate>(
            ctx,
            C::Appeal {
                id,
                text: parsed(text),
            },
        )
        .await
    }

    /// Another facilitator or the commission decides an appeal.
    pub async fn decide_appeal(
        &self,
        ctx: &Ctx,
        id: ContributionId,
        input: DecideAppealInput,
    ) -> AppResult<Applied> {
        require_staff(ctx)?;
        let mut check = Check::new();
        let note = check.field("/note", Reason::parse(&input.note));
        check.finish()?;
        let concertation = self.snapshot_of(id).await?;
        self.execute::<ContributionAggregate>(
            ctx,
            C::DecideAppeal {
                id,
                concertation,
                granted: input.granted,
                note: parsed(note),
            },
        )
        .await
    }

    /// The commission answers a proposal or an amendment.
    pub async fn answer(
        &self,
        ctx: &Ctx,
        id: ContributionId,
        input: AnswerInput,
    ) -> AppResult<Applied> {
        require_staff(ctx)?;
        let mut check = Check::new();
        let justification =
            check.field("/justification", Justification::parse(&input.justification));
        check.finish()?;
        let concertation = self.snapshot_of(id).await?;
        self.execute::<ContributionAggregate>(
            ctx,
            C::Answer {
                id,
                concertation,
                outcome: input.outcome,
                justification: parsed(justification),
            },
        )
        .await
    }

    /// Erases a contribution's body for good: records the decision (an administrator
    /// of the concertation's collectivité, with its ground and a note), then destroys
    /// the body's key, so the text is gone from the log's ciphertext and the read
    /// models forget it. Asked again after the event, it destroys the key again: that
    /// finishes an erasure a crash interrupted between the event and the key.
    pub async fn erase_contribution_body(
        &self,
        ctx: &Ctx,
        id: ContributionId,
        input: EraseBodyInput,
    ) -> AppResult<Applied> {
        require_staff(ctx)?;
        let mut check = Check::new();
        let note = check.field("/note", Reason::parse(&input.note));
        check.finish()?;
        let contribution = self.contribution(id).await?;
        let concertation = self
            .concertation_snapshot(contribution.concertation)
            .await?;
        let collectivite = concertation.collectivite.clone();
        let command = C::EraseBody {
            id,
            concertation,
            basis: input.basis,
            note: parsed(note),
        };
        let applied = match self.execute::<ContributionAggregate>(ctx, command).await {
            // Erased before: that refusal speaks of the state, not of the caller, so
            // the caller is checked here (the domain's rule) before the key goes again.
            Err(AppError::Rejected(Rejection::BodyErased)) => match ctx.caller.actor() {
                Actor::Administrator {
                    collectivite: own, ..
                } if own == collectivite => Applied::default(),
                Actor::Administrator { .. } => {
                    return Err(AppError::Rejected(Rejection::OtherCollectivite))
                }
                _ => return Err(AppError::Forbidden("auth.admin_only")),
            },
            other => other?,
        };
        let key = KeyId::parse(SealKey::contribution(id).as_str())?;
        self.store().keys().destroy(&key).await?;
        self.forget_folds();
        tracing::info!(contribution = %id, by = %ctx.caller.label(), request = %ctx.request_id, "corps de contribution effacé (clé détruite)");
        Ok(applied)
    }

    /// The hash of a doctrine article at a version, for an amendment's anchor.
    pub async fn article_hash(
        &self,
        doctrine: DoctrineId,
        version: u32,
        article: &ArticleId,
    ) -> AppResult<Option<TextHash>> {
        let doctrine = self.doctrine(doctrine).await?;
        Ok(doctrine.article_hash(version, article))
    }
}
