//! The `nemo` command-line tool.

fn main() {}
