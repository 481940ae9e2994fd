//! Default status lines (protocol §10) and the "still working" cadence. Platform plugins
//! word these for their surface; these are the plain defaults.

use std::fmt;
use std::time::Duration;

/// A status line shown while work is in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusLine {
    /// First contact: "Setting things up...".
    SettingUp,
    /// Before long work: "This may take a few minutes.".
    LongWork,
    /// During long waits, every [`StillWorking::DEFAULT_INTERVAL`]: "⏳ Still working...".
    StillWorking,
    /// Render submitted: "⏳ Rendering ~30s".
    Rendering { eta_secs: u64 },
    /// Render progress: "⏳ 50%".
    RenderProgress { percent: u8 },
    /// Render finished: "✅ Video ready!".
    VideoReady,
}

impl fmt::Display for StatusLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SettingUp => f.write_str("Setting things up..."),
            Self::LongWork => f.write_str("This may take a few minutes."),
            Self::StillWorking => f.write_str("⏳ Still working..."),
            Self::Rendering { eta_secs } => write!(f, "⏳ Rendering ~{eta_secs}s"),
            Self::RenderProgress { percent } => write!(f, "⏳ {}%", percent.min(&100)),
            Self::VideoReady => f.write_str("✅ Video ready!"),
        }
    }
}

/// Decides when to say "⏳ Still working..." during a long SSE turn: once per interval of
/// elapsed time, however often heartbeats arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StillWorking {
    interval: Duration,
    next_due: Duration,
}

impl StillWorking {
    /// The seed's cadence: every two minutes.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_mins(2);

    /// A cadence of one notice per `interval` (a zero interval is treated as one second).
    pub fn new(interval: Duration) -> Self {
        let interval = interval.max(Duration::from_secs(1));
        Self {
            interval,
            next_due: interval,
        }
    }

    /// Call on every heartbeat (or timer tick) with the time since the turn started; returns
    /// the line to show when one is due. Several intervals passing at once give one line.
    pub fn tick(&mut self, elapsed: Duration) -> Option<StatusLine> {
        if elapsed < self.next_due {
            return None;
        }
        while self.next_due <= elapsed {
            self.next_due += self.interval;
        }
        Some(StatusLine::StillWorking)
    }
}

impl Default for StillWorking {
    fn default() -> Self {
        Self::new(Self::DEFAULT_INTERVAL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_match_the_seed() {
        assert_eq!(StatusLine::SettingUp.to_string(), "Setting things up...");
        assert_eq!(StatusLine::StillWorking.to_string(), "⏳ Still working...");
        assert_eq!(
            StatusLine::Rendering { eta_secs: 30 }.to_string(),
            "⏳ Rendering ~30s"
        );
        assert_eq!(
            StatusLine::RenderProgress { percent: 50 }.to_string(),
            "⏳ 50%"
        );
        assert_eq!(
            StatusLine::RenderProgress { percent: 250 }.to_string(),
            "⏳ 100%"
        );
        assert_eq!(StatusLine::VideoReady.to_string(), "✅ Video ready!");
        assert_eq!(
            StatusLine::LongWork.to_string(),
            "This may take a few minutes."
        );
    }

    #[test]
    fn still_working_every_two_minutes() {
        let mut cadence = StillWorking::default();
        let at = |s| Duration::from_secs(s);
        assert_eq!(cadence.tick(at(15)), None);
        assert_eq!(cadence.tick(at(119)), None);
        assert_eq!(cadence.tick(at(120)), Some(StatusLine::StillWorking));
        assert_eq!(cadence.tick(at(135)), None);
        // A long gap between heartbeats gives one line, not a burst.
        assert_eq!(cadence.tick(at(500)), Some(StatusLine::StillWorking));
        assert_eq!(cadence.tick(at(510)), None);
        assert_eq!(cadence.tick(at(600)), Some(StatusLine::StillWorking));
    }
}
