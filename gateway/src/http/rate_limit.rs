//! Rate limits with `governor` (GCRA, keyed): per client address (IPv6 grouped by /64,
//! since one subscriber holds a whole /64) on every request, generous so a town hall's
//! attendees behind one public address are not locked out; and per participant or
//! staff account on writes. Over the limit: 429 with `Retry-After`. Behind a reverse
//! proxy named in the settings, the address is the one it forwards
//! ([`super::forwarded`]).

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::auth::tokens::TokenKind;
use crate::auth::Tokens;
use crate::error::AppError;
use crate::http::forwarded::TrustedProxies;
use crate::http::AppState;
use crate::settings::RateLimitSettings;

/// The two keyed limiters.
pub struct RateLimits {
    by_address: DefaultKeyedRateLimiter<IpAddr>,
    by_caller: DefaultKeyedRateLimiter<String>,
    trusted: TrustedProxies,
    disabled: bool,
}

fn quota(per_minute: u32, burst: u32) -> Quota {
    let per_minute = NonZeroU32::new(per_minute.max(1)).expect("non-zero");
    Quota::per_minute(per_minute).allow_burst(NonZeroU32::new(burst.max(1)).expect("non-zero"))
}

impl RateLimits {
    /// Limiters from the settings.
    pub fn new(settings: &RateLimitSettings) -> Arc<Self> {
        Arc::new(Self {
            by_address: RateLimiter::keyed(quota(
                settings.per_address_per_minute,
                settings.per_address_burst,
            )),
            by_caller: RateLimiter::keyed(quota(
                settings.per_participant_per_minute,
                settings.per_participant_burst,
            )),
            trusted: TrustedProxies::new(settings.trusted_proxies.clone()),
            disabled: settings.disabled,
        })
    }

    /// Forgets idle keys (called periodically, so the maps do not grow forever).
    pub fn shrink(&self) {
        self.by_address.retain_recent();
        self.by_caller.retain_recent();
    }
}

/// The address key: IPv4 as is, IPv6 truncated to its /64.
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
    }
}

fn retry_after<C: Clock>(not_until: governor::NotUntil<C::Instant>, clock: &C) -> u64 {
    not_until.wait_time_from(clock.now()).as_secs().max(1)
}

/// The caller a write is counted against: the participant or staff id inside a token
/// whose signature checks (an unsigned token is not worth a bucket).
fn caller_key(request: &Request, tokens: &Tokens) -> Option<String> {
    let headers = request.headers();
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim().to_owned())
        .or_else(|| {
            headers
                .get_all(axum::http::header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .filter_map(|p| p.trim().split_once('='))
                .find(|(k, _)| {
                    *k == crate::http::extract::PARTICIPANT_COOKIE
                        || *k == crate::http::extract::STAFF_COOKIE
                })
                .map(|(_, v)| v.to_owned())
        })?;
    match Tokens::kind_of(&token)? {
        TokenKind::Participant => tokens
            .participant(&token)
            .ok()
            .map(|c| format!("p:{}", c.participant)),
        TokenKind::Staff => tokens
            .session(&token)
            .ok()
            .map(|c| format!("s:{}", c.staff)),
    }
}

/// Middleware: checks both limits.
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limits = &state.rate_limits;
    if limits.disabled {
        return next.run(request).await;
    }
    // Each limiter's own clock: creating one calibrates it (CPUID calls), which cost
    // about 3 % of the server's CPU when it was done per request.
    if let Some(ConnectInfo(addr)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        let client = limits.trusted.client_address(addr.ip(), request.headers());
        if let Err(not_until) = limits.by_address.check_key(&address_key(client)) {
            state.metrics.rate_limited();
            return AppError::RateLimited {
                retry_after: retry_after(not_until, limits.by_address.clock()),
            }
            .into_response();
        }
    }
    let write = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if write {
        if let Some(key) = caller_key(&request, state.app.tokens()) {
            if let Err(not_until) = limits.by_caller.check_key(&key) {
                state.metrics.rate_limited();
                return AppError::RateLimited {
                    retry_after: retry_after(not_until, limits.by_caller.clock()),
                }
                .into_response();
            }
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::DefaultClock;

    #[test]
    fn ipv6_addresses_of_one_64_share_a_key() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(address_key(v4), v4);
    }

    #[test]
    fn a_burst_over_the_quota_is_refused_with_a_wait() {
        let limits = RateLimits::new(&RateLimitSettings {
            per_participant_per_minute: 60,
            per_participant_burst: 2,
            ..Default::default()
        });
        let key = "p:x".to_owned();
        assert!(limits.by_caller.check_key(&key).is_ok());
        assert!(limits.by_caller.check_key(&key).is_ok());
        let refused = limits.by_caller.check_key(&key).unwrap_err();
        assert!(retry_after(refused, &DefaultClock::default()) >= 1);
    }
}
