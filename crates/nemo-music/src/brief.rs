//! The request: what music to write ([`MusicBrief`]) and the vocabulary to describe it (moods in
//! English and Chinese, styles, keys, tempo).

use std::fmt;

use crate::MusicError;

/// A named mood. Each maps to a point on Russell's valence/arousal circumplex (see
/// [`NamedMood::valence_arousal`]), which [`crate::params`] turns into musical parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamedMood {
    /// Peaceful, relaxed. 平静
    Calm,
    /// Cheerful. 欢快
    Happy,
    /// Bright and moving. 轻快
    Upbeat,
    /// Driving, high energy. 动感
    Energetic,
    /// Grand, heroic. 激昂 / 史诗
    Epic,
    /// Tender, warm. 浪漫
    Romantic,
    /// Sorrowful. 悲伤
    Sad,
    /// Ominous. 黑暗
    Dark,
    /// Suspenseful. 紧张
    Tense,
    /// Floating, hazy. 梦幻
    Dreamy,
    /// Light-hearted, bouncy. 俏皮
    Playful,
    /// Wistful, bittersweet. 怀旧
    Nostalgic,
    /// Uplifting, motivating. 励志
    Inspiring,
    /// Enigmatic. 神秘
    Mysterious,
}

/// Names (lower-case English and Chinese) accepted for each mood.
const MOOD_NAMES: &[(NamedMood, &[&str])] = &[
    (
        NamedMood::Calm,
        &[
            "calm", "peaceful", "relaxed", "relaxing", "chill", "serene", "平静", "安静", "宁静",
            "放松", "舒缓", "轻柔",
        ],
    ),
    (
        NamedMood::Happy,
        &[
            "happy", "joyful", "cheerful", "bright", "欢快", "快乐", "开心", "愉快", "喜庆",
        ],
    ),
    (
        NamedMood::Upbeat,
        &["upbeat", "lively", "fun", "轻快", "活力"],
    ),
    (
        NamedMood::Energetic,
        &[
            "energetic",
            "energy",
            "powerful",
            "exciting",
            "intense",
            "动感",
            "激情",
            "燃",
            "热血",
            "劲爆",
        ],
    ),
    (
        NamedMood::Epic,
        &[
            "epic",
            "heroic",
            "grand",
            "triumphant",
            "激昂",
            "史诗",
            "宏大",
            "震撼",
            "壮丽",
        ],
    ),
    (
        NamedMood::Romantic,
        &[
            "romantic", "love", "tender", "warm", "浪漫", "温馨", "温暖", "甜蜜",
        ],
    ),
    (
        NamedMood::Sad,
        &[
            "sad",
            "melancholy",
            "melancholic",
            "sorrowful",
            "悲伤",
            "伤感",
            "忧伤",
            "难过",
        ],
    ),
    (
        NamedMood::Dark,
        &["dark", "ominous", "gloomy", "黑暗", "阴暗", "压抑"],
    ),
    (
        NamedMood::Tense,
        &[
            "tense",
            "suspense",
            "suspenseful",
            "thriller",
            "紧张",
            "悬疑",
            "惊悚",
        ],
    ),
    (
        NamedMood::Dreamy,
        &["dreamy", "ethereal", "floating", "梦幻", "空灵"],
    ),
    (
        NamedMood::Playful,
        &[
            "playful", "quirky", "cute", "bouncy", "俏皮", "活泼", "可爱", "调皮",
        ],
    ),
    (
        NamedMood::Nostalgic,
        &[
            "nostalgic",
            "wistful",
            "bittersweet",
            "怀旧",
            "回忆",
            "思念",
        ],
    ),
    (
        NamedMood::Inspiring,
        &[
            "inspiring",
            "uplifting",
            "hopeful",
            "motivational",
            "励志",
            "振奋",
            "希望",
        ],
    ),
    (
        NamedMood::Mysterious,
        &["mysterious", "mystery", "curious", "神秘"],
    ),
];

