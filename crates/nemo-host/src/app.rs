//! Wiring of one invocation: configuration, platform detection and plugin, the backend
//! (embedded engine or a remote URL), the API client and the session. No business logic.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use nemo_client::{Client, Session, SessionOptions};
use nemo_config::{ApiTarget, Config, DEFAULT_RENDER_POLL_INTERVAL_SECS, Overrides, env_vars};
use nemo_engine::{Engine, EngineConfig, RunningEngine};
use nemo_plugin_host::{
    AttributionContext, DetectInputs, Detection, Manifest, Registry, SearchPaths, UxEvent, detect,
};

use crate::cli::GlobalArgs;
use crate::exit::Failure;
use crate::output::Output;
use crate::projects::Projects;
use crate::update_check::UpdateCheck;

/// How often renders on the embedded engine are polled.
const EMBEDDED_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_millis(500);

/// Configuration, platform and output: everything a command needs before talking to an API.
#[derive(Debug)]
pub(crate) struct Context {
    pub(crate) config: Config,
    pub(crate) config_dir: Option<PathBuf>,
    pub(crate) registry: Registry,
    pub(crate) detection: Detection,
    pub(crate) out: Output,
}

impl Context {
    pub(crate) fn load(global: &GlobalArgs) -> Result<Self, Failure> {
        let overrides = Overrides {
            api_url: global.api_url.clone(),
            platform: global.plugin.clone(),
            data_dir: global.data_dir.clone(),
            ..Overrides::default()
        };
        let config_dir = nemo_config::config_dir().ok();
        let config = match &config_dir {
            Some(dir) => Config::load_in(dir, &overrides),
            None => Config::load(&overrides),
        }
        .map_err(|e| {
            Failure::usage(format!("{e:#}"))
                .with_hint("check ~/.config/nemovideo/config.toml and NEMO_* variables")
        })?;
        let home = dirs_home();
        let registry = Registry::discover(&SearchPaths::for_current_exe(
            home.as_deref(),
            &config.plugin_dirs,
        ));
        if let Some(failure) = explicit_plugin_failure(global, &registry) {
            return Err(failure);
        }
        let detection = detect_platform(global, &registry.manifests(), home);
        let platform = registry.platform_for(&detection);
        let out = Output::new(global.json, platform);
        Ok(Self {
            config,
            config_dir,
            registry,
            detection,
            out,
        })
    }

    /// The attribution headers every request carries.
    fn attribution(&self) -> nemo_plugin_host::Headers {
        let ctx = AttributionContext {
            skill_name: self.config.skill_name.clone(),
            skill_version: self.skill_version(),
            platform: self.detection.platform.clone(),
        };
        self.out.platform().headers(&ctx)
    }

    /// The skill version this client reports (configured, or this build's).
    fn skill_version(&self) -> String {
        self.config
            .skill_version
            .clone()
            .unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_owned())
    }

    /// The weekly ClawHub update check, when the skill runs on ClawHub and has a config dir
    /// to remember it in.
    pub(crate) fn update_check(&self) -> Option<UpdateCheck> {
        if self.detection.platform != "clawhub" {
            return None;
        }
        Some(UpdateCheck {
            skill: self.config.skill_name.clone(),
            current: self.skill_version(),
            config_dir: self.config_dir.clone()?,
        })
    }
}

/// `--plugin NAME` names a plugin whose library exists but failed to load: that is an error
/// (exit code 3), not something to paper over with the built-in fallback.
fn explicit_plugin_failure(global: &GlobalArgs, registry: &Registry) -> Option<Failure> {
    let wanted = global.plugin.as_deref()?;
    let (_, error) = registry
        .failures()
        .iter()
        .find(|(name, _)| name.to_string() == wanted)?;
    Some(
        Failure::plugin(anyhow::anyhow!("plugin `{wanted}` could not be loaded: {error}"))
            .with_hint("rebuild the plugins with `cargo xtask plugins build`, or omit --plugin to use the built-in wording"),
    )
}

fn dirs_home() -> Option<PathBuf> {
    dirs::home_dir()
}

/// Detection inputs from the flag, `SKILL_SOURCE`, the skill directory and the environment
/// variables the manifests name (only names are looked at, never values).
fn detect_platform(
    global: &GlobalArgs,
    manifests: &[Manifest],
    home: Option<PathBuf>,
) -> Detection {
    let mut env_names = Vec::new();
    for manifest in manifests {
        for name in &manifest.markers.env_vars {
            if env_vars::var(name).is_some() {
                env_names.push(name.clone());
            }
        }
        for prefix in &manifest.markers.env_prefixes {
            env_names.extend(env_vars::names_with_prefix(prefix));
        }
    }
    let skill_dir = global
        .skill_dir
        .clone()
        .or_else(|| std::env::current_dir().ok());
    let inputs = DetectInputs {
        flag: global.plugin.clone(),
        skill_source_env: env_vars::var(env_vars::SKILL_SOURCE),
        skill_dir: skill_dir.map(|d| std::fs::canonicalize(&d).unwrap_or(d)),
        home,
        env_names,
        file_exists: &|path: &Path| path.is_file(),
    };
    detect(&inputs, manifests)
}

