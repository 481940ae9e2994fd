//! The durable job queue: rows in `jobs` with a lease and a heartbeat.
//!
//! A worker claims a row by setting `state='running'`, its own id and a lease in one short
//! transaction, then works with no database lock held, extending the lease (and writing
//! progress) on every heartbeat. A crashed worker stops heartbeating, its lease runs out and
//! the next claim picks the row up again; after `max_attempts` the row is failed with a reason
//! instead. Every transition a worker makes is guarded by `worker = $me AND state = 'running'`,
//! so a worker that lost its lease (or whose job was cancelled) cannot overwrite the row.
//!
//! Credits move with the job in the same transaction: submit freezes the cost, completion
//! consumes it, failure or cancellation gives it back.

use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::{Backend, Store, StoreError, now_ms};

macro_rules! job_columns {
    () => {
        "id, kind, session_id, user_id, state, payload, progress, attempts, max_attempts, worker, \
         lease_until, run_at, cost, error, output_key, output_sha256, output_size, output_duration_ms, \
         created_at, started_at, completed_at, updated_at"
    };
}

macro_rules! claim_sql {
    ($suffix:literal) => {
        concat!(
            "UPDATE jobs SET state = 'running', worker = $1, lease_until = $2, attempts = attempts + 1, \
             started_at = COALESCE(started_at, $3), updated_at = $3 \
             WHERE id = (SELECT id FROM jobs WHERE kind = $4 AND \
             ((state = 'queued' AND run_at <= $3) OR (state = 'running' AND lease_until < $3 AND attempts < max_attempts)) \
             ORDER BY created_at, id LIMIT 1",
            $suffix,
            ") RETURNING ",
            job_columns!()
        )
    };
}

/// Lifecycle of a job row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "running" => Self::Running,
            "completed" => Self::Completed,
            "failed" => Self::Failed,
            "cancelled" => Self::Cancelled,
            _ => Self::Queued,
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub id: String,
    pub kind: String,
    pub session_id: String,
    pub user_id: String,
    pub payload: Value,
    pub cost: i64,
    pub max_attempts: i64,
}

/// A job row as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    pub id: String,
    pub kind: String,
    pub session_id: String,
    pub user_id: String,
    pub state: JobState,
    pub payload: Value,
    /// 0..=100.
    pub progress: f64,
    pub attempts: i64,
    pub max_attempts: i64,
    pub worker: Option<String>,
    pub lease_until: Option<i64>,
    pub run_at: i64,
    pub cost: i64,
    pub error: Option<String>,
    pub output_key: Option<String>,
    pub output_sha256: Option<String>,
    pub output_size: Option<i64>,
    pub output_duration_ms: Option<i64>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub updated_at: i64,
}

