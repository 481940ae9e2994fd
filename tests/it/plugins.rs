//! Integration tests: the real plugin libraries, loaded through `nemo-plugin-host`.
//!
//! The cdylibs must be built first. `cargo xtask plugins build` does it (CI runs it before the
//! tests); by hand: `cargo build -p nemo-plugin-clawhub -p nemo-plugin-cursor
//! -p nemo-plugin-unknown -p nemo-plugin-panicky -p nemo-plugin-wrongabi
//! -p nemo-plugin-noentry`. They are found in `NEMO_PLUGIN_DIR` if set, else in the
//! target profile directory this test binary runs from.

use std::path::{Path, PathBuf};

use nemo_plugin_host::{
    AbiVersion, AttributionContext, CallStatus, DetectInputs, Detection, DetectionRule,
    LoadedPlugin, Markers, Platform, PluginError, PluginFunction, PluginName, Registry,
    SearchPaths, UxEvent, detect, load, plugin_file_name,
};
use nemo_plugin_sdk::testing::{render_samples, sample_events};

const BUILD_HINT: &str = "run `cargo xtask plugins build` first (or `cargo build -p nemo-plugin-clawhub -p nemo-plugin-cursor -p nemo-plugin-unknown -p nemo-plugin-panicky -p nemo-plugin-wrongabi -p nemo-plugin-noentry`)";

/// `NEMO_PLUGIN_DIR`, else `<target>/<profile>` derived from `<target>/<profile>/deps/it-*`.
fn plugin_dir() -> PathBuf {
    #[allow(
        clippy::disallowed_methods,
        reason = "test harness configuration, not product configuration"
    )]
    if let Some(dir) = std::env::var_os("NEMO_PLUGIN_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    let Some(profile_dir) = exe.parent().and_then(Path::parent) else {
        panic!(
            "cannot derive the target directory from `{}`: set NEMO_PLUGIN_DIR",
            exe.display()
        );
    };
    profile_dir.to_path_buf()
}

/// The built library for `nemo_plugin_<stem>`, or a failure that says how to build it.
fn library(stem: &str) -> PathBuf {
    let path = plugin_dir().join(plugin_file_name(stem));
    assert!(
        path.is_file(),
        "plugin library `{}` is missing: {BUILD_HINT}",
        path.display()
    );
    path
}

fn load_ok(stem: &str) -> LoadedPlugin {
    let path = library(stem);
    load(&path).unwrap_or_else(|error| panic!("loading `{}`: {error}", path.display()))
}

fn ctx(version: &str, platform: &str) -> AttributionContext {
    AttributionContext {
        skill_name: "nemo-video".to_owned(),
        skill_version: version.to_owned(),
        platform: platform.to_owned(),
    }
}

fn workspace_root() -> PathBuf {
    let tests_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    tests_dir.parent().unwrap_or(tests_dir).to_path_buf()
}

#[test]
fn the_three_plugins_load_with_their_manifests_and_headers() {
    for name in PluginName::ALL {
        let plugin = load_ok(name.as_str());
        let manifest = plugin.describe();
        assert_eq!(manifest.name, name.as_str());
        assert_eq!(manifest.platform, name.as_str());
        // One lockstep workspace version for every crate.
        assert_eq!(manifest.version, env!("CARGO_PKG_VERSION"));
        assert_eq!((manifest.abi.major, manifest.abi.minor), (1, 0));
        assert!(!manifest.description.is_empty());
        assert_eq!(plugin.abi(), AbiVersion::CURRENT);
        assert_eq!(plugin.header().struct_size, 48);
        assert_eq!(plugin.effective_minor(), 0);
        assert_eq!(
            plugin.file(),
            library(name.as_str()).canonicalize().unwrap()
        );
    }
    let clawhub = load_ok("clawhub");
    let markers = &clawhub.describe().markers;
    assert_eq!(
        markers.path_files,
        [".clawhub/origin.json", ".clawdhub/origin.json"]
    );
    assert_eq!(markers.paths, ["~/.clawhub/", ".openclaw/"]);
    assert_eq!(markers.env_prefixes, ["OPENCLAW_"]);
    let cursor = load_ok("cursor");
    assert_eq!(cursor.describe().markers.paths, [".cursor/skills/"]);
    assert_eq!(
        cursor.describe().markers.env_vars,
        ["CURSOR_SESSION_ID", "CURSOR_TRACE_ID"]
    );
    assert_eq!(load_ok("unknown").describe().markers, Markers::default());
}

