//! Steady background traffic: requests arriving as a Poisson process.
//!
//! The gaps between arrivals of a Poisson process with rate λ are
//! independent and exponentially distributed with mean 1/λ, which is how
//! independent visitors arrive at a web page. Because the process has no
//! memory, changing the rate can simply redraw the next arrival.

use std::time::Duration;

/// Highest request rate the generator accepts, per simulated second.
pub const MAX_TRAFFIC_RATE: f64 = 100.0;

/// Why a traffic rate was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("traffic rate must be between 0 and 100 requests per second, got {0}")]
pub struct TrafficRateError(pub f64);

/// Schedules request arrivals at a given mean rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Traffic {
    rate: f64,
    next_arrival: Option<Duration>,
}

impl Default for Traffic {
    /// No traffic.
    fn default() -> Self {
        Traffic {
            rate: 0.0,
            next_arrival: None,
        }
    }
}

impl Traffic {
    /// Mean requests per second; 0 means off.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Sets the mean rate from `now` on and draws the next arrival.
    pub fn set_rate(
        &mut self,
        rate: f64,
        now: Duration,
        rng: &mut fastrand::Rng,
    ) -> Result<(), TrafficRateError> {
        if !(0.0..=MAX_TRAFFIC_RATE).contains(&rate) {
            return Err(TrafficRateError(rate));
        }
        self.rate = rate;
        self.next_arrival = self.draw_after(now, rng);
        Ok(())
    }

    /// When the next request arrives, if traffic is on.
    pub fn next_arrival(&self) -> Option<Duration> {
        self.next_arrival
    }

    /// Consumes the pending arrival and draws the one after it.
    pub fn arrive(&mut self, rng: &mut fastrand::Rng) {
        if let Some(at) = self.next_arrival {
            self.next_arrival = self.draw_after(at, rng);
        }
    }

    fn draw_after(&self, at: Duration, rng: &mut fastrand::Rng) -> Option<Duration> {
        if self.rate <= 0.0 {
            return None;
        }
        // 1 - f64() is in (0, 1], so the logarithm is finite; a tiny rate
        // can still put the next arrival beyond what a Duration holds, which
        // means it never comes.
        let gap_secs = -(1.0 - rng.f64()).ln() / self.rate;
        let gap = Duration::try_from_secs_f64(gap_secs).ok()?;
        at.checked_add(gap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs traffic at `rate` for `secs` simulated seconds and returns the
    /// arrival count.
    fn arrivals(rate: f64, secs: u64, seed: u64) -> usize {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut traffic = Traffic::default();
        traffic.set_rate(rate, Duration::ZERO, &mut rng).unwrap();
        let mut count = 0;
        let mut previous = Duration::ZERO;
        while let Some(at) = traffic.next_arrival() {
            if at > Duration::from_secs(secs) {
                break;
            }
            assert!(at >= previous, "arrivals are in time order");
            previous = at;
            count += 1;
            traffic.arrive(&mut rng);
        }
        count
    }

    #[test]
    fn off_means_no_arrivals() {
        assert_eq!(arrivals(0.0, 1000, 1), 0);
        assert_eq!(Traffic::default().next_arrival(), None);
    }

    #[test]
    fn mean_rate_matches_in_the_long_run_and_is_reproducible() {
        // 5/s for 10 000 s: 50 000 expected, standard deviation about 224.
        let count = arrivals(5.0, 10_000, 3);
        assert!((49_000..=51_000).contains(&count), "{count}");
        assert_eq!(arrivals(5.0, 100, 9), arrivals(5.0, 100, 9));
    }

    #[test]
    fn a_vanishing_rate_never_arrives_and_never_panics() {
        let mut rng = fastrand::Rng::with_seed(0);
        let mut traffic = Traffic::default();
        traffic.set_rate(1e-300, Duration::ZERO, &mut rng).unwrap();
        assert_eq!(traffic.next_arrival(), None);
    }

    #[test]
    fn refuses_rates_out_of_range() {
        let mut rng = fastrand::Rng::with_seed(0);
        let mut traffic = Traffic::default();
        for rate in [-1.0, 100.5, f64::NAN, f64::INFINITY] {
            assert!(traffic.set_rate(rate, Duration::ZERO, &mut rng).is_err());
        }
        assert_eq!(traffic.rate(), 0.0);
    }
}
