//! The process metrics the Python client exports by default, with the same
//! names: `process_cpu_seconds_total`, `process_resident_memory_bytes`,
//! `process_virtual_memory_bytes`, `process_open_fds`, `process_max_fds` and
//! `process_start_time_seconds`.
//!
//! Their definitions live here, once; where the numbers come from is the
//! caller's ([`ReadProcess`]): app-server reads its own process from
//! `/proc`, the playground computes its simulated app's from what the
//! simulation did ([`simulated`]). So the dashboard's process panels work on
//! both, and the two expositions cannot drift.

use std::fmt::Debug;
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Unit;

/// One reading of a process's resource usage; `None` for what could not be
/// read, which is then left out of the exposition rather than reported
/// wrong.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ProcessSample {
    /// User and system CPU time, in seconds.
    pub cpu_seconds: Option<f64>,
    /// Resident set size, in bytes.
    pub resident_memory_bytes: Option<u64>,
    /// Virtual memory size, in bytes.
    pub virtual_memory_bytes: Option<u64>,
    /// Open file descriptors.
    pub open_fds: Option<u64>,
    /// The soft limit on open file descriptors.
    pub max_fds: Option<u64>,
    /// When the process started, in seconds since the Unix epoch.
    pub start_time_seconds: Option<f64>,
}

/// Where a [`ProcessCollector`] gets its numbers, each time the registry is
/// encoded.
pub trait ReadProcess: Debug + Send + Sync + 'static {
    /// The process's usage now.
    fn read(&self) -> ProcessSample;
}

/// A collector of the `process_*` metrics: registered with
/// `registry.register_collector(Box::new(ProcessCollector::new(source)))`,
/// it reads `source` at every encoding.
#[derive(Debug)]
pub struct ProcessCollector<R> {
    source: R,
}

impl<R: ReadProcess> ProcessCollector<R> {
    /// A collector reading `source`.
    pub fn new(source: R) -> Self {
        ProcessCollector { source }
    }
}

impl<R: ReadProcess> Collector for ProcessCollector<R> {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        encode_sample(&self.source.read(), &mut encoder)
    }
}

/// Writes `sample`'s metrics, each with its help and unit as the Python
/// client has them.
fn encode_sample(
    sample: &ProcessSample,
    encoder: &mut DescriptorEncoder<'_>,
) -> Result<(), std::fmt::Error> {
    if let Some(cpu) = sample.cpu_seconds {
        let counter = ConstCounter::new(cpu);
        let metric = encoder.encode_descriptor(
            "process_cpu",
            "Total user and system CPU time spent in seconds.",
            Some(&Unit::Seconds),
            counter.metric_type(),
        )?;
        counter.encode(metric)?;
    }
    let count = |v: Option<u64>| v.map(|v| v as f64);
    let gauges = [
        (
            "process_resident_memory",
            "Resident memory size in bytes.",
            Some(Unit::Bytes),
            count(sample.resident_memory_bytes),
        ),
        (
            "process_virtual_memory",
            "Virtual memory size in bytes.",
            Some(Unit::Bytes),
            count(sample.virtual_memory_bytes),
        ),
        (
            "process_open_fds",
            "Number of open file descriptors.",
            None,
            count(sample.open_fds),
        ),
        (
            "process_max_fds",
            "Maximum number of open file descriptors.",
            None,
            count(sample.max_fds),
        ),
        (
            "process_start_time",
            "Start time of the process since unix epoch in seconds.",
            Some(Unit::Seconds),
            sample.start_time_seconds,
        ),
    ];
    for (name, help, unit, value) in gauges {
        let Some(value) = value else { continue };
        let gauge = ConstGauge::new(value);
        let metric = encoder.encode_descriptor(name, help, unit.as_ref(), gauge.metric_type())?;
        gauge.encode(metric)?;
    }
    Ok(())
}

