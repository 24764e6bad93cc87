//! The one cache in front of the registry: values trusted for a stated
//! time ([`TtlCache`]), for what is read on every request and changes
//! rarely — pins, shadows, tokens. Consent is never cached.
//!
//! Freshness: a value is served for at most its cache's `ttl` after it
//! was read; a change made through this process clears the cache at once
//! ([`TtlCache::clear`]); a change made by another process (the CLI, a
//! second server) is seen within `ttl`.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a looked-up token, pin or shadow is trusted before it is read
/// again. 1 s: the pin and the token are read on every request otherwise —
/// two database round trips that cost more than the evaluation itself
/// (measured with `scripts/bench-http.sh`) — and a revocation or re-pin
/// made by *another* process (the CLI, a second server) then takes effect
/// within a second. Changes made through this process take effect at once.
/// Consent is never cached: it is read on every scoring of a natural person.
pub const REGISTRY_CACHE_TTL: Duration = Duration::from_secs(1);

/// A map whose entries are trusted for `ttl` after they were stored.
/// Cost: one mutex and one hash look-up per read; it never grows beyond
/// the keys stored in it (models, tokens in use), and a stale entry is
/// replaced on its next read.
pub struct TtlCache<K, V> {
    ttl: Duration,
    entries: Mutex<HashMap<K, (V, Instant)>>,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    /// An empty cache whose entries are trusted for `ttl`.
    pub fn new(ttl: Duration) -> TtlCache<K, V> {
        TtlCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value stored for `key` less than `ttl` ago, if any.
    pub fn get(&self, key: &K) -> Option<V> {
        self.get_checked(key, |_| true)
    }

    /// The fresh value for `key`, if `confirm` accepts the stored key too
    /// (the token cache confirms a hit with a constant-time comparison).
    pub fn get_checked(&self, key: &K, confirm: impl FnOnce(&K) -> bool) -> Option<V> {
        let entries = self.entries.lock().expect("cache lock");
        let (stored, (value, at)) = entries.get_key_value(key)?;
        (at.elapsed() < self.ttl && confirm(stored)).then(|| value.clone())
    }

    /// Store `value` for `key`, fresh from now.
    pub fn insert(&self, key: K, value: V) {
        self.entries
            .lock()
            .expect("cache lock")
            .insert(key, (value, Instant::now()));
    }

    /// Forget every entry (a change made through this process).
    pub fn clear(&self) {
        self.entries.lock().expect("cache lock").clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_served_until_its_time_is_up_or_it_is_cleared() {
        let cache = TtlCache::new(Duration::from_millis(50));
        cache.insert("pin", 1);
        assert_eq!(cache.get(&"pin"), Some(1));
        assert_eq!(cache.get_checked(&"pin", |_| false), None);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get(&"pin"), None);
        cache.insert("pin", 2);
        cache.clear();
        assert_eq!(cache.get(&"pin"), None);
    }
}
