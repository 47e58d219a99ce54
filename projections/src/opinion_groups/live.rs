//! The opinion-groups projection: the groups of every statements question, recomputed
//! from the main read model at explicit positions, off the ingestion path.
//!
//! A background task watches the main model's position. When it has moved, and either
//! no event has arrived for [`Debounce::quiet`] or the change has waited
//! [`Debounce::max_wait`] (so a steady stream of votes still gets fresh groups), it takes
//! a short copy of the statement votes under the model's read lock, then computes each
//! question whose votes changed on a blocking thread. Every result carries the position
//! it includes and the parameters used, and is a pure function of them ([`compute`]),
//! so two servers at the same position show the same groups.
//!
//! [`compute`]: super::compute

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use domain::ballot::Vote as BallotVote;
use domain::contribution::ContributionKind;
use domain::values::{ConcertationId, ContributionId, ParticipantId, QuestionId};
use eventstore::Position;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::{compute, OpinionGroups, Parameters, Vote, VoteSetBuilder};
use crate::main_model::MemoryModel;
use crate::model::rows::StatusKind;
use crate::model::ReadModel;

/// The groups of one statements question at one position.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupsSnapshot {
    /// The question.
    pub question: QuestionId,
    /// Its concertation.
    pub concertation: ConcertationId,
    /// The main model's position the votes were read at: every event up to it counts.
    pub position: Position,
    /// The result (its `parameters` field says how it was computed). Participant keys
    /// are participant ids, statement keys contribution ids.
    pub groups: OpinionGroups,
}

/// The latest groups of every statements question, shared with the queries.
#[derive(Clone, Default)]
pub struct LiveGroups {
    results: Arc<RwLock<BTreeMap<QuestionId, Arc<GroupsSnapshot>>>>,
}

impl LiveGroups {
    /// The latest groups of `question`, if computed yet.
    pub fn get(&self, question: QuestionId) -> Option<Arc<GroupsSnapshot>> {
        self.results
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&question)
            .cloned()
    }

    fn put(&self, snapshot: GroupsSnapshot) {
        self.results
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(snapshot.question, Arc::new(snapshot));
    }
}

/// When to recompute: a pure state machine fed with the model's position and the time,
/// so its rule is tested without a clock.
#[derive(Clone, Debug)]
pub struct Debounce {
    /// Recompute once no new event has arrived for this long.
    pub quiet: Duration,
    /// …or once a change has waited this long, even while events keep arriving.
    pub max_wait: Duration,
    seen: Option<Position>,
    computed: Option<Position>,
    first_change: Option<Instant>,
    last_change: Option<Instant>,
}

impl Debounce {
    /// A debounce with these delays, nothing computed yet.
    pub fn new(quiet: Duration, max_wait: Duration) -> Self {
        Self {
            quiet,
            max_wait,
            seen: None,
            computed: None,
            first_change: None,
            last_change: None,
        }
    }

    /// Records the model's position at `now`; returns the position to compute at when a
    /// computation is due (and then counts it as computed).
    pub fn observe(&mut self, now: Instant, position: Option<Position>) -> Option<Position> {
        if position != self.seen {
            self.seen = position;
            self.last_change = Some(now);
            self.first_change.get_or_insert(now);
        }
        let position = self.seen?;
        if self.computed == Some(position) {
            return None;
        }
        let quiet = self
            .last_change
            .is_some_and(|t| now.duration_since(t) >= self.quiet);
        let waited = self
            .first_change
            .is_some_and(|t| now.duration_since(t) >= self.max_wait);
        if quiet || waited {
            self.computed = Some(position);
            self.first_change = None;
            Some(position)
        } else {
            None
        }
    }
}

/// The statement votes of one question, copied out of the read model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QuestionVotes {
    /// Its concertation.
    pub concertation: Option<ConcertationId>,
    /// (participant, statement, vote). Ids, not their text: a million votes as two
    /// `String`s each held about 150 bytes a vote while an export computed the groups
    /// (`BENCHMARKS.md`); [`compute_question`] writes each id's text on the stack.
    pub votes: Vec<(ParticipantId, ContributionId, Vote)>,
    /// Statements hidden or withdrawn: neutralised, never shown.
    pub hidden: Vec<String>,
    /// An order-independent digest of the above, to skip unchanged questions.
    pub digest: u64,
}

