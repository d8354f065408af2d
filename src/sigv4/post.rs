//! Signing the one request shape a producer sends: a JSON 1.1 `POST` of a
//! body with `Content-Type` and `X-Amz-Target` to an endpoint whose path
//! needs no canonicalization. It writes the same canonical request the
//! general signer ([`super::sign`]) writes for that shape (tested equal on
//! generated requests) in a fraction of its code: the producer's lean
//! `.wasm` carries only this.

use crate::prelude::*;
use crate::sha256::Sha256;

use super::encode::hex_into;
use super::{
    check_payload_hash, check_scope_part, SigningError, SigningErrorKind, SigningKeyCache, ALGORITHM,
};
use crate::credentials::Credentials;
use crate::time::Timestamp;

/// The request: where it goes (host as sent in `Host`: lower case, with a
/// port only when not the scheme's default, as a WHATWG `URL`'s `host`
/// gives it; path as its `pathname`), what it calls, what it carries.
#[derive(Clone, Copy, Debug)]
pub struct JsonPost<'a> {
    /// `Host`.
    pub host: &'a str,
    /// The path: `/`, or `/`-separated segments of ASCII letters, digits,
    /// `-`, `.`, `_`, `~` (no empty, `.` or `..` segment), optionally
    /// ending in `/`: the paths SigV4 leaves as they are.
    pub path: &'a str,
    /// `Content-Type`.
    pub content_type: &'a str,
    /// `X-Amz-Target`.
    pub target: &'a str,
    /// The body, or its hex SHA-256.
    pub payload: super::Payload<'a>,
}

/// Headers to add: `X-Amz-Date`, `X-Amz-Security-Token` (temporary
/// credentials), `Authorization`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostHeaders {
    /// `X-Amz-Date`.
    pub amz_date: String,
    /// `X-Amz-Security-Token`.
    pub security_token: Option<String>,
    /// `Authorization`.
    pub authorization: String,
}

/// Whether `path` is one this signer takes (see [`JsonPost::path`]).
pub fn is_plain_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else { return false };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    rest.is_empty()
        || rest.as_bytes().split(|&b| b == b'/').all(|seg| {
            !seg.is_empty()
                && seg != b"."
                && seg != b".."
                && seg.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
        })
}

/// What [`is_plain_endpoint`] asks of an endpoint, as its errors say it.
pub const PLAIN_ENDPOINT: &str =
    "the endpoint must be http(s)://host[:port] with a plain path (letters, digits, '-', '.', '_', '~' segments)";

/// Whether an endpoint's `host` and `pathname` are ones this signer takes
/// (see [`JsonPost`]).
pub fn is_plain_endpoint(host: &str, path: &str) -> bool {
    is_host(host) && is_plain_path(path)
}

fn is_host(host: &str) -> bool {
    !host.is_empty()
        && host.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.' | b':' | b'[' | b']')
        })
}

fn is_header_value(value: &str) -> bool {
    // Already canonical: printable ASCII, no leading, trailing or double
    // spaces (the producer's own constants are).
    !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        && !value.starts_with(' ')
        && !value.ends_with(' ')
        && !value.as_bytes().windows(2).any(|w| w == b"  ")
}

