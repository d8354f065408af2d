//! AWS's public SigV4 test suites, checked stage by stage: canonical
//! request, string to sign, signature and signed request, one test per case
//! and form. The vectors are compiled in (`include_str!`), so the same
//! tests run natively and as wasm (Node, headless Chromium, a Web Worker).
//!
//! Vectors: `tests/vectors/sigv4/` (copied unchanged from
//! `../shared/vectors/sigv4/`; see its README for provenance and quirks).

#![allow(missing_docs, clippy::unwrap_used, clippy::too_many_arguments)]

use kinesis_edge::credentials::Credentials;
use kinesis_edge::sigv4::{
    PathNormalization, Payload, PayloadChecksumHeader, PercentEncoding, SessionTokenPlacement,
    SignableRequest, SignatureLocation, Signer, SigningParams, SigningSettings,
};
use kinesis_edge::time::Timestamp;

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// `get-vanilla-with-session-token` (both sets).
const SHORT_TOKEN: &str = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
/// `post-sts-token/readme.txt` of the 2015 set.
const STS_TOKEN: &str = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

/// An HTTP request as the suites write it: request line, `Name:value`
/// header lines (a line starting with white space continues the previous
/// value), a blank line, the body.
struct RawRequest<'a> {
    method: &'a str,
    target: &'a str,
    /// The head lines after the request line, verbatim (for rebuilding the
    /// signed request).
    header_lines: Vec<&'a str>,
    headers: Vec<(&'a str, String)>,
    body: &'a str,
}

fn parse_request(text: &str) -> RawRequest<'_> {
    let (head, body) = match text.split_once("\n\n") {
        Some((head, body)) => (head, body),
        None => (text.trim_end_matches('\n'), ""),
    };
    let mut lines = head.split('\n');
    let request_line = lines.next().unwrap();
    let (method, rest) = request_line.split_once(' ').unwrap();
    let target = rest.strip_suffix(" HTTP/1.1").unwrap();
    let header_lines: Vec<&str> = lines.collect();
    let mut headers: Vec<(&str, String)> = Vec::new();
    for line in &header_lines {
        if line.starts_with([' ', '\t']) {
            let last = headers.last_mut().unwrap();
            last.1.push('\n');
            last.1.push_str(line);
        } else {
            let (name, value) = line.split_once(':').unwrap();
            headers.push((name, value.to_owned()));
        }
    }
    RawRequest { method, target, header_lines, headers, body }
}

struct Context {
    token: Option<String>,
    normalize: bool,
    sign_body: bool,
    omit_session_token: bool,
    expires_in: u32,
    time: Timestamp,
}

fn parse_context(json: &str) -> Context {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["credentials"]["access_key_id"], ACCESS_KEY);
    assert_eq!(v["credentials"]["secret_access_key"], SECRET_KEY);
    assert_eq!(v["region"], "us-east-1");
    assert_eq!(v["service"], "service");
    Context {
        token: v["credentials"]["token"].as_str().map(str::to_owned),
        normalize: v["normalize"].as_bool().unwrap(),
        sign_body: v["sign_body"].as_bool().unwrap(),
        omit_session_token: v["omit_session_token"].as_bool().unwrap_or(false),
        expires_in: u32::try_from(v["expiration_in_seconds"].as_u64().unwrap()).unwrap(),
        time: Timestamp::parse(v["timestamp"].as_str().unwrap()).unwrap(),
    }
}

struct Expected<'a> {
    canonical_request: &'a str,
    string_to_sign: &'a str,
    signature: &'a str,
    signed_request: &'a str,
}

/// Sets `name: value` in a list of head lines: replaces a header of the
/// same name where it stands, or appends.
fn set_header(lines: &mut Vec<String>, name: &str, value: &str, separator: &str) {
    let line = format!("{name}:{separator}{value}");
    let found = lines.iter().position(|l| {
        l.split_once(':').is_some_and(|(n, _)| !l.starts_with([' ', '\t']) && n.eq_ignore_ascii_case(name))
    });
    match found {
        Some(i) => lines[i] = line,
        None => lines.push(line),
    }
}

