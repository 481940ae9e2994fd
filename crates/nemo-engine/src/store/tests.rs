//! Store tests against a real `SQLite` file and, when `NEMO_TEST_POSTGRES_URL` names a server,
//! a real Postgres database (see [`on_each_backend!`]).

use serde_json::json;

use super::*;

/// Runs each named test on a fresh `SQLite` file and, when `NEMO_TEST_POSTGRES_URL` names a
/// server (CI starts one), on a fresh Postgres database: the same queries must behave the
/// same on both. Each test is an `async fn(url: &str)`.
macro_rules! on_each_backend {
    ($($test:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $test() {
                    let dir = tempfile::tempdir().unwrap();
                    super::$test(&super::sqlite_url(&dir.path().join("nemo.db"))).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test]
                async fn $test() {
                    let Some(db) = super::scratch::ScratchPostgres::create().await else {
                        return;
                    };
                    super::$test(db.url()).await;
                    db.drop_database().await;
                }
            )*
        }
    };
}

on_each_backend!(
    one_live_token_per_client_id,
    expired_tokens_are_rejected_and_can_be_renewed_for_the_same_user,
    edits_append_versions_and_undo_steps_back,
    jobs_freeze_consume_and_refund_credits,
    expired_leases_are_reclaimed_then_failed_after_max_attempts,
    failed_attempts_requeue_with_backoff_and_release_keeps_the_attempt,
    reopening_keeps_everything,
);

async fn open(url: &str) -> Store {
    Store::open(url).await.unwrap()
}

async fn user_and_session(store: &Store) -> (UserRow, SessionRow) {
    let user = store
        .issue_token("client-1", "hash-1", 100, now_ms() + 60_000)
        .await
        .unwrap();
    let session = store
        .create_session(&user.id, "project", Some("en"))
        .await
        .unwrap();
    (user, session)
}

fn job(id: &str, user: &UserRow, session: &SessionRow, cost: i64, max_attempts: i64) -> NewJob {
    NewJob {
        id: id.to_owned(),
        kind: "render".to_owned(),
        session_id: session.id.clone(),
        user_id: user.id.clone(),
        payload: json!({"draft": {}}),
        cost,
        max_attempts,
    }
}

async fn one_live_token_per_client_id(url: &str) {
    let store = open(url).await;
    let user = store
        .issue_token("c", "h1", 100, now_ms() + 60_000)
        .await
        .unwrap();
    assert!(matches!(
        store.issue_token("c", "h2", 100, now_ms() + 60_000).await,
        Err(StoreError::TokenAlreadyIssued)
    ));
    assert_eq!(
        store.user_for_token("h1").await.unwrap().unwrap().id,
        user.id
    );
    assert!(store.user_for_token("nope").await.unwrap().is_none());
}

async fn expired_tokens_are_rejected_and_can_be_renewed_for_the_same_user(url: &str) {
    let store = open(url).await;
    let user = store
        .issue_token("c", "old", 100, now_ms() - 1)
        .await
        .unwrap();
    assert!(store.user_for_token("old").await.unwrap().is_none());
    let again = store
        .issue_token("c", "new", 100, now_ms() + 60_000)
        .await
        .unwrap();
    assert_eq!(again.id, user.id);
}

async fn edits_append_versions_and_undo_steps_back(url: &str) {
    let store = open(url).await;
    let (_, session) = user_and_session(&store).await;
    let edit = |d: i64| {
        let store = store.clone();
        let id = session.id.clone();
        async move {
            store
                .edit_draft(&id, "set d", move |draft| {
                    draft.d = Some(d);
                    Ok::<_, ()>(Some(()))
                })
                .await
                .unwrap()
                .unwrap()
        }
    };
    assert_eq!(edit(1).await.map(|(v, ())| v), Some(1));
    assert_eq!(edit(2).await.map(|(v, ())| v), Some(2));
    assert_eq!(
        store.undo_draft(&session.id).await.unwrap().as_deref(),
        Some("set d")
    );
    assert_eq!(
        store.current_draft(&session.id).await.unwrap(),
        (
            1,
            RawDraft {
                d: Some(1),
                ..RawDraft::default()
            }
        )
    );
    // A new edit after undo replaces the undone version.
    assert_eq!(edit(3).await.map(|(v, ())| v), Some(2));
    assert_eq!(store.current_draft(&session.id).await.unwrap().1.d, Some(3));
    store.undo_draft(&session.id).await.unwrap();
    store.undo_draft(&session.id).await.unwrap();
    assert_eq!(
        store.undo_draft(&session.id).await.unwrap(),
        None,
        "version 0 is the floor"
    );
    // "Nothing changed" does not create a version.
    let none = store
        .edit_draft(&session.id, "noop", |_| Ok::<Option<()>, ()>(None))
        .await
        .unwrap()
        .unwrap();
    assert!(none.is_none());
}

