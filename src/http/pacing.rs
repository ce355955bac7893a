//! Pacing: how many requests one client address gets answered per second.
//!
//! Admission ([`super::admission`]) bounds the searches running at once, but not the cheap
//! requests (a 405 to a made-up method, a 401 to a body without a token, a cached answer):
//! each costs little, and a client sending them as fast as 64 connections allow still takes
//! the cores from everyone else. So each client address has a budget, a steady rate with a
//! burst (GCRA, the `governor` crate). A request over budget is not answered at once with an
//! error, which a hostile client would only turn into another request: it *waits* until the
//! budget allows it, up to [`MAX_WAIT`], holding its connection (HTTP/1.1 sends one request
//! at a time on it), so a client that floods is slowed to the rate, whatever its number of
//! connections. Past that wait it gets `429` with `Retry-After`, counted in `/metrics` as
//! `dorama_http_paced_total` (waits) and `dorama_http_limited_total` (refusals).
//!
//! The client is the peer address of the connection (an IPv6 address by its /64, which one
//! host is given whole), or, behind a reverse proxy, the address the proxy names in the header
//! `--client-address-header` gives (`X-Forwarded-For`'s last entry is the one the nearest
//! proxy added). Requests with a valid admin or replication token are not paced: a replica
//! copying an index, or an operator's bulk load, is not a hostile client.

use super::error::ApiError;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Longest a request over its client's budget waits for it before it is refused with 429.
pub const MAX_WAIT: Duration = Duration::from_secs(1);

/// Client addresses past which [`Pacing::forget_idle`] sweeps the table (a few hundred KiB).
const FORGET_PAST: usize = 10_000;

/// How often the server sweeps the table of client addresses.
pub const FORGET_EVERY: Duration = Duration::from_secs(10);

/// The address a connection came from, put on each of its requests by the server.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

/// How fast one client may go.
#[derive(Clone, Debug)]
pub struct Budget {
    /// Requests a second, sustained.
    pub per_second: NonZeroU32,
    /// Requests at once after a quiet while.
    pub burst: NonZeroU32,
    /// Where a reverse proxy names the client (None: the connection's peer is the client).
    pub address_header: Option<HeaderName>,
}

type Keyed = RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>;

pub struct Pacing {
    limiter: Keyed,
    clock: DefaultClock,
    address_header: Option<HeaderName>,
    paced: AtomicU64,
    limited: AtomicU64,
}

impl Pacing {
    pub fn new(budget: Budget) -> Self {
        Self::with_quota(Quota::per_second(budget.per_second).allow_burst(budget.burst), budget.address_header)
    }

    fn with_quota(quota: Quota, address_header: Option<HeaderName>) -> Self {
        Pacing { limiter: RateLimiter::keyed(quota), clock: DefaultClock::default(), address_header, paced: AtomicU64::new(0), limited: AtomicU64::new(0) }
    }

    /// Requests that waited for their budget, and requests refused with 429, since start.
    pub fn counts(&self) -> (u64, u64) {
        (self.paced.load(Ordering::Relaxed), self.limited.load(Ordering::Relaxed))
    }

    /// Who a request is from, as far as pacing goes: the address the proxy's header names,
    /// else the connection's peer; None for an in-process caller (no peer, no header).
    fn client(&self, headers: &HeaderMap, peer: Option<&Peer>) -> Option<IpAddr> {
        let named = self.address_header.as_ref().and_then(|name| {
            let value = headers.get_all(name).iter().last()?.to_str().ok()?;
            value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
        });
        let ip = named.or_else(|| peer.map(|p| p.0.ip()))?;
        Some(match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let s = v6.segments();
                    IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
                }
            },
            v4 => v4,
        })
    }

    /// Waits until `client` may be answered; Err once that would take longer than [`MAX_WAIT`].
    async fn wait_turn(&self, client: IpAddr) -> Result<(), Duration> {
        let mut waited = Duration::ZERO;
        loop {
            let not_until = match self.limiter.check_key(&client) {
                Ok(()) => {
                    if waited > Duration::ZERO {
                        self.paced.fetch_add(1, Ordering::Relaxed);
                    }
                    return Ok(());
                }
                Err(n) => n,
            };
            let wait = not_until.wait_time_from(self.clock.now());
            if waited + wait > MAX_WAIT {
                self.limited.fetch_add(1, Ordering::Relaxed);
                return Err(wait);
            }
            tokio::time::sleep(wait).await;
            waited += wait;
        }
    }

    /// Forgets the clients whose budget is full again (a client that comes back starts with a
    /// full budget anyway): run every few seconds, so the table holds the addresses of the
    /// last few seconds only, however many a flood comes from.
    pub fn forget_idle(&self) {
        if self.limiter.len() > FORGET_PAST {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
    }
}

