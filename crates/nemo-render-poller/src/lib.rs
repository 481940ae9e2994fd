//! Render (export) polling: a sans-IO state machine and an async driver over traits.
//!
//! [`Poller`] decides what to do after each observation of a render job: wait (and for how
//! long), finish with the output URL, or fail. It holds no clock: every call takes `now`, a
//! [`Duration`] since any fixed origin, so it is tested without time passing.
//!
//! [`drive`] runs the machine against a [`RenderApi`] (implemented by `nemo-client` over HTTP,
//! by fakes in tests) and a [`Sleeper`] (tokio's timer in production). [`submit`] posts a render
//! with the protocol's retry rule: on failure retry once with a **new** id, except when the
//! error says retrying is pointless (HTTP 402).
//!
//! Protocol facts (§3.9, §6): statuses go `pending` -> `processing` -> `completed` | `failed`;
//! a job is done when it is `completed` **and** has an output URL; transient errors (network,
//! 5xx) are retried on the **same** id, never by resubmitting.

mod driver;
mod machine;

pub use driver::{DriveError, RenderApi, Sleeper, drive, submit};
pub use machine::{Failure, Next, PollPolicy, Poller, Progress};
pub use nemo_protocol::{RenderState, RenderStatus};