async fn jobs_freeze_consume_and_refund_credits(url: &str) {
    let store = open(url).await;
    let (user, session) = user_and_session(&store).await;
    store
        .enqueue_job(&job("r1", &user, &session, 30, 3))
        .await
        .unwrap();
    let u = store.user(&user.id).await.unwrap().unwrap();
    assert_eq!((u.credits, u.frozen), (70, 30));
    assert!(matches!(
        store.enqueue_job(&job("r1", &user, &session, 30, 3)).await,
        Err(EnqueueError::Duplicate(_))
    ));
    store
        .enqueue_job(&job("r2", &user, &session, 30, 3))
        .await
        .unwrap();
    store
        .enqueue_job(&job("r3", &user, &session, 30, 3))
        .await
        .unwrap();
    match store.enqueue_job(&job("r4", &user, &session, 30, 3)).await {
        Err(EnqueueError::NoCredits {
            needed: 30,
            available: 10,
        }) => {}
        other => panic!("expected NoCredits, got {other:?}"),
    }
    let claimed = store
        .claim_job("render", "w1", 60_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (claimed.id.as_str(), claimed.attempts, claimed.state),
        ("r1", 1, JobState::Running)
    );
    let output = JobOutput {
        key: "k".to_owned(),
        sha256: "s".to_owned(),
        size: 1,
        duration_ms: 1000,
    };
    assert!(
        !store
            .complete_job("r1", "someone-else", &output)
            .await
            .unwrap(),
        "guarded by worker id"
    );
    assert!(store.complete_job("r1", "w1", &output).await.unwrap());
    assert_eq!(
        store.cancel_job("r2").await.unwrap(),
        Some(JobState::Cancelled)
    );
    let u = store.user(&user.id).await.unwrap().unwrap();
    assert_eq!(
        (u.credits, u.frozen),
        (40, 30),
        "r1 consumed, r2 refunded, r3 frozen"
    );
}

async fn expired_leases_are_reclaimed_then_failed_after_max_attempts(url: &str) {
    let store = open(url).await;
    let (user, session) = user_and_session(&store).await;
    store
        .enqueue_job(&job("r1", &user, &session, 10, 2))
        .await
        .unwrap();
    let first = store
        .claim_job("render", "w1", 60_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.attempts, 1);
    assert!(
        store
            .claim_job("render", "w2", 60_000)
            .await
            .unwrap()
            .is_none(),
        "live lease is not stolen"
    );
    store.expire_lease("r1").await.unwrap();
    let second = store
        .claim_job("render", "w2", 60_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((second.attempts, second.worker.as_deref()), (2, Some("w2")));
    assert!(
        !store
            .heartbeat_job("r1", "w1", 60_000, Some(50.0))
            .await
            .unwrap(),
        "the old worker lost it"
    );
    assert!(
        store
            .heartbeat_job("r1", "w2", 60_000, Some(50.0))
            .await
            .unwrap()
    );
    assert!((store.job("r1").await.unwrap().unwrap().progress - 50.0).abs() < 1e-9);
    store.expire_lease("r1").await.unwrap();
    assert!(
        store
            .claim_job("render", "w3", 60_000)
            .await
            .unwrap()
            .is_none()
    );
    let failed = store.job("r1").await.unwrap().unwrap();
    assert_eq!(failed.state, JobState::Failed);
    assert!(
        failed
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("interrupted 2 times"),
        "{:?}",
        failed.error
    );
    let u = store.user(&user.id).await.unwrap().unwrap();
    assert_eq!((u.credits, u.frozen), (100, 0), "refunded");
}

async fn failed_attempts_requeue_with_backoff_and_release_keeps_the_attempt(url: &str) {
    let store = open(url).await;
    let (user, session) = user_and_session(&store).await;
    store
        .enqueue_job(&job("r1", &user, &session, 0, 2))
        .await
        .unwrap();
    store
        .claim_job("render", "w1", 60_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store
            .fail_job("r1", "w1", "disk full", true, 60_000)
            .await
            .unwrap(),
        JobState::Queued
    );
    assert!(
        store
            .claim_job("render", "w1", 60_000)
            .await
            .unwrap()
            .is_none(),
        "backoff not over"
    );
    let (_dir2, store2) = (0, store.clone());
    sqlx::query("UPDATE jobs SET run_at = 0")
        .execute(&store2.pool)
        .await
        .unwrap();
    let again = store
        .claim_job("render", "w1", 60_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.attempts, 2);
    assert!(store.release_job("r1", "w1").await.unwrap());
    assert_eq!(store.job("r1").await.unwrap().unwrap().attempts, 1);
    store
        .claim_job("render", "w1", 60_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store.fail_job("r1", "w1", "broken", true, 0).await.unwrap(),
        JobState::Failed,
        "no attempts left"
    );
}

async fn reopening_keeps_everything(url: &str) {
    let session_id = {
        let store = open(url).await;
        let (_, session) = user_and_session(&store).await;
        store
            .add_message(&session.id, "user", "hello", None)
            .await
            .unwrap();
        store.close().await;
        session.id
    };
    let store = open(url).await;
    assert!(store.session(&session_id).await.unwrap().is_some());
    assert_eq!(
        store.messages(&session_id).await.unwrap()[0].content,
        "hello"
    );
    if store.backend() == Backend::Sqlite {
        let mode: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&store.pool)
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        assert_eq!(mode, "wal");
    }
    store.close().await;
}
