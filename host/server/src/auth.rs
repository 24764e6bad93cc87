//! Who is calling: the bearer token, and what its role may do.
//!
//! Roles (the table in the README, "The HTTP service"): `province` approves, pins, revokes and reads all;
//! `publisher:<namespace>` publishes into its own namespace; `app:<name>`
//! scores the models it was granted and reads its own evaluations;
//! `auditor` reads and verifies the audit log. A denied call changes
//! nothing and is logged (a `warn` event naming the caller and the route).
//!
//! Guessing is slowed down per client address ([`Throttle`]): after
//! [`FREE_FAILURES`] bad tokens within [`FAILURE_WINDOW`], every further
//! one is answered 429 `too_many_failures` with `Retry-After`, the delay
//! doubling up to [`MAX_BACKOFF`].

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use scorehost_registry::{Actor, Role, Token};

use super::Service;
use super::error::ApiError;

/// An authenticated caller.
pub struct Caller {
    /// The token it presented (never its secret).
    pub token: Token,
    /// The role it acts as.
    pub actor: Actor,
    /// `METHOD path`, for the log of denied calls.
    route: String,
}

impl FromRequestParts<Arc<Service>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        service: &Arc<Service>,
    ) -> Result<Caller, ApiError> {
        let route = format!("{} {}", parts.method, parts.uri.path());
        let unauthorized = |m: &str| {
            tracing::warn!(%route, "denied: {m}");
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", m)
        };
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| {
                unauthorized("this route needs a bearer token (Authorization: Bearer …)")
            })?;
        let secret = bearer_secret(header)
            .ok_or_else(|| unauthorized("the Authorization header must be 'Bearer <token>'"))?;
        // The client's address (absent only when the router is served
        // without connect info, as in-process tests may do: no throttle).
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let now = Instant::now();
        if let Some(ip) = client
            && let Err(wait) = service.failures.check(ip, now)
        {
            // Refused before the token is even looked at: while its delay
            // runs, a client learns nothing from a guess, right or wrong.
            tracing::warn!(%route, client = %ip, "denied: too many failed authentications");
            service.metrics.auth_refused(true);
            return Err(too_many_failures(wait));
        }
        // Admission found it valid a moment ago: not looked up again.
        let admitted = parts.extensions.get::<Admitted>().map(|a| a.0.clone());
        let looked_up = match admitted {
            Some(token) => Ok(token),
            None => service.engine.authenticate(secret).await,
        };
        let token = match looked_up {
            Ok(token) => token,
            Err(
                e @ scorehost_engine::Error::Registry(scorehost_registry::Error::Unauthorized(_)),
            ) => {
                let e = ApiError::from(e);
                tracing::warn!(%route, client = ?client, "denied: {}", e.message);
                if let Some(ip) = client
                    && let Some(wait) = service.failures.failed(ip, now)
                {
                    service.metrics.auth_refused(true);
                    return Err(too_many_failures(wait));
                }
                service.metrics.auth_refused(false);
                return Err(e);
            }
            Err(e) => {
                let e = ApiError::from(e);
                tracing::warn!(%route, "denied: {}", e.message);
                return Err(e);
            }
        };
        // A valid token does not clear the client's failures: otherwise a
        // guesser holding one valid token would interleave it with its
        // guesses and never be slowed down. Only a quiet window does.
        let actor = token.actor()?.through_token(&token.id);
        Ok(Caller {
            token,
            actor,
            route,
        })
    }
}

/// The secret of an `Authorization: Bearer <token>` header, if it is one.
/// The scheme is case-insensitive (RFC 7235 §2.1): `bearer`, `BEARER`.
pub fn bearer_secret(header: &axum::http::HeaderValue) -> Option<&str> {
    header
        .to_str()
        .ok()?
        .trim_start()
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, secret)| secret.trim())
        .filter(|s| !s.is_empty())
}

/// The token admission found valid, for the route's [`Caller`]
/// (so that it is looked up once).
#[derive(Clone)]
pub struct Admitted(pub scorehost_registry::Token);

/// What a route needs of its caller.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    /// The province.
    Province,
    /// The province or an auditor: reading and verifying the log.
    Audit,
    /// Any authenticated caller: the registry's public facts.
    Anyone,
}

impl Caller {
    /// Allow the call if the caller's role meets `need`; otherwise log the
    /// denial and answer 403.
    pub fn require(&self, need: Need, what: &str) -> Result<(), ApiError> {
        let ok = match need {
            Need::Province => matches!(self.actor.role, Role::Province),
            Need::Audit => matches!(self.actor.role, Role::Province | Role::Auditor),
            Need::Anyone => true,
        };
        if ok {
            Ok(())
        } else {
            Err(self.deny(format!("{} may not {what}", self.actor)))
        }
    }

    /// Log a denial of this call and make its 403.
    pub fn deny(&self, message: String) -> ApiError {
        tracing::warn!(caller = %self.actor, token = %self.token.id, route = %self.route, "denied: {message}");
        ApiError::forbidden(message)
    }

