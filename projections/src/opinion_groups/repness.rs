//! Polis's statement statistics: representativeness per group, consensus, divisiveness.
//!
//! For a group and a statement: `na`, `nd`, `ns` count agrees, disagrees and all votes
//! (passes included) of the group's members; `pa = (na + 1) / (ns + 2)` and
//! `pd = (nd + 1) / (ns + 2)` (a uniform prior); `pat`, `pdt` test them against ½ with a
//! one-proportion z statistic; `ra`, `rd` divide them by the same probabilities among all
//! other clustered participants, and `rat`, `rdt` compare the group with the rest by a
//! two-proportion z test. Significance is one-sided at 90 % (z > 1.2816), as in Polis.

use serde::Serialize;

/// Agree or disagree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The statement is characterised by agreement.
    Agree,
    /// The statement is characterised by disagreement.
    Disagree,
}

/// Vote counts of a set of participants on one statement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Agrees.
    pub agree: u32,
    /// Disagrees.
    pub disagree: u32,
    /// All votes, passes included.
    pub seen: u32,
}

impl Counts {
    pub(crate) fn add(&mut self, v: i8) {
        self.seen += 1;
        match v {
            1 => self.agree += 1,
            -1 => self.disagree += 1,
            _ => {}
        }
    }

    fn sum(parts: impl Iterator<Item = Counts>) -> Counts {
        parts.fold(Counts::default(), |a, b| Counts {
            agree: a.agree + b.agree,
            disagree: a.disagree + b.disagree,
            seen: a.seen + b.seen,
        })
    }

    /// `(agree + 1) / (seen + 2)`.
    pub fn p_agree(&self) -> f64 {
        (self.agree as f64 + 1.0) / (self.seen as f64 + 2.0)
    }

    /// `(disagree + 1) / (seen + 2)`.
    pub fn p_disagree(&self) -> f64 {
        (self.disagree as f64 + 1.0) / (self.seen as f64 + 2.0)
    }
}

/// One-proportion z statistic against ½, with Polis's +1 pseudo-counts.
pub fn prop_test(success: u32, n: u32) -> f64 {
    let (s, n) = (success as f64 + 1.0, n as f64 + 1.0);
    2.0 * n.sqrt() * (s / n - 0.5)
}

/// Two-proportion z statistic (group vs rest), with Polis's +1 pseudo-counts.
pub fn two_prop_test(success_in: u32, success_out: u32, n_in: u32, n_out: u32) -> f64 {
    let (s1, s2) = (success_in as f64 + 1.0, success_out as f64 + 1.0);
    let (n1, n2) = (n_in as f64 + 1.0, n_out as f64 + 1.0);
    let p_hat = (s1 + s2) / (n1 + n2);
    if p_hat >= 1.0 {
        return 0.0;
    }
    (s1 / n1 - s2 / n2) / (p_hat * (1.0 - p_hat) * (1.0 / n1 + 1.0 / n2)).sqrt()
}

/// Polis's full statistics of one statement for one group.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RepnessStats {
    /// The group's counts.
    pub counts: Counts,
    /// The other clustered participants' counts.
    pub rest: Counts,
    /// P(agree) in the group, with the prior.
    pub pa: f64,
    /// P(disagree) in the group, with the prior.
    pub pd: f64,
    /// z of `pa` against ½.
    pub pat: f64,
    /// z of `pd` against ½.
    pub pdt: f64,
    /// `pa` over the rest's P(agree).
    pub ra: f64,
    /// `pd` over the rest's P(disagree).
    pub rd: f64,
    /// Two-proportion z, agree, group vs rest.
    pub rat: f64,
    /// Two-proportion z, disagree, group vs rest.
    pub rdt: f64,
}