/// Signs `post` (header signing, session token signed, no
/// `x-amz-content-sha256`: Kinesis and Firehose's defaults).
pub fn sign_json_post(
    post: &JsonPost<'_>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: Timestamp,
    keys: &mut SigningKeyCache,
) -> Result<PostHeaders, SigningError> {
    check_scope_part("region", region)?;
    check_scope_part("service", service)?;
    if !is_plain_endpoint(post.host, post.path) {
        return Err(SigningError::new(SigningErrorKind::Url, PLAIN_ENDPOINT));
    }
    if !is_header_value(post.content_type) || !is_header_value(post.target) {
        return Err(SigningError::new(
            SigningErrorKind::Header,
            "content type and target must be printable ASCII",
        ));
    }
    let amz_date_bytes = time.amz_date();
    let amz_date = core::str::from_utf8(&amz_date_bytes).unwrap_or_default();
    let date = amz_date.get(..8).unwrap_or_default();
    let token = credentials.session_token();

    let mut creq = String::with_capacity(320 + post.host.len() + post.path.len() + token.map_or(0, str::len));
    for part in &[
        "POST\n",
        post.path,
        "\n\ncontent-type:",
        post.content_type,
        "\nhost:",
        post.host,
        "\nx-amz-date:",
        amz_date,
        "\n",
    ] {
        creq.push_str(part);
    }
    if let Some(token) = token {
        for part in &["x-amz-security-token:", token, "\n"] {
            creq.push_str(part);
        }
    }
    let signed_headers = if token.is_some() {
        "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
    } else {
        "content-type;host;x-amz-date;x-amz-target"
    };
    for part in &["x-amz-target:", post.target, "\n\n", signed_headers, "\n"] {
        creq.push_str(part);
    }
    match post.payload {
        super::Payload::Hash(hash) => creq.push_str(check_payload_hash(hash)?),
        super::Payload::Bytes(body) => hex_into(&mut creq, &Sha256::digest(body)),
    }

    let mut string_to_sign = String::with_capacity(160);
    for part in &[ALGORITHM, "\n", amz_date, "\n", date, "/", region, "/", service, "/aws4_request\n"] {
        string_to_sign.push_str(part);
    }
    hex_into(&mut string_to_sign, &Sha256::digest(creq.as_bytes()));
    let mut day = [0u8; 8];
    day.copy_from_slice(&amz_date_bytes[..8]);
    let mut mac = keys.get(credentials.secret_access_key(), &day, region, service);
    mac.update(string_to_sign.as_bytes());

    let mut authorization = String::with_capacity(200);
    for part in &[
        ALGORITHM,
        " Credential=",
        credentials.access_key_id(),
        "/",
        date,
        "/",
        region,
        "/",
        service,
        "/aws4_request, SignedHeaders=",
        signed_headers,
        ", Signature=",
    ] {
        authorization.push_str(part);
    }
    hex_into(&mut authorization, &mac.finalize());
    Ok(PostHeaders { amz_date: amz_date.to_owned(), security_token: token.map(str::to_owned), authorization })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::{sign, Payload, SignableRequest, SigningParams, SigningSettings};
    // Property tests run natively (proptest has no wasm32 randomness).
    #[cfg(not(target_arch = "wasm32"))]
    use proptest::prelude::*;

    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    fn general(
        scheme: &str,
        post: &JsonPost<'_>,
        credentials: &Credentials,
        region: &str,
        service: &str,
        time: Timestamp,
    ) -> Vec<(String, String)> {
        let url = format!("{scheme}://{}{}", post.host, post.path);
        let headers = [("Content-Type", post.content_type), ("X-Amz-Target", post.target)];
        let request = SignableRequest { method: "POST", url: &url, headers: &headers, payload: post.payload };
        let params = SigningParams {
            credentials,
            region,
            service,
            time,
            settings: SigningSettings::for_service(service),
        };
        let out = sign(&request, &params).expect("the general signer signs it");
        out.params.into_iter().map(|(n, v)| (n.to_ascii_lowercase(), v)).collect()
    }

    fn narrow(
        post: &JsonPost<'_>,
        credentials: &Credentials,
        region: &str,
        service: &str,
        time: Timestamp,
    ) -> Vec<(String, String)> {
        let h = sign_json_post(post, credentials, region, service, time, &mut SigningKeyCache::new())
            .expect("signs");
        let mut out = Vec::new();
        if let Some(t) = h.security_token {
            out.push(("x-amz-security-token".to_owned(), t));
        }
        out.push(("x-amz-date".to_owned(), h.amz_date));
        out.push(("authorization".to_owned(), h.authorization));
        out
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn equals_the_general_signer(
            https in any::<bool>(),
            host in prop_oneof![
                Just("kinesis.us-east-1.amazonaws.com".to_owned()),
                Just("firehose.eu-west-1.amazonaws.com".to_owned()),
                "[a-z0-9]{1,12}(\\.[a-z0-9-]{1,8}){0,3}",
                // Ports as a URL's `host` gives them: never the scheme's default.
                (1u16..=65535).prop_filter("not a default port", |p| *p != 80 && *p != 443).prop_map(|p| format!("127.0.0.1:{p}")),
                Just("[::1]:4567".to_owned()),
            ],
            path in prop_oneof![Just("/".to_owned()), "(/[A-Za-z0-9._~-]{1,6}){1,3}/?"],
            target in prop_oneof![
                Just("Kinesis_20131202.PutRecords".to_owned()),
                Just("Kinesis_20131202.ListShards".to_owned()),
                Just("Firehose_20150804.PutRecordBatch".to_owned()),
            ],
            body in proptest::collection::vec(any::<u8>(), 0..300),
            token in proptest::option::of("[A-Za-z0-9+/=]{1,40}"),
            millis in 0i64..4_102_444_800_000,
            region in "[a-z]{2}-[a-z]{4,9}-[1-9]",
            firehose in any::<bool>(),
        ) {
            prop_assume!(is_plain_path(&path));
            let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token).expect("valid");
            let service = if firehose { "firehose" } else { "kinesis" };
            let time = Timestamp::from_millis(millis).expect("in range");
            let post = JsonPost { host: &host, path: &path, content_type: crate::protocol::CONTENT_TYPE, target: &target, payload: Payload::Bytes(&body) };
            let scheme = if https { "https" } else { "http" };
            prop_assert_eq!(narrow(&post, &credentials, &region, service, time), general(scheme, &post, &credentials, &region, service, time));
        }
    }

    #[test]
    fn takes_a_given_payload_hash_and_refuses_what_it_does_not_canonicalize() {
        let credentials = Credentials::new("AKIDEXAMPLE", "secret", None).expect("valid");
        let time = Timestamp::from_millis(1_440_938_160_000).expect("in range");
        let body = b"{}";
        let hash = crate::sigv4::sha256_hex(body);
        let base = JsonPost {
            host: "kinesis.us-east-1.amazonaws.com",
            path: "/",
            content_type: "application/x-amz-json-1.1",
            target: "Kinesis_20131202.PutRecords",
            payload: Payload::Bytes(body),
        };
        let hashed = JsonPost { payload: Payload::Hash(&hash), ..base };
        assert_eq!(
            narrow(&base, &credentials, "us-east-1", "kinesis", time),
            narrow(&hashed, &credentials, "us-east-1", "kinesis", time)
        );
        for path in ["", "a", "/a//b", "/./a", "/a/..", "/a b", "/%41", "/a?b"] {
            let bad = JsonPost { path, ..base };
            let e =
                sign_json_post(&bad, &credentials, "us-east-1", "kinesis", time, &mut SigningKeyCache::new())
                    .unwrap_err();
            assert_eq!(e.code(), "InvalidUrl", "{path}");
        }
        for host in ["", "Kinesis.example", "a b", "a/b"] {
            let bad = JsonPost { host, ..base };
            assert!(
                sign_json_post(&bad, &credentials, "us-east-1", "kinesis", time, &mut SigningKeyCache::new())
                    .is_err(),
                "{host}"
            );
        }
        assert!(sign_json_post(&base, &credentials, "us east", "kinesis", time, &mut SigningKeyCache::new())
            .is_err());
    }
}
