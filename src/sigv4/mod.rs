//! AWS Signature Version 4.
//!
//! The signer borrows a request (method, URL, headers, payload) and returns
//! what to add to it: headers, or query parameters for a presigned URL. It
//! never owns or sends the request, and it never reads a clock: the signing
//! time is a parameter (smithy-rs's `aws-sigv4` is the model).
//!
//! Facts implemented here, with their sources:
//! - the canonical request, string to sign and key derivation: AWS IAM User
//!   Guide, "Create a signed AWS API request" / "Elements of an AWS API
//!   request signature";
//! - path normalization and double URI-encoding for every service but S3,
//!   S3's `x-amz-content-sha256` and `UNSIGNED-PAYLOAD` for presigned URLs:
//!   the same guide, and smithy-rs / aws-c-auth, whose test suite
//!   (`../shared/vectors/sigv4`) this module passes in full;
//! - the headers never signed ([`UNSIGNABLE_HEADERS`]): the AWS SDK for
//!   JavaScript v3 (`@smithy/signature-v4`, `ALWAYS_UNSIGNABLE_HEADERS`),
//!   whose list covers those of the Go, Java and Rust SDKs.

use crate::prelude::*;
mod encode;
mod key;
mod post;
mod url;

use alloc::borrow::Cow;
use core::fmt;

use crate::sha256::Sha256;

use crate::credentials::Credentials;
use crate::sort::insertion_sort_by;
use crate::time::Timestamp;

pub use key::SigningKeyCache;
pub use post::{is_plain_endpoint, is_plain_path, sign_json_post, JsonPost, PostHeaders, PLAIN_ENDPOINT};

/// The algorithm name in the string to sign and `Authorization`.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Payload hash meaning "the body is not signed" (S3 presigned URLs, and
/// callers who choose it).
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Lowest `X-Amz-Expires` of a presigned URL, in seconds.
pub const MIN_EXPIRES_IN: u32 = 1;
/// Highest `X-Amz-Expires` of a presigned URL: 7 days (AWS IAM User
/// Guide, "Authentication methods": query-string authentication).
pub const MAX_EXPIRES_IN: u32 = 604_800;

/// Headers that are never signed: proxies and browsers add, drop or rewrite
/// them. From `@smithy/signature-v4`'s `ALWAYS_UNSIGNABLE_HEADERS`.
pub const UNSIGNABLE_HEADERS: &[&str] = &[
    "authorization",
    "cache-control",
    "connection",
    "expect",
    "from",
    "keep-alive",
    "max-forwards",
    "pragma",
    "referer",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// Whether a (lower-case) header is left out of the signature: the fixed
/// list, plus `proxy-*` (added by proxies) and `sec-*` (added by browsers,
/// e.g. `sec-fetch-mode`), as `@smithy/signature-v4` does.
pub fn is_unsignable(lower_case_name: &str) -> bool {
    UNSIGNABLE_HEADERS.contains(&lower_case_name)
        || lower_case_name.starts_with("proxy-")
        || lower_case_name.starts_with("sec-")
}

/// Where the signature goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureLocation {
    /// `Authorization` and `X-Amz-*` headers.
    Headers,
    /// A presigned URL: `X-Amz-*` query parameters, valid for `expires_in`
    /// seconds (1..=604,800).
    Query {
        /// Seconds the URL stays valid.
        expires_in: u32,
    },
}

/// Whether `.`/`..` and empty path segments are removed before signing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathNormalization {
    /// Every service but S3.
    Enabled,
    /// S3: object keys may contain `//` and `..`.
    Disabled,
}

/// How the (already encoded) path is encoded into the canonical request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PercentEncoding {
    /// Encode the wire path once more (every service but S3).
    Double,
    /// Use the wire path as it is (S3).
    Single,
}

/// Whether to add and sign `x-amz-content-sha256` (header signing only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadChecksumHeader {
    /// No such header (most services).
    Omit,
    /// Add it (S3 requires it).
    Sha256,
}