impl NamedMood {
    /// Every named mood.
    pub const ALL: [NamedMood; 14] = [
        Self::Calm,
        Self::Happy,
        Self::Upbeat,
        Self::Energetic,
        Self::Epic,
        Self::Romantic,
        Self::Sad,
        Self::Dark,
        Self::Tense,
        Self::Dreamy,
        Self::Playful,
        Self::Nostalgic,
        Self::Inspiring,
        Self::Mysterious,
    ];

    /// Parses an English or Chinese mood word (case-insensitive, surrounding space ignored).
    pub fn parse(name: &str) -> Option<Self> {
        let wanted = name.trim().to_lowercase();
        MOOD_NAMES
            .iter()
            .find(|(_, names)| names.contains(&wanted.as_str()))
            .map(|(mood, _)| *mood)
    }

    /// Finds the first mood word contained anywhere in free text ("生成一段欢快的音乐").
    pub fn find_in(text: &str) -> Option<Self> {
        let lower = text.to_lowercase();
        MOOD_NAMES.iter().find_map(|(mood, names)| {
            names
                .iter()
                .any(|n| contains_word(&lower, n))
                .then_some(*mood)
        })
    }

    /// The canonical English name.
    pub fn name(self) -> &'static str {
        MOOD_NAMES
            .iter()
            .find(|(m, _)| *m == self)
            .and_then(|(_, names)| names.first())
            .copied()
            .unwrap_or("calm")
    }

    /// Position on the valence (-1 negative .. 1 positive) / arousal (-1 sleepy .. 1 excited)
    /// plane, placed after Russell (1980) and the film-music ratings of Eerola & Vuoskoski (2011).
    pub fn valence_arousal(self) -> (f32, f32) {
        match self {
            Self::Calm => (0.4, -0.6),
            Self::Happy => (0.8, 0.4),
            Self::Upbeat => (0.7, 0.6),
            Self::Energetic => (0.5, 0.9),
            Self::Epic => (0.2, 0.85),
            Self::Romantic => (0.6, -0.3),
            Self::Sad => (-0.7, -0.5),
            Self::Dark => (-0.6, 0.1),
            Self::Tense => (-0.5, 0.7),
            Self::Dreamy => (0.3, -0.5),
            Self::Playful => (0.7, 0.3),
            Self::Nostalgic => (-0.15, -0.3),
            Self::Inspiring => (0.6, 0.5),
            Self::Mysterious => (-0.3, -0.2),
        }
    }

    /// The style used when the brief names none.
    pub fn default_style(self) -> Style {
        match self {
            Self::Calm | Self::Romantic | Self::Sad => Style::Piano,
            Self::Happy | Self::Upbeat => Style::Pop,
            Self::Energetic => Style::Electronic,
            Self::Epic | Self::Dark | Self::Tense => Style::Cinematic,
            Self::Dreamy | Self::Mysterious => Style::Ambient,
            Self::Playful => Style::Acoustic,
            Self::Nostalgic => Style::LoFi,
            Self::Inspiring => Style::Corporate,
        }
    }
}

/// ASCII words must match whole words ("sad" not in "crusade"); CJK words match as substrings.
fn contains_word(haystack: &str, word: &str) -> bool {
    if !word.is_ascii() {
        return haystack.contains(word);
    }
    haystack
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .any(|w| w == word)
}

/// The emotional target of a piece.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mood {
    /// A named mood.
    Named(NamedMood),
    /// A point on the valence/arousal plane, each in -1..=1 (values are clamped).
    ValenceArousal {
        /// Negative (-1) to positive (1).
        valence: f32,
        /// Calm (-1) to excited (1).
        arousal: f32,
    },
}

impl Default for Mood {
    fn default() -> Self {
        Self::Named(NamedMood::Calm)
    }
}

impl Mood {
    /// Valence and arousal, clamped to -1..=1.
    pub fn valence_arousal(self) -> (f32, f32) {
        let (v, a) = match self {
            Self::Named(m) => m.valence_arousal(),
            Self::ValenceArousal { valence, arousal } => (valence, arousal),
        };
        (clamp_unit(v), clamp_unit(a))
    }

