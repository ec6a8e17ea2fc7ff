//! Share links: the whole state of the page in a URL fragment, so the same
//! link opened on another machine shows the same picture and the same
//! numbers, with no server involved.
//!
//! The simulation is deterministic given its seed, its start time and what
//! the visitor did when, so a link carries those (the action log) rather
//! than the data, and the page replays them. The view (queries, tabs, span,
//! speed, …) comes along. Reading a link is strict: anything malformed,
//! out of range or too large is an error with a reason, and the page falls
//! back to its defaults and says so.
//!
//! The format, version 1, is `key=value` pairs joined by `&`:
//! `v=1&seed=…&t0=…&now=…&speed=10&span=300&paused=0&fmt=text&q=…&log=…`,
//! numbers in base 36, floats as their bits, query text percent-encoded,
//! one `q` per panel (`tab` and `stacked` after a `~`). Each action in `log`
//! is its time since the previous one, then a capital letter: `V` visit,
//! `S`, `T`, `E` a scrape interval, traffic or error rate (its argument
//! after the letter), `R` restart, `D` stop and `U` start the app, `L0` or
//! `L1` the slow page off or on, `X` reset.

use std::fmt::Write as _;
use std::time::Duration;

use tinyprom::labels::quoted;

use crate::playground::{
    ActionError, LoggedAction, Playground, PlaygroundAction, PlaygroundConfig, MAX_LOGGED_ACTIONS,
};

/// The longest simulated time a link may ask to replay.
pub const MAX_REPLAY: Duration = Duration::from_secs(24 * 3600);
/// The most query panels a link may hold.
pub const MAX_PANELS: usize = 8;
/// The longest query a panel may hold, in bytes.
pub const MAX_QUERY_LEN: usize = 4096;
/// The longest fragment read at all.
pub const MAX_LINK_LEN: usize = 128 * 1024;

/// What a query panel shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Tab {
    /// A range query over the span, drawn.
    #[default]
    Graph,
    /// An instant query at the current time, as a table.
    Table,
    /// The query's tree, each node's result.
    Explain,
}

impl Tab {
    /// Every tab, in the order the page shows them.
    pub const ALL: [Tab; 3] = [Tab::Graph, Tab::Table, Tab::Explain];

    fn code(self) -> char {
        match self {
            Tab::Graph => 'g',
            Tab::Table => 't',
            Tab::Explain => 'e',
        }
    }

    fn from_code(code: &str) -> Option<Tab> {
        Tab::ALL
            .into_iter()
            .find(|tab| code.len() == 1 && code.starts_with(tab.code()))
    }
}

/// One query panel's state.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PanelState {
    /// The query text.
    pub query: String,
    /// Which tab is open.
    pub tab: Tab,
    /// Whether the graph stacks its series.
    pub stacked: bool,
}

/// Everything a link carries.
#[derive(Clone, Debug, PartialEq)]
pub struct SharedState {
    /// The simulation's seed.
    pub seed: u64,
    /// The simulated app's start, ms since the Unix epoch (the tree count
    /// depends on it).
    pub start_unix_ms: u64,
    /// The simulated clock when the link was made.
    pub now: Duration,
    /// What the visitor did, and when.
    pub log: Vec<LoggedAction>,
    /// Simulated seconds per wall-clock second.
    pub speed: u32,
    /// The graphs' span, in seconds.
    pub span_s: u32,
    /// Whether the clock was paused.
    pub paused: bool,
    /// Whether the exposition shows OpenMetrics rather than 0.0.4.
    pub openmetrics: bool,
    /// The query panels, in order.
    pub panels: Vec<PanelState>,
    /// The workshop guide's progress ([`crate::guide::Progress`]'s bits).
    pub guide: u32,
}

/// Why a link could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ShareError(pub String);

impl SharedState {
    /// The configuration the shared playground started from.
    pub fn config(&self, version: &str) -> PlaygroundConfig {
        PlaygroundConfig {
            start_unix_time: Duration::from_millis(self.start_unix_ms),
            seed: self.seed,
            version: version.to_owned(),
        }
    }

    /// The shared playground, rebuilt by replaying its log.
    pub fn replay(&self, version: &str) -> Result<Playground, ActionError> {
        Playground::replay(self.config(version), &self.log, self.now)
    }
}

fn fail<T>(message: impl Into<String>) -> Result<T, ShareError> {
    Err(ShareError(message.into()))
}