    /// Whether the caller may see which token acted in a review (the
    /// province and auditors): an approval names its person to everyone,
    /// but a token's id is an operational detail others have no use for.
    pub fn sees_tokens(&self) -> bool {
        matches!(self.actor.role, Role::Province | Role::Auditor)
    }

    /// `review` as this caller may read it: the tokens of its approvals
    /// removed unless [`Caller::sees_tokens`].
    pub fn redact(&self, review: &mut scorehost_registry::Review) {
        if !self.sees_tokens() {
            for a in &mut review.approvals {
                a.token = None;
            }
        }
    }

    /// The caller as the audit log names it.
    pub fn name(&self) -> String {
        self.actor.to_string()
    }
}

/// Bad tokens a client may present before it is slowed down: 5. A person
/// pasting a token, or a script whose token was just rotated, fails once
/// or twice before noticing; five leaves room for that (and for a client
/// that retries) without ever throttling an honest mistake.
pub const FREE_FAILURES: u32 = 5;

/// How long a client's failures are remembered after its last one: 10
/// minutes. Long enough that an attacker gets five fresh guesses only by
/// going quiet for ten minutes (30 an hour, at most), short enough that a
/// client that fixed its token is not held to an old mistake.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(10 * 60);

/// The longest delay: 60 s. The delay doubles from 1 s with each bad token
/// beyond the free ones (1, 2, 4, … 32, 60, 60 s); a minute bounds how long
/// a client that has fixed its token waits, while holding a guesser to
/// about one guess a minute. (A secret is 256 random bits: guessing is
/// hopeless anyway; this keeps the attempts from costing the database, the
/// log and the operator's attention.)
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Clients remembered at most: 10,000. An entry is about 64 bytes, so the
/// table stays under a megabyte whatever arrives; when full, clients whose
/// window has passed go first, then the one whose last failure is oldest.
pub const MAX_CLIENTS: usize = 10_000;

/// The 429 of a throttled client, with the seconds to wait (rounded up).
fn too_many_failures(wait: Duration) -> ApiError {
    let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    ApiError {
        retry_after: Some(secs),
        ..ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_failures",
            format!(
                "too many failed authentications from this address; retry in {secs} s with a valid token"
            ),
        )
    }
}

/// One client's recent failures.
#[derive(Debug, Clone, Copy)]
struct Failures {
    /// Bad tokens since the record was (re)started.
    count: u32,
    /// The last one.
    last: Instant,
    /// Until when every token from this client is refused.
    blocked_until: Option<Instant>,
}

/// Failed authentications per client address, and the delay each client
/// must wait before its next token is looked at.
///
/// A client is an IPv4 address or an IPv6 /64 (one host commonly holds a
/// whole /64, so counting single IPv6 addresses would let it rotate
/// through them). The address is the TCP peer's: behind a reverse proxy
/// every client is the proxy, so a proxy should throttle itself (the
/// service does not trust `X-Forwarded-For`, which a client can forge).
///
/// While a client's delay runs, *every* token it presents is refused with
/// 429 without being looked up — a valid one too. Accepting a valid token
/// during the delay would let a guesser keep guessing at full speed and
/// tell right from wrong by the status; so the rightful holder who shares
/// the address waits at most [`MAX_BACKOFF`]. Other addresses are never
/// affected, and requests without a token (`/healthz`, `/openapi.json`,
/// or a 401 for a missing header) are not counted.
/// A valid token does not clear the client's record (a guesser holding one
/// would interleave it with its guesses): only [`FAILURE_WINDOW`] without
/// a failure does.
#[derive(Debug)]
pub struct Throttle {
    clients: Mutex<HashMap<IpAddr, Failures>>,
    free: u32,
    window: Duration,
    max_backoff: Duration,
    capacity: usize,
}

impl Default for Throttle {
    fn default() -> Throttle {
        Throttle::new(FREE_FAILURES, FAILURE_WINDOW, MAX_BACKOFF, MAX_CLIENTS)
    }
}

impl Throttle {
    /// A throttle allowing `free` failures within `window`, then doubling
    /// delays from 1 s up to `max_backoff`, remembering at most `capacity`
    /// clients.
    pub fn new(free: u32, window: Duration, max_backoff: Duration, capacity: usize) -> Throttle {
        Throttle {
            clients: Mutex::new(HashMap::new()),
            free,
            window,
            max_backoff,
            capacity: capacity.max(1),
        }
    }

    /// The key a client is counted under (its IPv4 address, its IPv6 /64):
    /// for failed tokens here, and for requests in flight without a valid
    /// token ([`super::admission`]).
    pub fn client_key(ip: IpAddr) -> IpAddr {
        Throttle::key(ip)
    }

