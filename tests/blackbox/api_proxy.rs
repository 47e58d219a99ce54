//! The per-address rate limit behind a reverse proxy: `X-Forwarded-For` is believed
//! only from the proxies the settings name.

use reqwest::StatusCode;

use crate::api_support::{spawn_with, TestApp};

/// Sends `GET /health` as if forwarded for `client`, and returns the status.
async fn from(t: &TestApp, client: &str) -> StatusCode {
    t.client
        .get(t.url("/health"))
        .header("X-Forwarded-For", client)
        .send()
        .await
        .expect("request sent")
        .status()
}

/// A per-address burst of two, so the third request from one address is refused.
fn tight(settings: &mut gateway::settings::Settings) {
    settings.rate_limit.disabled = false;
    settings.rate_limit.per_address_per_minute = 1;
    settings.rate_limit.per_address_burst = 2;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let t = spawn_with(|s| {
        tight(s);
        s.rate_limit.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let first = [
        from(&t, "203.0.113.1").await,
        from(&t, "203.0.113.1").await,
        from(&t, "203.0.113.1").await,
    ];
    assert_eq!(
        first,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    // Another citizen behind the same proxy is not locked out by the first one, and a
    // forged left-most entry does not make the first one someone else.
    assert_eq!(from(&t, "203.0.113.2").await, StatusCode::OK);
    assert_eq!(
        from(&t, "198.51.100.7, 203.0.113.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    t.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_trusted_proxies_the_header_changes_nothing() {
    let t = spawn_with(tight).await;
    let statuses = [
        from(&t, "203.0.113.1").await,
        from(&t, "203.0.113.2").await,
        from(&t, "203.0.113.3").await,
    ];
    // All three come from 127.0.0.1, whatever they claim.
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    t.finish().await;
}
