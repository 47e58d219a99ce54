//! The application's error type and its policy.
//!
//! Policy: a business rejection ([`domain::Rejection`]) and a refused request (bad
//! input, authentication, limits) are the caller's to fix and become a precise 4xx,
//! with a stable `code` and a message from the catalogue; a revision conflict that
//! survived the retries is a 409; every other failure (storage, IO, a bug) is
//! [`AppError::Internal`]: logged with the request id where it is turned into a
//! response, and shown to the caller as an opaque 500 naming only that id.
//! The HTTP mapping lives in one place, `http::problem`.

use domain::Rejection;

/// One invalid field of a request, for the problem's field-level list.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    /// The field, as a JSON pointer into the request body (`/text`, `/themes/2`).
    pub pointer: String,
    /// Why.
    pub problem: FieldProblem,
}

/// Why a field was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldProblem {
    /// A domain value failed to parse.
    Rejected(Rejection),
    /// A gateway rule (code of the gateway catalogue, with parameters).
    Code(&'static str, Vec<(&'static str, String)>),
}

impl FieldError {
    /// A field refused by a domain parser.
    pub fn rejected(pointer: impl Into<String>, rejection: Rejection) -> Self {
        Self {
            pointer: pointer.into(),
            problem: FieldProblem::Rejected(rejection),
        }
    }

    /// A field refused by a gateway rule.
    pub fn code(pointer: impl Into<String>, code: &'static str) -> Self {
        Self {
            pointer: pointer.into(),
            problem: FieldProblem::Code(code, Vec::new()),
        }
    }
}

/// What an application service or a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The domain refused the command.
    #[error("refusé : {0}")]
    Rejected(Rejection),
    /// Some fields are invalid (each with its reason).
    #[error("données invalides ({} champ(s))", .0.len())]
    Invalid(Vec<FieldError>),
    /// The request itself is unusable (malformed JSON, wrong media type…): a gateway code.
    #[error("requête invalide : {code}")]
    BadRequest {
        /// Gateway catalogue code.
        code: &'static str,
        /// What the parser said about the input (never internals).
        detail: Option<String>,
    },
    /// The body is larger than allowed.
    #[error("corps trop volumineux")]
    PayloadTooLarge {
        /// The limit in bytes.
        max: usize,
    },
    /// The body is not JSON.
    #[error("type de contenu non pris en charge")]
    UnsupportedMediaType,
    /// No or bad credentials (gateway code: `auth.required`, `auth.invalid`, `auth.expired`…).
    #[error("non authentifié : {0}")]
    Unauthenticated(&'static str),
    /// Authenticated, but this kind of account may not do this (gateway code).
    #[error("interdit : {0}")]
    Forbidden(&'static str),
    /// Something named in the request does not exist (gateway or domain code).
    #[error("introuvable : {0}")]
    NotFound(&'static str),
    /// The path exists, not with this method.
    #[error("méthode non permise")]
    MethodNotAllowed,
    /// A conflict the caller can resolve (gateway code, e.g. `account.exists`).
    #[error("conflit : {0}")]
    Conflict(&'static str),
    /// Another writer kept winning on the same stream.
    #[error("conflit d'écriture")]
    RevisionConflict,
    /// The idempotency key was used with another request.
    #[error("clé d'idempotence réutilisée")]
    IdempotencyMismatch,
    /// Too many requests; retry after this many seconds.
    #[error("limite de débit")]
    RateLimited {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// A dependency (event store, database) is not reachable.
    #[error("indisponible : {0}")]
    Unavailable(String),
    /// The server is still catching up with the log; retry after this many seconds.
    #[error("démarrage en cours")]
    Starting {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// Anything else: a failure, not the caller's fault. Logged, never shown.
    #[error("erreur interne : {0}")]
    Internal(String),
}

impl From<Rejection> for AppError {
    fn from(rejection: Rejection) -> Self {
        AppError::Rejected(rejection)
    }
}

impl From<eventstore::StoreError> for AppError {
    fn from(error: eventstore::StoreError) -> Self {
        match error {
            eventstore::StoreError::WrongExpectedVersion { .. } => AppError::RevisionConflict,
            eventstore::StoreError::Closed => AppError::Unavailable(error.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl<R: Into<AppError>> From<eventstore::aggregate::ExecuteError<R>> for AppError {
    fn from(error: eventstore::aggregate::ExecuteError<R>) -> Self {
        use eventstore::aggregate::ExecuteError;
        match error {
            ExecuteError::Rejected(r) => r.into(),
            ExecuteError::Conflict { .. } => AppError::RevisionConflict,
            ExecuteError::Store(e) => e.into(),
            fold @ ExecuteError::Fold { .. } => AppError::Internal(fold.to_string()),
        }
    }
}

/// Shorthand for results of the application layer.
pub type AppResult<T> = Result<T, AppError>;
