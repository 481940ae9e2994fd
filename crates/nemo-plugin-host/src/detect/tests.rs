//! Rule mechanics with hand-written manifests. `tests/it/plugins.rs` runs the same kind of
//! table against the real plugins' manifests.

use std::collections::HashSet;

use nemo_plugin_sdk::Markers;

use super::*;

fn manifest(name: &str, markers: Markers) -> Manifest {
    Manifest::new(name, name, "0.0.0", "", markers)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

fn manifests() -> Vec<Manifest> {
    vec![
        manifest(
            "alpha",
            Markers {
                paths: strings(&["~/.alpha-home/", ".alpha/"]),
                path_files: strings(&[".alpha/origin.json"]),
                workspace_files: strings(&[".alpha/lock.json"]),
                env_prefixes: strings(&["ALPHA_"]),
                env_vars: vec![],
            },
        ),
        manifest(
            "beta",
            Markers {
                paths: strings(&[".beta/skills/"]),
                path_files: strings(&["beta.marker"]),
                workspace_files: vec![],
                env_prefixes: vec![],
                env_vars: strings(&["BETA_SESSION"]),
            },
        ),
        manifest("unknown", Markers::default()),
    ]
}

struct Case {
    name: &'static str,
    flag: Option<&'static str>,
    skill_source: Option<&'static str>,
    skill_dir: Option<&'static str>,
    env: &'static [&'static str],
    files: &'static [&'static str],
    platform: &'static str,
    rule: DetectionRule,
    reason: &'static str,
}

const BASE: Case = Case {
    name: "",
    flag: None,
    skill_source: None,
    skill_dir: None,
    env: &[],
    files: &[],
    platform: "unknown",
    rule: DetectionRule::Fallback,
    reason: "",
};

fn run(case: &Case) -> Detection {
    let files: HashSet<PathBuf> = case.files.iter().map(PathBuf::from).collect();
    let exists = move |path: &Path| files.contains(path);
    let inputs = DetectInputs {
        flag: case.flag.map(str::to_owned),
        skill_source_env: case.skill_source.map(str::to_owned),
        skill_dir: case.skill_dir.map(PathBuf::from),
        home: Some(PathBuf::from("/home/ana")),
        env_names: strings(case.env),
        file_exists: &exists,
    };
    detect(&inputs, &manifests())
}