    /// The style used when the brief names none.
    pub fn default_style(self) -> Style {
        match self {
            Self::Named(m) => m.default_style(),
            Self::ValenceArousal { .. } => {
                let (v, a) = self.valence_arousal();
                match (v >= 0.0, a >= 0.0) {
                    (true, true) => Style::Pop,
                    (false, true) => Style::Cinematic,
                    (true, false) => Style::Piano,
                    (false, false) => Style::Ambient,
                }
            }
        }
    }

    /// A short label for summaries ("calm" or "v=0.30 a=-0.20").
    pub fn label(self) -> String {
        match self {
            Self::Named(m) => m.name().to_owned(),
            Self::ValenceArousal { valence, arousal } => format!("v={valence:.2} a={arousal:.2}"),
        }
    }
}

fn clamp_unit(x: f32) -> f32 {
    if x.is_nan() { 0.0 } else { x.clamp(-1.0, 1.0) }
}

/// Arrangement style: instruments, patterns and tempo range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// Pads and sparse bells, no drums.
    Ambient,
    /// Solo piano with soft strings.
    Piano,
    /// Electric piano with 7th chords, dusty swung drums.
    LoFi,
    /// Piano/strings, bass, backbeat drums, lead.
    Pop,
    /// Strings, horns, timpani and toms.
    Cinematic,
    /// Synth pad, synth bass, arpeggios, four-on-the-floor.
    Electronic,
    /// Guitar picking, acoustic bass, flute, light percussion.
    Acoustic,
    /// Bright piano arpeggios, strings, claps.
    Corporate,
    /// Square-wave leads and arpeggios, 8-bit drums.
    Chiptune,
}

const STYLE_NAMES: &[(Style, &[&str])] = &[
    (Style::Ambient, &["ambient", "atmospheric", "氛围", "环境"]),
    (Style::Piano, &["piano", "solo-piano", "钢琴"]),
    (
        Style::LoFi,
        &["lo-fi", "lofi", "lo fi", "chillhop", "低保真"],
    ),
    (Style::Pop, &["pop", "流行"]),
    (
        Style::Cinematic,
        &[
            "cinematic",
            "orchestral",
            "film",
            "trailer",
            "电影",
            "管弦",
            "影视",
        ],
    ),
    (
        Style::Electronic,
        &["electronic", "edm", "synth", "house", "techno", "电子"],
    ),
    (
        Style::Acoustic,
        &["acoustic", "folk", "guitar", "原声", "民谣", "吉他"],
    ),
    (
        Style::Corporate,
        &[
            "corporate",
            "business",
            "commercial",
            "企业",
            "商务",
            "宣传",
        ],
    ),
    (
        Style::Chiptune,
        &[
            "chiptune", "8-bit", "8bit", "retro", "game", "芯片", "像素", "游戏",
        ],
    ),
];

impl Style {
    /// Every style.
    pub const ALL: [Style; 9] = [
        Self::Ambient,
        Self::Piano,
        Self::LoFi,
        Self::Pop,
        Self::Cinematic,
        Self::Electronic,
        Self::Acoustic,
        Self::Corporate,
        Self::Chiptune,
    ];

    /// Parses an English or Chinese style name.
    pub fn parse(name: &str) -> Option<Self> {
        let wanted = name.trim().to_lowercase();
        STYLE_NAMES
            .iter()
            .find(|(_, names)| names.contains(&wanted.as_str()))
            .map(|(s, _)| *s)
    }

    /// Finds the first style word contained anywhere in free text.
    pub fn find_in(text: &str) -> Option<Self> {
        let lower = text.to_lowercase();
        STYLE_NAMES.iter().find_map(|(style, names)| {
            names
                .iter()
                .any(|n| contains_word(&lower, n))
                .then_some(*style)
        })
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        STYLE_NAMES
            .iter()
            .find(|(s, _)| *s == self)
            .and_then(|(_, names)| names.first())
            .copied()
            .unwrap_or("piano")
    }
}

impl fmt::Display for Style {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Major or (natural) minor. Minor pieces raise the 7th only inside dominant chords, as
/// common-practice harmonic minor does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Ionian.
    Major,
    /// Aeolian (with a raised leading tone in V).
    Minor,
}

