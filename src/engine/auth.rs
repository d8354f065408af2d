//! Optional SigV4 verification of requests to the engine, with AWS's
//! codes and messages (as kinesalite reproduces them, and AWS's documented
//! clock-skew texts: REFERENCE.md, "Clock skew").
//!
//! The signature is recomputed with this crate's signer over exactly the
//! headers the request says it signed, and compared with the one sent;
//! the request time must be within 5 minutes of the engine's clock.

use super::{error, Engine, EngineError, Response};
use crate::credentials::Credentials;
use crate::sigv4::{sign, SignableRequest, SignatureLocation, SigningParams, SigningSettings};
use crate::time::Timestamp;

/// How far a request's time may be from the engine's (AWS: 5 minutes).
pub(super) const MAX_SKEW_MS: i64 = 5 * 60 * 1000;

/// An HTTP request as it reached the engine's server.
#[derive(Clone, Copy, Debug)]
pub struct HttpRequest<'a> {
    /// `POST` for every Kinesis and Firehose call.
    pub method: &'a str,
    /// The request target as sent: path and query (`/`, `/?X-Amz-…`).
    pub path: &'a str,
    /// Headers as received (any case).
    pub headers: &'a [(&'a str, &'a str)],
    /// The body.
    pub body: &'a [u8],
}

/// An HTTP answer ([`Engine::answer_http`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpAnswer {
    /// Status, body and injected latency.
    pub response: Response,
    /// Whether the body is AWS's CBOR (the request was), else JSON 1.1:
    /// the adapter's `Content-Type`.
    pub cbor: bool,
    /// AWS's error code, for `x-amzn-ErrorType` (empty on success).
    pub error_type: String,
    /// A SubscribeToShard that succeeded: its subscription, whose events
    /// follow the body (the event stream's `initial-response` message) as
    /// [`Engine::poll_subscription_http`] gives them, in
    /// `application/vnd.amazon.eventstream`.
    pub subscription: Option<u64>,
    /// The answer's `Content-Type`: `application/x-amz-json-1.1`,
    /// `application/x-amz-cbor-1.1`, `application/vnd.amazon.eventstream`,
    /// `application/json` (a request in that type), or empty: none, for
    /// the XML and bare answers AWS gives requests it cannot route.
    pub content_type: &'static str,
}

/// JSON 1.1's content type.
pub const JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// SubscribeToShard's answer's content type.
pub const EVENT_STREAM_CONTENT_TYPE: &str = "application/vnd.amazon.eventstream";
/// Plain JSON, which AWS reads but routes to no action.
const PLAIN_JSON: &str = "application/json";

/// The XML body AWS answers a request it cannot route with (kinesalite's
/// recording, `sendError` in its index.js).
fn xml_error(code: &str, message: &str) -> Vec<u8> {
    format!("<{code}>\n  <Message>{message}</Message>\n</{code}>\n").into_bytes()
}

impl HttpRequest<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
    }

    /// Whether the body is in AWS's CBOR (`Content-Type:
    /// application/x-amz-cbor-1.1`, the AWS SDK for Java's default for
    /// Kinesis): [`Engine::handle_http`] answers in kind.
    pub fn is_cbor(&self) -> bool {
        self.header("content-type").is_some_and(|t| {
            t.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case(super::cbor::CONTENT_TYPE)
        })
    }
}

const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

fn invalid(message: impl Into<String>) -> EngineError {
    error("InvalidSignatureException", message)
}

fn amz(t: Timestamp) -> String {
    String::from_utf8_lossy(&t.amz_date()).into_owned()
}

/// Percent-decodes a query value (`%2F` → `/`); `None` if malformed.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// What the request claims: who, when, for what, and its signature.
struct Claim {
    credential: String,
    signed_headers: String,
    signature: String,
    time: String,
    /// Presigned: its lifetime, and the query without the X-Amz-* members.
    presigned: Option<(u32, String)>,
}

