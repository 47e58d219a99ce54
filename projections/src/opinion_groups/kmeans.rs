//! Weighted k-means in the plane with deterministic seeding, and the silhouette.
//!
//! Polis initialises k-means with the first k distinct rows and warm-starts from the last
//! run, so its groups depend on row order and on history. Here seeding is k-means++ driven
//! by a generator seeded from the data's content, over points in canonical order, with
//! several restarts whose seeds depend only on the content and the restart number; the
//! restart with the lowest weighted inertia wins (the earliest on an exact tie).

use super::rng::{combine, SplitMix64};

/// A clustering of weighted points.
#[derive(Clone, Debug)]
pub(crate) struct Clustering {
    /// Cluster of each point, `0..centers.len()`.
    pub assignment: Vec<usize>,
    /// Weighted centre of each cluster (empty clusters are removed).
    pub centers: Vec<[f64; 2]>,
    /// Weighted sum of squared distances to the assigned centre.
    pub inertia: f64,
}

fn dist2(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (a[0] - b[0], a[1] - b[1]);
    dx * dx + dy * dy
}

fn nearest(p: [f64; 2], centers: &[[f64; 2]]) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (i, &c) in centers.iter().enumerate() {
        let d = dist2(p, c);
        // Strict comparison: ties go to the lowest index, a fixed rule.
        if d < best.1 {
            best = (i, d);
        }
    }
    best
}

/// k-means++ seeding: the first centre is drawn with probability proportional to weight,
/// each next one proportionally to weight × squared distance to the nearest chosen centre.
fn seed_centers(
    points: &[[f64; 2]],
    weights: &[f64],
    k: usize,
    rng: &mut SplitMix64,
) -> Vec<[f64; 2]> {
    let mut centers = Vec::with_capacity(k);
    let mut d2: Vec<f64> = vec![1.0; points.len()];
    while centers.len() < k {
        let total: f64 = d2.iter().zip(weights).map(|(d, w)| d * w).sum();
        if total <= 0.0 {
            break; // fewer distinct points than k
        }
        let mut target = rng.next_f64() * total;
        let mut chosen = points.len() - 1;
        for (i, (d, w)) in d2.iter().zip(weights).enumerate() {
            let mass = d * w;
            if mass > 0.0 {
                if target < mass {
                    chosen = i;
                    break;
                }
                target -= mass;
            }
        }
        // Guard against rounding leaving `chosen` on a zero-mass point.
        while d2[chosen] * weights[chosen] <= 0.0 {
            chosen -= 1;
        }
        let c = points[chosen];
        centers.push(c);
        for (d, &p) in d2.iter_mut().zip(points) {
            *d = d.min(dist2(p, c));
            if centers.len() == 1 {
                *d = dist2(p, c);
            }
        }
    }
    centers
}

/// Lloyd iterations from given centres until assignments stop changing.
fn lloyd(
    points: &[[f64; 2]],
    weights: &[f64],
    mut centers: Vec<[f64; 2]>,
    max_iterations: usize,
) -> Clustering {
    let mut assignment = vec![usize::MAX; points.len()];
    for _ in 0..max_iterations.max(1) {
        let mut changed = false;
        for (a, &p) in assignment.iter_mut().zip(points) {
            let (i, _) = nearest(p, &centers);
            if *a != i {
                *a = i;
                changed = true;
            }
        }
        let k = centers.len();
        let mut sum = vec![[0.0f64; 2]; k];
        let mut mass = vec![0.0f64; k];
        for ((&a, &p), &w) in assignment.iter().zip(points).zip(weights) {
            sum[a][0] += w * p[0];
            sum[a][1] += w * p[1];
            mass[a] += w;
        }
        // Drop empty clusters, as Polis does, renumbering the rest in order.
        let mut renumber = vec![usize::MAX; k];
        let mut kept = Vec::with_capacity(k);
        for i in 0..k {
            if mass[i] > 0.0 {
                renumber[i] = kept.len();
                kept.push([sum[i][0] / mass[i], sum[i][1] / mass[i]]);
            }
        }
        if kept.len() != k {
            for a in &mut assignment {
                *a = renumber[*a];
            }
            changed = true;
        }
        centers = kept;
        if !changed {
            break;
        }
    }
    let inertia = points
        .iter()
        .zip(&assignment)
        .zip(weights)
        .map(|((&p, &a), &w)| w * dist2(p, centers[a]))
        .sum();
    Clustering {
        assignment,
        centers,
        inertia,
    }
}

/// Best of `restarts` seeded runs of weighted k-means.
pub(crate) fn kmeans(
    points: &[[f64; 2]],
    weights: &[f64],
    k: usize,
    restarts: usize,
    max_iterations: usize,
    seed: u64,
) -> Clustering {
    let mut best: Option<Clustering> = None;
    for restart in 0..restarts.max(1) {
        let mut rng = SplitMix64::new(combine(combine(seed, k as u64), restart as u64));
        let centers = seed_centers(points, weights, k, &mut rng);
        let run = lloyd(points, weights, centers, max_iterations);
        if best.as_ref().is_none_or(|b| run.inertia < b.inertia) {
            best = Some(run);
        }
    }
    best.expect("at least one restart")
}

/// Weighted silhouette: each point stands for `weight` participants at its position, so
/// this is the participants' silhouette computed on base-cluster centres. A point alone in
/// its cluster scores 0 (as in Polis); the mean is weighted.
pub(crate) fn silhouette(
    points: &[[f64; 2]],
    weights: &[f64],
    assignment: &[usize],
    k: usize,
) -> f64 {
    let n = points.len();
    let mut total = 0.0;
    let mut mass = 0.0;
    let mut sums = vec![0.0f64; k];
    let mut cluster_mass = vec![0.0f64; k];
    for (&a, &w) in assignment.iter().zip(weights) {
        cluster_mass[a] += w;
    }
    for i in 0..n {
        sums.iter_mut().for_each(|s| *s = 0.0);
        for j in 0..n {
            let d = dist2(points[i], points[j]).sqrt();
            sums[assignment[j]] += weights[j] * d;
        }
        let own = assignment[i];
        // The point's other members: its own weight minus itself (distance 0 anyway).
        let own_mass = cluster_mass[own] - 1.0;
        let s = if own_mass <= 0.0 {
            0.0
        } else {
            let a = sums[own] / own_mass;
            let b = (0..k)
                .filter(|&c| c != own && cluster_mass[c] > 0.0)
                .map(|c| sums[c] / cluster_mass[c])
                .fold(f64::INFINITY, f64::min);
            if !b.is_finite() {
                0.0
            } else if a.max(b) > 0.0 {
                (b - a) / a.max(b)
            } else {
                0.0
            }
        };
        total += weights[i] * s;
        mass += weights[i];
    }
    if mass > 0.0 {
        total / mass
    } else {
        0.0
    }
}
