//! `POST /run_sse`: one chat turn as a stream of classified events.
//!
//! Protocol rules (§4.2, §13) kept here: both event shapes are read (via
//! [`nemo_protocol::classify_sse_data`]); heartbeats and empty `data:` keep the turn alive; EOF
//! ends the turn; one turn has a per-request limit (15 min by default) and a turn that sends
//! nothing but heartbeats for 10 min counts as timed out; the POST is never retried here.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures_util::{Stream, StreamExt};
use nemo_protocol::{RunSseRequest, SseEvent, classify_sse_data, paths};
use reqwest::Method;
use serde_json::Value;
use tokio::time::Instant;

use crate::client::{Client, Endpoint, is_json, unwrap_response};
use crate::error::Error;

/// One event of a chat turn.
#[derive(Debug, Clone, PartialEq)]
pub enum TurnEvent {
    /// Text for the user (still to be translated for the platform).
    Text(String),
    /// A partial chunk of text (`partial: true` events).
    Chunk(String),
    /// The agent called a tool. Internal: show at most a progress label.
    ToolCall { name: String, args: Value },
    /// A tool returned. Internal.
    ToolResult { name: String, result: Value },
    /// Keep-alive; the turn is still running.
    Heartbeat,
}

impl TurnEvent {
    /// True for tool calls and results, which are never shown to users verbatim.
    pub fn is_tool(&self) -> bool {
        matches!(self, Self::ToolCall { .. } | Self::ToolResult { .. })
    }
}

/// What a whole turn said and did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TurnSummary {
    /// The user-facing text: full text events joined by blank lines, or the concatenated
    /// chunks when the server only streamed chunks.
    pub text: String,
    /// Names of the tools the agent called, in order.
    pub tool_calls: Vec<String>,
    /// Number of heartbeats received.
    pub heartbeats: u32,
    /// True when a trailing "temporary issue" message was dropped after normal output
    /// (a known backend quirk, protocol §4.2).
    pub dropped_spurious_error: bool,
}

impl TurnSummary {
    /// A silent turn ended without any text (about 30% of edit turns): the caller should
    /// fetch the state and describe what changed.
    pub fn is_silent(&self) -> bool {
        self.text.trim().is_empty()
    }
}

type EventStream =
    Pin<Box<dyn Stream<Item = Result<Event, EventStreamError<reqwest::Error>>> + Send>>;

/// The events of one running turn. Ends at EOF; yields at most one error, then ends.
pub struct TurnStream {
    inner: Pin<Box<dyn Stream<Item = Result<TurnEvent, Error>> + Send>>,
}

impl std::fmt::Debug for TurnStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnStream").finish_non_exhaustive()
    }
}

impl Stream for TurnStream {
    type Item = Result<TurnEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

struct StreamState {
    events: EventStream,
    queue: VecDeque<Result<TurnEvent, Error>>,
    last_activity: Instant,
    idle_limit: Duration,
    total_limit: Duration,
    label: String,
    done: bool,
}

impl TurnStream {
    fn empty() -> Self {
        Self {
            inner: Box::pin(futures_util::stream::empty()),
        }
    }

    fn new(
        events: EventStream,
        label: String,
        idle_limit: Duration,
        total_limit: Duration,
    ) -> Self {
        let state = StreamState {
            events,
            queue: VecDeque::new(),
            last_activity: Instant::now(),
            idle_limit,
            total_limit,
            label,
            done: false,
        };
        Self {
            inner: Box::pin(futures_util::stream::unfold(state, next_event)),
        }
    }

    /// Consumes the turn, calling `on_event` for every event, and summarises it.
    ///
    /// # Cancel safety
    /// Not cancel safe: dropping it abandons the turn; the server keeps working on it (never
    /// resend the message; read the state instead).
    pub async fn finish(self, on_event: impl FnMut(&TurnEvent)) -> Result<TurnSummary, Error> {
        let (summary, error) = self.collect_partial(on_event).await;
        match error {
            Some(error) => Err(error),
            None => Ok(summary),
        }
    }

