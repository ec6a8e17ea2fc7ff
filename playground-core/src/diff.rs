//! Which lines of a text are new since the previous version of it: the
//! playground highlights them in the exposition.

use std::collections::HashMap;

/// For each line of `current`, whether it is new: not among the lines of
/// `previous`. Repeated lines are matched one for one, so a second copy of a
/// line is new even when the first one is not. Order does not matter, since
/// the registry may list series in any order.
pub fn changed_lines(previous: &str, current: &str) -> Vec<bool> {
    let mut unmatched: HashMap<&str, usize> = HashMap::new();
    for line in previous.lines() {
        *unmatched.entry(line).or_default() += 1;
    }
    current
        .lines()
        .map(|line| match unmatched.get_mut(line) {
            Some(count) if *count > 0 => {
                *count -= 1;
                false
            }
            _ => true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `expect` marks new lines of `current` with `+` and old ones with ` `.
    fn check_changed(previous: &str, current: &str, expect: &str) {
        let marks: String = changed_lines(previous, current)
            .into_iter()
            .map(|new| if new { '+' } else { ' ' })
            .collect();
        assert_eq!(marks, expect);
    }

    #[test]
    fn marks_new_and_changed_lines() {
        check_changed("a 1\nb 1\n", "a 1\nb 2\n", " +");
        check_changed("", "a 1\nb 1\n", "++");
        check_changed("a 1\nb 1\n", "b 1\na 1\n", "  ");
        check_changed("x\n", "x\nx\n", " +");
        check_changed("a\nb\n", "", "");
    }
}
