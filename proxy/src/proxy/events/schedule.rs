//! When a failed delivery is tried again: capped exponential backoff with
//! jitter, for a window (at least 24 h by default) measured from the
//! event's creation; a delivery that fails after the window is `failed`.

use std::time::Duration;

/// The retry policy of `[merchant]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetrySchedule {
    /// The delay before the first retry (before jitter).
    pub first: Duration,
    /// The longest delay between two attempts.
    pub cap: Duration,
    /// How long after its creation an event is still retried.
    pub window: Duration,
}

/// What follows a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Try again at this time (Unix milliseconds).
    RetryAt(i64),
    /// The window has passed: the event is `failed`.
    GiveUp,
}

impl RetrySchedule {
    /// The delay after `failed` failed attempts (1 for the first failure):
    /// `first · 2^(failed−1)`, capped at `cap`, then a point in the upper
    /// half of that drawn by `jitter` ∈ [0, 1) so that instances and events
    /// spread out.
    pub fn delay(&self, failed: u32, jitter: f64) -> Duration {
        let doublings = failed.saturating_sub(1).min(40);
        let base = self.first.saturating_mul(1u32 << doublings.min(31)).min(self.cap);
        base.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0 - f64::EPSILON))
    }

    /// After the `failed`-th failed attempt at `now_ms` of an event created
    /// at `created_ms`: the next attempt, or [`Next::GiveUp`] once the
    /// window has passed. An attempt that fails inside the window is always
    /// retried, so the retries cover the whole window.
    pub fn after_failure(&self, created_ms: i64, failed: u32, now_ms: i64, jitter: f64) -> Next {
        let window_ms = i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX);
        if now_ms.saturating_sub(created_ms) >= window_ms {
            return Next::GiveUp;
        }
        let delay_ms = i64::try_from(self.delay(failed, jitter).as_millis()).unwrap_or(i64::MAX);
        Next::RetryAt(now_ms.saturating_add(delay_ms.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    fn schedule() -> RetrySchedule {
        RetrySchedule { first: Duration::from_secs(1), cap: Duration::from_secs(900), window: 24 * HOUR }
    }

    #[test]
    fn doubles_from_the_first_delay_up_to_the_cap_with_jitter_in_the_upper_half() {
        let s = schedule();
        assert!(s.delay(1, 0.999) < Duration::from_secs(2), "the first retry is within 2 s");
        assert_eq!(s.delay(1, 0.0), Duration::from_millis(500));
        assert_eq!(s.delay(2, 0.0), Duration::from_secs(1));
        assert_eq!(s.delay(4, 0.5), Duration::from_secs(6));
        assert_eq!(s.delay(20, 0.0), Duration::from_secs(450));
        assert!(s.delay(u32::MAX, 1.0) <= s.cap);
        for failed in 1..60 {
            assert!(s.delay(failed, 0.3) <= s.delay(failed + 1, 0.3), "never shrinks ({failed})");
        }
    }

    #[test]
    fn retries_through_the_whole_window_then_gives_up() {
        let s = schedule();
        let created = 1_000_000;
        let (mut now, mut failed) = (created, 0u32);
        loop {
            failed += 1;
            match s.after_failure(created, failed, now, 0.999) {
                Next::RetryAt(at) => {
                    assert!(at > now);
                    now = at;
                }
                Next::GiveUp => break,
            }
            assert!(failed < 10_000, "bounded");
        }
        assert!(now - created >= 24 * 3_600_000, "retried for at least the window");
        assert!(now - created < 24 * 3_600_000 + 900_000, "gave up at the first failure after it");
        // With a 15 min cap that is about a hundred attempts a day, not thousands.
        assert!((90..130).contains(&failed), "{failed}");
    }
}