/// Where the session token of temporary credentials goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionTokenPlacement {
    /// `X-Amz-Security-Token` is part of the signature (default; every
    /// current service accepts this).
    Signed,
    /// `X-Amz-Security-Token` is added after signing, unsigned, for the
    /// few services that want that (the suite's `post-sts-header-after`).
    AppendedAfterSigning,
}

/// How to sign: every mode is explicit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigningSettings {
    /// Headers or presigned URL.
    pub location: SignatureLocation,
    /// Dot-segment removal.
    pub path_normalization: PathNormalization,
    /// Path encoding.
    pub percent_encoding: PercentEncoding,
    /// `x-amz-content-sha256`.
    pub payload_checksum_header: PayloadChecksumHeader,
    /// Session token placement.
    pub session_token_placement: SessionTokenPlacement,
}

impl SigningSettings {
    /// The settings AWS's SDKs use for `service`: S3 turns path
    /// normalization and double encoding off and adds
    /// `x-amz-content-sha256`; everything else (Kinesis, Firehose, …) has
    /// them on and no payload header.
    pub fn for_service(service: &str) -> SigningSettings {
        let s3 = service == "s3";
        SigningSettings {
            location: SignatureLocation::Headers,
            path_normalization: if s3 { PathNormalization::Disabled } else { PathNormalization::Enabled },
            percent_encoding: if s3 { PercentEncoding::Single } else { PercentEncoding::Double },
            payload_checksum_header: if s3 {
                PayloadChecksumHeader::Sha256
            } else {
                PayloadChecksumHeader::Omit
            },
            session_token_placement: SessionTokenPlacement::Signed,
        }
    }
}

/// The body, or what stands for it in the signature.
#[derive(Clone, Copy, Debug)]
pub enum Payload<'a> {
    /// The bytes that will be sent; they are hashed with SHA-256.
    Bytes(&'a [u8]),
    /// A precomputed payload hash: hex SHA-256 computed elsewhere (e.g. by
    /// SubtleCrypto for a large body), `UNSIGNED-PAYLOAD`, or a streaming
    /// marker.
    Hash(&'a str),
}

/// A request to sign, borrowed.
#[derive(Clone, Copy, Debug)]
pub struct SignableRequest<'a> {
    /// HTTP method (`POST` for every Kinesis and Firehose call).
    pub method: &'a str,
    /// The absolute URL exactly as it goes on the wire.
    pub url: &'a str,
    /// Headers as they will be sent (any case, duplicates allowed). `Host`
    /// may be left out: it is derived from the URL, as `fetch` does.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body or its hash.
    pub payload: Payload<'a>,
}

/// Who signs, for what, when and how.
#[derive(Clone, Copy, Debug)]
pub struct SigningParams<'a> {
    /// Long-term or temporary credentials.
    pub credentials: &'a Credentials,
    /// Region, e.g. `us-east-1`.
    pub region: &'a str,
    /// Signing name of the service, e.g. `kinesis`, `firehose`.
    pub service: &'a str,
    /// The signing time (from the caller's clock, possibly skew-corrected).
    pub time: Timestamp,
    /// Modes.
    pub settings: SigningSettings,
}

/// What the signer decided: what to add to the request, and every
/// intermediate stage (for tests, debugging and the tutorial).
#[derive(Clone, PartialEq, Eq)]
pub struct SigningOutput {
    /// Header signing: headers to set, in order (each replaces any header
    /// of the same name). Query signing: query parameters to append, in
    /// order, already percent-encoded.
    pub params: Vec<(&'static str, String)>,
    /// For query signing, the presigned URL (the input URL without its
    /// fragment, with `params` appended).
    pub url: Option<String>,
    /// Hex signature.
    pub signature: String,
    /// `;`-separated lower-case names of the signed headers.
    pub signed_headers: String,
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
}

impl SigningOutput {
    /// The `Authorization` header value (header signing), if any.
    pub fn authorization(&self) -> Option<&str> {
        self.params.iter().find(|(name, _)| *name == "Authorization").map(|(_, value)| value.as_str())
    }
}

impl fmt::Debug for SigningOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The session token may be among the params: never print values.
        let names: Vec<&str> = self.params.iter().map(|(n, _)| *n).collect();
        f.debug_struct("SigningOutput")
            .field("params", &names)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

/// Why a request could not be signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningError {
    kind: SigningErrorKind,
    message: String,
}

