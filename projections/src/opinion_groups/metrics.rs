//! Agreement between two partitions: the adjusted Rand index (Hubert & Arabie, 1985).

use std::collections::HashMap;
use std::hash::Hash;

fn pairs(n: u64) -> f64 {
    (n * n.saturating_sub(1)) as f64 / 2.0
}

/// Adjusted Rand index of two labelings of the same items (`a[i]` and `b[i]` label item
/// `i`): 1 for identical partitions, about 0 for independent ones. When both partitions
/// put everything in one block (or everything apart), the index is 1.
pub fn adjusted_rand_index<A: Eq + Hash, B: Eq + Hash>(a: &[A], b: &[B]) -> f64 {
    assert_eq!(a.len(), b.len(), "both labelings must cover the same items");
    let n = a.len() as u64;
    let mut table: HashMap<(&A, &B), u64> = HashMap::new();
    let mut rows: HashMap<&A, u64> = HashMap::new();
    let mut cols: HashMap<&B, u64> = HashMap::new();
    for (x, y) in a.iter().zip(b) {
        *table.entry((x, y)).or_default() += 1;
        *rows.entry(x).or_default() += 1;
        *cols.entry(y).or_default() += 1;
    }
    let index: f64 = table.values().map(|&v| pairs(v)).sum();
    let sum_a: f64 = rows.values().map(|&v| pairs(v)).sum();
    let sum_b: f64 = cols.values().map(|&v| pairs(v)).sum();
    let total = pairs(n);
    if total == 0.0 {
        return 1.0;
    }
    let expected = sum_a * sum_b / total;
    let max = (sum_a + sum_b) / 2.0;
    if max == expected {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

#[cfg(test)]
mod tests {
    use super::adjusted_rand_index;

    #[test]
    fn identical_partitions_up_to_labels_score_one() {
        assert_eq!(
            adjusted_rand_index(&[0, 0, 1, 1, 2], &["b", "b", "a", "a", "c"]),
            1.0
        );
    }

    #[test]
    fn known_value() {
        // Reference value from scikit-learn's documentation example.
        let ari = adjusted_rand_index(&[0, 0, 1, 1], &[0, 0, 1, 2]);
        assert!((ari - 0.571_428_571_428_571_4).abs() < 1e-12, "{ari}");
        let ari = adjusted_rand_index(&[0, 0, 0, 0], &[0, 1, 2, 3]);
        assert_eq!(ari, 0.0);
    }
}
