//! ListStreams.

use super::super::validation::{check, Kind, Member, STREAM_NAME};
use super::super::{Engine, EngineError};
use super::Writer;
use crate::json::Value;

pub(in crate::engine) const MEMBERS: &[Member] = &[
    Member { name: "Limit", path: "limit", kind: Kind::Int { min: 1, max: 10_000 }, required: false },
    Member {
        name: "ExclusiveStartStreamName",
        path: "exclusiveStartStreamName",
        kind: STREAM_NAME,
        required: false,
    },
];

pub(in crate::engine) fn run(engine: &mut Engine, body: &Value<'_>) -> Result<Vec<u8>, EngineError> {
    check(body, MEMBERS)?;
    let limit = body.get("Limit").and_then(Value::as_u64).unwrap_or(100) as usize;
    let after = body.get("ExclusiveStartStreamName").and_then(Value::as_str);
    let names: Vec<&str> =
        engine.stream_names().into_iter().filter(|n| after.is_none_or(|a| *n > a)).collect();
    let mut w = Writer::new();
    super::write_strings(w.key("StreamNames"), names.iter().take(limit).copied());
    w.key("HasMoreStreams").extend_from_slice(if names.len() > limit { b"true" } else { b"false" });
    Ok(w.finish())
}
