//! Integration tests: `config`. A loaded `nemo-config` drives the client: file values reach the
//! wire, CLI overrides win, the persisted client id is the one sent, and `config show` redacts.

use std::time::Duration;

use mockito::Server;
use nemo_client::{Client, Session, SessionOptions};
use nemo_config::{ApiTarget, Config, Overrides};
use nemo_test_support::fixture;
use nemo_test_support::mock::{self, ATTRIBUTION, TOKEN, anonymous, attributed};

#[tokio::test]
async fn values_from_the_config_file_reach_the_wire() {
    let mut server = Server::new_async().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(nemo_config::CONFIG_FILE),
        format!(
            "api_url = \"{}/\"\ntoken = \"{TOKEN}\"\nweb_url = \"https://web.example\"\nrender_poll_interval_secs = 2\n",
            server.url()
        ),
    )
    .unwrap();
    let config = Config::load_in(dir.path(), &Overrides::default()).unwrap();
    let ApiTarget::Remote(base) = config.api_target() else {
        panic!("expected a remote target")
    };
    assert_eq!(base, server.url());
    let credits = attributed(server.mock("GET", "/api/credits/balance/simple"), TOKEN)
        .with_body(fixture("envelopes/credits_code.json"))
        .expect(1)
        .create_async()
        .await;
    let client = Client::builder(&base)
        .attribution(ATTRIBUTION)
        .config(&config)
        .build()
        .unwrap();
    let mut session = Session::new(
        client,
        SessionOptions::from_config(&config, Some(dir.path()), &base),
    );
    assert_eq!(session.credits().await.unwrap().total, 25_040);
    assert_eq!(
        session.options().poll_policy.interval,
        Duration::from_secs(2)
    );
    assert_eq!(session.options().web_url, "https://web.example");
    credits.assert_async().await;
}

#[tokio::test]
async fn cli_overrides_beat_the_file_and_the_persisted_client_id_is_sent() {
    let mut server = Server::new_async().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(nemo_config::CONFIG_FILE),
        "api_url = \"https://file.example\"\n",
    )
    .unwrap();
    let overrides = Overrides {
        api_url: Some(server.url()),
        ..Overrides::default()
    };
    let config = Config::load_in(dir.path(), &overrides).unwrap();
    assert_eq!(config.api_target(), ApiTarget::Remote(server.url()));

    let client_id = config.resolve_client_id(dir.path()).unwrap();
    let token = anonymous(server.mock("POST", "/api/auth/anonymous-token"), &client_id)
        .with_body(mock::anonymous_token_body(TOKEN))
        .expect(1)
        .create_async()
        .await;
    let client = Client::builder(&server.url())
        .attribution(ATTRIBUTION)
        .config(&config)
        .client_id(client_id.clone())
        .build()
        .unwrap();
    let mut session = Session::new(
        client,
        SessionOptions::from_config(&config, Some(dir.path()), "cloud"),
    );
    session.ensure_token().await.unwrap();
    let saved = nemo_config::CredentialStore::new(dir.path())
        .load("cloud")
        .unwrap()
        .unwrap();
    assert_eq!(saved.token.expose(), TOKEN);
    assert_eq!(
        std::fs::read_to_string(dir.path().join(nemo_config::CLIENT_ID_FILE)).unwrap(),
        client_id
    );
    token.assert_async().await;
}

#[test]
fn config_show_and_debug_redact_the_token() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(nemo_config::CONFIG_FILE),
        format!("token = \"{TOKEN}\"\n"),
    )
    .unwrap();
    let config = Config::load_in(dir.path(), &Overrides::default()).unwrap();
    assert_eq!(config.token.as_ref().unwrap().expose(), TOKEN);
    let shown = config.to_redacted_toml().unwrap();
    assert!(shown.contains("token = \"nmv_usr_…[redacted]\""), "{shown}");
    for text in [shown, format!("{config:?}")] {
        assert!(!text.contains("TESTtoken"), "{text}");
    }
}
