//! What every handler shares.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus_client::registry::Registry;
use treecounter::metrics::Metrics;
use treecounter::simulation::{RequestBehaviour, RequestPlan};

use crate::process_metrics::ProcessCollector;
use crate::upstream::Upstream;

/// Reads the wall clock as time since the Unix epoch. Injected so tests can
/// pin the simulated tree count.
pub type Clock = Arc<dyn Fn() -> Duration + Send + Sync>;

/// The real wall clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
    })
}

/// Shared state of the app. Cheap to clone: metric handles are `Arc`ed
/// atomics and the rest sits behind `Arc`s.
#[derive(Clone)]
pub struct AppState {
    pub(crate) metrics: Metrics,
    pub(crate) registry: Arc<Registry>,
    pub(crate) behaviour: RequestBehaviour,
    /// Locked only to draw one plan, never across an `.await`.
    rng: Arc<Mutex<fastrand::Rng>>,
    pub(crate) upstream: Upstream,
    pub(crate) clock: Clock,
    pub(crate) static_dir: PathBuf,
}

impl fmt::Debug for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("behaviour", &self.behaviour)
            .field("upstream", &self.upstream)
            .field("static_dir", &self.static_dir)
            .finish_non_exhaustive()
    }
}

/// Everything [`AppState::new`] needs, with the workshop's defaults.
#[derive(Debug, Clone)]
pub struct StateOptions {
    pub behaviour: RequestBehaviour,
    pub upstream: Upstream,
    /// Seed for latency and error draws; `None` seeds from the OS.
    pub seed: Option<u64>,
    pub static_dir: PathBuf,
    /// Export `process_*` metrics (Linux only; elsewhere they are absent).
    pub process_metrics: bool,
}

impl Default for StateOptions {
    fn default() -> Self {
        StateOptions {
            behaviour: RequestBehaviour::default(),
            upstream: Upstream::Simulated,
            seed: None,
            static_dir: PathBuf::from("dist"),
            process_metrics: true,
        }
    }
}

impl AppState {
    /// Builds the registry (every metric of the app, through the shared
    /// `Metrics::register`) and the state around it.
    pub fn new(options: StateOptions, clock: Clock) -> Self {
        let mut registry = Registry::default();
        let metrics = Metrics::register(&mut registry, env!("CARGO_PKG_VERSION"));
        if options.process_metrics {
            registry.register_collector(Box::new(ProcessCollector::new()));
        }
        let rng = match options.seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        AppState {
            metrics,
            registry: Arc::new(registry),
            behaviour: options.behaviour,
            rng: Arc::new(Mutex::new(rng)),
            upstream: options.upstream,
            clock,
            static_dir: options.static_dir,
        }
    }

    /// Draws the latency and upstream outcome of one `/treecounter` request.
    pub(crate) fn plan_request(&self) -> RequestPlan {
        // A poisoned lock only means another request panicked mid-draw; the
        // generator's state is still a valid state.
        let mut rng = self
            .rng
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.behaviour.plan(&mut rng)
    }
}