impl RepnessStats {
    pub(crate) fn new(counts: Counts, rest: Counts) -> Self {
        let pa = counts.p_agree();
        let pd = counts.p_disagree();
        RepnessStats {
            counts,
            rest,
            pa,
            pd,
            pat: prop_test(counts.agree, counts.seen),
            pdt: prop_test(counts.disagree, counts.seen),
            ra: pa / rest.p_agree(),
            rd: pd / rest.p_disagree(),
            rat: two_prop_test(counts.agree, rest.agree, counts.seen, rest.seen),
            rdt: two_prop_test(counts.disagree, rest.disagree, counts.seen, rest.seen),
        }
    }
}

/// A statement that characterises a group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Representative {
    /// Statement key.
    pub statement: String,
    /// Whether the group stands out by agreeing or by disagreeing.
    pub direction: Direction,
    /// `pa` or `pd`, following `direction`.
    pub probability: f64,
    /// `pat` or `pdt`.
    pub probability_test: f64,
    /// `ra` or `rd`.
    pub repness: f64,
    /// `rat` or `rdt`.
    pub repness_test: f64,
    /// Polis's ranking metric: repness × repness_test × probability × probability_test.
    pub metric: f64,
    /// Both tests significant at 90 %; otherwise this is the group's best statement,
    /// shown so that every group has at least one.
    pub significant: bool,
    /// Polis's "best agree" statement, placed first.
    pub best_agree: bool,
    /// All statistics.
    pub stats: RepnessStats,
}

fn significant(z: f64, threshold: f64) -> bool {
    z > threshold
}

fn finalise(statement: &str, s: &RepnessStats, significant: bool) -> Representative {
    let agree = s.rat > s.rdt;
    let (direction, probability, probability_test, repness, repness_test) = if agree {
        (Direction::Agree, s.pa, s.pat, s.ra, s.rat)
    } else {
        (Direction::Disagree, s.pd, s.pdt, s.rd, s.rdt)
    };
    Representative {
        statement: statement.to_owned(),
        direction,
        probability,
        probability_test,
        repness,
        repness_test,
        metric: repness * repness_test * probability * probability_test,
        significant,
        best_agree: false,
        stats: *s,
    }
}

/// Polis's choice of a group's representative statements (`select-rep-comments`), with
/// every tie broken by the canonical statement order instead of by row order.
///
/// `stats[c]` is `None` for hidden statements. Statements are keyed by `keys[c]`.
pub(crate) fn select_representative(
    stats: &[Option<RepnessStats>],
    keys: &[&str],
    z: f64,
    max: usize,
) -> Vec<Representative> {
    let mut sufficient: Vec<usize> = Vec::new();
    let mut best: Option<usize> = None;
    let mut best_agree: Option<usize> = None;
    for (c, s) in stats.iter().enumerate() {
        let Some(s) = s else { continue };
        if (significant(s.rat, z) && significant(s.pat, z))
            || (significant(s.rdt, z) && significant(s.pdt, z))
        {
            sufficient.push(c);
        }
        if sufficient.is_empty() {
            let current = best.map(|b| {
                let b = stats[b].as_ref().expect("visible");
                b.rat.max(b.rdt)
            });
            if current.is_none_or(|z_best| s.rat.max(s.rdt) > z_best) {
                best = Some(c);
            }
        }
        if beats_best_agree(s, best_agree.and_then(|b| stats[b].as_ref()), z) {
            best_agree = Some(c);
        }
    }
    let head: Option<Representative> = best_agree.map(|c| {
        let mut r = finalise(keys[c], stats[c].as_ref().expect("visible"), false);
        r.significant = sufficient.contains(&c);
        r.best_agree = true;
        r
    });
    if sufficient.is_empty() {
        return match (head, best) {
            (Some(h), _) => vec![h],
            (None, Some(b)) => vec![finalise(
                keys[b],
                stats[b].as_ref().expect("visible"),
                false,
            )],
            (None, None) => Vec::new(),
        };
    }
    let mut chosen: Vec<(usize, Representative)> = sufficient
        .iter()
        .filter(|&&c| Some(c) != best_agree)
        .map(|&c| {
            (
                c,
                finalise(keys[c], stats[c].as_ref().expect("visible"), true),
            )
        })
        .collect();
    chosen.sort_by(|a, b| b.1.metric.total_cmp(&a.1.metric).then(a.0.cmp(&b.0)));
    let mut out: Vec<Representative> = head
        .into_iter()
        .chain(chosen.into_iter().map(|x| x.1))
        .collect();
    out.truncate(max);
    // Agrees before disagrees, order otherwise kept (as Polis presents them).
    let (agrees, disagrees): (Vec<_>, Vec<_>) = out
        .into_iter()
        .partition(|r| r.direction == Direction::Agree);
    agrees.into_iter().chain(disagrees).collect()
}

