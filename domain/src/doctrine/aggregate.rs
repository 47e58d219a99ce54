//! Commands, events, state and rules of a doctrine.

use super::types::{Article, ArticleChange, ArticleEdit};
use crate::actor::Actor;
use crate::aggregate::{Aggregate, StreamName};
use crate::contribution::AnswerOutcome;
use crate::limits::MAX_REVISION_CHANGES;
use crate::rejection::{Field, Rejection};
use crate::schema::DomainEvent;
use crate::values::{
    ArticleId, ContributionId, DoctrineId, Reason, Siren, StaffId, TextHash, Title,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// A command on a doctrine.
#[derive(Debug, Clone, PartialEq)]
pub enum DoctrineCommand {
    /// Creates version 1 (commission, or the system actor seeding the demo).
    Create {
        /// The doctrine.
        id: DoctrineId,
        /// The collectivité whose commission owns it.
        collectivite: Siren,
        /// Its title.
        title: Title,
        /// Whether its text is demonstration text, never the real manifesto.
        demonstration: bool,
        /// Its articles, in order.
        articles: Vec<Article>,
    },
    /// Makes a new version (commission).
    Revise {
        /// The doctrine.
        id: DoctrineId,
        /// The version the commission edited; must be the current one.
        based_on: u32,
        /// The changes, applied in order.
        changes: Vec<ArticleChange>,
        /// The commission's answers, from the read model, for the cited sources.
        answers: BTreeMap<ContributionId, AnswerOutcome>,
        /// Why.
        note: Reason,
    },
}

impl DoctrineCommand {
    /// The doctrine targeted.
    pub fn id(&self) -> DoctrineId {
        match self {
            DoctrineCommand::Create { id, .. } | DoctrineCommand::Revise { id, .. } => *id,
        }
    }
}

/// What happened to a doctrine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum DoctrineEvent {
    /// Version 1.
    DoctrineCreated {
        /// The doctrine.
        id: DoctrineId,
        /// Owner.
        collectivite: Siren,
        /// Title.
        title: Title,
        /// Demonstration text.
        demonstration: bool,
        /// Articles.
        articles: Vec<Article>,
    },
    /// A new version.
    DoctrineRevised {
        /// The new version number.
        version: u32,
        /// The change log.
        changes: Vec<ArticleChange>,
        /// Why.
        note: Reason,
        /// The commission member.
        by: StaffId,
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

crate::event_types!(DoctrineEvent {
    DoctrineCreated,
    DoctrineRevised
});

impl DomainEvent for DoctrineEvent {
    fn event_type(&self) -> &'static str {
        self.type_name()
    }
}

/// A doctrine. Built only by folding events.
#[derive(Debug, Clone, PartialEq)]
pub struct Doctrine {
    /// Its id.
    pub id: DoctrineId,
    /// Owner.
    pub collectivite: Siren,
    /// Title.
    pub title: Title,
    /// Demonstration text.
    pub demonstration: bool,
    /// Current version, from 1.
    pub version: u32,
    /// Current articles, in order.
    pub articles: Vec<Article>,
    /// Article hashes by version, so old anchors can be checked.
    pub hashes: BTreeMap<u32, BTreeMap<ArticleId, TextHash>>,
    /// Change log by version.
    pub changelog: BTreeMap<u32, Vec<ArticleChange>>,
}

impl Doctrine {
    /// The hash of an article at a version, for an amendment's anchor.
    pub fn article_hash(&self, version: u32, article: &ArticleId) -> Option<TextHash> {
        self.hashes.get(&version)?.get(article).cloned()
    }

    fn snapshot_hashes(&mut self) {
        let hashes = self
            .articles
            .iter()
            .map(|a| (a.id.clone(), a.hash()))
            .collect();
        self.hashes.insert(self.version, hashes);
    }
}

/// The state of a doctrine stream.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DoctrineState {
    /// The doctrine, once created.
    pub doctrine: Option<Doctrine>,
}

