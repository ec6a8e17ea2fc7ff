//! The workshop app's behaviour, independent of any transport.
//!
//! A visit to `/treecounter` waits an artificial latency drawn uniformly
//! between zero and a maximum, then asks the upstream API for the tree count;
//! a fraction of those upstream calls is replaced by a simulated 503. The page
//! itself always answers 200 and says the count is unavailable when the
//! upstream failed.
//!
//! Randomness comes from a caller-owned, seedable [`fastrand::Rng`] and time
//! from the caller, so every outcome here is reproducible in tests.

use std::time::Duration;

/// HTTP status the simulated upstream answers when it "fails".
pub const SIMULATED_UPSTREAM_ERROR_STATUS: u16 = 503;

/// The workshop's defaults: up to one second of latency, 15 % upstream errors.
pub const DEFAULT_LATENCY_MAX: Duration = Duration::from_secs(1);
/// Fraction of upstream calls that fail with a simulated 503 by default.
pub const DEFAULT_UPSTREAM_ERROR_RATE: f64 = 0.15;

/// Why a [`RequestBehaviour`] could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BehaviourError {
    /// The latency maximum is negative, not a number, or absurdly large.
    #[error("latency maximum must be between 0 and 3600 seconds, got {0}")]
    LatencyMax(f64),
    /// The error rate is outside 0..=1.
    #[error("upstream error rate must be between 0 and 1, got {0}")]
    ErrorRate(f64),
}

/// How the simulated app behaves: its artificial latency and upstream error rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RequestBehaviour {
    latency_max: Duration,
    upstream_error_rate: f64,
}

impl Default for RequestBehaviour {
    fn default() -> Self {
        RequestBehaviour {
            latency_max: DEFAULT_LATENCY_MAX,
            upstream_error_rate: DEFAULT_UPSTREAM_ERROR_RATE,
        }
    }
}

/// What will happen to one `/treecounter` request, decided up front.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestPlan {
    /// The artificial latency to wait before answering.
    pub latency: Duration,
    /// Whether the upstream call is replaced by a simulated 503.
    pub upstream_fails: bool,
}

impl RequestBehaviour {
    /// Validates and builds a behaviour. `latency_max_secs` of 0 turns the
    /// artificial latency off; `upstream_error_rate` is a fraction in 0..=1.
    pub fn new(latency_max_secs: f64, upstream_error_rate: f64) -> Result<Self, BehaviourError> {
        if !(0.0..=3600.0).contains(&latency_max_secs) {
            return Err(BehaviourError::LatencyMax(latency_max_secs));
        }
        if !(0.0..=1.0).contains(&upstream_error_rate) {
            return Err(BehaviourError::ErrorRate(upstream_error_rate));
        }
        Ok(RequestBehaviour {
            latency_max: Duration::from_secs_f64(latency_max_secs),
            upstream_error_rate,
        })
    }

    /// The maximum artificial latency.
    pub fn latency_max(&self) -> Duration {
        self.latency_max
    }

    /// The fraction of upstream calls that fail.
    pub fn upstream_error_rate(&self) -> f64 {
        self.upstream_error_rate
    }

    /// Draws the latency and the upstream outcome of one request.
    pub fn plan(&self, rng: &mut fastrand::Rng) -> RequestPlan {
        // f64() is uniform in [0, 1): the latency never exceeds the maximum.
        let latency = self.latency_max.mul_f64(rng.f64());
        let upstream_fails = rng.f64() < self.upstream_error_rate;
        RequestPlan {
            latency,
            upstream_fails,
        }
    }
}

/// Seconds since the Unix epoch at which [`simulated_tree_count`] starts
/// (2024-01-01T00:00:00Z).
pub const TREE_COUNT_EPOCH_UNIX_SECS: u64 = 1_704_067_200;
/// Trees counted at [`TREE_COUNT_EPOCH_UNIX_SECS`].
pub const TREE_COUNT_AT_EPOCH: u64 = 190_000_000;
/// Trees planted per second in the simulation (roughly one every 0.8 s).
pub const TREES_PER_SECOND: f64 = 1.25;

