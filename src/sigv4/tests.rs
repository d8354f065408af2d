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
