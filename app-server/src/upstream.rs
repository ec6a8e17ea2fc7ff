//! Where the tree count comes from.

use std::time::Duration;

use serde::Deserialize;
use treecounter::simulation::simulated_tree_count;

/// The upstream API the app asks for the tree count.
#[derive(Debug, Clone)]
pub enum Upstream {
    /// In-process: a count that grows steadily with wall-clock time. The
    /// workshop's public API can't be reached from tests or a workshop room
    /// with bad Wi-Fi.
    Simulated,
    /// A real endpoint answering `{"count": N}`.
    Http {
        client: reqwest::Client,
        url: reqwest::Url,
    },
}

/// Why the upstream gave no count.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("upstream answered HTTP {0}")]
    Status(u16),
    #[error("upstream could not be reached: {0}")]
    Transport(#[source] reqwest::Error),
    #[error("upstream answer is not {{\"count\": N}}: {0}")]
    Body(#[source] reqwest::Error),
}

impl UpstreamError {
    /// The `status` label this failure is counted under in
    /// `requests_total{endpoint="/upstream"}`: the upstream's own status, or
    /// 502 when it sent no usable answer (as a gateway would report it).
    pub fn status_label(&self) -> u16 {
        match self {
            UpstreamError::Status(status) => *status,
            UpstreamError::Transport(_) | UpstreamError::Body(_) => 502,
        }
    }
}

#[derive(Deserialize)]
struct CountBody {
    count: u64,
}

impl Upstream {
    /// An HTTP upstream with a per-call timeout.
    pub fn http(url: reqwest::Url, timeout: Duration) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!(
                "treecounter-app-server/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()?;
        Ok(Upstream::Http { client, url })
    }

    /// Asks for the current tree count. `now` is the time since the Unix
    /// epoch, used by the simulation.
    pub async fn tree_count(&self, now: Duration) -> Result<u64, UpstreamError> {
        match self {
            Upstream::Simulated => Ok(simulated_tree_count(now)),
            Upstream::Http { client, url } => {
                let response = client
                    .get(url.clone())
                    .send()
                    .await
                    .map_err(UpstreamError::Transport)?;
                let status = response.status();
                if !status.is_success() {
                    return Err(UpstreamError::Status(status.as_u16()));
                }
                let body: CountBody = response.json().await.map_err(UpstreamError::Body)?;
                Ok(body.count)
            }
        }
    }
}
