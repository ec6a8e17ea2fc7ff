//! Quantiles: of a set of values (`quantile`, `quantile_over_time`) and
//! estimated from classic histogram buckets (`histogram_quantile`,
//! `histogram_fraction`), as Prometheus computes them.

/// The φ-quantile of `values` by linear interpolation between the closest
/// ranks; NaN for no values or a NaN φ, ±Inf for φ outside [0, 1]. Sorts
/// `values` (NaN first, as Prometheus sorts them).
pub(crate) fn quantile(q: f64, values: &mut [f64]) -> f64 {
    if values.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    sort_nan_first(values);
    let n = values.len() as f64;
    let rank = q * (n - 1.0);
    let lower = rank.floor().max(0.0);
    let upper = (lower + 1.0).min(n - 1.0);
    let weight = rank - rank.floor();
    values[lower as usize] * (1.0 - weight) + values[upper as usize] * weight
}

/// Ascending, NaN before every number.
fn sort_nan_first(values: &mut [f64]) {
    values.sort_by(|a, b| match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        (false, false) => a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal),
    });
}

/// One classic histogram bucket: its upper bound (`le`) and cumulative
/// count.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Bucket {
    pub upper_bound: f64,
    pub count: f64,
}

/// Sorts by upper bound and adds up buckets with the same bound.
fn sort_and_coalesce(buckets: &mut Vec<Bucket>) {
    buckets.sort_by(|a, b| {
        a.upper_bound
            .partial_cmp(&b.upper_bound)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut merged: Vec<Bucket> = Vec::with_capacity(buckets.len());
    for bucket in buckets.iter() {
        match merged.last_mut() {
            Some(last) if last.upper_bound == bucket.upper_bound => last.count += bucket.count,
            _ => merged.push(*bucket),
        }
    }
    *buckets = merged;
}

/// Prometheus's tolerance for float noise between cumulative counts.
const SMALL_DELTA_TOLERANCE: f64 = 1e-12;
const MIN_NORMAL: f64 = f64::MIN_POSITIVE;

/// Prometheus's `almost.Equal`.
fn almost_equal(a: f64, b: f64, epsilon: f64) -> bool {
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let abs_sum = a.abs() + b.abs();
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || abs_sum < MIN_NORMAL {
        return diff < epsilon * MIN_NORMAL;
    }
    diff / abs_sum.min(f64::MAX) < epsilon
}

/// Makes the cumulative counts non-decreasing: a count below the one before
/// it (which rate() over scrapes at slightly different times can produce)
/// is raised to it, and float noise is flattened.
fn ensure_monotonic(buckets: &mut [Bucket]) {
    let Some(first) = buckets.first() else {
        return;
    };
    let mut previous = first.count;
    for bucket in buckets.iter_mut().skip(1) {
        let current = bucket.count;
        if current == previous {
            continue;
        }
        if almost_equal(previous, current, SMALL_DELTA_TOLERANCE) || current < previous {
            bucket.count = previous;
            continue;
        }
        previous = current;
    }
}

/// `histogram_quantile(q, …)` for one histogram's buckets.
pub(crate) fn bucket_quantile(q: f64, mut buckets: Vec<Bucket>) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    sort_and_coalesce(&mut buckets);
    match buckets.last() {
        Some(last) if last.upper_bound == f64::INFINITY => {}
        _ => return f64::NAN,
    }
    ensure_monotonic(&mut buckets);
    if buckets.len() < 2 {
        return f64::NAN;
    }
    let observations = buckets[buckets.len() - 1].count;
    if observations == 0.0 {
        return f64::NAN;
    }
    let mut rank = q * observations;
    // The first bucket (not counting +Inf) whose count reaches the rank.
    let b = buckets[..buckets.len() - 1].partition_point(|bucket| bucket.count < rank);
    if b == buckets.len() - 1 {
        return buckets[buckets.len() - 2].upper_bound;
    }
    if b == 0 && buckets[0].upper_bound <= 0.0 {
        return buckets[0].upper_bound;
    }
    let bucket_end = buckets[b].upper_bound;
    let mut count = buckets[b].count;
    let mut bucket_start = 0.0;
    if b > 0 {
        bucket_start = buckets[b - 1].upper_bound;
        count -= buckets[b - 1].count;
        rank -= buckets[b - 1].count;
    }
    bucket_start + (bucket_end - bucket_start) * (rank / count)
}

/// `histogram_fraction(lower, upper, …)` for one histogram's buckets: the
/// estimated share of observations in `[lower, upper]`.
pub(crate) fn bucket_fraction(lower: f64, upper: f64, mut buckets: Vec<Bucket>) -> f64 {
    sort_and_coalesce(&mut buckets);
    match buckets.last() {
        Some(last) if last.upper_bound == f64::INFINITY => {}
        _ => return f64::NAN,
    }
    let count = buckets[buckets.len() - 1].count;
    if count == 0.0 || lower.is_nan() || upper.is_nan() {
        return f64::NAN;
    }
    if lower >= upper {
        return 0.0;
    }
    let mut rank = 0.0;
    let (mut lower_rank, mut upper_rank) = (0.0, 0.0);
    let (mut lower_set, mut upper_set) = (false, false);
    let mut lower_bound = if buckets[0].upper_bound <= 0.0 {
        f64::NEG_INFINITY
    } else {
        0.0
    };
    for (i, bucket) in buckets.iter().enumerate() {
        if i > 0 {
            lower_bound = buckets[i - 1].upper_bound;
        }
        let upper_bound = bucket.upper_bound;
        let interpolate = |v: f64| {
            if lower_bound == f64::NEG_INFINITY {
                bucket.count
            } else {
                rank + (bucket.count - rank) * (v - lower_bound) / (upper_bound - lower_bound)
            }
        };
        if !lower_set && lower_bound >= lower {
            lower_rank = rank;
            lower_set = true;
        }
        if !upper_set && lower_bound >= upper {
            upper_rank = rank;
            upper_set = true;
        }
        if lower_set && upper_set {
            break;
        }
        if !lower_set && lower_bound < lower && upper_bound > lower {
            lower_rank = interpolate(lower);
            lower_set = true;
        }
        if !upper_set && lower_bound < upper && upper_bound > upper {
            upper_rank = interpolate(upper);
            upper_set = true;
        }
        if lower_set && upper_set {
            break;
        }
        rank = bucket.count;
    }
    if !lower_set || lower_rank > count {
        lower_rank = count;
    }
    if !upper_set || upper_rank > count {
        upper_rank = count;
    }
    (upper_rank - lower_rank) / count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buckets(pairs: &[(f64, f64)]) -> Vec<Bucket> {
        pairs
            .iter()
            .map(|&(upper_bound, count)| Bucket { upper_bound, count })
            .collect()
    }

    #[test]
    fn quantile_interpolates_between_ranks() {
        // Sorted: 1 2 3 4; rank 0.5 × 3 = 1.5 → 2 + 0.5 × (3 - 2).
        assert_eq!(quantile(0.5, &mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(quantile(0.0, &mut [4.0, 1.0]), 1.0);
        assert_eq!(quantile(1.0, &mut [4.0, 1.0]), 4.0);
        assert!(quantile(0.5, &mut []).is_nan());
        assert_eq!(quantile(-0.1, &mut [1.0]), f64::NEG_INFINITY);
        assert_eq!(quantile(1.1, &mut [1.0]), f64::INFINITY);
        // NaN sorts first: [NaN, 1, 2]; rank 1 → 1.
        assert_eq!(quantile(0.5, &mut [2.0, f64::NAN, 1.0]), 1.0);
    }

    #[test]
    fn histogram_quantile_interpolates_inside_the_bucket() {
        // 100 observations: 50 ≤ 0.1, 90 ≤ 0.5, all ≤ +Inf. The 0.9 rank
        // is 90: the end of (0.1, 0.5]. The median (rank 50) is 0.1.
        let b = buckets(&[(0.1, 50.0), (0.5, 90.0), (f64::INFINITY, 100.0)]);
        assert_eq!(bucket_quantile(0.9, b.clone()), 0.5);
        assert_eq!(bucket_quantile(0.5, b.clone()), 0.1);
        // Rank 70: 0.1 + 0.4 × (20 / 40) = 0.3.
        assert!((bucket_quantile(0.7, b.clone()) - 0.3).abs() < 1e-15);
        // Rank 95 is in the +Inf bucket: the highest finite bound.
        assert_eq!(bucket_quantile(0.95, b.clone()), 0.5);
        // Rank 25 in the first bucket interpolates from zero: 0.05.
        assert_eq!(bucket_quantile(0.25, b), 0.05);
    }

    #[test]
    fn histogram_quantile_edge_cases() {
        assert!(
            bucket_quantile(0.5, buckets(&[(0.1, 5.0), (0.5, 10.0)])).is_nan(),
            "no +Inf"
        );
        assert!(
            bucket_quantile(0.5, buckets(&[(f64::INFINITY, 10.0)])).is_nan(),
            "one bucket"
        );
        assert!(bucket_quantile(0.5, buckets(&[(1.0, 0.0), (f64::INFINITY, 0.0)])).is_nan());
        assert!(bucket_quantile(f64::NAN, buckets(&[(1.0, 1.0), (f64::INFINITY, 1.0)])).is_nan());
        // A dip (10 after 12) is raised to 12: rank 6 of 12 → 0 + 1 × 6/12.
        let dip = buckets(&[(1.0, 12.0), (2.0, 10.0), (f64::INFINITY, 12.0)]);
        assert_eq!(bucket_quantile(0.5, dip), 0.5);
        // Negative first bound: its own bound, no interpolation from 0.
        let negative = buckets(&[(-1.0, 5.0), (1.0, 10.0), (f64::INFINITY, 10.0)]);
        assert_eq!(bucket_quantile(0.2, negative), -1.0);
        // Duplicate bounds add up; order does not matter.
        let unsorted = buckets(&[(f64::INFINITY, 4.0), (1.0, 1.0), (1.0, 1.0)]);
        assert_eq!(bucket_quantile(0.25, unsorted), 0.5);
    }

    #[test]
    fn histogram_fraction_interpolates_both_ends() {
        let b = buckets(&[(0.1, 50.0), (0.5, 90.0), (f64::INFINITY, 100.0)]);
        assert_eq!(bucket_fraction(0.0, 0.1, b.clone()), 0.5);
        // (0.1, 0.3]: half of the 40 in (0.1, 0.5] → 0.2.
        assert!((bucket_fraction(0.1, 0.3, b.clone()) - 0.2).abs() < 1e-15);
        assert_eq!(bucket_fraction(0.5, f64::INFINITY, b.clone()), 0.1);
        assert_eq!(bucket_fraction(0.3, 0.3, b.clone()), 0.0);
        assert!(bucket_fraction(f64::NAN, 1.0, b).is_nan());
    }
}
