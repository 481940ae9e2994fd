//! The one persistence seam: sessions, drafts (with undo history), messages, media rows,
//! credits and the render job queue, all through a sqlx `AnyPool`.
//!
//! `SQLite` is the default (one file under the data dir, WAL); the same SQL runs on Postgres,
//! so every statement here stays in the common subset: `$N` placeholders, ids as TEXT, times
//! as i64 milliseconds, JSON as TEXT, booleans as 0/1. Read-then-write transactions start with
//! `BEGIN IMMEDIATE` on `SQLite`, because a deferred transaction that upgrades to a writer gets
//! `SQLITE_BUSY` regardless of the busy timeout.

#[macro_use]
mod rows;
mod jobs;
#[cfg(any(test, feature = "testing"))]
pub mod scratch;

use std::borrow::Cow;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use nemo_protocol::RawDraft;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{Any, AnyPool, Row, SqlSafeStr, Transaction};

pub use jobs::{ClaimedJob, EnqueueError, JobOutput, JobRow, JobState, NewJob};
pub use rows::{IssuedToken, MediaRow, MessageRow, SessionRow, UserRow};

/// Errors of the persistence layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored JSON is invalid: {0}")]
    Json(#[from] serde_json::Error),
    #[error("unsupported database url {0:?} (use sqlite:// or postgres://)")]
    UnsupportedUrl(String),
    #[error("a token was already issued for this client id")]
    TokenAlreadyIssued,
    #[error("session {0} not found")]
    SessionNotFound(String),
}

/// Which SQL dialect the pool speaks; only the claim query and the transaction opener differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The persistence handle. Cheap to clone (the pool is reference-counted).
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "init",
    include_str!("../../migrations/sqlite/0001_init.sql"),
)];
const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "init",
    include_str!("../../migrations/postgres/0001_init.sql"),
)];

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A `sqlite://` URL for a database file, creating it when missing.
pub fn sqlite_url(path: &Path) -> String {
    // The URL parser percent-decodes the path, so characters that would end the path
    // (`?`, `#`) or start an escape (`%`) must be encoded.
    let mut encoded = String::new();
    for ch in path.to_string_lossy().chars() {
        match ch {
            '%' => encoded.push_str("%25"),
            '?' => encoded.push_str("%3F"),
            '#' => encoded.push_str("%23"),
            other => encoded.push(other),
        }
    }
    format!("sqlite://{encoded}?mode=rwc")
}

impl Store {
    /// Connects, switches `SQLite` to WAL and applies pending migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .connect(url)
            .await?;
        if backend == Backend::Sqlite {
            // WAL is a property of the database file: set once, every later connection uses it.
            sqlx::query("PRAGMA journal_mode=WAL")
                .execute(&pool)
                .await?;
        }
        let store = Self { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let files = match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => POSTGRES_MIGRATIONS,
        };
        let migrations = files
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect();
        Migrator::with_migrations(migrations)
            .run(&self.pool)
            .await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every pooled connection (used on shutdown so the `SQLite` file is released).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A write transaction that takes the `SQLite` write lock up front.
    async fn begin_write(&self) -> Result<Transaction<'static, Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    // ---- users and tokens -------------------------------------------------------------

