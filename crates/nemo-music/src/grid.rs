//! The beat grid (one constant tempo, a bar phase) and accent fitting: choosing tempo and phase
//! so that as many accent times as possible (scene cuts) fall within 50 ms of a beat, preferring
//! downbeats.

/// Accents closer than this to a beat count as hit.
pub const ACCENT_TOLERANCE_MS: f64 = 50.0;

/// A constant-tempo beat grid.
///
/// Beat index 0 is the first downbeat; negative indices are pickup beats before it (at times
/// at or after zero). The beat period is an integer number of microseconds so the MIDI tempo meta event
/// (microseconds per quarter note) describes the audio exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeatGrid {
    /// Beat length in microseconds.
    pub beat_us: u64,
    /// Beats per bar (4).
    pub beats_per_bar: u32,
    /// Time of the first downbeat, in `0 .. bar length`.
    pub first_downbeat_ms: f64,
    /// Length of the piece.
    pub duration_ms: u64,
}

impl BeatGrid {
    /// Beat length in milliseconds.
    pub fn beat_ms(&self) -> f64 {
        self.beat_us as f64 / 1000.0
    }

    /// Tempo in beats per minute.
    pub fn bpm(&self) -> f64 {
        60_000_000.0 / self.beat_us as f64
    }

    /// Bar length in milliseconds.
    pub fn bar_ms(&self) -> f64 {
        self.beat_ms() * f64::from(self.beats_per_bar)
    }

    /// Time (ms) of a beat position (fractional beats allowed; 0 = first downbeat).
    pub fn time_of_beat(&self, beat: f64) -> f64 {
        self.first_downbeat_ms + beat * self.beat_ms()
    }

    /// Time (ms) of the downbeat of `bar` (0 = first full bar).
    pub fn time_of_bar(&self, bar: u32) -> f64 {
        self.time_of_beat(f64::from(bar) * f64::from(self.beats_per_bar))
    }

    /// Index range of the beats that fall inside `0 .. duration`.
    fn beat_index_range(&self) -> (i64, i64) {
        let beat = self.beat_ms();
        let first = -(self.first_downbeat_ms / beat).floor() as i64;
        let last = ((self.duration_ms as f64 - self.first_downbeat_ms) / beat).ceil() as i64;
        (first, last)
    }

    /// Times of every beat inside the piece, in ms.
    pub fn beat_times_ms(&self) -> Vec<f64> {
        let (first, last) = self.beat_index_range();
        (first..last)
            .map(|k| self.time_of_beat(k as f64))
            .filter(|t| *t >= 0.0 && *t < self.duration_ms as f64)
            .collect()
    }

    /// Times of every downbeat inside the piece, in ms.
    pub fn downbeat_times_ms(&self) -> Vec<f64> {
        let bpb = i64::from(self.beats_per_bar);
        let (first, last) = self.beat_index_range();
        (first..last)
            .filter(|k| k.rem_euclid(bpb) == 0)
            .map(|k| self.time_of_beat(k as f64))
            .filter(|t| *t >= 0.0 && *t < self.duration_ms as f64)
            .collect()
    }

    /// Nearest beat index to a time.
    pub fn nearest_beat(&self, ms: f64) -> i64 {
        ((ms - self.first_downbeat_ms) / self.beat_ms()).round() as i64
    }
}

/// How well the grid meets the accents.
#[derive(Debug, Clone, PartialEq)]
pub struct AccentReport {
    /// The accents considered (inside the piece), in ms.
    pub accents_ms: Vec<f64>,
    /// Fraction of accents within 50 ms of a beat (1.0 when there are none).
    pub hit_ratio: f64,
    /// Fraction of accents within 50 ms of a downbeat (1.0 when there are none).
    pub downbeat_hit_ratio: f64,
    /// Beat indices that were hit (for the arranger to emphasise).
    pub hit_beats: Vec<i64>,
}

