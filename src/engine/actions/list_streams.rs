//! ListStreams: names and summaries, a page at a time, by
//! `ExclusiveStartStreamName` (the original way) or `NextToken` (the AWS
//! SDKs' paginators and the AWS CLI follow only `NextToken`: without one
//! they stop after the first page).

use super::super::validation::{check, Kind, Member, STREAM_NAME};
use super::super::{Engine, EngineError};
use super::Writer;
use crate::json::{write_string, Value};
use crate::time::Timestamp;

pub(in crate::engine) const MEMBERS: &[Member] = &[
    Member { name: "Limit", path: "limit", kind: Kind::Int { min: 1, max: 10_000 }, required: false },
    Member {
        name: "ExclusiveStartStreamName",
        path: "exclusiveStartStreamName",
        kind: STREAM_NAME,
        required: false,
    },
    Member {
        name: "NextToken",
        path: "nextToken",
        kind: Kind::Str { min: 1, max: 1_048_576, pattern: None },
        required: false,
    },
];

/// A NextToken is this and the last name listed (opaque to callers).
const TOKEN_PREFIX: &str = "ListStreams\n";

/// At most this many a page, whatever `Limit` says (API reference: "If you
/// specify a value greater than 100, at most 100 results are returned").
const MAX_PAGE: usize = 100;

pub(in crate::engine) fn run(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, MEMBERS)?;
    let limit = body.get("Limit").and_then(Value::as_u64).map_or(MAX_PAGE, |l| (l as usize).min(MAX_PAGE));
    let after = match body.get("NextToken").and_then(Value::as_str) {
        Some(token) => Some(token.strip_prefix(TOKEN_PREFIX).filter(|n| !n.is_empty()).ok_or_else(|| {
            EngineError { code: "InvalidArgumentException", message: "Invalid NextToken.".to_owned() }
        })?),
        None => body.get("ExclusiveStartStreamName").and_then(Value::as_str),
    };
    let names = engine.stream_names();
    let rest: Vec<&str> = names.into_iter().filter(|n| after.is_none_or(|a| *n > a)).collect();
    let page = &rest[..rest.len().min(limit)];
    let more = rest.len() > page.len();
    let mut w = Writer::new();
    super::write_strings(w.key("StreamNames"), page.iter().copied());
    w.key("HasMoreStreams").extend_from_slice(if more { b"true" } else { b"false" });
    if let (true, Some(last)) = (more, page.last()) {
        write_string(w.key("NextToken"), &format!("{TOKEN_PREFIX}{last}"));
    }
    super::write_list(w.key("StreamSummaries"), page, |out, name| {
        let mut s = Writer::new();
        s.string("StreamName", name);
        s.string("StreamARN", &engine.stream_arn(name));
        s.string("StreamStatus", engine.status(name, now).unwrap_or("ACTIVE"));
        super::stream_settings::write_stream_mode(&mut s, engine.stream_mode(name).unwrap_or("PROVISIONED"));
        s.number("StreamCreationTimestamp", engine.created(name).map_or(0, |t| t.as_secs()));
        out.extend_from_slice(&s.finish());
    });
    Ok(w.finish())
}
