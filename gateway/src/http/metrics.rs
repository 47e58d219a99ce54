//! Prometheus metrics in the text exposition format, counted by hand: a few counters
//! and one latency histogram do not justify a metrics framework and its registry.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::http::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    total: u64,
    sum: f64,
}

/// The server's counters.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    rate_limited: AtomicU64,
    events_appended: AtomicU64,
}

impl Metrics {
    /// Counts a refusal by a rate limit.
    pub fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts appended events.
    pub fn appended(&self, events: usize) {
        self.events_appended
            .fetch_add(events as u64, Ordering::Relaxed);
    }

    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        *self
            .requests
            .lock()
            .expect("metrics lock")
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let mut latency = self.latency.lock().expect("metrics lock");
        let h = latency.entry(route.to_owned()).or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                h.counts[i] += 1;
            }
        }
        h.total += 1;
        h.sum += seconds;
    }

    /// The exposition text; `gauges` adds the store head and projection lags.
    pub fn render(&self, gauges: &[(String, String, f64)]) -> String {
        let mut out = String::new();
        out.push_str("# HELP concerto_http_requests_total Requêtes HTTP traitées.\n# TYPE concerto_http_requests_total counter\n");
        for ((method, route, status), n) in self.requests.lock().expect("metrics lock").iter() {
            let _ = writeln!(
                out,
                "concerto_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP concerto_http_request_duration_seconds Durée des requêtes HTTP.\n# TYPE concerto_http_request_duration_seconds histogram\n");
        for (route, h) in self.latency.lock().expect("metrics lock").iter() {
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "concerto_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "concerto_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.total
            );
            let _ = writeln!(
                out,
                "concerto_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "concerto_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.total
            );
        }
        let _ = writeln!(
            out,
            "# HELP concerto_rate_limited_total Requêtes refusées par une limite de débit.\n# TYPE concerto_rate_limited_total counter\nconcerto_rate_limited_total {}",
            self.rate_limited.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP concerto_events_appended_total Événements ajoutés au journal par ce processus.\n# TYPE concerto_events_appended_total counter\nconcerto_events_appended_total {}",
            self.events_appended.load(Ordering::Relaxed)
        );
        for (name, labels, value) in gauges {
            let _ = writeln!(out, "# TYPE {name} gauge\n{name}{labels} {value}");
        }
        out
    }
}

/// Middleware: counts every request by method, route template and status.
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    // The route template, never the raw path: ids would make a series per resource.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "(inconnue)".into());
    let response = next.run(request).await;
    state.metrics.record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}