/// Measures how many accents land on the grid.
pub fn evaluate(grid: &BeatGrid, accents: &[f64]) -> AccentReport {
    let mut hits = 0usize;
    let mut downbeat_hits = 0usize;
    let mut hit_beats = Vec::new();
    let bpb = i64::from(grid.beats_per_bar);
    for &a in accents {
        let k = grid.nearest_beat(a);
        let t = grid.time_of_beat(k as f64);
        if (t - a).abs() <= ACCENT_TOLERANCE_MS && t >= 0.0 && t < grid.duration_ms as f64 {
            hits += 1;
            hit_beats.push(k);
            if k.rem_euclid(bpb) == 0 {
                downbeat_hits += 1;
            }
        }
    }
    let ratio = |n: usize| {
        if accents.is_empty() {
            1.0
        } else {
            n as f64 / accents.len() as f64
        }
    };
    AccentReport {
        accents_ms: accents.to_vec(),
        hit_ratio: ratio(hits),
        downbeat_hit_ratio: ratio(downbeat_hits),
        hit_beats,
    }
}

/// Tempo constraints for [`fit`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TempoRange {
    /// Preferred tempo (ties are broken towards it).
    pub preferred_bpm: f64,
    /// Slowest allowed.
    pub min_bpm: f64,
    /// Fastest allowed.
    pub max_bpm: f64,
}

/// Upper bound on tempo candidates, to bound the search on very long pieces.
const MAX_TEMPO_CANDIDATES: f64 = 40_000.0;

/// Chooses tempo and phase for `accents` (ms, any order) inside `duration_ms`.
///
/// For each candidate beat length the best phase is found exactly by a circular sweep over the
/// accents' residues modulo the beat; the tempo step is small enough that the grid drifts by
/// less than a quarter of the tolerance across the accents' span. The winner is refined by a
/// least-squares fit through its hits, then the bar phase is chosen to put the most hits on
/// downbeats.
pub fn fit(
    accents_ms: &[f64],
    tempo: TempoRange,
    beats_per_bar: u32,
    duration_ms: u64,
) -> BeatGrid {
    let preferred_beat = 60_000.0 / tempo.preferred_bpm;
    let mut grid = BeatGrid {
        beat_us: (preferred_beat * 1000.0).round() as u64,
        beats_per_bar,
        first_downbeat_ms: 0.0,
        duration_ms,
    };
    if accents_ms.is_empty() {
        return grid;
    }
    let shortest = 60_000.0 / tempo.max_bpm;
    let longest = 60_000.0 / tempo.min_bpm;
    let span = accents_ms.iter().copied().fold(f64::MIN, f64::max)
        - accents_ms.iter().copied().fold(f64::MAX, f64::min);
    let beats_in_span = (span / shortest).max(1.0);
    let mut step = (ACCENT_TOLERANCE_MS / 4.0) / beats_in_span;
    step = step
        .max((longest - shortest) / MAX_TEMPO_CANDIDATES)
        .max(1e-4);

    let mut best = (0usize, f64::INFINITY, preferred_beat, 0.0);
    let mut beat = shortest;
    loop {
        let (hits, phase) = best_phase(accents_ms, beat);
        let distance = (beat - preferred_beat).abs();
        if hits > best.0 || (hits == best.0 && distance < best.1) {
            best = (hits, distance, beat, phase);
        }
        if beat >= longest {
            break;
        }
        beat = (beat + step).min(longest);
    }
    let (_, _, mut beat, mut phase) = best;
    if let Some((b, p)) = least_squares(accents_ms, beat, phase)
        && (shortest..=longest).contains(&b)
        && hit_count(accents_ms, b, p) >= best.0
    {
        beat = b;
        phase = p;
    }
    grid.beat_us = (beat * 1000.0).round().max(1.0) as u64;
    let beat = grid.beat_ms();
    grid.first_downbeat_ms = choose_downbeat(accents_ms, beat, phase, beats_per_bar);
    grid
}

/// Best phase (in `0..beat`) for one beat length: maximum number of residues inside a window of
/// width 2 * tolerance, centred on the residues it covers.
fn best_phase(accents: &[f64], beat: f64) -> (usize, f64) {
    let tol = ACCENT_TOLERANCE_MS.min(beat / 2.0 - 1e-6);
    let mut residues: Vec<f64> = accents.iter().map(|a| a.rem_euclid(beat)).collect();
    residues.sort_by(f64::total_cmp);
    let n = residues.len();
    let unrolled: Vec<f64> = residues
        .iter()
        .copied()
        .chain(residues.iter().map(|r| r + beat))
        .collect();
    let mut best = (0usize, 0.0);
    let mut j = 0usize;
    for i in 0..n {
        j = j.max(i);
        while j + 1 < i + n && unrolled[j + 1] - unrolled[i] <= 2.0 * tol {
            j += 1;
        }
        let count = j - i + 1;
        if count > best.0 {
            let centre = f64::midpoint(unrolled[i], unrolled[j]);
            best = (count, centre.rem_euclid(beat));
        }
    }
    best
}

