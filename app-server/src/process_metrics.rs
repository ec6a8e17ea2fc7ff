//! Where the server's process metrics come from (their definitions are
//! `treecounter::process`'s, shared with the playground): this process,
//! read from `/proc` at scrape time, on Linux only. Anything that cannot be
//! read is left out of the exposition rather than reported wrong, and
//! elsewhere nothing is exported.

use treecounter::process::{ProcessSample, ReadProcess};

/// This process, read from `/proc` at every scrape.
#[derive(Debug, Default, Clone, Copy)]
pub struct ThisProcess;

impl ReadProcess for ThisProcess {
    fn read(&self) -> ProcessSample {
        read_process_sample()
    }
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
