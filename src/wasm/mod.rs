//! The JavaScript adapter: the only module that names `JsValue`.
//!
//! It is deliberately thin. The package's hand-written JS (`js/api.js`)
//! checks and normalizes what users pass (objects, `Date`s, header maps),
//! then calls these functions with flat arguments; they call the core and
//! hand back flat results. Nothing here decides anything about signing.
//!
//! Results cross the boundary as one string whose fields are separated by
//! NUL (`\0`), which no field can contain (the core refuses NUL in every
//! input that reaches its output). One `TextDecoder` call and a `split` in
//! JS cost less than building a JS object field by field through
//! `Reflect::set` (measured with `make bench`; see the README).
//!
//! Only JS globals that exist in every runtime are used (no `window`), so
//! the same build runs in a page, a Web Worker, Node and workerd.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::credentials::Credentials;
use crate::sigv4::{
    self, PathNormalization, Payload, PayloadChecksumHeader, PercentEncoding, SessionTokenPlacement,
    SignableRequest, SignatureLocation, Signer, SigningParams, SigningSettings,
};
use crate::time::Timestamp;

thread_local! {
    // One signer per wasm instance keeps derived keys between calls.
    static SIGNER: RefCell<Signer> = RefCell::new(Signer::new());
}

/// A JS `Error` with a `code` property (and `name`), as every error of the
/// package is.
pub(crate) fn coded_error(code: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name("KinesisEdgeError");
    // Setting a property on a fresh Error cannot fail.
    let _ = js_sys::Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code));
    error.into()
}

/// Milliseconds since the epoch of an ISO 8601 date-time (or SigV4's
/// `YYYYMMDDTHHMMSSZ`).
#[wasm_bindgen(js_name = "__parseTime")]
pub fn parse_time(text: &str) -> Result<f64, JsValue> {
    Timestamp::parse(text)
        .map(|t| t.as_millis() as f64)
        .map_err(|e| coded_error("InvalidSigningDate", &format!("signingDate: {e}")))
}

/// Signs a request. Arguments are already checked for type by `js/api.js`;
/// values are checked here. `headers` is `name\0value\0name\0value…`.
/// `expires_in` is 0 for header signing.
///
/// Returns `signature\0signedHeaders\0canonicalRequest\0stringToSign\0url\0`
/// followed by `name\0value` pairs (headers to set, or query parameters).
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = "__sign")]
pub fn sign(
    method: &str,
    url: &str,
    headers: &str,
    body_text: Option<String>,
    body_bytes: Option<Box<[u8]>>,
    payload_hash: Option<String>,
    region: &str,
    service: &str,
    access_key_id: &str,
    secret_access_key: &str,
    session_token: Option<String>,
    time_ms: f64,
    expires_in: u32,
    normalize_path: Option<bool>,
    double_encode_path: Option<bool>,
    sign_payload_header: Option<bool>,
    append_session_token: bool,
) -> Result<String, JsValue> {
    let credentials = Credentials::new(access_key_id, secret_access_key, session_token)
        .map_err(|e| coded_error("InvalidCredentials", e.reason()))?;
    let time = Timestamp::from_millis_f64(time_ms).ok_or_else(|| {
        coded_error("InvalidSigningDate", "signingDate must be a valid date between years 0 and 9999")
    })?;
    let defaults = SigningSettings::for_service(service);
    let settings = SigningSettings {
        location: if expires_in == 0 {
            SignatureLocation::Headers
        } else {
            SignatureLocation::Query { expires_in }
        },
        path_normalization: match normalize_path {
            Some(true) => PathNormalization::Enabled,
            Some(false) => PathNormalization::Disabled,
            None => defaults.path_normalization,
        },
        percent_encoding: match double_encode_path {
            Some(true) => PercentEncoding::Double,
            Some(false) => PercentEncoding::Single,
            None => defaults.percent_encoding,
        },
        payload_checksum_header: match sign_payload_header {
            Some(true) => PayloadChecksumHeader::Sha256,
            Some(false) => PayloadChecksumHeader::Omit,
            None => defaults.payload_checksum_header,
        },
        session_token_placement: if append_session_token {
            SessionTokenPlacement::AppendedAfterSigning
        } else {
            SessionTokenPlacement::Signed
        },
    };
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    if !headers.is_empty() {
        let mut parts = headers.split('\0');
        while let (Some(name), Some(value)) = (parts.next(), parts.next()) {
            pairs.push((name, value));
        }
    }
    let body: &[u8] = match (&body_text, &body_bytes) {
        (Some(text), _) => text.as_bytes(),
        (None, Some(bytes)) => bytes,
        (None, None) => &[],
    };
    let payload = match &payload_hash {
        Some(hash) => Payload::Hash(hash),
        None => Payload::Bytes(body),
    };
    let request = SignableRequest { method, url, headers: &pairs, payload };
    let params = SigningParams { credentials: &credentials, region, service, time, settings };
    let out = SIGNER
        .with(|signer| signer.borrow_mut().sign(&request, &params))
        .map_err(|e| coded_error(e.code(), &e.to_string()))?;

    let mut packed = String::with_capacity(
        out.canonical_request.len()
            + out.string_to_sign.len()
            + out.url.as_ref().map_or(0, String::len)
            + 512,
    );
    for field in [
        out.signature.as_str(),
        &out.signed_headers,
        &out.canonical_request,
        &out.string_to_sign,
        out.url.as_deref().unwrap_or(""),
    ] {
        packed.push_str(field);
        packed.push('\0');
    }
    for (name, value) in &out.params {
        packed.push_str(name);
        packed.push('\0');
        packed.push_str(value);
        packed.push('\0');
    }
    packed.pop();
    Ok(packed)
}

/// Hex SHA-256 of bytes (exposed for callers that hash bodies themselves).
#[wasm_bindgen(js_name = "__sha256Hex")]
pub fn sha256_hex(bytes: &[u8]) -> String {
    sigv4::sha256_hex(bytes)
}
