//! Bounded in-memory bookkeeping, per instance: the per-order token buckets
//! (rate limits are not shared through the store) and a recently-seen set.

use super::config::RateLimit;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Instant;

/// Most keys the rate limiter tracks; the least recently used goes first.
const MAX_BUCKETS: usize = 10_000;

/// A token bucket per key, bounded to [`MAX_BUCKETS`] keys.
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// A limiter refilling `limit.per_second` tokens up to `limit.burst`.
    pub fn new(limit: RateLimit) -> RateLimiter {
        RateLimiter { limit, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `key` at `now`; `false` when the bucket is empty.
    pub fn allow(&self, key: &str, now: Instant) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let burst = f64::from(self.limit.burst);
        if !buckets.contains_key(key) && buckets.len() >= MAX_BUCKETS {
            // Refilled buckets carry no information; else drop the stalest.
            let full_after = burst / self.limit.per_second;
            buckets.retain(|_, (_, at)| now.saturating_duration_since(*at).as_secs_f64() < full_after);
            if buckets.len() >= MAX_BUCKETS {
                if let Some(oldest) = buckets.iter().min_by_key(|(_, (_, at))| *at).map(|(k, _)| k.clone()) {
                    buckets.remove(&oldest);
                }
            }
        }
        let (tokens, at) = buckets.entry(key.to_owned()).or_insert((burst, now));
        *tokens = (*tokens + now.saturating_duration_since(*at).as_secs_f64() * self.limit.per_second).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// A set remembering at most `capacity` keys, forgetting the oldest first.
pub struct RecentSet<K> {
    capacity: usize,
    inner: Mutex<(HashSet<K>, VecDeque<K>)>,
}

impl<K: Clone + Eq + Hash> RecentSet<K> {
    /// An empty set of at most `capacity` keys.
    pub fn new(capacity: usize) -> RecentSet<K> {
        RecentSet { capacity: capacity.max(1), inner: Mutex::new((HashSet::new(), VecDeque::new())) }
    }

    /// Adds `key`; `true` when it was not there.
    pub fn insert(&self, key: K) -> bool {
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (set, order) = &mut *guard;
        if set.contains(&key) {
            return false;
        }
        if order.len() >= self.capacity {
            if let Some(old) = order.pop_front() {
                set.remove(&old);
            }
        }
        set.insert(key.clone());
        order.push_back(key);
        true
    }

    /// Whether `key` is remembered.
    pub fn contains(&self, key: &K) -> bool {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).0.contains(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bucket_refills_at_the_configured_rate() {
        let limiter = RateLimiter::new(RateLimit { per_second: 1.0, burst: 2 });
        let t0 = Instant::now();
        assert!(limiter.allow("a", t0));
        assert!(limiter.allow("a", t0));
        assert!(!limiter.allow("a", t0));
        assert!(limiter.allow("b", t0));
        assert!(limiter.allow("a", t0 + Duration::from_secs(1)));
        assert!(!limiter.allow("a", t0 + Duration::from_secs(1)));
    }

    #[test]
    fn bucket_count_is_bounded() {
        let limiter = RateLimiter::new(RateLimit { per_second: 0.001, burst: 1 });
        let t0 = Instant::now();
        for i in 0..MAX_BUCKETS + 10 {
            assert!(limiter.allow(&i.to_string(), t0));
        }
        assert!(limiter.buckets.lock().unwrap().len() <= MAX_BUCKETS);
    }

    #[test]
    fn recent_set_forgets_the_oldest() {
        let set = RecentSet::new(2);
        assert!(set.insert(1));
        assert!(!set.insert(1));
        assert!(set.insert(2));
        assert!(set.insert(3));
        assert!(!set.contains(&1));
        assert!(set.contains(&3));
    }
}
