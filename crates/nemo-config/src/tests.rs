//! Layering, env parsing, persisted files and redaction, each inside a `figment::Jail`.

#![expect(
    clippy::result_large_err,
    reason = "figment::Jail closures must return figment::Error"
)]

use std::path::PathBuf;
use std::time::Duration;

use figment::Jail;

use super::*;

const TOKEN: &str = "nmv_usr_SECRETsecretSECRET123";

fn load(jail: &Jail, overrides: &Overrides) -> Result<Config, Error> {
    Config::load_in(jail.directory(), overrides)
}

#[test]
fn defaults_apply_when_nothing_is_set() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        let config = load(jail, &Overrides::default()).unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(config.api_target(), ApiTarget::Embedded);
        assert_eq!(config.skill_name, "nemo-video");
        assert_eq!(config.render_poll_interval(), Duration::from_secs(30));
        assert_eq!(config.sse_timeout(), Duration::from_mins(15));
        assert_eq!(config.web_url, "https://nemovideo.com");
        Ok(())
    });
}

#[test]
fn layers_apply_in_order_file_env_skill_source_flags() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file(
            CONFIG_FILE,
            r#"
            api_url = "https://file.example"
            web_url = "https://web-from-file.example"
            platform = "from-file"
            render_poll_interval_secs = 5
            language = "en"
            skill_version = "0.1"
            "#,
        )?;
        let config = load(jail, &Overrides::default()).unwrap();
        assert_eq!(config.api_url.as_deref(), Some("https://file.example"));
        assert_eq!(config.render_poll_interval_secs, 5);

        jail.set_env("NEMO_API_URL", "https://env.example/");
        jail.set_env("NEMO_RENDER_POLL_INTERVAL_SECS", "7");
        let config = load(jail, &Overrides::default()).unwrap();
        assert_eq!(
            config.api_target(),
            ApiTarget::Remote("https://env.example".into())
        );
        assert_eq!(config.render_poll_interval_secs, 7);
        assert_eq!(
            config.web_url, "https://web-from-file.example",
            "file value kept where env is silent"
        );
        assert_eq!(config.platform.as_deref(), Some("from-file"));

        jail.set_env("SKILL_SOURCE", "clawhub");
        let config = load(jail, &Overrides::default()).unwrap();
        assert_eq!(config.platform.as_deref(), Some("clawhub"));

        let flags = Overrides {
            api_url: Some("https://flag.example".into()),
            platform: Some("cursor".into()),
            ..Overrides::default()
        };
        let config = load(jail, &flags).unwrap();
        assert_eq!(config.api_url.as_deref(), Some("https://flag.example"));
        assert_eq!(config.platform.as_deref(), Some("cursor"));
        assert_eq!(
            config.render_poll_interval_secs, 7,
            "unset flags leave lower layers alone"
        );
        assert_eq!(config.language.as_deref(), Some("en"));
        Ok(())
    });
}

#[test]
fn string_settings_from_env_are_not_reparsed_as_numbers() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env("NEMO_SKILL_VERSION", "1.10");
        jail.set_env("NEMO_CLIENT_ID", "12345");
        jail.set_env("NEMO_TOKEN", TOKEN);
        jail.set_env("NEMO_LOCAL_UNLIMITED_CREDITS", "false");
        jail.set_env("NEMO_LOUDNESS_TARGET_LUFS", "-16.5");
        jail.set_env("NEMO_PLUGIN_DIRS", "/a/plugins:/b/plugins");
        let config = load(jail, &Overrides::default()).unwrap();
        assert_eq!(config.skill_version.as_deref(), Some("1.10"));
        assert_eq!(config.client_id.as_deref(), Some("12345"));
        assert_eq!(config.token.as_ref().map(Secret::expose), Some(TOKEN));
        assert!(!config.local_unlimited_credits);
        assert!((config.loudness_target_lufs - -16.5).abs() < f64::EPSILON);
        assert_eq!(
            config.plugin_dirs,
            vec![PathBuf::from("/a/plugins"), PathBuf::from("/b/plugins")]
        );
        Ok(())
    });
}

#[test]
fn a_bad_value_names_the_variable_it_came_from() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env("NEMO_RENDER_TIMEOUT_SECS", "soon");
        let err = load(jail, &Overrides::default()).unwrap_err();
        let Error::Invalid(inner) = &err else {
            panic!("unexpected error {err:?}")
        };
        let text = inner.to_string();
        assert!(text.contains("NEMO_RENDER_TIMEOUT_SECS"), "{text}");
        Ok(())
    });
}

#[test]
fn a_bad_file_value_names_the_file() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file(CONFIG_FILE, "sse_timeout_secs = \"forever\"")?;
        let err = load(jail, &Overrides::default()).unwrap_err();
        let Error::Invalid(inner) = &err else {
            panic!("unexpected error {err:?}")
        };
        let text = inner.to_string();
        assert!(text.contains(CONFIG_FILE), "{text}");
        assert!(text.contains("sse_timeout_secs"), "{text}");
        Ok(())
    });
}

