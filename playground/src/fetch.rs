//! The page's few real requests (live mode): a `GET` through the browser's
//! `fetch`, read into what [`playground_core::live::Answer`] needs. What the
//! answer means is decided in `playground_core`; here is only the I/O.

use std::time::Duration;

use playground_core::live::Answer;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

/// What a target answered, or the browser's reason there was no answer.
pub type Fetched = Result<Reply, String>;

/// An answer, as received.
#[derive(Debug)]
pub struct Reply {
    status: u16,
    status_text: String,
    content_type: Option<String>,
    body: String,
}

/// Borrows a fetch result as the answer the core reads.
pub fn answer(fetched: &Fetched) -> Answer<'_> {
    match fetched {
        Ok(reply) => Answer::Response {
            status: reply.status,
            status_text: &reply.status_text,
            content_type: reply.content_type.as_deref(),
            body: &reply.body,
        },
        Err(message) => Answer::Failed(message),
    }
}

/// `url` made absolute against the page's address, as `fetch` would
/// resolve it (the page may live under a subpath); `None` if it is not a
/// URL at all.
pub fn absolute_url(url: &str) -> Option<String> {
    Request::new_with_str(url).ok().map(|request| request.url())
}

/// Wall-clock time since the Unix epoch.
pub fn wall_clock() -> Duration {
    Duration::from_millis(js_sys::Date::now() as u64)
}

/// `GET url`, with `accept` as the `Accept` header if given.
pub async fn get(url: &str, accept: Option<&str>) -> Fetched {
    send(url, accept).await.map_err(|error| {
        error.dyn_ref::<js_sys::Error>().map_or_else(
            || "request failed".to_owned(),
            |e| String::from(e.message()),
        )
    })
}

async fn send(url: &str, accept: Option<&str>) -> Result<Reply, JsValue> {
    let init = RequestInit::new();
    init.set_method("GET");
    if let Some(accept) = accept {
        let headers = Headers::new()?;
        headers.set("Accept", accept)?;
        init.set_headers(&headers);
    }
    let request = Request::new_with_str_and_init(url, &init)?;
    let response: Response = JsFuture::from(gloo::utils::window().fetch_with_request(&request))
        .await?
        .dyn_into()?;
    let body = JsFuture::from(response.text()?).await?;
    Ok(Reply {
        status: response.status(),
        status_text: response.status_text(),
        content_type: response.headers().get("Content-Type")?,
        body: body.as_string().unwrap_or_default(),
    })
}
