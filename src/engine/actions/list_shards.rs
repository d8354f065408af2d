//! ListShards (pagination by `NextToken` or `ExclusiveStartShardId`).

use super::super::validation::{check, Kind, Member, SHARD_ID, STREAM_NAME};
use super::super::{Engine, EngineError};
use super::Writer;
use crate::json::{write_string, Value};

pub(in crate::engine) const MEMBERS: &[Member] = &[
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: false },
    Member {
        name: "NextToken",
        path: "nextToken",
        kind: Kind::Str { min: 1, max: 1048576, pattern: None },
        required: false,
    },
    Member { name: "ExclusiveStartShardId", path: "exclusiveStartShardId", kind: SHARD_ID, required: false },
    Member {
        name: "MaxResults",
        path: "maxResults",
        kind: Kind::Int { min: 1, max: 10_000 },
        required: false,
    },
];

pub(in crate::engine) fn run(engine: &mut Engine, body: &Value<'_>) -> Result<Vec<u8>, EngineError> {
    check(body, MEMBERS)?;
    let invalid = |m: &str| EngineError { code: "InvalidArgumentException", message: m.to_owned() };
    // A NextToken is `stream\nlast shard id` (opaque to callers).
    let (stream, after) =
        match (body.get("NextToken").and_then(Value::as_str), body.get("StreamName").and_then(Value::as_str))
        {
            (Some(_), Some(_)) => {
                return Err(invalid("NextToken and StreamName cannot be provided together."))
            }
            (Some(token), None) => {
                let decoded = super::super::validation::decode_blob(token)
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| invalid("Invalid NextToken."))?;
                let (s, a) = decoded.split_once('\n').ok_or_else(|| invalid("Invalid NextToken."))?;
                (s.to_owned(), Some(a.to_owned()))
            }
            (None, Some(s)) => {
                (s.to_owned(), body.get("ExclusiveStartShardId").and_then(Value::as_str).map(str::to_owned))
            }
            (None, None) => return Err(invalid("Either NextToken or StreamName should be provided.")),
        };
    let max = body.get("MaxResults").and_then(Value::as_u64).unwrap_or(1000) as usize;
    let shards = engine.shards(&stream)?;
    let rest: Vec<_> =
        shards.iter().filter(|s| after.as_deref().is_none_or(|a| s.shard_id.as_str() > a)).collect();
    let page = &rest[..rest.len().min(max)];
    let mut w = Writer::new();
    let out = w.key("Shards");
    out.push(b'[');
    for (i, shard) in page.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&super::shard_json(shard));
    }
    out.push(b']');
    if rest.len() > page.len() {
        if let Some(last) = page.last().map(|s| &s.shard_id) {
            use base64::Engine as _;
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{stream}\n{last}"));
            write_string(w.key("NextToken"), &token);
        }
    }
    Ok(w.finish())
}
