//! Just enough HTTP/1.1 for the checker: one GET per connection to a plain
//! `http://` address (the learner's app, Prometheus), with timeouts. No
//! TLS, no redirects, no keep-alive; bodies by `Content-Length`, chunked,
//! or up to the end of the connection.

use std::fmt;
use std::io::{self, Read as _, Write as _};
use std::net::{TcpStream, ToSocketAddrs as _};
use std::time::Duration;

/// An `http://host:port` address to send requests to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl {
    host: String,
    port: u16,
}

impl BaseUrl {
    /// Reads `http://host[:port][/]`.
    pub fn parse(url: &str) -> Result<BaseUrl, String> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            format!("`{url}` is not an http:// address (the checker does not speak https)")
        })?;
        let authority = rest.trim_end_matches('/');
        if authority.contains('/') {
            return Err(format!("`{url}` has a path: give only http://host:port"));
        }
        let port_of = |port: &str| {
            port.parse::<u16>()
                .map_err(|_| format!("`{port}` in `{url}` is not a port number"))
        };
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let (host, after) = bracketed
                .split_once(']')
                .ok_or_else(|| format!("`{url}` has an unclosed ["))?;
            match after.strip_prefix(':') {
                Some(port) => (host, port_of(port)?),
                None if after.is_empty() => (host, 80),
                None => return Err(format!("`{url}` has text after the ]")),
            }
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) => (host, port_of(port)?),
                None => (authority, 80),
            }
        };
        if host.is_empty() {
            return Err(format!("`{url}` has no host"));
        }
        Ok(BaseUrl {
            host: host.to_owned(),
            port,
        })
    }

    /// The full URL of `path`.
    pub fn join(&self, path: &str) -> String {
        format!("{self}{path}")
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "http://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "http://{}:{}", self.host, self.port)
        }
    }
}

/// A response: status, headers and the whole body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The reason phrase, e.g. `Not Found`.
    pub reason: String,
    /// The headers, names in lower case, in order.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Response {
    /// The first header called `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }

    /// The body as text; invalid UTF-8 is replaced, as a scraper would see garbage.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Why a request got no response.
#[derive(Debug)]
pub enum HttpError {
    /// Nothing accepted the connection (or the name did not resolve).
    Connect { url: String, error: io::Error },
    /// The connection broke or timed out before the response was complete.
    Io { url: String, error: io::Error },
    /// What came back is not an HTTP response.
    Malformed { url: String, problem: String },
}

impl HttpError {
    /// Whether nothing listens there (as opposed to a broken answer).
    pub fn is_connect(&self) -> bool {
        matches!(self, HttpError::Connect { .. })
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Connect { url, error } => write!(f, "cannot connect to {url}: {error}"),
            HttpError::Io { url, error } if is_timeout(error) => {
                write!(f, "{url} did not answer in time")
            }
            HttpError::Io { url, error } => {
                write!(f, "reading the answer of {url} failed: {error}")
            }
            HttpError::Malformed { url, problem } => {
                write!(f, "{url} did not answer in HTTP: {problem}")
            }
        }
    }
}

impl std::error::Error for HttpError {}

fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// The largest body read; a `/metrics` page is a few kilobytes.
const MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// Sends `GET path` (with `accept`, if given) and reads the whole response.
pub fn get(
    base: &BaseUrl,
    path: &str,
    accept: Option<&str>,
    timeout: Duration,
) -> Result<Response, HttpError> {
    let url = base.join(path);
    let connect_error = |error| HttpError::Connect {
        url: url.clone(),
        error,
    };
    let addresses = (base.host.as_str(), base.port)
        .to_socket_addrs()
        .map_err(connect_error)?;
    let mut last_error = io::Error::new(io::ErrorKind::NotFound, "the name has no address");
    let mut stream = None;
    for address in addresses {
        match TcpStream::connect_timeout(&address, timeout) {
            Ok(connected) => {
                stream = Some(connected);
                break;
            }
            Err(error) => last_error = error,
        }
    }
    let mut stream = stream.ok_or_else(|| connect_error(last_error))?;
    let io_error = |error| HttpError::Io {
        url: url.clone(),
        error,
    };
    stream.set_read_timeout(Some(timeout)).map_err(io_error)?;
    stream.set_write_timeout(Some(timeout)).map_err(io_error)?;
    let accept = accept
        .map(|a| format!("Accept: {a}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}:{}\r\nUser-Agent: workshop-check\r\n{accept}Connection: close\r\n\r\n",
        base.host, base.port
    );
    stream.write_all(request.as_bytes()).map_err(io_error)?;
    let mut raw = Vec::new();
    stream
        .take(MAX_RESPONSE_BYTES)
        .read_to_end(&mut raw)
        .map_err(io_error)?;
    parse_response(&raw).map_err(|problem| HttpError::Malformed { url, problem })
}

/// Reads a whole HTTP/1.1 response.
pub fn parse_response(raw: &[u8]) -> Result<Response, String> {
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("the answer has no end of headers")?;
    let head = std::str::from_utf8(&raw[..head_end]).map_err(|_| "the headers are not text")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let (version, code, reason) = (parts.next(), parts.next(), parts.next());
    if !version.is_some_and(|v| v.starts_with("HTTP/1.")) {
        return Err(format!("unexpected status line `{status_line}`"));
    }
    let status = code
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("unexpected status line `{status_line}`"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let mut response = Response {
        status,
        reason: reason.unwrap_or_default().to_owned(),
        headers,
        body: Vec::new(),
    };
    let rest = &raw[head_end + 4..];
    response.body = if response
        .header("transfer-encoding")
        .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
    {
        dechunk(rest)?
    } else if let Some(length) = response.header("content-length") {
        let length: usize = length
            .parse()
            .map_err(|_| format!("Content-Length `{length}` is not a number"))?;
        rest.get(..length)
            .ok_or("the body is shorter than its Content-Length")?
            .to_vec()
    } else {
        rest.to_vec()
    };
    Ok(response)
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("a chunk has no size line")?;
        let size_text = std::str::from_utf8(&rest[..line_end]).map_err(|_| "bad chunk size")?;
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size `{size_text}`"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        let chunk = rest.get(..size).ok_or("a chunk is cut short")?;
        body.extend_from_slice(chunk);
        rest = rest.get(size + 2..).ok_or("a chunk is cut short")?;
    }
}

/// `text` percent-encoded for a query string.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn reads_base_urls() {
        let ok = |url: &str, display: &str| {
            assert_eq!(
                BaseUrl::parse(url).map(|u| u.to_string()).as_deref(),
                Ok(display),
                "{url}"
            );
        };
        ok("http://127.0.0.1:8001", "http://127.0.0.1:8001");
        ok("http://localhost:9090/", "http://localhost:9090");
        ok("http://app", "http://app:80");
        ok("http://[::1]:8001", "http://[::1]:8001");
        for (url, error) in [
            ("https://x:1", "is not an http:// address"),
            ("localhost:8001", "is not an http:// address"),
            ("http://x:port", "is not a port number"),
            ("http://x:1/metrics", "has a path"),
            ("http://:1", "has no host"),
        ] {
            let got = BaseUrl::parse(url).unwrap_err();
            assert!(got.contains(error), "{url}: {got}");
        }
    }

    #[test]
    fn parses_responses() {
        let response = parse_response(
            b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\ncontent-length: 3\r\n\r\nabcdef",
        )
        .unwrap();
        assert_eq!(
            (response.status, response.reason.as_str()),
            (404, "Not Found")
        );
        assert_eq!(response.header("content-type"), Some("text/plain"));
        assert_eq!(response.body, b"abc");
        let chunked = parse_response(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n# EO\r\n2;x=y\r\nF\n\r\n0\r\n\r\n",
        )
        .unwrap();
        assert_eq!(chunked.text(), "# EOF\n");
        let until_close = parse_response(b"HTTP/1.0 200 OK\r\n\r\nall of it").unwrap();
        assert_eq!(until_close.body, b"all of it");
        for (raw, error) in [
            (&b"SSH-2.0-OpenSSH\r\n\r\n"[..], "unexpected status line"),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort",
                "shorter than its Content-Length",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "bad chunk size",
            ),
            (b"HTTP/1.1 200 OK", "no end of headers"),
        ] {
            let got = parse_response(raw).unwrap_err();
            assert!(got.contains(error), "{got}");
        }
    }

    #[test]
    fn gets_from_a_real_socket() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = BaseUrl::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 1024];
            let n = stream.read(&mut request).unwrap();
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                .unwrap();
            String::from_utf8_lossy(&request[..n]).into_owned()
        });
        let response = get(
            &base,
            "/metrics",
            Some("text/plain"),
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(response.body, b"ok");
        let request = server.join().unwrap();
        assert!(
            request.starts_with("GET /metrics HTTP/1.1\r\n"),
            "{request}"
        );
        assert!(request.contains("\r\nAccept: text/plain\r\n"), "{request}");
    }

    #[test]
    fn says_when_nothing_listens() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = BaseUrl::parse(&format!("http://127.0.0.1:{port}")).unwrap();
        let error = get(&base, "/metrics", None, Duration::from_secs(5)).unwrap_err();
        assert!(error.is_connect());
        assert!(
            error.to_string().starts_with(&format!(
                "cannot connect to http://127.0.0.1:{port}/metrics: "
            )),
            "{error}"
        );
    }

    #[test]
    fn percent_encodes_queries() {
        assert_eq!(
            percent_encode("rate(x{a=\"/b\"}[1m])"),
            "rate%28x%7Ba%3D%22%2Fb%22%7D%5B1m%5D%29"
        );
    }
}
