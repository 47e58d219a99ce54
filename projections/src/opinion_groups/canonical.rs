//! Canonical order of participants and statements, derived from the votes alone.
//!
//! Polis's result depends on the order of its matrix rows. Here every later step runs over
//! rows and columns sorted by *content*, so reordering or renaming participants and
//! statements yields the same matrix, the same arithmetic in the same order, and therefore
//! byte-identical numbers.
//!
//! Content is summarised by colour refinement (the Weisfeiler–Lehman test on the bipartite
//! vote graph): a statement's colour hashes the multiset of (participant colour, vote) of
//! its votes and its hidden flag; a participant's colour hashes the multiset of (statement
//! colour, vote). Multisets are hashed by wrapping sums of mixed element hashes, so no
//! sort and no input order is involved. After a few rounds, two participants share a
//! colour only if they are indistinguishable by their votes in practice. Remaining ties
//! among participants are broken by comparing vote rows in canonical statement order, so
//! only rows with identical votes remain tied, and their order cannot change any number.
//! Statements left tied after refinement (a symmetry of the vote graph, in practice
//! identical columns) are ordered by input position; that is the one place where input
//! order could matter, and only for such symmetric data.

use super::input::VoteSet;
use super::rng::{combine, mix};

const REFINEMENT_ROUNDS: usize = 4;

/// The vote matrix in canonical order, in compressed sparse rows.
pub(crate) struct CanonicalMatrix {
    /// Canonical row → participant index in the [`VoteSet`].
    pub row_key: Vec<u32>,
    /// Canonical column → statement index in the [`VoteSet`].
    pub col_key: Vec<u32>,
    /// Per canonical column: hidden by moderation.
    pub hidden: Vec<bool>,
    /// Row `r` holds entries `row_ptr[r]..row_ptr[r + 1]`.
    pub row_ptr: Vec<usize>,
    /// Canonical column of each entry, increasing within a row.
    pub cols: Vec<u32>,
    /// Vote value of each entry.
    pub vals: Vec<i8>,
    /// A hash of the whole content, independent of order and names: seeds every
    /// pseudo-random choice made later.
    pub content_seed: u64,
}

impl CanonicalMatrix {
    pub fn n_rows(&self) -> usize {
        self.row_key.len()
    }

    pub fn n_cols(&self) -> usize {
        self.col_key.len()
    }

    /// The entries of canonical row `r`.
    pub fn row(&self, r: usize) -> (&[u32], &[i8]) {
        let range = self.row_ptr[r]..self.row_ptr[r + 1];
        (&self.cols[range.clone()], &self.vals[range])
    }