fn sign_and_check(
    request_text: &str,
    credentials: &Credentials,
    time: Timestamp,
    settings: SigningSettings,
    sign_body: bool,
    authorization_separator: &str,
    expected: &Expected<'_>,
    check_signed_request: bool,
) {
    let raw = parse_request(request_text);
    let host = raw
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.trim().to_owned())
        .unwrap();
    let url = format!("https://{host}{}", raw.target);
    let headers: Vec<(&str, &str)> = raw.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let request = SignableRequest {
        method: raw.method,
        url: &url,
        headers: &headers,
        payload: Payload::Bytes(raw.body.as_bytes()),
    };
    let mut settings = settings;
    if sign_body {
        settings.payload_checksum_header = PayloadChecksumHeader::Sha256;
    }
    let params = SigningParams { credentials, region: "us-east-1", service: "service", time, settings };
    let out = Signer::new().sign(&request, &params).unwrap();
    assert_eq!(out.canonical_request, expected.canonical_request, "canonical request");
    assert_eq!(out.string_to_sign, expected.string_to_sign, "string to sign");
    assert_eq!(out.signature, expected.signature, "signature");
    if !check_signed_request {
        return;
    }
    let signed = match settings.location {
        SignatureLocation::Headers => {
            let mut lines: Vec<String> = raw.header_lines.iter().map(|l| (*l).to_owned()).collect();
            for (name, value) in &out.params {
                let sep = if *name == "Authorization" { authorization_separator } else { "" };
                set_header(&mut lines, name, value, sep);
            }
            let mut text = format!("{} {} HTTP/1.1", raw.method, raw.target);
            for line in &lines {
                text.push('\n');
                text.push_str(line);
            }
            text
        }
        SignatureLocation::Query { .. } => {
            let presigned = out.url.as_deref().unwrap();
            let target = presigned.strip_prefix(&format!("https://{host}")).unwrap();
            let mut text = format!("{} {target} HTTP/1.1", raw.method);
            for line in &raw.header_lines {
                text.push('\n');
                text.push_str(line);
            }
            text
        }
    };
    // The 2015 files end without a newline when there is no body.
    let want = expected.signed_request.trim_end_matches('\n');
    let got = if raw.body.is_empty() { signed } else { format!("{signed}\n\n{}", raw.body) };
    assert_eq!(got, want, "signed request");
}

fn run_v4(files: &V4Files, query: bool) {
    let ctx = parse_context(files.context);
    let credentials = Credentials::new(ACCESS_KEY, SECRET_KEY, ctx.token.clone()).unwrap();
    let settings = SigningSettings {
        location: if query {
            SignatureLocation::Query { expires_in: ctx.expires_in }
        } else {
            SignatureLocation::Headers
        },
        path_normalization: if ctx.normalize {
            PathNormalization::Enabled
        } else {
            PathNormalization::Disabled
        },
        percent_encoding: PercentEncoding::Double,
        payload_checksum_header: PayloadChecksumHeader::Omit,
        session_token_placement: if ctx.omit_session_token {
            SessionTokenPlacement::AppendedAfterSigning
        } else {
            SessionTokenPlacement::Signed
        },
    };
    let expected = if query {
        Expected {
            canonical_request: files.query_creq,
            string_to_sign: files.query_sts,
            signature: files.query_sig,
            signed_request: files.query_sreq,
        }
    } else {
        Expected {
            canonical_request: files.header_creq,
            string_to_sign: files.header_sts,
            signature: files.header_sig,
            signed_request: files.header_sreq,
        }
    };
    sign_and_check(files.request, &credentials, ctx.time, settings, ctx.sign_body, "", &expected, true);
}

struct V4Files {
    context: &'static str,
    request: &'static str,
    header_creq: &'static str,
    header_sts: &'static str,
    header_sig: &'static str,
    header_sreq: &'static str,
    query_creq: &'static str,
    query_sts: &'static str,
    query_sig: &'static str,
    query_sreq: &'static str,
}

