//! Small formatting helpers the UX adapters share, so every platform shows numbers the same way.

/// A length as `m:ss`, or `h:mm:ss` from one hour: `42.4` -> `0:42`, `3725.0` -> `1:02:05`.
/// Rounds to the nearest second; negative or non-finite values count as zero.
pub fn duration(seconds: f64) -> String {
    let total = if seconds.is_finite() && seconds > 0.0 {
        seconds.round() as u64
    } else {
        0
    };
    let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60);
    if hours > 0 {
        format!("{hours}:{minutes:02}:{secs:02}")
    } else {
        format!("{minutes}:{secs:02}")
    }
}

/// A file size in decimal units with one decimal: `12_345_678` -> `12.3 MB`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Elapsed time for "still working" lines: `45` -> `45 s`, `240` -> `4 min`.
pub fn elapsed(seconds: u64) -> String {
    if seconds < 60 {
        format!("{seconds} s")
    } else {
        format!("{} min", seconds / 60)
    }
}

/// A percentage clamped to 0..=100.
pub fn percent(value: u8) -> String {
    format!("{}%", value.min(100))
}

/// Markdown links as bare URLs, which chat channels and terminals show best:
/// `[text](url)` -> `text (url)`. Anything that is not a complete link stays as it is.
pub fn bare_links(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|i| open + i) else {
            break;
        };
        let Some(end) = rest[close..].find(')').map(|i| close + i) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..close]);
        out.push_str(" (");
        out.push_str(&rest[close + 2..end]);
        out.push(')');
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for (input, want) in [
            (0.0, "0:00"),
            (42.4, "0:42"),
            (59.6, "1:00"),
            (605.0, "10:05"),
            (3725.0, "1:02:05"),
            (-3.0, "0:00"),
            (f64::NAN, "0:00"),
        ] {
            assert_eq!(duration(input), want, "input {input}");
        }
    }

    #[test]
    fn sizes() {
        for (input, want) in [
            (0, "0 B"),
            (999, "999 B"),
            (1000, "1.0 KB"),
            (812_400, "812.4 KB"),
            (999_999, "1.0 MB"),
            (12_345_678, "12.3 MB"),
            (16_000_000, "16.0 MB"),
            (2_500_000_000, "2.5 GB"),
        ] {
            assert_eq!(size(input), want, "input {input}");
        }
    }

    #[test]
    fn links_become_bare_urls() {
        assert_eq!(
            bare_links("See [docs](https://a.b/c) and [x](y)."),
            "See docs (https://a.b/c) and x (y)."
        );
        assert_eq!(bare_links("[unclosed](link"), "[unclosed](link");
        assert_eq!(bare_links("a [b] c"), "a [b] c");
    }

    #[test]
    fn elapsed_and_percent() {
        assert_eq!(elapsed(45), "45 s");
        assert_eq!(elapsed(120), "2 min");
        assert_eq!(elapsed(359), "5 min");
        assert_eq!(percent(50), "50%");
        assert_eq!(percent(250), "100%");
    }
}
