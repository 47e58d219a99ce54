//! Articles, pillars and the changes a revision makes.

use crate::values::{ArticleId, ArticleText, ContributionId, TextHash, Title};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The four pillars of the *Manifeste pour une IA sociale, démocratique, utile
/// et territoriale*.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pillar {
    /// Sociale.
    Sociale,
    /// Démocratique.
    Democratique,
    /// Utile.
    Utile,
    /// Territoriale.
    Territoriale,
}

/// One article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// Stable id, kept across versions.
    pub id: ArticleId,
    /// Its pillar.
    pub pillar: Pillar,
    /// Its title.
    pub title: Title,
    /// Its text.
    pub text: ArticleText,
}

impl Article {
    /// The hash amendments anchor to.
    pub fn hash(&self) -> TextHash {
        TextHash::of(self.text.as_str())
    }
}

/// What a revision does to one article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum ArticleEdit {
    /// New text for an existing article.
    Replace {
        /// The new text.
        text: ArticleText,
    },
    /// A new article, after another one (or at the end).
    Insert {
        /// The article it follows, if any.
        after: Option<ArticleId>,
        /// Its pillar.
        pillar: Pillar,
        /// Its title.
        title: Title,
        /// Its text.
        text: ArticleText,
    },
    /// Removes the article.
    Delete,
}

/// One entry of a revision's change log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleChange {
    /// The article changed (or created).
    pub article: ArticleId,
    /// The change.
    pub edit: ArticleEdit,
    /// The adopted contributions it came from.
    pub sources: BTreeSet<ContributionId>,
}