    /// Issues an anonymous token for a client id: one live token per client id.
    /// `token_hash` is the sha256 of the token; the token itself is never stored.
    pub async fn issue_token(
        &self,
        client_id: &str,
        token_hash: &str,
        initial_credits: i64,
        expires_at: i64,
    ) -> Result<UserRow, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let existing = sqlx::query(
            "SELECT id, client_id, credits, frozen, created_at FROM users WHERE client_id = $1",
        )
        .bind(client_id)
        .fetch_optional(&mut *tx)
        .await?;
        let user = if let Some(row) = existing {
            let user = UserRow::from_row(&row)?;
            let live: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM tokens WHERE user_id = $1 AND expires_at > $2",
            )
            .bind(&user.id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
            if live > 0 {
                return Err(StoreError::TokenAlreadyIssued);
            }
            user
        } else {
            let user = UserRow {
                id: format!("anon_{}", uuid::Uuid::new_v4().simple()),
                client_id: client_id.to_owned(),
                credits: initial_credits,
                frozen: 0,
                created_at: now,
            };
            sqlx::query(
                "INSERT INTO users (id, client_id, credits, frozen, created_at) VALUES ($1, $2, $3, 0, $4)",
            )
            .bind(&user.id)
            .bind(&user.client_id)
            .bind(user.credits)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            user
        };
        sqlx::query(
            "INSERT INTO tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(&user.id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// The user a live token belongs to.
    pub async fn user_for_token(&self, token_hash: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.client_id, u.credits, u.frozen, u.created_at FROM tokens t \
             JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(UserRow::from_row).transpose()
    }

    pub async fn user(&self, user_id: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, client_id, credits, frozen, created_at FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(UserRow::from_row).transpose()
    }

    /// Sets a user's spendable credits (administration and tests).
    pub async fn set_credits(&self, user_id: &str, credits: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET credits = $1 WHERE id = $2")
            .bind(credits)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ---- sessions and drafts ----------------------------------------------------------

    pub async fn create_session(
        &self,
        user_id: &str,
        task_name: &str,
        language: Option<&str>,
    ) -> Result<SessionRow, StoreError> {
        let now = now_ms();
        let session = SessionRow {
            id: new_numeric_id(),
            task_id: format!("task_{}", uuid::Uuid::new_v4().simple()),
            user_id: user_id.to_owned(),
            task_name: task_name.to_owned(),
            language: language.map(str::to_owned),
            draft_version: 0,
            created_at: now,
            updated_at: now,
        };
        let empty = serde_json::to_string(&RawDraft::default())?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO sessions (id, task_id, user_id, task_name, language, draft_version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6, $6)",
        )
        .bind(&session.id)
        .bind(&session.task_id)
        .bind(&session.user_id)
        .bind(&session.task_name)
        .bind(session.language.clone())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO drafts (session_id, version, draft, reason, created_at) VALUES ($1, 0, $2, 'created', $3)",
        )
        .bind(&session.id)
        .bind(empty)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(session)
    }

    pub async fn session(&self, session_id: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, task_id, user_id, task_name, language, draft_version, created_at, updated_at \
             FROM sessions WHERE id = $1",
        )
        .bind(session_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(SessionRow::from_row).transpose()
    }

    /// The current draft of a session and its version number.
    pub async fn current_draft(&self, session_id: &str) -> Result<(i64, RawDraft), StoreError> {
        let row = sqlx::query(
            "SELECT d.version, d.draft FROM sessions s JOIN drafts d \
             ON d.session_id = s.id AND d.version = s.draft_version WHERE s.id = $1",
        )
        .bind(session_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::SessionNotFound(session_id.to_owned()))?;
        let draft: String = row.try_get("draft")?;
        Ok((row.try_get("version")?, serde_json::from_str(&draft)?))
    }

