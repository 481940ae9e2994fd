//! Starting and stopping the engine: [`Engine::start`] binds the listener, opens the store,
//! and spawns the HTTP server and the render worker; [`RunningEngine`] is the handle.
//! [`Engine::work`] runs a render worker alone against the same database and data dir, so
//! rendering scales out to more processes (`nemo serve --no-worker` plus `nemo worker`s).

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::EngineConfig;
use crate::error::EngineError;
use crate::media_store::MediaStore;
use crate::server::{AppState, router};
use crate::store::Store;

/// Entry point.
#[derive(Debug)]
pub struct Engine;

/// A running engine. Dropping it without [`RunningEngine::shutdown`] aborts its tasks (like
/// a crash: running renders are reclaimed by the next engine when their lease expires).
#[derive(Debug)]
pub struct RunningEngine {
    base_url: String,
    addr: SocketAddr,
    shutdown: CancellationToken,
    server: Option<JoinHandle<Result<(), std::io::Error>>>,
    worker: Option<JoinHandle<()>>,
    turns: TaskTracker,
    store: Store,
}

impl Engine {
    /// Opens (or creates) the data dir, migrates the database, binds `config.listen` and
    /// starts serving. Returns once the port accepts connections.
    pub async fn start(config: EngineConfig) -> Result<RunningEngine, EngineError> {
        create_data_dirs(&config)?;
        clean_tmp(&config);
        let store = Store::open(&config.database_url()).await?;
        let media = MediaStore::local(&config.media_dir())?;
        let listener = tokio::net::TcpListener::bind(&config.listen)
            .await
            .map_err(|source| EngineError::Bind {
                addr: config.listen.clone(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| EngineError::Bind {
            addr: config.listen.clone(),
            source,
        })?;
        let base_url = format!("http://{addr}");
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| base_url.clone())
            .trim_end_matches('/')
            .to_owned();
        let turns = TaskTracker::new();
        let run_worker = config.run_worker;
        let state = app_state(config, store.clone(), media, public_url, turns.clone());
        let shutdown = CancellationToken::new();
        let app = router(state.clone());
        let server = tokio::spawn(
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown.clone().cancelled_owned())
                .into_future(),
        );
        let worker = run_worker.then(|| tokio::spawn(crate::worker::run(state, shutdown.clone())));
        tracing::info!(%base_url, "engine listening");
        Ok(RunningEngine {
            base_url,
            addr,
            shutdown,
            server: Some(server),
            worker,
            turns,
            store,
        })
    }

    /// Runs an engine until Ctrl-C, then shuts it down gracefully (`nemo serve`).
    pub async fn serve(
        config: EngineConfig,
        on_ready: impl FnOnce(&RunningEngine),
    ) -> Result<(), EngineError> {
        let engine = Self::start(config).await?;
        on_ready(&engine);
        // If the signal handler cannot be installed, run until the process is killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        engine.shutdown().await
    }

    /// Runs one render worker, without an HTTP server, on `config`'s database and data dir
    /// until `shutdown`, then hands a render in progress back to the queue. Any number of
    /// these can run beside an engine started with `run_worker: false` (`nemo worker`).
    ///
    /// It leaves the temp directory alone: the engine serving uploads may be using it.
    pub async fn work(
        config: EngineConfig,
        shutdown: CancellationToken,
    ) -> Result<(), EngineError> {
        create_data_dirs(&config)?;
        let store = Store::open(&config.database_url()).await?;
        let media = MediaStore::local(&config.media_dir())?;
        let public_url = config.public_url.clone().unwrap_or_default();
        let state = app_state(config, store.clone(), media, public_url, TaskTracker::new());
        tracing::info!("render worker started");
        crate::worker::run(state, shutdown).await;
        store.close().await;
        Ok(())
    }
}

/// The state the server's handlers and the render worker share.
fn app_state(
    config: EngineConfig,
    store: Store,
    media: MediaStore,
    public_url: String,
    turns: TaskTracker,
) -> Arc<AppState> {
    let http = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    Arc::new(AppState {
        config,
        store,
        media,
        public_url,
        http,
        turns,
        job_queued: tokio::sync::Notify::new(),
    })
}

fn create_data_dirs(config: &EngineConfig) -> Result<(), EngineError> {
    for dir in [
        config.data_dir.clone(),
        config.media_dir(),
        config.tmp_dir(),
    ] {
        std::fs::create_dir_all(&dir).map_err(|source| EngineError::DataDir {
            path: dir.clone(),
            source,
        })?;
    }
    Ok(())
}

/// Removes temp files a previous run left behind (half-received uploads, partial renders).
fn clean_tmp(config: &EngineConfig) {
    let Ok(entries) = std::fs::read_dir(config.tmp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        // Best effort: whatever cannot be removed is retried on the next start.
        let _ = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
    }
}

impl RunningEngine {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The engine's store (tests and administration: credits, job inspection).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Stops accepting requests, lets running chat turns finish and hands a render in
    /// progress back to the queue, then closes the database.
    pub async fn shutdown(mut self) -> Result<(), EngineError> {
        self.shutdown.cancel();
        if let Some(worker) = self.worker.take() {
            let _ = worker.await;
        }
        self.turns.close();
        self.turns.wait().await;
        if let Some(server) = self.server.take() {
            match server.await {
                Ok(Ok(())) | Err(_) => {}
                Ok(Err(e)) => return Err(EngineError::Serve(e)),
            }
        }
        self.store.close().await;
        Ok(())
    }

    /// Stops everything at once without any cleanup, as a crash would (tests of recovery).
    pub async fn abort(mut self) {
        for handle in [
            self.server.take().map(|h| h.abort_handle()),
            self.worker.take().map(|h| h.abort_handle()),
        ]
        .into_iter()
        .flatten()
        {
            handle.abort();
        }
        self.store.close().await;
    }
}

impl Drop for RunningEngine {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
        if let Some(worker) = self.worker.take() {
            worker.abort();
        }
    }
}