    /// Like [`TurnStream::finish`] but keeps what arrived before an error.
    pub(crate) async fn collect_partial(
        mut self,
        mut on_event: impl FnMut(&TurnEvent),
    ) -> (TurnSummary, Option<Error>) {
        let mut builder = SummaryBuilder::default();
        while let Some(item) = self.next().await {
            match item {
                Ok(event) => {
                    on_event(&event);
                    builder.add(event);
                }
                Err(error) => return (builder.finish(), Some(error)),
            }
        }
        (builder.finish(), None)
    }
}

async fn next_event(mut st: StreamState) -> Option<(Result<TurnEvent, Error>, StreamState)> {
    loop {
        if let Some(item) = st.queue.pop_front() {
            return Some((item, st));
        }
        if st.done {
            return None;
        }
        let idle_left = st.idle_limit.saturating_sub(st.last_activity.elapsed());
        let Ok(next) = tokio::time::timeout(idle_left, st.events.next()).await else {
            st.done = true;
            return Some((Err(Error::timeout(&st.label, st.idle_limit)), st));
        };
        match next {
            None => return None,
            Some(Err(err)) => {
                st.done = true;
                let error = match err {
                    EventStreamError::Transport(e) if e.is_timeout() => {
                        Error::timeout(&st.label, st.total_limit)
                    }
                    EventStreamError::Transport(e) => Error::transport(&st.label, e),
                    EventStreamError::Utf8(e) => Error::decode(&st.label, e),
                    EventStreamError::Parser(e) => Error::decode(&st.label, e.to_string()),
                };
                return Some((Err(error), st));
            }
            Some(Ok(event)) => st.classify(&event.data),
        }
    }
}

impl StreamState {
    fn classify(&mut self, data: &str) {
        for event in classify_sse_data(data) {
            let turn_event = match event {
                SseEvent::Text(text) => TurnEvent::Text(text),
                SseEvent::Chunk(text) => TurnEvent::Chunk(text),
                SseEvent::ToolCall { name, args } => TurnEvent::ToolCall { name, args },
                SseEvent::ToolResult { name, result } => TurnEvent::ToolResult { name, result },
                SseEvent::Heartbeat => {
                    self.queue.push_back(Ok(TurnEvent::Heartbeat));
                    continue;
                }
                SseEvent::Error(message) => {
                    self.done = true;
                    self.queue.push_back(Err(Error::stream(&message)));
                    return;
                }
                SseEvent::Unknown => {
                    tracing::debug!(
                        bytes = data.len(),
                        "ignored an SSE payload of unknown shape"
                    );
                    continue;
                }
            };
            self.last_activity = Instant::now();
            self.queue.push_back(Ok(turn_event));
        }
    }
}

#[derive(Default)]
struct SummaryBuilder {
    texts: Vec<String>,
    chunks: String,
    tool_calls: Vec<String>,
    heartbeats: u32,
}

impl SummaryBuilder {
    fn add(&mut self, event: TurnEvent) {
        match event {
            TurnEvent::Text(text) if !text.trim().is_empty() => self.texts.push(text),
            TurnEvent::Chunk(text) => self.chunks.push_str(&text),
            TurnEvent::ToolCall { name, .. } => self.tool_calls.push(name),
            TurnEvent::Heartbeat => self.heartbeats += 1,
            TurnEvent::Text(_) | TurnEvent::ToolResult { .. } => {}
        }
    }

