//! Opinion groups of a statements question, computed as Polis does but deterministically.
//!
//! [`compute`] is a pure function of a [`VoteSet`] and [`Parameters`]: the same votes give
//! byte-identical [`OpinionGroups`] whatever the order or the names of participants and
//! statements. The steps follow Polis's published algorithm (the `math` folder of
//! compdemocracy/polis), reimplemented:
//!
//! 1. rows and columns are put in a canonical order derived from the votes ([`canonical`]);
//! 2. hidden statements are neutralised (every cell set to pass), not dropped;
//! 3. missing votes are filled with column means and the two principal components are
//!    found on the sparse structure ([`pca`]);
//! 4. every participant is projected, scaled by `sqrt(n_statements / n_voted)`;
//! 5. participants with at least `min(7, n_statements)` votes (topped up to 15 with the
//!    most active) are summarised by up to 100 base clusters (k-means);
//! 6. base clusters are grouped by weighted k-means for k in 2..=5 (at most
//!    `2 + n_base / 12`), and the k with the best silhouette wins ([`kmeans`]);
//! 7. representative statements per group, consensus and divisive statements are chosen
//!    from Polis's statistics ([`repness`]).
//!
//! Where Polis depends on row order or on its own history (first-k-rows initialisation,
//! warm starts, smoothing of k over successive runs, random PCA start vectors), this
//! module uses seeded k-means++ with restarts, seeds derived from the content, and no
//! state between runs.

mod canonical;
mod input;
mod kmeans;
pub mod live;
pub mod metrics;
mod pca;
pub mod polis;
pub mod repness;
mod rng;
pub mod synthetic;

use serde::Serialize;

pub use input::{Vote, VoteSet, VoteSetBuilder};
pub use repness::{Consensus, Counts, Direction, Divisive, RepnessStats, Representative};

use canonical::CanonicalMatrix;
use rng::combine;

/// Tunable parameters; the defaults are Polis's.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Parameters {
    /// A participant is clustered with at least `min(min_votes, n_statements)` votes.
    pub min_votes: usize,
    /// If fewer participants qualify, the most active are added up to this number.
    pub min_clustered: usize,
    /// Number of base clusters.
    pub base_k: usize,
    /// Largest number of groups.
    pub max_k: usize,
    /// A fixed number of groups instead of the silhouette's choice (`None`: Polis's rule).
    pub fixed_k: Option<usize>,
    /// Lloyd iterations, at most, per k-means run.
    pub max_iterations: usize,
    /// Seeded k-means++ restarts per k for the groups (the base clustering runs once).
    pub group_restarts: usize,
    /// PCA stops when both Ritz residuals are below this fraction of the top eigenvalue.
    pub pca_tolerance: f64,
    /// PCA block iterations, at most.
    pub pca_max_iterations: usize,
    /// One-sided z threshold of significance (1.2816: 90 %).
    pub significance_z: f64,
    /// Representative statements kept per group.
    pub max_representative: usize,
    /// Consensus statements kept per direction.
    pub max_consensus: usize,
    /// Divisive statements kept.
    pub max_divisive: usize,
}

impl Default for Parameters {
    fn default() -> Self {
        Parameters {
            min_votes: 7,
            min_clustered: 15,
            base_k: 100,
            max_k: 5,
            fixed_k: None,
            max_iterations: 100,
            group_restarts: 16,
            pca_tolerance: 1e-9,
            pca_max_iterations: 300,
            significance_z: 1.2816,
            max_representative: 5,
            max_consensus: 5,
            max_divisive: 5,
        }
    }
}

/// One participant in the opinion space.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParticipantPoint {
    /// Participant key.
    pub participant: String,
    /// Coordinates on the two principal components.
    pub x: f64,
    /// See `x`.
    pub y: f64,
    /// Votes cast, hidden statements included.
    pub n_votes: usize,
    /// Group id, or `None` when the participant voted too little to be clustered.
    pub group: Option<usize>,
}

/// One opinion group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    /// 0-based id; groups are numbered by decreasing size.
    pub id: usize,
    /// Number of members.
    pub size: usize,
    /// Mean position of the members.
    pub center: [f64; 2],
    /// Member keys, sorted.
    pub members: Vec<String>,
    /// What characterises the group, best first, agreements before disagreements.
    pub representative: Vec<Representative>,
}

