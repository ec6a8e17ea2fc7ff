//! Which other origins may read `/metrics` and `/treecounter` (CORS), so a
//! page served elsewhere, such as a playground scraping this server, can
//! fetch them. By default none may: no CORS headers are sent at all and
//! browsers keep both to same-origin pages.

use std::str::FromStr;

use axum::http::{header, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// One value of `--cors-allow-origin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigin {
    /// `*`: any origin.
    Any,
    /// One origin, `scheme://host[:port]`, exactly as a browser sends it in
    /// the `Origin` header (which the layer compares byte for byte).
    Origin(HeaderValue),
}

impl FromStr for CorsOrigin {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        let value = value.trim();
        if value == "*" {
            return Ok(CorsOrigin::Any);
        }
        if value.is_empty() {
            return Err("an origin is empty: give `*` or scheme://host[:port] \
                        (leave the flag out to allow none)"
                .to_owned());
        }
        let url = reqwest::Url::parse(value).map_err(|e| {
            format!("`{value}` is neither `*` nor an origin (scheme://host[:port]): {e}")
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("`{value}` is not an http:// or https:// origin"));
        }
        // What a browser sends for a page at this URL: lower case, no
        // default port, no user, path, query or fragment. Anything else
        // could never match an `Origin` header, so it is refused rather
        // than silently never allowed.
        let origin = url.origin().ascii_serialization();
        if origin != value {
            return Err(format!(
                "`{value}` is not an origin as browsers send it (scheme://host[:port], no path \
                 or trailing slash, no default port): did you mean `{origin}`?"
            ));
        }
        HeaderValue::from_str(&origin)
            .map(CorsOrigin::Origin)
            .map_err(|e| format!("`{value}` cannot be sent in a header: {e}"))
    }
}

/// The origins, other than the server's own, whose pages may read
/// `/metrics` and `/treecounter`: none (the default), a list, or any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedOrigins(Allowed);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Allowed {
    #[default]
    SameOriginOnly,
    Any,
    /// Never empty, never `*`.
    List(Vec<HeaderValue>),
}

/// `*` given together with origins: a contradiction, most likely a leftover.
#[derive(Debug, thiserror::Error)]
#[error(
    "`*` allows every origin and cannot be combined with `{0}`; \
     give either `*` alone or a list of origins"
)]
pub struct WildcardWithOrigins(String);

impl AllowedOrigins {
    /// Only the server's own pages (no CORS headers at all).
    pub fn same_origin_only() -> Self {
        AllowedOrigins::default()
    }

    /// The origins given to `--cors-allow-origin`; none means same-origin only.
    pub fn new(origins: impl IntoIterator<Item = CorsOrigin>) -> Result<Self, WildcardWithOrigins> {
        let mut any = false;
        let mut list = Vec::new();
        for origin in origins {
            match origin {
                CorsOrigin::Any => any = true,
                CorsOrigin::Origin(origin) => {
                    if !list.contains(&origin) {
                        list.push(origin);
                    }
                }
            }
        }
        let allowed = match (any, list.first()) {
            (true, Some(origin)) => {
                let origin = String::from_utf8_lossy(origin.as_bytes()).into_owned();
                return Err(WildcardWithOrigins(origin));
            }
            (true, None) => Allowed::Any,
            (false, Some(_)) => Allowed::List(list),
            (false, None) => Allowed::SameOriginOnly,
        };
        Ok(AllowedOrigins(allowed))
    }

