//! Typo repair before parsing: an English word the rules do not know, close to one they do
//! ("musci", "quiter", "tittle", "paino"), is replaced by that word.
//!
//! Only the editing vocabulary is a target, and only words of five letters or more are
//! touched, so ordinary short words ("long", "song", "more") are never "corrected" into
//! commands. The edit distance comes from `strsim` (optimal string alignment, so a swapped
//! pair of letters counts as one edit).

/// Words the intent rules look for, in priority order for ties ("lowder" -> "louder").
const VOCABULARY: &[&str] = &[
    "music",
    "louder",
    "quieter",
    "softer",
    "lower",
    "calmer",
    "happier",
    "faster",
    "slower",
    "tempo",
    "piano",
    "guitar",
    "title",
    "caption",
    "subtitle",
    "remove",
    "delete",
    "volume",
    "background",
    "shorten",
    "shorter",
    "seconds",
    "minutes",
    "montage",
    "crossfade",
    "crossfades",
    "letterbox",
    "blurred",
    "portrait",
    "energy",
    "original",
    "audio",
    "talking",
    "speech",
    "instead",
    "generate",
    "project",
    "timeline",
    "status",
    "replace",
    "clips",
    "video",
    "videos",
    "upbeat",
    "energetic",
    "cheerful",
    "relaxing",
    "peaceful",
    "undo",
    "start",
    "swap",
    "switch",
];

/// Common words one edit away from the vocabulary that must stay as written.
const KEEP: &[&str] = &[
    "second", "minute", "music's", "power", "tower", "lover", "master", "father", "slowed",
    "flower", "starts", "stars", "smart", "stark", "starter", "titles", "musical", "videos",
    "clip's", "audios", "rather", "later", "water", "latter", "letter", "radio", "studio", "chips",
    "slips",
];

/// The allowed distance for a word of this length.
fn budget(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    }
}

fn correct(word: &str) -> Option<&'static str> {
    let allowed = budget(word.len());
    if allowed == 0 || VOCABULARY.contains(&word) || KEEP.contains(&word) {
        return None;
    }
    VOCABULARY
        .iter()
        .filter(|v| v.len() >= 5)
        .map(|v| (strsim::osa_distance(word, v), *v))
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v)
}

/// `text` (already lowercased) with misspelt vocabulary words repaired.
pub(super) fn repair(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match correct(word) {
            Some(fixed) => out.push_str(fixed),
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphabetic() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::repair;

    #[test]
    fn near_misses_of_editing_words_are_repaired() {
        assert_eq!(repair("make the musci calmr"), "make the music calmer");
        assert_eq!(repair("add a tittle"), "add a title");
        assert_eq!(repair("use paino insted"), "use piano instead");
        assert_eq!(repair("lowder musik"), "louder music");
        assert_eq!(repair("shortn to 30 secnds"), "shorten to 30 seconds");
        assert_eq!(repair("背景musci"), "背景music");
    }

    #[test]
    fn ordinary_words_stay_as_written() {
        for text in [
            "30 seconds long",
            "a little louder",
            "more power",
            "these clips there",
            "the song i uploaded",
            "make it pop",
            "swap the first and second clips",
        ] {
            assert_eq!(repair(text), text);
        }
    }
}
