//! Scratch Postgres databases for tests (feature `testing`): each test gets an empty database
//! of its own on the server `NEMO_TEST_POSTGRES_URL` names, so tests run in parallel and leave
//! nothing behind. Without the variable the Postgres variants of tests have nothing to run on
//! and return early; `.ci/run` starts a server and sets it.

use sqlx::{AssertSqlSafe, Connection as _, Executor as _, PgConnection};

/// The environment variable naming a Postgres server tests may create databases on, e.g.
/// `postgres://postgres:nemo@127.0.0.1:5432/postgres`.
pub const POSTGRES_TEST_URL_ENV: &str = "NEMO_TEST_POSTGRES_URL";

/// An empty database that exists until [`drop_database`](Self::drop_database).
#[derive(Debug)]
pub struct ScratchPostgres {
    admin_url: String,
    name: String,
    url: String,
}

impl ScratchPostgres {
    /// Creates a database with a unique name, or `None` when [`POSTGRES_TEST_URL_ENV`] is not
    /// set.
    ///
    /// # Panics
    /// When the variable is set but the server cannot be reached or refuses: a test run that
    /// was told to cover Postgres must not quietly skip it.
    pub async fn create() -> Option<Self> {
        let admin_url = std::env::var(POSTGRES_TEST_URL_ENV).ok()?;
        let name = format!("nemo_test_{}", uuid::Uuid::new_v4().simple());
        let mut url = reqwest::Url::parse(&admin_url)
            .unwrap_or_else(|e| panic!("{POSTGRES_TEST_URL_ENV} is not a URL: {e}"));
        url.set_path(&name);
        admin(&admin_url, &format!("CREATE DATABASE {name}")).await;
        Some(Self {
            admin_url,
            name,
            url: url.into(),
        })
    }

    /// The database's URL, for `Store::open` or `EngineConfig::database_url`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Drops the database, closing any connection still open to it.
    pub async fn drop_database(self) {
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        admin(&self.admin_url, &statement).await;
    }
}

/// Runs one statement on the admin database.
async fn admin(admin_url: &str, statement: &str) {
    let mut connection = PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot reach the Postgres in {POSTGRES_TEST_URL_ENV}: {e}"));
    // The names are generated here (`nemo_test_` and a UUID), never taken from input.
    connection
        .execute(AssertSqlSafe(statement.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
    // Best effort: the server drops the session when the socket closes anyway.
    let _ = connection.close().await;
}
