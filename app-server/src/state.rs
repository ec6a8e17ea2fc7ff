//! What every handler shares.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus_client::registry::Registry;
use treecounter::metrics::Metrics;
use treecounter::process::ProcessCollector;
use treecounter::simulation::{RequestBehaviour, RequestPlan};

use crate::process_metrics::ThisProcess;
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

/// Shared state of the app. Cheap to clone, one reference count: axum
/// clones it for every request (and for every layer of the request's
/// service), so it is one `Arc` rather than a bundle of them and a `PathBuf`.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

struct Shared {
    metrics: Metrics,
    registry: Registry,
    behaviour: RequestBehaviour,
    /// Locked only to draw one plan, never across an `.await`.
    rng: Mutex<fastrand::Rng>,
    upstream: Upstream,
    clock: Clock,
    static_dir: PathBuf,
}

impl fmt::Debug for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("behaviour", &self.shared.behaviour)
            .field("upstream", &self.shared.upstream)
            .field("static_dir", &self.shared.static_dir)
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
            registry.register_collector(Box::new(ProcessCollector::new(ThisProcess)));
        }
        let rng = match options.seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        AppState {
            shared: Arc::new(Shared {
                metrics,
                registry,
                behaviour: options.behaviour,
                rng: Mutex::new(rng),
                upstream: options.upstream,
                clock,
                static_dir: options.static_dir,
            }),
        }
    }

    /// Draws the latency and upstream outcome of one `/treecounter` request.
    pub(crate) fn plan_request(&self) -> RequestPlan {
        // A poisoned lock only means another request panicked mid-draw; the
        // generator's state is still a valid state.
        let mut rng = self
            .shared
            .rng
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.shared.behaviour.plan(&mut rng)
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.shared.metrics
    }

    pub(crate) fn registry(&self) -> &Registry {
        &self.shared.registry
    }

    pub(crate) fn upstream(&self) -> &Upstream {
        &self.shared.upstream
    }

    /// The wall clock: time since the Unix epoch.
    pub(crate) fn now(&self) -> Duration {
        (self.shared.clock)()
    }

    pub(crate) fn static_dir(&self) -> &Path {
        &self.shared.static_dir
    }
}
