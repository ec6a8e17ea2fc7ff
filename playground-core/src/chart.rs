//! Axis arithmetic for the playground's graphs: "nice" tick values, the
//! labels printed next to them, and the [`Scale`] that maps times and
//! values to the line chart's SVG coordinates. Pure functions, so the
//! drawing code in the page stays a thin layer.

use crate::playground::GraphSeries;

/// The line chart's coordinate system (the SVG scales to its box): its
/// width and margins, in SVG units.
pub const WIDTH: f64 = 640.0;
/// Room for the value labels.
pub const MARGIN_LEFT: f64 = 52.0;
/// Room on the right.
pub const MARGIN_RIGHT: f64 = 14.0;
/// Room above the top tick.
pub const MARGIN_TOP: f64 = 12.0;
/// Room for the time labels.
pub const MARGIN_BOTTOM: f64 = 30.0;

/// Colours of the series, in order; they repeat after ten. Chosen to stay
/// apart from each other and readable on the light background.
const PALETTE: [&str; 10] = [
    "#2f855a", "#2b6cb0", "#c53030", "#b7791f", "#6b46c1", "#2c7a7b", "#d53f8c", "#4a5568",
    "#dd6b20", "#38a169",
];

/// The colour of the `index`-th series.
pub fn series_colour(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

/// Maps times and values to the line chart's SVG coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct Scale {
    start_ms: i64,
    span_ms: f64,
    height: f64,
    y_min: f64,
    y_max: f64,
    /// The value axis's ticks, which also give its bounds.
    pub y_ticks: Vec<f64>,
}

impl Scale {
    /// The scale for `series` from `start_ms` to `end_ms`, `height` units
    /// high. The value axis always includes zero, and goes below it for
    /// negative values.
    pub fn new(series: &[GraphSeries], start_ms: i64, end_ms: i64, height: f64) -> Self {
        let (min, max) = series
            .iter()
            .flat_map(|s| s.points.iter().map(|&(_, v)| v))
            .filter(|v| v.is_finite())
            .fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let max = if max > min { max } else { min + 1.0 };
        let y_ticks = nice_ticks(min, max, 4);
        let y_min = y_ticks.first().copied().unwrap_or(min).min(min);
        let y_max = y_ticks
            .last()
            .copied()
            .filter(|&m| m > y_min)
            .unwrap_or(y_min + 1.0);
        Scale {
            start_ms,
            span_ms: (end_ms - start_ms).max(1) as f64,
            height,
            y_min,
            y_max,
            y_ticks,
        }
    }

    /// The time axis's position.
    pub fn bottom(&self) -> f64 {
        self.height - MARGIN_BOTTOM
    }

    /// Where time `t_ms` is.
    pub fn x(&self, t_ms: i64) -> f64 {
        let fraction = (t_ms - self.start_ms) as f64 / self.span_ms;
        MARGIN_LEFT + fraction * (WIDTH - MARGIN_LEFT - MARGIN_RIGHT)
    }

    /// Where `value` is; NaN and ±Inf sit at 0, values outside the axis on
    /// its ends.
    pub fn y(&self, value: f64) -> f64 {
        let value = if value.is_finite() { value } else { 0.0 };
        let fraction = ((value - self.y_min) / (self.y_max - self.y_min)).clamp(0.0, 1.0);
        self.bottom() - fraction * (self.bottom() - MARGIN_TOP)
    }
}

/// Tick positions covering `[min, max]` with about `target` ticks, on steps
/// of 1, 2 or 5 times a power of ten. The first tick is the largest step
/// multiple not above `min`, the last the smallest not below `max`, so the
/// ticks also give the axis bounds. An empty or inverted range gives `[min]`.
pub fn nice_ticks(min: f64, max: f64, target: usize) -> Vec<f64> {
    if !(min.is_finite() && max.is_finite()) || max <= min || target == 0 {
        return vec![if min.is_finite() { min } else { 0.0 }];
    }
    let step = nice_step((max - min) / target as f64);
    let first = (min / step).floor();
    let last = (max / step).ceil();
    // Bounded: (last - first) is about `target`.
    (0..=((last - first) as usize))
        .map(|i| round_to_step((first + i as f64) * step, step))
        .collect()
}