/// The simulated upstream's tree count at `unix_time` (time since the Unix
/// epoch): it grows steadily with wall-clock time, so two attendees asking at
/// the same moment see the same number. Times before the epoch give the
/// epoch's count.
pub fn simulated_tree_count(unix_time: Duration) -> u64 {
    let elapsed = unix_time.as_secs_f64() - TREE_COUNT_EPOCH_UNIX_SECS as f64;
    // The float-to-int cast saturates; elapsed is clamped to be non-negative.
    TREE_COUNT_AT_EPOCH + (elapsed.max(0.0) * TREES_PER_SECOND) as u64
}

/// Formats a count with thousands separators: `1234567` → `"1,234,567"`.
pub fn format_count(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_out_of_range_behaviour() {
        assert_eq!(
            RequestBehaviour::new(-1.0, 0.1),
            Err(BehaviourError::LatencyMax(-1.0))
        );
        assert!(matches!(
            RequestBehaviour::new(f64::NAN, 0.1),
            Err(BehaviourError::LatencyMax(_))
        ));
        assert!(matches!(
            RequestBehaviour::new(f64::INFINITY, 0.1),
            Err(BehaviourError::LatencyMax(_))
        ));
        assert_eq!(
            RequestBehaviour::new(1.0, 1.5),
            Err(BehaviourError::ErrorRate(1.5))
        );
        assert!(matches!(
            RequestBehaviour::new(1.0, f64::NAN),
            Err(BehaviourError::ErrorRate(_))
        ));
        assert_eq!(
            RequestBehaviour::new(0.5, 0.0).map(|b| b.latency_max()),
            Ok(Duration::from_millis(500))
        );
        assert_eq!(RequestBehaviour::default().upstream_error_rate(), 0.15);
    }

    #[test]
    fn plans_are_reproducible_from_the_seed() {
        let behaviour = RequestBehaviour::default();
        let draw = |seed| {
            let mut rng = fastrand::Rng::with_seed(seed);
            (0..50)
                .map(|_| behaviour.plan(&mut rng))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn latency_stays_below_the_maximum_and_is_off_at_zero() {
        let mut rng = fastrand::Rng::with_seed(1);
        let behaviour = RequestBehaviour::new(0.25, 0.15).unwrap();
        for _ in 0..10_000 {
            assert!(behaviour.plan(&mut rng).latency < Duration::from_millis(250));
        }
        let off = RequestBehaviour::new(0.0, 0.15).unwrap();
        assert_eq!(off.plan(&mut rng).latency, Duration::ZERO);
    }

    #[test]
    fn error_rate_is_respected_in_the_long_run() {
        let mut rng = fastrand::Rng::with_seed(42);
        let count = |rate: f64, rng: &mut fastrand::Rng| {
            let behaviour = RequestBehaviour::new(1.0, rate).unwrap();
            (0..100_000)
                .filter(|_| behaviour.plan(rng).upstream_fails)
                .count()
        };
        assert_eq!(count(0.0, &mut rng), 0);
        assert_eq!(count(1.0, &mut rng), 100_000);
        let failures = count(0.15, &mut rng);
        // 15 000 expected; the standard deviation is about 113.
        assert!((14_400..=15_600).contains(&failures), "{failures}");
    }

    #[test]
    fn tree_count_grows_with_time() {
        let at = |secs| simulated_tree_count(Duration::from_secs(secs));
        assert_eq!(at(0), TREE_COUNT_AT_EPOCH);
        assert_eq!(at(TREE_COUNT_EPOCH_UNIX_SECS), TREE_COUNT_AT_EPOCH);
        assert_eq!(
            at(TREE_COUNT_EPOCH_UNIX_SECS + 100),
            TREE_COUNT_AT_EPOCH + 125
        );
        assert!(at(TREE_COUNT_EPOCH_UNIX_SECS + 86_400) > at(TREE_COUNT_EPOCH_UNIX_SECS + 3_600));
    }

    #[test]
    fn formats_thousands() {
        for (n, s) in [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1_000, "1,000"),
            (12_345, "12,345"),
            (1_234_567, "1,234,567"),
            (u64::MAX, "18,446,744,073,709,551,615"),
        ] {
            assert_eq!(format_count(n), s);
        }
    }
}