/// Every event worded through the C ABI must equal the wording the plugin crates pin with
/// their own rlib snapshot tests: the boundary loses and adds nothing.
#[test]
fn adapters_across_the_abi_match_the_rlib_snapshots() {
    for name in PluginName::ALL {
        let plugin = load_ok(name.as_str());
        let snapshot = workspace_root().join(format!(
            "plugins/nemo-plugin-{name}/src/snapshots/nemo_plugin_{name}__tests__{name}_samples.snap"
        ));
        let stored = std::fs::read_to_string(&snapshot).unwrap();
        let body = stored
            .splitn(3, "---\n")
            .nth(2)
            .expect("insta snapshot header");
        let via_abi = render_samples(|event| plugin.adapt(event).unwrap());
        assert_eq!(via_abi.trim_end(), body.trim_end(), "plugin `{name}`");
    }
}

#[test]
fn progress_wording_per_platform() {
    let render = [
        UxEvent::SettingUp,
        UxEvent::StillWorking { elapsed_s: 120 },
        UxEvent::RenderStarted {
            estimate_s: Some(30),
        },
        UxEvent::RenderProgress { percent: 50 },
    ];
    let words = |name: &str| -> Vec<String> {
        let plugin = load_ok(name);
        render.iter().map(|e| plugin.adapt(e).unwrap()).collect()
    };
    assert_eq!(
        words("clawhub"),
        [
            "Setting things up...",
            "⏳ Still working... (2 min so far)",
            "⏳ Rendering ~30s",
            "⏳ 50%"
        ]
    );
    assert_eq!(
        words("cursor"),
        [
            "**Setting things up...**",
            "**⏳ Still working...** (2 min so far)",
            "**⏳ Rendering ~30s**",
            "**⏳ 50%**"
        ]
    );
    assert_eq!(
        words("unknown"),
        [
            "Setting things up...",
            "Still working... (2 min so far)",
            "Rendering (about 30 s)...",
            "Rendering: 50%"
        ]
    );
    let done = UxEvent::Result {
        path: "/home/ana/out.mp4".to_owned(),
        duration_s: Some(42.0),
        size_bytes: Some(1_500_000),
        composed: vec!["3 clips".to_owned()],
        rendered: None,
    };
    assert!(
        load_ok("clawhub")
            .adapt(&done)
            .unwrap()
            .starts_with("✅ Video ready!")
    );
    assert!(
        load_ok("cursor")
            .adapt(&done)
            .unwrap()
            .contains("`/home/ana/out.mp4`")
    );
}

#[test]
fn attribution_passes_the_skill_version_through_unchanged() {
    for name in PluginName::ALL {
        let plugin = load_ok(name.as_str());
        for version in ["1.9", "1.8.13"] {
            let headers = plugin.attribution(&ctx(version, name.as_str())).unwrap();
            assert_eq!(headers.len(), 3, "{headers:?}");
            assert_eq!(headers["X-Skill-Source"], "nemo-video");
            assert_eq!(headers["X-Skill-Version"], version);
            assert_eq!(headers["X-Skill-Platform"], name.as_str());
        }
    }
}

