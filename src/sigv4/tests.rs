//! Unit tests of the signer's own rules (the public suites are in
//! `tests/sigv4_vectors.rs`).

use super::*;

fn creds() -> Credentials {
    Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None).unwrap()
}

fn time() -> Timestamp {
    Timestamp::parse("2015-08-30T12:36:00Z").unwrap()
}

fn sign_simple(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    settings: SigningSettings,
) -> Result<SigningOutput, SigningError> {
    let c = creds();
    sign(
        &SignableRequest { method, url, headers, payload: Payload::Bytes(b"") },
        &SigningParams { credentials: &c, region: "us-east-1", service: "kinesis", time: time(), settings },
    )
}

#[test]
fn unsignable_headers_are_left_out() {
    let out = sign_simple(
        "POST",
        "https://kinesis.us-east-1.amazonaws.com/",
        &[
            ("User-Agent", "x"),
            ("X-Amzn-Trace-Id", "y"),
            ("Expect", "100-continue"),
            ("Content-Type", "application/x-amz-json-1.1"),
        ],
        SigningSettings::for_service("kinesis"),
    )
    .unwrap();
    assert_eq!(out.signed_headers, "content-type;host;x-amz-date");
}

#[test]
fn host_comes_from_the_url_without_default_port() {
    let out = sign_simple(
        "post",
        "https://KINESIS.us-east-1.amazonaws.com:443",
        &[],
        SigningSettings::for_service("kinesis"),
    )
    .unwrap();
    assert!(out.canonical_request.starts_with("POST\n/\n\nhost:kinesis.us-east-1.amazonaws.com\n"));
    let out =
        sign_simple("POST", "http://127.0.0.1:4567/", &[], SigningSettings::for_service("kinesis")).unwrap();
    assert!(out.canonical_request.contains("\nhost:127.0.0.1:4567\n"));
}

#[test]
fn http2_authority_is_signed_in_place_of_host() {
    let url = "http://127.0.0.1:4567/";
    let out = sign_simple(
        "POST",
        url,
        &[(":authority", "127.0.0.1:4567")],
        SigningSettings::for_service("kinesis"),
    )
    .unwrap();
    assert_eq!(out.signed_headers, ":authority;x-amz-date");
    assert!(out.canonical_request.contains("\n:authority:127.0.0.1:4567\n"));
    assert!(!out.canonical_request.contains("\nhost:"));
    // Any other pseudo-header is not a header.
    let err =
        sign_simple("POST", url, &[(":path", "/")], SigningSettings::for_service("kinesis")).unwrap_err();
    assert_eq!(err.kind, SigningErrorKind::Header);
}

