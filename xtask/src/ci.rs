//! `cargo xtask ci` and `cargo xtask test`.

use anyhow::Result;
use xshell::{Shell, cmd};

/// The whole CI gate, in the order that fails fastest.
pub(crate) fn ci(sh: &Shell) -> Result<()> {
    step("fmt");
    cmd!(sh, "cargo fmt --all -- --check").run()?;
    step("tidy");
    crate::tidy::run(&crate::project_root())?;
    step("clippy");
    cmd!(
        sh,
        "cargo clippy --workspace --all-targets --locked -- -D warnings"
    )
    .run()?;
    test(sh, &[])
}

/// Builds the plugins (the dylib tests load them), then runs every test in the workspace.
pub(crate) fn test(sh: &Shell, extra: &[String]) -> Result<()> {
    step("plugins and nemo build");
    crate::plugins::build(sh, false)?;
    // The CLI tests run the real binary; cargo builds another package's binary only on request.
    cmd!(sh, "cargo build --locked -p nemo-host --bin nemo").run()?;
    step("test");
    let plugin_dir = crate::target_dir(sh).join("debug");
    let _env = sh.push_env("NEMO_PLUGIN_DIR", plugin_dir);
    cmd!(sh, "cargo test --workspace --locked {extra...}").run()?;
    Ok(())
}

fn step(name: &str) {
    eprintln!("\n==> xtask: {name}");
}
