//! The client address a request is counted against by the per-address rate limit: the
//! peer's, or, when the peer is a configured reverse proxy, the address that proxy
//! received the request from, read from `X-Forwarded-For`.
//!
//! The header is believed only from trusted proxies: anyone else could write any
//! address in it and escape the limit (or lock a town hall out). Each proxy appends
//! the address it received the request from, so the list is read from the right,
//! skipping trusted proxies; the first other address is the client. What lies to the
//! left of it was written by the client and is never believed.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The header.
pub const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// Reverse proxies (addresses or CIDR blocks) whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Trusts `proxies` (none: the header is ignored).
    pub fn new(proxies: Vec<IpNet>) -> Self {
        Self(proxies)
    }

    /// Whether `ip` is a trusted proxy (an IPv4 address mapped into IPv6, as a dual-stack
    /// listener reports it, counts as the IPv4 address).
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address for a request from `peer`: `peer` itself unless it is a
    /// trusted proxy; otherwise the right-most `X-Forwarded-For` entry that is not a
    /// trusted proxy. An entry that is not an address (`unknown`, a typo) ends the walk
    /// at the last trusted hop, since nothing to its left can be vouched for; so does an
    /// absent header.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if self.0.is_empty() || !self.trusts(client) {
            return client;
        }
        // Several header lines form one list, in order.
        let entries: Vec<&str> = headers
            .get_all(X_FORWARDED_FOR)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect();
        for entry in entries.iter().rev() {
            let Some(hop) = parse_hop(entry.trim()) else {
                return client;
            };
            client = hop;
            if !self.trusts(hop) {
                return hop;
            }
        }
        client
    }
}

/// One entry: an address, or an address with a port (`192.0.2.1:443`, `[2001:db8::1]:443`).
fn parse_hop(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(X_FORWARDED_FOR, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn proxies(nets: &[&str]) -> TrustedProxies {
        TrustedProxies::new(nets.iter().map(|n| n.parse().unwrap()).collect())
    }

    #[test]
    fn the_header_is_ignored_without_trusted_proxies_or_from_an_untrusted_peer() {
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(
            TrustedProxies::default().client_address(ip("198.51.100.1"), &headers),
            ip("198.51.100.1")
        );
        assert_eq!(
            proxies(&["10.0.0.0/8"]).client_address(ip("198.51.100.1"), &headers),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_entry_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8", "2001:db8:ffff::/48"]);
        // The client wrote a forged first entry; the two proxies appended the rest.
        let headers = forwarded(&["1.2.3.4, 203.0.113.9", "10.1.1.1"]);
        assert_eq!(
            trusted.client_address(ip("10.2.2.2"), &headers),
            ip("203.0.113.9")
        );
        let headers = forwarded(&["[2001:db8:1::7]:51000, 2001:db8:ffff::2"]);
        assert_eq!(
            trusted.client_address(ip("2001:db8:ffff::1"), &headers),
            ip("2001:db8:1::7")
        );
    }

    #[test]
    fn a_malformed_or_absent_header_stops_at_the_last_trusted_hop() {
        let trusted = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            trusted.client_address(ip("10.0.0.1"), &HeaderMap::new()),
            ip("10.0.0.1")
        );
        let headers = forwarded(&["203.0.113.9, unknown, 10.0.0.2"]);
        assert_eq!(
            trusted.client_address(ip("10.0.0.1"), &headers),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn an_ipv4_mapped_peer_is_matched_as_ipv4() {
        let trusted = proxies(&["127.0.0.1/32"]);
        let headers = forwarded(&["::ffff:203.0.113.9"]);
        assert_eq!(
            trusted.client_address(ip("::ffff:127.0.0.1"), &headers),
            ip("203.0.113.9")
        );
    }
}