macro_rules! v4_case {
    ($id:ident, $dir:literal) => {
        mod $id {
            #[cfg(target_arch = "wasm32")]
            use wasm_bindgen_test::wasm_bindgen_test as test;

            const FILES: super::V4Files = super::V4Files {
                context: include_str!(concat!(
                    "vectors/sigv4/aws-signing-test-suite/v4/",
                    $dir,
                    "/context.json"
                )),
                request: include_str!(concat!(
                    "vectors/sigv4/aws-signing-test-suite/v4/",
                    $dir,
                    "/request.txt"
                )),
                header_creq: include_str!(concat!(
                    "vectors/sigv4/aws-signing-test-suite/v4/",
                    $dir,
                    "/header-canonical-request.txt"
                )),
                header_sts: include_str!(concat!(
                    "vectors/sigv4/aws-signing-test-suite/v4/",
                    $dir,
                    "/header-string-to-sign.txt"
                )),
                header_sig: include_str!(concat!(
                    "vectors/sigv4/aws-signing-test-suite/v4/",
                    $dir,
                    "/header-signature.txt"
                )),
                header_sreq: include_str!(concat!(
                    "vectors/sigv4/aws-signing-test-suite/v4/",
                    $dir,
                    "/header-signed-request.txt"
                )),
                query_creq: include_str!(concat!(
                    "vectors/sigv4/aws-signing-test-suite/v4/",
                    $dir,
                    "/query-canonical-request.txt"
                )),
                query_sts: include_str!(concat!(
                    "vectors/sigv4/aws-signing-test-suite/v4/",
                    $dir,
                    "/query-string-to-sign.txt"
                )),
                query_sig: include_str!(concat!(
                    "vectors/sigv4/aws-signing-test-suite/v4/",
                    $dir,
                    "/query-signature.txt"
                )),
                query_sreq: include_str!(concat!(
                    "vectors/sigv4/aws-signing-test-suite/v4/",
                    $dir,
                    "/query-signed-request.txt"
                )),
            };

            #[test]
            fn header() {
                super::run_v4(&FILES, false);
            }

            #[test]
            fn query() {
                super::run_v4(&FILES, true);
            }
        }
    };
}

mod v4 {
    use super::*;
    v4_case!(get_header_key_duplicate, "get-header-key-duplicate");
    v4_case!(get_header_value_multiline, "get-header-value-multiline");
    v4_case!(get_header_value_order, "get-header-value-order");
    v4_case!(get_header_value_trim, "get-header-value-trim");
    v4_case!(get_relative_normalized, "get-relative-normalized");
    v4_case!(get_relative_relative_normalized, "get-relative-relative-normalized");
    v4_case!(get_relative_relative_unnormalized, "get-relative-relative-unnormalized");
    v4_case!(get_relative_unnormalized, "get-relative-unnormalized");
    v4_case!(get_slash_dot_slash_normalized, "get-slash-dot-slash-normalized");
    v4_case!(get_slash_dot_slash_unnormalized, "get-slash-dot-slash-unnormalized");
    v4_case!(get_slash_normalized, "get-slash-normalized");
    v4_case!(get_slash_pointless_dot_normalized, "get-slash-pointless-dot-normalized");
    v4_case!(get_slash_pointless_dot_unnormalized, "get-slash-pointless-dot-unnormalized");
    v4_case!(get_slash_unnormalized, "get-slash-unnormalized");
    v4_case!(get_slashes_normalized, "get-slashes-normalized");
    v4_case!(get_slashes_unnormalized, "get-slashes-unnormalized");
    v4_case!(get_space_normalized, "get-space-normalized");
    v4_case!(get_space_unnormalized, "get-space-unnormalized");
    v4_case!(get_unreserved, "get-unreserved");
    v4_case!(get_utf8, "get-utf8");
    v4_case!(get_vanilla, "get-vanilla");
    v4_case!(get_vanilla_empty_query_key, "get-vanilla-empty-query-key");
    v4_case!(get_vanilla_query, "get-vanilla-query");
    v4_case!(get_vanilla_query_order_encoded, "get-vanilla-query-order-encoded");
    v4_case!(get_vanilla_query_order_key_case, "get-vanilla-query-order-key-case");
    v4_case!(get_vanilla_query_unreserved, "get-vanilla-query-unreserved");
    v4_case!(get_vanilla_utf8_query, "get-vanilla-utf8-query");
    v4_case!(get_vanilla_with_session_token, "get-vanilla-with-session-token");
    v4_case!(post_header_key_case, "post-header-key-case");
    v4_case!(post_header_key_sort, "post-header-key-sort");
    v4_case!(post_header_value_case, "post-header-value-case");
    v4_case!(post_sts_header_after, "post-sts-header-after");
    v4_case!(post_sts_header_before, "post-sts-header-before");
    v4_case!(post_vanilla, "post-vanilla");
    v4_case!(post_vanilla_empty_query_value, "post-vanilla-empty-query-value");
    v4_case!(post_vanilla_query, "post-vanilla-query");
    v4_case!(post_x_www_form_urlencoded, "post-x-www-form-urlencoded");
    v4_case!(post_x_www_form_urlencoded_parameters, "post-x-www-form-urlencoded-parameters");
}

