use serde_json::json;

use super::*;

/// Parses `input`, checks the diagnostics' display text and that writing back gives `input`.
fn check(input: &Value, expected_diagnostics: &[&str]) -> Draft {
    let (draft, diagnostics) = Draft::parse(input);
    let shown: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(shown, expected_diagnostics);
    draft
}

#[test]
fn well_formed_draft_reads_every_known_key() {
    let input = json!({
        "t": [
            {"tt": 0, "sg": [{"id": "c1", "st": 0, "d": 10000, "src": "m1", "in": 500, "nm": "city timelapse", "vol": 0.5, "fi": 100, "fo": 200, "m": {"speed": 1.0}}]},
            {"tt": 7, "sg": [{"d": 3000, "tx": "Urban Dreams"}]}
        ],
        "d": 10000,
        "m": {"title": "Urban Dreams"}
    });
    let draft = check(&input, &[]);
    let clip = &draft.tracks[0].segments[0];
    assert_eq!(clip.id.as_deref(), Some("c1"));
    assert_eq!(
        (clip.start_ms, clip.duration_ms, clip.source_in_ms),
        (Some(0), Some(10_000), Some(500))
    );
    assert_eq!(clip.name.as_deref(), Some("city timelapse"));
    assert_eq!(clip.volume, Some(0.5));
    assert_eq!((clip.fade_in_ms, clip.fade_out_ms), (Some(100), Some(200)));
    assert_eq!(draft.tracks[1].kind, TrackType::Text);
    assert_eq!(
        draft.tracks[1].segments[0].text.as_deref(),
        Some("Urban Dreams")
    );
    assert_eq!(draft.title(), Some("Urban Dreams"));
    assert_eq!(draft.to_json(), input);
}

#[test]
fn unknown_keys_survive_at_every_level() {
    let input = json!({
        "t": [{"tt": 3, "sg": [{"fx": {"blur": 2}, "d": 5}], "locked": true}],
        "canvas": {"ratio": "16:9"}
    });
    let draft = check(&input, &[]);
    assert_eq!(draft.tracks[0].kind, TrackType::Other(3));
    assert_eq!(draft.tracks[0].extra["locked"], json!(true));
    assert_eq!(draft.tracks[0].segments[0].extra["fx"], json!({"blur": 2}));
    assert_eq!(draft.to_json(), input);
}

#[test]
fn wrong_types_are_kept_verbatim_and_reported() {
    let input = json!({"t": [{"tt": 1, "sg": [{"vol": "loud", "nm": 7, "id": 42}]}], "m": "x"});
    let draft = check(
        &input,
        &[
            "`vol` at `/t/0/sg/0/vol` should be a number, found a string: kept unchanged",
            "`nm` at `/t/0/sg/0/nm` should be a string, found a number: kept unchanged",
            "`id` at `/t/0/sg/0/id` should be a string, found a number: kept unchanged",
            "`m` at `/m` should be an object, found a string: kept unchanged",
        ],
    );
    assert_eq!(draft.tracks[0].segments[0].volume, None);
    assert_eq!(draft.to_json(), input);
}

#[test]
fn malformed_track_list_is_kept() {
    let input = json!({"t": "none", "d": 1000});
    let draft = check(
        &input,
        &["`t` at `/t` should be an array, found a string: kept unchanged"],
    );
    assert!(draft.tracks.is_empty());
    assert_eq!(draft.to_json(), input);
}

#[test]
fn odd_numbers_are_coerced_to_whole_ms() {
    let input = json!({"t": [{"tt": 0, "sg": [{"d": 2500.4, "st": "1000"}]}]});
    let draft = check(
        &input,
        &[
            "`d` at `/t/0/sg/0/d` was not an integer: read as whole ms",
            "`st` at `/t/0/sg/0/st` was not an integer: read as whole ms",
        ],
    );
    let clip = &draft.tracks[0].segments[0];
    assert_eq!((clip.start_ms, clip.duration_ms), (Some(1000), Some(2500)));
}

#[test]
fn unusable_tracks_and_segments_are_skipped_with_notes() {
    let input = json!({"t": [7, {"sg": []}, {"tt": 0, "sg": [null, {"d": 1}]}]});
    let draft = check(
        &input,
        &[
            "expected an object at `/t/0`, found a number: skipped",
            "track without an integer `tt` at `/t/1`: skipped",
            "expected an object at `/t/2/sg/0`, found null: skipped",
        ],
    );
    assert_eq!(draft.tracks.len(), 1);
    assert_eq!(draft.tracks[0].segments.len(), 1);
}

#[test]
fn null_is_an_empty_draft_and_strings_may_hold_json() {
    let draft = check(&Value::Null, &[]);
    assert!(draft.is_empty());
    let draft = check(&json!("{\"t\":[{\"tt\":0,\"sg\":[{\"d\":10}]}]}"), &[]);
    assert_eq!(draft.clip_count(), 1);
    check(&json!("not json"), &["draft string is not JSON at `/`"]);
    check(
        &json!([1]),
        &["expected an object at `/`, found an array: skipped"],
    );
}

#[test]
fn missing_lists_are_written_as_empty() {
    let draft = check(&json!({"t": [{"tt": 0}]}), &[]);
    assert_eq!(draft.to_json(), json!({"t": [{"tt": 0, "sg": []}]}));
    let draft = check(&json!({}), &[]);
    assert_eq!(draft.to_json(), json!({"t": []}));
}

