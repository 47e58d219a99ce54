//! The commission's synthesis exports from the dashboard: a button starts a background
//! job, its page follows the progress (refreshing itself, so it works without
//! JavaScript) and offers the bundle's ZIP once ready.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use gateway::exports::{JobStatus, JobView};
use gateway::http::AppState;
use uuid::Uuid;

use super::{render, see_other};
use crate::error::PageError;
use crate::form::Form;
use crate::format;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::visitor::Visitor;

#[derive(Template)]
#[template(path = "export_job.html")]
struct JobPage {
    t: Tr,
    chrome: Chrome,
    slug: String,
    title: String,
    /// `running`, `ready` or `failed`.
    status: &'static str,
    /// What it is doing, while running.
    step: String,
    /// Position, files, size and root once ready.
    position: String,
    files: String,
    size: String,
    root_hash: String,
    error: String,
    /// This page (the reload link) and the archive's address.
    page_path: String,
    download: String,
}

/// The caller of a page that needs one.
fn caller(visitor: &Visitor) -> Result<&gateway::auth::Caller, PageError> {
    visitor.caller.as_ref().ok_or(PageError::SignInRequired)
}

/// The job's page path.
fn job_path(slug: &str, id: Uuid) -> String {
    format!("/commission/{}/exports/{id}", crate::links::encode(slug))
}

/// `POST /commission/{slug}/exports`: starts an export and shows its page.
pub async fn start(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Form(guard, _): Form<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let ctx = visitor.command(&state, &guard)?;
    let job = state
        .exports
        .start(&state.app, &ctx.caller, &slug, state.audit_log.clone())?;
    Ok(see_other(&job_path(&job.slug, job.id)))
}

/// `GET /commission/{slug}/exports/{id}`: where the export stands.
pub async fn job(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, Uuid)>,
) -> Result<Response, PageError> {
    let view: JobView = state.exports.get(caller(&visitor)?, id)?;
    let concertation = gateway::queries::concertation_by_slug(&state.app, &view.slug)?;
    let t = visitor.t();
    let lang = t.lang();
    let mut page = JobPage {
        chrome: Chrome::new(&state, &visitor, t.get("export.title")),
        t,
        slug: crate::links::encode(&slug),
        title: concertation.title,
        status: "running",
        step: String::new(),
        position: String::new(),
        files: String::new(),
        size: String::new(),
        root_hash: String::new(),
        error: String::new(),
        page_path: job_path(&view.slug, id),
        download: format!("{}/archive", job_path(&view.slug, id)),
    };
    match view.status {
        JobStatus::Running { events, writing } => {
            page.step = match writing {
                Some(file) => t.fmt("export.writing", &[("file", file)]),
                None => t.fmt(
                    "export.replaying",
                    &[("events", format::number(events, lang))],
                ),
            };
        }
        JobStatus::Ready {
            position,
            files,
            bytes,
            root_hash,
        } => {
            page.status = "ready";
            page.position = position;
            page.files = format::number(files as u64, lang);
            page.size = format::number(bytes.div_ceil(1024), lang);
            page.root_hash = root_hash;
        }
        JobStatus::Failed { error } => {
            page.status = "failed";
            page.error = error;
        }
    }
    render(&page)
}

/// `GET /commission/{slug}/exports/{id}/archive`: the bundle's ZIP.
pub async fn archive(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response, PageError> {
    let (path, name) = state.exports.archive(caller(&visitor)?, id)?;
    Ok(gateway::http::routes::exports::archive_response(&path, &name).await?)
}