    /// Applies `edit` to the current draft inside one write transaction and stores the result
    /// as a new version. The closure is synchronous on purpose: nothing slow may run while the
    /// write lock is held. Returns `Ok(None)` when the closure reports "nothing changed".
    pub async fn edit_draft<T, E>(
        &self,
        session_id: &str,
        reason: &str,
        edit: impl FnOnce(&mut RawDraft) -> Result<Option<T>, E>,
    ) -> Result<Result<Option<(i64, T)>, E>, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT d.version, d.draft FROM sessions s JOIN drafts d \
             ON d.session_id = s.id AND d.version = s.draft_version WHERE s.id = $1",
        )
        .bind(session_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::SessionNotFound(session_id.to_owned()))?;
        let version: i64 = row.try_get("version")?;
        let mut draft: RawDraft = serde_json::from_str(&row.try_get::<String, _>("draft")?)?;
        let outcome = match edit(&mut draft) {
            Ok(Some(outcome)) => outcome,
            Ok(None) => return Ok(Ok(None)),
            Err(e) => return Ok(Err(e)),
        };
        let next = version + 1;
        let now = now_ms();
        // A new edit after an undo discards the undone versions (linear history).
        sqlx::query("DELETE FROM drafts WHERE session_id = $1 AND version >= $2")
            .bind(session_id)
            .bind(next)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO drafts (session_id, version, draft, reason, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(session_id)
        .bind(next)
        .bind(serde_json::to_string(&draft)?)
        .bind(reason)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE sessions SET draft_version = $1, updated_at = $2 WHERE id = $3")
            .bind(next)
            .bind(now)
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Ok(Some((next, outcome))))
    }

    /// Steps the draft back one version. Returns the reason of the undone edit, or `None`
    /// when there is nothing to undo.
    pub async fn undo_draft(&self, session_id: &str) -> Result<Option<String>, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT d.version, d.reason FROM sessions s JOIN drafts d \
             ON d.session_id = s.id AND d.version = s.draft_version WHERE s.id = $1",
        )
        .bind(session_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::SessionNotFound(session_id.to_owned()))?;
        let version: i64 = row.try_get("version")?;
        if version == 0 {
            return Ok(None);
        }
        let reason: String = row.try_get("reason")?;
        sqlx::query("UPDATE sessions SET draft_version = $1, updated_at = $2 WHERE id = $3")
            .bind(version - 1)
            .bind(now_ms())
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(reason))
    }

    // ---- messages ---------------------------------------------------------------------

    pub async fn add_message(
        &self,
        session_id: &str,
        role: &str,
        content: &str,
        events: Option<&serde_json::Value>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO messages (id, session_id, role, content, events, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(session_id)
        .bind(role)
        .bind(content)
        .bind(events.map(serde_json::Value::to_string))
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn messages(&self, session_id: &str) -> Result<Vec<MessageRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT role, content, events, created_at FROM messages WHERE session_id = $1 ORDER BY created_at, id",
        )
        .bind(session_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(MessageRow::from_row).collect()
    }

    // ---- media ------------------------------------------------------------------------

    pub async fn insert_media(&self, media: &MediaRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO media (id, session_id, sha256, object_key, filename, file_type, origin, size_bytes, \
             duration_ms, width, height, fps, has_audio, probe, meta, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(&media.id)
        .bind(&media.session_id)
        .bind(&media.sha256)
        .bind(&media.object_key)
        .bind(&media.filename)
        .bind(&media.file_type)
        .bind(&media.origin)
        .bind(media.size_bytes)
        .bind(media.duration_ms)
        .bind(media.width)
        .bind(media.height)
        .bind(media.fps)
        .bind(i64::from(media.has_audio))
        .bind(media.probe.to_string())
        .bind(media.meta.as_ref().map(serde_json::Value::to_string))
        .bind(media.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn media(&self, media_id: &str) -> Result<Option<MediaRow>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            media_columns!(),
            " FROM media WHERE id = $1"
        ))
        .bind(media_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(MediaRow::from_row).transpose()
    }

    pub async fn session_media(&self, session_id: &str) -> Result<Vec<MediaRow>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            media_columns!(),
            " FROM media WHERE session_id = $1 ORDER BY created_at, id"
        ))
        .bind(session_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(MediaRow::from_row).collect()
    }

    /// Whether any stored row (media or render output) still references an object key.
    pub async fn object_referenced(&self, sha256: &str) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM media WHERE sha256 = $1) + \
             (SELECT COUNT(*) FROM jobs WHERE output_sha256 = $1) AS n",
        )
        .bind(sha256)
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        Ok(n > 0)
    }
}

/// A session id in the cloud's style: an opaque string of 19 digits.
fn new_numeric_id() -> String {
    let random = uuid::Uuid::new_v4().as_u128();
    format!("{:019}", random % 10_000_000_000_000_000_000)
}

#[cfg(test)]
mod tests;