/// The speeds a link may ask for (the page offers these).
pub const SPEEDS: [u32; 3] = [1, 10, 60];
/// The spans a link may ask for, in seconds.
pub const SPANS_S: [u32; 3] = [300, 900, 3600];

/// Writes `state` as a URL fragment (without the `#`).
pub fn encode(state: &SharedState) -> String {
    let mut out = String::from("v=1");
    let _ = write!(
        out,
        "&seed={}&t0={}&now={}&speed={}&span={}&paused={}&fmt={}",
        base36(state.seed),
        base36(state.start_unix_ms),
        base36(nanos(state.now)),
        state.speed,
        state.span_s,
        u8::from(state.paused),
        if state.openmetrics { "om" } else { "text" }
    );
    // Only when there is progress: links without it stay as they were.
    if state.guide != 0 {
        let _ = write!(out, "&guide={}", base36(u64::from(state.guide)));
    }
    for panel in &state.panels {
        out.push_str("&q=");
        percent_encode(&panel.query, &mut out);
        let _ = write!(out, "~{}~{}", panel.tab.code(), u8::from(panel.stacked));
    }
    out.push_str("&log=");
    let mut previous = Duration::ZERO;
    for (i, entry) in state.log.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        // Times as differences: a reset sets the clock back to zero, so a
        // difference may be negative.
        let delta = nanos(entry.at) as i128 - nanos(previous) as i128;
        if delta < 0 {
            out.push('-');
        }
        out.push_str(&base36(delta.unsigned_abs() as u64));
        match entry.action {
            PlaygroundAction::Visit => out.push('V'),
            PlaygroundAction::SetScrapeInterval(interval) => {
                let _ = write!(out, "S{}", base36(nanos(interval)));
            }
            PlaygroundAction::SetTrafficRate(rate) => {
                let _ = write!(out, "T{}", base36(rate.to_bits()));
            }
            PlaygroundAction::SetUpstreamErrorRate(rate) => {
                let _ = write!(out, "E{}", base36(rate.to_bits()));
            }
            PlaygroundAction::RestartApp => out.push('R'),
            PlaygroundAction::StopApp => out.push('D'),
            PlaygroundAction::StartApp => out.push('U'),
            PlaygroundAction::SetPageSlow(slow) => {
                let _ = write!(out, "L{}", u8::from(slow));
            }
            PlaygroundAction::Reset => out.push('X'),
            // Never logged (time passing is implied by the times).
            PlaygroundAction::Advance(_) => out.push('V'),
        }
        previous = entry.at;
    }
    out
}

/// Reads a fragment (with or without its `#`).
pub fn decode(fragment: &str) -> Result<SharedState, ShareError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.len() > MAX_LINK_LEN {
        return fail("the link is too long");
    }
    let mut state = SharedState {
        seed: 0,
        start_unix_ms: 0,
        now: Duration::ZERO,
        log: Vec::new(),
        speed: 10,
        span_s: 300,
        paused: false,
        openmetrics: false,
        panels: Vec::new(),
        guide: 0,
    };
    let mut version = false;
    let (mut seed, mut start, mut now) = (false, false, false);
    for pair in fragment.split('&') {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| ShareError(format!("{} is not key=value", shown(pair))))?;
        match key {
            "v" if value == "1" => version = true,
            "v" => return fail(format!("unknown link version {}", shown(value))),
            "seed" => {
                state.seed = parse_base36(value, "seed")?;
                seed = true;
            }
            "t0" => {
                state.start_unix_ms = parse_base36(value, "start time")?;
                start = true;
            }
            "now" => {
                state.now = Duration::from_nanos(parse_base36(value, "time")?);
                now = true;
            }
            "speed" => state.speed = parse_choice(value, &SPEEDS, "speed")?,
            "span" => state.span_s = parse_choice(value, &SPANS_S, "span")?,
            "paused" => state.paused = parse_flag(value, "paused")?,
            "fmt" => {
                state.openmetrics = match value {
                    "om" => true,
                    "text" => false,
                    _ => return fail(format!("unknown format {}", shown(value))),
                }
            }
            "q" => {
                if state.panels.len() == MAX_PANELS {
                    return fail(format!("more than {MAX_PANELS} panels"));
                }
                state.panels.push(parse_panel(value)?);
            }
            "log" => state.log = parse_log(value)?,
            "guide" => {
                state.guide = u32::try_from(parse_base36(value, "guide's progress")?)
                    .map_err(|_| ShareError("the guide's progress is too large".to_owned()))?;
            }
            _ => return fail(format!("unknown key {}", shown(key))),
        }
    }
    if !version {
        return fail("not a playground link (no v=1)");
    }
    if !(seed && start && now) {
        return fail("the link lacks the seed, start time or clock");
    }
    if state.now > MAX_REPLAY {
        return fail("the link's clock is past 24 hours: too long to replay");
    }
    Ok(state)
}