fn mix(mut h: u64) -> u64 {
    // SplitMix64's finaliser: a cheap, well-spread hash of one value.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

fn digest_of(a: u128, b: u128, c: u64) -> u64 {
    mix(mix((a as u64) ^ ((a >> 64) as u64)) ^ mix((b as u64) ^ ((b >> 64) as u64) ^ c))
}

/// Copies the statement votes of every statements question out of `model`.
pub fn question_votes(model: &ReadModel) -> BTreeMap<QuestionId, QuestionVotes> {
    let mut out: BTreeMap<QuestionId, QuestionVotes> = BTreeMap::new();
    let statement_question = |id: &ContributionId| {
        model
            .contributions
            .get(id)
            .filter(|c| c.kind == ContributionKind::Statement)
    };
    for c in model
        .contributions
        .iter()
        .filter(|c| c.kind == ContributionKind::Statement)
    {
        let id = &c.id;
        let entry = out.entry(c.question).or_default();
        entry.concertation = Some(c.concertation);
        if matches!(c.status.kind(), StatusKind::Hidden | StatusKind::Withdrawn) {
            entry.hidden.push(id.to_string());
            entry.digest = entry
                .digest
                .wrapping_add(digest_of(id.as_uuid().as_u128(), 0, 7));
        }
    }
    for (&(participant, statement), &vote) in &model.votes {
        let Some(c) = statement_question(&statement) else {
            continue;
        };
        let (value, code) = match vote {
            BallotVote::Agree => (Vote::Agree, 1),
            BallotVote::Disagree => (Vote::Disagree, 2),
            BallotVote::Pass => (Vote::Pass, 3),
        };
        let entry = out.entry(c.question).or_default();
        entry.digest = entry.digest.wrapping_add(digest_of(
            participant.as_uuid().as_u128(),
            statement.as_uuid().as_u128(),
            code,
        ));
        entry.votes.push((participant, statement, value));
    }
    out
}

/// Computes the groups of one question's votes (pure).
pub fn compute_question(votes: &QuestionVotes, parameters: &Parameters) -> OpinionGroups {
    let mut builder = VoteSetBuilder::new();
    let mut participant_text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    let mut statement_text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    for (participant, statement, vote) in &votes.votes {
        // The ids' `Display`: hyphenated, lower case.
        builder.vote(
            participant
                .as_uuid()
                .hyphenated()
                .encode_lower(&mut participant_text),
            statement
                .as_uuid()
                .hyphenated()
                .encode_lower(&mut statement_text),
            *vote,
        );
    }
    for statement in &votes.hidden {
        builder.hide(statement);
    }
    compute(&builder.build(), parameters)
}

/// How often the task looks at the model's position.
const TICK: Duration = Duration::from_millis(250);

/// Starts the projection over `model`; results appear in the returned [`LiveGroups`].
pub fn spawn(
    model: MemoryModel,
    parameters: Parameters,
    mut debounce: Debounce,
) -> (LiveGroups, JoinHandle<()>) {
    let live = LiveGroups::default();
    let task = {
        let live = live.clone();
        tokio::spawn(async move {
            let mut digests: BTreeMap<QuestionId, u64> = BTreeMap::new();
            loop {
                tokio::time::sleep(TICK).await;
                let position = model.read().position;
                let Some(at) = debounce.observe(Instant::now(), position) else {
                    continue;
                };
                let questions = {
                    let m = model.read();
                    // The model may have moved since `observe`: label with what was read.
                    (m.position.unwrap_or(at), question_votes(&m))
                };
                let (at, questions) = questions;
                for (question, votes) in questions {
                    if digests.get(&question) == Some(&votes.digest) {
                        continue;
                    }
                    let Some(concertation) = votes.concertation else {
                        continue;
                    };
                    let parameters = parameters.clone();
                    let digest = votes.digest;
                    let span = tracing::info_span!("opinion_groups", %question, position = %at);
                    let computed =
                        tokio::task::spawn_blocking(move || compute_question(&votes, &parameters))
                            .await;
                    let _entered = span.enter();
                    match computed {
                        Ok(groups) => {
                            tracing::info!(
                                groups = groups.groups.len(),
                                participants = groups.n_participants,
                                "groupes d'opinion recalculés"
                            );
                            digests.insert(question, digest);
                            live.put(GroupsSnapshot {
                                question,
                                concertation,
                                position: at,
                                groups,
                            });
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "calcul des groupes d'opinion interrompu")
                        }
                    }
                }
            }
        })
    };
    (live, task)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(commit: u64) -> Option<Position> {
        Some(Position::new(commit, 0))
    }

    #[test]
    fn computes_once_quiet_and_again_only_after_a_change() {
        let start = Instant::now();
        let s = |ms: u64| start + Duration::from_millis(ms);
        let mut d = Debounce::new(Duration::from_secs(1), Duration::from_secs(5));
        assert_eq!(d.observe(s(0), None), None, "nothing to compute yet");
        assert_eq!(d.observe(s(100), at(1)), None, "just changed");
        assert_eq!(d.observe(s(900), at(1)), None, "not quiet yet");
        assert_eq!(d.observe(s(1_100), at(1)), at(1), "quiet for a second");
        assert_eq!(d.observe(s(5_000), at(1)), None, "already computed");
        assert_eq!(d.observe(s(5_100), at(2)), None);
        assert_eq!(d.observe(s(6_200), at(2)), at(2));
    }

    #[test]
    fn a_steady_stream_of_votes_still_gets_groups_after_max_wait() {
        let start = Instant::now();
        let mut d = Debounce::new(Duration::from_secs(1), Duration::from_secs(5));
        let mut computed = Vec::new();
        // A new event every 500 ms for 12 s: never quiet.
        for step in 0..24u64 {
            let now = start + Duration::from_millis(500 * step);
            if let Some(p) = d.observe(now, at(step + 1)) {
                computed.push((500 * step, p.commit()));
            }
        }
        assert_eq!(computed, vec![(5_000, 11), (10_500, 22)]);
    }

    #[test]
    fn the_digest_ignores_order_and_sees_a_changed_vote() {
        let a = digest_of(1, 2, 1).wrapping_add(digest_of(3, 4, 2));
        let b = digest_of(3, 4, 2).wrapping_add(digest_of(1, 2, 1));
        assert_eq!(a, b);
        let changed = digest_of(1, 2, 1).wrapping_add(digest_of(3, 4, 3));
        assert_ne!(a, changed);
    }
}
