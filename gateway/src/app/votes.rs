//! Votes on statements and supports of proposals and amendments. The statement or
//! target is folded from its own stream (strongly consistent) and the concertation
//! snapshot alongside (side by side once the target is known); the participant is registered on their first vote or support.

use domain::ballot::{Ballot, CastVote, Vote};
use domain::contribution::ContributionView;
use domain::support::{Stance, SupportCommand, Supports};
use domain::values::ContributionId;
use serde::{Deserialize, Serialize};

use super::{require_participant, App, Applied, Ctx};
use crate::error::AppResult;

/// A vote.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VoteInput {
    /// `agree`, `disagree` or `pass`.
    pub vote: Vote,
}

/// A support or an opposition.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SupportInput {
    /// `support` or `oppose`.
    pub stance: Stance,
}

impl App {
    /// Casts (or changes) the caller's vote on a statement.
    pub async fn vote(
        &self,
        ctx: &Ctx,
        statement: ContributionId,
        input: VoteInput,
    ) -> AppResult<Applied> {
        let claims = require_participant(ctx)?.clone();
        let (statement, concertation) = self.contribution_with_snapshot(statement).await?;
        let command = CastVote {
            participant: claims.participant,
            concertation,
            question: statement.question,
            statement: ContributionView::of(&statement),
            vote: input.vote,
        };
        self.participant_command::<Ballot>(ctx, command).await
    }

    /// Supports or opposes a proposal or an amendment.
    pub async fn support(
        &self,
        ctx: &Ctx,
        target: ContributionId,
        input: SupportInput,
    ) -> AppResult<Applied> {
        let claims = require_participant(ctx)?.clone();
        let (target, concertation) = self.contribution_with_snapshot(target).await?;
        let command = SupportCommand::Give {
            participant: claims.participant,
            concertation,
            target: ContributionView::of(&target),
            stance: input.stance,
        };
        self.participant_command::<Supports>(ctx, command).await
    }

    /// Withdraws the caller's support on a contribution.
    pub async fn withdraw_support(&self, ctx: &Ctx, target: ContributionId) -> AppResult<Applied> {
        let claims = require_participant(ctx)?.clone();
        let contribution = self.contribution(target).await?;
        let concertation = self
            .concertation_snapshot(contribution.concertation)
            .await?;
        self.execute::<Supports>(
            ctx,
            SupportCommand::Withdraw {
                participant: claims.participant,
                concertation,
                target,
            },
        )
        .await
    }
}