/// The 2015 suite: header signing only; every `.req` already carries
/// `X-Amz-Date` (the signer sets it again, in place).
fn run_2015(
    name: &str,
    req: &str,
    creq: &str,
    sts: &str,
    authz: &str,
    sreq: &str,
    check_signed_request: bool,
) {
    let (token, placement) = match name {
        "get-vanilla-with-session-token" => (Some(SHORT_TOKEN), SessionTokenPlacement::Signed),
        "post-sts-header-before" => (Some(STS_TOKEN), SessionTokenPlacement::Signed),
        "post-sts-header-after" => (Some(STS_TOKEN), SessionTokenPlacement::AppendedAfterSigning),
        _ => (None, SessionTokenPlacement::Signed),
    };
    let strip = |s: &str| s.replace('\r', "");
    let credentials = Credentials::new(ACCESS_KEY, SECRET_KEY, token.map(str::to_owned)).unwrap();
    let settings =
        SigningSettings { session_token_placement: placement, ..SigningSettings::for_service("service") };
    let signature = authz.rsplit("Signature=").next().unwrap().trim().to_owned();
    let (creq, sts, req, sreq) = (strip(creq), strip(sts), strip(req), strip(sreq));
    let expected = Expected {
        canonical_request: &creq,
        string_to_sign: &sts,
        signature: &signature,
        signed_request: &sreq,
    };
    let time = Timestamp::parse("20150830T123600Z").unwrap();
    sign_and_check(&req, &credentials, time, settings, false, " ", &expected, check_signed_request);
    // And the whole Authorization value.
    let request = parse_request(&req);
    let host = format!("https://example.amazonaws.com{}", request.target);
    let headers: Vec<(&str, &str)> = request.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let out = Signer::new()
        .sign(
            &SignableRequest {
                method: request.method,
                url: &host,
                headers: &headers,
                payload: Payload::Bytes(request.body.as_bytes()),
            },
            &SigningParams {
                credentials: &credentials,
                region: "us-east-1",
                service: "service",
                time,
                settings,
            },
        )
        .unwrap();
    assert_eq!(out.authorization(), Some(authz.trim_end()));
}

macro_rules! v2015_case {
    ($id:ident, $dir:literal, $name:literal) => {
        v2015_case!($id, $dir, $name, signed_request_checked);
    };
    ($id:ident, $dir:literal, $name:literal, $($ignore:tt)*) => {
        mod $id {
            #[cfg(target_arch = "wasm32")]
            use wasm_bindgen_test::wasm_bindgen_test as test;

            fn run(check_signed_request: bool) {
                super::run_2015(
                    $name,
                    include_str!(concat!("vectors/sigv4/aws-sig-v4-test-suite/", $dir, "/", $name, ".req")),
                    include_str!(concat!("vectors/sigv4/aws-sig-v4-test-suite/", $dir, "/", $name, ".creq")),
                    include_str!(concat!("vectors/sigv4/aws-sig-v4-test-suite/", $dir, "/", $name, ".sts")),
                    include_str!(concat!("vectors/sigv4/aws-sig-v4-test-suite/", $dir, "/", $name, ".authz")),
                    include_str!(concat!("vectors/sigv4/aws-sig-v4-test-suite/", $dir, "/", $name, ".sreq")),
                    check_signed_request,
                );
            }

            #[test]
            fn signature() {
                run(false);
            }

            v2015_case!(@signed_request $($ignore)*);
        }
    };
    (@signed_request signed_request_checked) => {
        #[test]
        fn signed_request() {
            run(true);
        }
    };
    (@signed_request ignore $why:tt) => {
        #[test]
        #[ignore = $why]
        fn signed_request() {
            run(true);
        }
    };
}