impl Mode {
    /// Semitone offsets of the seven scale degrees.
    pub fn intervals(self) -> [u8; 7] {
        match self {
            Self::Major => [0, 2, 4, 5, 7, 9, 11],
            Self::Minor => [0, 2, 3, 5, 7, 8, 10],
        }
    }
}

/// A key: tonic pitch class (0 = C .. 11 = B) and mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// Pitch class of the tonic, 0 = C.
    pub tonic: u8,
    /// Major or minor.
    pub mode: Mode,
}

const PITCH_NAMES: [&str; 12] = [
    "C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B",
];

impl Key {
    /// Parses "D minor", "F# major", "Bb", "Am", "c#m", "Eb maj", "A小调", "C大调".
    pub fn parse(text: &str) -> Result<Self, MusicError> {
        let bad = || MusicError::InvalidKey(text.to_owned());
        let t = text.trim();
        let mut chars = t.chars();
        let letter = chars.next().ok_or_else(bad)?;
        let base: i16 = match letter.to_ascii_uppercase() {
            'C' => 0,
            'D' => 2,
            'E' => 4,
            'F' => 5,
            'G' => 7,
            'A' => 9,
            'B' => 11,
            _ => return Err(bad()),
        };
        let rest: String = chars.collect();
        let (accidental, rest) = if let Some(r) = rest.strip_prefix(['#', '♯']) {
            (1, r)
        } else if let Some(r) = rest.strip_prefix(['b', '♭']) {
            // No mode word starts with "b", so a "b" right after the letter is always a flat.
            (-1, r)
        } else {
            (0, rest.as_str())
        };
        let mode_word = rest.trim().to_lowercase();
        let mode = match mode_word.as_str() {
            "" | "maj" | "major" | "大调" | "ionian" => Mode::Major,
            "m" | "min" | "minor" | "小调" | "aeolian" => Mode::Minor,
            _ => return Err(bad()),
        };
        let tonic = (base + accidental).rem_euclid(12) as u8;
        Ok(Self { tonic, mode })
    }

    /// MIDI note number of scale degree `degree` (any integer; 7 = tonic an octave up) counted
    /// from the tonic in octave `octave` (MIDI convention: octave 4 starts at 60).
    pub fn degree_to_midi(self, degree: i32, octave: i32) -> i32 {
        let steps = self.mode.intervals();
        let oct = degree.div_euclid(7);
        let idx = degree.rem_euclid(7) as usize;
        (octave + 1 + oct) * 12 + i32::from(self.tonic) + i32::from(steps[idx])
    }

    /// Pitch classes of the key's scale.
    pub fn scale_pitch_classes(self) -> [u8; 7] {
        self.mode.intervals().map(|i| (self.tonic + i) % 12)
    }

    /// Pitch class of the raised leading tone used by dominant chords in minor.
    pub fn leading_tone(self) -> u8 {
        (self.tonic + 11) % 12
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match self.mode {
            Mode::Major => "major",
            Mode::Minor => "minor",
        };
        write!(f, "{} {mode}", PITCH_NAMES[usize::from(self.tonic % 12)])
    }
}

/// Tempo request.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum TempoSpec {
    /// From the mood and style.
    #[default]
    Auto,
    /// Exactly this many beats per minute.
    Bpm(f64),
    /// Anywhere in this range; accents choose the exact value.
    Range {
        /// Slowest allowed BPM.
        min: f64,
        /// Fastest allowed BPM.
        max: f64,
    },
}

/// Optional user overrides of the mood-derived parameters (see [`crate::params`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ParamOverrides {
    /// Note density 0..=1 (melody and arpeggio activity).
    pub density: Option<f32>,
    /// Dynamics 0..=1 (velocity).
    pub intensity: Option<f32>,
    /// Drum activity 0 (none) ..= 3 (driving); clamped to what the style allows.
    pub drums: Option<u8>,
    /// Melody register shift in semitones.
    pub register_shift: Option<i8>,
}