#[test]
fn s3_defaults_differ() {
    let s = SigningSettings::for_service("s3");
    assert_eq!(s.path_normalization, PathNormalization::Disabled);
    assert_eq!(s.percent_encoding, PercentEncoding::Single);
    assert_eq!(s.payload_checksum_header, PayloadChecksumHeader::Sha256);
    let c = creds();
    let out = sign(
        &SignableRequest {
            method: "GET",
            url: "https://b.s3.amazonaws.com/a//b%20c",
            headers: &[],
            payload: Payload::Bytes(b""),
        },
        &SigningParams { credentials: &c, region: "us-east-1", service: "s3", time: time(), settings: s },
    )
    .unwrap();
    assert!(out.canonical_request.starts_with("GET\n/a//b%20c\n"));
    assert!(out.signed_headers.contains("x-amz-content-sha256"));
    assert!(out.params.iter().any(|(n, _)| *n == "x-amz-content-sha256"));
    // Presigned S3 URLs sign UNSIGNED-PAYLOAD.
    let out = sign(
        &SignableRequest {
            method: "GET",
            url: "https://b.s3.amazonaws.com/k",
            headers: &[],
            payload: Payload::Bytes(b""),
        },
        &SigningParams {
            credentials: &c,
            region: "us-east-1",
            service: "s3",
            time: time(),
            settings: SigningSettings { location: SignatureLocation::Query { expires_in: 60 }, ..s },
        },
    )
    .unwrap();
    assert!(out.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
}

#[test]
fn double_encoding_encodes_the_wire_path_again() {
    let out =
        sign_simple("GET", "https://example.com/a%20b/%24", &[], SigningSettings::for_service("kinesis"))
            .unwrap();
    assert!(out.canonical_request.starts_with("GET\n/a%2520b/%2524\n"));
}

#[test]
fn payload_hash_precedence() {
    let c = creds();
    let params = SigningParams {
        credentials: &c,
        region: "us-east-1",
        service: "kinesis",
        time: time(),
        settings: SigningSettings::for_service("kinesis"),
    };
    let given = sign(
        &SignableRequest {
            method: "POST",
            url: "https://e.com/",
            headers: &[],
            payload: Payload::Hash(UNSIGNED_PAYLOAD),
        },
        &params,
    )
    .unwrap();
    assert!(given.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
    let header = sign(
        &SignableRequest {
            method: "POST",
            url: "https://e.com/",
            headers: &[("X-Amz-Content-Sha256", "abc")],
            payload: Payload::Bytes(b"x"),
        },
        &params,
    )
    .unwrap();
    assert!(header.canonical_request.ends_with("\nabc"));
    let body = sign(
        &SignableRequest {
            method: "POST",
            url: "https://e.com/",
            headers: &[],
            payload: Payload::Bytes(b"x"),
        },
        &params,
    )
    .unwrap();
    assert!(body.canonical_request.ends_with(&sha256_hex(b"x")));
    assert!(sign(
        &SignableRequest {
            method: "POST",
            url: "https://e.com/",
            headers: &[],
            payload: Payload::Hash("a b")
        },
        &params
    )
    .is_err());
}

#[test]
fn callers_x_amz_date_is_replaced() {
    let out = sign_simple(
        "GET",
        "https://e.com/",
        &[("X-Amz-Date", "19990101T000000Z")],
        SigningSettings::for_service("kinesis"),
    )
    .unwrap();
    assert!(!out.canonical_request.contains("1999"));
    assert!(out.canonical_request.contains("x-amz-date:20150830T123600Z"));
}

#[test]
fn presigned_url_keeps_existing_query() {
    let q = SigningSettings {
        location: SignatureLocation::Query { expires_in: 900 },
        ..SigningSettings::for_service("kinesis")
    };
    let out = sign_simple("GET", "https://e.com/p?a=1#frag", &[], q).unwrap();
    let url = out.url.unwrap();
    assert!(url.starts_with("https://e.com/p?a=1&X-Amz-Algorithm=AWS4-HMAC-SHA256&"), "{url}");
    assert!(url.ends_with(&format!("&X-Amz-Signature={}", out.signature)));
    let out = sign_simple("GET", "https://e.com/p?", &[], q).unwrap();
    assert!(out.url.unwrap().starts_with("https://e.com/p?X-Amz-Algorithm="));
}

#[test]
fn bad_input_gets_typed_errors() {
    let k = SigningSettings::for_service("kinesis");
    let code = |r: Result<SigningOutput, SigningError>| r.unwrap_err().code();
    assert_eq!(code(sign_simple("PO ST", "https://e.com/", &[], k)), "InvalidMethod");
    assert_eq!(code(sign_simple("", "https://e.com/", &[], k)), "InvalidMethod");
    assert_eq!(code(sign_simple("GET", "/relative", &[], k)), "InvalidUrl");
    assert_eq!(code(sign_simple("GET", "https://e.com/", &[("bad header", "x")], k)), "InvalidHeader");
    assert_eq!(code(sign_simple("GET", "https://e.com/", &[("x", "a\0b")], k)), "InvalidHeader");
    for expires_in in [0, 604_801] {
        let q = SigningSettings { location: SignatureLocation::Query { expires_in }, ..k };
        assert_eq!(code(sign_simple("GET", "https://e.com/", &[], q)), "InvalidExpiresIn");
    }
    let q = SigningSettings { location: SignatureLocation::Query { expires_in: 604_800 }, ..k };
    assert!(sign_simple("GET", "https://e.com/", &[], q).is_ok());
    let c = creds();
    let err = sign(
        &SignableRequest { method: "GET", url: "https://e.com/", headers: &[], payload: Payload::Bytes(b"") },
        &SigningParams {
            credentials: &c,
            region: "us east 1",
            service: "kinesis",
            time: time(),
            settings: k,
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "InvalidScope");
}

#[test]
fn errors_and_debug_never_show_secrets() {
    let c = Credentials::new("AKID", "TOPSECRETKEY", Some("SESSIONTOKENVALUE".into())).unwrap();
    let k = SigningSettings::for_service("kinesis");
    let out = sign(
        &SignableRequest {
            method: "POST",
            url: "https://e.com/",
            headers: &[],
            payload: Payload::Bytes(b""),
        },
        &SigningParams {
            credentials: &c,
            region: "us-east-1",
            service: "kinesis",
            time: time(),
            settings: k,
        },
    )
    .unwrap();
    let shown = format!("{out:?}");
    assert!(!shown.contains("TOPSECRETKEY") && !shown.contains("SESSIONTOKENVALUE"));
    let err = sign(
        &SignableRequest { method: "POST", url: "nope", headers: &[], payload: Payload::Bytes(b"") },
        &SigningParams {
            credentials: &c,
            region: "us-east-1",
            service: "kinesis",
            time: time(),
            settings: k,
        },
    )
    .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("TOPSECRETKEY") && !shown.contains("SESSIONTOKENVALUE"));
}

#[test]
fn duplicate_headers_join_in_order() {
    let out = sign_simple(
        "GET",
        "https://e.com/",
        &[("My-Header1", "value2"), ("my-header1", " value1 "), ("A", "a")],
        SigningSettings::for_service("kinesis"),
    )
    .unwrap();
    assert!(
        out.canonical_request.contains("\na:a\nhost:e.com\nmy-header1:value2,value1\n"),
        "{}",
        out.canonical_request
    );
    assert_eq!(out.signed_headers, "a;host;my-header1;x-amz-date");
}

#[test]
fn header_values_are_trimmed_and_folded_or_borrowed() {
    for (input, want, borrowed) in [
        ("a b", "a b", true),
        ("", "", true),
        ("application/x-amz-json-1.1", "application/x-amz-json-1.1", true),
        (" a", "a", false),
        ("a ", "a", false),
        ("a  b", "a b", false),
        ("a\tb", "a b", false),
        ("a\n  b\n   c", "a b c", false),
        ("\"a   b   c\"", "\"a b c\"", false),
        ("   ", "", false),
    ] {
        let got = normalize_header_value(input);
        assert_eq!(got, want, "{input:?}");
        assert_eq!(matches!(got, Cow::Borrowed(_)), borrowed, "{input:?}");
    }
}

/// Any strings a caller of `signRequest` / `presignUrl` can pass: a typed
/// error or a signature, never a panic (a panic in wasm poisons the
/// instance).
#[cfg(not(target_arch = "wasm32"))]
mod never_panics {
    use super::*;
    use proptest::prelude::*;

    /// Text made mostly of what URLs, paths and headers are parsed on.
    fn wild(max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                4 => proptest::sample::select(&[
                    "/", "?", "#", "&", "=", "%", "%2", "%2F", "%zz", "%C3%A9", ".", "..", ":", "@", "[", "]",
                    "::1", " ", "  ", "\t", "\n", "\r", "\0", "+", "~", "é", "😀", "\u{2028}", "a", "Z", "0", "9",
                    "-", "_", ";", ",", "\\", "\"", "'", "*",
                ][..])
                .prop_map(str::to_owned),
                1 => "\\PC{0,3}",
                1 => "[\\x00-\\x7f]{0,3}",
            ],
            0..max,
        )
        .prop_map(|parts| parts.concat())
    }

    fn url() -> impl Strategy<Value = String> {
        let good_rest = "(/[a-zA-Z0-9._~%-]{0,6}){0,4}(\\?([a-zA-Z0-9%=&+._~-]{0,12}))?";
        (
            prop_oneof![
                3 => Just("https://"),
                1 => proptest::sample::select(&["http://", "HTTPS://", "ftp://", "", "https://user:pw@", "https://[", "//"][..]),
            ],
            proptest::sample::select(&["e.com", "E.Com", "[::1]", "1.2.3.4", "", "a..b", "xn--bcher-kva.example"][..]),
            prop_oneof![
                3 => Just(""),
                1 => proptest::sample::select(&[":", ":0", ":443", ":80", ":65535", ":65536", ":99999999999", ":x"][..]),
            ],
            prop_oneof![wild(24), good_rest],
        )
            .prop_map(|(scheme, host, port, rest)| [scheme, host, port, &rest].concat())
    }

    fn settings() -> impl Strategy<Value = SigningSettings> {
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), proptest::option::of(any::<u32>()))
            .prop_map(|(normalize, double, checksum, token_signed, expires)| SigningSettings {
                location: expires.map_or(SignatureLocation::Headers, |expires_in| SignatureLocation::Query {
                    expires_in: expires_in % 700_000,
                }),
                path_normalization: if normalize {
                    PathNormalization::Enabled
                } else {
                    PathNormalization::Disabled
                },
                percent_encoding: if double { PercentEncoding::Double } else { PercentEncoding::Single },
                payload_checksum_header: if checksum {
                    PayloadChecksumHeader::Sha256
                } else {
                    PayloadChecksumHeader::Omit
                },
                session_token_placement: if token_signed {
                    SessionTokenPlacement::Signed
                } else {
                    SessionTokenPlacement::AppendedAfterSigning
                },
            })
    }

    /// One generated request, signed.
    #[allow(clippy::too_many_arguments)]
    fn sign_generated(
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
        hash: Option<&str>,
        region: &str,
        service: &str,
        credentials: &Credentials,
        millis: i64,
        settings: SigningSettings,
    ) -> Result<SigningOutput, SigningError> {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let payload = hash.map_or(Payload::Bytes(body), Payload::Hash);
        let time = Timestamp::from_millis(millis).unwrap_or(Timestamp::EPOCH);
        sign(
            &SignableRequest { method, url, headers: &headers, payload },
            &SigningParams { credentials, region, service, time, settings },
        )
    }

    #[test]
    fn the_generator_reaches_signatures_and_each_error() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let mut seen = std::collections::BTreeMap::new();
        for _ in 0..5_000 {
            let (method, url, s) = (wild(4), url(), settings()).new_tree(&mut runner).unwrap().current();
            let method = if method.len() % 2 == 0 { "GET".to_owned() } else { method };
            let kind =
                match sign_generated(&method, &url, &[], b"", None, "us-east-1", "kinesis", &creds(), 0, s) {
                    Ok(_) => "ok",
                    Err(e) => e.code(),
                };
            *seen.entry(kind).or_insert(0) += 1;
        }
        for kind in ["ok", "InvalidMethod", "InvalidUrl", "InvalidExpiresIn"] {
            assert!(seen.get(kind).copied().unwrap_or(0) >= 100, "{seen:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn signing_any_input_gives_a_signature_or_a_typed_error(
            method in prop_oneof![Just("GET".to_owned()), Just("POST".to_owned()), wild(4)],
            url in url(),
            headers in proptest::collection::vec((prop_oneof![3 => Just("x-amz-date".to_owned()), 3 => Just("host".to_owned()), 3 => "[a-zA-Z-]{1,8}", 1 => wild(4)], wild(8)), 0..4),
            body in proptest::collection::vec(any::<u8>(), 0..100),
            hash in proptest::option::of(wild(8)),
            region in prop_oneof![Just("us-east-1".to_owned()), wild(4)],
            service in prop_oneof![Just("s3".to_owned()), Just("kinesis".to_owned()), wild(4)],
            key in prop_oneof![Just("AKID".to_owned()), wild(4)],
            secret in wild(6),
            token in proptest::option::of(wild(6)),
            millis in any::<i64>(),
            settings in settings(),
        ) {
            let Ok(credentials) = Credentials::new(key, secret, token) else { return Ok(()) };
            match sign_generated(&method, &url, &headers, &body, hash.as_deref(), &region, &service, &credentials, millis, settings) {
                Ok(out) => {
                    prop_assert_eq!(out.signature.len(), 64);
                    prop_assert!(out.signature.bytes().all(|b| b.is_ascii_hexdigit()));
                }
                Err(e) => prop_assert!(!e.message().is_empty() && e.code().starts_with("Invalid")),
            }
        }
    }
}