mod v2015 {
    use super::*;
    v2015_case!(get_header_key_duplicate, "get-header-key-duplicate", "get-header-key-duplicate");
    v2015_case!(get_header_value_multiline, "get-header-value-multiline", "get-header-value-multiline");
    v2015_case!(get_header_value_order, "get-header-value-order", "get-header-value-order");
    v2015_case!(get_header_value_trim, "get-header-value-trim", "get-header-value-trim");
    v2015_case!(get_unreserved, "get-unreserved", "get-unreserved");
    v2015_case!(get_utf8, "get-utf8", "get-utf8");
    v2015_case!(get_vanilla, "get-vanilla", "get-vanilla");
    v2015_case!(get_vanilla_empty_query_key, "get-vanilla-empty-query-key", "get-vanilla-empty-query-key");
    v2015_case!(get_vanilla_query, "get-vanilla-query", "get-vanilla-query");
    v2015_case!(
        get_vanilla_query_order_encoded,
        "get-vanilla-query-order-encoded",
        "get-vanilla-query-order-encoded"
    );
    v2015_case!(get_vanilla_query_order_key, "get-vanilla-query-order-key", "get-vanilla-query-order-key");
    v2015_case!(
        get_vanilla_query_order_key_case,
        "get-vanilla-query-order-key-case",
        "get-vanilla-query-order-key-case"
    );
    v2015_case!(
        get_vanilla_query_order_value,
        "get-vanilla-query-order-value",
        "get-vanilla-query-order-value"
    );
    v2015_case!(get_vanilla_query_unreserved, "get-vanilla-query-unreserved", "get-vanilla-query-unreserved");
    v2015_case!(get_vanilla_utf8_query, "get-vanilla-utf8-query", "get-vanilla-utf8-query");
    v2015_case!(get_vanilla_with_session_token, "get-vanilla-with-session-token", "get-vanilla-with-session-token", ignore "upstream .sreq carries a rotated copy of the token as its Signature; the .authz beside it is right and is checked");
    v2015_case!(normalize_path_get_relative, "normalize-path/get-relative", "get-relative");
    v2015_case!(
        normalize_path_get_relative_relative,
        "normalize-path/get-relative-relative",
        "get-relative-relative"
    );
    v2015_case!(normalize_path_get_slash, "normalize-path/get-slash", "get-slash");
    v2015_case!(
        normalize_path_get_slash_dot_slash,
        "normalize-path/get-slash-dot-slash",
        "get-slash-dot-slash"
    );
    v2015_case!(
        normalize_path_get_slash_pointless_dot,
        "normalize-path/get-slash-pointless-dot",
        "get-slash-pointless-dot"
    );
    v2015_case!(normalize_path_get_slashes, "normalize-path/get-slashes", "get-slashes");
    v2015_case!(normalize_path_get_space, "normalize-path/get-space", "get-space");
    v2015_case!(
        normalize_path_get_special_character,
        "normalize-path/get-special-character",
        "get-special-character"
    );
    v2015_case!(post_header_key_case, "post-header-key-case", "post-header-key-case");
    v2015_case!(post_header_key_sort, "post-header-key-sort", "post-header-key-sort");
    v2015_case!(post_header_value_case, "post-header-value-case", "post-header-value-case");
    v2015_case!(
        post_sts_token_post_sts_header_after,
        "post-sts-token/post-sts-header-after",
        "post-sts-header-after"
    );
    v2015_case!(
        post_sts_token_post_sts_header_before,
        "post-sts-token/post-sts-header-before",
        "post-sts-header-before"
    );
    v2015_case!(post_vanilla, "post-vanilla", "post-vanilla");
    v2015_case!(
        post_vanilla_empty_query_value,
        "post-vanilla-empty-query-value",
        "post-vanilla-empty-query-value"
    );
    v2015_case!(post_vanilla_query, "post-vanilla-query", "post-vanilla-query");
    v2015_case!(post_x_www_form_urlencoded, "post-x-www-form-urlencoded", "post-x-www-form-urlencoded");
    v2015_case!(
        post_x_www_form_urlencoded_parameters,
        "post-x-www-form-urlencoded-parameters",
        "post-x-www-form-urlencoded-parameters"
    );
}
