//! Ballots: one participant's votes on the statements of one question.
//! Stream `ballot-<participant>-<question>`.
//!
//! One stream per participant and question keeps the hot path free of
//! contention (thousands of participants voting on one statement never touch
//! the same stream) while keeping the number of streams reasonable for
//! JetStream (not one per vote). A later vote on the same statement replaces the
//! earlier one; the event says which it replaced so tallies can subtract it.

use crate::actor::Actor;
use crate::aggregate::{Aggregate, StreamName};
use crate::concertation::{ConcertationSnapshot, QuestionKind};
use crate::contribution::{ContributionKind, ContributionStatus, ContributionView};
use crate::rejection::Rejection;
use crate::schema::DomainEvent;
use crate::values::{ContributionId, ParticipantId, QuestionId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// A vote on a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vote {
    /// D'accord.
    Agree,
    /// Pas d'accord.
    Disagree,
    /// Passer.
    Pass,
}

/// Casts (or replaces) a vote.
#[derive(Debug, Clone, PartialEq)]
pub struct CastVote {
    /// The voter.
    pub participant: ParticipantId,
    /// The concertation, as folded just before.
    pub concertation: ConcertationSnapshot,
    /// The question the statement belongs to.
    pub question: QuestionId,
    /// The statement, as the read model knows it.
    pub statement: ContributionView,
    /// The vote.
    pub vote: Vote,
}

/// What happened in a ballot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum BallotEvent {
    /// A vote was cast (schema v2: `vote` was `choice`; `replaces` added).
    VoteCast {
        /// The voter.
        participant: ParticipantId,
        /// The question.
        question: QuestionId,
        /// The statement.
        statement: ContributionId,
        /// The vote.
        vote: Vote,
        /// The vote it replaces, if any.
        replaces: Option<Vote>,
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

crate::event_types!(BallotEvent { VoteCast });

impl DomainEvent for BallotEvent {
    fn event_type(&self) -> &'static str {
        self.type_name()
    }
}

/// The current vote per statement.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BallotState {
    /// Latest vote by statement.
    pub votes: BTreeMap<ContributionId, Vote>,
}

/// The ballot aggregate.
pub struct Ballot;

/// The stream of a ballot: `ballot-<participant>-<question>`.
pub fn stream(participant: ParticipantId, question: QuestionId) -> StreamName {
    StreamName::new(Ballot::CATEGORY, format!("{participant}-{question}"))
}

impl Aggregate for Ballot {
    const CATEGORY: &'static str = "ballot";
    type State = BallotState;
    type Command = CastVote;
    type Event = BallotEvent;

    fn stream(command: &CastVote) -> StreamName {
        stream(command.participant, command.question)
    }

