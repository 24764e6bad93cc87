//! Signed-in sessions and CSRF tokens.
//!
//! A person signs in by pasting a token; the console checks it with the
//! API (`GET /v1/me`, through the API's bad-token throttle) and keeps it
//! server-side, in memory, under a random session id sent as an
//! `HttpOnly`, `SameSite=Strict` cookie scoped to `/console/`. The token's
//! secret never goes back to the browser. A session ends at sign-out, after
//! [`SESSION_TTL`], or at the first API call that refuses its token (a
//! revoked token ends every session holding it within the API's token
//! cache time). Every form carries the session's CSRF token, checked in
//! constant time before anything is done. Sessions live in this process:
//! a restart signs everyone out.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;

/// How long a session lasts: 8 hours, a working day. A reviewer signs in
/// once in the morning; a forgotten browser is signed out by night.
pub const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);

/// The most sessions kept at once: 10,000 (each a few hundred bytes). When
/// full, expired ones are dropped first, then the oldest.
pub const MAX_SESSIONS: usize = 10_000;

/// The most sessions one token may hold: 8 (a person's browsers). A
/// ninth sign-in ends the token's oldest session, so that one token cannot
/// fill the table and sign everyone else out.
pub const MAX_SESSIONS_PER_TOKEN: usize = 8;

/// The session cookie's name.
pub const COOKIE: &str = "scorehost_console";

/// The sign-in form's CSRF cookie (double submit: before a session exists).
pub const SIGN_IN_COOKIE: &str = "scorehost_console_sign_in";

/// The language cookie.
pub const LANG_COOKIE: &str = "scorehost_lang";

/// One signed-in person.
#[derive(Clone, Debug)]
pub struct Session {
    /// The token's secret (never sent to the browser).
    pub secret: String,
    /// The token's public id (`tok_…`).
    pub token_id: String,
    /// Its role: `province`, `auditor`, `publisher:NS`, `app:NAME`.
    pub role: String,
    /// Its label.
    pub label: String,
    /// The person the token was issued to (empty if it names nobody): the
    /// page header says who is acting, as the records of their actions do.
    pub person: String,
    /// This session's CSRF token, in every form.
    pub csrf: String,
    /// When it was made.
    pub created: Instant,
}

impl Session {
    /// Whether the role is the province's (reviewer, dispute officer).
    pub fn is_province(&self) -> bool {
        self.role == "province"
    }

    /// Whether the role may read the audit log (province, auditor).
    pub fn may_audit(&self) -> bool {
        self.role == "province" || self.role == "auditor"
    }

    /// Whether `given` is this session's CSRF token (constant time).
    pub fn csrf_matches(&self, given: &str) -> bool {
        constant_time_eq(self.csrf.as_bytes(), given.as_bytes())
    }
}

/// The sessions of this process.
#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// Start a session; returns its id (the cookie's value). Costs one
    /// random draw and, when the table is full, one pass over it.
    pub fn start(
        &self,
        secret: String,
        token_id: String,
        role: String,
        label: String,
        person: String,
    ) -> String {
        let id = random_hex(32);
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, s| now.duration_since(s.created) < SESSION_TTL);
        let mut of_token: Vec<(String, Instant)> = map
            .iter()
            .filter(|(_, s)| s.token_id == token_id)
            .map(|(k, s)| (k.clone(), s.created))
            .collect();
        of_token.sort_by_key(|(_, created)| *created);
        while of_token.len() >= MAX_SESSIONS_PER_TOKEN {
            let (oldest, _) = of_token.remove(0);
            map.remove(&oldest);
        }
        if map.len() >= MAX_SESSIONS
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, s)| s.created)
                .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert(
            id.clone(),
            Session {
                secret,
                token_id,
                role,
                label,
                person,
                csrf: random_hex(32),
                created: now,
            },
        );
        id
    }

    /// The live session with this id.
    pub fn get(&self, id: &str) -> Option<Session> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(id) {
            Some(s) if s.created.elapsed() < SESSION_TTL => Some(s.clone()),
            Some(_) => {
                map.remove(id);
                None
            }
            None => None,
        }
    }

    /// End the session `id` (sign-out).
    pub fn end(&self, id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }

    /// End every session of the token `token_id` (the API refused it).
    pub fn end_token(&self, token_id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, s| s.token_id != token_id);
    }

    /// Sessions now.
    pub fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Strict`, path `/console/`;
/// `max_age` in seconds (0 deletes it).
pub fn set_cookie(name: &str, value: &str, max_age: u64) -> String {
    format!("{name}={value}; Path=/console/; HttpOnly; SameSite=Strict; Max-Age={max_age}")
}

/// `bytes` random bytes as hex.
pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::getrandom(&mut b).expect("the system has randomness");
    hex::encode(b)
}

/// Equality that takes the same time wherever the first difference is.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_holds_at_most_its_share_of_sessions() {
        let s = Sessions::default();
        let first = s.start(
            "x".into(),
            "tok_a".into(),
            "auditor".into(),
            String::new(),
            String::new(),
        );
        for _ in 0..MAX_SESSIONS_PER_TOKEN {
            s.start(
                "x".into(),
                "tok_a".into(),
                "auditor".into(),
                String::new(),
                String::new(),
            );
        }
        assert!(s.get(&first).is_none(), "the oldest session was ended");
        let other = s.start(
            "y".into(),
            "tok_b".into(),
            "province".into(),
            String::new(),
            String::new(),
        );
        assert_eq!(s.len(), MAX_SESSIONS_PER_TOKEN + 1);
        s.end_token("tok_a");
        assert_eq!(s.len(), 1);
        assert!(s.get(&other).is_some());
    }

    #[test]
    fn csrf_must_match_exactly() {
        let s = Sessions::default();
        let id = s.start(
            "x".into(),
            "tok_a".into(),
            "auditor".into(),
            String::new(),
            String::new(),
        );
        let session = s.get(&id).unwrap();
        assert!(session.csrf_matches(&session.csrf.clone()));
        assert!(!session.csrf_matches(""));
        assert!(!session.csrf_matches(&session.csrf[1..]));
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::header::COOKIE,
            "a=1; scorehost_console=abc; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
