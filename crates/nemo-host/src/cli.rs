//! The `nemo` command line (clap derive). Only definitions live here; `commands/` runs them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// nemo: music-backed videos from your clips, by chatting (English or 中文).
///
/// With no command, nemo starts a chat. Work runs on the embedded engine on this machine
/// unless `--api-url` (or `api_url` in the config) points at a NemoVideo server.
#[derive(Debug, Parser)]
#[command(name = "nemo", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags every command accepts.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// Platform plugin to use (clawhub, cursor, unknown); detected when omitted.
    #[arg(long, global = true, value_name = "NAME")]
    pub plugin: Option<String>,
    /// Print one JSON object on stdout instead of text (for scripts and agents).
    #[arg(long, global = true)]
    pub json: bool,
    /// API base URL; omit to use the embedded engine.
    #[arg(long, global = true, value_name = "URL")]
    pub api_url: Option<String>,
    /// Where the embedded engine keeps its database and media.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The skill's install directory, for platform detection (defaults to the current directory).
    #[arg(long, global = true, value_name = "DIR", env = "NEMO_SKILL_DIR")]
    pub skill_dir: Option<PathBuf>,
    /// More log output on stderr (-v, -vv).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Upload clips, ask for what you want, and export the MP4 in one go.
    Run(RunArgs),
    /// Chat with the editor (the default when no command is given).
    Chat(ChatArgs),
    /// Upload files or URLs into the current project.
    Upload(UploadArgs),
    /// Show the current project's timeline.
    Status,
    /// Show your credit balance.
    Credits,
    /// Render the current project and download the MP4.
    Export(ExportArgs),
    /// Compose and synthesise a background track (no project needed).
    Music(crate::commands::music::MusicArgs),
    /// Analyse clips: mood, pace, cuts, speech, and the music that would fit.
    Analyze(crate::commands::analyze::AnalyzeArgs),
    /// Run the embedded engine alone (for `--api-url` clients) until Ctrl-C.
    Serve(crate::commands::serve::ServeArgs),
    /// Render queued jobs for an engine started with `serve --no-worker`, until Ctrl-C.
    Worker(crate::commands::serve::WorkerArgs),
    /// Platform plugins.
    Plugins {
        #[command(subcommand)]
        action: PluginsAction,
    },
    /// Configuration.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Video, image or audio files (or http/https URLs). None: nemo generates the visuals.
    #[arg(value_name = "CLIPS")]
    pub clips: Vec<String>,
    /// What you want, e.g. "add calm background music that matches the mood".
    #[arg(short, long)]
    pub prompt: String,
    /// Where to write the MP4.
    #[arg(short, long, value_name = "FILE", default_value = "nemo-output.mp4")]
    pub output: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct ChatArgs {
    /// Start a new project instead of continuing the last one.
    #[arg(long)]
    pub new: bool,
}

#[derive(Debug, Clone, Args)]
pub struct UploadArgs {
    /// Files or http/https URLs.
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Where to write the MP4.
    #[arg(short, long, value_name = "FILE", default_value = "nemo-output.mp4")]
    pub output: PathBuf,
}

#[derive(Debug, Clone, Subcommand)]
pub enum PluginsAction {
    /// Show the detected platform (and why) and every plugin found, with its ABI.
    List,
}

#[derive(Debug, Clone, Subcommand)]
pub enum ConfigAction {
    /// Show the effective configuration (secrets redacted) and where each value came from.
    Show,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        super::Cli::command().debug_assert();
    }
}