impl JobRow {
    fn from_row(row: &AnyRow) -> Result<Self, StoreError> {
        let payload: String = row.try_get("payload")?;
        Ok(Self {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            session_id: row.try_get("session_id")?,
            user_id: row.try_get("user_id")?,
            state: JobState::parse(&row.try_get::<String, _>("state")?),
            payload: serde_json::from_str(&payload)?,
            progress: row.try_get("progress")?,
            attempts: row.try_get("attempts")?,
            max_attempts: row.try_get("max_attempts")?,
            worker: row.try_get("worker")?,
            lease_until: row.try_get("lease_until")?,
            run_at: row.try_get("run_at")?,
            cost: row.try_get("cost")?,
            error: row.try_get("error")?,
            output_key: row.try_get("output_key")?,
            output_sha256: row.try_get("output_sha256")?,
            output_size: row.try_get("output_size")?,
            output_duration_ms: row.try_get("output_duration_ms")?,
            created_at: row.try_get("created_at")?,
            started_at: row.try_get("started_at")?,
            completed_at: row.try_get("completed_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

/// A job this worker now holds (its lease is live until it stops heartbeating).
pub type ClaimedJob = JobRow;

/// Where a finished job's output lives.
#[derive(Debug, Clone)]
pub struct JobOutput {
    pub key: String,
    pub sha256: String,
    pub size: i64,
    pub duration_ms: i64,
}

/// Errors specific to enqueueing.
#[derive(Debug, thiserror::Error)]
pub enum EnqueueError {
    #[error("a job with id {0} already exists")]
    Duplicate(String),
    #[error("not enough credits: {needed} needed, {available} available")]
    NoCredits { needed: i64, available: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Enqueues a job and freezes its cost, atomically.
    pub async fn enqueue_job(&self, job: &NewJob) -> Result<JobRow, EnqueueError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let exists = sqlx::query("SELECT id FROM jobs WHERE id = $1")
            .bind(&job.id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        if exists.is_some() {
            return Err(EnqueueError::Duplicate(job.id.clone()));
        }
        if job.cost > 0 {
            let frozen = sqlx::query(
                "UPDATE users SET credits = credits - $1, frozen = frozen + $1 WHERE id = $2 AND credits >= $1",
            )
            .bind(job.cost)
            .bind(&job.user_id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
            if frozen.rows_affected() == 0 {
                let available: i64 = sqlx::query("SELECT credits FROM users WHERE id = $1")
                    .bind(&job.user_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(StoreError::from)?
                    .map(|r| r.try_get("credits"))
                    .transpose()
                    .map_err(StoreError::from)?
                    .unwrap_or(0);
                return Err(EnqueueError::NoCredits {
                    needed: job.cost,
                    available,
                });
            }
        }
        sqlx::query(
            "INSERT INTO jobs (id, kind, session_id, user_id, state, payload, progress, attempts, max_attempts, \
             run_at, cost, created_at, updated_at) VALUES ($1, $2, $3, $4, 'queued', $5, 0, 0, $6, $7, $8, $7, $7)",
        )
        .bind(&job.id)
        .bind(&job.kind)
        .bind(&job.session_id)
        .bind(&job.user_id)
        .bind(job.payload.to_string())
        .bind(job.max_attempts)
        .bind(now)
        .bind(job.cost)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        let row = fetch_job(&mut tx, &job.id)
            .await?
            .ok_or_else(|| StoreError::Db(sqlx::Error::RowNotFound))?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(row)
    }

    pub async fn job(&self, id: &str) -> Result<Option<JobRow>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            job_columns!(),
            " FROM jobs WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(JobRow::from_row).transpose()
    }

    /// Claims the oldest runnable job of `kind`: a queued one, or a running one whose worker
    /// let its lease expire (crashed) and which still has attempts left. Jobs whose lease
    /// expired on their last attempt are failed first, with a reason, so nothing stays
    /// "processing" forever.
    pub async fn claim_job(
        &self,
        kind: &str,
        worker: &str,
        lease_ms: i64,
    ) -> Result<Option<ClaimedJob>, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        fail_exhausted(&mut tx, now).await?;
        let sql = match self.backend {
            Backend::Sqlite => claim_sql!(""),
            Backend::Postgres => claim_sql!(" FOR UPDATE SKIP LOCKED"),
        };
        let row = sqlx::query(sql)
            .bind(worker)
            .bind(now + lease_ms)
            .bind(now)
            .bind(kind)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        row.as_ref().map(JobRow::from_row).transpose()
    }

    /// Fails running jobs whose lease expired on their last attempt. Returns how many.
    pub async fn fail_exhausted_jobs(&self) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let n = fail_exhausted(&mut tx, now_ms()).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Extends the lease and records progress. `false` means the worker no longer owns the
    /// job (lease taken over, or cancelled) and must stop.
    pub async fn heartbeat_job(
        &self,
        id: &str,
        worker: &str,
        lease_ms: i64,
        progress: Option<f64>,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        let done = sqlx::query(
            "UPDATE jobs SET lease_until = $1, progress = COALESCE($2, progress), updated_at = $3 \
             WHERE id = $4 AND worker = $5 AND state = 'running'",
        )
        .bind(now + lease_ms)
        .bind(progress)
        .bind(now)
        .bind(id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks the job completed (guarded by the worker id) and consumes its frozen credits.
    pub async fn complete_job(
        &self,
        id: &str,
        worker: &str,
        output: &JobOutput,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE jobs SET state = 'completed', progress = 100, output_key = $1, output_sha256 = $2, \
             output_size = $3, output_duration_ms = $4, completed_at = $5, updated_at = $5, lease_until = NULL, \
             error = NULL WHERE id = $6 AND worker = $7 AND state = 'running'",
        )
        .bind(&output.key)
        .bind(&output.sha256)
        .bind(output.size)
        .bind(output.duration_ms)
        .bind(now)
        .bind(id)
        .bind(worker)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            settle_credits(&mut tx, id, false).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a failed attempt. With attempts left and `retry`, the job goes back to the
    /// queue after `backoff_ms`; otherwise it fails for good and its credits are refunded.
    pub async fn fail_job(
        &self,
        id: &str,
        worker: &str,
        error: &str,
        retry: bool,
        backoff_ms: i64,
    ) -> Result<JobState, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let requeued = if retry {
            sqlx::query(
                "UPDATE jobs SET state = 'queued', worker = NULL, lease_until = NULL, run_at = $1, error = $2, \
                 updated_at = $3 WHERE id = $4 AND worker = $5 AND state = 'running' AND attempts < max_attempts",
            )
            .bind(now + backoff_ms)
            .bind(error)
            .bind(now)
            .bind(id)
            .bind(worker)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        } else {
            0
        };
        let state = if requeued == 1 {
            JobState::Queued
        } else {
            let failed = sqlx::query(
                "UPDATE jobs SET state = 'failed', error = $1, completed_at = $2, updated_at = $2, lease_until = NULL \
                 WHERE id = $3 AND worker = $4 AND state = 'running'",
            )
            .bind(error)
            .bind(now)
            .bind(id)
            .bind(worker)
            .execute(&mut *tx)
            .await?;
            if failed.rows_affected() == 1 {
                settle_credits(&mut tx, id, true).await?;
                JobState::Failed
            } else {
                // Lost the job meanwhile (cancelled or taken over): leave the row alone.
                fetch_job(&mut tx, id)
                    .await?
                    .map_or(JobState::Failed, |j| j.state)
            }
        };
        tx.commit().await?;
        Ok(state)
    }

    /// Cancels a queued or running job and refunds its credits. Returns the state after the
    /// call (terminal states are left as they are).
    pub async fn cancel_job(&self, id: &str) -> Result<Option<JobState>, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let cancelled = sqlx::query(
            "UPDATE jobs SET state = 'cancelled', error = 'cancelled by the user', completed_at = $1, \
             updated_at = $1, lease_until = NULL WHERE id = $2 AND state IN ('queued', 'running')",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if cancelled.rows_affected() == 1 {
            settle_credits(&mut tx, id, true).await?;
        }
        let state = fetch_job(&mut tx, id).await?.map(|j| j.state);
        tx.commit().await?;
        Ok(state)
    }

    /// Hands a job back to the queue without counting the attempt (graceful shutdown).
    pub async fn release_job(&self, id: &str, worker: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'queued', worker = NULL, lease_until = NULL, \
             attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, updated_at = $1 \
             WHERE id = $2 AND worker = $3 AND state = 'running'",
        )
        .bind(now_ms())
        .bind(id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Test and recovery hook: makes a running job's lease expire now, as if its worker died.
    pub async fn expire_lease(&self, id: &str) -> Result<bool, StoreError> {
        let done =
            sqlx::query("UPDATE jobs SET lease_until = $1 WHERE id = $2 AND state = 'running'")
                .bind(now_ms() - 1)
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }
}

async fn fetch_job(
    tx: &mut Transaction<'static, Any>,
    id: &str,
) -> Result<Option<JobRow>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        job_columns!(),
        " FROM jobs WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(JobRow::from_row).transpose()
}

async fn fail_exhausted(tx: &mut Transaction<'static, Any>, now: i64) -> Result<u64, StoreError> {
    let ids: Vec<String> = sqlx::query(
        "SELECT id FROM jobs WHERE state = 'running' AND lease_until < $1 AND attempts >= max_attempts",
    )
    .bind(now)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| r.try_get("id"))
    .collect::<Result<_, _>>()?;
    for id in &ids {
        sqlx::query(
            "UPDATE jobs SET state = 'failed', completed_at = $1, updated_at = $1, lease_until = NULL, \
             error = 'the render was interrupted ' || CAST(attempts AS TEXT) || ' times (the engine stopped while \
             rendering); please export again' WHERE id = $2 AND state = 'running'",
        )
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        settle_credits(tx, id, true).await?;
    }
    Ok(ids.len() as u64)
}

/// Releases a job's frozen credits: consumed on success, returned on failure/cancel.
async fn settle_credits(
    tx: &mut Transaction<'static, Any>,
    job_id: &str,
    refund: bool,
) -> Result<(), StoreError> {
    let sql = if refund {
        "UPDATE users SET credits = credits + (SELECT cost FROM jobs WHERE id = $1), \
         frozen = frozen - (SELECT cost FROM jobs WHERE id = $1) \
         WHERE id = (SELECT user_id FROM jobs WHERE id = $1)"
    } else {
        "UPDATE users SET frozen = frozen - (SELECT cost FROM jobs WHERE id = $1) \
         WHERE id = (SELECT user_id FROM jobs WHERE id = $1)"
    };
    sqlx::query(sql).bind(job_id).execute(&mut **tx).await?;
    Ok(())
}