#[test]
fn empty_env_values_mean_unset() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file(CONFIG_FILE, "client_id = \"\"\nlanguage = \" \"")?;
        jail.set_env("NEMO_TOKEN", "");
        jail.set_env("NEMO_API_URL", "");
        let config = load(jail, &Overrides::default()).unwrap();
        assert_eq!(config.token, None);
        assert_eq!(config.client_id, None);
        assert_eq!(config.language, None);
        assert_eq!(config.api_target(), ApiTarget::Embedded);
        Ok(())
    });
}

#[test]
fn api_target_aliases() {
    let with = |url: &str| {
        Config {
            api_url: Some(url.into()),
            ..Config::default()
        }
        .api_target()
    };
    assert_eq!(with("embedded"), ApiTarget::Embedded);
    assert_eq!(with("local"), ApiTarget::Embedded);
    assert_eq!(
        with("cloud"),
        ApiTarget::Remote("https://mega-api-prod.nemovideo.ai".into())
    );
    assert_eq!(
        with("http://127.0.0.1:9/"),
        ApiTarget::Remote("http://127.0.0.1:9".into())
    );
}

#[test]
fn config_dir_is_dot_config_nemovideo_under_home_or_the_override() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        let home = jail.directory().display().to_string();
        jail.set_env("HOME", home);
        assert_eq!(
            config_dir().unwrap(),
            jail.directory().join(".config/nemovideo")
        );
        jail.set_env("NEMO_CONFIG_DIR", "/elsewhere/nemo");
        assert_eq!(config_dir().unwrap(), PathBuf::from("/elsewhere/nemo"));
        Ok(())
    });
}

#[test]
fn figment_reads_the_config_file_from_the_config_dir() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        let home = jail.directory().display().to_string();
        jail.set_env("HOME", home);
        jail.create_dir(".config/nemovideo")?;
        jail.create_file(
            ".config/nemovideo/config.toml",
            "skill_name = \"nemo-shorts\"",
        )?;
        let config = Config::load(&Overrides::default()).unwrap();
        assert_eq!(config.skill_name, "nemo-shorts");
        Ok(())
    });
}

#[test]
fn client_id_is_generated_once_and_persisted_alone_in_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("nemovideo");
    let first = load_or_create_client_id(&nested).unwrap();
    assert!(uuid::Uuid::parse_str(&first).is_ok(), "{first}");
    assert_eq!(
        std::fs::read_to_string(nested.join(CLIENT_ID_FILE)).unwrap(),
        first
    );
    assert_eq!(
        load_or_create_client_id(&nested).unwrap(),
        first,
        "second call reuses the file"
    );

    let second = regenerate_client_id(&nested).unwrap();
    assert_ne!(second, first);
    assert_eq!(load_or_create_client_id(&nested).unwrap(), second);
    let leftovers: Vec<_> = std::fs::read_dir(&nested)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers,
        vec![std::ffi::OsString::from(CLIENT_ID_FILE)],
        "no temp files left behind"
    );
}

#[test]
fn configured_client_id_wins_over_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        client_id: Some("from-env".into()),
        ..Config::default()
    };
    assert_eq!(config.resolve_client_id(dir.path()).unwrap(), "from-env");
    assert!(!dir.path().join(CLIENT_ID_FILE).exists());
    let generated = Config::default().resolve_client_id(dir.path()).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join(CLIENT_ID_FILE)).unwrap(),
        generated
    );
}

#[test]
fn credentials_round_trip_per_target_and_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let store = CredentialStore::new(dir.path());
    assert_eq!(store.load("cloud").unwrap(), None);
    let saved = SavedCredentials {
        token: Secret::new(TOKEN),
        user_id: Some("anon_1".into()),
        anonymous: true,
    };
    store.save("https://api.example", &saved).unwrap();
    store
        .save(
            "embedded",
            &SavedCredentials {
                token: Secret::new("nmv_usr_local"),
                user_id: None,
                anonymous: true,
            },
        )
        .unwrap();
    assert_eq!(
        store.load("https://api.example").unwrap(),
        Some(saved.clone())
    );
    assert_eq!(
        store.load("embedded").unwrap().unwrap().token.expose(),
        "nmv_usr_local"
    );
    assert!(!format!("{saved:?} {store:?}").contains("SECRETsecret"));

    store.remove("https://api.example").unwrap();
    assert_eq!(store.load("https://api.example").unwrap(), None);
    assert!(store.load("embedded").unwrap().is_some());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn debug_and_show_never_contain_the_token() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env("NEMO_TOKEN", TOKEN);
        let config = load(jail, &Overrides::default()).unwrap();
        let shown = config.to_redacted_toml().unwrap();
        let debug = format!("{config:?}");
        for text in [&shown, &debug] {
            assert!(!text.contains("SECRETsecret"), "{text}");
        }
        assert!(shown.contains("token = \"nmv_usr_…[redacted]\""), "{shown}");
        Ok(())
    });
}

#[test]
fn names_with_prefix_lists_only_matching_names() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env("OPENCLAW_HOME", "/x");
        jail.set_env("OPENCLAW_AGENT", "1");
        jail.set_env("CURSOR_TRACE_ID", "t");
        assert_eq!(
            env_vars::names_with_prefix("OPENCLAW_"),
            vec!["OPENCLAW_AGENT", "OPENCLAW_HOME"]
        );
        assert!(env_vars::has_var_with_prefix("CURSOR_"));
        assert!(!env_vars::has_var_with_prefix("NEMO_"));
        Ok(())
    });
}
