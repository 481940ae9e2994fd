//! [`Secret`]: a string that never shows itself in `Debug`, `Display` or serialised output.
//!
//! API tokens (`nmv_usr_…`) and claim tokens (`clm_…`) live in this type from the moment they
//! are read (config file, `NEMO_TOKEN`, an API response) until the moment they are written into
//! an HTTP header. Only [`Secret::expose`] reveals the value; grep for it to audit every use.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Prefixes kept in the redacted form, so users can still tell which kind of token is set.
const KNOWN_PREFIXES: &[&str] = &["nmv_usr_", "clm_"];

/// A secret string (API token, claim token). Its `Debug`, `Display` and `Serialize` output is
/// redacted, e.g. `nmv_usr_…[redacted]`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value itself. Use it only to build a request header or to persist it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the value is empty (an unset `NEMO_TOKEN=` reads as empty).
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// The redacted form: a known prefix (if any) followed by `…[redacted]`.
    pub fn redacted(&self) -> String {
        let prefix = KNOWN_PREFIXES
            .iter()
            .find(|p| self.0.starts_with(**p))
            .copied()
            .unwrap_or("");
        format!("{prefix}…[redacted]")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Secret").field(&self.redacted()).finish()
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Serialises the redacted form: serialised configs are for showing (`nemo config show`).
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.redacted())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "nmv_usr_KGdwtlGw3hBDUpV-4_FJfEgYqFbTXQuYPKP12345678";

    #[test]
    fn debug_and_display_redact_but_keep_the_prefix() {
        let secret = Secret::new(TOKEN);
        let debug = format!("{secret:?}");
        let display = secret.to_string();
        assert!(!debug.contains("KGdwtl"), "{debug}");
        assert!(!display.contains("KGdwtl"), "{display}");
        assert_eq!(display, "nmv_usr_…[redacted]");
        assert_eq!(debug, "Secret(\"nmv_usr_…[redacted]\")");
        assert_eq!(Secret::new("clm_abcdef").to_string(), "clm_…[redacted]");
        assert_eq!(Secret::new("plainvalue").to_string(), "…[redacted]");
    }

    #[test]
    fn serialises_redacted_and_deserialises_the_value() {
        let secret = Secret::new(TOKEN);
        let toml = toml::to_string(&Wrapper {
            token: secret.clone(),
        })
        .unwrap();
        assert!(!toml.contains("KGdwtl"), "{toml}");
        let back: Wrapper = toml::from_str(&format!("token = \"{TOKEN}\"")).unwrap();
        assert_eq!(back.token.expose(), TOKEN);
    }

    #[derive(Serialize, Deserialize)]
    struct Wrapper {
        token: Secret,
    }
}
