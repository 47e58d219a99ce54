//! Rows kept in the order they were first inserted, found by key through a small index.
//!
//! The read model's largest table (contributions) was a `HashMap` of rows beside a
//! `Vec` of ids for the order. A hash map sizes its buckets by powers of two and keeps
//! up to half of them empty, and its buckets hold the rows themselves: 30,400
//! contributions of 392 bytes took 65,536 buckets (26 MB), and 40 MB while the table
//! resized, where 12 MB hold them. Here the rows sit once, densely, in insertion order,
//! and the index maps a key to a row's place (20 bytes a bucket).

use std::collections::HashMap;
use std::hash::Hash;

/// Rows in insertion order, each found by its key.
///
/// Contract: a key appears at most once; inserting a key that is already present
/// replaces its row in place and keeps its place in the order. Rows are never removed
/// (the read model's facts only add or change rows).
#[derive(Clone, Debug)]
pub struct OrderedRows<K, V> {
    rows: Vec<V>,
    index: HashMap<K, u32>,
}

impl<K, V> Default for OrderedRows<K, V> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<K: Eq + Hash, V> OrderedRows<K, V> {
    /// Adds `row` under `key` at the end of the order, or replaces the row already
    /// under `key` where it stands. Returns whether the key was new.
    pub fn insert(&mut self, key: K, row: V) -> bool {
        if let Some(&at) = self.index.get(&key) {
            self.rows[at as usize] = row;
            return false;
        }
        let at = u32::try_from(self.rows.len()).expect("fewer than 2³² rows");
        self.rows.push(row);
        self.index.insert(key, at);
        true
    }

    /// The row under `key`.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.index.get(key).map(|&at| &self.rows[at as usize])
    }

    /// The row under `key`, to change it.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.index.get(key).map(|&at| &mut self.rows[at as usize])
    }

    /// Whether a row is under `key`.
    pub fn contains_key(&self, key: &K) -> bool {
        self.index.contains_key(key)
    }

    /// Every row, in the order their keys were first inserted.
    pub fn iter(&self) -> std::slice::Iter<'_, V> {
        self.rows.iter()
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::OrderedRows;

    #[test]
    fn rows_keep_their_first_insertion_order_and_are_found_by_key() {
        let mut rows = OrderedRows::default();
        assert!(rows.insert("c", 3));
        assert!(rows.insert("a", 1));
        assert!(rows.insert("b", 2));
        assert_eq!(rows.iter().copied().collect::<Vec<_>>(), vec![3, 1, 2]);
        assert_eq!(rows.get(&"a"), Some(&1));
        assert_eq!(rows.get(&"z"), None);
        *rows.get_mut(&"b").unwrap() = 20;
        assert_eq!(rows.get(&"b"), Some(&20));
        assert_eq!(rows.len(), 3);
    }

    #[test]
    fn inserting_a_present_key_replaces_its_row_in_place() {
        let mut rows = OrderedRows::default();
        rows.insert(1, "un");
        rows.insert(2, "deux");
        assert!(!rows.insert(1, "one"));
        assert_eq!(
            rows.iter().copied().collect::<Vec<_>>(),
            vec!["one", "deux"]
        );
        assert_eq!(rows.len(), 2);
        assert!(rows.contains_key(&1));
    }
}