/// Applies one change to a list of articles.
fn apply(articles: &mut Vec<Article>, change: &ArticleChange) -> Result<(), Rejection> {
    let position = articles.iter().position(|a| a.id == change.article);
    let unknown = |id: &ArticleId| Rejection::UnknownArticle {
        article: id.to_string(),
    };
    match (&change.edit, position) {
        (ArticleEdit::Replace { text }, Some(i)) => articles[i].text = text.clone(),
        (ArticleEdit::Delete, Some(i)) => {
            articles.remove(i);
        }
        (ArticleEdit::Replace { .. } | ArticleEdit::Delete, None) => {
            return Err(unknown(&change.article))
        }
        (ArticleEdit::Insert { .. }, Some(_)) => {
            return Err(Rejection::ArticleExists {
                article: change.article.to_string(),
            })
        }
        (
            ArticleEdit::Insert {
                after,
                pillar,
                title,
                text,
            },
            None,
        ) => {
            let at = match after {
                None => articles.len(),
                Some(a) => {
                    articles
                        .iter()
                        .position(|x| &x.id == a)
                        .ok_or_else(|| unknown(a))?
                        + 1
                }
            };
            articles.insert(
                at,
                Article {
                    id: change.article.clone(),
                    pillar: *pillar,
                    title: title.clone(),
                    text: text.clone(),
                },
            );
        }
    }
    Ok(())
}

/// The doctrine aggregate.
pub struct DoctrineAggregate;

/// The stream of a doctrine: `doctrine-<uuid>`.
pub fn stream(id: DoctrineId) -> StreamName {
    StreamName::new(DoctrineAggregate::CATEGORY, id)
}

const REVISE: &str = "action.revise_doctrine";

impl Aggregate for DoctrineAggregate {
    const CATEGORY: &'static str = "doctrine";
    type State = DoctrineState;
    type Command = DoctrineCommand;
    type Event = DoctrineEvent;

    fn stream(command: &DoctrineCommand) -> StreamName {
        stream(command.id())
    }

    fn decide(
        state: &DoctrineState,
        command: DoctrineCommand,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<Vec<DoctrineEvent>, Rejection> {
        match command {
            DoctrineCommand::Create {
                id,
                collectivite,
                title,
                demonstration,
                articles,
            } => {
                if *actor != Actor::System {
                    actor.require_commission(&collectivite, false, REVISE)?;
                }
                if state.doctrine.is_some() {
                    return Err(Rejection::DoctrineExists);
                }
                let mut seen = std::collections::BTreeSet::new();
                for a in &articles {
                    if !seen.insert(&a.id) {
                        return Err(Rejection::ArticleExists {
                            article: a.id.to_string(),
                        });
                    }
                }
                Ok(vec![DoctrineEvent::DoctrineCreated {
                    id,
                    collectivite,
                    title,
                    demonstration,
                    articles,
                }])
            }
            DoctrineCommand::Revise {
                based_on,
                changes,
                answers,
                note,
                ..
            } => {
                let d = state.doctrine.as_ref().ok_or(Rejection::DoctrineNotFound)?;
                let by = actor.require_commission(&d.collectivite, false, REVISE)?;
                if based_on != d.version {
                    return Err(Rejection::StaleVersion { current: d.version });
                }
                if changes.is_empty() {
                    return Err(Rejection::EmptyRevision);
                }
                if changes.len() > MAX_REVISION_CHANGES {
                    return Err(Rejection::TooMany {
                        field: Field::Changes,
                        max: MAX_REVISION_CHANGES,
                    });
                }
                let mut articles = d.articles.clone();
                for change in &changes {
                    let adopted =
                        |id: &ContributionId| answers.get(id).is_some_and(|o| o.is_adopted());
                    if !change.sources.iter().all(adopted) {
                        return Err(Rejection::SourceNotAdopted);
                    }
                    apply(&mut articles, change)?;
                }
                Ok(vec![DoctrineEvent::DoctrineRevised {
                    version: d.version + 1,
                    changes,
                    note,
                    by,
                    at: now,
                }])
            }
        }
    }

    fn evolve(mut state: DoctrineState, event: &DoctrineEvent) -> DoctrineState {
        match event {
            DoctrineEvent::DoctrineCreated {
                id,
                collectivite,
                title,
                demonstration,
                articles,
            } => {
                let mut d = Doctrine {
                    id: *id,
                    collectivite: collectivite.clone(),
                    title: title.clone(),
                    demonstration: *demonstration,
                    version: 1,
                    articles: articles.clone(),
                    hashes: BTreeMap::new(),
                    changelog: BTreeMap::new(),
                };
                d.snapshot_hashes();
                state.doctrine = Some(d);
            }
            DoctrineEvent::DoctrineRevised {
                version, changes, ..
            } => {
                if let Some(d) = state.doctrine.as_mut() {
                    for change in changes {
                        // Decided changes always apply; a failing one is skipped
                        // rather than stopping the fold.
                        let _ = apply(&mut d.articles, change);
                    }
                    d.version = *version;
                    d.changelog.insert(*version, changes.clone());
                    d.snapshot_hashes();
                }
            }
        }
        state
    }
}