/// A connected command: the context plus a session on the chosen backend.
#[derive(Debug)]
pub(crate) struct Connected {
    pub(crate) ctx: Context,
    pub(crate) session: Session,
    engine: Option<RunningEngine>,
    target_key: String,
    projects: Option<Projects>,
}

impl Connected {
    /// Starts the embedded engine when no remote API is configured, then builds the client.
    /// `resume` picks up the project this target worked on last time.
    pub(crate) async fn connect(ctx: Context, resume: bool) -> Result<Self, Failure> {
        let (base_url, engine, target_key) = match ctx.config.api_target() {
            ApiTarget::Remote(url) => (url.clone(), None, url),
            ApiTarget::Embedded => {
                let data_dir = ctx
                    .config
                    .data_dir()
                    .map_err(|e| Failure::local(e.into()))?;
                let engine = start_engine(&ctx.config, &data_dir).await?;
                let key = format!("embedded:{}", data_dir.display());
                (engine.base_url().to_owned(), Some(engine), key)
            }
        };
        let client = build_client(&ctx, &base_url)?;
        let mut options =
            SessionOptions::from_config(&ctx.config, ctx.config_dir.as_deref(), &target_key);
        if engine.is_some()
            && ctx.config.render_poll_interval_secs == DEFAULT_RENDER_POLL_INTERVAL_SECS
        {
            // The 30 s cadence is the cloud's; polling our own loopback engine costs nothing.
            options.poll_policy.interval = EMBEDDED_POLL_INTERVAL;
        }
        let projects = ctx.config_dir.as_deref().map(Projects::new);
        let mut session = Session::new(client, options);
        if resume && let Some(ids) = projects.as_ref().and_then(|p| p.load(&target_key)) {
            session = session.with_ids(ids);
        }
        Ok(Self {
            ctx,
            session,
            engine,
            target_key,
            projects,
        })
    }

    /// True when talking to a remote API (the cloud), false for the embedded engine.
    pub(crate) fn is_remote(&self) -> bool {
        self.engine.is_none()
    }

    pub(crate) fn out(&self) -> &Output {
        &self.ctx.out
    }

    /// Token and project, with the platform's "Setting things up..." on first contact.
    pub(crate) async fn ensure_project(&mut self) -> Result<(), Failure> {
        if self.session.ids().is_none() {
            self.ctx.out.status(&UxEvent::SettingUp);
        }
        let ids = self.session.ensure_session().await?;
        self.remember_project(&ids);
        Ok(())
    }

    /// Saves the current project so later commands continue it.
    pub(crate) fn remember_project(&self, ids: &nemo_client::SessionIds) {
        if let Some(projects) = &self.projects
            && let Err(error) = projects.save(&self.target_key, ids)
        {
            tracing::warn!(
                error = format!("{error:#}"),
                "could not remember the project"
            );
        }
    }

    /// Stops the embedded engine gracefully (running turns finish and persist).
    pub(crate) async fn close(self) {
        if let Some(ids) = self.session.ids() {
            self.remember_project(ids);
        }
        if let Some(engine) = self.engine
            && let Err(error) = engine.shutdown().await
        {
            tracing::warn!(%error, "engine did not shut down cleanly");
        }
    }
}

async fn start_engine(config: &Config, data_dir: &Path) -> Result<RunningEngine, Failure> {
    let mut engine_config = EngineConfig::new(data_dir);
    if !config.local_unlimited_credits {
        engine_config.credits = nemo_engine::CreditPolicy::Metered {
            initial: 100,
            render_cost: 10,
        };
    }
    Engine::start(engine_config)
        .await
        .context("starting the embedded engine")
        .map_err(|e| {
            Failure::local(e)
                .with_hint("run with -v for details, or set --api-url to use a remote server")
        })
}

fn build_client(ctx: &Context, base_url: &str) -> Result<Client, Failure> {
    let mut builder = Client::builder(base_url)
        .config(&ctx.config)
        .attribution(ctx.attribution());
    if let Some(dir) = &ctx.config_dir {
        let client_id = ctx
            .config
            .resolve_client_id(dir)
            .map_err(|e| Failure::local(e.into()))?;
        builder = builder.client_id(client_id);
    }
    builder.build().map_err(Failure::from)
}
