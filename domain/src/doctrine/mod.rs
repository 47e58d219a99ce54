//! The doctrine: a versioned document of articles under the manifesto's four
//! pillars. Amendments anchor to (version, article, hash of the base text); the
//! commission's revisions make new versions whose change log cites the adopted
//! contributions they came from. Stream `doctrine-<uuid>`.

mod aggregate;
#[cfg(test)]
mod tests;
mod types;

pub use aggregate::{
    stream, Doctrine, DoctrineAggregate, DoctrineCommand, DoctrineEvent, DoctrineState,
};
pub use types::{Article, ArticleChange, ArticleEdit, Pillar};