fn header_claim(req: &HttpRequest<'_>, authorization: &str) -> Result<Claim, EngineError> {
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    let rest = authorization.strip_prefix("AWS4-HMAC-SHA256").unwrap_or("");
    for part in rest.split([',', ' ']).filter(|p| !p.is_empty()) {
        if let Some((k, v)) = part.trim().split_once('=') {
            match k {
                "Credential" => credential = Some(v.to_owned()),
                "SignedHeaders" => signed_headers = Some(v.to_owned()),
                "Signature" => signature = Some(v.to_owned()),
                _ => {}
            }
        }
    }
    let time = req.header("x-amz-date").or_else(|| req.header("date"));
    let mut msg = String::new();
    for (name, v) in
        [("Credential", &credential), ("Signature", &signature), ("SignedHeaders", &signed_headers)]
    {
        if v.as_deref().is_none_or(str::is_empty) {
            msg.push_str(&format!("Authorization header requires '{name}' parameter. "));
        }
    }
    if time.is_none() {
        msg.push_str("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
    }
    if !msg.is_empty() {
        msg.push_str(&format!("Authorization={authorization}"));
        return Err(error("IncompleteSignatureException", msg));
    }
    Ok(Claim {
        credential: credential.unwrap_or_default(),
        signed_headers: signed_headers.unwrap_or_default(),
        signature: signature.unwrap_or_default(),
        time: time.unwrap_or_default().to_owned(),
        presigned: None,
    })
}

fn query_claim(query: &str) -> Result<Claim, EngineError> {
    let get = |name: &str| {
        query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == name)
            .and_then(|(_, v)| percent_decode(v))
    };
    let (algorithm, credential, signature, signed_headers, date) = (
        get("X-Amz-Algorithm"),
        get("X-Amz-Credential"),
        get("X-Amz-Signature"),
        get("X-Amz-SignedHeaders"),
        get("X-Amz-Date"),
    );
    let expires = get("X-Amz-Expires");
    let mut msg = String::new();
    for (name, v) in [
        ("X-Amz-Algorithm", &algorithm),
        ("X-Amz-Credential", &credential),
        ("X-Amz-Signature", &signature),
        ("X-Amz-SignedHeaders", &signed_headers),
        ("X-Amz-Date", &date),
    ] {
        if v.as_deref().is_none_or(str::is_empty) {
            msg.push_str(&format!("AWS query-string parameters must include '{name}'. "));
        }
    }
    if !msg.is_empty() {
        msg.push_str("Re-examine the query-string parameters.");
        return Err(error("IncompleteSignatureException", msg));
    }
    let expires: u32 = expires.and_then(|e| e.parse().ok()).unwrap_or(0);
    // What the signer will add back: every X-Amz-* member of the signature.
    let rest: Vec<&str> = query
        .split('&')
        .filter(|p| {
            let k = p.split_once('=').map_or(*p, |(k, _)| k);
            !matches!(
                k,
                "X-Amz-Algorithm"
                    | "X-Amz-Credential"
                    | "X-Amz-Signature"
                    | "X-Amz-SignedHeaders"
                    | "X-Amz-Date"
                    | "X-Amz-Expires"
                    | "X-Amz-Security-Token"
            )
        })
        .collect();
    Ok(Claim {
        credential: credential.unwrap_or_default(),
        signed_headers: signed_headers.unwrap_or_default(),
        signature: signature.unwrap_or_default(),
        time: date.unwrap_or_default(),
        presigned: Some((expires, rest.join("&"))),
    })
}

/// The session token `req` sent: the `X-Amz-Security-Token` header, or
/// the query parameter of a presigned URL.
fn sent_token(req: &HttpRequest<'_>) -> Option<String> {
    let (_, query) = req.path.split_once('?').unwrap_or((req.path, ""));
    req.header("x-amz-security-token").map(str::to_owned).or_else(|| {
        query.split('&').find_map(|p| p.strip_prefix("X-Amz-Security-Token=")).and_then(percent_decode)
    })
}