#[test]
fn state_lookup_finds_both_forms() {
    let draft_json = json!({"t": [{"tt": 0, "sg": [{"d": 10}]}]});
    let (a, _) = Draft::from_state(&json!({"draft": draft_json, "video_infos": []}));
    let (b, _) = Draft::from_state(&json!({"project": {"timeline_draft": draft_json}}));
    assert_eq!(a.clip_count(), 1);
    assert_eq!(a, b);
    let (empty, notes) = Draft::from_state(&json!({"video_infos": []}));
    assert!(empty.is_empty() && notes.is_empty());
}

#[test]
fn raw_conversion_round_trips() {
    let input = json!({"t": [{"tt": 1, "sg": [{"nm": "calm piano", "vol": 0.35, "x": 1}], "y": 2}], "d": 5, "z": 3});
    let raw: nemo_protocol::RawDraft = serde_json::from_value(input.clone()).unwrap();
    let draft = Draft::from(raw.clone());
    assert_eq!(draft.to_raw(), raw);
    assert_eq!(draft.to_json(), input);
    assert_eq!(serde_json::to_value(draft.to_raw()).unwrap(), input);
}

mod round_trip {
    //! Property: any well-typed draft, with unknown keys at every level, survives
    //! `parse` then `to_json` unchanged, and an edit changes only what it edits.

    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    use crate::Draft;

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            (-1.0e6..1.0e6_f64).prop_map(Value::from),
            "[a-z 中文]{0,8}".prop_map(Value::from),
        ]
    }

    fn any_json() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(2, 12, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                prop::collection::btree_map("[a-z]{1,4}", inner, 0..3)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Unknown keys: anything except the keys known at that level.
    fn extra(known: &'static [&'static str]) -> impl Strategy<Value = Map<String, Value>> {
        prop::collection::btree_map("[a-z_]{1,6}", any_json(), 0..3).prop_map(move |m| {
            m.into_iter()
                .filter(|(k, _)| !known.contains(&k.as_str()))
                .collect()
        })
    }

    fn meta() -> impl Strategy<Value = Option<Value>> {
        prop::option::of(
            prop::collection::btree_map("[a-z]{1,5}", any_json(), 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        )
    }

    const SEGMENT_KEYS: &[&str] = &[
        "id", "st", "d", "src", "in", "nm", "vol", "fi", "fo", "tx", "m",
    ];

    fn segment() -> impl Strategy<Value = Value> {
        let ints = prop::collection::vec(prop::option::of(any::<i64>()), 5);
        let strings = prop::collection::vec(prop::option::of("[a-z0-9 ./]{0,10}"), 4);
        let vol = prop::option::of(-2.0..4.0_f64);
        (ints, strings, vol, meta(), extra(SEGMENT_KEYS)).prop_map(
            |(ints, strings, vol, meta, extra)| {
                let mut out = Map::new();
                for (key, value) in ["st", "d", "in", "fi", "fo"].iter().zip(ints) {
                    if let Some(v) = value {
                        out.insert((*key).to_owned(), Value::from(v));
                    }
                }
                for (key, value) in ["id", "src", "nm", "tx"].iter().zip(strings) {
                    if let Some(v) = value {
                        out.insert((*key).to_owned(), Value::from(v));
                    }
                }
                if let Some(v) = vol {
                    out.insert("vol".to_owned(), Value::from(v));
                }
                if let Some(m) = meta {
                    out.insert("m".to_owned(), m);
                }
                out.extend(extra);
                Value::Object(out)
            },
        )
    }

    fn track() -> impl Strategy<Value = Value> {
        (
            any::<i64>(),
            prop::collection::vec(segment(), 0..4),
            extra(&["tt", "sg"]),
        )
            .prop_map(|(tt, sg, extra)| {
                let mut out = Map::new();
                out.insert("tt".to_owned(), Value::from(tt));
                out.insert("sg".to_owned(), Value::Array(sg));
                out.extend(extra);
                Value::Object(out)
            })
    }

    fn draft() -> impl Strategy<Value = Value> {
        let tracks = prop::collection::vec(track(), 0..4);
        (
            tracks,
            prop::option::of(any::<i64>()),
            meta(),
            extra(&["t", "d", "m"]),
        )
            .prop_map(|(t, d, m, extra)| {
                let mut out = Map::new();
                out.insert("t".to_owned(), Value::Array(t));
                if let Some(d) = d {
                    out.insert("d".to_owned(), Value::from(d));
                }
                if let Some(m) = m {
                    out.insert("m".to_owned(), m);
                }
                out.extend(extra);
                Value::Object(out)
            })
    }

    proptest! {
        #[test]
        fn parse_then_write_is_identity(input in draft()) {
            let (parsed, diagnostics) = Draft::parse(&input);
            prop_assert!(diagnostics.is_empty(), "{diagnostics:?}");
            prop_assert_eq!(parsed.to_json(), input);
        }

        #[test]
        fn an_edit_changes_only_what_it_edits(input in draft()) {
            let (mut parsed, _) = Draft::parse(&input);
            for segment in parsed.tracks.iter_mut().flat_map(|t| t.segments.iter_mut()) {
                segment.volume = Some(0.25);
            }
            let mut expected = input.clone();
            for track in expected["t"].as_array_mut().into_iter().flatten() {
                for segment in track["sg"].as_array_mut().into_iter().flatten() {
                    segment["vol"] = json!(0.25);
                }
            }
            prop_assert_eq!(parsed.to_json(), expected);
        }
    }
}