/// The kinds of signing errors (each maps to one stable code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SigningErrorKind {
    Method,
    Url,
    Header,
    Credentials,
    ExpiresIn,
    Scope,
    PayloadHash,
}

impl SigningError {
    fn new(kind: SigningErrorKind, message: impl Into<String>) -> SigningError {
        SigningError { kind, message: message.into() }
    }

    pub(crate) fn url(message: &str) -> SigningError {
        SigningError::new(SigningErrorKind::Url, message)
    }

    /// What is wrong, for people.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A stable code JS callers can branch on (`err.code`).
    pub fn code(&self) -> &'static str {
        match self.kind {
            SigningErrorKind::Method => "InvalidMethod",
            SigningErrorKind::Url => "InvalidUrl",
            SigningErrorKind::Header => "InvalidHeader",
            SigningErrorKind::Credentials => "InvalidCredentials",
            SigningErrorKind::ExpiresIn => "InvalidExpiresIn",
            SigningErrorKind::Scope => "InvalidScope",
            SigningErrorKind::PayloadHash => "InvalidPayloadHash",
        }
    }
}

impl From<crate::credentials::CredentialsError> for SigningError {
    fn from(e: crate::credentials::CredentialsError) -> SigningError {
        SigningError::new(SigningErrorKind::Credentials, e.reason())
    }
}

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message)
    }
}

impl core::error::Error for SigningError {}

/// A signer that keeps derived keys between calls.
#[derive(Debug, Default)]
pub struct Signer {
    keys: SigningKeyCache,
}

impl Signer {
    /// A signer with an empty key cache.
    pub fn new() -> Signer {
        Signer::default()
    }

    /// Signs `request`; see [`sign`].
    pub fn sign(
        &mut self,
        request: &SignableRequest<'_>,
        params: &SigningParams<'_>,
    ) -> Result<SigningOutput, SigningError> {
        sign_with_cache(request, params, &mut self.keys)
    }
}

/// Signs `request` without keeping the derived key (use a [`Signer`] to
/// sign many requests).
pub fn sign(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
) -> Result<SigningOutput, SigningError> {
    sign_with_cache(request, params, &mut SigningKeyCache::new())
}

/// Hex SHA-256 of `bytes` (the payload hash of a body).
pub fn sha256_hex(bytes: &[u8]) -> String {
    encode::hex(&Sha256::digest(bytes))
}