/// The smallest 1, 2 or 5 × 10^k step at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// Removes float noise like 0.30000000000000004 from a tick value.
fn round_to_step(value: f64, step: f64) -> f64 {
    let decimals = (-step.log10().floor()).max(0.0) as i32;
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// Tick positions for a time axis from `start_ms` to `end_ms`, on round
/// multiples (1 s, 5 s, 10 s, 15 s, 30 s, 1 min, 2 min, 5 min, 10 min,
/// 15 min, 30 min, 1 h), at most about `target` of them, all inside the range.
pub fn time_ticks(start_ms: i64, end_ms: i64, target: usize) -> Vec<i64> {
    const STEPS_S: [i64; 12] = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
    if end_ms <= start_ms || target == 0 {
        return Vec::new();
    }
    let span = end_ms - start_ms;
    let step = STEPS_S
        .iter()
        .map(|s| s * 1000)
        .find(|step| span / step <= target as i64)
        .unwrap_or(3_600_000);
    let first = start_ms + (step - start_ms.rem_euclid(step)) % step;
    (0..)
        .map(|i| first + i * step)
        .take_while(|&t| t <= end_ms)
        .collect()
}

/// A simulated clock reading as `m:ss`, or `h:mm:ss` from one hour on.
/// From a day on it is the time of day, UTC: live data is stamped with
/// Unix time.
pub fn format_clock(t_ms: i64) -> String {
    let secs = t_ms.max(0) / 1000;
    let (h, m, s) = (secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if secs >= 3600 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// A value for an axis label or readout: up to 3 significant decimals,
/// without trailing zeros.
pub fn format_value(value: f64) -> String {
    if !value.is_finite() {
        return if value.is_nan() {
            "NaN".to_owned()
        } else if value > 0.0 {
            "+Inf".to_owned()
        } else {
            "-Inf".to_owned()
        };
    }
    let decimals = if value.abs() >= 100.0 {
        0
    } else if value.abs() >= 10.0 {
        1
    } else if value.abs() >= 1.0 {
        2
    } else {
        3
    };
    let text = format_fixed(value, decimals);
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// `value` rounded to `decimals` places (at most 6), as `format!("{value:.2}")`
/// writes it, but never "-0" (a rounded tiny negative) and never "NaN" or
/// "inf": those would make an SVG coordinate invalid, so they print as 0.
pub fn format_fixed(value: f64, decimals: u32) -> String {
    let decimals = decimals.min(6) as usize;
    let value = if value.is_finite() { value } else { 0.0 };
    let text = format!("{value:.decimals$}");
    match text.strip_prefix('-') {
        Some(unsigned) if unsigned.bytes().all(|b| b == b'0' || b == b'.') => unsigned.to_owned(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_ticks_are_round() {
        let check = |min, max, target, expect: &[f64]| {
            assert_eq!(nice_ticks(min, max, target), expect, "{min}..{max}");
        };
        check(0.0, 1.0, 5, &[0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        check(0.0, 0.73, 4, &[0.0, 0.2, 0.4, 0.6, 0.8]);
        check(0.0, 0.3, 3, &[0.0, 0.1, 0.2, 0.3]);
        check(0.0, 17.0, 4, &[0.0, 5.0, 10.0, 15.0, 20.0]);
        check(3.0, 3.0, 4, &[3.0]);
        check(f64::NAN, 1.0, 4, &[0.0]);
    }

    #[test]
    fn time_ticks_fall_on_round_times_inside_the_range() {
        assert_eq!(
            time_ticks(5_000, 65_000, 6),
            [10_000, 20_000, 30_000, 40_000, 50_000, 60_000]
        );
        assert_eq!(
            time_ticks(0, 300_000, 6),
            [0, 60_000, 120_000, 180_000, 240_000, 300_000]
        );
        assert_eq!(time_ticks(-100_000, 0, 4), [-90_000, -60_000, -30_000, 0]);
        assert_eq!(time_ticks(0, 3_600_000, 6).len(), 7);
        assert!(time_ticks(10, 10, 5).is_empty());
    }

    #[test]
    fn formats_clock_and_values() {
        assert_eq!(format_clock(0), "0:00");
        assert_eq!(format_clock(65_500), "1:05");
        assert_eq!(format_clock(3_725_000), "1:02:05");
        assert_eq!(format_clock(-5), "0:00");
        // 2023-11-14 22:13:20 UTC.
        assert_eq!(format_clock(1_700_000_000_000), "22:13:20");
        assert_eq!(format_clock(86_400_000 + 300_000), "0:05:00");
        for (value, text) in [
            (0.0, "0"),
            (0.1, "0.1"),
            (0.0416666, "0.042"),
            (1.5, "1.5"),
            (12.345, "12.3"),
            (250.4, "250"),
            (-0.0001, "0"),
            (-2.5, "-2.5"),
            (f64::INFINITY, "+Inf"),
        ] {
            assert_eq!(format_value(value), text);
        }
        for (value, decimals, text) in [
            (0.0, 1, "0.0"),
            (12.34, 1, "12.3"),
            (12.35, 0, "12"),
            (-0.04, 1, "0.0"),
            (-0.06, 1, "-0.1"),
            (1.23456, 3, "1.235"),
            (1e20, 0, "100000000000000000000"),
            (f64::NAN, 2, "0.00"),
        ] {
            assert_eq!(format_fixed(value, decimals), text, "{value}");
        }
    }
}