/// Polis's `beats-best-agr?`.
fn beats_best_agree(s: &RepnessStats, current: Option<&RepnessStats>, z: f64) -> bool {
    if s.counts.agree == 0 && s.counts.disagree == 0 {
        return false;
    }
    match current {
        Some(b) if b.ra > 1.0 => s.ra * s.rat * s.pa * s.pat > b.ra * b.rat * b.pa * b.pat,
        Some(b) => s.pa * s.pat > b.pa * b.pat,
        None => significant(s.pat, z) || (s.ra > 1.0 && s.pa > 0.5),
    }
}

/// A statement that the groups share.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Consensus {
    /// Statement key.
    pub statement: String,
    /// Shared agreement or shared disagreement.
    pub direction: Direction,
    /// Polis's group-aware consensus: the product over groups of P(direction).
    pub group_aware: f64,
    /// P(direction) in each group, by group id.
    pub per_group: Vec<f64>,
    /// Counts over every participant who voted on it.
    pub counts: Counts,
    /// P(direction) over every participant (with the prior).
    pub probability: f64,
    /// Its z against ½.
    pub probability_test: f64,
}

/// Consensus statements in one direction: significant majority overall (Polis's
/// `select-consensus-comments` rule, p > ½ and z > 1.2816) *and* a majority in every
/// group, ranked by group-aware consensus (ties by canonical order).
pub(crate) fn select_consensus(
    overall: &[Option<Counts>],
    per_group: &[Vec<Counts>],
    keys: &[&str],
    direction: Direction,
    z: f64,
    max: usize,
) -> Vec<Consensus> {
    let mut out: Vec<(usize, Consensus)> = Vec::new();
    for (c, o) in overall.iter().enumerate() {
        let Some(o) = o else { continue };
        let pick = |n: &Counts| match direction {
            Direction::Agree => (n.p_agree(), n.agree),
            Direction::Disagree => (n.p_disagree(), n.disagree),
        };
        let (p, successes) = pick(o);
        let test = prop_test(successes, o.seen);
        let groups: Vec<f64> = per_group.iter().map(|g| pick(&g[c]).0).collect();
        if p > 0.5 && significant(test, z) && groups.iter().all(|&g| g > 0.5) {
            out.push((
                c,
                Consensus {
                    statement: keys[c].to_owned(),
                    direction,
                    group_aware: groups.iter().product(),
                    per_group: groups,
                    counts: *o,
                    probability: p,
                    probability_test: test,
                },
            ));
        }
    }
    out.sort_by(|a, b| {
        b.1.group_aware
            .total_cmp(&a.1.group_aware)
            .then(a.0.cmp(&b.0))
    });
    out.into_iter().take(max).map(|x| x.1).collect()
}

/// A statement that splits the groups.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Divisive {
    /// Statement key.
    pub statement: String,
    /// Largest minus smallest P(agree) across groups.
    pub divisiveness: f64,
    /// The group that agrees most.
    pub agreeing_group: usize,
    /// The group that disagrees most.
    pub disagreeing_group: usize,
    /// P(agree) in each group, by group id.
    pub p_agree: Vec<f64>,
    /// P(disagree) in each group, by group id.
    pub p_disagree: Vec<f64>,
}

