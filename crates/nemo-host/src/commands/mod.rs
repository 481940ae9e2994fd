//! One function per subcommand. Commands that need an API connect first (starting the
//! embedded engine when no remote API is configured); local tools (`music`, `analyze`,
//! `serve`, `worker`, `plugins`, `config`) do not.

pub mod analyze;
mod chat;
mod info;
pub mod music;
mod project;
pub mod serve;

use std::future::Future;

use crate::app::{Connected, Context};
use crate::cli::{ChatArgs, Cli, Command, ConfigAction, PluginsAction};
use crate::exit::Failure;

pub(crate) async fn run(cli: Cli) -> Result<(), Failure> {
    let command = cli
        .command
        .unwrap_or(Command::Chat(ChatArgs { new: false }));
    match command {
        Command::Plugins {
            action: PluginsAction::List,
        } => {
            info::plugins_list(&Context::load(&cli.global)?);
            Ok(())
        }
        Command::Config {
            action: ConfigAction::Show,
        } => info::config_show(&Context::load(&cli.global)?),
        Command::Music(args) => compose_music(&Context::load(&cli.global)?, args).await,
        Command::Analyze(mut args) => {
            args.json = cli.global.json;
            let text = cancellable_local(analyze::run(args)).await?;
            crate::output::Output::raw(&text);
            Ok(())
        }
        Command::Serve(mut args) => {
            args.storage.data_dir = Context::load(&cli.global)?.config.data_dir().ok();
            cancellable_local(serve::run(args)).await
        }
        Command::Worker(mut args) => {
            args.storage.data_dir = Context::load(&cli.global)?.config.data_dir().ok();
            // Not `cancellable_local`: Ctrl-C must reach the worker so it hands its job back.
            serve::work(args).await.map_err(Failure::local)
        }
        other => {
            let resume = !matches!(
                &other,
                Command::Run(_) | Command::Chat(ChatArgs { new: true })
            );
            let ctx = Context::load(&cli.global)?;
            let update = ctx.update_check().map(|check| tokio::spawn(check.notice()));
            let mut app = Connected::connect(ctx, resume).await?;
            let result = cancellable(dispatch(&mut app, other)).await;
            app.close().await;
            if let Some(update) = update {
                // Only after a command that worked; otherwise the check runs next time.
                if result.is_err() {
                    update.abort();
                } else if let Ok(Some(notice)) = update.await {
                    crate::output::Output::note(&notice);
                }
            }
            result
        }
    }
}

async fn dispatch(app: &mut Connected, command: Command) -> Result<(), Failure> {
    match command {
        Command::Run(args) => project::run(app, &args).await,
        Command::Chat(_) => chat::repl(app).await,
        Command::Upload(args) => project::upload(app, &args.files).await,
        Command::Status => project::status(app).await,
        Command::Credits => project::credits(app).await,
        Command::Export(args) => project::export(app, &args.output).await.map(|_| ()),
        Command::Plugins { .. }
        | Command::Config { .. }
        | Command::Music(_)
        | Command::Analyze(_)
        | Command::Serve(_)
        | Command::Worker(_) => Ok(()),
    }
}

/// `nemo music`: composition and synthesis are CPU-bound, so they run off the async threads.
async fn compose_music(ctx: &Context, args: music::MusicArgs) -> Result<(), Failure> {
    let soundfont = ctx.config.soundfont.clone();
    let work =
        tokio::task::spawn_blocking(move || music::run_with_config(&args, soundfont.as_deref()));
    let summary = tokio::select! {
        joined = work => joined.map_err(|e| Failure::local(e.into()))?.map_err(Failure::local)?,
        _ = tokio::signal::ctrl_c() => return Err(Failure::cancelled()),
    };
    if let Some(warning) = &summary.warning {
        ctx.out.status(&nemo_plugin_host::UxEvent::Reply {
            text: warning.clone(),
        });
    }
    let report = &summary.report;
    ctx.out.json(&serde_json::json!({
        "output": summary.output.display().to_string(),
        "midi": summary.midi.as_ref().map(|m| m.display().to_string()),
        "seed": summary.seed,
        "summary": report.summary_line(),
        "render_seconds": summary.render_time.as_secs_f64(),
    }));
    ctx.out.text(&summary.line());
    Ok(())
}

/// A local command (no API) that fails with an `anyhow` error, cancellable with Ctrl-C.
async fn cancellable_local<T>(work: impl Future<Output = anyhow::Result<T>>) -> Result<T, Failure> {
    tokio::select! {
        result = work => result.map_err(Failure::local),
        _ = tokio::signal::ctrl_c() => Err(Failure::cancelled()),
    }
}

/// Runs `work` until it finishes or the user presses Ctrl-C. Outputs are written to temporary
/// files and renamed when complete, so cancelling never leaves a half-written file.
async fn cancellable(work: impl Future<Output = Result<(), Failure>>) -> Result<(), Failure> {
    tokio::select! {
        result = work => result,
        _ = tokio::signal::ctrl_c() => Err(Failure::cancelled()),
    }
}
