//! `POST /run_sse`: one chat turn as simple typed SSE events
//! (`{"type":"text"|"tool_call"|"tool_result"|"heartbeat"|"error",...}`).
//!
//! The turn runs in its own task that persists its result, so a client that disconnects does
//! not stop the edit; the response stream only forwards the task's events. Heartbeats go out
//! whenever the turn is quiet for `sse_heartbeat`, and the stream closes when the turn ends.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use futures_util::StreamExt;
use nemo_protocol::{RunSseRequest, SimpleEvent};
use serde_json::json;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::AppState;
use crate::agent::{TurnContext, run_turn};
use crate::error::ApiError;

const EVENT_BUFFER: usize = 64;

fn to_sse(event: &SimpleEvent) -> Event {
    Event::default().data(serde_json::to_string(event).unwrap_or_else(|_| "{}".to_owned()))
}

pub(crate) async fn run_sse(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(request): Json<RunSseRequest>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let user = state.authenticate(&headers).await?;
    let session = state.owned_session(&user, &request.session_id).await?;
    let message = request.new_message.text();
    if message.trim().is_empty() {
        return Err(ApiError::bad_request("the message is empty"));
    }
    state
        .store
        .add_message(&session.id, "user", &message, None)
        .await?;

    let (tx, rx) = mpsc::channel::<SimpleEvent>(EVENT_BUFFER);
    let ctx = TurnContext {
        store: state.store.clone(),
        media: state.media.clone(),
    };
    let session_id = session.id.clone();
    state.turns.spawn(async move {
        let (content, events) = match run_turn(&ctx, &session_id, &message, &tx).await {
            Ok(outcome) => (outcome.reply, outcome.events),
            Err(e) => {
                tracing::error!(error = %e, "chat turn failed");
                let content = "Sorry, something went wrong while editing; nothing was changed. Please try again.".to_owned();
                let event = SimpleEvent::Error { content: content.clone() };
                let _ = tx.send(event.clone()).await;
                (content, vec![event])
            }
        };
        let events = serde_json::to_value(&events).unwrap_or_else(|_| json!([]));
        if let Err(e) = ctx.store.add_message(&session_id, "assistant", &content, Some(&events)).await {
            tracing::error!(error = %e, "could not save the assistant's reply");
        }
    });

    let stream = ReceiverStream::new(rx).map(|event| Ok(to_sse(&event)));
    let heartbeat = to_sse(&SimpleEvent::Heartbeat);
    Ok(Sse::new(stream).keep_alive(
        KeepAlive::new()
            .interval(state.config.sse_heartbeat)
            .event(heartbeat),
    ))
}