/// Everything the composer needs.
#[derive(Debug, Clone, PartialEq)]
pub struct MusicBrief {
    /// Emotional target.
    pub mood: Mood,
    /// Arrangement style; `None` picks one from the mood.
    pub style: Option<Style>,
    /// Tempo request.
    pub tempo: TempoSpec,
    /// Key; `None` picks one from the mood and seed (the mode follows valence).
    pub key: Option<Key>,
    /// Exact length in milliseconds.
    pub duration_ms: u64,
    /// Times (ms) that should land on beats or downbeats, e.g. scene cuts.
    pub accents_ms: Vec<u64>,
    /// Random seed: same brief and seed give bit-identical audio.
    pub seed: u64,
    /// Overrides of the mood table.
    pub overrides: ParamOverrides,
}

impl MusicBrief {
    /// A brief with defaults for everything but mood and length.
    pub fn new(mood: Mood, duration_ms: u64) -> Self {
        Self {
            mood,
            style: None,
            tempo: TempoSpec::Auto,
            key: None,
            duration_ms,
            accents_ms: Vec::new(),
            seed: 0,
            overrides: ParamOverrides::default(),
        }
    }

    /// The style that will be used.
    pub fn effective_style(&self) -> Style {
        self.style.unwrap_or_else(|| self.mood.default_style())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moods_parse_in_english_and_chinese() {
        assert_eq!(NamedMood::parse("Calm"), Some(NamedMood::Calm));
        for (zh, mood) in [
            ("平静", NamedMood::Calm),
            ("欢快", NamedMood::Happy),
            ("动感", NamedMood::Energetic),
            ("激昂", NamedMood::Epic),
            ("浪漫", NamedMood::Romantic),
            ("悲伤", NamedMood::Sad),
            ("紧张", NamedMood::Tense),
            ("梦幻", NamedMood::Dreamy),
        ] {
            assert_eq!(NamedMood::parse(zh), Some(mood), "{zh}");
        }
        assert_eq!(
            NamedMood::find_in("生成一段欢快的背景音乐"),
            Some(NamedMood::Happy)
        );
        assert_eq!(
            NamedMood::find_in("add calm background music"),
            Some(NamedMood::Calm)
        );
        assert_eq!(NamedMood::find_in("a crusade"), None);
        for m in NamedMood::ALL {
            assert_eq!(NamedMood::parse(m.name()), Some(m));
        }
    }

    #[test]
    fn styles_parse() {
        assert_eq!(Style::parse("lo-fi"), Some(Style::LoFi));
        assert_eq!(Style::parse("钢琴"), Some(Style::Piano));
        for s in Style::ALL {
            assert_eq!(Style::parse(s.name()), Some(s));
        }
    }

    #[test]
    fn keys_parse() {
        let k = Key::parse("D minor").unwrap();
        assert_eq!((k.tonic, k.mode), (2, Mode::Minor));
        assert_eq!(Key::parse("F# major").unwrap().tonic, 6);
        assert_eq!(
            Key::parse("Bb").unwrap(),
            Key {
                tonic: 10,
                mode: Mode::Major
            }
        );
        assert_eq!(
            Key::parse("Am").unwrap(),
            Key {
                tonic: 9,
                mode: Mode::Minor
            }
        );
        assert_eq!(
            Key::parse("c#m").unwrap(),
            Key {
                tonic: 1,
                mode: Mode::Minor
            }
        );
        assert_eq!(Key::parse("Eb minor").unwrap().tonic, 3);
        assert_eq!(
            Key::parse("Bb minor").unwrap(),
            Key {
                tonic: 10,
                mode: Mode::Minor
            }
        );
        assert_eq!(Key::parse("A小调").unwrap().mode, Mode::Minor);
        assert!(Key::parse("H minor").is_err());
        assert!(Key::parse("D dorian").is_err());
        assert_eq!(Key::parse("D minor").unwrap().to_string(), "D minor");
        assert_eq!(Key::parse("C").unwrap().degree_to_midi(0, 4), 60);
        assert_eq!(Key::parse("A minor").unwrap().degree_to_midi(2, 4), 72);
    }
}