/// The middleware: paces the request by its client, unless it carries a valid token.
pub async fn pace(State(st): State<Arc<super::AppState>>, req: Request, next: Next) -> Response {
    let Some(pacing) = &st.pacing else { return next.run(req).await };
    let trusted = [st.admin_token.as_deref(), st.replication_token.as_deref()]
        .into_iter()
        .flatten()
        .any(|t| super::auth::require_token_quietly(t, req.headers()));
    let client = if trusted { None } else { pacing.client(req.headers(), req.extensions().get::<Peer>()) };
    if let Some(client) = client {
        if let Err(wait) = pacing.wait_turn(client).await {
            let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too many requests from this address; slow down")
                .with_code(crate::api::ErrorCode::RateLimited);
            e.retry_after = Some(u32::try_from(wait.as_secs()).unwrap_or(u32::MAX).max(1));
            return e.into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pacing(per_second: u32, burst: u32, header: Option<&str>) -> Pacing {
        Pacing::new(Budget {
            per_second: NonZeroU32::new(per_second).unwrap(),
            burst: NonZeroU32::new(burst).unwrap(),
            address_header: header.map(|h| HeaderName::from_bytes(h.as_bytes()).unwrap()),
        })
    }

    #[test]
    fn a_client_is_its_address_an_ipv6_host_its_64_and_behind_a_proxy_the_last_forwarded_one() {
        let p = pacing(1, 1, None);
        let peer = |s: &str| Peer(s.parse().unwrap());
        let none = HeaderMap::new();
        assert_eq!(p.client(&none, Some(&peer("192.0.2.7:5000"))), Some("192.0.2.7".parse().unwrap()));
        assert_eq!(p.client(&none, Some(&peer("[2001:db8:1:2:3:4:5:6]:80"))), Some("2001:db8:1:2::".parse().unwrap()));
        assert_eq!(p.client(&none, Some(&peer("[::ffff:192.0.2.7]:80"))), Some("192.0.2.7".parse().unwrap()));
        assert_eq!(p.client(&none, None), None, "an in-process caller is not paced");
        let p = pacing(1, 1, Some("x-forwarded-for"));
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "203.0.113.9, 198.51.100.4".parse().unwrap());
        assert_eq!(p.client(&h, Some(&peer("10.0.0.1:1"))), Some("198.51.100.4".parse().unwrap()));
        assert_eq!(p.client(&none, Some(&peer("10.0.0.1:1"))), Some("10.0.0.1".parse().unwrap()), "without the header, the peer");
    }

    #[tokio::test]
    async fn over_its_budget_a_client_waits_its_turn_and_past_a_second_is_refused_while_another_goes_on() {
        let burst = NonZeroU32::new(1).unwrap();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        // A turn every 300 ms: the second request waits for it.
        let p = Pacing::with_quota(Quota::with_period(Duration::from_millis(300)).unwrap().allow_burst(burst), None);
        assert!(p.wait_turn(a).await.is_ok());
        assert!(p.wait_turn(a).await.is_ok());
        assert_eq!(p.counts(), (1, 0), "the second waited");
        // A turn every 10 s: the second would wait past MAX_WAIT, and is refused at once.
        let p = Pacing::with_quota(Quota::with_period(Duration::from_secs(10)).unwrap().allow_burst(burst), None);
        assert!(p.wait_turn(a).await.is_ok());
        assert!(p.wait_turn(a).await.is_err());
        assert_eq!(p.counts(), (0, 1));
        assert!(p.wait_turn(b).await.is_ok(), "another address has its own budget");
    }
}