fn sign_with_cache(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    keys: &mut SigningKeyCache,
) -> Result<SigningOutput, SigningError> {
    let settings = &params.settings;
    let method = canonical_method(request.method)?;
    check_scope_part("region", params.region)?;
    check_scope_part("service", params.service)?;
    let expires_in = match settings.location {
        SignatureLocation::Query { expires_in } => {
            if !(MIN_EXPIRES_IN..=MAX_EXPIRES_IN).contains(&expires_in) {
                return Err(SigningError::new(
                    SigningErrorKind::ExpiresIn,
                    format!("expiresIn must be a whole number of seconds from {MIN_EXPIRES_IN} to {MAX_EXPIRES_IN} (7 days); got {expires_in}"),
                ));
            }
            Some(expires_in)
        }
        SignatureLocation::Headers => None,
    };
    let url = url::RequestUrl::parse(request.url)?;
    let creds = params.credentials;
    let amz_date_bytes = params.time.amz_date();
    // Only ASCII digits, 'T' and 'Z'.
    let amz_date = core::str::from_utf8(&amz_date_bytes).unwrap_or_default();
    let date = amz_date.get(..8).unwrap_or_default();
    let mut scope = String::with_capacity(date.len() + params.region.len() + params.service.len() + 15);
    for part in [date, "/", params.region, "/", params.service, "/aws4_request"] {
        scope.push_str(part);
    }
    let token = creds.session_token();
    let sign_token = settings.session_token_placement == SessionTokenPlacement::Signed;
    let payload_checksum_header =
        expires_in.is_none() && settings.payload_checksum_header == PayloadChecksumHeader::Sha256;

    // Headers: (lower-case name, normalized value), borrowed where the
    // caller's are already canonical (the common case).
    let mut headers: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::with_capacity(request.headers.len() + 4);
    let mut payload_header: Option<&str> = None;
    let mut has_host = false;
    for &(name, value) in request.headers {
        check_header(name, value)?;
        let lower = lower_case(name);
        if is_unsignable(&lower) {
            continue;
        }
        match &*lower {
            // Ours to set: a caller's value would be stale or duplicated.
            "x-amz-date" => continue,
            "x-amz-security-token" if token.is_some() => continue,
            "x-amz-content-sha256" => {
                payload_header = Some(value.trim());
                if payload_checksum_header {
                    continue;
                }
            }
            "host" | ":authority" => has_host = true,
            _ => {}
        }
        headers.push((lower, normalize_header_value(value)));
    }
    if !has_host {
        headers.push((Cow::Borrowed("host"), Cow::Borrowed(url.host.as_str())));
    }

    // The payload hash: given explicitly, else the caller's
    // x-amz-content-sha256 header (as the AWS SDK for JS does), else
    // UNSIGNED-PAYLOAD for presigned S3 URLs, else SHA-256 of the body.
    let payload_hash: Cow<'_, str> = match request.payload {
        Payload::Hash(hash) => Cow::Borrowed(check_payload_hash(hash)?),
        Payload::Bytes(body) => match payload_header {
            Some(hash) => Cow::Borrowed(check_payload_hash(hash)?),
            None if expires_in.is_some() && params.service == "s3" => Cow::Borrowed(UNSIGNED_PAYLOAD),
            None => Cow::Owned(encode::hex(&Sha256::digest(body))),
        },
    };

    if expires_in.is_none() {
        if let (Some(token), true) = (token, sign_token) {
            headers.push((Cow::Borrowed("x-amz-security-token"), Cow::Borrowed(token)));
        }
        headers.push((Cow::Borrowed("x-amz-date"), Cow::Borrowed(amz_date)));
        if payload_checksum_header {
            headers.push((Cow::Borrowed("x-amz-content-sha256"), Cow::Borrowed(&payload_hash)));
        }
    }
    // Stable: duplicates keep the caller's order; they are joined with ','
    // below.
    insertion_sort_by(&mut headers, |a, b| a.0 > b.0);
    let mut signed_headers = String::with_capacity(headers.len() * 16);
    for (i, (name, _)) in headers.iter().enumerate() {
        if i == 0 || headers[i - 1].0 != *name {
            if i > 0 {
                signed_headers.push(';');
            }
            signed_headers.push_str(name);
        }
    }

    // Presigning adds the X-Amz-* query parameters (to sign, and to send).
    let mut out_params: Vec<(&'static str, String)> = Vec::with_capacity(7);
    if let Some(expires_in) = expires_in {
        let mut credential = String::with_capacity(creds.access_key_id().len() + scope.len() + 1);
        credential.push_str(creds.access_key_id());
        credential.push('/');
        credential.push_str(&scope);
        out_params.push(("X-Amz-Algorithm", ALGORITHM.to_owned()));
        out_params.push(("X-Amz-Credential", encode::uri_encode(credential.as_bytes())));
        out_params.push(("X-Amz-Date", amz_date.to_owned()));
        out_params.push(("X-Amz-SignedHeaders", encode::uri_encode(signed_headers.as_bytes())));
        out_params.push(("X-Amz-Expires", expires_in.to_string()));
        if let Some(token) = token {
            out_params.push(("X-Amz-Security-Token", encode::uri_encode(token.as_bytes())));
        }
    }

    // The canonical request, written in one buffer.
    let mut creq = String::with_capacity(
        request.url.len() * 2
            + signed_headers.len() * 2
            + 256
            + headers.iter().map(|(_, v)| v.len()).sum::<usize>(),
    );
    creq.push_str(method);
    creq.push('\n');
    let normalized;
    let path = match settings.path_normalization {
        PathNormalization::Enabled => {
            normalized = url::normalize_path(url.path);
            normalized.as_str()
        }
        PathNormalization::Disabled => url.path,
    };
    match settings.percent_encoding {
        PercentEncoding::Double => encode::uri_encode_into(&mut creq, path.as_bytes(), true),
        PercentEncoding::Single => creq.push_str(path),
    }
    creq.push('\n');
    write_canonical_query(&mut creq, url.query, &out_params, sign_token);
    creq.push('\n');
    for (i, (name, value)) in headers.iter().enumerate() {
        if i > 0 && headers[i - 1].0 == *name {
            creq.pop(); // the '\n' after the previous value
            creq.push(',');
        } else {
            creq.push_str(name);
            creq.push(':');
        }
        creq.push_str(value);
        creq.push('\n');
    }
    creq.push('\n');
    creq.push_str(&signed_headers);
    creq.push('\n');
    creq.push_str(&payload_hash);

    let mut string_to_sign = String::with_capacity(ALGORITHM.len() + scope.len() + 84);
    for part in [ALGORITHM, "\n", amz_date, "\n", &scope, "\n"] {
        string_to_sign.push_str(part);
    }
    encode::hex_into(&mut string_to_sign, &Sha256::digest(creq.as_bytes()));
    let date_bytes = [
        amz_date_bytes[0],
        amz_date_bytes[1],
        amz_date_bytes[2],
        amz_date_bytes[3],
        amz_date_bytes[4],
        amz_date_bytes[5],
        amz_date_bytes[6],
        amz_date_bytes[7],
    ];
    let mut mac = keys.get(creds.secret_access_key(), &date_bytes, params.region, params.service);
    mac.update(string_to_sign.as_bytes());
    let signature = encode::hex(&mac.finalize());

    let url_out = match expires_in {
        Some(_) => {
            out_params.push(("X-Amz-Signature", signature.clone()));
            let mut presigned = String::with_capacity(url.without_fragment.len() + 512);
            presigned.push_str(url.without_fragment);
            match url.query {
                None => presigned.push('?'),
                Some(q) if q.is_empty() || q.ends_with('&') => {}
                Some(_) => presigned.push('&'),
            }
            for (i, (name, value)) in out_params.iter().enumerate() {
                if i > 0 {
                    presigned.push('&');
                }
                presigned.push_str(name);
                presigned.push('=');
                presigned.push_str(value);
            }
            Some(presigned)
        }
        None => {
            if let Some(token) = token {
                out_params.push(("X-Amz-Security-Token", token.to_owned()));
            }
            out_params.push(("X-Amz-Date", amz_date.to_owned()));
            if payload_checksum_header {
                out_params.push(("x-amz-content-sha256", payload_hash.clone().into_owned()));
            }
            let mut authorization = String::with_capacity(
                ALGORITHM.len() + creds.access_key_id().len() + scope.len() + signed_headers.len() + 110,
            );
            for part in [
                ALGORITHM,
                " Credential=",
                creds.access_key_id(),
                "/",
                &scope,
                ", SignedHeaders=",
                &signed_headers,
                ", Signature=",
                &signature,
            ] {
                authorization.push_str(part);
            }
            out_params.push(("Authorization", authorization));
            None
        }
    };

    Ok(SigningOutput {
        params: out_params,
        url: url_out,
        signature,
        signed_headers,
        canonical_request: creq,
        string_to_sign,
    })
}