    fn finish(mut self) -> TurnSummary {
        let dropped_spurious_error = self.texts.len() > 1
            && self
                .texts
                .last()
                .is_some_and(|t| t.to_lowercase().contains("temporary issue"));
        if dropped_spurious_error {
            self.texts.pop();
        }
        let text = if self.texts.is_empty() {
            self.chunks
        } else {
            self.texts.join("\n\n")
        };
        TurnSummary {
            text,
            tool_calls: self.tool_calls,
            heartbeats: self.heartbeats,
            dropped_spurious_error,
        }
    }
}

impl Client {
    /// Sends one chat message and returns the turn's event stream once the server accepted it.
    /// Errors before streaming starts (HTTP status, an error envelope) are returned here; the
    /// [`crate::Session`] may retry those. Nothing here retries the POST.
    ///
    /// # Cancel safety
    /// Not cancel safe: once sent, the turn runs server-side (and costs credits) even if this
    /// future or the stream is dropped.
    pub async fn run_sse(&self, session_id: &str, text: &str) -> Result<TurnStream, Error> {
        let endpoint = Endpoint::new(Method::POST, paths::RUN_SSE);
        let label = endpoint.label();
        let response = self
            .request(&endpoint)
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .json(&RunSseRequest::new(session_id, text))
            .timeout(self.sse_timeout())
            .send()
            .await
            .map_err(|e| Error::transport(&label, e))?;
        let status = response.status();
        if !status.is_success() || is_json(&response) {
            let bytes = response
                .bytes()
                .await
                .map_err(|e| Error::transport(&label, e))?;
            unwrap_response(&label, status, serde_json::from_slice(&bytes).ok())?;
            // A successful JSON envelope instead of a stream: nothing to show.
            return Ok(TurnStream::empty());
        }
        let events: EventStream = Box::pin(response.bytes_stream().eventsource());
        Ok(TurnStream::new(
            events,
            label,
            self.sse_idle_timeout(),
            self.sse_timeout(),
        ))
    }

    /// Runs one turn to its end: [`Client::run_sse`] then [`TurnStream::finish`].
    ///
    /// # Cancel safety
    /// Not cancel safe (see [`Client::run_sse`]).
    pub async fn run_turn(
        &self,
        session_id: &str,
        text: &str,
        on_event: impl FnMut(&TurnEvent),
    ) -> Result<TurnSummary, Error> {
        self.run_sse(session_id, text).await?.finish(on_event).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summarise(events: Vec<TurnEvent>) -> TurnSummary {
        let mut b = SummaryBuilder::default();
        for e in events {
            b.add(e);
        }
        b.finish()
    }

    #[test]
    fn a_turn_with_only_tools_is_silent() {
        let s = summarise(vec![
            TurnEvent::Heartbeat,
            TurnEvent::ToolCall {
                name: "edit_multitrack".into(),
                args: Value::Null,
            },
            TurnEvent::ToolResult {
                name: "edit_multitrack".into(),
                result: Value::Null,
            },
            TurnEvent::Text("   ".into()),
        ]);
        assert!(s.is_silent());
        assert_eq!(s.tool_calls, vec!["edit_multitrack"]);
        assert_eq!(s.heartbeats, 1);
    }

    #[test]
    fn chunks_are_used_only_without_full_text() {
        let chunks = summarise(vec![
            TurnEvent::Chunk("Hel".into()),
            TurnEvent::Chunk("lo".into()),
        ]);
        assert_eq!(chunks.text, "Hello");
        let full = summarise(vec![
            TurnEvent::Chunk("Hel".into()),
            TurnEvent::Text("Hello there".into()),
        ]);
        assert_eq!(full.text, "Hello there");
    }

    #[test]
    fn a_trailing_temporary_issue_after_normal_output_is_dropped() {
        let s = summarise(vec![
            TurnEvent::Text("Added a title.".into()),
            TurnEvent::Text("I encountered a temporary issue.".into()),
        ]);
        assert_eq!(s.text, "Added a title.");
        assert!(s.dropped_spurious_error);
        let alone = summarise(vec![TurnEvent::Text(
            "I encountered a temporary issue.".into(),
        )]);
        assert_eq!(alone.text, "I encountered a temporary issue.");
        assert!(!alone.dropped_spurious_error);
    }
}
