//! A word-level diff for reading a doctrine's changes: the longest common subsequence
//! of words, then runs of kept, removed and added words. Pages mark removals with
//! `<del>` and additions with `<ins>` (and say so in words, since colour alone must
//! not carry the meaning); the exported doctrine revision marks them in Markdown and
//! OpenDocument from the same pieces.

/// A run of words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// In both texts.
    Same(String),
    /// Only in the old text.
    Removed(String),
    /// Only in the new text.
    Added(String),
}

impl Piece {
    /// `same`, `removed` or `added`, for the template.
    pub fn kind(&self) -> &'static str {
        match self {
            Piece::Same(_) => "same",
            Piece::Removed(_) => "removed",
            Piece::Added(_) => "added",
        }
    }

    /// The words.
    pub fn text(&self) -> &str {
        match self {
            Piece::Same(t) | Piece::Removed(t) | Piece::Added(t) => t,
        }
    }
}

/// Texts longer than this many words are shown whole, removed then added: the
/// quadratic table would cost too much for a reading aid.
const MAX_WORDS: usize = 4_000;

/// The diff of `old` into `new`, by words (whitespace kept with the word before it).
pub fn words(old: &str, new: &str) -> Vec<Piece> {
    let a: Vec<&str> = old.split_inclusive(char::is_whitespace).collect();
    let b: Vec<&str> = new.split_inclusive(char::is_whitespace).collect();
    if a.len() > MAX_WORDS || b.len() > MAX_WORDS {
        return [Piece::Removed(old.into()), Piece::Added(new.into())]
            .into_iter()
            .filter(|p| !p.text().is_empty())
            .collect();
    }
    // lcs[i][j]: length of the common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i].trim_end() == b[j].trim_end() {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut pieces: Vec<Piece> = Vec::new();
    let mut push = |piece: Piece| match (pieces.last_mut(), piece) {
        (Some(Piece::Same(t)), Piece::Same(s))
        | (Some(Piece::Removed(t)), Piece::Removed(s))
        | (Some(Piece::Added(t)), Piece::Added(s)) => t.push_str(&s),
        (_, piece) => pieces.push(piece),
    };
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i].trim_end() == b[j].trim_end() {
            push(Piece::Same(b[j].into()));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            push(Piece::Added(b[j].into()));
            j += 1;
        } else {
            push(Piece::Removed(a[i].into()));
            i += 1;
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replaced_word_is_removed_then_added_and_the_rest_kept() {
        let pieces = words(
            "Les données restent sur le territoire.",
            "Les données restent hébergées sur le territoire.",
        );
        assert_eq!(
            pieces,
            vec![
                Piece::Same("Les données restent ".into()),
                Piece::Added("hébergées ".into()),
                Piece::Same("sur le territoire.".into()),
            ]
        );
        let pieces = words("un deux trois", "un quatre trois");
        assert_eq!(
            pieces,
            vec![
                Piece::Same("un ".into()),
                Piece::Added("quatre ".into()),
                Piece::Removed("deux ".into()),
                Piece::Same("trois".into()),
            ]
        );
    }

    #[test]
    fn identical_and_empty_texts() {
        assert_eq!(words("a b", "a b"), vec![Piece::Same("a b".into())]);
        assert_eq!(words("", "nouveau"), vec![Piece::Added("nouveau".into())]);
        assert_eq!(words("ancien", ""), vec![Piece::Removed("ancien".into())]);
    }
}