/// With temporary credentials (`expected` has a session token), whether
/// `req` carries that token, and whether it is still valid at `now`. AWS's
/// answers: a token it does not know (or none, for a temporary key) is
/// `UnrecognizedClientException`; an expired one `ExpiredTokenException`
/// "The security token included in the request is expired" (HTTP 400, as
/// Kinesis answers it: awslabs/amazon-kinesis-producer issue #49). Checked
/// after the signature, which covers whatever token the request sent.
pub(crate) fn check_token(
    req: &HttpRequest<'_>,
    expected: &Credentials,
    expires: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), EngineError> {
    let Some(token) = expected.session_token() else { return Ok(()) };
    if sent_token(req).as_deref() != Some(token) {
        return Err(error(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ));
    }
    if expires.is_some_and(|at| now >= at) {
        return Err(error("ExpiredTokenException", "The security token included in the request is expired"));
    }
    Ok(())
}

/// Checks `req`'s signature against `expected` credentials at `now`.
pub(crate) fn verify(
    req: &HttpRequest<'_>,
    expected: &Credentials,
    region: &str,
    now: Timestamp,
) -> Result<(), EngineError> {
    let (path, query) = req.path.split_once('?').unwrap_or((req.path, ""));
    let authorization = req.header("authorization");
    let presigned = query.split('&').any(|p| p.starts_with("X-Amz-Algorithm="));
    let claim =
        match (authorization, presigned) {
            (Some(_), true) => return Err(invalid(
                "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
            )),
            (None, false) => {
                return Err(error("MissingAuthenticationTokenException", "Missing Authentication Token"))
            }
            (Some(a), false) => header_claim(req, a)?,
            (None, true) => query_claim(query)?,
        };
    let parts: Vec<&str> = claim.credential.split('/').collect();
    let [key_id, date, scope_region, service, terminator] = parts.as_slice() else {
        return Err(error(
            "IncompleteSignatureException",
            format!("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{}'", claim.credential),
        ));
    };
    if *key_id != expected.access_key_id() {
        return Err(error(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ));
    }
    let time = Timestamp::parse(&claim.time)
        .map_err(|_| invalid(format!("Date must be in ISO-8601 'basic format'. Got '{}'.", claim.time)))?;
    let stamp = amz(time);
    if !stamp.starts_with(date) || date.len() != 8 {
        return Err(invalid(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{date}' != '{}', from '{}'.",
            &stamp[..8],
            claim.time
        )));
    }
    if *terminator != "aws4_request" {
        return Err(invalid(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'. "
        )));
    }
    if *scope_region != region {
        return Err(invalid(format!(
            "Credential should be scoped to a valid region, not '{scope_region}'. "
        )));
    }
    if !matches!(*service, "kinesis" | "firehose") {
        return Err(invalid("Credential should be scoped to correct service: 'kinesis'. "));
    }
    let skew = now.as_millis() - time.as_millis();
    match &claim.presigned {
        None if skew > MAX_SKEW_MS => {
            return Err(invalid(format!(
                "Signature expired: {stamp} is now earlier than {} ({} - 5 min.)",
                amz(now.add_millis(-MAX_SKEW_MS)),
                amz(now)
            )))
        }
        None if skew < -MAX_SKEW_MS => {
            return Err(invalid(format!(
                "Signature not yet current: {stamp} is still later than {} ({} + 5 min.)",
                amz(now.add_millis(MAX_SKEW_MS)),
                amz(now)
            )))
        }
        Some((expires, _)) if skew > i64::from(*expires) * 1000 => {
            return Err(error(
                "InvalidSignatureException",
                format!(
                    "Signature expired: {stamp} is now earlier than {} ({} - {expires} sec.)",
                    amz(now.add_millis(-i64::from(*expires) * 1000)),
                    amz(now)
                ),
            ))
        }
        _ => {}
    }
    // Recompute over the headers the request says it signed.
    let names: Vec<&str> = claim.signed_headers.split(';').collect();
    let headers: Vec<(&str, &str)> = req
        .headers
        .iter()
        .filter(|(n, _)| names.iter().any(|s| n.eq_ignore_ascii_case(s)))
        .copied()
        .collect();
    let host = req.header("host").unwrap_or("localhost");
    let url = match &claim.presigned {
        Some((_, rest)) if !rest.is_empty() => format!("http://{host}{path}?{rest}"),
        Some(_) => format!("http://{host}{path}"),
        None => format!("http://{host}{}", req.path),
    };
    let credentials =
        Credentials::new(expected.access_key_id(), expected.secret_access_key(), sent_token(req))
            .map_err(|_| invalid(MISMATCH))?;
    let mut settings = SigningSettings::for_service(service);
    if let Some((expires, _)) = claim.presigned {
        settings.location = SignatureLocation::Query { expires_in: expires.max(1) };
    }
    let out = sign(
        &SignableRequest {
            method: req.method,
            url: &url,
            headers: &headers,
            payload: crate::sigv4::Payload::Bytes(req.body),
        },
        &SigningParams { credentials: &credentials, region, service, time, settings },
    )
    .map_err(|_| invalid(MISMATCH))?;
    if out.signed_headers != claim.signed_headers || !constant_time_eq(&out.signature, &claim.signature) {
        return Err(invalid(MISMATCH));
    }
    Ok(())
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Engine {
    /// Answers one HTTP request: like [`Engine::handle`], after checking
    /// its SigV4 signature when the engine was configured with
    /// credentials to verify against. Requests with an unknown target or
    /// a body that is not JSON get those errors first, as kinesalite
    /// answers them. A request in CBOR ([`HttpRequest::is_cbor`]) is
    /// answered in CBOR.
    pub fn handle_http(&mut self, now: Timestamp, req: &HttpRequest<'_>) -> Response {
        self.answer_http(now, req).response
    }

    /// [`Engine::handle_http`], with what an HTTP adapter needs for its
    /// headers: the answer's format and AWS's error type.
    pub fn answer_http(&mut self, now: Timestamp, req: &HttpRequest<'_>) -> HttpAnswer {
        self.advance(now);
        if let Some(refused) = self.at_the_door(req) {
            return refused;
        }
        self.http_subscription = Some(None);
        let mut response = self.handle_http_json(now, req);
        let cbor = req.is_cbor();
        let content_type = if cbor { super::cbor::CONTENT_TYPE } else { JSON_CONTENT_TYPE };
        if let Some(Some(id)) = self.http_subscription.take() {
            if cbor {
                self.answer_subscription_in_cbor(id);
            }
            response.body = super::consumers::initial_response(cbor);
            return HttpAnswer {
                response,
                cbor,
                error_type: String::new(),
                subscription: Some(id),
                content_type: EVENT_STREAM_CONTENT_TYPE,
            };
        }
        let error_type = match response.status {
            200 => String::new(),
            _ => crate::json::parse(&response.body)
                .ok()
                .and_then(|v| v.get("__type").and_then(crate::json::Value::as_str).map(str::to_owned))
                .unwrap_or_default(),
        };
        if cbor {
            response.body = super::cbor::answer_from_json(&response.body);
        }
        HttpAnswer { response, cbor, error_type, subscription: None, content_type }
    }

    /// What AWS answers a request before reading it as an action, in the
    /// order kinesalite recorded it (its index.js): a method other than
    /// POST; an empty body (in JSON 1.1 when the request was, else CBOR);
    /// a content type other than JSON 1.1, CBOR or plain JSON (a bare XML
    /// error, no content type); plain JSON, which AWS parses and then
    /// routes nowhere. `None`: the request goes on.
    fn at_the_door(&self, req: &HttpRequest<'_>) -> Option<HttpAnswer> {
        let bare = |status: u16, body: Vec<u8>, content_type: &'static str| HttpAnswer {
            response: Response { status, body, delay_ms: 0 },
            cbor: false,
            error_type: String::new(),
            subscription: None,
            content_type,
        };
        const UNROUTABLE: &str = "Unable to determine service/operation name to be authorized";
        if req.method != "POST" {
            return Some(bare(403, xml_error("AccessDeniedException", UNROUTABLE), ""));
        }
        let target = req.header("x-amz-target").unwrap_or("");
        let content_type = req.header("content-type").and_then(|t| t.split(';').next()).unwrap_or("").trim();
        let is = |t: &str| content_type.eq_ignore_ascii_case(t);
        if req.body.is_empty() {
            let code =
                if self.knows(target) { "SerializationException" } else { "UnknownOperationException" };
            let json = format!("{{\"__type\":\"{code}\"}}").into_bytes();
            let mut a = bare(400, json, JSON_CONTENT_TYPE);
            a.error_type = code.to_owned();
            if !is(JSON_CONTENT_TYPE) {
                a.response.body = super::cbor::answer_from_json(&a.response.body);
                a.cbor = true;
                a.content_type = super::cbor::CONTENT_TYPE;
            }
            return Some(a);
        }
        if !(is(JSON_CONTENT_TYPE) || is(super::cbor::CONTENT_TYPE) || is(PLAIN_JSON)) {
            let (service, action) = target.split_once('.').unwrap_or((target, ""));
            if service.is_empty() || action.is_empty() {
                return Some(bare(403, xml_error("AccessDeniedException", UNROUTABLE), ""));
            }
            return Some(bare(404, b"<UnknownOperationException/>\n".to_vec(), ""));
        }
        if is(PLAIN_JSON) {
            let object = matches!(crate::json::parse(req.body), Ok(crate::json::Value::Object(_)));
            let (status, code) =
                if object { (404, "UnknownOperationException") } else { (400, "SerializationException") };
            let body = format!(
                "{{\"Output\":{{\"__type\":\"com.amazon.coral.service#{code}\"}},\"Version\":\"1.0\"}}"
            );
            return Some(bare(status, body.into_bytes(), PLAIN_JSON));
        }
        None
    }

    /// [`Engine::handle_http`], answering in JSON whatever the request's
    /// format.
    fn handle_http_json(&mut self, now: Timestamp, req: &HttpRequest<'_>) -> Response {
        let converted;
        let body = if req.is_cbor() && !req.body.is_empty() {
            // A body that is not CBOR goes on as one that is not JSON: an
            // unknown target still gets its error first, then
            // SerializationException.
            converted = super::cbor::request_to_json(req.body).unwrap_or_else(|| b"\xff".to_vec());
            &converted[..]
        } else {
            req.body
        };
        let target = req.header("x-amz-target").unwrap_or("");
        if let Some(expected) = &self.config.verify_credentials {
            let known = self.knows(target);
            let parses = crate::json::parse(if body.is_empty() { b"{}" } else { body }).is_ok();
            if known && parses {
                let checked = verify(req, expected, &self.config.region, now)
                    .and_then(|()| check_token(req, expected, self.config.verify_token_expires, now));
                if let Err(e) = checked {
                    return Response::error(&e);
                }
            }
        }
        self.handle(now, target, body)
    }
}

