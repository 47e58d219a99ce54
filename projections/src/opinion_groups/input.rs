//! The input of the computation: a plain vote set, independent of the event store.
//!
//! A projection folding vote events builds one with [`VoteSetBuilder`]: a later vote by the
//! same participant on the same statement replaces the earlier one, as in Polis.

use std::collections::HashMap;

/// One vote, with Polis's export convention: agree = +1, disagree = −1, pass = 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Vote {
    /// +1.
    Agree,
    /// −1.
    Disagree,
    /// 0: seen, no opinion.
    Pass,
}

impl Vote {
    /// The numeric value used in the vote matrix.
    pub fn value(self) -> i8 {
        match self {
            Vote::Agree => 1,
            Vote::Disagree => -1,
            Vote::Pass => 0,
        }
    }

    /// Parses Polis's numeric vote (`1`, `-1`, `0`).
    pub fn from_value(value: i64) -> Option<Self> {
        match value {
            1 => Some(Vote::Agree),
            -1 => Some(Vote::Disagree),
            0 => Some(Vote::Pass),
            _ => None,
        }
    }
}

/// The latest vote of each participant on each statement, and the hidden statements.
///
/// Keys are opaque strings; the computation never looks at their text except to label
/// its output, so renaming participants or statements renames the output and changes
/// nothing else.
#[derive(Clone, Debug, Default)]
pub struct VoteSet {
    pub(crate) participants: Vec<String>,
    pub(crate) statements: Vec<String>,
    /// `(participant index, statement index, value)`, one per pair.
    pub(crate) votes: Vec<(u32, u32, i8)>,
    /// Per statement index: moderated out.
    pub(crate) hidden: Vec<bool>,
}

impl VoteSet {
    /// Number of distinct participants that voted.
    pub fn participant_count(&self) -> usize {
        self.participants.len()
    }

    /// Number of distinct statements (voted on, or declared hidden).
    pub fn statement_count(&self) -> usize {
        self.statements.len()
    }

    /// Number of (participant, statement) votes.
    pub fn vote_count(&self) -> usize {
        self.votes.len()
    }

    /// Iterates over `(participant, statement, vote)`, in no meaningful order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, i8)> + '_ {
        self.votes.iter().map(|&(p, s, v)| {
            (
                self.participants[p as usize].as_str(),
                self.statements[s as usize].as_str(),
                v,
            )
        })
    }

    /// The hidden (moderated-out) statements.
    pub fn hidden(&self) -> impl Iterator<Item = &str> + '_ {
        self.statements
            .iter()
            .zip(&self.hidden)
            .filter(|(_, &h)| h)
            .map(|(s, _)| s.as_str())
    }
}

/// Builds a [`VoteSet`]; the last vote on a (participant, statement) pair wins.
#[derive(Debug, Default)]
pub struct VoteSetBuilder {
    participants: HashMap<String, u32>,
    statements: HashMap<String, u32>,
    set: VoteSet,
    slot: HashMap<(u32, u32), u32>,
}

impl VoteSetBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    fn statement_index(&mut self, statement: &str) -> u32 {
        if let Some(&i) = self.statements.get(statement) {
            return i;
        }
        let i = self.set.statements.len() as u32;
        self.set.statements.push(statement.to_owned());
        self.set.hidden.push(false);
        self.statements.insert(statement.to_owned(), i);
        i
    }

    /// Records a vote, replacing an earlier vote of the same participant on the statement.
    pub fn vote(&mut self, participant: &str, statement: &str, vote: Vote) -> &mut Self {
        let p = match self.participants.get(participant) {
            Some(&i) => i,
            None => {
                let i = self.set.participants.len() as u32;
                self.set.participants.push(participant.to_owned());
                self.participants.insert(participant.to_owned(), i);
                i
            }
        };
        let s = self.statement_index(statement);
        match self.slot.get(&(p, s)) {
            Some(&k) => self.set.votes[k as usize].2 = vote.value(),
            None => {
                self.slot.insert((p, s), self.set.votes.len() as u32);
                self.set.votes.push((p, s, vote.value()));
            }
        }
        self
    }

    /// Marks a statement as hidden by moderation. Its votes still count towards each
    /// participant's number of votes, but its column is neutralised (every cell set to pass),
    /// as Polis does, and it is never shown as representative, consensus or divisive.
    pub fn hide(&mut self, statement: &str) -> &mut Self {
        let s = self.statement_index(statement);
        self.set.hidden[s as usize] = true;
        self
    }

    /// Undoes [`hide`](Self::hide) (a moderator restored the statement).
    pub fn restore(&mut self, statement: &str) -> &mut Self {
        if let Some(&s) = self.statements.get(statement) {
            self.set.hidden[s as usize] = false;
        }
        self
    }

    /// The vote set.
    pub fn build(self) -> VoteSet {
        self.set
    }
}
