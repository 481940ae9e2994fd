//! `nemo chat` (and `nemo` alone): a line-by-line conversation. Each line is routed first
//! (export, credits, status and upload are handled here; everything else goes to the agent),
//! exactly as the skill's routing table says.

#![expect(clippy::print_stderr, reason = "the REPL prompt goes to stderr")]

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use nemo_plugin_host::UxEvent;
use nemo_router::Route;
use tokio::io::{AsyncBufReadExt, BufReader};

use super::project;
use crate::app::Connected;
use crate::exit::Failure;

const DEFAULT_EXPORT: &str = "nemo-output.mp4";

pub(crate) async fn repl(app: &mut Connected) -> Result<(), Failure> {
    let interactive = std::io::stdin().is_terminal();
    app.ensure_project().await?;
    app.out().status(&UxEvent::Connected);
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        if interactive {
            eprint!("> ");
        }
        let Ok(Some(line)) = lines.next_line().await else {
            break;
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if matches!(
            line.to_lowercase().as_str(),
            "quit" | "exit" | "bye" | "退出"
        ) {
            break;
        }
        // One failed line does not end the conversation: report it and keep going.
        if let Err(failure) = handle_line(app, line).await {
            app.out().say(&UxEvent::Error {
                code: None,
                http_status: None,
                message: failure.message(),
                hint: failure.hint.clone(),
            });
        }
    }
    Ok(())
}

async fn handle_line(app: &mut Connected, line: &str) -> Result<(), Failure> {
    match nemo_router::route(line, &[]) {
        Route::Export => export_here(app).await,
        Route::ChatThenExport(text) => {
            project::chat_turn(app, &text).await?;
            export_here(app).await
        }
        Route::Credits => project::credits(app).await,
        Route::Status => project::status(app).await,
        Route::Upload(files) if files.is_empty() => {
            app.out().say(&UxEvent::Reply {
                text: "Which file? Give a path or an http/https link, e.g. `upload ~/clips/beach.mp4`.".to_owned(),
            });
            Ok(())
        }
        Route::Upload(files) => {
            project::upload(app, &files).await?;
            match nemo_router::upload_follow_up(line) {
                Some(instruction) => project::chat_turn(app, &instruction).await.map(|_| ()),
                None => Ok(()),
            }
        }
        Route::Chat(text) => project::chat_turn(app, &text).await.map(|_| ()),
    }
}

async fn export_here(app: &mut Connected) -> Result<(), Failure> {
    let path: PathBuf = project::unused_path(Path::new(DEFAULT_EXPORT));
    project::export(app, &path).await.map(|_| ())
}
