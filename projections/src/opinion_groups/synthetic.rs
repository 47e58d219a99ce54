//! Synthetic conversations with planted opinion groups, for tests and benchmarks.
//!
//! Opinions live in a two-dimensional latent space, as the PCA assumes: each planted group
//! sits at a point of a circle, its members scattered around it; each statement has a
//! direction in that space, and a participant agrees when their position leans along it,
//! disagrees when it leans against it, and passes in between. A share of votes is replaced
//! by uniform noise. Participants vote on random subsets of statements, with a heavy-tailed
//! number of votes as in real conversations (many vote a little, a few vote on everything),
//! so most cells of the matrix are missing.

use super::input::{Vote, VoteSet, VoteSetBuilder};
use super::rng::SplitMix64;

/// Shape of a synthetic conversation.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Participants.
    pub participants: usize,
    /// Statements.
    pub statements: usize,
    /// Target number of votes (reached exactly unless the matrix is too small).
    pub votes: usize,
    /// Planted groups.
    pub groups: usize,
    /// Share of votes replaced by a uniformly random vote.
    pub noise: f64,
    /// Spread of members around their group's position (the circle has radius 1).
    pub spread: f64,
    /// Generator seed.
    pub seed: u64,
}

/// A conversation and its planted truth.
pub struct Synthetic {
    /// The votes; participants are `p<i>`, statements `s<j>`.
    pub votes: VoteSet,
    /// Planted group of participant `p<i>`.
    pub planted: Vec<usize>,
}

/// Generates a conversation.
pub fn generate(spec: &Spec) -> Synthetic {
    let mut rng = SplitMix64::new(spec.seed);
    let k = spec.groups.max(1);
    let phase = rng.next_f64() * std::f64::consts::TAU;
    let centres: Vec<[f64; 2]> = (0..k)
        .map(|g| {
            let a = phase + std::f64::consts::TAU * g as f64 / k as f64;
            [a.cos(), a.sin()]
        })
        .collect();
    let planted: Vec<usize> = (0..spec.participants).map(|i| i % k).collect();
    let positions: Vec<[f64; 2]> = planted
        .iter()
        .map(|&g| {
            [
                centres[g][0] + spec.spread * rng.normal(),
                centres[g][1] + spec.spread * rng.normal(),
            ]
        })
        .collect();
    let directions: Vec<[f64; 2]> = (0..spec.statements)
        .map(|_| {
            let a = rng.next_f64() * std::f64::consts::TAU;
            [a.cos(), a.sin()]
        })
        .collect();

    // Heavy-tailed activity: weight ~ 1 / u^0.6, then scaled to the vote budget.
    let raw: Vec<f64> = (0..spec.participants)
        .map(|_| (1.0 - rng.next_f64()).powf(-0.6))
        .collect();
    let total: f64 = raw.iter().sum();
    let budget = spec.votes.min(spec.participants * spec.statements);
    let mut counts: Vec<usize> = raw
        .iter()
        .map(|w| ((w / total * budget as f64) as usize).clamp(1, spec.statements))
        .collect();
    // Hand out what rounding and clamping left, round-robin.
    let mut assigned: usize = counts.iter().sum();
    let mut i = 0;
    while assigned < budget {
        if counts[i] < spec.statements {
            counts[i] += 1;
            assigned += 1;
        }
        i = (i + 1) % spec.participants;
    }
    while assigned > budget {
        if counts[i] > 1 {
            counts[i] -= 1;
            assigned -= 1;
        }
        i = (i + 1) % spec.participants;
    }

    let mut builder = VoteSetBuilder::new();
    let mut deck: Vec<usize> = (0..spec.statements).collect();
    for (p, &n) in counts.iter().enumerate() {
        let key = format!("p{p}");
        // Partial Fisher–Yates: the first n cards are a uniform random subset.
        for j in 0..n {
            let pick = j + rng.below(spec.statements - j);
            deck.swap(j, pick);
            let s = deck[j];
            let vote = if rng.next_f64() < spec.noise {
                [Vote::Agree, Vote::Disagree, Vote::Pass][rng.below(3)]
            } else {
                let lean = positions[p][0] * directions[s][0] + positions[p][1] * directions[s][1];
                if lean > 0.25 {
                    Vote::Agree
                } else if lean < -0.25 {
                    Vote::Disagree
                } else {
                    Vote::Pass
                }
            };
            builder.vote(&key, &format!("s{s}"), vote);
        }
    }
    Synthetic {
        votes: builder.build(),
        planted,
    }
}
