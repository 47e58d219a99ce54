//! Doctrine services: read a doctrine with its versions, and revise it (commission),
//! with the commission's answers to the cited contributions folded from their streams.

use std::collections::{BTreeMap, BTreeSet};

use domain::doctrine::{
    stream, ArticleChange, ArticleEdit, Doctrine, DoctrineAggregate, DoctrineCommand as C, Pillar,
};
use domain::values::{ArticleId, ArticleText, ContributionId, DoctrineId, Reason, Title};
use domain::Rejection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::check::{parsed, Check};
use super::{require_staff, App, Applied, Ctx};
use crate::error::{AppError, AppResult};

/// What a change does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EditInput {
    /// New text for the article.
    Replace,
    /// A new article after `after` (or at the end).
    Insert,
    /// Removes the article.
    Delete,
}

/// One change of a revision.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeInput {
    /// The article changed (or created).
    pub article: String,
    /// The change.
    pub edit: EditInput,
    /// Text (replace, insert).
    #[serde(default)]
    pub text: Option<String>,
    /// Title (insert).
    #[serde(default)]
    pub title: Option<String>,
    /// Pillar (insert).
    #[serde(default)]
    pub pillar: Option<Pillar>,
    /// The article it follows (insert).
    #[serde(default)]
    pub after: Option<String>,
    /// The adopted contributions it came from.
    #[serde(default)]
    pub sources: Vec<Uuid>,
}

/// A revision.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReviseDoctrineInput {
    /// The version edited (must be the current one).
    pub based_on: u32,
    /// The changes, in order.
    pub changes: Vec<ChangeInput>,
    /// Why.
    pub note: String,
}

impl App {
    /// The doctrine, folded from its stream; 404 when it does not exist.
    pub async fn doctrine(&self, id: DoctrineId) -> AppResult<Doctrine> {
        self.load::<DoctrineAggregate>(&stream(id))
            .await?
            .doctrine
            .ok_or(AppError::Rejected(Rejection::DoctrineNotFound))
    }

    /// The doctrine as it stood at each version, oldest first (for the pages' diffs
    /// between versions); 404 when it does not exist.
    pub async fn doctrine_versions(&self, id: DoctrineId) -> AppResult<Vec<Doctrine>> {
        use domain::Aggregate;
        type State = <DoctrineAggregate as Aggregate>::State;
        let stream = projections::codec::stream_name(&stream(id))?;
        let ((_, versions), _) = eventstore::aggregate::load::<_, _, AppError>(
            self.store(),
            &stream,
            &mut |(state, mut versions): (State, Vec<Doctrine>),
                  recorded: &eventstore::RecordedEvent| {
                projections::codec::decode::<<DoctrineAggregate as Aggregate>::Event>(recorded).map(
                    |event| {
                        let state = DoctrineAggregate::evolve(state, &event);
                        if let Some(d) = &state.doctrine {
                            if versions.last().map(|v| v.version) != Some(d.version) {
                                versions.push(d.clone());
                            }
                        }
                        (state, versions)
                    },
                )
            },
        )
        .await?;
        if versions.is_empty() {
            return Err(AppError::Rejected(Rejection::DoctrineNotFound));
        }
        Ok(versions)
    }

    /// Revises a doctrine (commission).
    pub async fn revise_doctrine(
        &self,
        ctx: &Ctx,
        id: DoctrineId,
        input: ReviseDoctrineInput,
    ) -> AppResult<Applied> {
        require_staff(ctx)?;
        let mut check = Check::new();
        let note = check.field("/note", Reason::parse(&input.note));
        let mut changes = Vec::new();
        for (i, change) in input.changes.iter().enumerate() {
            let at = |field: &str| format!("/changes/{i}/{field}");
            let article = check.field(&at("article"), ArticleId::parse(&change.article));
            let text = check.optional(&at("text"), change.text.as_deref(), ArticleText::parse);
            let title = check.optional(&at("title"), change.title.as_deref(), Title::parse);
            let after = check.optional(&at("after"), change.after.as_deref(), ArticleId::parse);
            let edit = match (change.edit, text.flatten(), title.flatten(), change.pillar) {
                (EditInput::Replace, Some(text), None, None) => Some(ArticleEdit::Replace { text }),
                (EditInput::Insert, Some(text), Some(title), Some(pillar)) => {
                    Some(ArticleEdit::Insert {
                        after: after.flatten(),
                        pillar,
                        title,
                        text,
                    })
                }
                (EditInput::Delete, None, None, None) => Some(ArticleEdit::Delete),
                _ => {
                    check.fail(&at("edit"), "request.invalid", Vec::new());
                    None
                }
            };
            if let (Some(article), Some(edit)) = (article, edit) {
                changes.push(ArticleChange {
                    article,
                    edit,
                    sources: change
                        .sources
                        .iter()
                        .map(|s| ContributionId::from_uuid(*s))
                        .collect(),
                });
            }
        }
        check.finish()?;
        let cited: BTreeSet<ContributionId> = changes
            .iter()
            .flat_map(|c| c.sources.iter().copied())
            .collect();
        let mut answers = BTreeMap::new();
        for source in cited {
            if let Some(outcome) = self.contribution(source).await?.answer {
                answers.insert(source, outcome);
            }
        }
        self.execute::<DoctrineAggregate>(
            ctx,
            C::Revise {
                id,
                based_on: input.based_on,
                changes,
                answers,
                note: parsed(note),
            },
        )
        .await
    }
}
