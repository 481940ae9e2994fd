//! nemo-render-poller.
