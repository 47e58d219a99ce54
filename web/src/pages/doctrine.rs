//! A doctrine (the manifesto): its current articles, and each version's changes as a
//! readable word diff against the version before, with the contributions each change
//! came from.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::doctrine::{ArticleEdit, Doctrine};
use domain::values::DoctrineId;
use gateway::http::AppState;

use super::{path_id, render};
use crate::diff::{self, Piece};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::visitor::Visitor;

/// An article as shown.
pub struct ArticleLine {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Text.
    pub text: String,
}

/// One change of a version.
pub struct ChangeLine {
    /// "Article 3 — Titre".
    pub article: String,
    /// What happened ("modifié", "ajouté", "supprimé").
    pub what: String,
    /// The diff.
    pub pieces: Vec<Piece>,
    /// The contributions it came from.
    pub sources: Vec<String>,
}

/// A version's changes.
pub struct VersionBlock {
    /// The version number.
    pub version: u32,
    /// Its changes.
    pub changes: Vec<ChangeLine>,
}

#[derive(Template)]
#[template(path = "doctrine.html")]
struct DoctrinePage {
    t: Tr,
    chrome: Chrome,
    title: String,
    demonstration: bool,
    version: u32,
    articles: Vec<ArticleLine>,
    versions: Vec<VersionBlock>,
}

fn article_text(d: &Doctrine, id: &domain::values::ArticleId) -> Option<(String, String)> {
    d.articles
        .iter()
        .find(|a| &a.id == id)
        .map(|a| (a.title.as_str().to_owned(), a.text.as_str().to_owned()))
}

/// `GET /doctrines/{id}`.
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let t = visitor.t();
    let id = DoctrineId::from_uuid(path_id(&id)?);
    let versions = state.app.doctrine_versions(id).await?;
    let current = versions.last().cloned().ok_or(PageError::NotFound)?;
    let mut blocks = Vec::new();
    for pair in versions.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        let changes = after
            .changelog
            .get(&after.version)
            .map(|changes| {
                changes
                    .iter()
                    .map(|change| {
                        let old = article_text(before, &change.article);
                        let new = article_text(after, &change.article);
                        let title = new
                            .as_ref()
                            .or(old.as_ref())
                            .map(|(title, _)| title.clone())
                            .unwrap_or_default();
                        let (what, pieces) = match &change.edit {
                            ArticleEdit::Replace { .. } => (
                                t.get("doctrine.replaced"),
                                diff::words(
                                    old.as_ref().map(|o| o.1.as_str()).unwrap_or(""),
                                    new.as_ref().map(|n| n.1.as_str()).unwrap_or(""),
                                ),
                            ),
                            ArticleEdit::Insert { text, .. } => (
                                t.get("doctrine.inserted"),
                                vec![Piece::Added(text.as_str().to_owned())],
                            ),
                            ArticleEdit::Delete => (
                                t.get("doctrine.deleted"),
                                vec![Piece::Removed(old.map(|o| o.1).unwrap_or_default())],
                            ),
                        };
                        ChangeLine {
                            article: t.fmt(
                                "doctrine.article_label",
                                &[("id", change.article.as_str().to_owned()), ("title", title)],
                            ),
                            what,
                            pieces,
                            sources: change.sources.iter().map(|s| s.to_string()).collect(),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        blocks.push(VersionBlock {
            version: after.version,
            changes,
        });
    }
    blocks.reverse();
    render(&DoctrinePage {
        chrome: Chrome::new(&state, &visitor, current.title.as_str().to_owned()),
        title: current.title.as_str().to_owned(),
        demonstration: current.demonstration,
        version: current.version,
        articles: current
            .articles
            .iter()
            .map(|a| ArticleLine {
                id: a.id.as_str().to_owned(),
                title: a.title.as_str().to_owned(),
                text: a.text.as_str().to_owned(),
            })
            .collect(),
        versions: blocks,
        t,
    })
}
