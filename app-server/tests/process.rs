//! The app-server binary as a process: what only shows from outside, the
//! exit status after SIGTERM or a bad setting in the environment, the listen
//! backlog the kernel reports, the log lines, and a file-descriptor limit. Linux only (signals, `ulimit`, `ss`).
#![cfg(target_os = "linux")]
// Test helpers outside #[test] functions unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// A running app-server, its log (stderr) collected line by line.
struct AppProcess {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    lines: mpsc::Receiver<String>,
}

/// Starts app-server on a free loopback port with `args`, under
/// `ulimit -n <open_files>` when given, and waits for it to listen.
fn start(args: &[&str], rust_log: &str, open_files: Option<u32>) -> AppProcess {
    let bin = env!("CARGO_BIN_EXE_app-server");
    let limit = open_files.map_or(String::new(), |n| format!("ulimit -n {n} && "));
    let static_dir: &[&str] = if args.contains(&"--static-dir") {
        &[]
    } else {
        &["--static-dir", "/nonexistent"]
    };
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("{limit}exec \"$0\" \"$@\""))
        .arg(bin)
        .args(["--listen", "127.0.0.1:0"])
        .args(static_dir)
        .args(args)
        .env("RUST_LOG", rust_log)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let (sender, lines) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    thread::spawn({
        let log = Arc::clone(&log);
        move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                log.lock().unwrap().push(line.clone());
                let _ = sender.send(line);
            }
        }
    });
    let mut process = AppProcess {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        log,
        lines,
    };
    // "tree counter on http://127.0.0.1:PORT/treecounter, ..."
    let line = process.wait_for_line("tree counter on http://");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap();
    process.addr = addr.parse().unwrap();
    process
}

impl AppProcess {
    /// Waits (up to 20 s) for a log line containing `needle`.
    fn wait_for_line(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!("no log line with {needle:?}; log: {:#?}", self.log()),
            }
        }
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    fn terminate(&self) {
        let status = Command::new("sh")
            .args(["-c", &format!("kill -TERM {}", self.child.id())])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits up to `limit` for the process to exit.
    fn wait_for_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// `GET path` on a new connection, with a 15 s timeout: the status code
    /// and body, or `None` if there was no answer.
    fn get(&self, path: &str) -> Option<(u16, String)> {
        let mut stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(15)).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        let status = response.split(' ').nth(1)?.parse().ok()?;
        let body = response.split_once("\r\n\r\n")?.1.to_owned();
        Some((status, body))
    }
}

impl Drop for AppProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn requests_cut_by_the_grace_period_are_logged_and_the_exit_status_says_so() {
    // Seed 1 draws a latency of many minutes out of the hour.
    let mut app = start(
        &[
            "--latency-max",
            "3600",
            "--seed",
            "1",
            "--shutdown-grace",
            "0.5",
        ],
        "info,app_server=debug",
        None,
    );
    let mut slow = TcpStream::connect(app.addr).unwrap();
    slow.write_all(b"GET /treecounter HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    app.wait_for_line("request started");
    app.terminate();
    let status = app
        .wait_for_exit(Duration::from_secs(20))
        .expect("still running 20 s after SIGTERM");
    let log = app.log();
    assert_eq!(status.code(), Some(1), "{log:#?}");
    assert!(
        log.iter().any(|line| line.contains("grace period over")),
        "{log:#?}"
    );
}

#[test]
fn sigterm_with_only_idle_connections_exits_at_once_and_cleanly() {
    let mut app = start(&["--shutdown-grace", "600"], "info", None);
    let mut idle = TcpStream::connect(app.addr).unwrap();
    idle.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .unwrap();
    let _silent = TcpStream::connect(app.addr).unwrap();
    assert_eq!(app.get("/healthz").map(|(status, _)| status), Some(200));
    app.terminate();
    let status = app
        .wait_for_exit(Duration::from_secs(20))
        .expect("still running 20 s after SIGTERM");
    assert!(status.success(), "{status}: {:#?}", app.log());
}

/// The backlog of the listening socket on `addr`, as the kernel reports it
/// (`ss` shows it as the Send-Q of a LISTEN socket).
fn listen_backlog(addr: SocketAddr) -> u32 {
    let output = Command::new("ss")
        .args(["-ltnH", &format!("sport = :{}", addr.port())])
        .output()
        .expect("ss (iproute2) is needed: scripts/setup.sh installs it");
    let text = String::from_utf8_lossy(&output.stdout);
    let columns: Vec<&str> = text.split_whitespace().collect();
    // State Recv-Q Send-Q Local Peer
    assert_eq!(columns.first(), Some(&"LISTEN"), "{text}");
    columns[2].parse().unwrap()
}

fn somaxconn() -> u32 {
    std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn the_listen_backlog_is_1024_by_default_and_configurable() {
    let app = start(&[], "info", None);
    assert_eq!(listen_backlog(app.addr), 1024.min(somaxconn()));
    let app = start(&["--listen-backlog", "64"], "info", None);
    assert_eq!(listen_backlog(app.addr), 64);
}

#[test]
fn a_name_too_long_for_the_filesystem_is_a_404_and_no_error() {
    let static_dir = tempfile::tempdir().unwrap();
    std::fs::write(static_dir.path().join("index.html"), "<!doctype html>").unwrap();
    let app = start(
        &["--static-dir", static_dir.path().to_str().unwrap()],
        "info",
        None,
    );
    for length in [255, 256, 1000] {
        let path = format!("/{}", "a".repeat(length));
        let status = app.get(&path).map(|(status, _)| status);
        assert_eq!(status, Some(404), "a name of {length} bytes");
    }
    let (_, metrics) = app.get("/metrics").unwrap();
    assert!(
        metrics.contains("requests_total{status=\"404\",endpoint=\"unmatched\"} 3\n"),
        "{metrics}"
    );
    let noisy: Vec<String> = app
        .log()
        .into_iter()
        .filter(|line| line.contains("ERROR") || line.contains("WARN"))
        .collect();
    assert!(noisy.is_empty(), "{noisy:#?}");
}

#[test]
fn silent_connections_cannot_starve_the_server_of_file_descriptors() {
    // 48 descriptors, 100 connections that never send a byte: the server
    // runs out of descriptors, and recovers as the header timeout closes
    // them.
    let app = start(&["--header-read-timeout", "1"], "info", Some(48));
    let silent: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(app.addr).unwrap())
        .collect();
    assert_eq!(
        app.get("/healthz"),
        Some((200, "ok\n".to_owned())),
        "{:#?}",
        app.log()
    );
    drop(silent);
    let accept_failures = app
        .log()
        .iter()
        .filter(|line| line.contains("accept failed"))
        .count();
    assert!(
        (1..=2).contains(&accept_failures),
        "{accept_failures} accept failures logged: {:#?}",
        app.log()
    );
}

#[test]
fn a_bad_cors_origin_from_the_environment_stops_the_start() {
    for (value, status, expect) in [
        (
            "https://page.example/",
            2,
            "invalid value 'https://page.example/' for '--cors-allow-origin <ORIGIN>': \
             `https://page.example/` is not an origin as browsers send it",
        ),
        // Split on commas (and trimmed), the two values meet.
        (
            "https://page.example, *",
            1,
            "invalid --cors-allow-origin: `*` allows every origin and cannot be combined \
             with `https://page.example`",
        ),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_app-server"))
            .args(["--listen", "127.0.0.1:0", "--static-dir", "/nonexistent"])
            .env("APP_CORS_ALLOW_ORIGIN", value)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(status), "{value}: {stderr}");
        assert!(stderr.contains(expect), "{value}: {stderr}");
    }
}
