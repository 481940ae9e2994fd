//! Header names. Every request carries `Authorization` and the three attribution headers;
//! the anonymous-token call carries `X-Client-Id` instead of `Authorization`.

pub const AUTHORIZATION: &str = "authorization";
pub const X_CLIENT_ID: &str = "x-client-id";
pub const X_SKILL_SOURCE: &str = "x-skill-source";
pub const X_SKILL_VERSION: &str = "x-skill-version";
pub const X_SKILL_PLATFORM: &str = "x-skill-platform";

/// The three attribution headers, in the order the skill documents them.
pub const ATTRIBUTION: [&str; 3] = [X_SKILL_SOURCE, X_SKILL_VERSION, X_SKILL_PLATFORM];
