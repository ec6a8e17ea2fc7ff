//! The process metrics the Python client exports by default, same names:
//! `process_cpu_seconds_total`, `process_resident_memory_bytes`,
//! `process_virtual_memory_bytes`, `process_open_fds`, `process_max_fds`,
//! `process_start_time_seconds`.
//!
//! They are read from `/proc` at scrape time, on Linux only. Anything that
//! cannot be read is left out of the exposition rather than reported wrong,
//! and elsewhere the collector exports nothing.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Unit;

/// Reads this process's resource usage when the registry is encoded.
#[derive(Debug, Default)]
pub struct ProcessCollector {
    _private: (),
}

impl ProcessCollector {
    pub fn new() -> Self {
        Self::default()
    }
}

/// One reading of the process's resource usage; `None` for what could not be read.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ProcessSample {
    pub cpu_seconds: Option<f64>,
    pub resident_memory_bytes: Option<u64>,
    pub virtual_memory_bytes: Option<u64>,
    pub open_fds: Option<u64>,
    pub max_fds: Option<u64>,
    pub start_time_seconds: Option<f64>,
}

#[cfg(target_os = "linux")]
pub fn read_process_sample() -> ProcessSample {
    use procfs::process::{LimitValue, Process};
    use procfs::CurrentSI as _;

    let mut sample = ProcessSample::default();
    let Ok(me) = Process::myself() else {
        return sample;
    };
    let ticks = procfs::ticks_per_second() as f64;
    if let Ok(stat) = me.stat() {
        sample.cpu_seconds = Some((stat.utime + stat.stime) as f64 / ticks);
        sample.virtual_memory_bytes = Some(stat.vsize);
        sample.resident_memory_bytes = Some(stat.rss * procfs::page_size());
        if let Ok(kernel) = procfs::KernelStats::current() {
            sample.start_time_seconds = Some(kernel.btime as f64 + stat.starttime as f64 / ticks);
        }
    }
    sample.open_fds = me.fd_count().ok().map(|n| n as u64);
    if let Ok(limits) = me.limits() {
        sample.max_fds = match limits.max_open_files.soft_limit {
            LimitValue::Value(n) => Some(n),
            LimitValue::Unlimited => None,
        };
    }
    sample
}

#[cfg(not(target_os = "linux"))]
pub fn read_process_sample() -> ProcessSample {
    ProcessSample::default()
}

fn encode_gauge(
    encoder: &mut DescriptorEncoder<'_>,
    name: &str,
    help: &str,
    unit: Option<&Unit>,
    value: Option<f64>,
) -> Result<(), std::fmt::Error> {
    let Some(value) = value else { return Ok(()) };
    let gauge = ConstGauge::new(value);
    let metric = encoder.encode_descriptor(name, help, unit, gauge.metric_type())?;
    gauge.encode(metric)
}

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        let sample = read_process_sample();
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
        let bytes = |v: Option<u64>| v.map(|v| v as f64);
        encode_gauge(
            &mut encoder,
            "process_resident_memory",
            "Resident memory size in bytes.",
            Some(&Unit::Bytes),
            bytes(sample.resident_memory_bytes),
        )?;
        encode_gauge(
            &mut encoder,
            "process_virtual_memory",
            "Virtual memory size in bytes.",
            Some(&Unit::Bytes),
            bytes(sample.virtual_memory_bytes),
        )?;
        encode_gauge(
            &mut encoder,
            "process_open_fds",
            "Number of open file descriptors.",
            None,
            bytes(sample.open_fds),
        )?;
        encode_gauge(
            &mut encoder,
            "process_max_fds",
            "Maximum number of open file descriptors.",
            None,
            bytes(sample.max_fds),
        )?;
        encode_gauge(
            &mut encoder,
            "process_start_time",
            "Start time of the process since unix epoch in seconds.",
            Some(&Unit::Seconds),
            sample.start_time_seconds,
        )?;
        Ok(())
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::time::{SystemTime, UNIX_EPOCH};

    #[test]
    fn reads_plausible_values_on_linux() {
        let sample = read_process_sample();
        let rss = sample.resident_memory_bytes.unwrap();
        let vsize = sample.virtual_memory_bytes.unwrap();
        assert!(rss > 0 && rss <= vsize, "rss {rss} vsize {vsize}");
        assert!(sample.open_fds.unwrap() >= 3);
        assert!(sample.max_fds.unwrap() >= sample.open_fds.unwrap());
        assert!(sample.cpu_seconds.unwrap() >= 0.0);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let started = sample.start_time_seconds.unwrap();
        // Started before now, and not before the test binary could have.
        assert!(
            started <= now + 1.0 && started > now - 3600.0,
            "{started} vs {now}"
        );
    }
}
