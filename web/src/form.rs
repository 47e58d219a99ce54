//! Reading submitted forms ([`Form`]) and showing what was wrong with them
//! ([`FormErrors`]): each invalid field's message beside it, linked by
//! `aria-describedby`, and a summary at the top that links to the fields.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use gateway::error::{AppError, FieldProblem};
use serde::de::DeserializeOwned;

use crate::error::{app_message, PageError};
use crate::i18n::Tr;
use crate::visitor::FormGuard;

/// An `application/x-www-form-urlencoded` body: the hidden guard fields and the form's
/// own fields (repeated names, such as checkboxes, become lists).
pub struct Form<T>(pub FormGuard, pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &S) -> Result<Self, PageError> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|e| PageError::BadForm(e.body_text()))?;
        let guard: FormGuard =
            serde_html_form::from_bytes(&bytes).map_err(|e| PageError::BadForm(e.to_string()))?;
        let fields: T =
            serde_html_form::from_bytes(&bytes).map_err(|e| PageError::BadForm(e.to_string()))?;
        Ok(Form(guard, fields))
    }
}

/// What was wrong with a submitted form.
#[derive(Clone, Debug, Default)]
pub struct FormErrors {
    /// Messages not tied to one field (a rule of the concertation).
    pub general: Vec<String>,
    /// Each field's message, by the field's `name`.
    pub fields: BTreeMap<String, String>,
}

impl FormErrors {
    /// No error.
    pub fn none() -> Self {
        Self::default()
    }

    /// The errors of a refused command: field errors beside their fields (the API's
    /// JSON pointers name the same fields as the forms), anything else in the summary.
    /// A failure (not the visitor's fault) stays an error page.
    pub fn from_app(error: AppError, t: Tr) -> Result<Self, PageError> {
        match error {
            AppError::Invalid(list) => {
                let mut errors = Self::default();
                for field in list {
                    let (code, params) = match &field.problem {
                        FieldProblem::Rejected(r) => (r.code(), r.params()),
                        FieldProblem::Code(code, params) => (*code, params.clone()),
                    };
                    let message = t.message(code, &params);
                    let name = field
                        .pointer
                        .trim_start_matches('/')
                        .split('/')
                        .next()
                        .unwrap_or("")
                        .replace('/', "_");
                    if name.is_empty() {
                        errors.general.push(message);
                    } else {
                        errors.fields.entry(name).or_insert(message);
                    }
                }
                Ok(errors)
            }
            AppError::Internal(_) | AppError::Unavailable(_) | AppError::Starting { .. } => {
                Err(PageError::App(error))
            }
            other => Ok(Self {
                general: vec![app_message(&other, t)],
                fields: BTreeMap::new(),
            }),
        }
    }

    /// Whether there is anything to show.
    pub fn any(&self) -> bool {
        !self.general.is_empty() || !self.fields.is_empty()
    }

    /// The message of field `name`, or an empty string.
    pub fn of(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    /// Whether field `name` has a message.
    pub fn has(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }
}