    /// The layer that answers CORS for the routes it wraps, or `None` when
    /// only the same origin may read them: then no layer is added and
    /// requests cost exactly what they did without CORS.
    ///
    /// Reads only (`GET`, and `HEAD`, which axum answers for every `GET`
    /// route), the `Accept` header allowed (a scraper's `Accept` asking for
    /// OpenMetrics can be long enough to need a preflight), no credentials.
    /// With a list, a listed `Origin` is echoed and others get no
    /// `Access-Control-Allow-Origin`, with `Vary: origin` on every answer;
    /// with `*`, `Access-Control-Allow-Origin: *`.
    pub fn layer(&self) -> Option<CorsLayer> {
        let allow_origin = match &self.0 {
            Allowed::SameOriginOnly => return None,
            Allowed::Any => AllowOrigin::any(),
            Allowed::List(origins) => AllowOrigin::list(origins.iter().cloned()),
        };
        Some(
            CorsLayer::new()
                .allow_origin(allow_origin)
                .allow_methods([Method::GET, Method::HEAD])
                .allow_headers([header::ACCEPT]),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(value: &'static str) -> CorsOrigin {
        CorsOrigin::Origin(HeaderValue::from_static(value))
    }

    #[test]
    fn origins_are_taken_as_browsers_send_them() {
        for (value, expect) in [
            ("*", CorsOrigin::Any),
            ("https://page.example", origin("https://page.example")),
            (
                "https://page.example:8443",
                origin("https://page.example:8443"),
            ),
            ("http://localhost:8080", origin("http://localhost:8080")),
            ("http://127.0.0.1:3000", origin("http://127.0.0.1:3000")),
            ("http://[::1]:8080", origin("http://[::1]:8080")),
            // As an environment list is split: ", " between values.
            (" https://page.example", origin("https://page.example")),
        ] {
            assert_eq!(value.parse(), Ok(expect), "{value:?}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_the_reason() {
        for (value, expect) in [
            ("", "an origin is empty"),
            (" ", "an origin is empty"),
            (
                "page.example",
                "`page.example` is neither `*` nor an origin",
            ),
            ("null", "`null` is neither `*` nor an origin"),
            ("**", "`**` is neither `*` nor an origin"),
            ("ftp://page.example", "is not an http:// or https:// origin"),
            (
                "file:///tmp/page.html",
                "is not an http:// or https:// origin",
            ),
            (
                "https://page.example/",
                "did you mean `https://page.example`?",
            ),
            (
                "https://page.example/metrics",
                "did you mean `https://page.example`?",
            ),
            (
                "https://page.example?x=1",
                "did you mean `https://page.example`?",
            ),
            (
                "https://user@page.example",
                "did you mean `https://page.example`?",
            ),
            (
                "https://Page.Example",
                "did you mean `https://page.example`?",
            ),
            (
                "https://page.example:443",
                "did you mean `https://page.example`?",
            ),
            (
                "http://page.example:80",
                "did you mean `http://page.example`?",
            ),
        ] {
            let err = value.parse::<CorsOrigin>().unwrap_err();
            assert!(err.contains(expect), "{value:?}: {err}");
        }
    }

    fn allowed(values: &[&str]) -> Result<AllowedOrigins, String> {
        let origins = values.iter().map(|value| value.parse().unwrap());
        AllowedOrigins::new(origins).map_err(|e| e.to_string())
    }

    #[test]
    fn the_values_make_one_policy() {
        let header = HeaderValue::from_static;
        for (values, expect) in [
            (&[][..], Allowed::SameOriginOnly),
            (&["*"], Allowed::Any),
            (&["*", "*"], Allowed::Any),
            (
                &[
                    "https://a.example",
                    "http://b.example:8080",
                    "https://a.example",
                ],
                Allowed::List(vec![
                    header("https://a.example"),
                    header("http://b.example:8080"),
                ]),
            ),
        ] {
            assert_eq!(allowed(values), Ok(AllowedOrigins(expect)), "{values:?}");
        }
        assert!(AllowedOrigins::same_origin_only().layer().is_none());
        assert!(allowed(&["*"]).unwrap().layer().is_some());
    }

    #[test]
    fn a_wildcard_with_origins_is_refused() {
        for values in [&["*", "https://a.example"][..], &["https://a.example", "*"]] {
            assert_eq!(
                allowed(values).unwrap_err(),
                "`*` allows every origin and cannot be combined with `https://a.example`; \
                 give either `*` alone or a list of origins"
            );
        }
    }
}