/// Divisive statements: one group significantly agrees (pa > ½, pat significant, and more
/// than the rest by the two-proportion test) while another significantly disagrees (the
/// same on the disagree side); ranked by the spread of P(agree) across groups.
pub(crate) fn select_divisive(
    per_group: &[Vec<Counts>],
    keys: &[&str],
    visible: &[bool],
    z: f64,
    max: usize,
) -> Vec<Divisive> {
    let k = per_group.len();
    if k < 2 {
        return Vec::new();
    }
    let mut out: Vec<(usize, Divisive)> = Vec::new();
    for c in 0..keys.len() {
        if !visible[c] {
            continue;
        }
        let counts: Vec<Counts> = per_group.iter().map(|g| g[c]).collect();
        let stats: Vec<RepnessStats> = (0..k)
            .map(|g| {
                let rest = Counts::sum((0..k).filter(|&h| h != g).map(|h| counts[h]));
                RepnessStats::new(counts[g], rest)
            })
            .collect();
        let agreeing = (0..k)
            .filter(|&g| {
                stats[g].pa > 0.5 && significant(stats[g].pat, z) && significant(stats[g].rat, z)
            })
            .max_by(|&a, &b| stats[a].pa.total_cmp(&stats[b].pa).then(b.cmp(&a)));
        let disagreeing = (0..k)
            .filter(|&g| {
                stats[g].pd > 0.5 && significant(stats[g].pdt, z) && significant(stats[g].rdt, z)
            })
            .max_by(|&a, &b| stats[a].pd.total_cmp(&stats[b].pd).then(b.cmp(&a)));
        if let (Some(a), Some(d)) = (agreeing, disagreeing) {
            let pa: Vec<f64> = stats.iter().map(|s| s.pa).collect();
            let max = pa.iter().copied().fold(f64::MIN, f64::max);
            let min = pa.iter().copied().fold(f64::MAX, f64::min);
            out.push((
                c,
                Divisive {
                    statement: keys[c].to_owned(),
                    divisiveness: max - min,
                    agreeing_group: a,
                    disagreeing_group: d,
                    p_agree: pa,
                    p_disagree: stats.iter().map(|s| s.pd).collect(),
                },
            ));
        }
    }
    out.sort_by(|a, b| {
        b.1.divisiveness
            .total_cmp(&a.1.divisiveness)
            .then(a.0.cmp(&b.0))
    });
    out.into_iter().take(max).map(|x| x.1).collect()
}

/// Counts of every clustered group and of everyone, per canonical statement.
pub(crate) fn group_counts(
    m: &super::canonical::CanonicalMatrix,
    group_of_row: &[Option<usize>],
    k: usize,
) -> (Vec<Vec<Counts>>, Vec<Counts>) {
    let d = m.n_cols();
    let mut groups = vec![vec![Counts::default(); d]; k];
    let mut all = vec![Counts::default(); d];
    for (r, g) in group_of_row.iter().enumerate() {
        let (rc, rv) = m.row(r);
        for (&c, &v) in rc.iter().zip(rv) {
            all[c as usize].add(v);
            if let Some(g) = g {
                groups[*g][c as usize].add(v);
            }
        }
    }
    (groups, all)
}

/// Per-group statistics against the rest, `None` for hidden statements.
pub(crate) fn group_stats(
    groups: &[Vec<Counts>],
    visible: &[bool],
) -> Vec<Vec<Option<RepnessStats>>> {
    let k = groups.len();
    (0..k)
        .map(|g| {
            (0..visible.len())
                .map(|c| {
                    visible[c].then(|| {
                        let rest = Counts::sum((0..k).filter(|&h| h != g).map(|h| groups[h][c]));
                        RepnessStats::new(groups[g][c], rest)
                    })
                })
                .collect()
        })
        .collect()
}