    fn key(ip: IpAddr) -> IpAddr {
        match ip {
            IpAddr::V4(_) => ip,
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let s = v6.segments();
                    IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
                }
            },
        }
    }

    /// `Err(wait)` if `ip` must wait before its next token is looked at.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let clients = self.clients.lock().expect("throttle");
        match clients
            .get(&Throttle::key(ip))
            .and_then(|f| f.blocked_until)
        {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// Count a bad token from `ip`; `Some(delay)` if it is beyond the free
    /// ones (the client is then refused for `delay`).
    pub fn failed(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        let key = Throttle::key(ip);
        let mut clients = self.clients.lock().expect("throttle");
        if !clients.contains_key(&key) && clients.len() >= self.capacity {
            self.evict(&mut clients, now);
        }
        let f = clients.entry(key).or_insert(Failures {
            count: 0,
            last: now,
            blocked_until: None,
        });
        if now.saturating_duration_since(f.last) > self.window {
            *f = Failures {
                count: 0,
                last: now,
                blocked_until: None,
            };
        }
        f.count = f.count.saturating_add(1);
        f.last = now;
        if f.count <= self.free {
            return None;
        }
        // 1 s for the first failure beyond the free ones, doubling.
        let extra = (f.count - self.free - 1).min(30);
        let delay = Duration::from_secs(1u64 << extra).min(self.max_backoff);
        f.blocked_until = Some(now + delay);
        Some(delay)
    }

    /// Clients remembered now.
    pub fn len(&self) -> usize {
        self.clients.lock().expect("throttle").len()
    }

    /// Whether no client is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Make room: drop every client whose window has passed and whose delay
    /// is over; if none has, the one whose last failure is oldest.
    fn evict(&self, clients: &mut HashMap<IpAddr, Failures>, now: Instant) {
        let before = clients.len();
        clients.retain(|_, f| {
            now.saturating_duration_since(f.last) <= self.window
                || f.blocked_until.is_some_and(|u| u > now)
        });
        if clients.len() < before {
            return;
        }
        if let Some(oldest) = clients.iter().min_by_key(|(_, f)| f.last).map(|(k, _)| *k) {
            clients.remove(&oldest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn five_free_failures_then_doubling_delays_capped() {
        let t = Throttle::new(5, Duration::from_secs(600), Duration::from_secs(60), 100);
        let a = ip("192.0.2.1");
        let mut now = Instant::now();
        for _ in 0..5 {
            assert_eq!(t.check(a, now), Ok(()));
            assert_eq!(t.failed(a, now), None);
        }
        let mut delays = Vec::new();
        for _ in 0..9 {
            let d = t.failed(a, now).unwrap();
            // Refused until the delay has passed, and not a moment longer.
            assert_eq!(t.check(a, now), Err(d));
            assert!(t.check(a, now + d - Duration::from_millis(1)).is_err());
            now += d;
            assert_eq!(t.check(a, now), Ok(()));
            delays.push(d.as_secs());
        }
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        // Another address is not affected.
        assert_eq!(t.check(ip("192.0.2.2"), now), Ok(()));
        assert_eq!(t.failed(ip("192.0.2.2"), now), None);
    }

    #[test]
    fn only_a_quiet_window_resets_the_count() {
        let t = Throttle::new(2, Duration::from_secs(600), Duration::from_secs(60), 100);
        let a = ip("198.51.100.7");
        let now = Instant::now();
        t.failed(a, now);
        t.failed(a, now);
        // The third failure is throttled, however many valid tokens came
        // between (nothing but failures changes the record).
        assert!(t.failed(a, now).is_some());
        // Ten quiet minutes later: the free failures again.
        let later = now + Duration::from_secs(601);
        assert_eq!(t.check(a, later), Ok(()));
        assert_eq!(t.failed(a, later), None);
        assert_eq!(t.failed(a, later), None);
        assert!(t.failed(a, later).is_some());
    }

    #[test]
    fn an_ipv6_client_is_its_slash_64_and_a_mapped_v4_is_v4() {
        let t = Throttle::new(1, Duration::from_secs(600), Duration::from_secs(60), 100);
        let now = Instant::now();
        t.failed(ip("2001:db8:1:2::1"), now);
        assert!(t.failed(ip("2001:db8:1:2:ffff::9"), now).is_some());
        assert_eq!(t.check(ip("2001:db8:1:3::1"), now), Ok(()));
        t.failed(ip("::ffff:192.0.2.9"), now);
        assert!(t.failed(ip("192.0.2.9"), now).is_some());
    }

    #[test]
    fn the_table_is_bounded_and_evicts_the_oldest() {
        let t = Throttle::new(5, Duration::from_secs(600), Duration::from_secs(60), 3);
        let now = Instant::now();
        for (i, a) in ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]
            .iter()
            .enumerate()
        {
            t.failed(ip(a), now + Duration::from_secs(i as u64));
        }
        assert_eq!(t.len(), 3);
        // The oldest (10.0.0.1) went: its count restarted.
        let clients = t.clients.lock().unwrap();
        assert!(!clients.contains_key(&ip("10.0.0.1")));
        assert!(clients.contains_key(&ip("10.0.0.4")));
        drop(clients);
        // Expired entries go first, all of them.
        let later = now + Duration::from_secs(1000);
        t.failed(ip("10.0.0.5"), later);
        assert_eq!(t.len(), 1);
    }
}
