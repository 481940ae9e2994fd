//! Integration tests: render_poll.
