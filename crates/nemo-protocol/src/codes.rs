//! Body error codes (`code` in the `{code,data,message}` envelope).

use std::fmt;

/// A body `code`. HTTP statuses (400, 402, 429) are separate and never stored here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiCode {
    Success,
    /// 1001: bad or expired token; re-authenticate.
    BadToken,
    /// 1002: session not found; create a new session.
    SessionNotFound,
    /// 2001: out of credits.
    NoCredits,
    /// 4001: unsupported file type.
    UnsupportedFile,
    /// 4002: file too large.
    FileTooLarge,
    /// Any other code, kept verbatim.
    Other(i64),
}

impl ApiCode {
    pub fn from_i64(code: i64) -> Self {
        match code {
            0 => Self::Success,
            1001 => Self::BadToken,
            1002 => Self::SessionNotFound,
            2001 => Self::NoCredits,
            4001 => Self::UnsupportedFile,
            4002 => Self::FileTooLarge,
            other => Self::Other(other),
        }
    }

    pub fn as_i64(self) -> i64 {
        match self {
            Self::Success => 0,
            Self::BadToken => 1001,
            Self::SessionNotFound => 1002,
            Self::NoCredits => 2001,
            Self::UnsupportedFile => 4001,
            Self::FileTooLarge => 4002,
            Self::Other(other) => other,
        }
    }
}

impl fmt::Display for ApiCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_i64())
    }
}