/// The silhouette of one candidate number of groups.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    /// Number of groups.
    pub k: usize,
    /// Weighted silhouette over the base clusters.
    pub silhouette: f64,
}

/// Summary of the principal components.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PcaSummary {
    /// Share of the variance of the imputed, centred matrix on each component.
    pub explained: [f64; 2],
    /// Block power iterations used.
    pub iterations: usize,
}

/// The result, labelled with the parameters that produced it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpinionGroups {
    /// Parameters used.
    pub parameters: Parameters,
    /// Participants with at least one vote.
    pub n_participants: usize,
    /// Statements with at least one vote.
    pub n_statements: usize,
    /// Hidden statements among them.
    pub n_hidden: usize,
    /// Votes.
    pub n_votes: usize,
    /// Participants placed in a group.
    pub n_clustered: usize,
    /// Base clusters found.
    pub n_base_clusters: usize,
    /// Every k tried and its silhouette.
    pub candidates: Vec<Candidate>,
    /// PCA summary.
    pub pca: PcaSummary,
    /// The groups.
    pub groups: Vec<Group>,
    /// Every participant, sorted by key.
    pub participants: Vec<ParticipantPoint>,
    /// Statements most groups agree on.
    pub consensus_agree: Vec<Consensus>,
    /// Statements most groups disagree with.
    pub consensus_disagree: Vec<Consensus>,
    /// Statements that split the groups.
    pub divisive: Vec<Divisive>,
}

impl OpinionGroups {
    /// Group of each clustered participant.
    pub fn partition(&self) -> std::collections::BTreeMap<&str, usize> {
        self.participants
            .iter()
            .filter_map(|p| p.group.map(|g| (p.participant.as_str(), g)))
            .collect()
    }
}