    fn decide(
        state: &BallotState,
        c: CastVote,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<Vec<BallotEvent>, Rejection> {
        actor.require_participant(c.participant, "action.participate")?;
        c.concertation.require_open(now)?;
        if *c.concertation.question(c.question)? != QuestionKind::Statements {
            return Err(Rejection::NotAStatement);
        }
        let s = &c.statement;
        if s.kind != ContributionKind::Statement
            || s.question != c.question
            || s.concertation != c.concertation.id
        {
            return Err(Rejection::NotAStatement);
        }
        // Pending statements are votable: a priori moderation must not freeze
        // the conversation; only hidden or withdrawn ones are refused.
        if s.withdrawn || s.status == ContributionStatus::Hidden {
            return Err(Rejection::StatementUnavailable);
        }
        let previous = state.votes.get(&s.id).copied();
        if previous == Some(c.vote) {
            return Ok(vec![]);
        }
        Ok(vec![BallotEvent::VoteCast {
            participant: c.participant,
            question: c.question,
            statement: s.id,
            vote: c.vote,
            replaces: previous,
            at: now,
        }])
    }

    fn evolve(mut state: BallotState, event: &BallotEvent) -> BallotState {
        let BallotEvent::VoteCast {
            statement, vote, ..
        } = event;
        state.votes.insert(*statement, *vote);
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::concertation::{ModerationMode, Phase};
    use crate::testing::fixtures::*;
    use crate::testing::given;

    fn statement() -> ContributionId {
        ContributionId::from_uuid(uuid::Uuid::from_u128(0x7001))
    }

    fn cast(vote: Vote) -> CastVote {
        CastVote {
            participant: alice(),
            concertation: open_snapshot(),
            question: statements_question(),
            statement: statement_view(statement()),
            vote,
        }
    }

    #[test]
    fn the_stream_is_per_participant_and_question() {
        let s = Ballot::stream(&cast(Vote::Agree));
        assert_eq!(s.category(), "ballot");
        assert_eq!(
            s.as_str(),
            format!("ballot-{}-{}", alice(), statements_question())
        );
    }

    #[test]
    fn a_later_vote_replaces_the_earlier_one() {
        let first = given::<Ballot>([])
            .by(as_participant(alice()))
            .when(cast(Vote::Agree))
            .then_accepted();
        let again = given::<Ballot>(first.clone())
            .by(as_participant(alice()))
            .when(cast(Vote::Disagree))
            .then_accepted();
        assert!(matches!(
            again[0],
            BallotEvent::VoteCast {
                replaces: Some(Vote::Agree),
                vote: Vote::Disagree,
                ..
            }
        ));
        given::<Ballot>(first)
            .by(as_participant(alice()))
            .when(cast(Vote::Agree))
            .then_emits([]);
    }

    #[test]
    fn votes_on_pending_statements_are_accepted_but_not_on_hidden_or_withdrawn() {
        let mut c = cast(Vote::Pass);
        c.statement.status = ContributionStatus::Pending;
        given::<Ballot>([])
            .by(as_participant(alice()))
            .when(c.clone())
            .then_accepted();
        c.statement.status = ContributionStatus::Hidden;
        given::<Ballot>([])
            .by(as_participant(alice()))
            .when(c.clone())
            .then_rejected(Rejection::StatementUnavailable);
        c.statement.status = ContributionStatus::Published;
        c.statement.withdrawn = true;
        given::<Ballot>([])
            .by(as_participant(alice()))
            .when(c)
            .then_rejected(Rejection::StatementUnavailable);
    }

    #[test]
    fn no_vote_outside_the_open_phase_or_for_someone_else() {
        let mut c = cast(Vote::Agree);
        c.concertation = snapshot_in(Phase::Closed, ModerationMode::APosteriori);
        given::<Ballot>([])
            .by(as_participant(alice()))
            .when(c)
            .then_rejected_with("concertation.wrong_phase");
        given::<Ballot>([])
            .by(as_participant(bob()))
            .when(cast(Vote::Agree))
            .then_rejected(Rejection::NotAuthor);
        given::<Ballot>([])
            .by(facilitator())
            .when(cast(Vote::Agree))
            .then_rejected_with("role.forbidden");
    }

    #[test]
    fn no_vote_once_the_closing_time_has_come_even_before_the_close_is_appended() {
        given::<Ballot>([])
            .by(as_participant(alice()))
            .at(closes_at() - time::Duration::seconds(1))
            .when(cast(Vote::Agree))
            .then_accepted();
        given::<Ballot>([])
            .by(as_participant(alice()))
            .at(closes_at())
            .when(cast(Vote::Agree))
            .then_rejected(Rejection::ClosingPassed);
    }

    #[test]
    fn only_statements_of_a_statements_question_are_voted() {
        let mut c = cast(Vote::Agree);
        c.statement = proposal_view(statement());
        given::<Ballot>([])
            .by(as_participant(alice()))
            .when(c)
            .then_rejected(Rejection::NotAStatement);
        let mut c = cast(Vote::Agree);
        c.question = open_question();
        given::<Ballot>([])
            .by(as_participant(alice()))
            .when(c)
            .then_rejected(Rejection::NotAStatement);
    }
}