#[test]
fn registry_loads_only_allow_listed_names() {
    // The directory also holds the test plugins; discovery must not pick them up.
    library("panicky");
    let registry = Registry::discover(&SearchPaths::new([plugin_dir()]));
    let names: Vec<&str> = registry.plugins().iter().map(LoadedPlugin::name).collect();
    assert_eq!(names, ["clawhub", "cursor", "unknown"]);
    assert!(registry.failures().is_empty(), "{:?}", registry.failures());
    assert_eq!(registry.manifests().len(), 3);
}

#[test]
fn a_panicking_plugin_becomes_a_call_error_and_the_host_survives() {
    let plugin = load_ok("panicky");
    assert_eq!(plugin.name(), "panicky");

    let error = plugin.attribution(&ctx("1.9", "clawhub")).unwrap_err();
    let PluginError::Call {
        plugin: name,
        function,
        status,
        message,
    } = &error
    else {
        panic!("expected a call error, got {error:?}");
    };
    assert_eq!(name, "panicky");
    assert_eq!(*function, PluginFunction::Attribution);
    assert_eq!(*status, CallStatus::Panicked);
    assert!(
        message.starts_with("attribution exploded on purpose (at "),
        "{message}"
    );
    assert!(message.contains("nemo-plugin-panicky"), "{message}");
    assert!(
        error.to_string().starts_with(
            "plugin `panicky` panicked in `attribution`: attribution exploded on purpose"
        ),
        "{error}"
    );

    // Again and again: the plugin and the host both keep working.
    for _ in 0..3 {
        let error = plugin.adapt(&UxEvent::Connected).unwrap_err();
        assert!(
            error.to_string().contains(
                "panicked in `adapt`: adapt exploded on purpose while wording `connected`"
            ),
            "{error}"
        );
    }

    // The safe facade falls back to the built-in plugin, so requests keep their headers.
    let platform = Platform::Dylib(plugin);
    let headers = platform.headers(&ctx("1.8.13", "cursor"));
    assert_eq!(headers["X-Skill-Version"], "1.8.13");
    assert_eq!(headers["X-Skill-Platform"], "cursor");
    assert_eq!(platform.text(&UxEvent::SettingUp), "Setting things up...");

    // Other plugins still load and answer in this process.
    assert_eq!(
        load_ok("cursor").adapt(&UxEvent::SettingUp).unwrap(),
        "**Setting things up...**"
    );
}

#[test]
fn panic_messages_stay_on_the_thread_that_panicked() {
    let plugin = load_ok("panicky");
    let events = [
        UxEvent::SettingUp,
        UxEvent::Connected,
        UxEvent::RenderProgress { percent: 5 },
        UxEvent::Credits {
            available: 1,
            frozen: 0,
            total: 1,
        },
    ];
    std::thread::scope(|scope| {
        for event in &events {
            let plugin = &plugin;
            scope.spawn(move || {
                let kind = serde_json::to_value(event).unwrap()["type"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                for _ in 0..50 {
                    let error = plugin.adapt(event).unwrap_err();
                    assert!(
                        error
                            .to_string()
                            .contains(&format!("while wording `{kind}`")),
                        "{error}"
                    );
                }
            });
        }
    });
}

#[test]
fn a_wrong_abi_plugin_is_incompatible_naming_file_and_versions() {
    let path = library("wrongabi");
    let error = load(&path).unwrap_err();
    let file = path.canonicalize().unwrap();
    let PluginError::Incompatible {
        file: named,
        plugin_abi,
        host_abi,
    } = &error
    else {
        panic!("expected incompatible, got {error:?}");
    };
    assert_eq!(named, &file);
    assert_eq!(*plugin_abi, AbiVersion { major: 2, minor: 0 });
    assert_eq!(*host_abi, AbiVersion { major: 1, minor: 0 });
    assert_eq!(
        error.to_string(),
        format!(
            "plugin `{}` has ABI 2.0, which is not compatible with host ABI 1.0",
            file.display()
        )
    );
    assert!(error.hint().is_some());
}

#[test]
fn a_library_without_an_entry_point_is_missing_entry() {
    let path = library("noentry");
    let error = load(&path).unwrap_err();
    let file = path.canonicalize().unwrap();
    assert!(
        matches!(&error, PluginError::MissingEntry { file: named, symbol }
            if named == &file && *symbol == "nemo_plugin_v1"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "`{}` is not a nemo plugin: it exports no `nemo_plugin_v1` entry point",
            file.display()
        )
    );
}

#[test]
fn the_manifest_name_must_match_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let impostor = dir.path().join(plugin_file_name("clawhub"));
    std::fs::copy(library("cursor"), &impostor).unwrap();
    let error = load(&impostor).unwrap_err();
    assert!(
        matches!(&error, PluginError::NameMismatch { expected, found, .. }
            if expected == "clawhub" && found == "cursor"),
        "{error:?}"
    );
}

