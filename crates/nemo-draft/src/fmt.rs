//! Small number formats shared by summaries and diffs.

/// Seconds with at most one decimal and no trailing `.0`: `10`, `2.5`.
pub(crate) fn seconds(ms: i64) -> String {
    let tenths = (ms as f64 / 100.0).round() as i64;
    if tenths % 10 == 0 {
        format!("{}", tenths / 10)
    } else {
        format!("{:.1}", tenths as f64 / 10.0)
    }
}

/// A clock duration rounded to the second: `0:42`, `12:05`, `1:02:03`.
pub fn clock(ms: i64) -> String {
    let total = (ms.max(0) as f64 / 1000.0).round() as i64;
    let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60);
    if hours > 0 {
        format!("{hours}:{minutes:02}:{secs:02}")
    } else {
        format!("{minutes}:{secs:02}")
    }
}

/// A volume as a whole percentage: `1.0` -> `100%`.
pub fn percent(volume: f64) -> String {
    format!("{}%", (volume * 100.0).round() as i64)
}

/// `n` followed by the singular or plural noun: `1 clip`, `3 clips`.
pub(crate) fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_drop_trailing_zero() {
        assert_eq!(seconds(10_000), "10");
        assert_eq!(seconds(2_500), "2.5");
        assert_eq!(seconds(0), "0");
        assert_eq!(seconds(2_949), "2.9");
    }

    #[test]
    fn clock_rounds_to_seconds() {
        assert_eq!(clock(42_000), "0:42");
        assert_eq!(clock(41_600), "0:42");
        assert_eq!(clock(60_000), "1:00");
        assert_eq!(clock(3_723_000), "1:02:03");
        assert_eq!(clock(-5), "0:00");
    }

    #[test]
    fn percent_rounds() {
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.35), "35%");
        assert_eq!(percent(0.0), "0%");
    }
}