fn hit_count(accents: &[f64], beat: f64, phase: f64) -> usize {
    accents
        .iter()
        .filter(|a| {
            let k = ((**a - phase) / beat).round();
            (phase + k * beat - **a).abs() <= ACCENT_TOLERANCE_MS
        })
        .count()
}

/// Fits `accent = phase + k * beat` through the accents hit by the grid (k = their beat index).
fn least_squares(accents: &[f64], beat: f64, phase: f64) -> Option<(f64, f64)> {
    let points: Vec<(f64, f64)> = accents
        .iter()
        .filter_map(|a| {
            let k = ((a - phase) / beat).round();
            ((phase + k * beat - a).abs() <= ACCENT_TOLERANCE_MS).then_some((k, *a))
        })
        .collect();
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let mean_k = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_a = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_k).powi(2)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_k) * (p.1 - mean_a)).sum();
    let slope = sxy / sxx;
    let intercept = mean_a - slope * mean_k;
    Some((slope, intercept.rem_euclid(slope)))
}

/// Picks which beat of the bar is the downbeat so the most hits are downbeats; returns the
/// first downbeat time in `0 .. bar`.
fn choose_downbeat(accents: &[f64], beat: f64, phase: f64, beats_per_bar: u32) -> f64 {
    let bpb = i64::from(beats_per_bar.max(1));
    let mut counts = vec![0usize; bpb as usize];
    for a in accents {
        let k = ((a - phase) / beat).round();
        if (phase + k * beat - a).abs() <= ACCENT_TOLERANCE_MS {
            counts[(k as i64).rem_euclid(bpb) as usize] += 1;
        }
    }
    let mut best_offset = 0usize;
    for (offset, c) in counts.iter().enumerate() {
        if *c > counts[best_offset] {
            best_offset = offset;
        }
    }
    (phase + best_offset as f64 * beat).rem_euclid(beat * bpb as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(pref: f64) -> TempoRange {
        TempoRange {
            preferred_bpm: pref,
            min_bpm: pref * 0.85,
            max_bpm: pref * 1.15,
        }
    }

    #[test]
    fn evenly_spaced_accents_are_all_hit() {
        let accents: Vec<f64> = (0..20).map(|i| 1_300.0 + 2_750.0 * f64::from(i)).collect();
        let grid = fit(&accents, range(100.0), 4, 60_000);
        let report = evaluate(&grid, &accents);
        assert!(report.hit_ratio >= 0.999, "{report:?} {grid:?}");
        assert!(report.downbeat_hit_ratio > 0.2);
        assert!((85.0..=115.0).contains(&grid.bpm()));
    }

    #[test]
    fn irregular_cuts_still_mostly_hit() {
        let accents = [2_000.0, 7_500.0, 9_100.0, 15_300.0, 21_000.0, 24_400.0];
        let grid = fit(&accents, range(96.0), 4, 30_000);
        assert!(evaluate(&grid, &accents).hit_ratio >= 0.8);
    }

    #[test]
    fn grid_lists_beats_and_downbeats() {
        let grid = BeatGrid {
            beat_us: 500_000,
            beats_per_bar: 4,
            first_downbeat_ms: 250.0,
            duration_ms: 5_000,
        };
        let beats = grid.beat_times_ms();
        assert_eq!(beats.len(), 10);
        assert!((beats[0] - 250.0).abs() < 1e-9);
        assert_eq!(grid.downbeat_times_ms(), vec![250.0, 2_250.0, 4_250.0]);
        assert!((grid.bpm() - 120.0).abs() < 1e-9);
    }

    #[test]
    fn no_accents_keeps_preferred_tempo() {
        let grid = fit(&[], range(90.0), 4, 10_000);
        assert_eq!(grid.beat_us, 666_667);
        assert!(grid.first_downbeat_ms.abs() < 1e-9);
        assert!((evaluate(&grid, &[]).hit_ratio - 1.0).abs() < 1e-9);
    }
}