/// Appends the canonical query: the URL's parameters, decoded and encoded
/// again the SigV4 way, plus the X-Amz-* ones of a presigned URL (the
/// session token only when it is signed), sorted by name then value.
fn write_canonical_query(
    out: &mut String,
    query: Option<&str>,
    amz: &[(&'static str, String)],
    sign_token: bool,
) {
    let mut pairs: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
    if let Some(q) = query {
        for pair in q.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            pairs.push((encode::canonical_query_part(k), encode::canonical_query_part(v)));
        }
    }
    for (name, value) in amz {
        if *name != "X-Amz-Security-Token" || sign_token {
            pairs.push((Cow::Borrowed(name), Cow::Borrowed(value)));
        }
    }
    insertion_sort_by(&mut pairs, |a, b| a > b);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
}

/// The name in lower case, borrowed when it already is.
fn lower_case(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// `fetch` upper-cases these six methods whatever their case (Fetch
/// standard, "normalize a method"); others are sent as written.
fn canonical_method(method: &str) -> Result<&str, SigningError> {
    for standard in ["POST", "GET", "PUT", "DELETE", "HEAD", "OPTIONS"] {
        if method.eq_ignore_ascii_case(standard) {
            return Ok(standard);
        }
    }
    if method.is_empty() || !method.bytes().all(is_tchar) {
        return Err(SigningError::new(
            SigningErrorKind::Method,
            "method must be an HTTP method token such as POST or GET",
        ));
    }
    Ok(method)
}

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn check_header(name: &str, value: &str) -> Result<(), SigningError> {
    // HTTP/2's `:authority` (its Host) is the one pseudo-header a request
    // signs: the AWS SDK for JavaScript signs it instead of `host` when it
    // sends over HTTP/2 (`@aws-sdk/middleware-host-header`).
    let http2_authority = name.eq_ignore_ascii_case(":authority");
    if name.is_empty() || !(http2_authority || name.bytes().all(is_tchar)) {
        return Err(SigningError::new(
            SigningErrorKind::Header,
            format!("header name '{name}' is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~)"),
        ));
    }
    if value.bytes().any(|b| b == 0) {
        return Err(SigningError::new(
            SigningErrorKind::Header,
            format!("header {name} has a NUL byte in its value"),
        ));
    }
    Ok(())
}

/// Trims the value and folds every run of white space (including the line
/// breaks of obsolete multi-line values) into one space; borrows the value
/// when it is already so.
fn normalize_header_value(value: &str) -> Cow<'_, str> {
    let is_ws = |b: u8| b.is_ascii_whitespace() || b == 0x0b;
    let bytes = value.as_bytes();
    let canonical = bytes.first().is_none_or(|&b| !is_ws(b))
        && bytes.last().is_none_or(|&b| !is_ws(b))
        && !bytes.windows(2).any(|w| is_ws(w[0]) && (is_ws(w[1]) || w[0] != b' '))
        && !bytes.iter().any(|&b| b != b' ' && is_ws(b));
    if canonical {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    for word in value.split(|c: char| c.is_ascii_whitespace() || c == '\x0b').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

fn check_scope_part(what: &'static str, value: &str) -> Result<(), SigningError> {
    if value.is_empty()
        || !value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        return Err(SigningError::new(
            SigningErrorKind::Scope,
            crate::cat(&[
                what,
                " must be non-empty ASCII letters, digits, '-', '_' or '.' (e.g. us-east-1, kinesis)",
            ]),
        ));
    }
    Ok(())
}

fn check_payload_hash(hash: &str) -> Result<&str, SigningError> {
    if hash.is_empty() || !hash.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(SigningError::new(
            SigningErrorKind::PayloadHash,
            "payloadHash must be hex SHA-256 or a marker such as UNSIGNED-PAYLOAD (printable ASCII, no spaces)",
        ));
    }
    Ok(hash)
}

#[cfg(test)]
mod tests;
