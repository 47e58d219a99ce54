//! Helpers shared by the black-box tests in `blackbox/` (compiled by the root package
//! as its one test binary, so that they can run the `concerto` executable).

pub mod libreoffice;

/// The services a black-box test may need, read from the environment.
pub mod services {
    /// `NATS_URL`, or `None` (and a "SKIPPED" line) when unset; panics when unset
    /// under `CONCERTO_REQUIRE_SERVICES=1`, as in CI.
    pub fn nats_url(test: &str) -> Option<String> {
        required("NATS_URL", test)
    }

    /// `DATABASE_URL`, with the same rules as [`nats_url`].
    pub fn database_url(test: &str) -> Option<String> {
        required("DATABASE_URL", test)
    }

    fn required(variable: &str, test: &str) -> Option<String> {
        match std::env::var(variable) {
            Ok(value) if !value.trim().is_empty() => Some(value),
            _ if std::env::var("CONCERTO_REQUIRE_SERVICES").as_deref() == Ok("1") => {
                panic!("{test}: {variable} is required (CONCERTO_REQUIRE_SERVICES=1)")
            }
            _ => {
                println!("SKIPPED: {test}: {variable} not set");
                None
            }
        }
    }
}