/// What the simulated app's process would report, from what the simulation
/// did: it started at `started_at` (on the caller's clock, whose zero is
/// the Unix epoch for a real process), has been up for `uptime`
/// and has answered `requests` since. The figures are those of app-server
/// measured on a 2-core machine (README, "Memory"): about 5.5 MB resident
/// at rest, growing with the first connections' buffers; 2 ms of CPU at
/// start, 0.5 ms a second idle (the runtime's timers) and 12 µs a request;
/// a dozen file descriptors; the container's default limit.
pub fn simulated(started_at: Duration, uptime: Duration, requests: u64) -> ProcessSample {
    ProcessSample {
        cpu_seconds: Some(0.002 + uptime.as_secs_f64() * 0.0005 + requests as f64 * 12e-6),
        resident_memory_bytes: Some(5_500_000 + 4_096 * requests.min(256)),
        virtual_memory_bytes: Some(285_000_000),
        open_fds: Some(12),
        max_fds: Some(1_048_576),
        start_time_seconds: Some(started_at.as_secs_f64()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exposition::{encode, Format};
    use prometheus_client::registry::Registry;
    use std::sync::{Arc, Mutex};

    #[derive(Debug, Default, Clone)]
    struct Fixed(Arc<Mutex<ProcessSample>>);

    impl ReadProcess for Fixed {
        fn read(&self) -> ProcessSample {
            self.0.lock().map(|s| s.clone()).unwrap_or_default()
        }
    }

    fn exposition(sample: ProcessSample, format: Format) -> String {
        let source = Fixed::default();
        *source.0.lock().unwrap() = sample;
        let mut registry = Registry::default();
        registry.register_collector(Box::new(ProcessCollector::new(source)));
        encode(&registry, format).unwrap()
    }

    #[test]
    fn every_metric_is_named_as_the_python_client_names_it() {
        let text = exposition(
            ProcessSample {
                cpu_seconds: Some(1.5),
                resident_memory_bytes: Some(5_540_960),
                virtual_memory_bytes: Some(285_000_000),
                open_fds: Some(12),
                max_fds: Some(1_048_576),
                start_time_seconds: Some(1_700_000_000.0),
            },
            Format::PrometheusText,
        );
        let samples: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            samples,
            [
                "process_cpu_seconds_total 1.5",
                "process_resident_memory_bytes 5540960.0",
                "process_virtual_memory_bytes 285000000.0",
                "process_open_fds 12.0",
                "process_max_fds 1048576.0",
                "process_start_time_seconds 1700000000.0",
            ]
        );
        let om = exposition(
            simulated(Duration::ZERO, Duration::ZERO, 0),
            Format::OpenMetrics,
        );
        assert!(om.contains("# TYPE process_cpu_seconds counter\n"), "{om}");
        assert!(om.contains("# UNIT process_cpu_seconds seconds\n"), "{om}");
    }

    #[test]
    fn what_could_not_be_read_is_left_out() {
        let text = exposition(
            ProcessSample {
                open_fds: Some(7),
                ..ProcessSample::default()
            },
            Format::PrometheusText,
        );
        assert_eq!(
            text.lines()
                .filter(|l| !l.starts_with('#'))
                .collect::<Vec<_>>(),
            ["process_open_fds 7.0"]
        );
    }

    #[test]
    fn the_simulated_process_grows_with_its_work_and_stays_bounded() {
        let idle = simulated(Duration::ZERO, Duration::from_secs(60), 0);
        let busy = simulated(Duration::ZERO, Duration::from_secs(60), 1_000_000);
        let cpu = |s: &ProcessSample| s.cpu_seconds.unwrap_or_default();
        // 2 ms at start, 0.5 ms a second, 12 µs a request.
        assert!((cpu(&idle) - 0.032).abs() < 1e-12, "{idle:?}");
        assert!((cpu(&busy) - 12.032).abs() < 1e-9, "{busy:?}");
        assert_eq!(idle.resident_memory_bytes, Some(5_500_000));
        assert_eq!(busy.resident_memory_bytes, Some(5_500_000 + 4_096 * 256));
    }
}
