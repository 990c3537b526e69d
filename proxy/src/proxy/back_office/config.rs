//! `[back_office]`: the bearer token the merchant's servers present.
//!
//! ```toml
//! [back_office]
//! token = { env = "PAYBRIDGE_BACK_OFFICE_TOKEN" }   # or "…" or { file = "back-office.token" }
//! ```
//!
//! Without the section every `/back-office` route answers 404.

use super::super::config::SecretSource;
use serde::Deserialize;
use std::fmt;
use std::path::Path;

/// Fewest characters a token may have (a guessable token is refused at start).
const MIN_TOKEN_LEN: usize = 16;

/// The back office's settings.
#[derive(Clone, PartialEq, Eq)]
pub struct BackOfficeConfig {
    /// The bearer token, compared in constant time.
    pub token: String,
}

impl BackOfficeConfig {
    /// A back office with `token` (at least 16 characters, no whitespace).
    pub fn new(token: impl Into<String>) -> Result<BackOfficeConfig, String> {
        let token = token.into().trim().to_owned();
        if token.len() < MIN_TOKEN_LEN || token.chars().any(char::is_whitespace) {
            return Err(format!("proxy config: [back_office] token must be at least {MIN_TOKEN_LEN} characters without spaces"));
        }
        Ok(BackOfficeConfig { token })
    }
}

/// Never prints the token.
impl fmt::Debug for BackOfficeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackOfficeConfig").field("token", &"***").finish()
    }
}

/// The section as written in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::proxy) struct FileBackOffice {
    token: SecretSource,
}

impl FileBackOffice {
    /// Resolves the token (a file's trailing newline is dropped).
    pub(in crate::proxy) fn resolve(self, env: &dyn Fn(&str) -> Option<String>, dir: &Path) -> Result<BackOfficeConfig, String> {
        BackOfficeConfig::new(self.token.resolve("back_office.token", env, dir)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_from_env_file_or_plain_and_never_printed() {
        let env = |n: &str| (n == "BO_TOKEN").then(|| "0123456789abcdef0123".to_owned());
        let parse = |text: &str| toml::from_str::<FileBackOffice>(text).unwrap().resolve(&env, Path::new("."));
        assert_eq!(parse(r#"token = { env = "BO_TOKEN" }"#).unwrap().token, "0123456789abcdef0123");
        assert_eq!(parse(r#"token = "  0123456789abcdef-plain  ""#).unwrap().token, "0123456789abcdef-plain");
        assert!(parse(r#"token = "short""#).is_err());
        assert!(parse(r#"token = { env = "NOPE" }"#).unwrap_err().contains("NOPE"));
        let shown = format!("{:?}", parse(r#"token = { env = "BO_TOKEN" }"#).unwrap());
        assert!(!shown.contains("0123456789"), "{shown}");
    }
}
