//! The SigV4 signing key and its cache.
//!
//! `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`
//! depends only on (secret, date, region, service), so it is derived once
//! per day and scope and kept (aws4fetch and the AWS SDKs do the same).

use crate::prelude::*;
use crate::sha256::HmacSha256;

/// `HMAC-SHA256(key, data)`.
pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new(key);
    mac.update(data);
    mac.finalize()
}

/// Derives the signing key for a day (`YYYYMMDD`), region and service.
pub(crate) fn derive_signing_key(secret: &str, date: &[u8], region: &str, service: &str) -> [u8; 32] {
    let mut k_secret = Vec::with_capacity(4 + secret.len());
    k_secret.extend_from_slice(b"AWS4");
    k_secret.extend_from_slice(secret.as_bytes());
    let k_date = hmac_sha256(&k_secret, date);
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    hmac_sha256(&k_service, b"aws4_request")
}

/// How many (secret, date, region, service) keys are kept. A producer
/// signs for one stream's region and service; a few more cover a page that
/// talks to Kinesis and Firehose with rotating temporary credentials.
const CAPACITY: usize = 8;

struct Entry {
    secret: String,
    date: [u8; 8],
    region: String,
    service: String,
    /// HMAC keyed with the signing key: its inner and outer pads are
    /// already hashed, so each signature costs two compressions less.
    mac: HmacSha256,
}

/// A small cache of derived signing keys, emptied when full.
#[derive(Default)]
pub struct SigningKeyCache {
    entries: Vec<Entry>,
}

impl core::fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Keys and secrets never print.
        f.debug_struct("SigningKeyCache").field("entries", &self.entries.len()).finish()
    }
}

impl SigningKeyCache {
    /// An empty cache.
    pub fn new() -> SigningKeyCache {
        SigningKeyCache::default()
    }

    /// An HMAC keyed with the signing key for this scope (derived only when
    /// not cached), ready for the string to sign.
    pub(crate) fn get(&mut self, secret: &str, date: &[u8; 8], region: &str, service: &str) -> HmacSha256 {
        let cached = self
            .entries
            .iter()
            .find(|e| e.date == *date && e.region == region && e.service == service && e.secret == secret);
        if let Some(e) = cached {
            return e.mac.clone();
        }
        let key = derive_signing_key(secret, date, region, service);
        let mac = HmacSha256::new(&key);
        // Full: emptied (a ninth scope is rare: a new day, or credentials
        // rotated eight times, and deriving a key again costs four HMACs),
        // where keeping keys in order of use was 0.1 KB more of the
        // producer's `.wasm`.
        if self.entries.len() == CAPACITY {
            self.entries.clear();
        }
        self.entries.push(Entry {
            secret: secret.to_owned(),
            date: *date,
            region: region.to_owned(),
            service: service.to_owned(),
            mac: mac.clone(),
        });
        mac
    }

    /// How many keys are cached.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::encode::hex;

    #[test]
    fn derives_the_documented_key() {
        // AWS General Reference, "Examples of how to derive a signing key
        // for Signature Version 4": secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
        // 20120215, us-east-1, iam.
        let key =
            derive_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", b"20120215", "us-east-1", "iam");
        assert_eq!(hex(&key), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
    }

    #[test]
    fn caches_per_scope_and_empties_when_full() {
        let mut cache = SigningKeyCache::new();
        let tag = |mut mac: HmacSha256| {
            mac.update(b"x");
            mac.finalize()
        };
        let a = tag(cache.get("s", b"20150830", "us-east-1", "kinesis"));
        assert_eq!(a, hmac_sha256(&derive_signing_key("s", b"20150830", "us-east-1", "kinesis"), b"x"));
        assert_eq!(cache.len(), 1);
        assert_eq!(tag(cache.get("s", b"20150830", "us-east-1", "kinesis")), a);
        assert_eq!(cache.len(), 1);
        let b = tag(cache.get("s", b"20150831", "us-east-1", "kinesis"));
        assert_ne!(a, b);
        assert_eq!(tag(cache.get("s", b"20150830", "us-east-1", "kinesis")), a, "an older key, still cached");
        assert_eq!(cache.len(), 2);
        for i in 2..CAPACITY {
            cache.get("s", b"20150830", &format!("r{i}"), "kinesis");
        }
        assert_eq!(cache.len(), CAPACITY);
        // Full: emptied, then the new key kept.
        assert_eq!(
            tag(cache.get("other", b"20150830", "us-east-1", "kinesis")),
            hmac_sha256(&derive_signing_key("other", b"20150830", "us-east-1", "kinesis"), b"x")
        );
        assert_eq!(cache.len(), 1);
        assert!(!format!("{cache:?}").contains("other"));
    }
}