/// Computes the opinion groups of a vote set.
pub fn compute(votes: &VoteSet, parameters: &Parameters) -> OpinionGroups {
    let m = CanonicalMatrix::new(votes);
    let n_rows = m.n_rows();
    let n_cols = m.n_cols();
    let seed = m.content_seed;

    let components = pca::pca(
        &m,
        combine(seed, 1),
        parameters.pca_tolerance,
        parameters.pca_max_iterations,
    );
    let proj = pca::project(&m, &components);

    // Who is clustered.
    let n_votes: Vec<usize> = (0..n_rows)
        .map(|r| m.row_ptr[r + 1] - m.row_ptr[r])
        .collect();
    let threshold = parameters.min_votes.min(n_cols).max(1);
    let mut clustered: Vec<bool> = n_votes.iter().map(|&n| n >= threshold).collect();
    let count = clustered.iter().filter(|&&c| c).count();
    if count < parameters.min_clustered {
        // Polis's top-up for young conversations: the most active voters, ties broken by
        // canonical order rather than by row order.
        let mut rest: Vec<usize> = (0..n_rows).filter(|&r| !clustered[r]).collect();
        rest.sort_by(|&a, &b| n_votes[b].cmp(&n_votes[a]).then(a.cmp(&b)));
        for r in rest.into_iter().take(parameters.min_clustered - count) {
            clustered[r] = true;
        }
    }
    let rows: Vec<usize> = (0..n_rows).filter(|&r| clustered[r]).collect();
    let points: Vec<[f64; 2]> = rows.iter().map(|&r| proj[r]).collect();

    // Base clusters, then groups of base clusters.
    let mut group_of_row: Vec<Option<usize>> = vec![None; n_rows];
    let mut candidates = Vec::new();
    let mut n_base = 0;
    if !points.is_empty() {
        let ones = vec![1.0; points.len()];
        let base = kmeans::kmeans(
            &points,
            &ones,
            parameters.base_k.max(1),
            1,
            parameters.max_iterations,
            combine(seed, 2),
        );
        n_base = base.centers.len();
        let mut weights = vec![0.0; n_base];
        for &a in &base.assignment {
            weights[a] += 1.0;
        }
        let max_k = parameters.max_k.min(2 + n_base / 12).min(n_base);
        let range = match parameters.fixed_k {
            Some(k) => k.min(n_base)..=k.min(n_base),
            None => 2..=max_k,
        };
        let mut best: Option<(f64, kmeans::Clustering)> = None;
        for k in range {
            let c = kmeans::kmeans(
                &base.centers,
                &weights,
                k,
                parameters.group_restarts,
                parameters.max_iterations,
                combine(seed, 3),
            );
            let s = kmeans::silhouette(&base.centers, &weights, &c.assignment, c.centers.len());
            candidates.push(Candidate { k, silhouette: s });
            if best.as_ref().is_none_or(|(b, _)| s > *b) {
                best = Some((s, c));
            }
        }
        let group_of_base: Vec<usize> = match best {
            Some((_, c)) => c.assignment,
            None => vec![0; n_base],
        };
        for (i, &r) in rows.iter().enumerate() {
            group_of_row[r] = Some(group_of_base[base.assignment[i]]);
        }
    }

    // Number groups by decreasing size, then by their first canonical member.
    let k_found = group_of_row.iter().flatten().max().map_or(0, |&g| g + 1);
    let mut sizes = vec![0usize; k_found];
    let mut first = vec![usize::MAX; k_found];
    for (r, g) in group_of_row.iter().enumerate() {
        if let Some(g) = *g {
            sizes[g] += 1;
            first[g] = first[g].min(r);
        }
    }
    let mut order: Vec<usize> = (0..k_found).filter(|&g| sizes[g] > 0).collect();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(first[a].cmp(&first[b])));
    let mut renumber = vec![usize::MAX; k_found];
    for (new, &old) in order.iter().enumerate() {
        renumber[old] = new;
    }
    for g in group_of_row.iter_mut().flatten() {
        *g = renumber[*g];
    }
    let k = order.len();

    // Statement statistics.
    let keys: Vec<&str> = m
        .col_key
        .iter()
        .map(|&s| votes.statements[s as usize].as_str())
        .collect();
    let visible: Vec<bool> = m.hidden.iter().map(|&h| !h).collect();
    let (per_group, all) = repness::group_counts(&m, &group_of_row, k);
    let stats = repness::group_stats(&per_group, &visible);
    let z = parameters.significance_z;
    let overall: Vec<Option<Counts>> = all
        .iter()
        .zip(&visible)
        .map(|(c, &v)| v.then_some(*c))
        .collect();

    let participant_key = |r: usize| votes.participants[m.row_key[r] as usize].clone();
    let mut groups: Vec<Group> = (0..k)
        .map(|g| {
            let mut members = Vec::with_capacity(sizes[order[g]]);
            let (mut sx, mut sy) = (0.0, 0.0);
            for r in 0..n_rows {
                if group_of_row[r] == Some(g) {
                    members.push(participant_key(r));
                    sx += proj[r][0];
                    sy += proj[r][1];
                }
            }
            let n = members.len();
            members.sort();
            Group {
                id: g,
                size: n,
                center: [sx / n as f64, sy / n as f64],
                members,
                representative: Vec::new(),
            }
        })
        .collect();
    if k >= 2 {
        for (g, group) in groups.iter_mut().enumerate() {
            group.representative =
                repness::select_representative(&stats[g], &keys, z, parameters.max_representative);
        }
    }
    let mut participants: Vec<ParticipantPoint> = (0..n_rows)
        .map(|r| ParticipantPoint {
            participant: participant_key(r),
            x: proj[r][0],
            y: proj[r][1],
            n_votes: n_votes[r],
            group: group_of_row[r],
        })
        .collect();
    participants.sort_by(|a, b| a.participant.cmp(&b.participant));

    let explained = if components.total_variance > 0.0 {
        [
            components.eigenvalues[0] / components.total_variance,
            components.eigenvalues[1] / components.total_variance,
        ]
    } else {
        [0.0, 0.0]
    };
    OpinionGroups {
        parameters: parameters.clone(),
        n_participants: n_rows,
        n_statements: n_cols,
        n_hidden: m.hidden.iter().filter(|&&h| h).count(),
        n_votes: m.vals.len(),
        n_clustered: rows.len(),
        n_base_clusters: n_base,
        candidates,
        pca: PcaSummary {
            explained,
            iterations: components.iterations,
        },
        consensus_agree: repness::select_consensus(
            &overall,
            &per_group,
            &keys,
            Direction::Agree,
            z,
            parameters.max_consensus,
        ),
        consensus_disagree: repness::select_consensus(
            &overall,
            &per_group,
            &keys,
            Direction::Disagree,
            z,
            parameters.max_consensus,
        ),
        divisive: repness::select_divisive(&per_group, &keys, &visible, z, parameters.max_divisive),
        groups,
        participants,
    }
}
