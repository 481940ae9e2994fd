//! The chat agent (first version, rule-based, English and Chinese): turns a message into draft
//! edits and a plain-words reply.
//!
//! - [`intent`]: message -> [`intent::Intent`] (pure, table-tested);
//! - [`edit`]: intent -> draft edit + [`edit::Change`] or [`edit::Problem`] (pure);
//! - [`reply`]: the words, in the user's language (pure);
//! - [`music`]: generated background music through `nemo-music`;
//! - [`restyle`]: "calmer", "faster", "piano instead": the music composed again;
//! - [`video`]: montages of the clips and generated-visuals videos (no clips);
//! - [`turn`]: one turn end to end ([`run_turn`]), streaming tool/text events.

pub mod edit;
pub mod intent;
pub mod music;
pub mod reply;
pub mod restyle;
pub mod turn;
pub mod video;

pub use turn::{TurnContext, TurnError, TurnOutcome, run_turn};