    /// Builds the canonical matrix. Statements nobody voted on are left out (Polis's
    /// matrix only has columns that received votes).
    pub fn new(set: &VoteSet) -> Self {
        let n_p = set.participants.len();
        let n_s = set.statements.len();
        // Hidden statements are neutralised here, once: every vote on them reads as a pass,
        // so nothing downstream (not even the canonical order) depends on those votes.
        let value = |s: u32, v: i8| if set.hidden[s as usize] { 0 } else { v };
        let vote_tag = |s: u32, v: i8| (value(s, v) as i64 + 2) as u64;

        let mut voted = vec![false; n_s];
        let mut p_colour = vec![0u64; n_p];
        let mut s_colour: Vec<u64> = set.hidden.iter().map(|&h| mix(h as u64 + 1)).collect();
        for &(_, s, _) in &set.votes {
            voted[s as usize] = true;
        }
        for _ in 0..REFINEMENT_ROUNDS {
            let mut s_sum = vec![0u64; n_s];
            for &(p, s, v) in &set.votes {
                s_sum[s as usize] =
                    s_sum[s as usize].wrapping_add(combine(p_colour[p as usize], vote_tag(s, v)));
            }
            for (c, sum) in s_colour.iter_mut().zip(&s_sum) {
                *c = combine(*c, *sum);
            }
            let mut p_sum = vec![0u64; n_p];
            for &(p, s, v) in &set.votes {
                p_sum[p as usize] =
                    p_sum[p as usize].wrapping_add(combine(s_colour[s as usize], vote_tag(s, v)));
            }
            for (c, sum) in p_colour.iter_mut().zip(&p_sum) {
                *c = combine(*c, *sum);
            }
        }

        let mut col_key: Vec<u32> = (0..n_s as u32).filter(|&s| voted[s as usize]).collect();
        col_key.sort_by_key(|&s| (s_colour[s as usize], s));
        let mut col_of = vec![u32::MAX; n_s];
        for (c, &s) in col_key.iter().enumerate() {
            col_of[s as usize] = c as u32;
        }

        // Rows as (canonical column, value), grouped per participant.
        let mut count = vec![0usize; n_p + 1];
        for &(p, _, _) in &set.votes {
            count[p as usize + 1] += 1;
        }
        for i in 0..n_p {
            count[i + 1] += count[i];
        }
        let mut fill = count.clone();
        let mut entries = vec![(0u32, 0i8); set.votes.len()];
        for &(p, s, v) in &set.votes {
            entries[fill[p as usize]] = (col_of[s as usize], value(s, v));
            fill[p as usize] += 1;
        }
        for p in 0..n_p {
            entries[count[p]..count[p + 1]].sort_unstable_by_key(|e| e.0);
        }
        let mut row_key: Vec<u32> = (0..n_p as u32).collect();
        row_key.sort_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            p_colour[a]
                .cmp(&p_colour[b])
                .then_with(|| entries[count[a]..count[a + 1]].cmp(&entries[count[b]..count[b + 1]]))
        });

        let mut row_ptr = Vec::with_capacity(n_p + 1);
        let mut cols = Vec::with_capacity(entries.len());
        let mut vals = Vec::with_capacity(entries.len());
        row_ptr.push(0);
        for &p in &row_key {
            for &(c, v) in &entries[count[p as usize]..count[p as usize + 1]] {
                cols.push(c);
                vals.push(v);
            }
            row_ptr.push(cols.len());
        }
        let hidden = col_key.iter().map(|&s| set.hidden[s as usize]).collect();
        let content_seed = p_colour
            .iter()
            .chain(col_key.iter().map(|&s| &s_colour[s as usize]))
            .fold(0u64, |acc, &c| acc.wrapping_add(mix(c)));
        CanonicalMatrix {
            row_key,
            col_key,
            hidden,
            row_ptr,
            cols,
            vals,
            content_seed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opinion_groups::input::{Vote, VoteSetBuilder};

    fn matrix(order: &[(usize, usize, Vote)], rename: &dyn Fn(&str) -> String) -> CanonicalMatrix {
        let mut b = VoteSetBuilder::new();
        for &(p, s, v) in order {
            b.vote(&rename(&format!("p{p}")), &rename(&format!("s{s}")), v);
        }
        CanonicalMatrix::new(&b.build())
    }

    #[test]
    fn content_not_order_or_names_decides_the_matrix() {
        use Vote::*;
        let votes = [
            (0, 0, Agree),
            (0, 1, Disagree),
            (1, 0, Agree),
            (1, 2, Pass),
            (2, 1, Agree),
            (2, 2, Disagree),
            (3, 0, Disagree),
        ];
        let a = matrix(&votes, &|k| k.to_owned());
        let mut reversed = votes;
        reversed.reverse();
        let b = matrix(&reversed, &|k| {
            format!("zz-{}", k.len() * 3 + k.as_bytes()[1] as usize)
        });
        assert_eq!(
            (&a.row_ptr, &a.cols, &a.vals),
            (&b.row_ptr, &b.cols, &b.vals)
        );
        assert_eq!(a.content_seed, b.content_seed);
        // A different vote changes the content.
        let mut changed = votes;
        changed[6].2 = Agree;
        assert_ne!(
            matrix(&changed, &|k| k.to_owned()).content_seed,
            a.content_seed
        );
    }
}
