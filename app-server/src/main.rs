//! `app-server`: parses the configuration, binds, and serves until SIGTERM or
//! Ctrl-C. Everything else lives in the library.

use std::io::IsTerminal as _;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::ExitCode;

use anyhow::Context;
use app_server::config::Config;
use app_server::server::{bind, Shutdown};
use app_server::state::{system_clock, StateOptions};
use app_server::upstream::Upstream;
use app_server::{app, serve, AllowedOrigins, AppState, ServerTimeouts};
use clap::Parser;
use tracing_subscriber::EnvFilter;
use treecounter::simulation::RequestBehaviour;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = Config::parse();
    let result = if config.healthcheck {
        healthcheck(&config).await
    } else {
        run(config).await
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
    let allowed_origins = AllowedOrigins::new(config.cors_allow_origin.clone())
        .context("invalid --cors-allow-origin")?;
    let behaviour = RequestBehaviour::new(config.latency_max, config.upstream_error_rate)?;
    let upstream = match &config.upstream_url {
        Some(url) => Upstream::http(url.clone(), config.upstream_timeout)
            .context("could not set up the upstream HTTP client")?,
        None => Upstream::Simulated,
    };
    if !config.static_dir.join("index.html").is_file() {
        tracing::warn!(
            static_dir = %config.static_dir.display(),
            "no built playground there: / will say how to build it (./scripts/run.sh)"
        );
    }
    let state = AppState::new(
        StateOptions {
            behaviour,
            upstream,
            seed: config.seed,
            static_dir: config.static_dir.clone(),
            process_metrics: true,
        },
        system_clock(),
    );
    let shutdown_signal = shutdown_signal()?;
    let listener = bind(config.listen, config.listen_backlog)
        .with_context(|| format!("could not listen on {}", config.listen))?;
    let local = listener.local_addr()?;
    tracing::info!(
        "tree counter on http://{local}/treecounter, metrics on http://{local}/metrics, playground on http://{local}/"
    );
    let shutdown = serve(
        listener,
        app(state, config.request_timeout, &allowed_origins),
        ServerTimeouts {
            header_read: config.header_read_timeout,
            shutdown_grace: config.shutdown_grace,
        },
        shutdown_signal,
    )
    .await;
    match shutdown {
        Shutdown::Graceful => Ok(()),
        Shutdown::Forced { connections } => Err(anyhow::anyhow!(
            "stopped with {connections} request(s) cut short by the {:?} grace period",
            config.shutdown_grace
        )),
    }
}

/// Listens for Ctrl-C and SIGTERM (what `docker stop` sends) and returns a
/// future that completes on either. The handlers are in place when this
/// returns, so a signal that arrives while the server starts up is not lost
/// (nor, as the default action, fatal).
#[cfg(unix)]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?;
    let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => tracing::info!("Ctrl-C received"),
            _ = terminate.recv() => tracing::info!("SIGTERM received"),
        }
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => tracing::info!("Ctrl-C received"),
            Err(error) => {
                tracing::error!(%error, "cannot listen for Ctrl-C");
                std::future::pending::<()>().await;
            }
        }
    })
}

/// `--healthcheck`: asks the server on `--listen` for `/healthz`.
async fn healthcheck(config: &Config) -> anyhow::Result<()> {
    let mut target: SocketAddr = config.listen;
    if target.ip().is_unspecified() {
        target.set_ip(match target {
            SocketAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => Ipv6Addr::LOCALHOST.into(),
        });
    }
    let url = format!("http://{target}/healthz");
    // Never through a proxy: the target is this machine, and containers may
    // be given HTTP_PROXY.
    let response = reqwest::Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(3))
        .build()?
        .get(&url)
        .send()
        .await
        .with_context(|| format!("{url} did not answer"))?;
    anyhow::ensure!(
        response.status().is_success(),
        "{url} answered {}",
        response.status()
    );
    Ok(())
}