fn parse_panel(value: &str) -> Result<PanelState, ShareError> {
    let mut parts = value.split('~');
    let query = percent_decode(parts.next().unwrap_or_default())?;
    if query.len() > MAX_QUERY_LEN {
        return fail("a query is longer than 4096 bytes");
    }
    let tab = match parts.next() {
        Some(code) => Tab::from_code(code)
            .ok_or_else(|| ShareError(format!("unknown tab {}", shown(code))))?,
        None => Tab::Graph,
    };
    let stacked = match parts.next() {
        Some(flag) => parse_flag(flag, "stacked")?,
        None => false,
    };
    if parts.next().is_some() {
        return fail("a panel has too many parts");
    }
    Ok(PanelState {
        query,
        tab,
        stacked,
    })
}

fn parse_log(value: &str) -> Result<Vec<LoggedAction>, ShareError> {
    if value.is_empty() {
        return Ok(Vec::new());
    }
    let mut log = Vec::new();
    let mut at: i128 = 0;
    for entry in value.split('.') {
        if log.len() == MAX_LOGGED_ACTIONS {
            return fail(format!("more than {MAX_LOGGED_ACTIONS} actions"));
        }
        let (negative, entry) = match entry.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, entry),
        };
        // The time in base 36 (lower case), then the kind (upper case).
        let split = entry
            .find(|c: char| c.is_ascii_uppercase())
            .ok_or_else(|| ShareError(format!("action {} has no kind", shown(entry))))?;
        let (delta, rest) = entry.split_at(split);
        let delta = i128::from(parse_base36(delta, "action time")?);
        at += if negative { -delta } else { delta };
        let at_ns = u64::try_from(at)
            .map_err(|_| ShareError("an action is dated before zero".to_owned()))?;
        let (code, argument) = rest.split_at(1);
        let argument_expected = matches!(code, "S" | "T" | "E" | "L");
        if argument_expected == argument.is_empty() {
            return fail(format!("action {} is malformed", shown(entry)));
        }
        let action = match code {
            "V" => PlaygroundAction::Visit,
            "R" => PlaygroundAction::RestartApp,
            "D" => PlaygroundAction::StopApp,
            "U" => PlaygroundAction::StartApp,
            "L" => PlaygroundAction::SetPageSlow(parse_flag(argument, "slow page")?),
            "X" => PlaygroundAction::Reset,
            "S" => PlaygroundAction::SetScrapeInterval(Duration::from_nanos(parse_base36(
                argument,
                "scrape interval",
            )?)),
            "T" => PlaygroundAction::SetTrafficRate(f64::from_bits(parse_base36(
                argument,
                "traffic rate",
            )?)),
            "E" => PlaygroundAction::SetUpstreamErrorRate(f64::from_bits(parse_base36(
                argument,
                "error rate",
            )?)),
            _ => return fail(format!("unknown action {}", shown(code))),
        };
        log.push(LoggedAction {
            at: Duration::from_nanos(at_ns),
            action,
        });
    }
    Ok(log)
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if n == 0 {
        return "0".to_owned();
    }
    let mut digits = Vec::new();
    while n > 0 {
        digits.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    digits.reverse();
    String::from_utf8_lossy(&digits).into_owned()
}

fn parse_base36(text: &str, what: &str) -> Result<u64, ShareError> {
    if text.is_empty() || text.len() > 13 {
        return fail(format!("the {what} is not a number"));
    }
    let mut n: u64 = 0;
    for c in text.chars() {
        let digit = c
            .to_digit(36)
            .filter(|_| !c.is_ascii_uppercase())
            .ok_or_else(|| ShareError(format!("the {what} is not a number")))?;
        n = n
            .checked_mul(36)
            .and_then(|n| n.checked_add(u64::from(digit)))
            .ok_or_else(|| ShareError(format!("the {what} is too large")))?;
    }
    Ok(n)
}

