//! AWS credentials.
//!
//! The secret key and the session token never print: `Debug` redacts them
//! (as smithy-rs's `Credentials` does) and no error message of this crate
//! quotes them.

use crate::prelude::*;
use core::fmt;

/// An access key id, its secret, and for temporary credentials a session
/// token (and when known, the expiry).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expires_at: Option<crate::time::Timestamp>,
}

/// Credentials that cannot be used to sign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialsError {
    what: &'static str,
}

impl CredentialsError {
    /// Which field is wrong and what was expected.
    pub fn reason(&self) -> &'static str {
        self.what
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what)
    }
}

impl core::error::Error for CredentialsError {}

impl Credentials {
    /// Long-term or temporary credentials. The access key id and the
    /// secret must be non-empty; an empty session token counts as none.
    ///
    /// The access key id becomes part of `X-Amz-Credential`, so it must not
    /// contain `/`, white space or control characters.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Result<Credentials, CredentialsError> {
        let access_key_id = access_key_id.into();
        let secret_access_key = secret_access_key.into();
        if access_key_id.is_empty() {
            return Err(CredentialsError { what: "credentials.accessKeyId is missing or empty" });
        }
        if access_key_id.bytes().any(|b| b == b'/' || b.is_ascii_whitespace() || b.is_ascii_control()) {
            return Err(CredentialsError {
                what: "credentials.accessKeyId must not contain '/', white space or control characters",
            });
        }
        if secret_access_key.is_empty() {
            return Err(CredentialsError { what: "credentials.secretAccessKey is missing or empty" });
        }
        let session_token = session_token.filter(|t| !t.is_empty());
        if session_token.as_deref().is_some_and(|t| t.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0)) {
            return Err(CredentialsError {
                what: "credentials.sessionToken must not contain line breaks or NUL",
            });
        }
        Ok(Credentials { access_key_id, secret_access_key, session_token, expires_at: None })
    }

    /// The same credentials, marked as expiring at `at`.
    pub fn with_expiry(mut self, at: crate::time::Timestamp) -> Credentials {
        self.expires_at = Some(at);
        self
    }

    /// The access key id (not secret: it appears in every request).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key. Use it to sign; never log it.
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// When temporary credentials expire, if known.
    pub fn expires_at(&self) -> Option<crate::time::Timestamp> {
        self.expires_at
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field("session_token", &self.session_token.as_ref().map(|_| "** redacted **"))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::new("AKID", "SECRETSECRET", Some("TOKENTOKEN".into())).unwrap();
        let shown = format!("{c:?}");
        assert!(shown.contains("AKID"));
        assert!(!shown.contains("SECRETSECRET"));
        assert!(!shown.contains("TOKENTOKEN"));
    }

    #[test]
    fn refuses_unusable_credentials() {
        assert!(Credentials::new("", "s", None).is_err());
        assert!(Credentials::new("a/b", "s", None).is_err());
        assert!(Credentials::new("a", "", None).is_err());
        assert!(Credentials::new("a", "s", Some("x\ny".into())).is_err());
        let c = Credentials::new("a", "s", Some(String::new())).unwrap();
        assert_eq!(c.session_token(), None);
    }
}
