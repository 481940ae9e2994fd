//! `nemo plugins list` and `nemo config show`: local information, no API calls.

use std::fmt::Write as _;

use nemo_plugin_host::{ABI_MAJOR, ABI_MINOR};
use serde_json::json;

use crate::app::Context;
use crate::exit::Failure;

pub(crate) fn plugins_list(ctx: &Context) {
    let platform = ctx.out.platform();
    let plugins: Vec<_> = ctx
        .registry
        .plugins()
        .iter()
        .map(|p| {
            json!({
                "name": p.name(),
                "file": p.file().display().to_string(),
                "abi": p.abi().to_string(),
                "version": p.describe().version,
            })
        })
        .collect();
    let failures: Vec<_> = ctx
        .registry
        .failures()
        .iter()
        .map(|(name, e)| json!({"name": name.to_string(), "error": e.to_string()}))
        .collect();
    ctx.out.json(&json!({
        "platform": ctx.detection.platform,
        "reason": ctx.detection.reason,
        "using": platform.name(),
        "builtin": platform.is_builtin(),
        "host_abi": format!("{ABI_MAJOR}.{ABI_MINOR}"),
        "plugins": plugins,
        "failures": failures,
    }));
    let mut text = format!(
        "Platform: {} ({})\nUsing plugin: {}{}\nHost plugin ABI: {ABI_MAJOR}.{ABI_MINOR}\n",
        ctx.detection.platform,
        ctx.detection.reason,
        platform.name(),
        if platform.is_builtin() {
            " (built in)"
        } else {
            ""
        },
    );
    if ctx.registry.plugins().is_empty() {
        text.push_str("No plugin libraries found; the built-in `unknown` plugin is used.\n");
    }
    for plugin in ctx.registry.plugins() {
        let _ = writeln!(
            text,
            "  {:<8} v{:<8} ABI {:<5} {}",
            plugin.name(),
            plugin.describe().version,
            plugin.abi().to_string(),
            plugin.file().display()
        );
    }
    for (name, error) in ctx.registry.failures() {
        let _ = writeln!(text, "  {name:<8} not loaded: {error}");
    }
    ctx.out.text(text.trim_end());
}

pub(crate) fn config_show(ctx: &Context) -> Result<(), Failure> {
    let toml = ctx
        .config
        .to_redacted_toml()
        .map_err(|e| Failure::local(e.into()))?;
    let dir = ctx.config_dir.as_ref().map(|d| d.display().to_string());
    ctx.out.json(&json!({ "config_dir": dir, "config": toml }));
    ctx.out.text(&format!(
        "# config dir: {}\n# layers: defaults < config.toml < NEMO_* env < SKILL_SOURCE < flags; secrets redacted\n{toml}",
        dir.unwrap_or_else(|| "(none)".to_owned())
    ));
    Ok(())
}