/// Part of a link, quoted for a message, and cut short: a hostile link
/// can be long.
fn shown(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", quoted(&text[..cut])),
        None => quoted(text),
    }
}

fn parse_choice(text: &str, choices: &[u32], what: &str) -> Result<u32, ShareError> {
    choices
        .iter()
        .copied()
        .find(|c| c.to_string() == text)
        .ok_or_else(|| ShareError(format!("unknown {what} {}", shown(text))))
}

fn parse_flag(text: &str, what: &str) -> Result<bool, ShareError> {
    match text {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => fail(format!("{what} must be 0 or 1")),
    }
}

/// Keeps letters, digits and `-._` as they are; everything else (UTF-8
/// bytes) as `%XX`.
fn percent_encode(text: &str, out: &mut String) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

fn percent_decode(text: &str) -> Result<String, ShareError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| ShareError("a query has a broken %-escape".to_owned()))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ShareError("a query is not UTF-8".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tinyprom::labels::{Matcher, METRIC_NAME};
    use treecounter::exposition::Format;

    fn state(log: Vec<LoggedAction>) -> SharedState {
        SharedState {
            seed: 42,
            start_unix_ms: 1_800_000_000_000,
            now: Duration::from_millis(12_345_678),
            log,
            speed: 60,
            span_s: 900,
            paused: true,
            openmetrics: true,
            panels: vec![
                PanelState {
                    query: "sum by (endpoint) (rate(requests_total{status=~\"5..\"}[1m])) # ünïcode & = ~".to_owned(),
                    tab: Tab::Explain,
                    stacked: true,
                },
                PanelState::default(),
            ],
            guide: 0b10_1001,
        }
    }

    #[test]
    fn links_round_trip() {
        let log = vec![
            LoggedAction {
                at: Duration::from_millis(1500),
                action: PlaygroundAction::Visit,
            },
            LoggedAction {
                at: Duration::from_nanos(2_000_000_001),
                action: PlaygroundAction::SetTrafficRate(4.0),
            },
            LoggedAction {
                at: Duration::from_secs(3),
                action: PlaygroundAction::SetUpstreamErrorRate(0.15),
            },
            LoggedAction {
                at: Duration::from_secs(3),
                action: PlaygroundAction::SetScrapeInterval(Duration::from_secs(5)),
            },
            LoggedAction {
                at: Duration::from_secs(9),
                action: PlaygroundAction::Reset,
            },
            LoggedAction {
                at: Duration::from_secs(2),
                action: PlaygroundAction::RestartApp,
            },
            LoggedAction {
                at: Duration::from_secs(4),
                action: PlaygroundAction::StopApp,
            },
            LoggedAction {
                at: Duration::from_secs(4),
                action: PlaygroundAction::SetPageSlow(true),
            },
            LoggedAction {
                at: Duration::from_secs(70),
                action: PlaygroundAction::StartApp,
            },
            LoggedAction {
                at: Duration::from_secs(71),
                action: PlaygroundAction::SetPageSlow(false),
            },
        ];
        let original = state(log);
        let link = encode(&original);
        assert!(link.chars().all(|c| c.is_ascii_graphic()), "{link}");
        assert_eq!(decode(&link), Ok(original.clone()));
        assert_eq!(decode(&format!("#{link}")), Ok(original));
    }

    #[test]
    fn hostile_links_are_refused_with_a_reason() {
        let good = encode(&state(Vec::new()));
        for (link, reason) in [
            ("", "not key=value"),
            ("v=2", "unknown link version"),
            ("v=1", "lacks the seed"),
            (&good.replace("speed=60", "speed=61"), "unknown speed"),
            (&good.replace("span=900", "span=1"), "unknown span"),
            (
                &good.replace("paused=1", "paused=yes"),
                "paused must be 0 or 1",
            ),
            (&format!("{good}&x=1"), "unknown key"),
            (&format!("{good}&q=%ZZ"), "broken %-escape"),
            (&format!("{good}&q=%FF"), "not UTF-8"),
            (&format!("{good}&log=10q"), "has no kind"),
            (&format!("{good}&log=-10V"), "before zero"),
            (&format!("{good}&log=10S"), "malformed"),
            (&format!("{good}&log=10Vx"), "malformed"),
            (&format!("{good}&log=10Q"), "unknown action"),
            (&format!("{good}&log=10L"), "malformed"),
            (&format!("{good}&log=10L2"), "slow page must be 0 or 1"),
            (&format!("{good}&log=10L11"), "slow page must be 0 or 1"),
            (&format!("{good}&log=10Dx"), "malformed"),
            (&format!("{good}&log=10U1"), "malformed"),
            (&good.replace("now=", "now=zzzzzzzzzzzzzz"), "not a number"),
            (
                &good.replace(
                    &format!("now={}", base36(12_345_678_000_000)),
                    &format!("now={}", base36(nanos(MAX_REPLAY) + 1)),
                ),
                "past 24 hours",
            ),
        ] {
            let error = decode(link).expect_err(link);
            assert!(error.0.contains(reason), "{link}: {error}");
        }
        let many = format!("{good}{}", "&q=a".repeat(MAX_PANELS));
        assert!(decode(&many).is_err());
        // Random bytes never panic.
        let mut seed = 7u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut link = good.clone().into_bytes();
            let at = (seed % link.len() as u64) as usize;
            link[at] = b"&=~.%-VXDUL0z"[(seed >> 32) as usize % 13];
            let _ = decode(&String::from_utf8_lossy(&link));
        }
    }

    #[test]
    fn a_replayed_log_gives_the_same_playground() {
        let config = PlaygroundConfig {
            start_unix_time: Duration::from_secs(1_800_000_000),
            seed: 11,
            version: "test".to_owned(),
        };
        let mut live = Playground::new(config.clone());
        // Time passes in uneven slices, as the page's ticks come.
        let mut slice = 137u64;
        let steps = [
            PlaygroundAction::SetTrafficRate(3.0),
            PlaygroundAction::Visit,
            PlaygroundAction::SetUpstreamErrorRate(0.5),
            PlaygroundAction::Visit,
            PlaygroundAction::SetScrapeInterval(Duration::from_secs(5)),
            PlaygroundAction::RestartApp,
            PlaygroundAction::Visit,
            PlaygroundAction::Reset,
            PlaygroundAction::Visit,
            PlaygroundAction::SetTrafficRate(7.5),
            PlaygroundAction::SetPageSlow(true),
            PlaygroundAction::StopApp,
            PlaygroundAction::Visit,
            PlaygroundAction::StartApp,
            PlaygroundAction::Visit,
        ];
        for action in steps {
            for _ in 0..5 {
                slice = slice * 7919 % 10_007;
                live.apply(PlaygroundAction::Advance(Duration::from_micros(
                    slice * 997,
                )))
                .unwrap();
            }
            live.apply(action).unwrap();
        }
        live.apply(PlaygroundAction::Advance(Duration::from_millis(45_678)))
            .unwrap();
        let shared = SharedState {
            log: live.log().to_vec(),
            now: live.now(),
            seed: config.seed,
            ..state(Vec::new())
        };
        let decoded = decode(&encode(&shared)).unwrap();
        assert_eq!(
            decoded.config("test").start_unix_time,
            config.start_unix_time
        );
        let replayed = decoded.replay("test").unwrap();
        assert_eq!(replayed.now(), live.now());
        // The same samples (prometheus-client writes a family's series in
        // its hash map's order, which differs between two registries).
        let samples = |p: &Playground| {
            let text = p.exposition(Format::OpenMetrics).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            lines.sort();
            lines
        };
        assert_eq!(samples(&replayed), samples(&live));
        // Bit for bit: staleness markers are NaNs, which `==` never equals.
        let stored = |p: &Playground| -> Vec<(String, Vec<(i64, u64)>)> {
            p.store()
                .series()
                .iter()
                .map(|series| {
                    let samples = series.samples.iter().map(|s| (s.t, s.f.to_bits()));
                    (series.labels.to_string(), samples.collect())
                })
                .collect()
        };
        assert_eq!(stored(&replayed), stored(&live));
        assert_eq!(
            replayed.visits().collect::<Vec<_>>(),
            live.visits().collect::<Vec<_>>()
        );
        assert!(live.visits().count() > 3, "traffic ran");
        // The app was down for a while, and the replay saw it too.
        let failed_scrapes = |p: &Playground| {
            p.store()
                .select(&[Matcher::equal(METRIC_NAME, "up")])
                .flat_map(|series| series.samples.iter())
                .filter(|sample| sample.f == 0.0)
                .count()
        };
        assert!(failed_scrapes(&live) > 0);
        assert_eq!(failed_scrapes(&replayed), failed_scrapes(&live));
    }
}
