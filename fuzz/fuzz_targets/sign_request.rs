//! The signers on arbitrary input, as `signRequest`, `presignUrl` and the
//! producer's narrow signer receive it from JavaScript: method, URL,
//! headers, payload or its hash, region, service, credentials, time and
//! settings, all taken from the bytes. Each returns a signature or a typed
//! error, never a panic.
#![no_main]

use kinesis_edge::credentials::Credentials;
use kinesis_edge::sigv4::{
    self, is_plain_endpoint, sign_json_post, JsonPost, PathNormalization, Payload, PayloadChecksumHeader,
    PercentEncoding, SessionTokenPlacement, SignableRequest, SignatureLocation, SigningKeyCache,
    SigningParams, SigningSettings,
};
use kinesis_edge::time::Timestamp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A flags byte, eight bytes of time, then NUL-separated fields.
    let Some((&flags, rest)) = data.split_first() else { return };
    let Some((time, rest)) = rest.split_first_chunk::<8>() else { return };
    let text = String::from_utf8_lossy(rest);
    let mut f = text.split('\0');
    let mut next = || f.next().unwrap_or("");
    let (method, url, region, service) = (next(), next(), next(), next());
    let (key, secret, token, body) = (next(), next(), next(), next());
    let headers: Vec<(&str, &str)> = {
        let mut h = Vec::new();
        while let (Some(n), Some(v)) = (f.next(), f.next()) {
            h.push((n, v));
        }
        h
    };
    let Ok(credentials) = Credentials::new(key, secret, (!token.is_empty()).then(|| token.to_owned())) else {
        return;
    };
    let time = Timestamp::from_millis(i64::from_le_bytes(*time)).unwrap_or(Timestamp::EPOCH);
    let payload = if flags & 1 != 0 { Payload::Hash(body) } else { Payload::Bytes(body.as_bytes()) };
    let settings = SigningSettings {
        location: if flags & 2 != 0 {
            SignatureLocation::Query { expires_in: u32::from(flags) * 2_777 }
        } else {
            SignatureLocation::Headers
        },
        path_normalization: if flags & 4 != 0 {
            PathNormalization::Enabled
        } else {
            PathNormalization::Disabled
        },
        percent_encoding: if flags & 8 != 0 { PercentEncoding::Double } else { PercentEncoding::Single },
        payload_checksum_header: if flags & 16 != 0 {
            PayloadChecksumHeader::Sha256
        } else {
            PayloadChecksumHeader::Omit
        },
        session_token_placement: if flags & 32 != 0 {
            SessionTokenPlacement::Signed
        } else {
            SessionTokenPlacement::AppendedAfterSigning
        },
    };
    let request = SignableRequest { method, url, headers: &headers, payload };
    let params = SigningParams { credentials: &credentials, region, service, time, settings };
    match sigv4::sign(&request, &params) {
        Ok(out) => assert_eq!(out.signature.len(), 64),
        Err(e) => assert!(!e.message().is_empty()),
    }
    // The producer's signer: the URL's parts as a `URL` gives them.
    let (host, path) = url.split_once('/').map_or((url, "/"), |(h, p)| (h, p));
    let _ = is_plain_endpoint(host, path);
    let post = JsonPost { host, path, content_type: method, target: body, payload };
    let _ = sign_json_post(&post, &credentials, region, service, time, &mut SigningKeyCache::new());
});