#[cfg(test)]
mod tests {
    use super::super::EngineConfig;
    use super::*;
    use crate::sigv4::{sign, Payload, SigningSettings};

    const BODY: &[u8] = br#"{"StreamName":"s","ShardCount":1}"#;

    fn t(ms: i64) -> Timestamp {
        Timestamp::from_millis(1_764_158_400_000 + ms).unwrap()
    }

    fn engine() -> Engine {
        let creds =
            Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None).unwrap();
        Engine::new(EngineConfig { verify_credentials: Some(creds), ..EngineConfig::default() })
    }

    /// Headers of a request signed with `secret` at `at`.
    fn signed(secret: &str, at: Timestamp, region: &str) -> Vec<(String, String)> {
        signed_with(&Credentials::new("AKIDEXAMPLE", secret, None).unwrap(), at, region)
    }

    /// Headers of a request signed with `creds` at `at`.
    fn signed_with(creds: &Credentials, at: Timestamp, region: &str) -> Vec<(String, String)> {
        let headers = [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "Kinesis_20131202.CreateStream"),
        ];
        let out = sign(
            &SignableRequest {
                method: "POST",
                url: "http://127.0.0.1:4567/",
                headers: &headers,
                payload: Payload::Bytes(BODY),
            },
            &SigningParams {
                credentials: creds,
                region,
                service: "kinesis",
                time: at,
                settings: SigningSettings::for_service("kinesis"),
            },
        )
        .unwrap();
        let mut all: Vec<(String, String)> =
            headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        all.push(("Host".into(), "127.0.0.1:4567".into()));
        all.extend(out.params.iter().map(|(n, v)| ((*n).to_owned(), v.clone())));
        all
    }

    fn send(e: &mut Engine, headers: &[(String, String)], now: Timestamp) -> (u16, String) {
        let h: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let r = e.handle_http(now, &HttpRequest { method: "POST", path: "/", headers: &h, body: BODY });
        (r.status, String::from_utf8(r.body).unwrap())
    }

    #[test]
    fn a_good_signature_passes_and_a_bad_one_does_not() {
        let mut e = engine();
        let good = signed("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", t(0), "us-east-1");
        assert_eq!(send(&mut e, &good, t(1000)), (200, String::new()));
        let bad = signed("not-the-secret", t(0), "us-east-1");
        let (status, body) = send(&mut e, &bad, t(1000));
        assert_eq!(status, 400);
        assert!(body.starts_with(r#"{"__type":"InvalidSignatureException","message":"The request signature we calculated does not match"#), "{body}");
        // A body changed after signing.
        let h: Vec<(&str, &str)> = good.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let r = e.handle_http(
            t(1000),
            &HttpRequest {
                method: "POST",
                path: "/",
                headers: &h,
                body: br#"{"StreamName":"x","ShardCount":1}"#,
            },
        );
        assert_eq!(r.status, 400);
        let (_, body) =
            send(&mut e, &signed("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", t(0), "eu-west-1"), t(0));
        assert!(body.contains("Credential should be scoped to a valid region, not 'eu-west-1'. "), "{body}");
    }

    #[test]
    fn temporary_credentials_need_their_token_until_it_expires() {
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        let creds = Credentials::new("AKIDEXAMPLE", secret, Some("token-a".to_owned())).unwrap();
        let mut e = Engine::new(EngineConfig {
            verify_credentials: Some(creds),
            verify_token_expires: Some(t(60_000)),
            ..EngineConfig::default()
        });
        let with_token = |token: Option<&str>, at: Timestamp| {
            let creds = Credentials::new("AKIDEXAMPLE", secret, token.map(str::to_owned)).unwrap();
            signed_with(&creds, at, "us-east-1")
        };
        assert_eq!(send(&mut e, &with_token(Some("token-a"), t(0)), t(0)), (200, String::new()));
        let invalid = r#"{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}"#;
        assert_eq!(send(&mut e, &with_token(Some("token-b"), t(0)), t(0)), (400, invalid.to_owned()));
        assert_eq!(send(&mut e, &with_token(None, t(0)), t(0)), (400, invalid.to_owned()));
        let expired = r#"{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}"#;
        assert_eq!(
            send(&mut e, &with_token(Some("token-a"), t(60_000)), t(60_000)),
            (400, expired.to_owned())
        );
        // Rotated: the new token is accepted, the old one is not.
        e.set_verify_credentials(
            Some(Credentials::new("AKIDEXAMPLE", secret, Some("token-b".to_owned())).unwrap()),
            None,
        );
        // (Past authentication: the stream the first request created exists.)
        let (_, body) = send(&mut e, &with_token(Some("token-b"), t(61_000)), t(61_000));
        assert!(body.contains("ResourceInUseException"), "{body}");
        let (status, body) = send(&mut e, &with_token(Some("token-a"), t(61_000)), t(61_000));
        assert_eq!((status, body.as_str()), (400, invalid));
    }

    #[test]
    fn cbor_requests_are_verified_over_their_bytes_and_answered_in_cbor() {
        let mut e = engine();
        let creds =
            Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None).unwrap();
        let send = |e: &mut Engine, target: &str, body: &[u8], sign_it: bool| {
            let headers = [("Content-Type", super::super::cbor::CONTENT_TYPE), ("X-Amz-Target", target)];
            let mut all: Vec<(String, String)> =
                headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
            all.push(("Host".into(), "127.0.0.1:4567".into()));
            if sign_it {
                let out = sign(
                    &SignableRequest {
                        method: "POST",
                        url: "http://127.0.0.1:4567/",
                        headers: &headers,
                        payload: Payload::Bytes(body),
                    },
                    &SigningParams {
                        credentials: &creds,
                        region: "us-east-1",
                        service: "kinesis",
                        time: t(0),
                        settings: SigningSettings::for_service("kinesis"),
                    },
                )
                .unwrap();
                all.extend(out.params.iter().map(|(n, v)| ((*n).to_owned(), v.clone())));
            }
            let h: Vec<(&str, &str)> = all.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let r = e.handle_http(t(0), &HttpRequest { method: "POST", path: "/", headers: &h, body });
            let json = super::super::cbor::request_to_json(&r.body).map(|j| String::from_utf8(j).unwrap());
            (r.status, json)
        };
        // {"StreamName": "s", "ShardCount": 1}, as Jackson writes it.
        let create = b"\xbf\x6aStreamName\x61s\x6aShardCount\x01\xff";
        assert_eq!(send(&mut e, "Kinesis_20131202.CreateStream", create, true), (200, None));
        let (status, json) = send(&mut e, "Kinesis_20131202.CreateStream", create, false);
        assert_eq!(status, 400);
        assert_eq!(
            json.unwrap(),
            r#"{"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}"#
        );
        let summary = b"\xa1\x6aStreamName\x61s";
        let (status, json) = send(&mut e, "Kinesis_20131202.DescribeStreamSummary", summary, true);
        assert_eq!(status, 200);
        // Timestamps cross as milliseconds and read back as seconds.
        assert!(json.unwrap().contains(r#""StreamCreationTimestamp":1764158400,"#));
        // Not CBOR: SerializationException (in CBOR); an unknown target first.
        let (status, json) = send(&mut e, "Kinesis_20131202.PutRecord", b"\xbf\x61", true);
        assert_eq!((status, json.unwrap().as_str()), (400, r#"{"__type":"SerializationException"}"#));
        let (_, json) = send(&mut e, "Kinesis_20131202.Nope", b"\xbf\x61", true);
        assert_eq!(json.unwrap(), r#"{"__type":"UnknownOperationException"}"#);
        // What an adapter puts in its headers: the format and the error type.
        let h =
            [("Content-Type", super::super::cbor::CONTENT_TYPE), ("X-Amz-Target", "Kinesis_20131202.Nope")];
        let a = e.answer_http(t(0), &HttpRequest { method: "POST", path: "/", headers: &h, body: b"" });
        assert_eq!((a.cbor, a.error_type.as_str()), (true, "UnknownOperationException"));
    }

    #[test]
    fn clock_window_messages() {
        let mut e = engine();
        let good = signed("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", t(0), "us-east-1");
        let (status, body) = send(&mut e, &good, t(5 * 60 * 1000 + 1000));
        assert_eq!(status, 400);
        assert!(body.contains("Signature expired: 20251126T120000Z is now earlier than 20251126T120001Z (20251126T120501Z - 5 min.)"), "{body}");
        let (_, body) = send(&mut e, &good, t(-(6 * 60 * 1000)));
        assert!(body.contains("Signature not yet current: 20251126T120000Z is still later than 20251126T115900Z (20251126T115400Z + 5 min.)"), "{body}");
    }

    #[test]
    fn requests_aws_cannot_route_get_its_answers() {
        let mut e = Engine::new(EngineConfig::default());
        let target = ("X-Amz-Target", "Kinesis_20131202.ListStreams");
        let answer = |e: &mut Engine, method: &str, headers: &[(&str, &str)], body: &[u8]| {
            let a = e.answer_http(t(0), &HttpRequest { method, path: "/", headers, body });
            (a.response.status, String::from_utf8_lossy(&a.response.body).into_owned(), a.content_type)
        };
        let unroutable = "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n";
        assert_eq!(answer(&mut e, "GET", &[target], b""), (403, unroutable.to_owned(), ""));
        assert_eq!(
            answer(&mut e, "POST", &[target, ("Content-Type", JSON_CONTENT_TYPE)], b""),
            (400, r#"{"__type":"SerializationException"}"#.to_owned(), JSON_CONTENT_TYPE)
        );
        // An empty body of any other type is answered in CBOR.
        let (status, _, ct) = answer(&mut e, "POST", &[("X-Amz-Target", "Nope.Nope")], b"");
        assert_eq!((status, ct), (400, super::super::cbor::CONTENT_TYPE));
        assert_eq!(
            answer(&mut e, "POST", &[target, ("Content-Type", "text/plain")], b"{}"),
            (404, "<UnknownOperationException/>\n".to_owned(), "")
        );
        assert_eq!(
            answer(&mut e, "POST", &[("Content-Type", "text/plain")], b"{}"),
            (403, unroutable.to_owned(), "")
        );
        assert_eq!(
            answer(&mut e, "POST", &[target, ("Content-Type", "application/json")], b"{}"),
            (
                404,
                r#"{"Output":{"__type":"com.amazon.coral.service#UnknownOperationException"},"Version":"1.0"}"#.to_owned(),
                "application/json"
            )
        );
        assert_eq!(answer(&mut e, "POST", &[target, ("Content-Type", "application/json")], b"x").0, 400);
        let ok = answer(
            &mut e,
            "POST",
            &[target, ("Content-Type", "application/x-amz-json-1.1; charset=utf-8")],
            b"{}",
        );
        assert_eq!((ok.0, ok.2), (200, JSON_CONTENT_TYPE));
    }

    #[test]
    fn missing_and_incomplete() {
        let mut e = engine();
        let base = vec![
            ("X-Amz-Target".to_owned(), "Kinesis_20131202.CreateStream".to_owned()),
            ("Content-Type".to_owned(), JSON_CONTENT_TYPE.to_owned()),
        ];
        assert_eq!(
            send(&mut e, &base, t(0)),
            (400, r#"{"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}"#.to_owned())
        );
        let mut h = base.clone();
        h.push((
            "Authorization".into(),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20251126/us-east-1/kinesis/aws4_request".into(),
        ));
        let (_, body) = send(&mut e, &h, t(0));
        assert!(body.contains("IncompleteSignatureException"));
        assert!(body.contains("Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256"), "{body}");
        let mut h = signed("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", t(0), "us-east-1");
        for (n, v) in &mut h {
            if n == "Authorization" {
                *v = v.replace("AKIDEXAMPLE", "AKIDOTHER");
            }
        }
        let (_, body) = send(&mut e, &h, t(0));
        assert!(body.contains("UnrecognizedClientException"), "{body}");
        // Unknown targets are answered before authentication, as kinesalite does.
        let r = e.handle_http(
            t(0),
            &HttpRequest { method: "POST", path: "/", headers: &[("X-Amz-Target", "Nope.X")], body: b"{}" },
        );
        assert!(String::from_utf8(r.body).unwrap().contains("UnknownOperationException"));
        // Without credentials configured, nothing is checked.
        let mut open = Engine::new(EngineConfig::default());
        assert_eq!(send(&mut open, &base, t(0)).0, 200);
    }

    #[test]
    fn presigned_requests() {
        let mut e = engine();
        let creds =
            Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None).unwrap();
        let headers = [("X-Amz-Target", "Kinesis_20131202.CreateStream")];
        let mut settings = SigningSettings::for_service("kinesis");
        settings.location = SignatureLocation::Query { expires_in: 60 };
        let out = sign(
            &SignableRequest {
                method: "POST",
                url: "http://127.0.0.1:4567/",
                headers: &headers,
                payload: Payload::Bytes(BODY),
            },
            &SigningParams {
                credentials: &creds,
                region: "us-east-1",
                service: "kinesis",
                time: t(0),
                settings,
            },
        )
        .unwrap();
        let url = out.url.unwrap();
        let path = &url["http://127.0.0.1:4567".len()..];
        let h = [
            ("X-Amz-Target", "Kinesis_20131202.CreateStream"),
            ("Host", "127.0.0.1:4567"),
            ("Content-Type", JSON_CONTENT_TYPE),
        ];
        let r = e.handle_http(t(1000), &HttpRequest { method: "POST", path, headers: &h, body: BODY });
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let r = e.handle_http(t(61_000), &HttpRequest { method: "POST", path, headers: &h, body: BODY });
        assert!(String::from_utf8(r.body).unwrap().contains("Signature expired"));
        let tampered = path.replace("X-Amz-Signature=", "X-Amz-Signature=0");
        let r =
            e.handle_http(t(1000), &HttpRequest { method: "POST", path: &tampered, headers: &h, body: BODY });
        assert_eq!(r.status, 400);
    }
}