#[test]
fn rule_table() {
    let cases = [
        Case {
            name: "flag beats everything",
            flag: Some("beta"),
            skill_source: Some("alpha"),
            skill_dir: Some("/home/ana/.clawhub/skills/nemo"),
            env: &["ALPHA_X"],
            platform: "beta",
            rule: DetectionRule::Flag,
            reason: "`--plugin beta` was given",
            ..BASE
        },
        Case {
            name: "SKILL_SOURCE passes any value through",
            skill_source: Some("github"),
            skill_dir: Some("/home/ana/.cursor/skills/nemo"),
            platform: "github",
            rule: DetectionRule::SkillSource,
            reason: "`SKILL_SOURCE` is set to `github`",
            ..BASE
        },
        Case {
            name: "blank flag and SKILL_SOURCE are ignored",
            flag: Some(" "),
            skill_source: Some(""),
            platform: "unknown",
            rule: DetectionRule::Fallback,
            reason: "no `--plugin`, `SKILL_SOURCE` or platform marker matched, and the skill directory is unknown",
            ..BASE
        },
        Case {
            name: "seed rule: ~/.clawhub/",
            skill_dir: Some("/home/ana/.clawhub/nemo-video"),
            env: &["BETA_SESSION"],
            platform: "clawhub",
            rule: DetectionRule::SeedInstallPath,
            reason: "the skill is installed under `~/.clawhub/` (the seed skill's install-path rule)",
            ..BASE
        },
        Case {
            name: "seed rule: ~/.cursor/skills/",
            skill_dir: Some("/home/ana/.cursor/skills/nemo-video"),
            platform: "cursor",
            rule: DetectionRule::SeedInstallPath,
            reason: "the skill is installed under `~/.cursor/skills/` (the seed skill's install-path rule)",
            ..BASE
        },
        Case {
            name: "seed rule needs the home prefix",
            skill_dir: Some("/srv/.clawhub/nemo-video"),
            platform: "unknown",
            rule: DetectionRule::Fallback,
            reason: "no `--plugin`, `SKILL_SOURCE` or platform marker matched",
            ..BASE
        },
        Case {
            name: "marker file in the skill directory",
            skill_dir: Some("/work/app/skills/nemo"),
            files: &["/work/app/skills/nemo/beta.marker"],
            env: &["ALPHA_X"],
            platform: "beta",
            rule: DetectionRule::MarkerFile,
            reason: "the skill directory has `beta.marker`, which marks `beta`",
            ..BASE
        },
        Case {
            name: "marker files follow manifest order",
            skill_dir: Some("/work/app/skills/nemo"),
            files: &[
                "/work/app/skills/nemo/beta.marker",
                "/work/app/skills/nemo/.alpha/origin.json",
            ],
            platform: "alpha",
            rule: DetectionRule::MarkerFile,
            reason: "the skill directory has `.alpha/origin.json`, which marks `alpha`",
            ..BASE
        },
        Case {
            name: "workspace file around skills/<slug>",
            skill_dir: Some("/work/ws/skills/nemo"),
            files: &["/work/ws/.alpha/lock.json"],
            platform: "alpha",
            rule: DetectionRule::WorkspaceFile,
            reason: "the skill is in the `skills/` folder of a workspace with `.alpha/lock.json`, which marks `alpha`",
            ..BASE
        },
        Case {
            name: "workspace file only counts under a skills/ folder",
            skill_dir: Some("/work/ws/tools/nemo"),
            files: &["/work/ws/.alpha/lock.json"],
            platform: "unknown",
            rule: DetectionRule::Fallback,
            reason: "no `--plugin`, `SKILL_SOURCE` or platform marker matched",
            ..BASE
        },
        Case {
            name: "home-anchored path marker",
            skill_dir: Some("/home/ana/.alpha-home/x/nemo"),
            platform: "alpha",
            rule: DetectionRule::MarkerPath,
            reason: "the skill path is under `~/.alpha-home/`, which marks `alpha`",
            ..BASE
        },
        Case {
            name: "home-anchored marker does not match elsewhere",
            skill_dir: Some("/srv/.alpha-home/nemo"),
            platform: "unknown",
            rule: DetectionRule::Fallback,
            reason: "no `--plugin`, `SKILL_SOURCE` or platform marker matched",
            ..BASE
        },
        Case {
            name: "path fragment anywhere (project folder)",
            skill_dir: Some("/work/app/.beta/skills/nemo"),
            env: &["ALPHA_X"],
            platform: "beta",
            rule: DetectionRule::MarkerPath,
            reason: "the skill path is under `.beta/skills/`, which marks `beta`",
            ..BASE
        },
        Case {
            name: "path fragments match whole components only",
            skill_dir: Some("/work/app/x.beta/skills/nemo"),
            platform: "unknown",
            rule: DetectionRule::Fallback,
            reason: "no `--plugin`, `SKILL_SOURCE` or platform marker matched",
            ..BASE
        },
        Case {
            name: "exact env var",
            env: &["HOME", "BETA_SESSION"],
            platform: "beta",
            rule: DetectionRule::EnvVar,
            reason: "`BETA_SESSION` is set, which marks `beta`",
            ..BASE
        },
        Case {
            name: "exact env vars beat prefixes",
            env: &["ALPHA_SHELL", "BETA_SESSION"],
            platform: "beta",
            rule: DetectionRule::EnvVar,
            reason: "`BETA_SESSION` is set, which marks `beta`",
            ..BASE
        },
        Case {
            name: "env prefix, first name in sorted order",
            env: &["ALPHA_Z", "ALPHA_SHELL"],
            platform: "alpha",
            rule: DetectionRule::EnvPrefix,
            reason: "`ALPHA_SHELL` is set; the prefix `ALPHA_` marks `alpha`",
            ..BASE
        },
        Case {
            name: "the bare prefix is not a match",
            env: &["ALPHA_"],
            platform: "unknown",
            rule: DetectionRule::Fallback,
            reason: "no `--plugin`, `SKILL_SOURCE` or platform marker matched, and the skill directory is unknown",
            ..BASE
        },
        Case {
            name: "nothing matches",
            skill_dir: Some("/opt/skills/nemo"),
            env: &["PATH"],
            platform: "unknown",
            rule: DetectionRule::Fallback,
            reason: "no `--plugin`, `SKILL_SOURCE` or platform marker matched",
            ..BASE
        },
    ];
    for case in &cases {
        let detection = run(case);
        assert_eq!(
            (
                detection.platform.as_str(),
                detection.rule,
                detection.reason.as_str()
            ),
            (case.platform, case.rule, case.reason),
            "case: {}",
            case.name
        );
    }
}

#[test]
fn plugin_choice_follows_the_platform() {
    let detection = run(&Case {
        skill_source: Some("github"),
        ..BASE
    });
    assert_eq!(detection.plugin(), PluginName::Unknown);
    let detection = run(&Case {
        skill_dir: Some("/home/ana/.cursor/skills/nemo"),
        ..BASE
    });
    assert_eq!(detection.plugin(), PluginName::Cursor);
}

#[test]
fn without_home_the_anchored_rules_are_skipped() {
    let exists = |_: &Path| false;
    let inputs = DetectInputs {
        flag: None,
        skill_source_env: None,
        skill_dir: Some(PathBuf::from("/home/ana/.clawhub/nemo")),
        home: None,
        env_names: vec![],
        file_exists: &exists,
    };
    assert_eq!(detect(&inputs, &manifests()).rule, DetectionRule::Fallback);
    assert!(format!("{inputs:?}").contains("skill_dir"));
}