#[test]
fn missing_and_non_library_files_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let absent = dir.path().join(plugin_file_name("cursor"));
    assert!(matches!(
        load(&absent).unwrap_err(),
        PluginError::Inaccessible { .. }
    ));
    std::fs::write(&absent, b"#!/bin/sh\n").unwrap();
    let error = load(&absent).unwrap_err();
    assert!(matches!(error, PluginError::Open { .. }), "{error:?}");
}

/// One detection case against the real manifests, with real files in a temporary home.
struct Case {
    name: &'static str,
    flag: Option<&'static str>,
    skill_source: Option<&'static str>,
    /// Relative to the temporary home.
    skill_dir: Option<&'static str>,
    /// Relative to the temporary home; created empty.
    files: &'static [&'static str],
    env: &'static [&'static str],
    platform: &'static str,
    rule: DetectionRule,
}

const BASE: Case = Case {
    name: "",
    flag: None,
    skill_source: None,
    skill_dir: None,
    files: &[],
    env: &[],
    platform: "unknown",
    rule: DetectionRule::Fallback,
};

#[test]
fn detection_with_the_real_manifests() {
    let registry = Registry::discover(&SearchPaths::new([plugin_dir()]));
    assert_eq!(registry.plugins().len(), 3, "{BUILD_HINT}");
    let manifests = registry.manifests();
    let cases = [
        Case {
            name: "--plugin wins over SKILL_SOURCE and markers",
            flag: Some("cursor"),
            skill_source: Some("clawhub"),
            env: &["OPENCLAW_SHELL"],
            platform: "cursor",
            rule: DetectionRule::Flag,
            ..BASE
        },
        Case {
            name: "SKILL_SOURCE passes through",
            skill_source: Some("github"),
            skill_dir: Some(".cursor/skills/nemo-video"),
            platform: "github",
            rule: DetectionRule::SkillSource,
            ..BASE
        },
        Case {
            name: "seed rule ~/.clawhub/",
            skill_dir: Some(".clawhub/skills/nemo-video"),
            env: &["CURSOR_TRACE_ID"],
            platform: "clawhub",
            rule: DetectionRule::SeedInstallPath,
            ..BASE
        },
        Case {
            name: "seed rule ~/.cursor/skills/",
            skill_dir: Some(".cursor/skills/nemo-video"),
            env: &["OPENCLAW_SHELL"],
            platform: "cursor",
            rule: DetectionRule::SeedInstallPath,
            ..BASE
        },
        Case {
            name: "clawhub install origin.json",
            skill_dir: Some("work/app/skills/nemo-video"),
            files: &["work/app/skills/nemo-video/.clawhub/origin.json"],
            env: &["CURSOR_TRACE_ID"],
            platform: "clawhub",
            rule: DetectionRule::MarkerFile,
            ..BASE
        },
        Case {
            name: "legacy .clawdhub origin.json",
            skill_dir: Some("anywhere/nemo-video"),
            files: &["anywhere/nemo-video/.clawdhub/origin.json"],
            platform: "clawhub",
            rule: DetectionRule::MarkerFile,
            ..BASE
        },
        Case {
            name: "workspace skills/<slug> with a clawhub lock file",
            skill_dir: Some("ws/skills/nemo-video"),
            files: &["ws/.clawhub/lock.json"],
            platform: "clawhub",
            rule: DetectionRule::WorkspaceFile,
            ..BASE
        },
        Case {
            name: "~/.openclaw/skills",
            skill_dir: Some(".openclaw/skills/nemo-video"),
            platform: "clawhub",
            rule: DetectionRule::MarkerPath,
            ..BASE
        },
        Case {
            name: "default openclaw workspace skills/<slug>",
            skill_dir: Some(".openclaw/workspace/skills/nemo-video"),
            platform: "clawhub",
            rule: DetectionRule::MarkerPath,
            ..BASE
        },
        Case {
            name: "project .cursor/skills",
            skill_dir: Some("code/app/.cursor/skills/nemo-video"),
            env: &["OPENCLAW_SHELL"],
            platform: "cursor",
            rule: DetectionRule::MarkerPath,
            ..BASE
        },
        Case {
            name: "CURSOR_SESSION_ID",
            env: &["PATH", "CURSOR_SESSION_ID"],
            platform: "cursor",
            rule: DetectionRule::EnvVar,
            ..BASE
        },
        Case {
            name: "CURSOR_TRACE_ID",
            skill_dir: Some("opt/nemo-video"),
            env: &["CURSOR_TRACE_ID"],
            platform: "cursor",
            rule: DetectionRule::EnvVar,
            ..BASE
        },
        Case {
            name: "OPENCLAW_* variable",
            env: &["OPENCLAW_SHELL"],
            platform: "clawhub",
            rule: DetectionRule::EnvPrefix,
            ..BASE
        },
        Case {
            name: "nothing matches",
            skill_dir: Some("opt/skills/nemo-video"),
            env: &["PATH", "CURSOR_OTHER"],
            platform: "unknown",
            rule: DetectionRule::Fallback,
            ..BASE
        },
    ];
    for case in &cases {
        let home = tempfile::tempdir().unwrap();
        for file in case.files {
            let path = home.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, b"{}").unwrap();
        }
        let exists = |path: &Path| path.is_file();
        let inputs = DetectInputs {
            flag: case.flag.map(str::to_owned),
            skill_source_env: case.skill_source.map(str::to_owned),
            skill_dir: case.skill_dir.map(|dir| home.path().join(dir)),
            home: Some(home.path().to_path_buf()),
            env_names: case.env.iter().map(|name| (*name).to_owned()).collect(),
            file_exists: &exists,
        };
        let detection: Detection = detect(&inputs, &manifests);
        assert_eq!(
            (detection.platform.as_str(), detection.rule),
            (case.platform, case.rule),
            "case `{}`: {}",
            case.name,
            detection.reason
        );
        assert!(!detection.reason.is_empty());

        // Whatever was detected, requests carry it, and the version passes through.
        let platform = registry.platform_for(&detection);
        assert_eq!(
            platform.name(),
            detection.plugin().as_str(),
            "case `{}`",
            case.name
        );
        assert!(!platform.is_builtin(), "case `{}`", case.name);
        for version in ["1.9", "1.8.13"] {
            let headers = platform.headers(&ctx(version, &detection.platform));
            assert_eq!(headers["X-Skill-Platform"], case.platform);
            assert_eq!(headers["X-Skill-Version"], version);
        }
    }
}

#[test]
fn adapters_answer_every_sample_event() {
    let registry = Registry::discover(&SearchPaths::new([plugin_dir()]));
    for plugin in registry.plugins() {
        for event in sample_events() {
            let text = plugin.adapt(&event).unwrap();
            assert!(!text.trim().is_empty(), "{}: {event:?}", plugin.name());
        }
    }
}
