//! Field-by-field parsing of an input into domain values, collecting every invalid
//! field (with its JSON pointer) instead of stopping at the first.

use domain::Rejection;

use crate::error::{AppError, AppResult, FieldError};

/// Collects field errors while an input is parsed.
#[derive(Default)]
pub struct Check {
    errors: Vec<FieldError>,
}

impl Check {
    /// A new, empty check.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value, or records the rejection against `pointer`.
    pub fn field<T>(&mut self, pointer: &str, parsed: Result<T, Rejection>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(rejection) => {
                self.errors.push(FieldError::rejected(pointer, rejection));
                None
            }
        }
    }

    /// Parses an optional value.
    pub fn optional<T>(
        &mut self,
        pointer: &str,
        input: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, Rejection>,
    ) -> Option<Option<T>> {
        match input {
            None => Some(None),
            Some(text) => self.field(pointer, parse(text)).map(Some),
        }
    }

    /// Parses each item of a list (`pointer/0`, `pointer/1`…).
    pub fn list<T>(
        &mut self,
        pointer: &str,
        items: &[String],
        parse: impl Fn(&str) -> Result<T, Rejection>,
    ) -> Option<Vec<T>> {
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match self.field(&format!("{pointer}/{i}"), parse(item)) {
                Some(v) => out.push(v),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// Records a gateway rule's failure.
    pub fn fail(&mut self, pointer: &str, code: &'static str, params: Vec<(&'static str, String)>) {
        self.errors.push(FieldError {
            pointer: pointer.into(),
            problem: crate::error::FieldProblem::Code(code, params),
        });
    }

    /// `Ok` when every field parsed.
    pub fn finish(self) -> AppResult<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.errors))
        }
    }
}

/// Unwraps values a successful [`Check::finish`] guarantees are there.
pub fn parsed<T>(value: Option<T>) -> T {
    value.expect("checked: every field parsed")
}
